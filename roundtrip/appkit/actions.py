"""Operations no table CRUD covers: the rows their path names first, then the documented answer.

`example` is the handler of every `kind: example` operation (api_model.json):
1. lookups: each path id that names a table row (`/bookings/{id}/cancel` → bookings.id) is loaded with
   the same tenant, owner and membership scoping as CRUD; a missing, ill-formed or invisible id is the
   documented 404, answered before anything else;
2. action: where the docs name the endpoint after a status value (`cancel` → status `cancelled`), the
   status is set (with its `<value>_at` / `<value>_by` columns); a row already in that state is the
   documented 409. Updates the response text states (`renew`: a new `dueAt` = now + the loan period, an
   incremented `renewalCount`) are applied in the same statement, after the documented refusals: a row no
   longer in its created state (409 `LOAN_NOT_ACTIVE`), a counter at its maximum (422 `RENEWAL_LIMIT_REACHED`);
3. the answer: a loaded row shaped by the response schema when the schema describes that table; else
   the docs' example (`Prefer: code=409` picks another documented status); else data generated from the
   schema, starting from the docs' sample rows and the request's own ids so it looks like a real answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from .access import visible
from .context import Context, Reply
from .errors import ApiError
from .periods import period_end
from .records import singular, snake
from .store import TableInfo, coerce, stored_value

# A response schema "describes" a table when at least this share of its properties are the table's columns.
DESCRIBES_SHARE = 0.5


def load_lookups(ctx: Context) -> dict[str, dict[str, Any]]:
    """{param: row} for the operation's path lookups; 404 for an id that names no visible row."""
    rows: dict[str, dict[str, Any]] = {}
    for lookup in ctx.op.get("lookups") or []:
        info = ctx.kit.tables.get(lookup["table"])
        if info is None:
            continue
        rows[lookup["param"]] = load_row(ctx, info, lookup)
    return rows


def load_row(ctx: Context, info: TableInfo, lookup: dict[str, Any]) -> dict[str, Any]:
    t = info.table
    try:
        key = coerce(ctx.params.get(lookup["param"]), t.c[lookup["column"]])
    except (ValueError, TypeError):
        raise missing(ctx) from None  # an ill-formed id names nothing
    stmt = sa.select(t).where(t.c[lookup["column"]] == key).where(info.live())
    p = ctx.principal
    if p is not None:
        for col in lookup.get("scope_columns") or []:
            if col in t.c and col in p.row:
                stmt = stmt.where(t.c[col] == p.row[col])
        owner = lookup.get("owner_scope")
        if owner and owner in t.c and not ctx.kit.privileged(p):
            stmt = stmt.where(t.c[owner] == p.id)
    row = ctx.conn.execute(stmt.limit(1)).mappings().first()
    if row is None or (info.name == ctx.op.table and not visible(ctx, dict(row))):
        raise missing(ctx)
    found = dict(row)
    owner = lookup.get("owner_column")
    if (
        p is not None
        and owner
        and owner in found
        and not ctx.kit.privileged(p)
        and str(found[owner]) != str(p.id)
    ):
        # someone else's row: 403 where the docs document it, else it does not exist for this caller
        raise (
            ctx.op.fail(403, "FORBIDDEN", "You may not change this resource")
            if ctx.op.documents(403)
            else missing(ctx)
        )
    return found


def missing(ctx: Context) -> ApiError:
    return ctx.op.fail(404, "NOT_FOUND", "Resource not found")


def apply_action(ctx: Context, rows: dict[str, dict[str, Any]]) -> tuple[TableInfo, dict[str, Any]] | None:
    """Set the status the endpoint is named after and apply the updates its response text states (a renewal's
    new due date and incremented count), in the request's transaction; (table, updated row), or None when
    there is no action."""
    action = ctx.op.get("action")
    if not action or action["param"] not in rows or action["table"] not in ctx.kit.tables:
        return None
    info = ctx.kit.tables[action["table"]]
    t = info.table
    row = rows[action["param"]]
    refuse(action, row)
    values: dict[str, Any] = {}
    column, value = action.get("column"), action.get("value")
    if column:
        if str(stored_value(row.get(column))) == value:
            raise ctx.op.fail(409, "CONFLICT", f"Already {value}")
        values[column] = coerce(value, t.c[column])
    stamp = action.get("stamp")
    now = dt.datetime.now(dt.UTC)
    if stamp and stamp in t.c:
        values[stamp] = now
    actor = action.get("actor")
    if actor and actor in t.c and ctx.principal is not None:
        values[actor] = ctx.principal.id
    values.update(updates(ctx, info, action, row))
    # body fields that are columns of the row (a cancellation `reason`), never its key or status
    for name, v in dict(ctx.body or {}).items() if isinstance(ctx.body, dict) else ():
        col = snake(name)
        if col in t.c and col not in values and col not in info.pk:
            try:
                values[col] = coerce(v, t.c[col])
            except (ValueError, TypeError):
                raise ctx.kit.validation_error(ctx.op, [{"field": name, "issue": "invalid value"}]) from None
    if "updated_at" in t.c and "updated_at" not in values and t.c["updated_at"].onupdate is None:
        values["updated_at"] = now
    where = sa.and_(*[t.c[c] == row[c] for c in info.pk])
    for limit in action.get("limits") or []:
        # the same maximum in the statement: a concurrent renewal that got there first leaves no row to update
        step = next((u["add"] for u in action.get("updates") or [] if u["column"] == limit["column"]), 0)
        if limit["column"] in t.c:
            where = sa.and_(where, sa.func.coalesce(t.c[limit["column"]], 0) + step <= limit["max"])
    found = ctx.conn.execute(sa.update(t).where(where).values(**values).returning(*t.c)).mappings().first()
    if found is None:
        limit = (action.get("limits") or [{}])[0]
        raise ApiError(int(limit.get("status") or 409), str(limit.get("code") or "CONFLICT"),
                       str(limit.get("message") or "Changed by another request"))
    updated = dict(found)
    rows[action["param"]] = updated
    return info, updated


def refuse(action: dict[str, Any], row: dict[str, Any]) -> None:
    """The documented error when the row is not in the state the action needs (a loan no longer `active`), or a
    counter the action increments is at its documented maximum (two renewals already)."""
    require = action.get("require")
    if require and str(stored_value(row.get(require["column"]))) != require["value"]:
        raise ApiError(int(require["status"]), require["code"], require["message"])
    steps = {u["column"]: u["add"] for u in action.get("updates") or [] if "add" in u}
    for limit in action.get("limits") or []:
        current = row.get(limit["column"]) or 0
        if current + steps.get(limit["column"], 0) > limit["max"]:
            raise ApiError(int(limit["status"]), limit["code"], limit["message"])


def updates(ctx: Context, info: TableInfo, action: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """Column values the response text states: now (or the column's own value) plus the entity's period, with the
    duration the create would pick (appkit.periods); a counter plus one, computed by the database."""
    t = info.table
    out: dict[str, Any] = {}
    for u in action.get("updates") or []:
        column = u["column"]
        if column not in t.c:
            continue
        if "add" in u:
            out[column] = sa.func.coalesce(t.c[column], 0) + int(u["add"])
        elif "period" in u:
            end = period_end(ctx, info, u["period"], row)
            if end is None:  # extended from an empty value: from now
                end = period_end(ctx, info, {**u["period"], "anchor": None}, row)
            out[column] = end
    return out


def describes(ctx: Context, schema: Any, info: TableInfo) -> bool:
    """The response schema is a view of this table: linked to it by the docs, or mostly its columns."""
    if ctx.kit.schema_table(schema) == info.name:
        return True
    props, _ = ctx.kit.schemas.properties(schema)
    if not props or ctx.kit.schemas.kind(schema) != "object":
        return False
    fields = ctx.kit.schema_fields(schema)
    hits = sum(1 for name in props if (fields.get(name) or snake(name)) in info.table.c)
    return hits >= max(2, DESCRIBES_SHARE * len(props))


def example(ctx: Context) -> Reply:
    rows = load_lookups(ctx)
    responses: dict[str, Any] = ctx.op.get("responses") or {}
    status = str(ctx.op.success)
    prefer = ctx.request.headers.get("prefer", "")
    for part in prefer.split(","):
        key, _, value = part.strip().partition("=")
        if key.strip() == "code" and value.strip() in responses:
            status = value.strip()
    entry = responses.get(status) or {}
    code = int(status)
    if code >= 400:
        ex = entry.get("example")
        err_code = ctx.kit.envelope.code_of(ex) if ex is not None else None
        doc_code, message = ctx.op.error(code, err_code or "ERROR", "Example error")
        raise ApiError(code, err_code or doc_code, message)
    acted = apply_action(ctx, rows)  # after a `Prefer`red error: that answer changes nothing
    schema = entry.get("schema")
    if schema is None or code in (204, 304):
        return Reply(code, None, empty=True)
    candidates = [acted] if acted else []
    candidates += [
        (ctx.kit.tables[lk["table"]], rows[lk["param"]])
        for lk in ctx.op.get("lookups") or []
        if lk["param"] in rows
    ]
    for info, row in candidates:
        if describes(ctx, schema, info):
            return Reply(code, ctx.kit.records.shape(ctx.conn, info, row, schema))
    if "example" in entry:
        return Reply(code, entry["example"])
    return Reply(code, generated(ctx, schema, rows))


def generated(ctx: Context, schema: Any, rows: dict[str, dict[str, Any]]) -> Any:
    """An answer without an example: the schema filled from a docs' sample row of the table it describes,
    the ids the request named (`roomId` of `/rooms/{id}/...`), the request's own parameters, and values
    typed by column, format and field name for the rest."""
    s = ctx.kit.schemas
    if s.kind(schema) != "object":
        return s.fake(schema)
    table = ctx.kit.schema_table(schema) or ctx.op.table
    info = ctx.kit.tables.get(table or "")
    base: dict[str, Any] = {}
    samples = (ctx.kit.model.get("samples") or {}).get(info.name if info else "") or []
    if samples and info is not None:
        base.update(typed_row(info, samples[0]))
    for lookup in ctx.op.get("lookups") or []:
        row = rows.get(lookup["param"])
        if row is not None:
            base[singular(lookup["table"]) + "_id"] = row[lookup["column"]]
    for name, value in ctx.params.items():
        if value is not None and not isinstance(value, (list, dict)):
            base.setdefault(snake(name), value)
    view = info if info is not None and describes(ctx, schema, info) else None
    return ctx.kit.records.shape(ctx.conn, view, base, schema)


def typed_row(info: TableInfo, sample: dict[str, Any]) -> dict[str, Any]:
    """A sample row's values as the column types bind them (a `2025-02-10 09:12:44+00` text becomes a timestamp)."""
    out: dict[str, Any] = {}
    for key, value in sample.items():
        if key not in info.table.c:
            continue
        try:
            out[key] = coerce(value, info.table.c[key])
        except (ValueError, TypeError):
            out[key] = value
    return out
