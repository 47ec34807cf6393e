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

A field table's Required cell may say who may send a field ("staff only": Field.sent_by, already the roles it names);
such fields become a group with "only": {"roles": ["librarian", "admin"], "fields": ["memberId"], "only": true}: a
caller of another role may not send them, except with the value the app fills for that caller anyway.

"caller_columns" (creates): columns the app fills with the caller's id when the request leaves them out and they
reference the caller's account table, beside the owner column the app model already names:
- a field the docs say "defaults to caller" (Field.caller_default);
- else at most one column that records who acted (`loans.checked_out_by` → staff, "staff id"): a reference to an
  account table named `*_by` / creator / author, or described as "staff id" / "created by" (its own description or
  its schema field's), and not an act that comes later (`waived_by` beside a nullable `waived_at`, `approved_by`).
  Two such columns and neither `created_by`: none (the app never guesses which one the caller is).
A natural-key lookup's column is never one of them (the row it names is not the caller).
"""

from __future__ import annotations

import re
from typing import Any

from roundtrip.emit.openapi import sender_groups
from roundtrip.ir import Field, Kind, Spec
from roundtrip.ir.data import Table
from roundtrip.ir.naming import snake


def field_roles_model(spec: Spec, op: dict[str, Any], accounts: dict[str, Any]) -> dict[str, Any]:
    """The keys to add to one operation's model: `field_roles` and `secret_fields`, when they apply."""
    ep = spec.endpoint(op["method"], op["path"])
    body = ep.request if ep is not None else None
    if body is None or body.type is None:
        return {}
    fields = _body_fields(spec, body.type)
    names = {f.name for f in fields}
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
    if op.get("kind") in ("crud-create", "crud-update"):
        groups.extend(sender_groups(fields))
    if groups:
        out["field_roles"] = groups
    table = spec.table(op.get("table") or "")
    if op.get("kind") == "crud-create" and table is not None:
        callers = caller_columns(spec, op, table, fields, accounts)
        if callers:
            out["caller_columns"] = callers
    return out


def _body_fields(spec: Spec, t: Any) -> tuple[Field, ...]:
    if t.kind is Kind.REF and t.ref and not t.args:
        s = spec.schema(t.ref)
        t = s.type if s is not None else t
    return tuple(t.fields) if t.kind is Kind.OBJECT else ()


# A column that records who acted: `checked_out_by`, `created_by_id`, `creator_id`, `author_id`
_ACTOR_NAME = re.compile(r"^(?P<stem>[a-z0-9_]+?)_by(?:_id)?$|^(?:creator|author|actor|submitter|requester|issuer)(?:_id)?$")
_ACTOR_NOTE = re.compile(
    r"\b(?:staff|employee|agent|operator)\s+(?:member\s+)?id\b|"
    r"\b(?:created|placed|issued|submitted|opened|recorded|entered|booked|requested|added|checked\s+out)\s+by\b|"
    r"\bwho\s+(?:created|placed|issued|submitted|opened|recorded|entered|booked|requested|added|checked\s+out)\b",
    re.I,
)
# Acts that happen after the row exists: the caller who creates it did not do them
_LATER = {"approved", "rejected", "reviewed", "verified", "closed", "resolved", "cancelled", "canceled", "deleted",
          "removed", "archived", "waived", "revoked", "returned", "completed", "paid", "refunded", "confirmed",
          "accepted", "declined", "processed", "handled", "acknowledged", "published", "checked_in", "signed_off"}


def caller_columns(spec: Spec, op: dict[str, Any], table: Table, fields: tuple[Field, ...],
                   accounts: dict[str, Any]) -> list[str]:
    """The columns a create fills with the caller's id (see the module docstring)."""
    mapping = op.get("fields") or {}
    looked_up = {lk["column"] for lk in op.get("natural_keys") or []}
    stated = [c for f in fields if f.caller_default and (c := mapping.get(f.name) or snake(f.name)) in table.column_names]
    owner = op.get("owner_column")
    out = [c for c in dict.fromkeys(stated) if c not in looked_up]
    if any(c != owner for c in out):
        return out  # the docs named the caller's column: no other column is taken for the caller
    notes = _schema_notes(spec, table.name)
    candidates = []
    for fk in table.foreign_keys:
        col = table.column(fk.columns[0]) if len(fk.columns) == 1 else None
        if col is None or fk.ref_table not in accounts or col.name in (owner, *looked_up) or col.primary_key or col.generated:
            continue
        m = _ACTOR_NAME.match(col.name)
        if (m or _ACTOR_NOTE.search(" ".join((col.description, notes.get(col.name, ""))))) and _acts_at_creation(
                table, m.group("stem") if m and m.group("stem") else ""):
            candidates.append(col.name)
    if len(candidates) > 1:
        candidates = [c for c in candidates if c in ("created_by", "created_by_id")]
    return out + candidates if len(candidates) == 1 else out


def _acts_at_creation(table: Table, stem: str) -> bool:
    """`checked_out_by` beside `checked_out_at NOT NULL DEFAULT now`: yes; `waived_by` beside a nullable
    `waived_at`, or `approved_by` (an act that comes later): no."""
    if not stem:
        return True
    when = next((table.column(stem + s) for s in ("_at", "_on", "_date", "_time") if table.column(stem + s) is not None), None)
    if when is not None:
        return not when.nullable or when.default is not None
    return stem not in _LATER


def _schema_notes(spec: Spec, table: str) -> dict[str, str]:
    """column → the description of the API field a schema backed by `table` maps to it (`checkedOutBy`: "staff id")."""
    out: dict[str, str] = {}
    for link in spec.links:
        if link.table != table or not link.subject.startswith("schema:"):
            continue
        schema = spec.schema(link.subject[len("schema:"):])
        if schema is None:
            continue
        for fl in link.fields:
            f = schema.field(fl.field)
            if f is not None and f.description:
                out.setdefault(fl.column, f.description)
    return out
