"""Status preconditions from the docs' error rows, checked before a write (emit/app_status_guards.py).

api_model.json lists them per create/update/delete operation:

    {"table": "projects", "column": "status", "via": "project_id", "key": "id", "refused": ["archived"],
     "status": 409, "code": "PROJECT_ARCHIVED", "message": "Cannot add tasks to an archived project"}

`via` None: the status of the row being changed or deleted; else of the row that column of the written row
names (a new task's project). `allowed`: the status must be one of them; `refused`: none of them. A failed
guard answers the documented status and code; a row without a value, or a reference naming nothing, is left
to the checks that follow (a missing reference is the foreign key's error, not this one).
"""

from __future__ import annotations

from typing import Any

from .context import Context
from .errors import ApiError
from .store import stored_value


def check_status_guards(ctx: Context, row: dict[str, Any]) -> None:
    """`row`: the stored row (update, delete) or the new row's values (create)."""
    for guard in ctx.op.get("status_guards") or ():
        target = row if guard.get("via") is None else _referenced(ctx, guard, row)
        value = target.get(guard["column"]) if target is not None else None
        if value is None:
            continue
        value = str(stored_value(value))
        allowed, refused = guard.get("allowed"), guard.get("refused") or ()
        if (allowed is not None and value not in allowed) or value in refused:
            raise ApiError(int(guard["status"]), str(guard["code"]), str(guard.get("message") or guard["code"]))


def _referenced(ctx: Context, guard: dict[str, Any], row: dict[str, Any]) -> dict[str, Any] | None:
    pinfo = ctx.kit.tables.get(guard["table"])
    key, column = row.get(guard["via"]), str(guard.get("key") or "")
    if pinfo is None or key is None or column not in pinfo.table.c:
        return None
    return ctx.kit.records.fetch(ctx.conn, pinfo, column, key)  # live: a guard reads what the write will see
