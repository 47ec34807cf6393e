"""Errors the docs state once for a class of endpoints, carried onto each endpoint of the class.

"Unknown fields return `400 INVALID_SORT_FIELD`" (a Sorting convention) is an error of every endpoint
that takes `sort`: each gets it, so the compiled operation documents the status its backend answers.
An endpoint that documents the same status and code itself keeps its own statement.
(Pagination bounds are applied where parameters are emitted: roundtrip.emit.openapi.)
"""

from __future__ import annotations

import re
from dataclasses import replace

from roundtrip.ir import Convention, Endpoint, ErrorDoc, ParamIn

_SORT_PARAMS = frozenset({"sort", "sortby", "sort_by", "orderby", "order_by"})


def _single(conventions: tuple[Convention, ...], key: str) -> object | None:
    """The value of a convention stated once, or with one value; None when unstated or contradictory
    (contradictions are the validator's RT211, not ours to settle)."""
    values = list(dict.fromkeys(repr(c.value) for c in conventions if c.key == key))
    if len(values) != 1:
        return None
    return next(c.value for c in conventions if c.key == key)


def _sort_error(conventions: tuple[Convention, ...]) -> ErrorDoc | None:
    value = _single(conventions, "sort.error")
    m = re.fullmatch(r"(\d{3}) (\S+)", str(value)) if value is not None else None
    if m is None:
        return None
    conv = next(c for c in conventions if c.key == "sort.error")
    text = re.search(
        r"([^.;]*?)\s+(?:returns?|gives?|yields?|answers?|respond\w*|→|->)\s*`?" + m.group(1), conv.text
    )
    message = text.group(1).strip() if text else ""
    if message and "sort" not in message.lower():
        message += " in sort"  # "Unknown fields" said in a Sorting section: name what they are unknown in
    return ErrorDoc(int(m.group(1)), m.group(2), message or "Unknown sort field", span=conv.span)


def apply_conventions(
    endpoints: tuple[Endpoint, ...], conventions: tuple[Convention, ...]
) -> tuple[Endpoint, ...]:
    sort_error = _sort_error(conventions)
    out: list[Endpoint] = []
    for e in endpoints:
        errors = e.errors
        takes_sort = any(p.location is ParamIn.QUERY and p.name.lower() in _SORT_PARAMS for p in e.parameters)
        if (
            sort_error is not None
            and takes_sort
            and not any(x.status == sort_error.status and x.code == sort_error.code for x in errors)
        ):
            errors = (*errors, sort_error)
        out.append(e if errors == e.errors else replace(e, errors=errors))
    return tuple(out)
