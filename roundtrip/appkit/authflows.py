"""The documented auth flows: register, login (with lockout), refresh (rotation + reuse detection), logout,
me, forgot/reset password; and `authenticate`, which turns a bearer token into a `Principal`.

Which table holds accounts, which columns hold the login name, the password hash, the role, the
failure counter and the lockout expiry, and where refresh tokens live, come from api_model.json
(the docs' data model); the lifetimes, hash algorithm and lockout numbers from the docs' prose.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

import sqlalchemy as sa

from .context import Context, Principal, Reply
from .errors import ApiError
from .records import singular, snake
from .security import TokenError, bearer_token, digest, new_opaque_token
from .store import TableInfo, coerce, fake_column_value, insert_may_omit

ACCESS_KEYS = ("token", "accessToken", "access_token", "jwt", "idToken", "authToken")
REFRESH_KEYS = ("refreshToken", "refresh_token")
ACCOUNT_OBJECT_KEYS = ("user", "account", "profile", "me", "member", "staff", "student", "customer")
RESET_TTL_SECONDS = 3600

_failures_lock = threading.Lock()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: Any) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def account(ctx: Context, table: str | None = None) -> tuple[TableInfo, dict[str, Any]]:
    accounts = ctx.kit.model.get("accounts") or {}
    name = table if table in accounts else ctx.op.table if ctx.op.table in accounts else ctx.kit.model.get("primary_account")
    cfg = accounts.get(name or "")
    if not cfg or name not in ctx.kit.tables:
        raise ApiError(500, "INTERNAL_ERROR", "the docs define no account table")
    return ctx.kit.tables[name], cfg


# ---------------------------------------------------------------------------------------------
# who is calling
# ---------------------------------------------------------------------------------------------


def authenticate(ctx: Context, required: bool) -> Principal | None:
    token = bearer_token(ctx.request.headers.get("authorization"))
    if token is None:
        if required:
            raise unauthorized(ctx)
        return None
    try:
        claims = ctx.kit.tokens.decode(token)
    except TokenError:
        if required:
            raise unauthorized(ctx) from None
        return None
    if claims.get("jti") in ctx.kit.revoked_jti:
        if required:
            raise unauthorized(ctx)
        return None
    try:
        info, cfg = account(ctx, str(claims.get("tbl", "")))
    except ApiError:
        return None
    row = ctx.kit.records.fetch(ctx.conn, info, cfg["id_column"], claims.get("sub"))
    if row is None:
        if required:
            raise unauthorized(ctx)
        return None
    role_col = cfg.get("role_column")
    role = str(row.get(role_col) if role_col else claims.get("role") or singular(info.name))
    return Principal(row[cfg["id_column"]], role, info.name, row, claims)


def unauthorized(ctx: Context) -> ApiError:
    code, message = ctx.op.error(401, ctx.kit.common_code(401, "UNAUTHORIZED"), "Authentication required")
    if code in ("INVALID_CREDENTIALS", "INVALID_REFRESH_TOKEN"):
        code, message = ctx.kit.common_code(401, "UNAUTHORIZED"), "Authentication required"
    return ApiError(401, code, message, headers={"WWW-Authenticate": "Bearer"})


# ---------------------------------------------------------------------------------------------
# responses
# ---------------------------------------------------------------------------------------------


def auth_body(ctx: Context, info: TableInfo, row: dict[str, Any], tokens: dict[str, Any], schema: Any = None, depth: int = 0) -> Any:
    """The documented auth response: tokens where the schema has token fields (also nested, as in
    `{"user": {...}, "tokens": {"accessToken": ...}}`), the account where it has an account object."""
    schema = ctx.op.get("response") if schema is None and depth == 0 else schema
    s = ctx.kit.schemas
    if schema is None:
        return None
    if s.kind(schema) != "object":
        return s.fake(schema)
    props, required = s.properties(schema)
    out: dict[str, Any] = {}
    shaped = ctx.kit.records.shape(ctx.conn, info, row, schema, ctx.kit.schema_fields(schema))
    for name, prop in props.items():
        if name in ACCESS_KEYS and "access" in tokens:
            out[name] = tokens["access"]
        elif name in REFRESH_KEYS and "refresh" in tokens:
            out[name] = tokens["refresh"]
        elif name in ("expiresIn", "expires_in") and "access" in tokens:
            out[name] = ctx.kit.tokens.s.access_ttl
        elif name in ("tokenType", "token_type"):
            out[name] = "Bearer"
        elif name in ("expiresAt", "expires_at") and "access" in tokens:
            out[name] = (now() + dt.timedelta(seconds=ctx.kit.tokens.s.access_ttl)).isoformat().replace("+00:00", "Z")
        elif (name in ACCOUNT_OBJECT_KEYS or name == singular(info.name)) and s.kind(prop) == "object":
            out[name] = ctx.kit.records.shape(ctx.conn, info, row, prop, None, 1)
        elif depth < 2 and s.kind(prop) == "object" and has_token_fields(ctx, prop):
            out[name] = auth_body(ctx, info, row, tokens, prop, depth + 1)
        elif name in shaped:
            out[name] = shaped[name]
        elif name in required:
            out[name] = None if s.nullable(prop) else s.fake(prop, name)
    return out


def issue(ctx: Context, info: TableInfo, cfg: dict[str, Any], row: dict[str, Any], family: str = "", expires: dt.datetime | None = None) -> dict[str, Any]:
    uid = str(row[cfg["id_column"]])
    role_col = cfg.get("role_column")
    role = str(row.get(role_col)) if role_col and row.get(role_col) is not None else singular(info.name)
    extra = {c: str(row[c]) for c in ctx.kit.model.get("scope_columns", []) if row.get(c) is not None}
    access = ctx.kit.tokens.access(uid, role, info.name, extra)
    refresh_cfg = ctx.kit.model.get("refresh_store")
    if refresh_cfg and refresh_cfg.get("table") in ctx.kit.tables:
        rinfo = ctx.kit.tables[refresh_cfg["table"]]
        raw = new_opaque_token()
        values: dict[str, Any] = {refresh_cfg["hash_column"]: digest(raw), refresh_cfg["user_column"]: row[cfg["id_column"]]}
        if refresh_cfg.get("family_column"):
            values[refresh_cfg["family_column"]] = coerce(family or str(_uuid4()), rinfo.table.c[refresh_cfg["family_column"]])
        if refresh_cfg.get("expires_column"):
            values[refresh_cfg["expires_column"]] = expires or now() + dt.timedelta(seconds=ctx.kit.tokens.s.refresh_ttl)
        if "user_agent" in rinfo.table.c:
            values["user_agent"] = (ctx.request.headers.get("user-agent") or "")[:255] or None
        if "ip_address" in rinfo.table.c:
            values["ip_address"] = ctx.client_ip if re.match(r"^[0-9a-fA-F.:]+$", ctx.client_ip) else None
        for col in rinfo.fks:  # scope columns the token row shares with the account (tenant_id)
            if col not in values and row.get(col) is not None and col in info.table.c:
                values[col] = row[col]
        if "subject_type" in rinfo.table.c:
            values.setdefault("subject_type", singular(info.name))
        fill_required(rinfo, values)
        ctx.conn.execute(sa.insert(rinfo.table).values(**values))
        refresh = raw
    else:
        refresh = ctx.kit.tokens.refresh(uid, info.name, family)
    return {"access": access, "refresh": refresh}


def _uuid4() -> Any:
    import uuid

    return uuid.uuid4()


def fill_required(info: TableInfo, values: dict[str, Any]) -> None:
    for col in info.table.c:
        if col.name in values or insert_may_omit(col):
            continue
        if col.primary_key and isinstance(col.type, sa.Integer):
            continue
        values[col.name] = fake_column_value(col)


def body_value(ctx: Context, *names: str) -> Any:
    body = ctx.body or {}
    for n in names:
        if n in body:
            return body[n]
    return None


# ---------------------------------------------------------------------------------------------
# flows
# ---------------------------------------------------------------------------------------------


def register(ctx: Context) -> Reply:
    info, cfg = account(ctx)
    t = info.table
    body = dict(ctx.body or {})
    values: dict[str, Any] = {}
    fields = ctx.op.fields
    pw_field = cfg.get("password_field", "password")
    for name, value in body.items():
        if name == pw_field or name in ("password", "confirmPassword", "passwordConfirmation"):
            continue
        column = fields.get(name) or snake(name)
        if column in t.c and column != cfg.get("password_column"):
            values[column] = coerce(value, t.c[column])
    login_col = cfg.get("login_column")
    if login_col and isinstance(values.get(login_col), str):
        values[login_col] = values[login_col].strip().lower()
        taken = ctx.conn.execute(sa.select(sa.func.count()).select_from(t).where(sa.func.lower(t.c[login_col]) == values[login_col])).scalar()
        if taken:
            raise ctx.op.fail(409, "CONFLICT", "An account with this login already exists")
    password = body.get(pw_field)
    if cfg.get("password_column") and isinstance(password, str):
        values[cfg["password_column"]] = ctx.kit.passwords.hash(password)
    created_parent = create_parents(ctx, info, body, values)
    role_col = cfg.get("role_column")
    if role_col and role_col not in values:
        roles = cfg.get("roles") or []
        if created_parent and "owner" in roles:
            values[role_col] = "owner"
        elif cfg.get("default_role"):
            values[role_col] = cfg["default_role"]
    fill_required(info, values)
    row = dict(ctx.conn.execute(sa.insert(t).values(**values).returning(*t.c)).mappings().one())
    tokens = issue(ctx, info, cfg, row) if wants_tokens(ctx) else {}
    return Reply(ctx.op.success, auth_body(ctx, info, row, tokens))


def create_parents(ctx: Context, info: TableInfo, body: dict[str, Any], values: dict[str, Any]) -> bool:
    """Register endpoints that also create the account's tenant (`tenantName` → tenants.name)."""
    created = False
    for col, (target, target_col) in info.fks.items():
        column = info.table.c[col]
        if col in values or column.nullable or target not in ctx.kit.tables:
            continue
        pinfo = ctx.kit.tables[target]
        prefix = singular(target)
        pvalues: dict[str, Any] = {}
        for name, value in body.items():
            sname = snake(name)
            if sname.startswith(prefix + "_") and sname[len(prefix) + 1 :] in pinfo.table.c:
                pvalues[sname[len(prefix) + 1 :]] = coerce(value, pinfo.table.c[sname[len(prefix) + 1 :]])
        if "slug" in pinfo.table.c and "slug" not in pvalues:
            base = str(pvalues.get("name") or prefix)
            pvalues["slug"] = (re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or prefix)[:40] + "-" + new_opaque_token()[:6]
        fill_required(pinfo, pvalues)
        prow = ctx.conn.execute(sa.insert(pinfo.table).values(**pvalues).returning(*pinfo.table.c)).mappings().one()
        values[col] = prow[target_col]
        created = True
    return created


def has_token_fields(ctx: Context, schema: Any, depth: int = 0) -> bool:
    s = ctx.kit.schemas
    props, _ = s.properties(schema or {})
    if any(k in props for k in ACCESS_KEYS + REFRESH_KEYS):
        return True
    return depth < 2 and any(s.kind(p) == "object" and has_token_fields(ctx, p, depth + 1) for p in props.values())


def wants_tokens(ctx: Context) -> bool:
    return has_token_fields(ctx, ctx.op.get("response"))


def login(ctx: Context) -> Reply:
    info, cfg = account(ctx)
    t = info.table
    login_value = body_value(ctx, ctx.op.get("login_field") or cfg.get("login_field", "email"), "email", "username", "login")
    password = body_value(ctx, cfg.get("password_field", "password"), "password")
    login_col = ctx.op.get("login_column") or cfg.get("login_column")
    if not login_col or not isinstance(login_value, str) or not isinstance(password, str):
        raise ctx.kit.validation_error(ctx.op, [{"field": cfg.get("login_field", "email"), "issue": "is required"}])
    invalid = ctx.op.fail(401, "INVALID_CREDENTIALS", "Invalid credentials")
    if "\x00" in login_value:
        raise invalid  # no account can be named so: PostgreSQL text cannot hold NUL
    stmt = sa.select(t).where(sa.func.lower(t.c[login_col]) == login_value.strip().lower()).where(info.live())
    found = ctx.conn.execute(stmt.limit(1)).mappings().first()
    if found is None:
        raise invalid
    row = dict(found)
    where = t.c[cfg["id_column"]] == row[cfg["id_column"]]
    locked_col, failed_col = cfg.get("locked_column"), cfg.get("failed_column")
    attempts = int(ctx.kit.model.get("lockout", {}).get("attempts") or 0)
    seconds = int(ctx.kit.model.get("lockout", {}).get("seconds") or 900)
    lock_key = f"{info.name}:{row[cfg['id_column']]}"
    locked_until = aware(row.get(locked_col)) if locked_col else ctx.kit.lockouts.get(lock_key)
    if attempts and locked_until and locked_until > now():
        raise locked(ctx)
    if not ctx.kit.passwords.verify(password, row.get(cfg.get("password_column") or "")):
        if attempts:
            with _failures_lock:
                count = int(row.get(failed_col) or 0) + 1 if failed_col else ctx.kit.failures.get(lock_key, 0) + 1
                update: dict[str, Any] = {}
                lock = count >= attempts
                if failed_col:
                    update[failed_col] = 0 if lock else count
                else:
                    ctx.kit.failures[lock_key] = 0 if lock else count
                if lock:
                    until = now() + dt.timedelta(seconds=seconds)
                    if locked_col:
                        update[locked_col] = until
                    else:
                        ctx.kit.lockouts[lock_key] = until
                if update:
                    ctx.conn.execute(sa.update(t).where(where).values(**update))
                ctx.close(commit=True)  # the failure must count even though the request fails
            if lock:
                raise locked(ctx)
        raise invalid
    update = {}
    if failed_col:
        update[failed_col] = 0
    if locked_col:
        update[locked_col] = None
    if cfg.get("last_login_column"):
        update[cfg["last_login_column"]] = now()
    ctx.kit.failures.pop(lock_key, None)
    ctx.kit.lockouts.pop(lock_key, None)
    if update:
        row = dict(ctx.conn.execute(sa.update(t).where(where).values(**update).returning(*t.c)).mappings().one())
    return Reply(ctx.op.success, auth_body(ctx, info, row, issue(ctx, info, cfg, row)))


def locked(ctx: Context) -> ApiError:
    # The status the docs give their lock code (`403 ACCOUNT_LOCKED`), else 423 (or 429 where only that is documented).
    for status, doc in (ctx.op.get("errors") or {}).items():
        if "LOCK" in str((doc or {}).get("code") or "").upper() and str(status).isdigit():
            return ctx.op.fail(int(status), "ACCOUNT_LOCKED", "Account temporarily locked")
    status = 423 if ctx.op.documents(423) or not ctx.op.documents(429) else 429
    return ctx.op.fail(status, "ACCOUNT_LOCKED", "Account temporarily locked")


def refresh(ctx: Context) -> Reply:
    raw = body_value(ctx, *REFRESH_KEYS, "token")
    invalid = ctx.op.fail(401, "INVALID_REFRESH_TOKEN", "Refresh token is invalid or expired")
    if not isinstance(raw, str):
        raise invalid
    store = ctx.kit.model.get("refresh_store")
    if store and store.get("table") in ctx.kit.tables:
        rinfo = ctx.kit.tables[store["table"]]
        rt = rinfo.table
        record = ctx.conn.execute(sa.select(rt).where(rt.c[store["hash_column"]] == digest(raw)).limit(1)).mappings().first()
        if record is None:
            raise invalid
        revoked_col, fam_col, exp_col = store.get("revoked_column"), store.get("family_column"), store.get("expires_column")
        if revoked_col and record[revoked_col] is not None:
            # Reuse of a rotated token: revoke the whole family (SECURITY: reuse detection).
            if fam_col:
                ctx.conn.execute(sa.update(rt).where(rt.c[fam_col] == record[fam_col]).where(rt.c[revoked_col].is_(None)).values({revoked_col: now()}))
                ctx.close(commit=True)
            raise invalid
        expires = aware(record[exp_col]) if exp_col else None
        if expires is not None and expires <= now():
            raise invalid
        info, cfg = account(ctx)
        row = ctx.kit.records.fetch(ctx.conn, info, cfg["id_column"], record[store["user_column"]])
        if row is None:
            raise invalid
        if revoked_col:
            ctx.conn.execute(sa.update(rt).where(rt.c[store["hash_column"]] == digest(raw)).values({revoked_col: now()}))
        tokens = issue(ctx, info, cfg, row, str(record[fam_col]) if fam_col else "", expires)
        return Reply(ctx.op.success, auth_body(ctx, info, row, tokens))
    try:
        claims = ctx.kit.tokens.decode(raw, typ="refresh")
    except TokenError:
        raise invalid from None
    if claims.get("jti") in ctx.kit.revoked_jti:
        raise invalid
    ctx.kit.revoked_jti.add(str(claims.get("jti")))
    info, cfg = account(ctx, str(claims.get("tbl", "")))
    row = ctx.kit.records.fetch(ctx.conn, info, cfg["id_column"], claims.get("sub"))
    if row is None:
        raise invalid
    return Reply(ctx.op.success, auth_body(ctx, info, row, issue(ctx, info, cfg, row, str(claims.get("fam", "")))))


def logout(ctx: Context) -> Reply:
    raw = body_value(ctx, *REFRESH_KEYS)
    store = ctx.kit.model.get("refresh_store")
    p = ctx.principal
    if isinstance(raw, str) and store and store.get("table") in ctx.kit.tables and store.get("revoked_column"):
        rt = ctx.kit.tables[store["table"]].table
        stmt = sa.update(rt).where(rt.c[store["hash_column"]] == digest(raw)).where(rt.c[store["revoked_column"]].is_(None))
        if p is not None:
            stmt = stmt.where(rt.c[store["user_column"]] == p.id)
        ctx.conn.execute(stmt.values({store["revoked_column"]: now()}))
    elif isinstance(raw, str):
        try:
            ctx.kit.revoked_jti.add(str(ctx.kit.tokens.decode(raw, typ="refresh").get("jti")))
        except TokenError:
            pass
    if ctx.kit.model.get("logout_revokes_access") and p is not None and p.claims.get("jti"):
        ctx.kit.revoked_jti.add(str(p.claims["jti"]))
    return empty_or_example(ctx)


def me(ctx: Context) -> Reply:
    p = ctx.principal
    if p is None:
        raise unauthorized(ctx)
    info = ctx.kit.tables[p.table]
    schema = ctx.op.get("response")
    if schema is None:
        return Reply(ctx.op.success, None, empty=True)
    return Reply(ctx.op.success, ctx.kit.records.shape(ctx.conn, info, p.row, schema, ctx.op.fields or None))


def forgot_password(ctx: Context) -> Reply:
    """Always the documented success (no account enumeration); a reset token goes to the dev outbox."""
    info, cfg = account(ctx)
    value = body_value(ctx, ctx.op.get("login_field") or cfg.get("login_field", "email"), "email")
    login_col = ctx.op.get("login_column") or cfg.get("login_column")
    if isinstance(value, str) and login_col:
        t = info.table
        row = ctx.conn.execute(sa.select(t).where(sa.func.lower(t.c[login_col]) == value.strip().lower()).where(info.live()).limit(1)).mappings().first()
        if row is not None:
            token = ctx.kit.tokens.purpose(str(row[cfg["id_column"]]), info.name, "password-reset", RESET_TTL_SECONDS)
            ctx.kit.outbox.append({"to": str(row[login_col]), "kind": "password-reset", "token": token})
    return empty_or_example(ctx)


def reset_password(ctx: Context) -> Reply:
    token = body_value(ctx, "token", "resetToken", "code")
    password = body_value(ctx, "password", "newPassword", "new_password")
    invalid = ctx.op.fail(400, "INVALID_TOKEN", "Reset token is invalid or expired")
    if not isinstance(token, str) or not isinstance(password, str):
        raise invalid
    try:
        claims = ctx.kit.tokens.decode(token, typ="password-reset")
    except TokenError:
        raise invalid from None
    if claims.get("jti") in ctx.kit.revoked_jti:
        raise invalid
    info, cfg = account(ctx, str(claims.get("tbl", "")))
    t = info.table
    key = coerce(claims.get("sub"), t.c[cfg["id_column"]])
    ctx.conn.execute(sa.update(t).where(t.c[cfg["id_column"]] == key).values({cfg["password_column"]: ctx.kit.passwords.hash(password)}))
    store = ctx.kit.model.get("refresh_store")
    if store and store.get("revoked_column") and store.get("table") in ctx.kit.tables:
        rt = ctx.kit.tables[store["table"]].table
        ctx.conn.execute(sa.update(rt).where(rt.c[store["user_column"]] == key).where(rt.c[store["revoked_column"]].is_(None)).values({store["revoked_column"]: now()}))
    ctx.kit.revoked_jti.add(str(claims.get("jti")))
    return empty_or_example(ctx)


def empty_or_example(ctx: Context) -> Reply:
    status = ctx.op.success
    schema = ctx.op.get("response")
    if schema is None or status == 204:
        return Reply(status, None, empty=True)
    example = ((ctx.op.get("responses") or {}).get(str(status)) or {}).get("example")
    return Reply(status, example if example is not None else ctx.kit.schemas.fake(schema))


HANDLERS = {
    "auth-register": register,
    "auth-login": login,
    "auth-refresh": refresh,
    "auth-logout": logout,
    "auth-me": me,
    "auth-forgot-password": forgot_password,
    "auth-reset-password": reset_password,
}
