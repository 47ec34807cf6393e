"""Columns a documented period fills on create: `loans.due_at` = now + the loan period.

api_model.json says, per create operation, which columns the docs' periods set (emit/app_periods.py):

    {"column": "due_at", "anchor": null, "seconds": 1814400, "date": false,
     "by": {"via": [["copy_id", "copies", "id"], ["book_id", "books", "id"]], "column": "format",
            "options": [{"values": ["dvd", "magazine"], "seconds": 604800}, ...]}}

A column the request did not set becomes its anchor (the anchor column's value; no anchor: now) plus the
duration: the duration of the option listing the value found by following `via` from the new row (the
checked-out copy's book's format), else the general one. An anchor column that is still empty (a hold is
not ready yet, so it has no pickup date) leaves the column to the usual create behaviour.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .context import Context
from .store import TableInfo, stored_value


def fill_periods(ctx: Context, info: TableInfo, values: dict[str, Any]) -> None:
    for period in ctx.op.get("periods") or []:
        column = period["column"]
        if column in values or column not in info.table.c:
            continue  # sent (or set by a lookup): the client's value stands
        end = period_end(ctx, info, period, values)
        if end is not None:
            values[column] = end


def period_end(ctx: Context, info: TableInfo, period: dict[str, Any], row: dict[str, Any]) -> Any:
    """The end a period gives this row (its anchor, or now, plus the duration its qualifier picks); None while
    the anchor is empty. Creates fill with it, actions too ("new `dueAt` (today + loan period)": actions.py)."""
    start = _start(info, period.get("anchor"), row)
    if start is None:
        return None
    end = start + dt.timedelta(seconds=_seconds(ctx, period, row))
    return end.date() if period.get("date") and isinstance(end, dt.datetime) else end


def _start(info: TableInfo, anchor: str | None, values: dict[str, Any]) -> Any:
    now = dt.datetime.now(dt.UTC)
    if not anchor:
        return now
    value = values.get(anchor)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    col = info.table.c.get(anchor) if anchor in info.table.c else None
    if value is None and col is not None and anchor not in values and col.server_default is not None and not col.nullable:
        return now  # the database stamps the anchor as the row is inserted (placed_at DEFAULT now)
    return None


def _seconds(ctx: Context, period: dict[str, Any], values: dict[str, Any]) -> int:
    general = int(period["seconds"])
    by = period.get("by")
    if not by:
        return general
    row: dict[str, Any] | None = values
    for fk_column, table, key in by["via"]:
        target = ctx.kit.tables.get(table)
        ref = row.get(fk_column) if row is not None else None
        if target is None or ref is None:
            return general
        row = ctx.kit.records.fetch(ctx.conn, target, key, ref, live=False)
    value = row.get(by["column"]) if row is not None else None
    value = stored_value(value)
    for option in by["options"]:
        if value is not None and str(value) in option["values"]:
            return int(option["seconds"])
    return general
