"""Which request fields the caller's role may send, and fields that are secrets (hashed, never stored as sent).

The docs may state per role what a body may carry ("Auth: member (self: `email`, `phone`, `password` with
`currentPassword`) or librarian/admin (all fields plus `status`)"); the app model holds it as the operation's
`field_roles` (roundtrip.emit.app_field_roles). Here, for one request:
- a caller whose role has a list and who sends a field outside it gets the documented 403;
- a role whose lists all say "self:" may change only its own account row (403 otherwise);
- "`password` with `currentPassword`": a `password` without `currentPassword` is a validation error (the
  request is incomplete; the client can fix it), a `currentPassword` that does not match the stored hash is
  the documented 403 (the caller is signed in, so not a 401: the credential in use is fine, this change is not
  allowed);
- the companion (`currentPassword`) is checked, never written; a secret field (`password`) is hashed into its
  column the way registration hashes it.
A role the docs name without a list (and an unauthenticated call) is not restricted here.

A field table may instead say who may send one field ("| memberId | integer | staff only | defaults to caller |"):
an "only" group ({"roles": [...], "fields": [...], "only": true}). A caller of another role who sends such a field
gets the same 403, unless the value is what the app fills for that caller anyway (a member naming their own
memberId). What the app fills on create: the caller's id into the owner column and the operation's
`caller_columns` ("defaults to caller", `checked_out_by`) that reference the caller's account table and that
neither the body nor a natural-key lookup set (roundtrip.emit.app_field_roles decides which columns those are).
"""

from __future__ import annotations

from typing import Any

from .context import Context
from .records import snake
from .store import TableInfo


def allowed_body(ctx: Context, info: TableInfo, row: dict[str, Any]) -> dict[str, Any]:
    """The request body to write to `row`, after the per-role checks (raises the documented errors);
    companion fields such as `currentPassword` are left out."""
    body = dict(ctx.body or {})
    check_senders(ctx, info, body, caller_fills(ctx, info))
    groups = [g for g in ctx.op.get("field_roles") or [] if not g.get("only")]
    companions = {r["with"] for g in groups for r in g.get("requires") or []}
    p = ctx.principal
    mine = [g for g in groups if p is not None and p.has_role(tuple(g.get("roles") or ()))]
    if mine:
        if all(g.get("self") for g in mine) and not own_row(ctx, info, row):
            raise ctx.op.fail(403, "FORBIDDEN", "You may change only your own record")
        allowed = {name for g in mine for name in g.get("fields") or ()}
        stray = [name for name in body if name not in allowed]
        if stray:
            details = [{"field": name, "issue": "your role may not change this field"} for name in stray]
            raise ctx.op.fail(403, "FORBIDDEN", "Your role may not change " + ", ".join(stray), details)
        for req in requirements(mine, body):
            check_companion(ctx, row, req, body)
    return {name: value for name, value in body.items() if name not in companions}


def requirements(mine: list[dict[str, Any]], body: dict[str, Any]) -> list[dict[str, Any]]:
    """The companion rules that bind this caller: the field was sent, and no list of the caller's lets them
    send it without its companion (a librarian sets a member's password without knowing the old one)."""
    out: list[dict[str, Any]] = []
    for g in mine:
        for req in g.get("requires") or []:
            name = req["field"]
            free = any(name in (h.get("fields") or ()) and not any(r["field"] == name for r in h.get("requires") or []) for h in mine)
            if name in body and not free and req not in out:
                out.append(req)
    return out


def check_companion(ctx: Context, row: dict[str, Any], req: dict[str, Any], body: dict[str, Any]) -> None:
    value = body.get(req["with"])
    if value is None or value == "":
        raise ctx.kit.validation_error(ctx.op, [{"field": req["with"], "issue": f"required with {req['field']}"}])
    column = req.get("verify_column")
    if column and not (isinstance(value, str) and ctx.kit.passwords.verify(value, row.get(column))):
        raise ctx.op.fail(403, "FORBIDDEN", f"{req['with']} does not match")


def own_row(ctx: Context, info: TableInfo, row: dict[str, Any]) -> bool:
    """Whether `row` is the caller's own account row."""
    p = ctx.principal
    if p is None or p.table != info.name or len(info.pk) != 1:
        return False
    return str(row.get(info.pk[0])) == str(p.id)


def hash_secrets(ctx: Context, body: dict[str, Any], values: dict[str, Any]) -> None:
    """`password` → its hash in `password_hash` (replacing whatever a plain mapping of the name put there)."""
    for name, column in (ctx.op.get("secret_fields") or {}).items():
        if isinstance(body.get(name), str):
            values[column] = ctx.kit.passwords.hash(body[name])


def caller_fills(ctx: Context, info: TableInfo) -> dict[str, Any]:
    """column → the caller's id, for each column the app fills with it: the owner column and the caller columns
    that reference the caller's own account table (a librarian is no member: holds.member_id is not theirs)."""
    p = ctx.principal
    if p is None:
        return {}
    columns = [ctx.op.get("owner_column"), *(ctx.op.get("caller_columns") or [])]
    return {c: p.id for c in columns if c and c in info.table.c and info.fks.get(c, (p.table, ""))[0] == p.table}


def check_senders(ctx: Context, info: TableInfo, body: dict[str, Any], fills: dict[str, Any]) -> None:
    """403 for a field that only other roles may send ("staff only"), unless it carries what the app would fill."""
    p = ctx.principal
    stray: list[str] = []
    for g in ctx.op.get("field_roles") or []:
        if not g.get("only") or (p is not None and p.has_role(tuple(g.get("roles") or ()))):
            continue
        for name in g.get("fields") or ():
            if name not in body or name in stray:
                continue
            column = ctx.op.fields.get(name) or snake(name)
            if column in fills and str(body[name]) == str(fills[column]):
                continue  # a member naming themself: what the app fills for them anyway
            stray.append(name)
    if stray:
        details = [{"field": name, "issue": "your role may not send this field"} for name in stray]
        raise ctx.op.fail(403, "FORBIDDEN", "Your role may not send " + ", ".join(stray), details)


def fill_caller_columns(ctx: Context, info: TableInfo, body: dict[str, Any], values: dict[str, Any]) -> None:
    """On create, after the body, the parent and natural-key lookups set what they name: the per-role checks of
    "only" fields (403), then the caller's id into each caller column still unset."""
    fills = caller_fills(ctx, info)
    check_senders(ctx, info, body, fills)
    for column, value in fills.items():
        values.setdefault(column, value)
