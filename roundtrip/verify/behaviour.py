"""Stage 4, behaviour driven by the docs: the example requests, each documented error row with its
precondition built, auth on every protected endpoint, the pagination convention.

Every request goes through `Driver.send`, which records the answered status in the coverage
matrix; every check reports what was expected (with the doc line), what came back, and the curl
line that reproduces it.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from roundtrip.ir import Endpoint
from roundtrip.verify.bodies import MISSING_UUID, Builder, broken_value
from roundtrip.verify.client import Exchange
from roundtrip.verify.context import Context
from roundtrip.verify.examples import ExampleRequest, path_values
from roundtrip.verify.schemas import normalize

NO_CREDENTIALS = "no credentials (pass --token or --login)"
CODE_KEYS = ("error", "code", "errorCode", "error_code")


class Driver:
    def __init__(self, ctx: Context, builder: Builder) -> None:
        self.ctx = ctx
        self.builder = builder
        assert ctx.target is not None
        self.target = ctx.target
        self.examples: list[ExampleRequest] = []
        self.rate_limited: list[str] = []  # "METHOD /path" of answers that were 429 and not judged

    def limited(self, ep: Endpoint, ex: Exchange, wanted: int | None = None) -> bool:
        """A 429 is the backend's rate limit speaking, not the behaviour under test: judge nothing."""
        if ex.status == 429 and wanted != 429:
            self.rate_limited.append(ep.key)
            return True
        return False

    # ------------------------------------------------------------------ requests
    def send(self, ep: Endpoint, values: dict[str, str], *, query: dict[str, Any] | None = None, body: Any = None,
             has_body: bool | None = None, auth: bool = True, headers: dict[str, str] | None = None) -> Exchange:
        path = ep.path
        for name, value in values.items():
            path = path.replace("{" + name + "}", str(value))
        sent = dict(headers or {})
        if auth:
            sent.update(self.ctx.auth_headers)
        with_body = has_body if has_body is not None else body is not None
        ex = self.target.send(ep.method, ep.path, path, query=query, body=body, has_body=with_body, headers=sent)
        self.ctx.coverage.seen(ep.key, ex.status)
        return ex

    def can_call(self, ep: Endpoint) -> bool:
        """Served, and callable with the credentials we have (explains the gap otherwise)."""
        if not self.ctx.served(ep):
            return False
        if self.ctx.needs_auth(ep) and not self.ctx.auth_headers:
            self.ctx.coverage.explain(ep.key, None, NO_CREDENTIALS)
            return False
        return True

    def body_for(self, ep: Endpoint) -> Any:
        """A valid request body: the docs' example (made unique) when it validates, else built from the schema."""
        schema = self.builder.request_schema(ep)
        if not schema:
            return None
        example = next((e for e in self.examples if e.template == ep.path and e.method == ep.method and e.has_body), None)
        if example is not None and isinstance(example.body, dict):
            return self.uniquify(copy.deepcopy(example.body), schema)
        return self.builder.value(schema)

    def uniquify(self, body: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
        props = schema.get("properties") or {}
        for name, value in list(body.items()):
            sub = props.get(name) or {}
            if not isinstance(value, str) or sub.get("enum") or sub.get("pattern") or "password" in name.lower():
                continue
            n = self.builder.fresh()
            if sub.get("format") == "email" and "@" in value:
                local, domain = value.split("@", 1)
                new = f"{local}+v{n}@{domain}"
            elif sub.get("format"):
                continue
            else:
                new = f"{value} {n}"
            high = sub.get("maxLength")
            if high is None or len(new) <= int(high):
                body[name] = new
        return body

    def path_candidates(self, ep: Endpoint) -> list[dict[str, str]]:
        """Path values to try: the docs' example path first, then sample-row ids."""
        params = [s[1:-1] for s in ep.path.split("/") if s.startswith("{") and s.endswith("}")]
        if not params:
            return [{}]
        out: list[dict[str, str]] = []
        for e in self.examples:
            if e.template == ep.path:
                v = path_values(ep.path, e.path)
                if v not in out:
                    out.append(v)
        lists = {p: self.builder.candidates(ep, p) for p in params}
        for i in range(max((len(v) for v in lists.values()), default=0)):
            v = {p: vals[i % len(vals)] for p, vals in lists.items() if vals}
            if len(v) == len(params) and v not in out:
                out.append(v)
        return out[:4]

    def complete_path(self, values: dict[str, str], ep: Endpoint) -> dict[str, str]:
        """`values` plus a well-formed value (of the parameter's documented type) for every path
        parameter it lacks: a request must never carry a literal `{id}` the backend would reject
        as malformed before it looks at anything else."""
        out = dict(values)
        params = {str(p.get("name")): p for p in self.builder.parameters(ep) if p.get("in") == "path"}
        for seg in ep.path.split("/"):
            name = seg[1:-1] if seg.startswith("{") and seg.endswith("}") else ""
            if name and name not in out:
                schema = normalize((params.get(name) or {}).get("schema") or {}, self.ctx.doc)
                out[name] = self.builder.missing_value(schema) if schema else MISSING_UUID
        return out

    # ------------------------------------------------------------------ error bodies
    def check_code(self, ep: Endpoint, ex: Exchange, status: int) -> None:
        codes = [e.code for e in ep.errors if e.status == status and e.code]
        if not codes or not isinstance(ex.json, dict):
            return
        got = _error_code(ex.json)
        if got is not None and got not in codes:
            span = self.ctx.where.status(ep, status)
            self.ctx.report("RT433", span, f"{ep.key} answers {status} with error code {got!r}, the docs say {' or '.join(codes)} ({span}); reproduce: {ex.curl()}",
                            key=("b-code", ep.key, status), endpoint=ep)
            self.ctx.coverage.fail(ep.key, status)

    def expect(self, ep: Endpoint, ex: Exchange, status: int, *, code: str, span: Any, what: str, key: tuple[Any, ...]) -> bool:
        """The answer must be `status`: report `code` at `span` otherwise; check the body either way."""
        if self.limited(ep, ex, status):
            return False
        if ex.status == status:
            if not self.ctx.check_body(ep, ex):
                self.ctx.coverage.fail(ep.key, status)
            if status >= 400:
                self.check_code(ep, ex, status)
            return True
        self.ctx.report(code, span, f"{what}: expected {status} ({span}), got {ex.got()}; reproduce: {ex.curl()}", key=key, endpoint=ep)
        self.ctx.coverage.fail(ep.key, status)
        return False


def _error_code(body: dict[str, Any]) -> str | None:
    for k in CODE_KEYS:
        v = body.get(k)
        if isinstance(v, str):
            return v
        if isinstance(v, dict):
            inner = v.get("code")
            if isinstance(inner, str):
                return inner
    return None


# ---------------------------------------------------------------------- checks
def run_examples(d: Driver, deletes: bool) -> None:
    ctx = d.ctx
    for ex in d.examples:
        ep = ctx.spec.endpoint(ex.method, ex.template)
        if ep is None or (ep.method == "DELETE") != deletes or not d.can_call(ep):
            continue
        headers = {k: v for k, v in ex.headers.items() if k.lower() != "authorization"}
        values = path_values(ep.path, ex.path)
        got = d.send(ep, values, query=ex.query or None, body=ex.body, has_body=ex.has_body, auth=ctx.needs_auth(ep) or "Authorization" in ex.headers, headers=headers)
        want = ctx.success_status(ep)
        documented = ctx.documented_statuses(ep)
        if d.limited(ep, got, want):
            continue
        if want is None or got.status == want or (got.status in documented and not 200 <= got.status < 300 and got.status < 500):
            if not ctx.check_body(ep, got):
                ctx.coverage.fail(ep.key, got.status)
            continue
        span = ctx.where.success(ep, want)
        ctx.report("RT430", span, f"the example request of {ep.key} ({ex.span}) should answer {want} ({span}), got {got.got()}; reproduce: {got.curl()}",
                   key=("b-status", ep.key, want), endpoint=ep)
        ctx.coverage.fail(ep.key, want)


# An error row that speaks about missing or broken credentials (not about a role or an owner).
_UNAUTHENTICATED = re.compile(r"unauth|not authenticated|authentication required|login required|missing (?:or invalid )?(?:token|credentials)|invalid (?:access )?token|token (?:missing|expired|invalid)", re.IGNORECASE)


def anonymous_status(ctx: Context, ep: Endpoint) -> int:
    """The status the docs give a protected endpoint called without valid credentials.

    A row that says "not authenticated" wins wherever it is documented: the endpoint's own table,
    then the common error table, then any other endpoint's table (a convention stated once). With
    no such row, HTTP's own rule applies: 401 means "no valid credentials", 403 "authenticated but
    not allowed" — so an endpoint whose table lists only 403 (a role rule) still expects 401.
    """
    for rows in (ep.errors, ctx.spec.common_errors, tuple(e for other in ctx.spec.endpoints for e in other.errors)):
        for e in rows:
            if e.status in (401, 403) and _UNAUTHENTICATED.search(f"{e.code} {e.message}"):
                return e.status
    return 401


def run_auth(d: Driver) -> None:
    """Every protected endpoint refuses a call without credentials and one with a bogus token."""
    ctx = d.ctx
    for ep in ctx.spec.endpoints:
        if not ctx.served(ep) or not ctx.needs_auth(ep):
            continue
        want = anonymous_status(ctx, ep)
        values = d.complete_path((d.path_candidates(ep) or [{}])[0], ep)
        body = d.body_for(ep) if ctx.auth_headers else d.builder.value(d.builder.request_schema(ep)) if ep.request else None
        span = ctx.where.auth(ep)
        for label, headers in (("without credentials", {}), ("with an invalid token", {"Authorization": "Bearer verify.invalid.token"})):
            ex = d.send(ep, values, body=body, auth=False, headers=headers)
            if d.limited(ep, ex, want):
                break
            if ex.status == want:
                if not ctx.check_body(ep, ex):
                    ctx.coverage.fail(ep.key, want)
                continue
            ctx.report("RT434", span, f"{ep.key} requires authentication ({span}) but answers {ex.got()} {label} (expected {want}); reproduce: {ex.curl()}",
                       key=("b-auth", ep.key), endpoint=ep)
            ctx.coverage.fail(ep.key, want)
            break


def run_not_found(d: Driver) -> None:
    ctx = d.ctx
    for ep in ctx.spec.endpoints:
        if "{" not in ep.path or 404 not in ctx.documented_statuses(ep) or not d.can_call(ep):
            continue
        params = {str(p.get("name")): p for p in d.builder.parameters(ep) if p.get("in") == "path"}
        values = {name: d.builder.missing_value(normalize(p.get("schema") or {}, ctx.doc)) for name, p in params.items()}
        for s in ep.path.split("/"):
            if s.startswith("{") and s[1:-1] not in values:
                values[s[1:-1]] = MISSING_UUID
        body = d.body_for(ep) if ep.request is not None else None
        if ep.method == "PATCH" and isinstance(body, dict) and not body:
            body = _one_field_patch(d, ep)
        ex = d.send(ep, values, body=body)
        span = ctx.where.status(ep, 404)
        d.expect(ep, ex, 404, code="RT432", span=span, what=f"{ep.key} with an id that does not exist", key=("b-404", ep.key))


def _one_field_patch(d: Driver, ep: Endpoint) -> dict[str, Any]:
    schema = d.builder.request_schema(ep)
    for name, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, dict) and not sub.get("readOnly") and _type(sub) in ("string", "integer", "number"):
            return {name: d.builder.value(sub, name)}
    return {}


def _type(s: dict[str, Any]) -> str:
    t = s.get("type")
    return t if isinstance(t, str) else ""


def run_conflicts(d: Driver) -> None:
    """A 409 the endpoint documents itself: the same valid request twice; the second must conflict.
    A 409 only in the common catalog (`CONFLICT: (message) => new AppError('CONFLICT', message, 409)`),
    which ir.common_errors carries onto every create, update and action, says some request may
    conflict, not that a duplicate of this one does."""
    ctx = d.ctx
    for ep in ctx.spec.endpoints:
        if ep.method not in ("POST", "PUT") or not documents_itself(ep, 409) or not d.can_call(ep):
            continue
        span = ctx.where.status(ep, 409)
        documented = ctx.documented_statuses(ep)
        body = d.body_for(ep)
        reached = False
        for values in d.path_candidates(ep):
            first = d.send(ep, values, body=body)
            if d.limited(ep, first, 409):
                reached = True
                break
            if first.status == 409:
                d.expect(ep, first, 409, code="RT432", span=span, what="", key=("b-409", ep.key))
                reached = True
                break
            if 200 <= first.status < 300:
                second = d.send(ep, values, body=body)
                d.expect(ep, second, 409, code="RT432", span=span, what=f"{ep.key} sent twice (the same unique values, the same item)", key=("b-409", ep.key))
                reached = True
                break
            if first.status not in documented or first.status >= 500:
                d.expect(ep, first, 409, code="RT432", span=span, what=f"{ep.key} with a valid body (to build a duplicate)", key=("b-409", ep.key))
                reached = True
                break
        if not reached:
            ctx.coverage.explain(ep.key, 409, "every candidate request answered another documented error first")


def documents_itself(ep: Endpoint, status: int) -> bool:
    """The endpoint's own section lists `status` (an error row or a response), not only the common table;
    what the endpoint documents itself is always in the compiled document as well."""
    return any(e.status == status for e in ep.errors) or any(r.status == status for r in ep.responses)


def validation_status(ctx: Context, ep: Endpoint) -> int | None:
    """The status the docs give for invalid input on this endpoint (its own row first, then the common rows)."""
    documented = ctx.documented_statuses(ep)

    def says_validation(code: str, text: str) -> bool:
        return "VALIDATION" in code.upper() or "validat" in text.lower()

    for e in ep.errors:
        if e.status in (400, 422) and says_validation(e.code, e.message):
            return e.status
    for r in ep.responses:
        if r.status in (400, 422) and says_validation("", r.description):
            return r.status
    if ctx.needs_auth(ep):
        for e in ctx.spec.common_errors:
            if e.status in (400, 422) and e.status in documented and says_validation(e.code, e.message):
                return e.status
    return None


def _scoped_away(ctx: Context, ep: Endpoint) -> str:
    """Why the sample rows in `ep`'s path are invisible to verify's freshly registered account ("" if they are not)."""
    from roundtrip.verify.credentials import auth_endpoints
    from roundtrip.verify.scope import account_table, boundaries, outside_scope

    if not ctx.identity.get("fresh_account") or "{" not in ep.path:
        return ""
    _, register = auth_endpoints(ctx)
    return outside_scope(ctx.spec, ep, boundaries(ctx.spec, account_table(ctx.spec, register), register))


def run_validation(d: Driver, limit: int = 12) -> None:
    ctx = d.ctx
    for ep in ctx.spec.endpoints:
        status = validation_status(ctx, ep)
        if status is None or not d.can_call(ep):
            continue
        row = ctx.where.status(ep, status)
        values = (d.path_candidates(ep) or [{}])[0]
        cases: list[tuple[list[str], Any, dict[str, Any] | None, str]] = []
        schema = d.builder.request_schema(ep)
        if schema:
            for inv in d.builder.invalid_variants(schema, d.builder.value(schema), limit):
                base = d.body_for(ep)
                if isinstance(base, dict) and isinstance(inv.body, dict):
                    body = {**base, **{k: v for k, v in inv.body.items() if k in inv.field}}
                    if inv.why == "required":
                        body.pop(inv.field[0], None)
                    cases.append((inv.field, body, None, inv.why))
        for p in d.builder.parameters(ep):
            if p.get("in") != "query":
                continue
            bad = broken_value(normalize(p.get("schema") or {}, ctx.doc))
            if bad is not None:
                cases.append((["<query>", str(p.get("name"))], d.body_for(ep) if schema else None, {str(p.get("name")): bad[0]}, bad[1]))
        for field, body, query, why in cases[:limit]:
            ex = d.send(ep, values, body=body, query=query, has_body=bool(schema))
            if d.limited(ep, ex, status):
                break
            if ex.status == status:
                if not ctx.check_body(ep, ex):
                    ctx.coverage.fail(ep.key, status)
                continue
            hidden = _scoped_away(ctx, ep) if ex.status == 404 and 404 in ctx.documented_statuses(ep) else ""
            if hidden:  # the row in the path is another tenant's: its 404 comes first, the invalid input is never looked at
                ctx.coverage.explain(ep.key, status, f"invalid input needs a row inside the caller's tenant in the path; {hidden}")
                break
            is_query = field[0] == "<query>"
            name = field[-1]
            span = ctx.where.parameter(ep, name, "query") if is_query else ctx.where.field(ep, "request", field)
            if 200 <= ex.status < 300:
                ctx.report("RT435", span, f"{ep.key} accepts {'query parameter' if is_query else 'field'} {name!r} that breaks {why} ({span}): expected {status} ({row}), got {ex.got()}; reproduce: {ex.curl()}",
                           key=("b-valid", ep.key, name), endpoint=ep)
            else:
                ctx.report("RT432", row, f"{ep.key} answers invalid {name!r} ({why}) with {ex.got()}; the docs say {status} ({row}); reproduce: {ex.curl()}",
                           key=("b-valid-status", ep.key), endpoint=ep)
            ctx.coverage.fail(ep.key, status)


def run_bad_credentials(d: Driver) -> None:
    """Public endpoints with a documented 401 (login, refresh): well-formed values nobody holds."""
    ctx = d.ctx
    for ep in ctx.spec.endpoints:
        if not ctx.served(ep) or ctx.needs_auth(ep) or 401 not in ctx.documented_statuses(ep) or ep.request is None:
            continue
        schema = d.builder.request_schema(ep)
        body = d.builder.value(schema)
        if isinstance(body, dict):
            for k in list(body):
                if "password" in k.lower():
                    body[k] = f"Wrong-{d.builder.fresh()}-pw9"
        ex = d.send(ep, {}, body=body, auth=False)
        span = ctx.where.status(ep, 401)
        d.expect(ep, ex, 401, code="RT432", span=span, what=f"{ep.key} with credentials nobody holds", key=("b-401", ep.key))


def run_pagination(d: Driver) -> None:
    ctx = d.ctx
    default = ctx.spec.convention("pagination.default_limit")
    conv_span = ctx.where.convention("pagination.default_limit")
    for ep in ctx.spec.endpoints:
        if ep.method != "GET" or not any(p.get("name") == "limit" for p in d.builder.parameters(ep)) or not d.can_call(ep):
            continue
        values = (d.path_candidates(ep) or [{}])[0]
        ex = d.send(ep, values)
        if d.limited(ep, ex) or not ex.is_json or not isinstance(ex.json, dict) or not 200 <= ex.status < 300:
            continue
        items, page = _items_and_page(ex.json)
        if isinstance(default, int) and conv_span is not None:
            if isinstance(page.get("limit"), int) and page["limit"] != default:
                ctx.report("RT437", conv_span, f"{ep.key} without `limit` reports a page size of {page['limit']}, the docs' default is {default} ({conv_span}); reproduce: {ex.curl()}",
                           key=("b-page-default", ep.key), endpoint=ep)
            elif items is not None and len(items) > default:
                ctx.report("RT437", conv_span, f"{ep.key} without `limit` returns {len(items)} items, the docs' default page size is {default} ({conv_span}); reproduce: {ex.curl()}",
                           key=("b-page-default", ep.key), endpoint=ep)
        one = d.send(ep, values, query={"limit": 1})
        if one.is_json and isinstance(one.json, dict) and 200 <= one.status < 300:
            items, _ = _items_and_page(one.json)
            if items is not None and len(items) > 1:
                span = ctx.where.parameter(ep, "limit", "query")
                ctx.report("RT437", span, f"{ep.key}?limit=1 returns {len(items)} items ({span}); reproduce: {one.curl()}", key=("b-page-limit", ep.key), endpoint=ep)


def _items_and_page(body: dict[str, Any]) -> tuple[list[Any] | None, dict[str, Any]]:
    items = next((v for k, v in body.items() if isinstance(v, list) and k in ("data", "items", "results", "records")), None)
    if items is None:
        items = next((v for v in body.values() if isinstance(v, list)), None)
    page = next((v for k, v in body.items() if isinstance(v, dict) and k in ("pagination", "meta", "page", "paging")), None)
    if page is None:
        page = {k: v for k, v in body.items() if k in ("limit", "offset", "total")}
    return items, page


def run_refresh(d: Driver) -> None:
    """An endpoint whose only required input is a value the login answered (a refresh token): the
    documented success with that value."""
    ctx = d.ctx
    auth = ctx.identity.get("auth_response")
    if not isinstance(auth, dict):
        return
    for ep in ctx.spec.endpoints:
        if ep.method != "POST" or not ctx.served(ep) or ctx.needs_auth(ep):
            continue
        schema = d.builder.request_schema(ep)
        required = list(schema.get("required") or [])
        if len(required) != 1 or "refresh" not in required[0].lower() or not isinstance(auth.get(required[0]), str):
            continue
        want = ctx.success_status(ep)
        if want is None:
            continue
        ex = d.send(ep, {}, body={required[0]: auth[required[0]]}, auth=False)
        span = ctx.where.success(ep, want)
        d.expect(ep, ex, want, code="RT430", span=span, what=f"{ep.key} with the {required[0]} the login answered", key=("b-status", ep.key, want))


def run_forbidden(d: Driver) -> None:
    """A documented 403 with a second, fresh account (through the docs' register endpoint): an endpoint
    whose roles exclude that account's role, or an item endpoint on a sample row it does not own.

    When the data model puts the row outside a fresh account's tenant (verify.scope), the 403's
    precondition (same tenant, lower role) cannot be built that way: the call is still made and must
    answer the scoped 404 (never a success: that would leak another tenant's row), and the 403 cell
    says why it is not reachable."""
    from roundtrip.verify.credentials import auth_endpoints, auth_header, find_token
    from roundtrip.verify.scope import account_table, boundaries, lower_role_route, outside_scope

    ctx = d.ctx
    targets = [ep for ep in ctx.spec.endpoints if ctx.served(ep) and ctx.needs_auth(ep) and any(e.status == 403 for e in ep.errors)]
    if not targets or not ctx.auth_headers:
        return
    _, register = auth_endpoints(ctx)
    if register is None:
        return
    account = account_table(ctx.spec, register)
    walls = boundaries(ctx.spec, account, register)
    route = lower_role_route(ctx.spec, account, walls)
    made = d.send(register, {}, body=d.body_for(register), auth=False)
    token = find_token(made.json) if made.is_json else None
    if not token or not 200 <= made.status < 300:
        return
    role = _role(made.json)
    other = auth_header(ctx, token)
    for ep in targets:
        span = ctx.where.status(ep, 403)
        by_role = bool(ep.auth.roles and role and role not in ep.auth.roles)
        by_owner = ep.path.rstrip("/").endswith("}") and ep.method in ("PATCH", "PUT", "DELETE")
        if not (by_role or by_owner):
            continue
        values = d.complete_path((d.path_candidates(ep) or [{}])[0], ep)
        if by_owner and not by_role:
            body = _one_field_patch(d, ep) if ep.method != "DELETE" else None
        else:
            body = d.body_for(ep) if ep.request is not None else None
        why = outside_scope(ctx.spec, ep, walls) if "{" in ep.path else ""
        if why:
            _expect_scoped(d, ep, values, body, other, why, route)
            continue
        ex = d.send(ep, values, body=body, auth=False, headers=other)
        what = (f"{ep.key} as a new {role!r} account (roles: {', '.join(ep.auth.roles)})" if by_role
                else f"{ep.key} on a sample item, as a new account that does not own it")
        d.expect(ep, ex, 403, code="RT432", span=span, what=what, key=("b-403", ep.key))


def _expect_scoped(d: Driver, ep: Endpoint, values: dict[str, str], body: Any, headers: dict[str, str], why: str,
                   route: Endpoint | None) -> None:
    """A row outside the caller's tenant: 404 (documented) or 403 both keep it hidden; a success leaks it."""
    ctx = d.ctx
    how = (f"verify does not create a lower-role account in the same tenant through {route.key}" if route is not None
           else "the docs give no way to add a lower-role account to the same tenant")
    ctx.coverage.explain(ep.key, 403, f"403 needs a lower-role caller inside the tenant; {how}; {why}")
    ex = d.send(ep, values, body=body, auth=False, headers=headers)
    if d.limited(ep, ex) or ex.status in (403, 404):
        if ex.status in ctx.documented_statuses(ep) and not ctx.check_body(ep, ex):
            ctx.coverage.fail(ep.key, ex.status)
        return
    want = 404 if 404 in ctx.documented_statuses(ep) else 403
    span = ctx.where.status(ep, want)
    ctx.report("RT432", span, f"{ep.key} on a sample row, as an account outside its tenant ({why}): expected {want} ({span}), "
               f"got {ex.got()}; reproduce: {ex.curl()}", key=("b-403", ep.key), endpoint=ep)
    ctx.coverage.fail(ep.key, want)


def _role(body: Any) -> str:
    if isinstance(body, dict):
        for k in ("role", "roles"):
            v = body.get(k)
            if isinstance(v, str):
                return v
        for v in body.values():
            found = _role(v)
            if found:
                return found
    return ""
