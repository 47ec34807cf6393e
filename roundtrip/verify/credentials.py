"""Credentials for the behaviour stage: `--token`, `--login EMAIL:PASSWORD` through the docs' own
login endpoint, or, when neither is given, a fresh account through the docs' register endpoint.

The login and register endpoints are recognized by shape, not by path: a public POST whose request
has a password field and an identity field (email/username/login), and whose success response
carries a token (token/accessToken/access_token/…).
"""

from __future__ import annotations

from typing import Any

from roundtrip.ir import Endpoint
from roundtrip.ir.api import SchemeKind
from roundtrip.verify.client import UsageError
from roundtrip.verify.context import Context

TOKEN_KEYS = ("accessToken", "access_token", "token", "jwt", "idToken", "id_token", "authToken")
IDENTITY_KEYS = ("email", "username", "login", "userName", "user")
PASSWORD_KEYS = ("password", "pass", "passwd")


def auth_header(ctx: Context, token: str) -> dict[str, str]:
    for scheme in ctx.spec.security_schemes:
        if scheme.kind is SchemeKind.API_KEY and scheme.header:
            return {scheme.header: token}
    return {"Authorization": f"Bearer {token}"}


def _fields(ctx: Context, ep: Endpoint) -> list[str]:
    if ep.request is None or ep.request.type is None:
        return []
    t = ep.request.type
    if t.ref:
        s = ctx.spec.schema(t.ref)
        t = s.type if s is not None else t
    return [f.name for f in t.fields]


def _pick(names: list[str], wanted: tuple[str, ...]) -> str | None:
    lowered = {n.lower(): n for n in names}
    for w in wanted:
        if w.lower() in lowered:
            return lowered[w.lower()]
    return None


def find_token(value: Any) -> str | None:
    if isinstance(value, dict):
        for k in TOKEN_KEYS:
            if isinstance(value.get(k), str) and value[k]:
                return str(value[k])
        for v in value.values():
            found = find_token(v)
            if found:
                return found
    return None


def auth_endpoints(ctx: Context) -> tuple[Endpoint | None, Endpoint | None]:
    """(login, register) endpoints of the docs, by shape."""
    login = register = None
    for ep in ctx.spec.endpoints:
        if ep.method != "POST" or ctx.needs_auth(ep) or not ctx.served(ep):
            continue
        names = _fields(ctx, ep)
        if not (_pick(names, PASSWORD_KEYS) and _pick(names, IDENTITY_KEYS)):
            continue
        ok = ctx.success_status(ep)
        extra = [n for n in names if n.lower() not in [*(k.lower() for k in IDENTITY_KEYS), *PASSWORD_KEYS]]
        if ok == 201 or (extra and "regist" in ep.path.lower() + ep.summary.lower()) or "regist" in ep.path.lower() or "signup" in ep.path.lower():
            register = register or ep
        elif "login" in ep.path.lower() or "token" in ep.path.lower() or "session" in ep.path.lower() or not extra:
            login = login or ep
    return login, register


def obtain(ctx: Context, send: Any, build_body: Any) -> None:
    """Fill ctx.auth_headers (and ctx.credential_note); raise UsageError for bad credentials."""
    opts = ctx.options
    if opts.token:
        ctx.auth_headers = auth_header(ctx, opts.token)
        ctx.credential_note = "credentials: the token given with --token"
        return
    login, register = auth_endpoints(ctx)
    if opts.login:
        if ":" not in opts.login:
            raise UsageError("--login takes EMAIL:PASSWORD")
        who, password = opts.login.split(":", 1)
        if login is None:
            raise UsageError("--login needs a login endpoint in the docs (a public POST with an email/username and a password); pass --token instead")
        names = _fields(ctx, login)
        body = {_pick(names, IDENTITY_KEYS) or "email": who, _pick(names, PASSWORD_KEYS) or "password": password}
        ex = send(login, {}, body=body, auth=False)
        token = find_token(ex.json) if ex.is_json else None
        if not (200 <= ex.status < 300) or not token:
            raise UsageError(f"login as {who} failed: {login.key} answered {ex.got()}; check --login (reproduce: {ex.curl()})")
        ctx.auth_headers = auth_header(ctx, token)
        ctx.identity["auth_response"] = ex.json
        ctx.credential_note = f"credentials: logged in as {who} through {login.key}"
        return
    if register is not None:
        body = build_body(register)
        ex = send(register, {}, body=body, auth=False)
        token = find_token(ex.json) if ex.is_json else None
        if 200 <= ex.status < 300 and token:
            ctx.auth_headers = auth_header(ctx, token)
            ctx.identity["auth_response"] = ex.json
            ctx.identity["fresh_account"] = True  # a new account: the docs' sample rows may lie outside its tenant (verify.scope)
            who = next((str(v) for k, v in body.items() if k.lower() in ("email", "username", "login")), "a new account") if isinstance(body, dict) else "a new account"
            ctx.credential_note = f"credentials: none given; registered {who} through {register.key} (pass --token or --login for a privileged account)"
            return
    ctx.credential_note = "credentials: none (pass --token or --login); protected endpoints are only checked for refusing anonymous calls"
