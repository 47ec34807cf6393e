"""Who may do what: the caller's role from their account, or from a membership row.

Docs state roles two ways: on the account (`users.role`: member/moderator/admin) or per resource
through a join table (`workspace_members(workspace_id, user_id, role)`). For the second kind the
caller's role is the role in the membership row of the resource the path names; a caller with no
membership row does not see the resource at all (404 where documented, else 403), and lists only
show resources the caller is a member of.

A path id the docs let the caller name by a word (`GET /members/me/fines`: "`me` is accepted as
`{memberId}`") is replaced by the caller's own id before anything looks at it, when the caller's
account lives in the table the parameter names; anyone else's `me` names no row (404).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .context import Context
from .querying import Criteria
from .store import TableInfo, coerce


def membership_role(ctx: Context, resource_key: Any) -> str | None:
    m = ctx.op.get("membership")
    p = ctx.principal
    if not m or p is None or resource_key is None or m["table"] not in ctx.kit.tables:
        return None
    t = ctx.kit.tables[m["table"]].table
    try:
        key = coerce(resource_key, t.c[m["scope_column"]])
    except (ValueError, TypeError):
        return None
    stmt = sa.select(t.c[m["role_column"]]).where(t.c[m["scope_column"]] == key).where(t.c[m["user_column"]] == p.id).limit(1)
    role = ctx.conn.execute(stmt).scalar()
    return str(role) if role is not None else None


def resource_key(ctx: Context) -> Any:
    """The key of the resource whose membership decides: a path parameter, or the body's reference."""
    m = ctx.op.get("membership") or {}
    if m.get("param"):
        return ctx.params.get(m["param"])
    col = m.get("row_column")
    if not col or not isinstance(ctx.body, dict):
        return None
    for name, value in ctx.body.items():
        if name == col or _snake(name) == col:
            return value
    # through another reference the body carries: a booking's room belongs to the workspace
    info = ctx.kit.tables.get(ctx.op.table or "")
    for name, value in ctx.body.items():
        ref = (info.fks.get(_snake(name)) if info else None) or None
        if ref is None or value is None or ref[0] not in ctx.kit.tables:
            continue
        row = ctx.kit.records.fetch(ctx.conn, ctx.kit.tables[ref[0]], ref[1], value, live=False)
        if row is not None and row.get(col) is not None:
            return row[col]
    return None


def visible(ctx: Context, row: dict[str, Any]) -> bool:
    """A row of a table inside a membership resource (a booking in a workspace) is visible to members only."""
    m = ctx.op.get("membership") or {}
    p = ctx.principal
    col = m.get("row_column")
    if not col or p is None or ctx.kit.privileged(p) or row.get(col) is None:
        return True
    return membership_role(ctx, row[col]) is not None


def param_table(ctx: Context, param: str) -> str | None:
    """The table whose key a path parameter carries: the parent's, the operation's own, or a lookup's."""
    op = ctx.op
    parent = op.get("parent") or {}
    if parent.get("param") == param:
        return str(parent.get("table"))
    if op.get("id_param") == param:
        return op.table
    lookup = next((lk for lk in op.get("lookups") or [] if lk.get("param") == param), None)
    if lookup is not None:
        return str(lookup.get("table"))
    return next((name for name in ctx.kit.tables if f"{_singular(name)}_id" == _snake(param)), None)


def resolve_path_aliases(ctx: Context) -> None:
    """`me` in a path → the signed-in caller's id, when the parameter names the caller's own table."""
    p = ctx.principal
    for param, words in (ctx.op.get("path_aliases") or {}).items():
        value = ctx.params.get(param)
        if not isinstance(value, str) or words.get(value) != "caller":
            continue
        if p is not None and param_table(ctx, param) == p.table:
            ctx.params[param] = p.id


def check_roles(ctx: Context) -> None:
    """403 when the docs' roles for this operation exclude the caller (account role or membership role)."""
    resolve_path_aliases(ctx)  # every later look at the path sees the caller's id, not the word
    p = ctx.principal
    op = ctx.op
    if p is None or not op.auth_required:
        return
    m = op.get("membership")
    key = resource_key(ctx) if m else None
    if m and key is not None:
        role = membership_role(ctx, key)
        if role is None and not ctx.kit.privileged(p):
            if m.get("param") and op.documents(404):
                raise op.fail(404, "NOT_FOUND", "Resource not found")
            raise op.fail(403, "FORBIDDEN", "You are not a member of this resource")
        if role is not None:
            p.claims["membership_role"] = role
        if not op.roles or p.has_role(op.roles) or role in op.roles or role == m.get("creator_role"):
            return
        raise op.fail(403, "FORBIDDEN", "Your role does not allow this action")
    if not op.roles or p.has_role(op.roles):
        return
    account_roles = (ctx.kit.model.get("accounts") or {}).get(p.table, {}).get("roles") or []
    if not account_roles and m:
        return  # roles live in memberships and this call names no resource: nothing to check against
    raise op.fail(403, "FORBIDDEN", "Your role does not allow this action")


def scope_to_memberships(ctx: Context, table: sa.Table, where: Criteria) -> None:
    """Lists of a membership resource show only what the caller is a member of."""
    m = ctx.op.get("membership") or {}
    p = ctx.principal
    if not (m.get("scope_list") or m.get("row_column")) or p is None or ctx.kit.privileged(p) or m["table"] not in ctx.kit.tables:
        return
    mt = ctx.kit.tables[m["table"]].table
    column = m["row_column"] if m.get("row_column") else next(iter(table.primary_key.columns)).name
    scope, user = m["scope_column"], m["user_column"]
    where.add(("member", mt.name, scope, user, column), lambda t, v: t.c[column].in_(sa.select(mt.c[scope]).where(mt.c[user] == v)), p.id)


def grant_creator(ctx: Context, row: dict[str, Any]) -> None:
    """Whoever creates a membership resource (a workspace) becomes its member with the strongest role."""
    m = ctx.op.get("membership") or {}
    p = ctx.principal
    if not m.get("grant_creator") or p is None or m["table"] not in ctx.kit.tables:
        return
    info = ctx.kit.tables[m["table"]]
    target = ctx.kit.tables[ctx.op.table or ""]
    key = row[target.pk[0]] if target.pk else None
    values = {m["scope_column"]: key, m["user_column"]: p.id, m["role_column"]: m.get("creator_role") or "admin"}
    ctx.conn.execute(sa.insert(info.table).values(**values))


def caller_role_for(ctx: Context, row: dict[str, Any]) -> str | None:
    """The caller's membership role in a row of the membership resource (for a documented `role` field)."""
    m = ctx.op.get("membership") or {}
    target = ctx.kit.tables.get(ctx.op.table or "")
    if not m or target is None or not target.pk or m.get("row_column") or (m.get("param") and ctx.op.get("parent")):
        return None
    return membership_role(ctx, row.get(target.pk[0]))


def _snake(name: str) -> str:
    from .records import snake

    return snake(name)


def _singular(name: str) -> str:
    from .records import singular

    return singular(name)

def scope_conditions(ctx: Context, info: TableInfo, owner: bool = True) -> list[tuple[str, Any]]:
    """(column, value) pairs a signed-in caller's reads are limited to: tenant scoping (always) and owner
    scoping (personal rows, unless the caller's role is privileged)."""
    p = ctx.principal
    if p is None:
        return []
    t = info.table
    out = [(col, p.row[col]) for col in ctx.op.get("scope_columns") or [] if col in t.c and col in p.row]
    owner_col = ctx.op.get("owner_scope") if owner else None
    if owner_col and owner_col in t.c and not ctx.kit.privileged(p):
        out.append((owner_col, p.id))
    return out
