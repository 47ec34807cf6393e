"""Create-or-replace of the row two path ids name: `PUT /attempts/{attemptId}/answers/{questionId}`.

The generator (emit.app_upserts) recognises a PUT whose last two ids name the child's foreign keys (answers →
exam_attempts, answers → questions). Such a PUT has no row key of its own: it saves "the answer of this
attempt to this question". Here:
- the parent the first id names must exist and be the caller's (tenant scope, and owner scope where the app's
  GET of the parent keeps its rows personal): otherwise 404, as a GET of someone else's row answers;
- the row the second id names must exist (and share the parent's own parent where both have one: a question
  of the attempt's exam): otherwise 404;
- the child row with those two keys is replaced (the fields sent) when present, else created as a nested
  create creates it (crud.create), answering 201 where the docs document it, else their success status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from . import crud
from .access import scope_conditions
from .context import Context, Reply
from .field_rules import allowed_body, hash_secrets
from .store import TableInfo, coerce


def _found(ctx: Context, table: str, key_column: str, raw: Any, scope: list[str], owner: str | None = None) -> dict[str, Any]:
    """The row of `table` whose `key_column` is the path value, within the caller's tenant (and their own rows,
    `owner`, unless privileged); 404 otherwise."""
    info = ctx.kit.tables.get(table)
    if info is None or raw is None:
        raise crud.not_found(ctx)
    try:
        key = coerce(raw, info.table.c[key_column])
    except (ValueError, TypeError):
        raise crud.not_found(ctx) from None  # an ill-formed id names no row
    p = ctx.principal
    conditions: list[tuple[str, Any]] = [(key_column, key)]
    if p is not None:
        conditions += [(c, p.row[c]) for c in scope if c in info.table.c and c in p.row]
        if owner and owner in info.table.c and not ctx.kit.privileged(p):
            conditions.append((owner, p.id))
    row = ctx.kit.records.first_where(ctx.conn, info, conditions)
    if row is None:
        raise crud.not_found(ctx)
    return row


def _replace(ctx: Context, info: TableInfo, row: dict[str, Any], keys: dict[str, Any]) -> dict[str, Any]:
    """The fields sent written over the existing row (as crud.update writes them); its two keys stay."""
    t = info.table
    crud.check_owner(ctx, info, row)
    body = allowed_body(ctx, info, row)
    values, nested = crud.write_values(ctx, info, body)
    hash_secrets(ctx, body, values)
    for col in [*(ctx.op.get("scope_columns") or []), *keys]:
        values.pop(col, None)
    if values:
        if "updated_at" in t.c and "updated_at" not in values and t.c["updated_at"].onupdate is None:
            values["updated_at"] = dt.datetime.now(dt.UTC)
        where = sa.and_(*[t.c[c] == row[c] for c in info.pk]) if info.pk else sa.and_(*[t.c[c] == v for c, v in keys.items()])
        row = dict(ctx.conn.execute(sa.update(t).where(where).values(**values).returning(*t.c)).mappings().one())
    crud.write_nested(ctx, info, row, nested)
    return row


def upsert(ctx: Context) -> Reply:
    info = crud.table_of(ctx)
    parent, spec = ctx.op.get("parent") or {}, ctx.op.get("upsert") or {}
    if not parent or not spec:
        raise crud.not_found(ctx)
    owner_row = _found(ctx, parent["table"], parent["key"], ctx.params.get(parent["param"]), spec.get("parent_scope_columns") or [], spec.get("parent_owner_scope"))
    other = _found(ctx, spec["table"], spec["key"], ctx.params.get(spec["param"]), spec.get("scope_columns") or [])
    for a_col, b_col in spec.get("same_parent") or []:
        if owner_row.get(a_col) != other.get(b_col) and str(owner_row.get(a_col)) != str(other.get(b_col)):
            raise crud.not_found(ctx)  # a question of another exam is not a question of this attempt
    keys = {parent["column"]: owner_row[parent["key"]], spec["column"]: other[spec["key"]]}
    conditions = [*keys.items(), *scope_conditions(ctx, info)]
    row = ctx.kit.records.first_where(ctx.conn, info, conditions)
    if row is not None:
        return crud.respond_row(ctx, info, _replace(ctx, info, row, keys))
    # create as a nested create does: the parent fills its column (crud.check_parent); the second key travels
    # as the body field that names it, so the generated insert fills and checks everything else
    names = {column: name for name, column in ctx.op.fields.items()}
    body = dict(ctx.body) if isinstance(ctx.body, dict) else {}
    body[names.get(spec["column"], spec["column"])] = keys[spec["column"]]
    ctx.body = body
    reply = crud.create(ctx)
    created = 201 if "201" in ctx.op.get("statuses", []) else reply.status
    return Reply(created, reply.body, reply.headers, reply.empty)


HANDLERS = {"crud-upsert": upsert}
