"""Enum columns in list queries: filter values checked against the column's values, sorts by declared order.

The generator (emit/app_enum_values) gives a filter on an enum or CHECK-IN column its `values` when the
docs' query parameter states none, and a sort its `ranks` (column → values in declared order).
- `?status=doing` where status admits backlog/todo/done is the documented validation error naming the
  parameter ("unknown value"), not an empty page that hides the typo; each comma-separated value counts;
- `sort=-priority` orders by rank (`CASE priority WHEN 'low' THEN 0 ... END`): low < medium < high, as a
  native PostgreSQL enum orders, instead of alphabetically. A value outside the list ranks last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from .context import Context


def check_filter_values(ctx: Context, param: str, spec: Mapping[str, Any], value: Any) -> None:
    """Raise the validation error naming `param` when a value of it is not one of the filter's `values`."""
    allowed = spec.get("values")
    if not allowed:
        return
    if isinstance(value, (list, tuple)):
        given = [str(v) for v in value]
    elif isinstance(value, str) and spec.get("multi", True):
        given = [v.strip() for v in value.split(",") if v.strip()]
    else:
        given = [str(value)]
    if value == spec.get("default"):
        return  # the docs' own default, even when written in prose, is never the caller's mistake
    if any(v not in allowed for v in given):
        raise ctx.kit.validation_error(ctx.op, [{"field": param, "issue": "unknown value"}])


def order_expression(table: sa.Table, column: str, desc: bool, ranks: Mapping[str, Sequence[str]]) -> Any:
    """ORDER BY term for `column`: its rank in the declared values when ranked, else the column itself."""
    values = ranks.get(column)
    col: Any = table.c[column]
    if values:
        col = sa.case({v: i for i, v in enumerate(values)}, value=col, else_=len(values))
    return col.desc() if desc else col.asc()
