"""The values an enum column admits, for the list operations that filter and sort by it.

A column's values are stated either by its type (`status task_status` with `CREATE TYPE ... AS ENUM`, a TS
union) or by a check (`CHECK (status IN ('todo', 'done'))`). Two list behaviours follow from them:

- a filter on such a column (`?status=doing`) whose query parameter the docs give no values of their own
  (no enum, pattern or named type) gets `values`: the app answers a value outside them (each of a
  comma-separated list) with the validation error naming the parameter, instead of an empty page.
  A parameter that states its own values (`enum: [all, open]`) is left to that schema;
- a sort by such a column ranks rows by the declared order (`low < medium < high < critical`), not
  alphabetically: PostgreSQL already orders a native enum so, and a CHECK'd text column on either database
  now sorts the same way. Only small lists (`MAX_RANKED` values) are ranked: a CASE over them is cheap.
"""

from __future__ import annotations

import re
from typing import Any

from roundtrip.ir.data import Table
from roundtrip.ir.types import Kind

MAX_RANKED = 32
# `status IN ('a', 'b')`, `("status" IN ('a','b'))`, `status::text = ANY (ARRAY['a'::text, 'b'::text])`
_CHECK_IN = re.compile(r"^\(*\s*[\"`]?([A-Za-z_]\w*)[\"`]?(?:::\w+)?\s+IN\s*\((.*)\)\s*\)*$", re.I | re.S)
_CHECK_ANY = re.compile(r"^\(*\s*[\"`]?([A-Za-z_]\w*)[\"`]?(?:::\w+)?\s*=\s*ANY\s*\(\s*\(?\s*ARRAY\s*\[(.*)\]", re.I | re.S)
_QUOTED = re.compile(r"'((?:[^']|'')*)'")
# what a query parameter states about its own values: then the compiled schema validates them
_OWN_VALUES = ("enum", "const", "pattern", "$ref", "oneOf", "anyOf", "allOf", "format")


def column_values(t: Table, column: str) -> list[str]:
    """The values `column` of `t` admits by its enum type or an IN-list check; [] when unconstrained (the one
    reading of a column's values the app model uses: roles, action statuses, guards, periods, stamps, filters)."""
    col = t.column(column)
    if col is None:
        return []
    if col.type.kind is Kind.ENUM and col.type.values:
        return [str(v) for v in col.type.values]
    for check in t.checks:
        text = check.expression.strip()
        m = _CHECK_IN.match(text) or _CHECK_ANY.match(text)
        if m and m.group(1).lower() == column.lower():
            values = [v.replace("''", "'") for v in _QUOTED.findall(m.group(2))]
            if values:
                return values
    return []


def attach_enum_values(t: Table, params: dict[str, dict[str, Any]], out: dict[str, Any]) -> None:
    """Add `values` to the equality filters of `out` (a list model) on enum columns and `ranks` to its sort."""
    for name, f in (out.get("filters") or {}).items():
        if f.get("op") != "eq" or f.get("via") or f.get("aliases"):
            continue
        schema = (params.get(name) or {}).get("schema") or {}
        if any(k in schema for k in _OWN_VALUES) or schema.get("type", "string") != "string":
            continue
        values = column_values(t, f["column"])
        if values:
            f["values"] = values
    sort = out.get("sort")
    if isinstance(sort, dict):
        # every ranked column of the table, not only the listed fields: a list statement is cached per table
        ranks = {c.name: v for c in t.columns if 1 < len(v := column_values(t, c.name)) <= MAX_RANKED}
        if ranks:
            sort["ranks"] = ranks
