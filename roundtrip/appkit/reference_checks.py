"""Body values that reference a row must name a live row the caller may see.

`POST /projects/{projectId}/tasks {"assigneeId": ..., "labelIds": [...]}`: the assignee (tasks.assignee_id → users)
and every label (task_labels.label_id → labels, written through the join table by child_writes) must be live rows
of the caller's tenant. Another tenant's user or label is, for this caller, no row at all: without this check the
insert succeeds and the other tenant's label (name, colour) shows in this tenant's task.

A reference to a table the app scopes by the caller's tenant columns (the app model's `scope_columns` the
referenced table has: tenant_id) is always checked. A reference to any other table is checked where the docs
name an error for it (`POST /bookings` lists `404 ROOM_NOT_FOUND`), so an unknown room is that 404 rather than
what follows from its absence (derive_references finds no workspace to copy).

The answer per body field was chosen at generation time (emit.app_reference_errors, the op's
`reference_errors`): the documented code (`INVALID_ASSIGNEE`, `INVALID_LABEL`, `ROOM_NOT_FOUND`), else the
validation error naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .context import Context
from .errors import ApiError
from .records import id_column_for, snake
from .store import TableInfo, coerce


def check_references(ctx: Context, info: TableInfo, body: Mapping[str, Any], values: Mapping[str, Any], nested: Mapping[str, Any]) -> None:
    """Raise the documented error for the first body reference that names no usable row. `values`: the body's
    column values (coerced); `nested`: its arrays written as child rows. Call before anything is written."""
    skip = set(ctx.op.get("scope_columns") or [])  # the caller's own tenant, never taken from the body
    fields = ctx.op.fields
    for name in body:
        column = fields.get(name) or snake(name)
        if column in skip or column not in info.fks or values.get(column) is None:
            continue
        _require(ctx, name, info.fks[column], [values[column]])
    if nested:
        _check_children(ctx, info, nested, skip)


def _check_children(ctx: Context, info: TableInfo, nested: Mapping[str, Any], skip: set[str]) -> None:
    """The rows an array names, found as child_writes finds them: ids through a join table (`labelIds` →
    task_labels.label_id → labels), scalar ids of a child column, or item keys that are a child's references."""
    s = ctx.kit.schemas
    props, _ = s.properties(ctx.op.get("request") or {})
    for name, items in nested.items():
        if name not in props or not isinstance(items, list):
            continue
        item_schema = s.non_null(props[name]).get("items", {})
        found = ctx.kit.records.child_table(info, name, item_schema)
        if found is None:
            continue
        child, fk, through = found
        if through:
            _require(ctx, name, child.fks[through], [v.get("id") if isinstance(v, dict) else v for v in items])
            continue
        scalar_col = id_column_for(name, child, fk)
        scalars = [v for v in items if not isinstance(v, dict)]
        if scalars and scalar_col in child.fks:
            _require(ctx, name, child.fks[scalar_col], scalars)
        item_fields = ctx.kit.schema_fields(item_schema)
        for item in (v for v in items if isinstance(v, dict)):
            for key, value in item.items():
                col = item_fields.get(key) or snake(key)
                if col != fk and col in child.fks and col not in skip and value is not None:
                    _require(ctx, key, child.fks[col], [value])


def _require(ctx: Context, field: str, target: tuple[str, str], values: list[Any]) -> None:
    """Every value names a live row of `target` (table, column) inside the caller's tenant, or the field's error."""
    tinfo = ctx.kit.tables.get(target[0])
    if tinfo is None or target[1] not in tinfo.table.c:
        return
    choice = (ctx.op.get("reference_errors") or {}).get(field)
    tenant = _tenant(ctx, tinfo)
    if not tenant and not (choice and choice.get("named")):
        return  # neither tenant-scoped nor documented: the database decides, as before
    column = tinfo.table.c[target[1]]
    keys: list[Any] = []
    for value in values:
        try:
            keys.append(coerce(value, column))
        except (ValueError, TypeError):
            raise _unusable(ctx, field, choice) from None  # a value the column cannot hold names no row
    if any(k is None for k in keys):
        raise _unusable(ctx, field, choice)  # `labelIds: [null]` names nothing
    rows = ctx.kit.records.fetch_many(ctx.conn, tinfo, target[1], keys, live=True)
    for key in keys:
        row = rows.get(key)
        if row is None and key not in rows:
            row = ctx.kit.records.fetch(ctx.conn, tinfo, target[1], key, live=True)
        if row is None or any(not _same(row.get(col), value) for col, value in tenant):
            raise _unusable(ctx, field, choice)


def _tenant(ctx: Context, tinfo: TableInfo) -> list[tuple[str, Any]]:
    """(column, the caller's value) for each tenant column of the app the referenced table has."""
    p = ctx.principal
    if p is None or not isinstance(p.row, dict):
        return []
    cols = ctx.kit.model.get("scope_columns") or []
    return [(c, p.row[c]) for c in cols if c in tinfo.table.c and c in p.row]


def _same(a: Any, b: Any) -> bool:
    return a == b or (a is not None and b is not None and str(a) == str(b))


def _unusable(ctx: Context, field: str, choice: Mapping[str, Any] | None) -> ApiError:
    details = [{"field": field, "issue": "does not name a usable resource"}]
    if choice and choice.get("status") and choice.get("code"):
        return ApiError(int(choice["status"]), str(choice["code"]), str(choice.get("message") or "Resource not found"), details)
    return ctx.kit.validation_error(ctx.op, details)
