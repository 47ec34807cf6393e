"""Spec → OpenAPI 3.1 document (a plain dict), its validation, and deterministic YAML/JSON text.

`build_openapi` is a pure function: same Spec, same dict, same key order, whatever order the
endpoints arrive in. Types go through `openapi_schema.SchemaBuilder` (which uses the one type
table in `roundtrip.ir.typemap`). The document describes the API only: no table metadata.

Choices that are not obvious from the IR:
- paths are sorted by path, operations by HTTP method order, responses by status;
- inline request/response objects become named components (`<OperationId>Request`,
  `<OperationId>Response<status>`) so code generators get stable class names;
- documented errors are grouped per status under the error envelope, one named example per code;
- an endpoint with no documented 1xx-3xx response gets a method-based success response marked
  `x-roundtrip-undocumented: true`, because every operation needs at least one response.
"""

from __future__ import annotations

import http
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import yaml

from roundtrip.emit.openapi_schema import SchemaBuilder, component_name, jsonable, nullable_schema, pascal_id
from roundtrip.emit.openapi_validate import validate_openapi
from roundtrip.ir.api import (
    Body,
    Endpoint,
    ErrorDoc,
    Parameter,
    ParamIn,
    RateLimit,
    Response,
    SchemeKind,
    SecurityScheme,
)
from roundtrip.ir.common_errors import common_errors_for
from roundtrip.ir.listing import COUNT_PARAMS, OFFSET_PARAMS, PAGE_NUMBER_PARAMS, PAGE_SIZE_PARAMS
from roundtrip.ir.matching import table_for_endpoint
from roundtrip.ir.schema import Field
from roundtrip.ir.spec import Convention, Spec
from roundtrip.ir.types import Constraints, Kind, TypeRef

OPENAPI_VERSION = "3.1.0"
__all__ = ["OPENAPI_VERSION", "build_openapi", "dump_json", "dump_yaml", "validate_openapi"]
# OpenAPI path items accept these operations, in this (documentation) order.
_METHOD_ORDER = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
_PATH_PARAM = re.compile(r"\{([^{}/]+)\}")
# Names an error-envelope schema goes by, most specific first.
_ENVELOPE_NAMES = (
    "ErrorResponse",
    "ErrorEnvelope",
    "ApiErrorResponse",
    "ApiError",
    "APIError",
    "ErrorBody",
    "Error",
    "ProblemDetails",
    "Problem",
)
_DEFAULT_SCHEME = "bearerAuth"


def build_openapi(spec: Spec) -> dict[str, Any]:
    """The OpenAPI 3.1 document for a Spec. Pure: no I/O, no clock; deterministic key order."""
    schemas = SchemaBuilder(spec)
    schemas.build_named()
    ops = _OperationBuilder(spec, schemas)
    paths = ops.paths()

    doc: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": _info(spec)}
    servers = _servers(spec)
    if servers:
        doc["servers"] = servers
    if ops.tags:
        doc["tags"] = [{"name": t} for t in sorted(ops.tags)]
    doc["paths"] = paths
    components: dict[str, Any] = {}
    comp_schemas = schemas.components()
    if comp_schemas:
        components["schemas"] = comp_schemas
    security = ops.security_schemes()
    if security:
        components["securitySchemes"] = security
    if components:
        doc["components"] = components
    if spec.rate_limits:
        doc["x-rate-limits"] = [_rate_limit(r) for r in spec.rate_limits]
    return doc


def _info(spec: Spec) -> dict[str, Any]:
    info: dict[str, Any] = {
        "title": spec.info.title.strip() or "API",
        "version": spec.info.version.strip() or "0.0.0",
    }
    if spec.info.description.strip():
        info["description"] = spec.info.description.strip()
    return info


def _servers(spec: Spec) -> list[dict[str, str]]:
    base = spec.info.base_path.strip().rstrip("/")
    out: list[dict[str, str]] = []
    for url in spec.info.servers:
        url = url.strip()
        if not url:
            continue
        # Endpoint paths have the base path stripped, so a bare-host server URL must carry it;
        # a URL that already has a path of its own is the docs' statement and is kept as written.
        if base and "://" in url and urlsplit(url).path in ("", "/"):
            url = url.rstrip("/") + base
        if all(s["url"] != url for s in out):
            out.append({"url": url})
    if not out and base:
        out.append({"url": base if base.startswith(("/", "http")) else "/" + base})
    return out


def _rate_limit(r: RateLimit) -> dict[str, Any]:
    out: dict[str, Any] = {"requests": r.requests, "perSeconds": r.per_seconds}
    if r.scope:
        out["scope"] = r.scope
    if r.text:
        out["description"] = r.text
    return out


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"Status {status}"


def _status_ok(status: Any) -> bool:
    return isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599


def _norm_path(path: str) -> str:
    # A query string or fragment is not part of an OpenAPI path template.
    p = re.split(r"[?#]", (path or "").strip(), maxsplit=1)[0].strip() or "/"
    return p if p.startswith("/") else "/" + p


def _derived_operation_id(method: str, path: str) -> str:
    """`GET /tasks/{id}/comments` → `getTasksByIdComments`."""
    words: list[str] = []
    for seg in path.split("/"):
        if not seg:
            continue
        m = _PATH_PARAM.fullmatch(seg)
        words.append("By" + pascal_id(m.group(1)) if m else pascal_id(seg))
    return method.lower() + ("".join(words) or "Root")


class _OperationBuilder:
    def __init__(self, spec: Spec, schemas: SchemaBuilder) -> None:
        self.spec = spec
        self.schemas = schemas
        self.tags: list[str] = []
        self._envelope: tuple[dict[str, Any], list[Field]] | None = None
        self._schemes: dict[str, dict[str, Any]] = {}
        bearer = ""
        for s in spec.security_schemes:
            if isinstance(s, SecurityScheme):
                name = component_name(s.name or s.kind.value + "Auth")
                if name not in self._schemes:
                    self._schemes[name] = _security_scheme(s)
                    if s.kind is SchemeKind.BEARER and not bearer:
                        bearer = name
        # "Requires auth" in these docs means the bearer token when there is one, else the first scheme named.
        self._scheme_for_auth = bearer or next(iter(self._schemes), "")
        self._needs_default_scheme = False

    def security_schemes(self) -> dict[str, dict[str, Any]]:
        out = dict(self._schemes)
        if self._needs_default_scheme and _DEFAULT_SCHEME not in out:
            out[_DEFAULT_SCHEME] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        return out

    # ----- paths and operations
    def paths(self) -> dict[str, Any]:
        ordered = self._ordered(self.spec.endpoints)
        op_ids = self._operation_ids(ordered)
        paths: dict[str, Any] = {}
        for (path, method, ep), op_id in zip(ordered, op_ids, strict=True):
            item = paths.setdefault(path, {})
            item[method] = self._operation(ep, path, method, op_id)
        return paths

    @staticmethod
    def _ordered(endpoints: Iterable[Endpoint]) -> list[tuple[str, str, Endpoint]]:
        rows: list[tuple[str, str, Endpoint]] = []
        for ep in endpoints:
            method = (ep.method or "").strip().lower()
            if method not in _METHOD_ORDER:
                continue  # OpenAPI has no slot for other verbs; the reader already reported them
            rows.append((_norm_path(ep.path), method, ep))
        rows.sort(
            key=lambda r: (
                r[0],
                _METHOD_ORDER.index(r[1]),
                r[2].operation_id,
                r[2].summary,
                r[2].span.file,
                r[2].span.line,
            )
        )
        out: list[tuple[str, str, Endpoint]] = []
        seen: set[tuple[str, str]] = set()
        for path, method, ep in rows:
            if (path, method) not in seen:  # an endpoint documented twice is RT209; one operation per slot
                seen.add((path, method))
                out.append((path, method, ep))
        return out

    @staticmethod
    def _operation_ids(ordered: list[tuple[str, str, Endpoint]]) -> list[str]:
        """Explicit ids first (they are the docs' own names), then derived ones; all unique."""
        ids: list[str] = [""] * len(ordered)
        used: set[str] = set()

        def unique(base: str) -> str:
            candidate, n = base, 1
            while candidate in used:
                n += 1
                candidate = f"{base}{n}"
            used.add(candidate)
            return candidate

        for i, (_path, _method, ep) in enumerate(ordered):
            explicit = re.sub(r"\s+", "", (ep.operation_id or "").strip())
            if explicit:
                ids[i] = unique(explicit)
        for i, (path, method, _ep) in enumerate(ordered):
            if not ids[i]:
                ids[i] = unique(_derived_operation_id(method, path))
        return ids

    def _operation(self, ep: Endpoint, path: str, method: str, op_id: str) -> dict[str, Any]:
        op: dict[str, Any] = {"operationId": op_id}
        if ep.summary.strip():
            op["summary"] = ep.summary.strip()
        if ep.description.strip():
            op["description"] = ep.description.strip()
        tags = list(dict.fromkeys(t.strip() for t in ep.tags if t and t.strip()))
        if tags:
            op["tags"] = tags
            self.tags.extend(t for t in tags if t not in self.tags)
        security = self._security(ep)
        if security is not None:
            op["security"] = security
        if ep.auth.roles:
            op["x-roles"] = list(ep.auth.roles)
        params = self._parameters(ep, path)
        if params:
            op["parameters"] = params
        stem = pascal_id(op_id)
        if ep.request is not None:
            op["requestBody"] = self._request_body(self._refined_body(ep, ep.request, response=False), stem)
            # which roles may send which fields ("member (self: `email`) or admin (...)"), and fields only some roles
            # may send at all (a Required cell "staff only": `only`, as the app model has them)
            groups = [{"roles": list(rf.roles), "fields": list(rf.fields), **({"self": True} if rf.self_only else {}),
                       **({"requires": dict(rf.requires)} if rf.requires else {})} for rf in ep.request.role_fields]
            groups += sender_groups(ep.request.type.fields if ep.request.type is not None else ())
            if groups:
                op["x-roles-fields"] = groups
        op["responses"] = self._responses(ep, method, stem)
        if ep.rate_limit is not None:
            op["x-rate-limit"] = _rate_limit(ep.rate_limit)
        if ep.caching.strip():
            op["x-caching"] = ep.caching.strip()
        if not ep.detailed:
            op["x-roundtrip-summary-only"] = True
        return op

    def _security(self, ep: Endpoint) -> list[dict[str, list[str]]] | None:
        if ep.auth.required is True:
            name = self._scheme_for_auth
            if not name:
                self._needs_default_scheme = True
                name = _DEFAULT_SCHEME
            return [{name: []}]
        if ep.auth.required is False:
            return []
        return None

    # ----- parameters
    def _parameters(self, ep: Endpoint, path: str) -> list[dict[str, Any]]:
        template = list(dict.fromkeys(_PATH_PARAM.findall(path)))
        declared = [p for p in ep.parameters if isinstance(p, Parameter) and _location(p) == "path"]
        by_name: dict[str, Parameter] = {}
        for p in declared:
            by_name.setdefault(p.name, p)
        missing = [n for n in template if n not in by_name]
        stray = [p for p in declared if p.name not in template]
        # `{id}` in the path but the docs' table calls it `taskId`: one of each means they are the same parameter.
        if len(missing) == 1 and len(stray) == 1:
            by_name[missing[0]] = stray[0]
        out: list[dict[str, Any]] = []
        for name in template:
            declared_p = by_name.get(name)
            if declared_p is None:
                out.append({"name": name, "in": "path", "required": True, "schema": {"type": "string"}})
            else:
                out.append(self._parameter(declared_p, name=name, location="path", required=True))
        seen = {("path", n) for n in template}
        for p in ep.parameters:
            if not isinstance(p, Parameter) or not p.name:
                continue
            loc = _location(p)
            if loc == "path" or loc not in ("query", "header", "cookie") or (loc, p.name) in seen:
                continue  # a path parameter not in the template would make the document invalid
            seen.add((loc, p.name))
            out.append(self._parameter(p, name=p.name, location=loc, required=p.required))
        return out

    def _parameter(self, p: Parameter, *, name: str, location: str, required: bool) -> dict[str, Any]:
        if location == "query":
            p = paginated(p, self.spec.conventions)
        out: dict[str, Any] = {"name": name, "in": location}
        if p.description.strip():
            out["description"] = p.description.strip()
        if required:
            out["required"] = True
        schema = dict(self.schemas.schema_for(p.type, p.constraints))
        if p.has_default:
            schema["default"] = jsonable(p.default)
        out["schema"] = schema
        return out

    # ----- bodies
    def _refined_body(self, ep: Endpoint, body: Body, *, response: bool) -> Body:
        """An inline body as the API answers it: example-inferred values widened by the other statements
        (roundtrip.ir.infer.Evidence). A response field the create request may leave out (optional, no
        default) or set to null is stored as NULL and answered as null."""
        t = body.type
        if t is None or t.kind not in (Kind.OBJECT, Kind.ARRAY):
            return body
        may_be_null: frozenset[str] = frozenset()
        if response and ep.request is not None and ep.request.type is not None:
            fields = self.schemas.object_fields(ep.request.type) or []
            may_be_null = frozenset(
                f.name for f in fields if f.type.nullable or (ep.method.upper() == "POST" and not f.required and not f.has_default)
            )
        hint = table_for_endpoint(ep, self.spec.tables)
        refined = self.schemas.evidence.refine(t, response=response, hint=hint, nullable=may_be_null)
        if response:
            # a response object is backed by the table whose columns match most of its fields
            obj = refined.items if refined.kind is Kind.ARRAY and refined.items is not None else refined
            backing = self.schemas.evidence.table_for(obj.fields, hint) if obj.kind is Kind.OBJECT else None
            refined = self.schemas.column_backed(refined, "", backing)
        else:
            refined = self.schemas.column_backed(refined, f"endpoint:{ep.key}")
        return body if refined == t else replace(body, type=refined)

    def _body_schema(self, t: TypeRef | None, base: str) -> dict[str, Any] | None:
        if t is None:
            return None
        core = t.with_nullable(False)
        if core.kind is Kind.OBJECT:
            ref = self.schemas.add_generated(base, self.schemas.schema_for(core))
            return nullable_schema(ref) if t.nullable else ref
        if core.kind is Kind.ARRAY and core.items is not None and core.items.kind is Kind.OBJECT:
            item = core.items
            item_ref = self.schemas.add_generated(base + "Item", self.schemas.schema_for(item.with_nullable(False)))
            arr = self.schemas.template(Kind.ARRAY, {"items": nullable_schema(item_ref) if item.nullable else item_ref})
            return nullable_schema(arr) if t.nullable else arr
        return self.schemas.schema_for(t)

    def _request_body(self, body: Body, stem: str) -> dict[str, Any]:
        media: dict[str, Any] = {}
        schema = self._body_schema(body.type, f"{stem}Request")
        if schema is not None:
            media["schema"] = schema
        if body.has_example or body.example is not None:
            media["example"] = jsonable(body.example)
        out: dict[str, Any] = {}
        if body.description.strip():
            out["description"] = body.description.strip()
        out["content"] = {_content_type(body): media}
        if self._body_required(body.type):
            out["required"] = True
        return out

    def _body_required(self, t: TypeRef | None) -> bool:
        if t is None:
            return False
        if t.kind is Kind.REF:
            return True
        fields = self.schemas.object_fields(t) or []
        return any(f.required for f in fields)

    # ----- responses
    def _responses(self, ep: Endpoint, method: str, stem: str) -> dict[str, Any]:
        documented: dict[int, Response] = {}
        for r in ep.responses:
            if isinstance(r, Response) and _status_ok(r.status):
                documented.setdefault(r.status, r)
        errors = _group(e for e in ep.errors if isinstance(e, ErrorDoc) and _status_ok(e.status))
        common: dict[int, list[ErrorDoc]] = {}
        if ep.auth.required is True:
            # the common rows whose condition can arise here (ir.common_errors): no 409 on a logout
            every = _group(e for e in common_errors_for(self.spec, ep) if isinstance(e, ErrorDoc) and _status_ok(e.status))
            common = {st: docs for st, docs in every.items() if st not in documented and st not in errors}
            # "can be returned by every authenticated endpoint": a class error carried onto the endpoint
            # (400 INVALID_SORT_FIELD from the Sorting convention) does not take the common 400 away
            class_errors = {str(c.value) for c in self.spec.conventions if c.key == "sort.error"}
            for st, docs in every.items():
                if st in errors and st not in documented and all(f"{e.status} {e.code}" in class_errors for e in errors[st]):
                    codes = {e.code for e in errors[st]}
                    errors[st] = errors[st] + [e for e in docs if e.code not in codes]
        out: dict[str, Any] = {}
        for status in sorted(set(documented) | set(errors) | set(common)):
            if status in documented:
                r = documented[status]
                if r.body is not None and status < 400:
                    r = replace(r, body=self._refined_body(ep, r.body, response=True))
                out[str(status)] = self._documented_response(r, errors.get(status, []), stem)
            else:
                out[str(status)] = self._error_response(status, errors.get(status) or common[status])
        if not any(100 <= st < 400 for st in documented):
            status = 201 if method == "post" else 204 if method == "delete" else 200
            if str(status) not in out:
                out[str(status)] = {
                    "description": "Success (not documented)",
                    "x-roundtrip-undocumented": True,
                }
                out = {k: out[k] for k in sorted(out)}
        return out

    def _documented_response(self, r: Response, errors: list[ErrorDoc], stem: str) -> dict[str, Any]:
        out: dict[str, Any] = {"description": r.description.strip() or _reason(r.status)}
        body = r.body
        media: dict[str, Any] = {}
        schema = self._body_schema(body.type, f"{stem}Response{r.status}") if body is not None else None
        if schema is None and r.status >= 400 and (errors or body is not None):
            schema = self.envelope()[0]
        if schema is not None:
            media["schema"] = schema
        has_example = body is not None and (body.has_example or body.example is not None)
        if errors:
            examples: dict[str, Any] = {}
            if has_example and body is not None:
                examples["documented"] = {"value": jsonable(body.example)}
            examples.update(self._error_examples(r.status, errors, taken=list(examples)))
            if examples:
                media["examples"] = examples
        elif has_example and body is not None:
            media["example"] = jsonable(body.example)
        if media or (body is not None and body.type is not None):
            out["content"] = {_content_type(body): media}
        return out

    def _error_response(self, status: int, docs: list[ErrorDoc]) -> dict[str, Any]:
        messages = [d.message.strip() for d in docs if d.message.strip()]
        description = messages[0] if len(docs) == 1 and messages else _reason(status)
        media: dict[str, Any] = {"schema": self.envelope()[0]}
        examples = self._error_examples(status, docs, taken=[])
        if examples:
            media["examples"] = examples
        return {"description": description, "content": {"application/json": media}}

    def _error_examples(self, status: int, docs: list[ErrorDoc], taken: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        used = list(taken)
        for d in docs:
            code, message = d.code.strip(), d.message.strip()
            if not code and not message and d.example is None:
                continue
            key = base = code or f"status{status}"
            n = 1
            while key in used:
                n += 1
                key = f"{base}_{n}"
            used.append(key)
            example: dict[str, Any] = {"summary": message or _reason(status)}
            if d.example is not None:
                example["value"] = jsonable(d.example)
            else:
                value = self._envelope_value(self.envelope()[1], code, message or _reason(status), status, 0)
                if value:
                    example["value"] = value
            out[key] = example
        return out

    # ----- the error envelope
    def envelope(self) -> tuple[dict[str, Any], list[Field]]:
        """($ref to the error envelope component, its fields), created on first use."""
        if self._envelope is None:
            self._envelope = self._make_envelope()
        return self._envelope

    def _make_envelope(self) -> tuple[dict[str, Any], list[Field]]:
        t = self.spec.error_envelope
        if t is not None:
            core = t.with_nullable(False)
            fields = self.schemas.object_fields(core) or []
            if core.kind is Kind.REF and self.schemas.lookup(core.ref) is not None:
                return self.schemas.schema_for(core), fields
            return self.schemas.add_generated("ErrorResponse", self.schemas.schema_for(core)), fields
        found = self._envelope_schema_name()
        if found:
            ref = TypeRef(Kind.REF, ref=found)
            return self.schemas.schema_for(ref), self.schemas.object_fields(ref) or []
        generic = TypeRef(
            Kind.OBJECT,
            fields=(
                Field(
                    "error",
                    TypeRef(
                        Kind.OBJECT,
                        fields=(Field("code", TypeRef(Kind.STRING)), Field("message", TypeRef(Kind.STRING))),
                    ),
                ),
            ),
        )
        return self.schemas.add_generated("ErrorResponse", self.schemas.schema_for(generic)), list(generic.fields)

    def _envelope_schema_name(self) -> str:
        for name in _ENVELOPE_NAMES:
            s = self.schemas.lookup(name)
            if s is not None and not s.params:
                return s.name
        wanted = [n.casefold() for n in _ENVELOPE_NAMES]
        for s in self.spec.schemas:
            if s.name.casefold() in wanted and not s.params:
                return s.name
        return ""

    def _envelope_value(self, fields: list[Field], code: str, message: str, status: int, depth: int) -> dict[str, Any]:
        """An example error body shaped like the envelope, carrying the documented code and message."""
        out: dict[str, Any] = {}
        for f in fields:
            key = f.name.lower().replace("_", "").replace("-", "")
            kind = f.type.kind
            if key in ("code", "errorcode", "type") and code and kind in (Kind.STRING, Kind.ENUM, Kind.ANY):
                out[f.name] = code
            elif key in ("message", "msg", "errormessage", "detail", "errordescription"):
                out[f.name] = message
            elif key == "error" and kind in (Kind.STRING, Kind.ENUM):
                out[f.name] = code or message
            elif key in ("status", "statuscode") and kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
                out[f.name] = status
            elif key == "title" and kind is Kind.STRING:
                out[f.name] = _reason(status)
            elif kind in (Kind.OBJECT, Kind.REF) and depth < 3:
                sub = self.schemas.object_fields(f.type.with_nullable(False))
                if sub:
                    value = self._envelope_value(sub, code, message, status, depth + 1)
                    if value:
                        out[f.name] = value
        # the example must validate against the envelope: give every other required field a typed placeholder
        for f in fields:
            if f.required and f.name not in out:
                out[f.name] = self._placeholder(f.type, depth)
        return out

    def _placeholder(self, t: TypeRef, depth: int) -> Any:
        if t.nullable:
            return None
        k = t.kind
        if k is Kind.STRING:
            return "example"
        if k is Kind.UUID:
            return "00000000-0000-4000-8000-000000000000"
        if k is Kind.DATETIME:
            return "2025-01-01T00:00:00Z"
        if k is Kind.DATE:
            return "2025-01-01"
        if k in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
            return 0
        if k is Kind.BOOLEAN:
            return False
        if k is Kind.ARRAY:
            return []
        if k is Kind.ENUM and t.values:
            return t.values[0]
        if k is Kind.LITERAL:
            return t.literal
        if k in (Kind.OBJECT, Kind.REF) and depth < 3:
            sub = self.schemas.object_fields(t)
            if sub:
                return {f.name: self._placeholder(f.type, depth + 1) for f in sub if f.required}
        return {}


# ----- pagination parameters


def _primary(conventions: Iterable[Convention], key: str) -> Any:
    """A convention's value as first stated. Two statements that disagree are the validator's RT211,
    which names the first as the one to keep; the emitter follows it rather than drop the bound."""
    return next((c.value for c in conventions if c.key == key), None)


def paginated(p: Parameter, conventions: Iterable[Convention]) -> Parameter:
    """A page-size/offset/page query parameter with the bounds the Pagination convention states
    ("`limit` … 1–100, default 20", "offset ≥ 0"), when the endpoint's own row leaves them unsaid
    ("See Pagination"). An offset below 0, a page below 1 or a page size below 1 names no page at
    all. A count typed `number` (TypeScript has no integer type) is an integer: there is no page 1.5."""
    name = p.name.lower()
    if name in COUNT_PARAMS and p.type.kind is Kind.FLOAT:
        p = replace(p, type=TypeRef(Kind.INTEGER, nullable=p.type.nullable))
    if p.type.kind is not Kind.INTEGER:
        return p
    c = p.constraints
    if any(v is not None for v in (c.minimum, c.maximum, c.exclusive_minimum, c.exclusive_maximum)):
        return p  # the endpoint states its own bounds
    conventions = tuple(conventions)
    lo = hi = default = None
    if name in PAGE_SIZE_PARAMS:
        lo, hi, default = (_primary(conventions, k) for k in ("pagination.min_limit", "pagination.max_limit", "pagination.default_limit"))
        if lo is None and (isinstance(hi, int) or isinstance(default, int)):
            lo = 1
    elif name in OFFSET_PARAMS and _primary(conventions, "pagination.style") == "offset":
        lo = 0
    elif name in PAGE_NUMBER_PARAMS and _primary(conventions, "pagination.style") == "page":
        lo = 1
    out = p
    if isinstance(lo, int) or isinstance(hi, int):
        out = replace(out, constraints=c.merged(Constraints(minimum=float(lo) if isinstance(lo, int) else None,
                                                            maximum=float(hi) if isinstance(hi, int) else None)))
    if isinstance(default, int) and not p.has_default:
        out = replace(out, default=default, has_default=True)
    return out


def _group(errors: Iterable[ErrorDoc]) -> dict[int, list[ErrorDoc]]:
    out: dict[int, list[ErrorDoc]] = {}
    for e in errors:
        out.setdefault(e.status, []).append(e)
    return out


def _location(p: Parameter) -> str:
    loc = p.location
    return str(loc.value if isinstance(loc, ParamIn) else loc).lower()


def _content_type(body: Body | None) -> str:
    ct = (body.content_type if body is not None else "").strip()
    return ct or "application/json"


def _security_scheme(s: SecurityScheme) -> dict[str, Any]:
    out: dict[str, Any]
    if s.kind is SchemeKind.BEARER:
        out = {"type": "http", "scheme": "bearer", "bearerFormat": s.bearer_format or "JWT"}
    elif s.kind is SchemeKind.BASIC:
        out = {"type": "http", "scheme": "basic"}
    elif s.kind is SchemeKind.API_KEY:
        out = {"type": "apiKey", "in": "header", "name": s.header or "X-API-Key"}
    elif s.kind is SchemeKind.COOKIE:
        out = {"type": "apiKey", "in": "cookie", "name": s.header or "session"}
    else:  # OAuth2: the docs name the scheme but not its flows; an empty flows object is valid and honest
        out = {"type": "oauth2", "flows": {}}
    if s.description.strip():
        out["description"] = s.description.strip()
    return out


# ----- text
# libyaml's emitter is ~20x faster than PyYAML's pure-Python one on large documents; same output.
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _NoAliasDumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Safe YAML without `&id001` anchors: a schema shared by two operations is printed twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def dump_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def sender_groups(fields: Iterable[Field]) -> list[dict[str, Any]]:
    """"staff only" fields: {"roles": [...], "fields": [...], "only": true} per set of roles the fields name as their
    only senders, in the body's order (the compiled OpenAPI's x-roles-fields and the app model's field_roles)."""
    by_roles: dict[tuple[str, ...], list[str]] = {}
    for f in fields:
        if f.sent_by:
            by_roles.setdefault(f.sent_by, []).append(f.name)
    return [{"roles": list(roles), "fields": names, "only": True} for roles, names in by_roles.items()]
