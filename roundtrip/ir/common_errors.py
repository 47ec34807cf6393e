"""Where a row of the docs' common error table applies: one rule the OpenAPI emitter, the app model and verify read.

A "Common errors" table ("can be returned by every authenticated endpoint", or an error catalog such as
`Errors = { CONFLICT: ... 409 }`) lists what may go wrong somewhere, not what goes wrong everywhere: a
logout cannot conflict, a GET without parameters cannot fail validation, a path without an id cannot name
a missing row. So a row applies to a protected endpoint where its condition can arise:

| status | applies where |
|--------|---------------|
| 401 | every protected endpoint |
| 403 | the endpoint names roles (`Yes (owner, admin)`); when the row speaks of ownership ("role or ownership does not allow"), also writes to one item (`PATCH /recipes/{id}`) |
| 404 | the path names an item (`{id}`) |
| 409, and 422 that is not a validation error | writes: POST/PUT/PATCH, except session endpoints (`/auth/logout`, `/auth/refresh`) |
| 400, and 422 validation errors | the endpoint takes input: a body or a query/header/cookie parameter; a path id only where no 404 is documented (an ill-formed id names nothing: 404) |
| anything else (429, 500, 423, 502...) | every protected endpoint |

A row whose code names a table (`BOOK_NOT_FOUND`, `BOOKING_CONFLICT`) applies, within those, where the path names
that table, and elsewhere only as the one code the docs give for its status (nothing else answers it there).

Public endpoints get no common error: every table in the examples scopes itself to authenticated endpoints.
"""

from __future__ import annotations

import re

from roundtrip.ir.api import Endpoint, ErrorDoc, ParamIn
from roundtrip.ir.naming import table_candidates
from roundtrip.ir.spec import Spec
from roundtrip.ir.validation_rows import is_validation_row

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Path words of endpoints that open, renew or end a session: they write no resource that could conflict.
SESSION_WORDS = frozenset(
    {"login", "signin", "logout", "signout", "refresh", "token", "tokens", "session", "sessions"}
)
_OWNERSHIP = re.compile(r"\bown(?:er|ers|ership|s)?\b", re.IGNORECASE)


def common_errors_for(spec: Spec, ep: Endpoint) -> tuple[ErrorDoc, ...]:
    """The rows of the common error table that can arise on `ep`, in table order."""
    if ep.auth.required is not True:
        return ()
    documents_404 = (
        any(e.status == 404 for e in ep.errors)
        or any(r.status == 404 for r in ep.responses)
        or (names_item(ep) and any(e.status == 404 for e in spec.common_errors))
    )
    rows = [e for e in spec.common_errors if applies(e, ep, documents_404)]
    tables = {t.name for t in spec.tables}
    here = path_tables(ep, tables)
    # a row is about this path when its code names no table or one of the path's (`BOOK_NOT_FOUND` on /books/…)
    about_here = [code_subject(e.code, tables) in (None, *here) for e in rows]
    own = {e.status for e in ep.errors} | {r.status for r in ep.responses}
    # elsewhere a table's code is kept only as the docs' one word for its status (a path id still answers a 404)
    covered = own | {e.status for e, ok in zip(rows, about_here, strict=True) if ok}
    return tuple(e for e, ok in zip(rows, about_here, strict=True) if ok or e.status not in covered)


# `BOOK_NOT_FOUND`, `HOLD_EXISTS`, `BOOKING_CONFLICT`: a code that names the resource it is about.
_RESOURCE_CODE = re.compile(r"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*?)_(?:NOT_FOUND|ALREADY_EXISTS|EXISTS|CONFLICT|DUPLICATE)")


def code_subject(code: str, tables: set[str]) -> str | None:
    """The table an error code names (`BOOK_NOT_FOUND` → books), None for a code about no table."""
    m = _RESOURCE_CODE.fullmatch(code or "")
    if m is None:
        return None
    return next((t for t in table_candidates(m.group(1).lower()) if t in tables), None)


def path_tables(ep: Endpoint, tables: set[str]) -> set[str]:
    """The tables the literal segments of `ep`'s path name (`/books/{id}/copies` → books, copies)."""
    out: set[str] = set()
    for seg in ep.path.lower().split("/"):
        if seg and not seg.startswith("{"):
            out.update(t for t in table_candidates(seg.replace("-", "_")) if t in tables)
    return out


def applies(e: ErrorDoc, ep: Endpoint, documents_404: bool) -> bool:
    """Whether the condition of common error `e` can arise on the protected endpoint `ep` (see the module
    table); `documents_404`: the endpoint answers a missing (or ill-formed) id with a documented 404."""
    if e.status == 403:
        return bool(ep.auth.roles) or (bool(_OWNERSHIP.search(e.message)) and writes_one_item(ep))
    if e.status == 404:
        return names_item(ep)
    if e.status == 400 or (e.status == 422 and is_validation(e)):
        return takes_input(ep, documents_404)
    if e.status in (409, 422):
        return writes_resource(ep)
    return True


def is_validation(e: ErrorDoc) -> bool:
    return is_validation_row(e)  # `422 INVALID_STATE` is a rule about writes, not about input


def names_item(ep: Endpoint) -> bool:
    return "{" in ep.path


def writes_one_item(ep: Endpoint) -> bool:
    """PATCH/PUT/DELETE on a path that ends in an id (`/recipes/{recipeId}`)."""
    return ep.method in ("PATCH", "PUT", "DELETE") and ep.path.rstrip("/").endswith("}")


def writes_resource(ep: Endpoint) -> bool:
    """A create, update or action: a write whose path is not a session endpoint's (`/auth/sign-out`)."""
    if ep.method not in WRITE_METHODS:
        return False
    words: set[str] = set()
    for seg in ep.path.lower().split("/"):
        if seg and not seg.startswith("{"):
            words.add(re.sub(r"[-_]", "", seg))
            words.update(re.split(r"[-_]", seg))
    return not words & SESSION_WORDS


def takes_input(ep: Endpoint, documents_404: bool) -> bool:
    """A body or a non-path parameter; a path parameter counts only where no 404 answers an ill-formed id."""
    if ep.request is not None:
        return True
    if any(p.location is not ParamIn.PATH for p in ep.parameters):
        return True
    return names_item(ep) and not documents_404
