"""Tenant scope, read from the data model: which rows a fresh account can see at all.

A documented 403 ("your role may not", "not the owner") presumes the caller can see the row. In a
multi-tenant data model a fresh account verify registers lives in its own tenant (or in no
workspace), where the docs' sample rows are outside its scope; a backend that hides them answers
404, and that is the documented behaviour, not a missing 403. This module says when that is the
case, from the IR's facts only (never from example names):

- tenant columns: a NOT NULL foreign key of the account table to another table (users.tenant_id →
  tenants) that the resource tables repeat. A register request that does not carry that column
  creates a new tenant, so every other tenant's rows are invisible to the new account;
- memberships: a join table with a role (workspace_members: workspace_id, user_id, role) that gives
  an account access to one resource; a fresh account has no membership row, so the resource and the
  tables that point at it are invisible.

A 403 inside the scope needs a second account of a lower role in the same tenant; `lower_role_route`
finds the documented way to create one, when the docs give any.
"""

from __future__ import annotations

from dataclasses import dataclass

from roundtrip.ir import Endpoint, Spec
from roundtrip.ir.data import Table
from roundtrip.ir.matching import principal_tables, table_for_endpoint
from roundtrip.ir.naming import snake


@dataclass(frozen=True)
class Boundary:
    """One fact that hides rows from a fresh account: a tenant column or a membership table."""

    column: str  # the scoping column on resource rows (tenant_id, workspace_id)
    resource: str  # the table it points at (tenants, workspaces)
    via: str  # "users.tenant_id" or "workspace_members"
    span: str  # the doc line of the fact


def account_table(spec: Spec, register: Endpoint | None) -> Table | None:
    """The table that holds the accounts register creates (credential columns; the one whose columns
    best match the register body when there are several)."""
    principals = principal_tables(spec.tables)
    if register is not None:
        names = _request_fields(spec, register)
        found = table_for_endpoint(register, principals, names) if principals else None
        if found is not None:
            return found
    return principals[0] if principals else None


def boundaries(spec: Spec, account: Table | None, register: Endpoint | None) -> list[Boundary]:
    if account is None:
        return []
    out: list[Boundary] = []
    carried = {snake(n) for n in _request_fields(spec, register)} if register is not None else set()
    for fk in account.foreign_keys:
        if len(fk.columns) != 1 or fk.ref_table == account.name:
            continue
        col = fk.columns[0]
        column = account.column(col)
        if column is None or column.nullable or col in carried:
            continue  # optional, or the register request names the tenant: the account can join one
        sharing = [
            t for t in spec.tables if t.name not in (account.name, fk.ref_table) and col in t.column_names
        ]
        if len(sharing) >= 2:
            out.append(
                Boundary(
                    col,
                    fk.ref_table,
                    f"{account.name}.{col}",
                    str(column.span if column.span.line else account.span),
                )
            )
    for t in spec.tables:
        if "role" not in t.column_names or t.name == account.name:
            continue
        single = [fk for fk in t.foreign_keys if len(fk.columns) == 1]
        users = [fk for fk in single if fk.ref_table == account.name]
        others = [fk for fk in single if fk.ref_table != account.name]
        if len(users) == 1 and len(others) == 1:
            out.append(Boundary(others[0].columns[0], others[0].ref_table, t.name, str(t.span)))
    return out


def outside_scope(spec: Spec, ep: Endpoint, found: list[Boundary]) -> str:
    """Why the rows `ep` acts on are invisible to a fresh account ("" when they are visible)."""
    table = table_for_endpoint(ep, spec.tables)
    if table is None:
        return ""
    for b in found:
        scoped = (
            table.name == b.resource
            or b.column in table.column_names
            or any(fk.ref_table == b.resource for fk in table.foreign_keys)
        )
        if not scoped:
            continue
        if "." in b.via:
            return (
                f"a fresh account gets a {b.resource} row of its own ({b.via} → {b.resource}, {b.span}); "
                f"{table.name} rows of any other are outside its scope, where the documented answer is 404"
            )
        rows = (
            f"{table.name} rows it is not a member of"
            if table.name == b.resource
            else f"{table.name} rows under a {b.resource} row it is not a member of"
        )
        return f"a fresh account has no {b.via} row ({b.span}); {rows} are outside its scope, where the documented answer is 404"
    return ""


def lower_role_route(spec: Spec, account: Table | None, found: list[Boundary]) -> Endpoint | None:
    """A documented, authenticated POST that adds an account (or a membership) inside the caller's
    tenant: the only way verify could build a same-tenant, lower-role caller for a 403."""
    targets = {b.via for b in found if "." not in b.via} | ({account.name} if account is not None else set())
    for ep in spec.endpoints:
        if ep.method != "POST" or ep.auth.required is False:
            continue
        table = table_for_endpoint(ep, spec.tables)
        if table is not None and table.name in targets and "{" not in ep.path.rsplit("/", 1)[-1]:
            segs = [s for s in ep.path.split("/") if s]
            if not any(s in ("auth", "register", "signup", "login") for s in segs):
                return ep
    return None


def _request_fields(spec: Spec, ep: Endpoint | None) -> list[str]:
    if ep is None or ep.request is None or ep.request.type is None:
        return []
    t = ep.request.type
    if t.ref:
        s = spec.schema(t.ref)
        t = s.type if s is not None else t
    return [f.name for f in t.fields]
