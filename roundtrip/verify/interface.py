"""Stage 2, the interface: the backend's OpenAPI against the compiled docs, after normalization.

Operations are matched per `METHOD path` with path parameters compared by position (a backend may
call `{recipeId}` `{recipe_id}`). Reported: missing and extra endpoints, parameters, statuses,
request and response fields, validation constraints, security and content types. What FastAPI adds
on its own (an automatic 422 with HTTPValidationError, titles, `anyOf [X, null]` …) is normalized
away first (LIBRARY-NOTES §8). Severity follows meaning: a documented fact the backend contradicts
is an error; a constraint the backend does not *declare* is only a note, because behaviour then
tests whether it is enforced.
"""

from __future__ import annotations

import difflib
from typing import Any

from roundtrip.ir import Endpoint
from roundtrip.verify.context import Context
from roundtrip.verify.schemas import normalize

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
INFRA_PATHS = ("/health", "/healthz", "/livez", "/readyz", "/ready", "/metrics", "/version", "/ping")
CONSTRAINTS = ("minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "pattern", "multipleOf")
MAX_DEPTH = 10


def shape(path: str) -> str:
    return "/".join("{}" if s.startswith("{") and s.endswith("}") else s for s in path.rstrip("/").split("/")) or "/"


def run_interface_stage(ctx: Context, backend: dict[str, Any]) -> list[str]:
    ctx.backend_doc = backend
    prefix = "/" + ctx.spec.info.base_path.strip("/") if ctx.spec.info.base_path.strip("/") else ""
    theirs: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for path, item in (backend.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        local = path[len(prefix):] if prefix and path.startswith(prefix + "/") else path
        for method, op in item.items():
            if method in METHODS and isinstance(op, dict):
                merged = {**op, "parameters": [*(item.get("parameters") or []), *(op.get("parameters") or [])]}
                theirs[(method.upper(), shape(local))] = (local, merged)
    ours: set[tuple[str, str]] = set()
    for ep in ctx.spec.endpoints:
        key = (ep.method, shape(ep.path))
        ours.add(key)
        if key not in theirs:
            ctx.missing.add(ep.key)
            span = ctx.where.endpoint(ep)
            ctx.report("RT410", span, f"{ep.key} ({span}) is missing from the backend's OpenAPI; implement it or remove it from the docs", key=("missing", ep.key), endpoint=ep)
            ctx.coverage.explain(ep.key, None, "endpoint missing from the backend")
            continue
        _compare_operation(ctx, ep, ctx.op(ep), theirs[key][1], backend)
    for key in sorted(theirs):
        if key in ours:
            continue
        local = theirs[key][0]
        near = ctx.where.nearest(local)
        span = ctx.where.endpoint(near)
        infra = any(local.rstrip("/").endswith(p) for p in INFRA_PATHS)
        where = f"next to {near.key} ({span})" if near else "in the docs"
        ctx.report("RT411", span, f"the backend serves {key[0]} {local}, which the docs do not describe; document it {where} or remove it",
                   key=("extra", key), severity=None if not infra else _info())
    return ["interface.endpoints", "interface.parameters", "interface.statuses", "interface.bodies", "interface.security"]


def _info() -> Any:
    from roundtrip.diagnostics import Severity

    return Severity.INFO


def _compare_operation(ctx: Context, ep: Endpoint, ours: dict[str, Any], theirs: dict[str, Any], backend: dict[str, Any]) -> None:
    _compare_security(ctx, ep, ours, theirs, backend)
    _compare_parameters(ctx, ep, ours, theirs, backend)
    _compare_request(ctx, ep, ours, theirs, backend)
    _compare_responses(ctx, ep, ours, theirs, backend)


def _compare_security(ctx: Context, ep: Endpoint, ours: dict[str, Any], theirs: dict[str, Any], backend: dict[str, Any]) -> None:
    want = ours.get("security", ctx.doc.get("security", []))
    have = theirs.get("security", backend.get("security", []))
    # [] is public; [{}] makes credentials optional; [{"bearerAuth": []}] requires them
    want_auth = bool(want) and all(bool(req) for req in want)
    have_auth = bool(have) and all(bool(req) for req in have)
    if want_auth == have_auth:
        return
    span = ctx.where.auth(ep)
    if want_auth:
        msg = f"{ep.key} requires authentication in the docs ({span}) but the backend's OpenAPI declares no security for it"
    else:
        msg = f"{ep.key} is public in the docs ({span}) but the backend's OpenAPI requires credentials for it"
    ctx.report("RT420", span, msg, key=("security", ep.key), endpoint=ep)


# ---------------------------------------------------------------------- parameters
def _params(op: dict[str, Any], doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for p in op.get("parameters") or []:
        if isinstance(p, dict) and "$ref" in p:
            from roundtrip.verify.schemas import resolve_ref

            p = resolve_ref(doc, str(p["$ref"])) or {}
        if isinstance(p, dict) and p.get("name"):
            out.append(p)
    return out


def _compare_parameters(ctx: Context, ep: Endpoint, ours: dict[str, Any], theirs: dict[str, Any], backend: dict[str, Any]) -> None:
    mine = _params(ours, ctx.doc)
    other = _params(theirs, backend)
    other_path = [p for p in other if p.get("in") == "path"]
    mine_path = [p for p in mine if p.get("in") == "path"]
    matched: dict[int, dict[str, Any]] = {}
    for p in mine:
        if p.get("in") == "path":
            idx = mine_path.index(p)
            q = other_path[idx] if idx < len(other_path) else None
        else:
            q = next((x for x in other if x.get("in") == p.get("in") and x.get("name") == p.get("name")), None)
        if q is not None:
            matched[id(q)] = q
        _compare_parameter(ctx, ep, p, q, backend)
    for q in other:
        if id(q) in matched or q.get("in") == "path":
            continue
        if q.get("in") == "header" and str(q.get("name", "")).lower() in ("authorization", "x-request-id", "accept", "content-type"):
            continue
        span = ctx.where.endpoint(ep)
        ctx.report("RT413", span, f"the backend accepts {q.get('in')} parameter {q.get('name')!r} on {ep.key}, which the docs ({span}) do not describe",
                   key=("extra-param", ep.key, q.get("in"), q.get("name")), endpoint=ep)


def _compare_parameter(ctx: Context, ep: Endpoint, p: dict[str, Any], q: dict[str, Any] | None, backend: dict[str, Any]) -> None:
    name, where = str(p.get("name")), str(p.get("in"))
    span = ctx.where.parameter(ep, name, where)
    if q is None:
        ctx.report("RT412", span, f"{ep.key}: the backend does not accept the documented {where} parameter {name!r} ({span}); implement it",
                   key=("param", ep.key, where, name), endpoint=ep)
        return
    if bool(q.get("required")) and not bool(p.get("required")) and where != "path":
        ctx.report("RT412", span, f"{ep.key}: the backend requires {where} parameter {name!r}, the docs make it optional ({span})",
                   key=("param-required", ep.key, where, name), endpoint=ep)
    mine = normalize(p.get("schema") or {}, ctx.doc)
    theirs = normalize(q.get("schema") or {}, backend)
    default_span, documented_default = span, mine.get("default")
    own = next((x for x in ep.parameters if x.name == name and x.location.value == where), None)
    stated_here = own is not None and own.has_default
    convention = ctx.spec.convention("pagination.default_limit")
    if name == "limit" and convention is not None and not stated_here and documented_default in (None, convention):
        # the default comes from the pagination convention (the compiled document may copy it in): its line says it
        documented_default = convention
        default_span = ctx.where.convention("pagination.default_limit") or span
    if documented_default is not None and "default" in theirs and theirs["default"] != documented_default:
        ctx.report("RT412", default_span, f"{ep.key}: {where} parameter {name!r} defaults to {theirs['default']!r} in the backend, the docs say {documented_default!r} ({default_span})",
                   key=("param-default", ep.key, where, name), endpoint=ep)
    mine.pop("default", None)
    theirs.pop("default", None)
    _compare_schema(ctx, ep, "request", [], mine, theirs, label=f"{where} parameter {name!r}", span_override=span)


# ---------------------------------------------------------------------- bodies
def _json_media(content: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    for ct, media in content.items():
        base = ct.split(";")[0].strip().lower()
        if (base == "application/json" or base.endswith("+json")) and isinstance(media, dict):
            return base, media
    return None


def _compare_request(ctx: Context, ep: Endpoint, ours: dict[str, Any], theirs: dict[str, Any], backend: dict[str, Any]) -> None:
    mine, other = ours.get("requestBody"), theirs.get("requestBody")
    if not isinstance(mine, dict):
        return
    span = ctx.where.field(ep, "request", [])
    if not isinstance(other, dict):
        ctx.report("RT417", span, f"{ep.key}: the docs define a request body ({span}) but the backend's OpenAPI accepts none",
                   key=("request", ep.key), endpoint=ep)
        return
    a, b = _json_media(mine.get("content") or {}), _json_media(other.get("content") or {})
    if a is None:
        return
    if b is None:
        kinds = ", ".join(other.get("content") or {}) or "nothing"
        ctx.report("RT421", span, f"{ep.key}: the backend's request body is {kinds}, the docs say {a[0]} ({span})",
                   key=("request-ct", ep.key), endpoint=ep)
        return
    _compare_schema(ctx, ep, "request", [], normalize(a[1].get("schema") or {}, ctx.doc), normalize(b[1].get("schema") or {}, backend))


def _statuses(op: dict[str, Any], drop_fastapi_422: bool) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for k, v in (op.get("responses") or {}).items():
        if not str(k).isdigit() or not isinstance(v, dict) or v.get("x-roundtrip-undocumented"):
            continue
        if drop_fastapi_422 and str(k) == "422" and "HTTPValidationError" in str(v.get("content", "")):
            continue
        out[int(k)] = v
    return out


def _compare_responses(ctx: Context, ep: Endpoint, ours: dict[str, Any], theirs: dict[str, Any], backend: dict[str, Any]) -> None:
    mine = _statuses(ours, False)
    other = _statuses(theirs, True)
    ok_mine = sorted(s for s in mine if 200 <= s < 300)
    ok_other = sorted(s for s in other if 200 <= s < 300)
    if ok_mine and ok_other and not set(ok_mine) & set(ok_other):
        span = ctx.where.success(ep, ok_mine[0])
        ctx.report("RT414", span, f"{ep.key} answers {', '.join(map(str, ok_other))} on success in the backend's OpenAPI, the docs say {', '.join(map(str, ok_mine))} ({span})",
                   key=("status", ep.key, ok_mine[0]), endpoint=ep)
    undeclared = [s for s in mine if s >= 300 and s not in other]
    if undeclared:
        span = ctx.where.endpoint(ep)
        ctx.report("RT416", span, f"{ep.key}: the backend's OpenAPI does not declare documented status(es) {', '.join(map(str, undeclared))}; behaviour checks them",
                   key=("undeclared", ep.key), endpoint=ep)
    for s in sorted(other):
        if s not in mine and s >= 300:
            span = ctx.where.endpoint(ep)
            ctx.report("RT415", span, f"{ep.key}: the backend's OpenAPI declares status {s}, which the docs ({span}) do not document",
                       key=("extra-status", ep.key, s), endpoint=ep)
    for s in sorted(set(mine) & set(other)):
        a_content, b_content = mine[s].get("content") or {}, other[s].get("content") or {}
        if not a_content:
            continue
        span = ctx.where.status(ep, s) if s >= 300 else ctx.where.success(ep, s)
        a, b = _json_media(a_content), _json_media(b_content)
        if a is not None and b is None:
            if b_content:
                ctx.report("RT421", span, f"{ep.key} answers {s} with {', '.join(b_content)} in the backend's OpenAPI, the docs say {a[0]} ({span})",
                           key=("content-type", ep.key, s), endpoint=ep)
            continue
        if a is None or b is None:
            continue
        if "schema" in a[1] and "schema" in b[1]:
            _compare_schema(ctx, ep, s, [], normalize(a[1]["schema"], ctx.doc), normalize(b[1]["schema"], backend))


# ---------------------------------------------------------------------- schemas
def _type_of(s: dict[str, Any]) -> str:
    t = s.get("type")
    if isinstance(t, str):
        return t
    if "properties" in s:
        return "object"
    if "items" in s:
        return "array"
    return ""


def _compare_schema(ctx: Context, ep: Endpoint, where: int | str, path: list[str], mine: dict[str, Any], theirs: dict[str, Any],
                    *, label: str = "", span_override: Any = None) -> None:
    if len(path) > MAX_DEPTH or not mine or not theirs or "x-recursive" in mine or "x-recursive" in theirs:
        return
    request = where == "request"
    span = span_override or ctx.where.field(ep, where, path)
    what = label or (f"request field {'.'.join(path)!r}" if request and path else
                     "the request body" if request else f"field {'.'.join(path)!r} of the {where} response" if path else f"the {where} response body")
    inferred = bool(mine.get("x-inferred"))
    key_base = ("schema", ep.key, str(where), ".".join(path))
    ta, tb = _type_of(mine), _type_of(theirs)
    if ta and tb and ta != tb and not ({ta, tb} == {"integer", "number"} and (inferred or (not request and ta == "number"))):
        ctx.report("RT417", span, f"{ep.key}: {what} is {tb} in the backend, {ta} in the docs ({span})", key=(*key_base, "type"), endpoint=ep)
        return
    na, nb = bool(mine.get("x-nullable")), bool(theirs.get("x-nullable"))
    if na != nb and not inferred:
        if request and nb:
            ctx.report("RT417", span, f"{ep.key}: the backend accepts null for {what}, the docs do not allow null ({span})", key=(*key_base, "null"), endpoint=ep)
        elif request and na:
            ctx.report("RT417", span, f"{ep.key}: the backend rejects null for {what}, the docs allow null ({span})", key=(*key_base, "null"), endpoint=ep)
        elif not request and nb:
            ctx.report("RT417", span, f"{ep.key}: the backend may return null for {what}, the docs do not allow null ({span})", key=(*key_base, "null"), endpoint=ep)
    _compare_enum(ctx, ep, request, span, what, mine, theirs, key_base)
    if request:
        _compare_constraints(ctx, ep, span, what, mine, theirs, key_base)
        fa, fb = mine.get("format"), theirs.get("format")
        if fa in ("uuid", "date", "date-time") and fb and fb != fa:
            ctx.report("RT417", span, f"{ep.key}: {what} has format {fb} in the backend, {fa} in the docs ({span})", key=(*key_base, "format"), endpoint=ep)
    if ta == "array" or tb == "array":
        _compare_schema(ctx, ep, where, path, mine.get("items") or {}, theirs.get("items") or {}, label=label and f"items of {label}")
        return
    props_a, props_b = mine.get("properties"), theirs.get("properties")
    if not isinstance(props_a, dict) or not isinstance(props_b, dict):
        return
    _compare_properties(ctx, ep, where, path, mine, theirs, props_a, props_b, inferred)


def _compare_properties(ctx: Context, ep: Endpoint, where: int | str, path: list[str], mine: dict[str, Any], theirs: dict[str, Any],
                        props_a: dict[str, Any], props_b: dict[str, Any], inferred: bool) -> None:
    request = where == "request"
    documented = set(props_a)  # a backend that also accepts a documented read-only field is harmless
    if request:
        props_a = {k: v for k, v in props_a.items() if not (isinstance(v, dict) and v.get("readOnly"))}
    missing = [k for k in props_a if k not in props_b]
    extra = [k for k in props_b if k not in documented and not (request and isinstance(props_b[k], dict) and props_b[k].get("readOnly"))]
    paired: dict[str, str] = {}
    for k in missing:
        close = difflib.get_close_matches(k, [e for e in extra if e not in paired.values()], n=1, cutoff=0.6)
        if close:
            paired[k] = close[0]
    where_text = "request body" if request else f"{where} response"
    for k in missing:
        span = ctx.where.field(ep, where, [*path, k])
        dotted = ".".join([*path, k])
        if k in paired:
            msg = f"{ep.key}: the {where_text} has {'.'.join([*path, paired[k]])!r} where the docs say {dotted!r} ({span}); rename it"
        elif request:
            msg = f"{ep.key}: the backend does not accept the documented request field {dotted!r} ({span})"
        else:
            msg = f"{ep.key}: the backend's {where} response lacks the documented field {dotted!r} ({span})"
        ctx.report("RT417", span, msg, key=("schema", ep.key, str(where), dotted, "missing"), endpoint=ep)
    for k in extra:
        if k in paired.values():
            continue
        span = ctx.where.field(ep, where, path) if path else (ctx.where.field(ep, where, []))
        dotted = ".".join([*path, k])
        ctx.report("RT422", span, f"{ep.key}: the backend's {where_text} has field {dotted!r}, which the docs ({span}) do not describe",
                   key=("schema", ep.key, str(where), dotted, "extra"), endpoint=ep)
    req_a, req_b = set(mine.get("required") or []), set(theirs.get("required") or [])
    for k in sorted(props_a):
        if k not in props_b:
            continue
        sub_a = props_a[k] if isinstance(props_a[k], dict) else {}
        field_inferred = inferred or bool(sub_a.get("x-inferred"))
        span = ctx.where.field(ep, where, [*path, k])
        dotted = ".".join([*path, k])
        if request and k in req_b and k not in req_a:
            ctx.report("RT417", span, f"{ep.key}: the backend requires request field {dotted!r}, the docs make it optional ({span})",
                       key=("schema", ep.key, str(where), dotted, "required"), endpoint=ep)
        elif request and k in req_a and k not in req_b:
            ctx.report("RT417", span, f"{ep.key}: the backend makes request field {dotted!r} optional, the docs require it ({span})",
                       key=("schema", ep.key, str(where), dotted, "required"), endpoint=ep)
        elif not request and k in req_a and k not in req_b and not field_inferred:
            ctx.report("RT417", span, f"{ep.key}: the backend may omit {dotted!r} from the {where} response, the docs require it ({span})",
                       key=("schema", ep.key, str(where), dotted, "required"), endpoint=ep)
        _compare_schema(ctx, ep, where, [*path, k], sub_a, props_b[k] if isinstance(props_b[k], dict) else {})


def _compare_enum(ctx: Context, ep: Endpoint, request: bool, span: Any, what: str, mine: dict[str, Any], theirs: dict[str, Any], key_base: tuple[Any, ...]) -> None:
    ea, eb = mine.get("enum"), theirs.get("enum")
    if not isinstance(ea, list):
        return
    if not isinstance(eb, list):
        if request:
            ctx.report("RT419", span, f"{ep.key}: the backend's OpenAPI does not restrict {what} to {', '.join(map(str, ea))} ({span})",
                       key=(*key_base, "enum"), endpoint=ep)
        return
    extra = [v for v in eb if v not in ea]
    lacking = [v for v in ea if v not in eb]
    if extra or (request and lacking):
        parts = []
        if extra:
            parts.append(f"allows {', '.join(map(str, extra))}")
        if request and lacking:
            parts.append(f"rejects {', '.join(map(str, lacking))}")
        ctx.report("RT418", span, f"{ep.key}: the backend {' and '.join(parts)} for {what}; the docs say {', '.join(map(str, ea))} ({span})",
                   key=(*key_base, "enum"), endpoint=ep)


def _compare_constraints(ctx: Context, ep: Endpoint, span: Any, what: str, mine: dict[str, Any], theirs: dict[str, Any], key_base: tuple[Any, ...]) -> None:
    undeclared = []
    for c in CONSTRAINTS:
        a, b = mine.get(c), theirs.get(c)
        if a is None:
            continue
        if b is None:
            undeclared.append(f"{c} {a}")
        elif a != b:
            ctx.report("RT418", span, f"{ep.key}: {what} has {c} {b} in the backend, {a} in the docs ({span})", key=(*key_base, c), endpoint=ep)
    if undeclared:
        ctx.report("RT419", span, f"{ep.key}: the backend's OpenAPI does not declare {', '.join(undeclared)} for {what} ({span}); behaviour checks that it is enforced",
                   key=(*key_base, "undeclared"), endpoint=ep)
