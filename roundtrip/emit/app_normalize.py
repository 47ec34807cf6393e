"""The documented normalization under which the generated app's own /openapi.json equals the compiled one.

    diff = compare_openapi(compiled, served)     # [] when they agree

Both documents are reduced to what a client depends on, per `METHOD path`: operationId, security,
parameters (name, in, required, schema), request body (required, schema) and each response's status
and schema. Removed on both sides, because they only differ by how FastAPI/pydantic print a schema
(LIBRARY-NOTES §8): `title`, `description`, `summary`, `example(s)`, `x-*` extensions, `default: null`,
`additionalProperties: true`, integer/number `format` (int32/double), `default` inside response
schemas (a default only means something for what a client sends), the component names (every
`$ref` is inlined), and the spelling of nullability (`anyOf [X, null]`, `type [t, null]` and
`oneOf` → one `nullable` flag; `oneOf` is compared as `anyOf`, the only union pydantic prints). `required` lists are sorted, integral floats become ints
(`minimum: 0.0` → 0), and a `const` carries no `type` beside it. The base path of the first server is stripped from paths.
"""

from __future__ import annotations

import re
from typing import Any

DROP = {"title", "description", "summary", "example", "examples", "deprecated", "readOnly", "writeOnly", "externalDocs"}
NUMERIC_FORMATS = {"int32", "int64", "double", "float", "int16", "int8"}
METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


def _deref(doc: dict[str, Any], node: Any, seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[-1]
            if name in seen:
                return {"$recursive": name}
            target = doc.get("components", {}).get("schemas", {}).get(name, {})
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return _deref(doc, merged, (*seen, name))
        return {k: _deref(doc, v, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [_deref(doc, v, seen) for v in node]
    return node


def normalize_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [normalize_schema(v) for v in node]
    if not isinstance(node, dict):
        if isinstance(node, float) and node.is_integer():
            return int(node)
        return node
    s = {k: v for k, v in node.items() if k not in DROP and not k.startswith("x-")}
    nullable = bool(s.pop("nullable", False))
    if "oneOf" in s and "anyOf" not in s:
        s["anyOf"] = s.pop("oneOf")  # pydantic publishes every union as anyOf
    for key in ("anyOf", "oneOf"):
        variants = s.get(key)
        if isinstance(variants, list):
            rest = [v for v in variants if not (isinstance(v, dict) and v.get("type") == "null")]
            if len(rest) < len(variants):
                nullable = True
            if len(rest) == 1:
                s.pop(key)
                s = {k: v for k, v in {**rest[0], **s}.items() if k not in DROP and not k.startswith("x-")}
            else:
                s[key] = rest
    if isinstance(s.get("allOf"), list) and len(s["allOf"]) == 1:
        only = s.pop("allOf")[0]
        s = {k: v for k, v in {**only, **s}.items() if k not in DROP and not k.startswith("x-")}
    t = s.get("type")
    if isinstance(t, list):
        if "null" in t:
            nullable = True
        rest_t = [x for x in t if x != "null"]
        s["type"] = rest_t[0] if len(rest_t) == 1 else sorted(rest_t)
    if isinstance(s.get("enum"), list) and None in s["enum"]:
        nullable = True
        s["enum"] = [v for v in s["enum"] if v is not None]
    if "const" in s and not isinstance(s.get("type"), list):
        s.pop("type", None)  # pydantic prints `Literal['me']` as const + type; the constant alone says both
    if s.get("default", 0) is None:
        s.pop("default")
    if s.get("additionalProperties") is True:
        s.pop("additionalProperties")
    if s.get("format") in NUMERIC_FORMATS or (s.get("type") in ("integer", "number") and "format" in s):
        s.pop("format", None)
    if "required" in s:
        s["required"] = sorted(s["required"])
        if not s["required"]:
            s.pop("required")
    out = {k: normalize_schema(v) for k, v in s.items() if k != "properties"}
    if "properties" in s:
        out["properties"] = {k: normalize_schema(v) for k, v in s["properties"].items()}
    if nullable and any(k in out for k in ("type", "enum", "const", "anyOf", "oneOf", "allOf", "$recursive")):
        out["nullable"] = True  # (an untyped schema admits null anyway)
    return out


def _drop_defaults(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_defaults(v) for k, v in node.items() if k != "default"}
    if isinstance(node, list):
        return [_drop_defaults(v) for v in node]
    return node


def base_path(doc: dict[str, Any]) -> str:
    servers = doc.get("servers") or []
    url = str(servers[0].get("url", "")) if servers else ""
    path = re.sub(r"^[a-z]+://[^/]+", "", url).rstrip("/")
    return path if path.startswith("/") else ""


def normalize_openapi(doc: dict[str, Any]) -> dict[str, Any]:
    base = base_path(doc)
    out: dict[str, Any] = {}
    for path, item in doc.get("paths", {}).items():
        short = path[len(base):] if base and path.startswith(base + "/") else path
        common = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            params = {}
            for p in [*common, *op.get("parameters", [])]:
                p = _deref(doc, p)
                params[(p.get("in"), p.get("name"))] = {
                    "required": bool(p.get("required", False)),
                    "schema": normalize_schema(_deref(doc, p.get("schema", {}))),
                }
            body = None
            rb = op.get("requestBody")
            if isinstance(rb, dict):
                content = rb.get("content", {})
                body = {
                    "required": bool(rb.get("required", False)),
                    "content": {ct: normalize_schema(_deref(doc, c.get("schema", {}))) for ct, c in sorted(content.items())},
                }
            responses = {}
            for status, resp in op.get("responses", {}).items():
                resp = _deref(doc, resp)
                content = resp.get("content") or {}
                responses[str(status)] = {ct: _drop_defaults(normalize_schema(_deref(doc, c.get("schema", {})))) for ct, c in sorted(content.items())}
            out[f"{method.upper()} {short}"] = {
                "operationId": op.get("operationId"),
                "security": op.get("security") or [],
                "parameters": {f"{k[0]}:{k[1]}": v for k, v in sorted(params.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1])))},
                "requestBody": body,
                "responses": dict(sorted(responses.items())),
            }
    return dict(sorted(out.items()))


def compare_openapi(compiled: dict[str, Any], served: dict[str, Any]) -> list[str]:
    """Human-readable differences between the compiled document and the app's, after normalization."""
    a, b = normalize_openapi(compiled), normalize_openapi(served)
    diffs: list[str] = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            diffs.append(f"{key}: documented but not served")
        elif key not in a:
            diffs.append(f"{key}: served but not documented")
        else:
            _diff(a[key], b[key], key, diffs)
    return diffs


def _diff(x: Any, y: Any, where: str, out: list[str]) -> None:
    if isinstance(x, dict) and isinstance(y, dict):
        for k in sorted(set(x) | set(y), key=str):
            if k not in y:
                out.append(f"{where}.{k}: only in the compiled document: {str(x[k])[:160]}")
            elif k not in x:
                out.append(f"{where}.{k}: only in the app: {str(y[k])[:160]}")
            else:
                _diff(x[k], y[k], f"{where}.{k}", out)
    elif x != y:
        out.append(f"{where}: compiled {str(x)[:160]} != app {str(y)[:160]}")
