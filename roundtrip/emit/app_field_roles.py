"""Per-role request fields and secret fields of one operation, for the app model (appkit.field_rules enforces them).

The docs may state, per role, which body fields that role may send ("Auth: member (self: `email`, `phone`,
`password` with `currentPassword`) or librarian/admin (all fields plus `status`)"; ir.RoleFields). That
becomes, on the operation:

    "field_roles": [{"roles": ["member"], "fields": [...], "self": true,
                     "requires": [{"field": "password", "with": "currentPassword", "verify_column": "password_hash"}]},
                    {"roles": ["librarian", "admin"], "fields": [...]}]

`verify_column` is set where the accompanied field is the account table's password: the companion is then the
current password, checked against the stored hash. Independently of roles, a create or update of an account
row whose body carries the account's password field names it in "secret_fields" ({"password": "password_hash"}): the value is
hashed, as registration hashes it, never stored as sent.
"""

from __future__ import annotations

from typing import Any

from roundtrip.ir import Kind, Spec


def field_roles_model(spec: Spec, op: dict[str, Any], accounts: dict[str, Any]) -> dict[str, Any]:
    """The keys to add to one operation's model: `field_roles` and `secret_fields`, when they apply."""
    ep = spec.endpoint(op["method"], op["path"])
    body = ep.request if ep is not None else None
    if body is None or body.type is None:
        return {}
    names = _body_names(spec, body.type)
    account = accounts.get(op.get("table") or "") or {}
    pw_field, pw_column = account.get("password_field"), account.get("password_column")
    out: dict[str, Any] = {}
    if pw_field and pw_column and pw_field in names and op.get("kind") in ("crud-create", "crud-update"):
        out["secret_fields"] = {pw_field: pw_column}
    groups = []
    for rf in body.role_fields:
        group: dict[str, Any] = {"roles": list(rf.roles), "fields": list(rf.fields)}
        if rf.self_only:
            group["self"] = True
        if rf.requires:
            group["requires"] = [
                {"field": first, "with": second, "verify_column": pw_column if first == pw_field and pw_column else None}
                for first, second in rf.requires
            ]
        groups.append(group)
    if groups:
        out["field_roles"] = groups
    return out


def _body_names(spec: Spec, t: Any) -> set[str]:
    if t.kind is Kind.REF and t.ref and not t.args:
        s = spec.schema(t.ref)
        t = s.type if s is not None else t
    return {f.name for f in t.fields} if t.kind is Kind.OBJECT else set()
