"""Timestamps tied to a status value (api_model.json `stamps`, from emit/app_stamps.py): `completed_at` is set
when a task comes to `done` and, where the docs say so, cleared when it moves away from it.

Applied to the values a create or an update is about to write, before they are written: a request that sets the
stamp itself keeps its value; a write that leaves the status alone leaves the stamp alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .context import Context
from .store import TableInfo, stored_value


def apply_stamps(ctx: Context, info: TableInfo, values: dict[str, Any], before: dict[str, Any] | None = None) -> None:
    """`before`: the row as it was (an update), None for a create."""
    for s in ctx.op.get("stamps") or []:
        column, stamp = s["column"], s["stamp"]
        if column not in values or stamp in values or stamp not in info.table.c:
            continue
        now_at = _stored(values[column]) == s["value"]
        was_at = before is not None and _stored(before.get(column)) == s["value"]
        if now_at and not was_at:
            values[stamp] = dt.datetime.now(dt.UTC)
        elif was_at and not now_at and s.get("clear"):
            values[stamp] = None


def _stored(value: Any) -> str | None:
    value = stored_value(value)
    return None if value is None else str(value)
