"""CRUD over the database for operations that map to a table.

list: documented pagination (offset/limit or page/limit), `sort=-createdAt,title` over an allow-list,
equality filters (comma-separated values are OR), filters through a child table, free-text search,
and the documented list envelope (`data` + `pagination`/`meta`, or a bare array).
get / create / update (PATCH: only the fields sent; PUT: the same, documented) / delete (soft delete
when the table has `deleted_at`). API names are camelCase, columns snake_case; rows of another
tenant, and (where the docs make rows personal) of another user, are invisible: 404, not 403.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from typing import Any

import sqlalchemy as sa

from .access import caller_role_for, grant_creator, scope_conditions, scope_to_memberships, visible
from .child_writes import write_children
from .context import Context, Reply
from .errors import ApiError
from .field_rules import allowed_body, fill_caller_columns, hash_secrets
from .lookups import resolve_natural_keys
from .periods import fill_periods
from .querying import Criteria, add_filters, list_statements, sort_order
from .records import Fresh, camel, request_writes, singular, snake
from .reference_checks import check_references
from .soft_cascade import soft_delete_children
from .stamps import apply_stamps
from .status_guards import check_status_guards
from .store import TableInfo, coerce, fake_column_value, insert_may_omit

TOTAL_KEYS = ("total", "totalItems", "totalCount", "count", "total_items", "total_count", "totalResults")
LIMIT_KEYS = ("limit", "pageSize", "perPage", "size", "page_size", "per_page")
OFFSET_KEYS = ("offset", "skip")
PAGE_KEYS = ("page", "currentPage", "pageNumber", "current_page")
PAGES_KEYS = ("totalPages", "pages", "pageCount", "total_pages")
MORE_KEYS = ("hasMore", "hasNext", "hasNextPage", "has_more", "has_next")
PREV_KEYS = ("hasPrev", "hasPrevious", "hasPreviousPage", "has_prev")


def table_of(ctx: Context) -> TableInfo:
    name = ctx.op.table
    info = ctx.kit.tables.get(name or "")
    if info is None:
        raise ApiError(500, "INTERNAL_ERROR", f"operation {ctx.op.id} has no table")
    return info


def not_found(ctx: Context) -> ApiError:
    return ctx.op.fail(404, "NOT_FOUND", "Resource not found")




def scoped(ctx: Context, info: TableInfo, stmt: Any) -> Any:
    """Tenant scoping (always, for a signed-in caller) and owner scoping (personal rows) on a SELECT."""
    t = info.table
    for col, value in scope_conditions(ctx, info):
        stmt = stmt.where(t.c[col] == value)
    return stmt


def check_parent(ctx: Context) -> tuple[str, Any] | None:
    """(fk column, parent key) for a nested collection (`/recipes/{recipeId}/reviews`); 404 if the parent is gone."""
    parent = ctx.op.get("parent")
    if not parent:
        return None
    pinfo = ctx.kit.tables.get(parent["table"])
    value = ctx.params.get(parent["param"])
    if pinfo is None or value is None:
        return None
    try:
        key = coerce(value, pinfo.table.c[parent["key"]])
    except (ValueError, TypeError):
        raise ctx.op.fail(404, "NOT_FOUND", "Resource not found") from None  # an ill-formed id names no parent
    conditions = [(parent["key"], key), *scope_conditions(ctx, pinfo, owner=False)]
    row = ctx.kit.records.first_where(ctx.conn, pinfo, conditions)
    if row is None:
        raise ctx.op.fail(404, "NOT_FOUND", "Resource not found")
    return parent["column"], row[parent["key"]]


def load_one(ctx: Context, info: TableInfo) -> dict[str, Any]:
    key_param = ctx.op.get("id_param")
    key_col = ctx.op.get("id_column") or (info.pk[0] if info.pk else None)
    if not key_param or key_col is None:
        raise ApiError(500, "INTERNAL_ERROR", f"operation {ctx.op.id} has no key parameter")
    try:
        key = coerce(ctx.params.get(key_param), info.table.c[key_col])
    except (ValueError, TypeError):
        raise not_found(ctx) from None
    conditions = [(key_col, key)]
    parent = check_parent(ctx)
    if parent:
        conditions.append(parent)
    row = ctx.kit.records.first_where(ctx.conn, info, conditions + scope_conditions(ctx, info))
    if row is None or not visible(ctx, row):
        raise not_found(ctx)
    return row


def check_owner(ctx: Context, info: TableInfo, row: dict[str, Any]) -> None:
    """Writes to a row with an owner column: its owner or a privileged role (moderator, admin...)."""
    p = ctx.principal
    owner = ctx.op.get("owner_column")
    if p is None or not owner or owner not in row or ctx.kit.privileged(p):
        return
    if row[owner] != p.id and str(row[owner]) != str(p.id):
        raise ctx.op.fail(403, "FORBIDDEN", "You may not change this resource")


def respond_row(ctx: Context, info: TableInfo, row: dict[str, Any], status: int | None = None, fresh: bool = False) -> Reply:
    """The row as the operation's response; `fresh`: this request has just inserted it."""
    status = status or ctx.op.success
    schema = ctx.op.get("response")
    if status == 204 or schema is None:
        return Reply(status, None, empty=True)
    # shape_many for one row too: aggregates over one child table come back from one query
    body = ctx.kit.records.shape_many(ctx.conn, info, [with_caller_role(ctx, row)], schema, ctx.op.fields or None, fresh_of(ctx) if fresh else None)[0]
    return Reply(status, body)


def fresh_of(ctx: Context) -> Fresh | None:
    """What shaping a row this request inserted may take as known (records.Fresh): the tables it wrote, and the
    caller's account row it read first."""
    written = request_writes.get()
    if written is None:
        return None
    p = ctx.principal
    pinfo = ctx.kit.tables.get(p.table) if p is not None else None
    known = ((pinfo, p.row),) if p is not None and pinfo is not None and isinstance(p.row, dict) else ()
    return Fresh(frozenset(written), known)


def with_caller_role(ctx: Context, row: dict[str, Any]) -> dict[str, Any]:
    m = ctx.op.get("membership")
    if not m or m["role_column"] in row:
        return row
    role = caller_role_for(ctx, row)
    return {**row, m["role_column"]: role} if role is not None else row


# ---------------------------------------------------------------------------------------------
# handlers
# ---------------------------------------------------------------------------------------------


def get_one(ctx: Context) -> Reply:
    info = table_of(ctx)
    return respond_row(ctx, info, load_one(ctx, info))


def list_rows(ctx: Context) -> Reply:
    info = table_of(ctx)
    lst = ctx.op.get("list") or {}
    where = Criteria()
    parent = check_parent(ctx)
    if parent:
        where.equals(*parent)
    for column, value in scope_conditions(ctx, info):
        where.equals(column, value)
    scope_to_memberships(ctx, info.table, where)
    add_filters(ctx, info, where)
    order = sort_order(ctx, info)
    limit, offset, page = paging(ctx)
    count_stmt, page_stmt = list_statements(ctx, info, where, order)
    rows = [dict(r) for r in ctx.conn.execute(page_stmt, {**where.params, "limit": limit, "offset": offset}).mappings()]
    if len(rows) < limit and (rows or offset == 0):
        total = offset + len(rows)  # a page that is not full holds the last rows: nothing left to count
    else:
        total = ctx.conn.execute(count_stmt, where.params).scalar() or 0
    item_schema = lst.get("item_schema")
    items = ctx.kit.records.shape_many(ctx.conn, info, [with_caller_role(ctx, r) for r in rows], item_schema, ctx.op.fields or None)
    facts = {"total": int(total), "limit": limit, "offset": offset, "page": page, "count": len(items)}
    return Reply(ctx.op.success, envelope(ctx, items, facts))


def envelope(ctx: Context, items: list[Any], facts: dict[str, int]) -> Any:
    s = ctx.kit.schemas
    schema = ctx.op.get("response")
    if s.kind(schema) == "array" or not schema:
        return items
    lst = ctx.op.get("list") or {}
    items_key = lst.get("items_key") or "data"
    props, required = s.properties(schema)
    out: dict[str, Any] = {}
    meta_key = lst.get("meta_key")
    for name, prop in props.items():
        if name == items_key:
            out[name] = items
        elif name == meta_key:
            mprops, mreq = s.properties(prop)
            out[name] = {k: v for k in mprops if (v := meta_value(k, facts, s.kind(mprops[k]))) is not None or k in mreq}
            for k in mreq:
                if out[name].get(k) is None and not s.nullable(mprops.get(k)):
                    out[name][k] = s.fake(mprops.get(k), k)
        else:
            value = meta_value(name, facts, s.kind(prop))
            if value is not None:
                out[name] = value
            elif name in required:
                out[name] = None if s.nullable(prop) else s.fake(prop, name)
    return out


def meta_value(key: str, f: dict[str, int], kind: str) -> Any:
    total, limit, offset = f["total"], f["limit"], f["offset"]
    if key in TOTAL_KEYS:
        return total
    if key in LIMIT_KEYS:
        return limit
    if key in OFFSET_KEYS:
        return offset
    if key in PAGE_KEYS:
        return f["page"]
    if key in PAGES_KEYS:
        return max(1, math.ceil(total / limit)) if limit else 1
    if key in MORE_KEYS:
        return offset + f["count"] < total
    if key in PREV_KEYS:
        return offset > 0
    if key in ("nextCursor", "next_cursor", "cursor"):
        return str(offset + limit) if offset + f["count"] < total else None
    return None


# Pages beyond this are empty anyway; the bound keeps OFFSET inside a 64-bit integer on every database.
MAX_PAGE = 2**31 - 1


def paging(ctx: Context) -> tuple[int, int, int]:
    pg = ctx.op.get("pagination") or {}
    default_limit = int(pg.get("default_limit") or 20)
    max_limit = int(pg.get("max_limit") or 100)
    limit = whole(ctx, pg.get("limit_param"), default_limit)
    limit = max(1, min(limit, max_limit))
    page = 1
    offset = 0
    if pg.get("page_param"):
        page = max(1, min(whole(ctx, pg["page_param"], 1), MAX_PAGE))
        offset = (page - 1) * limit
    elif pg.get("offset_param"):
        offset = max(0, min(whole(ctx, pg["offset_param"], 0), MAX_PAGE * max_limit))
        page = offset // limit + 1
    return limit, offset, page


def whole(ctx: Context, param: str | None, default: int) -> int:
    """A paging parameter as an integer. Docs sometimes type them `string` or `number`, so the request may
    carry `abc` or `1.5`: that is the documented validation error, never a crash; absent means the default."""
    raw = ctx.params.get(param) if param else None
    if raw is None or raw == "":
        return default
    try:
        value = float(raw) if not isinstance(raw, int) else raw
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ctx.kit.validation_error(ctx.op, [{"field": str(param), "issue": "must be a whole number"}])
    return int(value)


def write_values(ctx: Context, info: TableInfo, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(column values, array properties with child rows) from a request body with API names."""
    t = info.table
    values: dict[str, Any] = {}
    nested: dict[str, Any] = {}
    fields = ctx.op.fields
    for name, value in body.items():
        column = fields.get(name) or snake(name)
        if column in t.c:
            if column in info.pk and ctx.op.kind != "crud-create":
                continue
            try:
                values[column] = coerce(value, t.c[column])
            except (ValueError, TypeError):
                raise ctx.kit.validation_error(ctx.op, [{"field": name, "issue": "invalid value"}]) from None
        elif isinstance(value, list):
            nested[name] = value
    return values, nested


def create(ctx: Context) -> Reply:
    info = table_of(ctx)
    t = info.table
    body = dict(ctx.body or {})
    values, nested = write_values(ctx, info, body)
    hash_secrets(ctx, body, values)  # a staff-registered member's `password` is stored as its hash, never as sent
    parent = check_parent(ctx)
    if parent:
        values[parent[0]] = parent[1]
    # `barcode` → copy_id: a row the body names, before the caller stands in as owner and before the
    # references that follow from it (derive_references)
    resolve_natural_keys(ctx, body, values)
    p = ctx.principal
    if p is not None:
        for col in ctx.op.get("scope_columns") or []:
            if col in t.c and col in p.row:
                values[col] = p.row[col]
        owner = ctx.op.get("owner_column")
        # the caller owns the new row only as a row of the table the owner column references: a librarian
        # placing a hold is no member (holds.member_id → members), a member is
        if owner and owner not in values and info.fks.get(owner, (p.table, ""))[0] == p.table:
            values[owner] = p.id
    fill_caller_columns(ctx, info, body, values)  # "defaults to caller", checked_out_by; 403 for a "staff only" field
    check_references(ctx, info, body, values, nested)  # another tenant's row, or a missing one the docs name (reference_checks.py)
    derive_references(ctx, info, values)
    missing = [c.name for c in t.c if c.name in info.fks and c.name not in values and not insert_may_omit(c)]
    if missing:
        # a required reference nobody sent nor implied: the client must name it (never a guessed or generated id,
        # which would attach the row to someone else's or fail as a foreign key error)
        names = {column: name for name, column in ctx.op.fields.items()}
        raise ctx.kit.validation_error(ctx.op, [{"field": names.get(c, camel(c)), "issue": "required"} for c in missing])
    if "slug" in t.c and "slug" not in values:
        source = next((values[c] for c in ("name", "title") if isinstance(values.get(c), str)), "")
        values["slug"] = slugify(source, t.c["slug"])
    apply_stamps(ctx, info, values)
    fill_periods(ctx, info, values)  # the docs' periods: loans.due_at = now + the loan period (periods.py)
    check_status_guards(ctx, values)  # "Cannot add tasks to an archived project": the parent's status (status_guards.py)
    for col in t.c:
        if col.name in values or insert_may_omit(col):
            continue
        if col.primary_key and col.autoincrement is True:
            continue
        if col.primary_key and isinstance(col.type, sa.Integer) and len(info.pk) == 1:
            continue
        if isinstance(col.type, sa.Integer):
            # a per-parent sequence nobody sends (tasks.number, exam_attempts.attempt_number): next value
            stmt = sa.select(sa.func.coalesce(sa.func.max(col), 0) + 1)
            if parent:
                stmt = stmt.where(t.c[parent[0]] == parent[1])
            values[col.name] = int(ctx.conn.execute(stmt).scalar() or 1)
            if parent:
                issue_from_parent_counter(ctx, info, parent, values, col.name)
            continue
        values[col.name] = fake_column_value(col)
    insert = ctx.kit.records.statement(("insert_returning", info.name), lambda: sa.insert(t).returning(*t.c))
    row = dict(ctx.conn.execute(insert, values).mappings().one())
    write_nested(ctx, info, row, nested, replace=False)
    grant_creator(ctx, row)
    return respond_row(ctx, info, row, fresh=True)


def issue_from_parent_counter(ctx: Context, info: TableInfo, parent: tuple[str, Any], values: dict[str, Any], column: str) -> None:
    """The parent's "last issued" counter, where it has one (`projects.task_seq` for tasks.number), issues the number
    and records it, as the docs' `UPDATE projects SET task_seq = task_seq + 1 … RETURNING task_seq` does (the update's
    row lock serializes concurrent creates). Never below the next free number, so a counter the sample rows left
    behind cannot hand out a taken one."""
    stmt = ctx.kit.records.statement(("parent_counter", info.name, parent[0], column), lambda: _counter_update(ctx, info, parent[0], column))
    if stmt is False:
        return  # the parent keeps no counter for this number (decided once per table and column)
    found = ctx.conn.execute(stmt, {"parent_key": parent[1], "next_free": values[column]}).scalar()
    if found is not None:
        values[column] = int(found)


def _counter_update(ctx: Context, info: TableInfo, fk: str, column: str) -> Any:
    """`UPDATE parent SET <counter> = greatest(<counter> + 1, :next_free) WHERE key = :parent_key RETURNING <counter>`,
    or False when the parent has no integer counter named after the number (`task_seq`, `number_seq`, `last_number`)."""
    target = info.fks.get(fk)
    pinfo = ctx.kit.tables.get(target[0]) if target else None
    if pinfo is None or target is None:
        return False
    pt = pinfo.table
    counter = next((c for c in (f"{singular(info.name)}_seq", f"{column}_seq", f"last_{column}") if c in pt.c), None)
    if counter is None or not isinstance(pt.c[counter].type, sa.Integer):
        return False
    bigger = sa.func.max if ctx.kit.engine.dialect.name == "sqlite" else sa.func.greatest  # SQLite's max(a, b) is scalar
    issued = bigger(sa.func.coalesce(pt.c[counter], 0) + 1, sa.bindparam("next_free"))
    return sa.update(pt).where(pt.c[target[1]] == sa.bindparam("parent_key")).values({counter: issued}).returning(pt.c[counter])


def derive_references(ctx: Context, info: TableInfo, values: dict[str, Any]) -> None:
    """A required reference nobody sent, held by a row another sent reference points to:
    bookings.workspace_id from the booked room's rooms.workspace_id."""
    t = info.table
    for col in t.c:
        if col.name in values or insert_may_omit(col):
            continue
        if col.primary_key and len(info.pk) == 1 and col.name not in info.fks:
            continue  # the new row's own key, never a parent's (`members.id` is not `branches.id`)
        for ref_col, (target, target_col) in info.fks.items():
            if ref_col == col.name or values.get(ref_col) is None or target not in ctx.kit.tables:
                continue
            row = ctx.kit.records.fetch(ctx.conn, ctx.kit.tables[target], target_col, values[ref_col], live=False)
            if row is not None and row.get(col.name) is not None:
                values[col.name] = row[col.name]
                break


def slugify(text: str, column: sa.Column[Any]) -> str:
    """A unique-enough URL slug from a name (`Berlin HQ` → `berlin-hq-3f9a1c`): slug columns are usually unique."""
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"
    suffix = uuid.uuid4().hex[:6]
    length = getattr(column.type, "length", None) or 64
    return f"{base[: max(1, length - 7)]}-{suffix}"


def write_nested(ctx: Context, info: TableInfo, row: dict[str, Any], nested: dict[str, Any], replace: bool = True) -> None:
    if not nested:
        return
    props, _ = ctx.kit.schemas.properties(ctx.op.get("request") or {})
    for name, value in nested.items():
        if name in props:
            write_children(ctx.kit.records, ctx.conn, info, row, name, props[name], value, replace)


def update(ctx: Context) -> Reply:
    info = table_of(ctx)
    t = info.table
    row = load_one(ctx, info)
    check_owner(ctx, info, row)
    check_status_guards(ctx, row)  # "Cancelled bookings cannot be modified" (status_guards.py)
    body = allowed_body(ctx, info, row)  # the docs' per-role fields (403), `currentPassword` checked, not written
    values, nested = write_values(ctx, info, body)
    hash_secrets(ctx, body, values)  # `password` → `password_hash`, hashed as registration hashes it
    for col in ctx.op.get("scope_columns") or []:
        values.pop(col, None)
    check_references(ctx, info, body, values, nested)  # another tenant's assignee or label (reference_checks.py)
    apply_stamps(ctx, info, values, row)  # completed_at when the task comes to `done` (stamps.py)
    if values:
        where = sa.and_(*[t.c[c] == row[c] for c in info.pk])
        if "updated_at" in t.c and "updated_at" not in values and t.c["updated_at"].onupdate is None:
            values["updated_at"] = dt.datetime.now(dt.UTC)
        row = dict(ctx.conn.execute(sa.update(t).where(where).values(**values).returning(*t.c)).mappings().one())
    write_nested(ctx, info, row, nested)
    return respond_row(ctx, info, row)


def delete(ctx: Context) -> Reply:
    info = table_of(ctx)
    t = info.table
    row = load_one(ctx, info)
    check_owner(ctx, info, row)
    check_status_guards(ctx, row)  # "Only archived projects can be deleted" (status_guards.py)
    where = sa.and_(*[t.c[c] == row[c] for c in info.pk])
    if info.soft_delete:
        when = dt.datetime.now(dt.UTC)
        ctx.conn.execute(sa.update(t).where(where).values({info.soft_delete: when}))
        soft_delete_children(ctx, info, [row], when)  # a project's tasks go with it (soft_cascade.py)
    else:
        ctx.conn.execute(sa.delete(t).where(where))
    if ctx.op.success == 204 or ctx.op.get("response") is None:
        return Reply(ctx.op.success, None, empty=True)
    return respond_row(ctx, info, row)


HANDLERS = {"crud-list": list_rows, "crud-get": get_one, "crud-create": create, "crud-update": update, "crud-delete": delete}

