"""The app's operation model (app/api_model.json): what the runtime kit interprets for each operation.

Decisions made here, once, at generation time (and so visible in one JSON file and testable):
- the kind of each operation: crud-list/get/create/update/delete when a table backs it and the
  path names that table, an auth flow by its path (register, login, refresh, logout, me, forgot/reset
  password), else `example` (the docs' example, or data generated from the schema);
- the accounts: tables with a login column and a password hash, their role column and roles, the
  lockout columns, where refresh tokens are stored;
- per list: filters (equality, comma-separated OR, ranges, through a child table), search columns,
  the sort allow-list, pagination parameters and the list envelope;
- scoping: tenant columns shared by the account and the resource, owner columns, and where the docs
  make rows personal (only then are other users' rows invisible);
- the error envelope, validation status/code, documented error codes and examples per status.
"""

from __future__ import annotations

import re
from typing import Any

from roundtrip.emit.app_actions import action_model, lookups_model, samples_model
from roundtrip.emit.app_derived import derived_model
from roundtrip.emit.app_enum_values import attach_enum_values, column_values
from roundtrip.emit.app_field_roles import field_roles_model
from roundtrip.emit.app_lookups import natural_keys
from roundtrip.emit.app_periods import periods_model
from roundtrip.emit.app_reference_errors import reference_errors_model
from roundtrip.emit.app_stamps import stamps_model
from roundtrip.emit.app_status_guards import status_guards
from roundtrip.emit.app_upserts import link_parent_scopes, upsert_model
from roundtrip.emit.app_validation import operation_validation, validation_model
from roundtrip.emit.openapi_schema import resolve_schema
from roundtrip.ir import Spec
from roundtrip.ir.data import DefaultKind, Table
from roundtrip.ir.listing import sort_fields
from roundtrip.ir.naming import camel, plural, singular, snake, table_candidates

LOGIN_COLUMNS = ("email", "username", "login", "card_number", "user_name")
PASSWORD_COLUMNS = ("password_hash", "hashed_password", "password", "pin_hash", "passwd")
FAILED_COLUMNS = ("failed_login_count", "failed_login_attempts", "failed_attempts", "login_failures")
OWNER_COLUMNS = ("owner_id", "author_id", "user_id", "created_by", "creator_id", "member_id", "student_id", "reporter_id", "instructor_id")
PRIVILEGED = ("admin", "administrator", "superadmin", "super_admin", "moderator", "owner", "librarian", "manager")
SEARCH_PARAMS = ("q", "search", "query", "term", "keyword", "filter[q]")
SORT_PARAMS = ("sort", "sortBy", "sort_by", "orderBy", "order_by", "ordering")
LIMIT_PARAMS = ("limit", "pageSize", "page_size", "perPage", "per_page", "size")
OFFSET_PARAMS = ("offset", "skip")
PAGE_PARAMS = ("page", "pageNumber", "page_number")
SEARCH_COLUMNS = ("title", "name", "display_name", "full_name", "email", "description", "key", "code")
ITEMS_KEYS = ("data", "items", "results", "records", "rows", "content")
META_KEYS = ("pagination", "meta", "page", "paging", "pageInfo")
AUTH_KINDS = (
    (("register", "signup", "sign-up"), "POST", "auth-register"),
    (("login", "signin", "sign-in", "token"), "POST", "auth-login"),
    (("refresh", "token-refresh", "refresh-token"), "POST", "auth-refresh"),
    (("logout", "signout", "sign-out"), "POST", "auth-logout"),
    (("forgot-password", "password-reset-request", "request-password-reset", "forgot"), "POST", "auth-forgot-password"),
    (("reset-password", "password-reset", "reset"), "POST", "auth-reset-password"),
    (("me",), "GET", "auth-me"),
)
HTTP = ("get", "post", "put", "patch", "delete", "head", "options")


def build_model(spec: Spec, doc: dict[str, Any]) -> dict[str, Any]:
    tables = {t.name: t for t in spec.tables}
    accounts = account_tables(spec)
    primary = primary_account(spec, accounts)
    envelope = envelope_model(spec, doc)
    common = {str(e.status): {"code": e.code, "message": e.message} for e in spec.common_errors if e.code}
    validation = validation_model(spec, common)
    base = base_path(doc)
    privileged = privileged_roles(accounts)
    scope_cols = scope_columns(spec, primary)
    schema_links = {
        link.subject[len("schema:"):]: {"table": link.table, "fields": {f.field: f.column for f in link.fields}}
        for link in spec.links
        if link.subject.startswith("schema:") and link.table in tables
    }
    members = memberships(spec, accounts)
    ops: dict[str, Any] = {}
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method not in HTTP or not isinstance(op, dict):
                continue
            op_id = op.get("operationId") or f"{method}{path}"
            ops[op_id] = operation_model(spec, doc, tables, accounts, path, method.upper(), op, scope_cols, schema_links)
            ops[op_id].update(field_roles_model(spec, ops[op_id], accounts))  # per-role body fields, hashed secrets
            ops[op_id].update(reference_errors_model(spec, doc, tables, ops[op_id]))  # unusable body references
            if ops[op_id]["kind"] == "example":
                attach_lookups(ops[op_id], spec, tables, accounts, scope_cols, op)
            attach_membership(ops[op_id], members, tables)
            guards = status_guards(spec, ops[op_id], tables, column_values)  # "Only archived projects can be deleted"
            if guards:
                ops[op_id]["status_guards"] = guards
    link_parent_scopes(ops)  # an upsert's parent is as personal as the app's GET of it keeps it
    return {
        "x-generated-by": "roundtrip",
        "info": {k: doc.get("info", {}).get(k, "") for k in ("title", "version", "description")},
        "base_path": base,
        "envelope": envelope,
        "validation": validation,
        "common_errors": common,
        "accounts": accounts,
        "primary_account": primary,
        "privileged_roles": privileged,
        "scope_columns": scope_cols,
        "refresh_store": refresh_store(spec, accounts),
        "lockout": {"attempts": spec.convention("auth.lockout_attempts") or 0, "seconds": spec.convention("auth.lockout_seconds") or 900},
        "schema_links": schema_links,
        "samples": samples_model(spec, PASSWORD_COLUMNS),
        "derived": derived_model(spec, doc, PASSWORD_COLUMNS),
        "operations": ops,
        "openapi_extra": {
            "securitySchemes": doc.get("components", {}).get("securitySchemes", {}),
            "tags": doc.get("tags", []),
        },
        "schemas": doc.get("components", {}).get("schemas", {}),
    }


def base_path(doc: dict[str, Any]) -> str:
    """The path part of the first server URL (`/api/v1`), where the app mounts its routes."""
    servers = doc.get("servers") or []
    if not servers:
        return ""
    url = str(servers[0].get("url", ""))
    path = re.sub(r"^[a-z]+://[^/]+", "", url)
    return path.rstrip("/") if path.startswith("/") else ""


# ---------------------------------------------------------------------------------------------
# accounts and scoping
# ---------------------------------------------------------------------------------------------


def account_tables(spec: Spec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for t in spec.tables:
        names = t.column_names
        login = next((c for c in LOGIN_COLUMNS if c in names), None)
        password = next((c for c in PASSWORD_COLUMNS if c in names), None)
        if not login or not password or not t.primary_key:
            continue
        role = "role" if "role" in names else None
        default_role = None
        if role:
            col = t.column(role)
            if col is not None and col.default is not None and col.default.kind is DefaultKind.LITERAL:
                default_role = str(col.default.value)
        out[t.name] = {
            "id_column": t.primary_key[0],
            "login_column": login,
            "login_field": camel(login),
            "password_column": password,
            "password_field": "password",
            "role_column": role,
            "roles": column_values(t, role) if role else [],
            "default_role": default_role,
            "failed_column": next((c for c in FAILED_COLUMNS if c in names), None),
            "locked_column": "locked_until" if "locked_until" in names else None,
            "last_login_column": "last_login_at" if "last_login_at" in names else None,
        }
    return out


def primary_account(spec: Spec, accounts: dict[str, Any]) -> str | None:
    for link in spec.links:
        if link.subject.startswith("endpoint:") and link.table in accounts and re.search(r"/(register|signup|login)\b", link.subject):
            return link.table
    if "users" in accounts:
        return "users"
    return next(iter(accounts), None)


def privileged_roles(accounts: dict[str, Any]) -> list[str]:
    roles: list[str] = []
    for cfg in accounts.values():
        for r in cfg.get("roles") or []:
            if r in PRIVILEGED and r not in roles:
                roles.append(r)
    return roles


def scope_columns(spec: Spec, primary: str | None) -> list[str]:
    """Tenant columns: foreign keys of the account table to another table (tenant_id → tenants) that the
    resource tables share. A signed-in caller only ever sees rows with their own values."""
    account = spec.table(primary or "")
    if account is None:
        return []
    out: list[str] = []
    for fk in account.foreign_keys:
        if len(fk.columns) != 1 or fk.ref_table == account.name:
            continue
        col = fk.columns[0]
        col_def = account.column(col)
        if col_def is None or col_def.nullable:
            continue
        sharing = [t for t in spec.tables if t.name not in (account.name, fk.ref_table) and col in t.column_names]
        if len(sharing) >= 2:
            out.append(col)
    return out


def memberships(spec: Spec, accounts: dict[str, Any]) -> dict[str, Any]:
    """Join tables that give an account a role in one resource (workspace_members: workspace_id, user_id,
    role): roles the docs require on that resource's routes are the caller's role in that row."""
    out: dict[str, Any] = {}
    for t in spec.tables:
        if "role" not in t.column_names:
            continue
        single = [fk for fk in t.foreign_keys if len(fk.columns) == 1]
        users = [fk for fk in single if fk.ref_table in accounts]
        others = [fk for fk in single if fk.ref_table not in accounts]
        if len(users) != 1 or len(others) != 1 or others[0].ref_table in out:
            continue
        roles = column_values(t, "role")
        out[others[0].ref_table] = {
            "table": t.name,
            "user_column": users[0].columns[0],
            "scope_column": others[0].columns[0],
            "role_column": "role",
            "roles": roles,
            "creator_role": next((r for r in ("owner", "admin", "manager") if r in roles), roles[0] if roles else "member"),
        }
    return out


def attach_membership(op: dict[str, Any], members: dict[str, Any], tables: dict[str, Table]) -> None:
    """Where the caller's role comes from for this operation: the membership row of the resource the
    path names (`/workspaces/{id}` or `/workspaces/{workspaceId}/rooms`), or the one a new row joins."""
    table = op.get("table")
    parent = op.get("parent") or {}
    if table in members and op.get("id_param"):
        op["membership"] = {**members[table], "param": op["id_param"]}
    elif parent.get("table") in members:
        op["membership"] = {**members[parent["table"]], "param": parent["param"]}
    elif table in members and op.get("kind") == "crud-create":
        op["membership"] = {**members[table], "param": None, "grant_creator": True}
    elif table in members and op.get("kind") == "crud-list":
        op["membership"] = {**members[table], "param": None, "scope_list": True}
    elif table in tables:
        for resource, m in members.items():
            col = m["scope_column"]
            if col in tables[table].column_names and any(fk.ref_table == resource for fk in tables[table].foreign_keys):
                op["membership"] = {**m, "param": None, "row_column": col}
                break


def refresh_store(spec: Spec, accounts: dict[str, Any]) -> dict[str, Any] | None:
    for t in spec.tables:
        names = t.column_names
        if "token_hash" not in names:
            continue
        user_col = next((fk.columns[0] for fk in t.foreign_keys if fk.ref_table in accounts and len(fk.columns) == 1), None)
        user_col = user_col or next((c for c in ("user_id", "subject_id", "account_id", "member_id") if c in names), None)
        if user_col is None:
            continue
        return {
            "table": t.name,
            "hash_column": "token_hash",
            "user_column": user_col,
            "family_column": "family_id" if "family_id" in names else None,
            "expires_column": "expires_at" if "expires_at" in names else None,
            "revoked_column": "revoked_at" if "revoked_at" in names else None,
        }
    return None


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------


def _first(props: dict[str, Any], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in props), None)


def envelope_model(spec: Spec, doc: dict[str, Any]) -> dict[str, Any]:
    ref = spec.error_envelope.ref if spec.error_envelope is not None else None
    schema = resolve_schema(doc, {"$ref": f"#/components/schemas/{ref}"}) if ref else {}
    props = dict(schema.get("properties", {}))
    path: list[str] = []
    required = list(schema.get("required", []))
    inner = resolve_schema(doc, props.get("error")) if "error" in props else {}
    if inner.get("type") == "object" or "properties" in inner:
        path = ["error"]
        props = dict(inner.get("properties", {}))
        required = list(inner.get("required", []))
    if not props:
        return {"path": [], "code": "error", "message": "message", "details": None, "request_id": None}
    code = _first(props, ("code", "error", "errorCode", "error_code", "type")) or "error"
    message = _first(props, ("message", "detail", "msg", "error_description", "title"))
    details = _first(props, ("details", "errors", "fields", "validation", "issues"))
    out: dict[str, Any] = {
        "path": path,
        "code": code,
        "message": message,
        "details": details,
        "request_id": _first(props, ("requestId", "request_id", "traceId", "trace_id", "correlationId")),
        "status": _first(props, ("status", "statusCode", "status_code")),
        "timestamp": _first(props, ("timestamp", "time")),
    }
    if details:
        dschema = resolve_schema(doc, props[details])
        dtype = dschema.get("type")
        out["details_kind"] = "array" if dtype == "array" or "items" in dschema else "object" if dtype == "object" else "any"
        iprops = resolve_schema(doc, dschema.get("items", {})).get("properties", {})
        out["detail_field"] = _first(iprops, ("field", "path", "name", "param", "loc", "pointer")) or "field"
        out["detail_message"] = _first(iprops, ("issue", "message", "msg", "reason", "error", "detail")) or "message"
    used = {v for v in out.values() if isinstance(v, str)}
    out["extras"] = {k: "" for k in required if k not in used and resolve_schema(doc, props.get(k)).get("type") == "string"}
    return out


def error_docs(spec: Spec, method: str, path: str, op: dict[str, Any], envelope: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """First documented (code, message) per error status: the endpoint's own, then its examples, then common ones."""
    out: dict[str, Any] = {}
    ep = spec.endpoint(method, path)
    for err in ep.errors if ep else ():
        if err.code and str(err.status) not in out:
            out[str(err.status)] = {"code": err.code, "message": err.message}
    for status, resp in op.get("responses", {}).items():
        if status in out or not status.isdigit() or int(status) < 400:
            continue
        ex = response_example(resp)
        node = ex
        for key in envelope.get("path", []):
            node = node.get(key) if isinstance(node, dict) else None
        code = node.get(envelope.get("code", "error")) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(code, str) and re.match(r"^[A-Za-z][A-Za-z0-9_.\-]*$", code):
            msg = node.get(envelope.get("message") or "message")
            out[status] = {"code": node[envelope.get("code", "error")], "message": msg if isinstance(msg, str) else ""}
    for e in spec.common_errors:
        if e.code and str(e.status) not in out:
            out[str(e.status)] = {"code": e.code, "message": e.message}
    return out


def response_example(resp: dict[str, Any]) -> Any:
    content = (resp.get("content") or {}).get("application/json") or {}
    if "example" in content:
        return content["example"]
    examples = content.get("examples") or {}
    for value in examples.values():
        if isinstance(value, dict) and "value" in value:
            return value["value"]
    return None


# ---------------------------------------------------------------------------------------------
# operations
# ---------------------------------------------------------------------------------------------


def json_schema(node: dict[str, Any] | None) -> Any:
    if not node:
        return None
    content = node.get("content") or {}
    media = content.get("application/json") or next(iter(content.values()), None)
    return media.get("schema") if isinstance(media, dict) else None


def segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def is_param(seg: str) -> bool:
    return seg.startswith("{") and seg.endswith("}")


def auth_kind(method: str, path: str) -> str | None:
    segs = [s for s in segments(path) if not is_param(s)]
    if not segs:
        return None
    last = segs[-1].lower()
    for words, verb, kind in AUTH_KINDS:
        if method != verb:
            continue
        if last in words or any(last.endswith("-" + w) or last.endswith("_" + w) for w in words):
            if kind == "auth-me" and len(segs) < 2:
                continue
            if kind == "auth-login" and last == "token" and "auth" not in [s.lower() for s in segs] and "oauth" not in path:
                continue
            if kind == "auth-reset-password" and last == "reset" and "password" not in path:
                continue
            return kind
    return None


def table_for(spec: Spec, tables: dict[str, Table], accounts: dict[str, Any], method: str, path: str, kind: str | None) -> str | None:
    linked = next((lk.table for lk in spec.links if lk.subject == f"endpoint:{method} {path}" and lk.table in tables), None)
    if kind and kind.startswith("auth-"):
        # the resolver links an auth flow to its credential table (ir.matching.principal_for_auth): `staff-login` → staff
        return linked if linked in accounts else None
    return linked


def names_table(seg: str, table: str) -> bool:
    return table in table_candidates(seg.replace("-", "_"))


def table_named_by(tables: dict[str, Table], segs: list[str]) -> str | None:
    """The table a collection path names: `attempts` under `/exams/{examId}` → exam_attempts."""
    literals = [s for s in segs if not is_param(s)]
    if not literals:
        return None
    seg = literals[-1].replace("-", "_")
    for cand in table_candidates(seg):
        if cand in tables:
            return cand
    if len(literals) >= 2:
        for cand in table_candidates(f"{singular(snake(literals[-2]))}_{seg}"):
            if cand in tables:
                return cand
    suffixed = [t for t in tables if t.endswith("_" + plural(snake(seg))) or t.endswith("_" + snake(seg))]
    return suffixed[0] if len(suffixed) == 1 else None


def login_field(doc: dict[str, Any], table: Table, request: Any) -> dict[str, str]:
    """The request field that names the account (`cardNumber` → members.card_number, else `email`)."""
    props = resolve_schema(doc, request).get("properties", {})
    for name in props:
        col = snake(name)
        if "password" in col or col in ("pin", "remember_me", "code", "otp"):
            continue
        if col in table.column_names:
            return {"login_field": name, "login_column": col}
    return {}


def operation_model(
    spec: Spec,
    doc: dict[str, Any],
    tables: dict[str, Table],
    accounts: dict[str, Any],
    path: str,
    method: str,
    op: dict[str, Any],
    scope_cols: list[str],
    schema_links: dict[str, Any],
) -> dict[str, Any]:
    statuses = sorted(str(s) for s in op.get("responses", {}) if str(s).isdigit())
    success = next((int(s) for s in statuses if s.startswith("2")), 200)
    responses = {}
    for status, resp in op.get("responses", {}).items():
        entry: dict[str, Any] = {"schema": json_schema(resp)}
        ex = response_example(resp)
        if ex is not None:
            entry["example"] = ex
        responses[str(status)] = entry
    envelope = envelope_model(spec, doc)
    ep = spec.endpoint(method, path)
    kind = auth_kind(method, path)
    table = table_for(spec, tables, accounts, method, path, kind)
    params = [p for p in op.get("parameters", []) if isinstance(p, dict) and "name" in p]
    model: dict[str, Any] = {
        "method": method,
        "path": path,
        "kind": kind or "example",
        "table": table,
        "auth": "required" if op.get("security") else "none",
        "roles": list(op.get("x-roles") or (ep.auth.roles if ep else ())),
        "success": success,
        "statuses": statuses,
        "response": responses.get(str(success), {}).get("schema"),
        "request": json_schema(op.get("requestBody")),
        "responses": responses,
        "errors": error_docs(spec, method, path, op, envelope, doc),
        "rate_limit": rate_limit(op, doc, method),
        # the docs' validation row, never a business-rule 422 with its own code (app_validation)
        **operation_validation(spec, spec.endpoint(method, path), statuses),
        "params": [p["name"] for p in params],
    }
    # path ids the docs let the caller name by a word (`/members/me/fines`): appkit.access resolves them
    path_aliases = {p["name"]: value_aliases(p.get("schema", {})) for p in params if p.get("in") == "path"}
    if any(path_aliases.values()):
        model["path_aliases"] = {k: v for k, v in path_aliases.items() if v}
    cache = str(op.get("x-caching") or "")
    m = re.search(r"Cache-Control:\s*([^,]+(?:,\s*[a-z-]+(?:=\d+)?)*)", cache)
    if m:
        model["cache_control"] = ", ".join(p.strip() for p in m.group(1).split(",") if p.strip() and p.strip() != "ETag")
    fields: dict[str, str] = {}
    for lk in spec.links:
        if lk.subject == f"endpoint:{method} {path}":
            fields.update({f.field: f.column for f in lk.fields})
    if kind is not None:
        model["fields"] = fields
        if table in accounts and kind in ("auth-login", "auth-forgot-password"):
            model.update(login_field(doc, tables[table], model["request"]))
        return model
    if table is None or table not in tables:
        return model
    segs = segments(path)
    item = bool(segs) and is_param(segs[-1])
    literal = segs[-2] if item and len(segs) >= 2 else segs[-1] if segs else ""
    if not is_param(literal) and not names_table(literal, table):
        named = table_named_by(tables, segs[:-1] if item else segs)
        if named and named != table:
            table = named  # the path names another table than the docs' link (`/exams/{examId}/attempts`)
            model["table"] = table
    t = tables[table]
    if is_param(literal) or not names_table(literal, table) and table_named_by(tables, segs[:-1] if item else segs) != table:
        return model  # an action (`/bookings/{id}/cancel`) or a path that does not name the table
    crud = {("GET", False): "crud-list", ("POST", False): "crud-create", ("GET", True): "crud-get",
            ("PATCH", True): "crud-update", ("PUT", True): "crud-update", ("DELETE", True): "crud-delete"}.get((method, item))
    if crud is None or (crud == "crud-list" and not list_shape(doc, model["response"])):
        return model
    model["kind"] = crud
    resp_link = schema_links.get(_ref(model["response"]) or "", {})
    model["fields"] = {**resp_link.get("fields", {}), **fields}
    if item:
        model["id_param"] = segs[-1][1:-1]
        model["id_column"] = t.primary_key[0] if t.primary_key else None
    parent_segs = segs[:-2] if item else segs[:-1]
    if len(parent_segs) >= 2 and is_param(parent_segs[-1]) and not is_param(parent_segs[-2]):
        model["parent"] = parent_model(tables, t, parent_segs[-2], parent_segs[-1][1:-1])
    upsert = upsert_model(tables, t, segs, table_named_by(tables, segs[:-3]), accounts, scope_cols) if method == "PUT" and item else None
    if upsert:  # `PUT /attempts/{attemptId}/answers/{questionId}`: create or replace by the two ids (app_upserts)
        model.update(kind="crud-upsert", **upsert)
        del model["id_param"], model["id_column"]  # the last id names a questions row, not an answers row
    owner = owner_column_of(t, accounts)
    text = ownership_text(ep, op, accounts)
    if owner:
        model["owner_column"] = owner if (crud == "crud-create" or OWNER_WORDS.search(text)) else None
        if crud in ("crud-list", "crud-get") and op.get("security") and PERSONAL_WORDS.search(text):
            model["owner_scope"] = owner
    if op.get("security"):
        model["scope_columns"] = [c for c in scope_cols if c in t.column_names]
    if crud == "crud-list":
        model.update(list_model(spec, doc, tables, t, params, model["response"]))
    lookups = natural_keys(spec, t, method, path, model["fields"]) if crud == "crud-create" else []
    if lookups:
        model["natural_keys"] = lookups  # body fields naming a referenced row by a unique column (app_lookups)
    periods = periods_model(spec, t) if crud == "crud-create" else []
    if periods:
        model["periods"] = periods  # columns a documented period fills: loans.due_at = now + 21 days (app_periods)
    stamps = stamps_model(spec, t) if crud in ("crud-create", "crud-update") else []
    if stamps:
        model["stamps"] = stamps  # completed_at set when status becomes `done` (app_stamps)
    return model


OWNER_WORDS = re.compile(r"\b(author|owner|own|creator)\b", re.I)
PERSONAL_WORDS = re.compile(r"\b(their|your) own\b|\bonly (their|your|own)\b", re.I)


def owner_column_of(t: Table, accounts: dict[str, Any]) -> str | None:
    """The column naming the account a row belongs to (`instructor_id` → users)."""
    return next((c for c in OWNER_COLUMNS for fk in t.foreign_keys if fk.columns == (c,) and fk.ref_table in accounts), None)


def ownership_text(ep: Any, op: dict[str, Any], accounts: dict[str, Any]) -> str:
    """What the docs say about who may call the endpoint, with role names (`owner`) removed: they are not ownership."""
    text = " ".join(x for x in ((ep.description if ep else ""), (ep.auth.text if ep else ""), op.get("description", "")) if x)
    for cfg in accounts.values():
        for role in cfg.get("roles") or []:
            text = re.sub(rf"`?\b{re.escape(role)}s?\b`?", " ", text)
    return text


def attach_lookups(model: dict[str, Any], spec: Spec, tables: dict[str, Table], accounts: dict[str, Any], scope_cols: list[str], op: dict[str, Any]) -> None:
    """For an example-backed operation: the rows its path ids must name, scoped as CRUD scopes them, and the
    status change its name makes (app_actions)."""
    found = lookups_model(tables, model["path"], table_named_by)
    if not found:
        return
    text = ownership_text(spec.endpoint(model["method"], model["path"]), op, accounts)
    for lookup in found:
        t = tables[lookup["table"]]
        if op.get("security"):
            lookup["scope_columns"] = [c for c in scope_cols if c in t.column_names]
        owner = owner_column_of(t, accounts)
        if owner and op.get("security") and PERSONAL_WORDS.search(text):
            lookup["owner_scope"] = owner
        if owner and model["method"] != "GET" and OWNER_WORDS.search(text):
            lookup["owner_column"] = owner
    model["lookups"] = found
    action = action_model(model["method"], model["path"], found, tables, column_values, spec)
    if action:
        model["action"] = action


def _ref(schema: Any) -> str | None:
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        return str(schema["$ref"].rsplit("/", 1)[-1])
    return None


def parent_model(tables: dict[str, Table], child: Table, seg: str, param: str) -> dict[str, Any] | None:
    for cand in table_candidates(seg.replace("-", "_")):
        parent = tables.get(cand)
        if parent is None:
            continue
        for fk in child.foreign_keys:
            if fk.ref_table == parent.name and len(fk.columns) == 1:
                return {"param": param, "table": parent.name, "key": fk.ref_columns[0] if fk.ref_columns else parent.primary_key[0], "column": fk.columns[0]}
    return None


def rate_limit(op: dict[str, Any], doc: dict[str, Any], method: str) -> dict[str, Any] | None:
    rl = op.get("x-rate-limit")
    if isinstance(rl, dict) and rl.get("requests") and rl.get("perSeconds"):
        return {"requests": rl["requests"], "per_seconds": rl["perSeconds"], "scope": rl.get("scope", "")}
    read = method in ("GET", "HEAD", "OPTIONS")
    for d in doc.get("x-rate-limits", []) or []:
        text = str(d.get("description", "")).lower()
        is_read = "read" in text or "get" in text
        is_write = "write" in text or "post" in text or "mutation" in text
        if (read and is_read and not is_write) or (not read and is_write):
            return {"requests": d["requests"], "per_seconds": d["perSeconds"], "scope": d.get("scope", "")}
    return None


def list_shape(doc: dict[str, Any], schema: Any) -> bool:
    s = resolve_schema(doc, schema)
    if s.get("type") == "array":
        return True
    return any(resolve_schema(doc, p).get("type") == "array" for p in s.get("properties", {}).values())


def list_model(spec: Spec, doc: dict[str, Any], tables: dict[str, Table], t: Table, params: list[dict[str, Any]], response: Any) -> dict[str, Any]:
    names = {p["name"]: p for p in params if p.get("in") == "query"}
    s = resolve_schema(doc, response)
    lst: dict[str, Any] = {}
    if s.get("type") == "array":
        lst["item_schema"] = s.get("items", {})
    else:
        props = s.get("properties", {})
        arrays = [k for k, v in props.items() if resolve_schema(doc, v).get("type") == "array"]
        items_key = next((k for k in ITEMS_KEYS if k in arrays), arrays[0] if arrays else "data")
        lst["items_key"] = items_key
        lst["item_schema"] = resolve_schema(doc, props.get(items_key, {})).get("items", {})
        lst["meta_key"] = next((k for k in META_KEYS if k in props and resolve_schema(doc, props[k]).get("type") == "object"), None)
    limit_p = next((n for n in LIMIT_PARAMS if n in names), None)
    limit_schema = names.get(limit_p, {}).get("schema", {}) if limit_p else {}
    pagination = {
        "limit_param": limit_p,
        "offset_param": next((n for n in OFFSET_PARAMS if n in names), None),
        "page_param": next((n for n in PAGE_PARAMS if n in names), None),
        "default_limit": limit_schema.get("default") or spec.convention("pagination.default_limit") or 20,
        "max_limit": limit_schema.get("maximum") or spec.convention("pagination.max_limit") or 100,
    }
    out: dict[str, Any] = {"list": lst, "pagination": pagination}
    used = {v for v in pagination.values() if isinstance(v, str)}
    search_p = next((n for n in SEARCH_PARAMS if n in names), None)
    if search_p:
        desc = str(names[search_p].get("description", ""))
        words = [snake(w) for w in re.findall(r"[A-Za-z_]+", desc)]
        cols = [w for w in words if w in t.column_names]
        if not cols:
            cols = [c for c in SEARCH_COLUMNS if c in t.column_names][:2]
        out["search"] = {"param": search_p, "columns": cols, "mode": "prefix" if "prefix" in desc.lower() else "contains"}
        used.add(search_p)
    sort_p = next((n for n in SORT_PARAMS if n in names), None)
    if sort_p:
        out["sort"] = sort_model(spec, t, names[sort_p])
        used.add(sort_p)
    filters: dict[str, Any] = {}
    for name in names:
        if name in used:
            continue
        f = filter_model(tables, t, name)
        if f:
            default = names[name].get("schema", {}).get("default")
            filters[name] = {**f, "default": default} if default is not None else f
            aliases = value_aliases(names[name].get("schema", {}))
            if aliases:
                filters[name]["aliases"] = aliases
    out["filters"] = filters
    attach_enum_values(t, names, out)  # enum filters' values, enum sorts' declared order (app_enum_values)
    return out


# Words the docs let stand for a value ("UUID, `me` or `none`"): the caller's own id, or no value at all.
CALLER_ALIASES = frozenset({"me", "self", "current", "mine"})
NULL_ALIASES = frozenset({"none", "null", "unassigned", "nobody"})


def value_aliases(schema: dict[str, Any]) -> dict[str, str]:
    """{word: "caller" | "null"} for the listed words of a union parameter schema whose meaning is known."""
    out: dict[str, str] = {}
    for variant in schema.get("oneOf") or schema.get("anyOf") or []:
        words = (variant.get("enum") or ([variant["const"]] if "const" in variant else [])) if isinstance(variant, dict) else []
        for word in words:  # `enum: [me, none]`, or one word as `const: me`
            if str(word).lower() in CALLER_ALIASES:
                out[str(word)] = "caller"
            elif str(word).lower() in NULL_ALIASES:
                out[str(word)] = "null"
    return out


def sort_model(spec: Spec, t: Table, param: dict[str, Any]) -> dict[str, Any]:
    desc = str(param.get("description", ""))
    schema = param.get("schema", {})
    allowed: dict[str, str | None] = {}
    m = re.search(r"(?:fields?|by|one of)\s*:?\s*(.+)$", desc, re.I)
    tail = m.group(1) if m else ""
    for word in re.findall(r"-?([A-Za-z][A-Za-z0-9_]*)", tail):
        col = snake(word)
        if word.lower() in ("default", "asc", "desc", "and", "or", "prefix", "with", "for", "descending", "ascending"):
            continue
        allowed[word] = col if col in t.column_names else None
    listed = sort_fields(schema.get("pattern"))  # the compiled pattern's list: the app admits what the schema does
    for value in [*(schema.get("enum", []) or []), *(listed[0] if listed else ())]:
        word = str(value).lstrip("-+").split(":")[0]
        col = snake(word)
        allowed[word] = col if col in t.column_names else None
    text = next((c.text for c in spec.conventions if c.key == "sort.syntax"), "")
    code = re.search(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b", text)
    return {
        "param": param["name"],
        "default": schema.get("default"),
        "fields": allowed or {camel(c): c for c in t.column_names},
        "error_code": code.group(0) if code else None,
    }


def filter_model(tables: dict[str, Table], t: Table, name: str) -> dict[str, Any] | None:
    col = snake(name)
    if col in t.column_names:
        return {"column": col, "op": "eq"}
    if col + "_id" in t.column_names:
        return {"column": col + "_id", "op": "eq"}
    for prefix, op in (("min_", "gte"), ("max_", "lte"), ("from_", "gte"), ("to_", "lte")):
        if col.startswith(prefix):
            rest = col[len(prefix):]
            cand = next((c for c in t.column_names if c == rest or c.startswith(rest + "_")), None)
            if cand:
                return {"column": cand, "op": op}
    for suffix, op in (("_before", "lt"), ("_after", "gt"), ("_from", "gte"), ("_to", "lte"), ("_until", "lte"), ("_since", "gte")):
        if col.endswith(suffix):
            rest = col[: -len(suffix)]
            cand = next((c for c in t.column_names if c == rest or c.startswith(rest + "_")), None)
            if cand:
                return {"column": cand, "op": op}
    if col in ("mine", "only_mine", "own", "my"):
        owner = next((c for c in OWNER_COLUMNS if c in t.column_names), None)
        return {"column": owner, "op": "mine"} if owner else None
    if col in ("from", "start"):
        cand = next((c for c in t.column_names if c in ("start_at", "starts_at", "start_time", "start_date")), None)
        if cand:
            return {"column": cand, "op": "gte"}
    if col in ("to", "end"):
        cand = next((c for c in t.column_names if c in ("end_at", "ends_at", "end_time", "end_date")), None)
        if cand:
            return {"column": cand, "op": "lte"}
    # a filter through a child table: `ingredientId` → recipe_ingredients.ingredient_id
    for child in tables.values():
        if child.name == t.name or col not in child.column_names:
            continue
        for fk in child.foreign_keys:
            if fk.ref_table == t.name and len(fk.columns) == 1:
                return {"column": col, "via": {"table": child.name, "fk": fk.columns[0], "key": fk.ref_columns[0] if fk.ref_columns else t.primary_key[0]}}
    return None


def plural_of(name: str) -> str:
    return plural(snake(name))
