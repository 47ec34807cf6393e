"""The validation error an endpoint owes for the rules the docs state about its input.

"available_until must be after available_from" (a Validation Rules bullet, or `CHECK (available_until >
available_from)` in the data model) holds for every request that writes those fields. An endpoint whose
body carries such a field answers a request breaking the rule with the docs' validation error
(`400 VALIDATION_ERROR`), whether or not its own error table lists it. Where it does not, the gap is
reported (RT304, at the endpoint, naming the rule) and the endpoint gets the documented validation error,
so the compiled operation documents the status its backend answers.

The rules that count are stated outside the endpoint's own types, about the table its body writes
(a create, update or action; not a sign-in, which only reads the account it names): a Validation Rules
bullet of the table's entity naming a body field, and a CHECK constraint over a column a body field is
stored in. An endpoint documents the error itself, or through the common error table (authenticated
endpoints), or not at all when the docs name no validation error anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from roundtrip.diagnostics import Sink
from roundtrip.ir import Endpoint, ErrorDoc, FieldRule, Spec, Table
from roundtrip.ir.matching import table_for_type
from roundtrip.ir.naming import snake
from roundtrip.ir.validation_rows import is_validation_row
from roundtrip.source import Span

_WRITES = frozenset({"POST", "PUT", "PATCH"})
# Path words of endpoints that open, renew or end a session: their body names an account, it writes none.
_SESSION_WORDS = frozenset(
    {"login", "signin", "logout", "signout", "refresh", "token", "tokens", "session", "sessions"}
)


def document_validation_errors(spec: Spec, rules: Iterable[FieldRule], sink: Sink) -> Spec:
    """`spec` with the documented validation error added to each endpoint that owes it (see the module)."""
    documented = _validation_error(spec)
    if documented is None:
        return spec
    rules = tuple(rules)
    endpoints: list[Endpoint] = []
    for e in spec.endpoints:
        rule = None if _documents(spec, e, documented.status) else _stated_rule(spec, e, rules)
        if rule is None:
            endpoints.append(e)
            continue
        field, text, span = rule
        sink.add(
            "RT304",
            e.span,
            f"{e.key} writes `{field}`, which the docs constrain ({text}, {span}), but its error table lists no "
            f"{documented.status}; the compiled operation answers `{documented.status} {documented.code}` for it, "
            f"add the row to the docs",
            related=[span],
        )
        endpoints.append(replace(e, errors=(*e.errors, replace(documented, span=span))))
    return replace(spec, endpoints=tuple(endpoints))


def _validation_error(spec: Spec) -> ErrorDoc | None:
    """The docs' validation error (status 400 or 422, a code that says so), with the message they give it."""
    stated = [*spec.common_errors, *(x for e in spec.endpoints for x in e.errors)]
    for x in stated:
        if x.code and is_validation_row(x):  # not a rule sharing the status (`422 INVALID_PROOF`)
            return ErrorDoc(x.status, x.code, x.message or "Invalid input")
    return None


def _documents(spec: Spec, e: Endpoint, status: int) -> bool:
    if any(x.status == status for x in e.errors) or any(r.status == status for r in e.responses):
        return True
    return e.auth.required is True and any(x.status == status for x in spec.common_errors)


def _stated_rule(spec: Spec, e: Endpoint, rules: tuple[FieldRule, ...]) -> tuple[str, str, Span] | None:
    """(body field, the rule as stated, where) of the first rule the docs state about what `e`'s body writes."""
    words = {w for seg in e.path.lower().split("/") for w in re.split(r"[-_]", seg)}
    if e.method not in _WRITES or words & _SESSION_WORDS:
        return None
    link = next((lk for lk in spec.links if lk.subject == f"endpoint:{e.key}"), None)
    table = spec.table(link.table) if link is not None else None
    if link is None or table is None or not link.fields:
        return None
    by_column = {f.column: f.field for f in link.fields}
    for rule in rules:
        if _entity_table(spec, rule.entity) is table and snake(rule.field) in by_column:
            return by_column[snake(rule.field)], rule.text or f"{rule.entity}.{rule.field}", rule.span
    for chk in table.checks:
        written = [c for c in chk.columns if c in by_column]
        if written:
            return by_column[written[0]], f"CHECK ({chk.expression})", chk.span
    return None


def _entity_table(spec: Spec, entity: str) -> Table | None:
    return table_for_type(entity, spec.tables) if entity else None
