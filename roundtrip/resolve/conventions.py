"""Errors the docs state once for a class of endpoints, carried onto each endpoint of the class.

"Unknown fields return `400 INVALID_SORT_FIELD`" (a Sorting convention) is an error of every endpoint
that takes `sort`: each gets it, so the compiled operation documents the status its backend answers.
An endpoint that documents the same status and code itself keeps its own statement.

"`sort=<field>` or `sort=-<field>` (descending); each list documents allowed fields": a sort parameter
whose own row lists its fields (`title`, `-publishedYear`) admits each of them with or without `-`.
"`sort` takes a comma-separated list of fields … e.g. `sort=-priority,dueDate`": it admits a list of them.
(Pagination bounds are applied where parameters are emitted: roundtrip.emit.openapi.)
"""

from __future__ import annotations

import re
from dataclasses import replace

from roundtrip.ir import Convention, Endpoint, ErrorDoc, ParamIn
from roundtrip.ir.listing import SORT_PARAMS, sort_fields, sort_pattern

# "a comma-separated list of fields", "e.g. `sort=-priority,dueDate`": one value names several fields
_SEVERAL_SORT_FIELDS = re.compile(r"\bcomma[\s-]*(?:separated|delimited)\b|\bsort=-?\w+,-?\w", re.I)


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
    signed_sort = _single(conventions, "sort.syntax") == "-field"
    several = any(c.key == "sort.syntax" and _SEVERAL_SORT_FIELDS.search(c.text) for c in conventions)
    out: list[Endpoint] = []
    for e in endpoints:
        if signed_sort or several:
            e = _sort_syntax(e, signed=signed_sort, several=several)
        errors = e.errors
        takes_sort = any(p.location is ParamIn.QUERY and p.name.lower() in SORT_PARAMS for p in e.parameters)
        if (
            sort_error is not None
            and takes_sort
            and not any(x.status == sort_error.status and x.code == sort_error.code for x in errors)
        ):
            errors = (*errors, sort_error)
        out.append(e if errors == e.errors else replace(e, errors=errors))
    return tuple(out)


def _sort_syntax(e: Endpoint, *, signed: bool, several: bool) -> Endpoint:
    """The endpoint with each listed sort field admitted as `field` and `-field` (`signed`), and as a
    comma-separated list of them (`several`). A pattern already stating either keeps it."""
    params = []
    for p in e.parameters:
        listed = (
            sort_fields(p.constraints.pattern)
            if p.location is ParamIn.QUERY and p.name.lower() in SORT_PARAMS
            else None
        )
        if listed is not None:
            signed_now = signed or listed.signed
            fields = (f.removeprefix("-") for f in listed.fields) if signed_now else listed.fields
            pattern = sort_pattern(fields, signed=signed_now, several=several or listed.several)
            p = replace(p, constraints=replace(p.constraints, pattern=pattern))
        params.append(p)
    return e if tuple(params) == e.parameters else replace(e, parameters=tuple(params))
