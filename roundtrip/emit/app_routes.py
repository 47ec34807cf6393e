"""app/routes/<tag>.py: one router per tag, one typed function per documented operation.

Each function declares the operation as the compiled OpenAPI does (explicit operation_id, path,
query and header parameters with their constraints, the request body as the generated pydantic
model, every documented response with its schema) so FastAPI validates requests and its own
/openapi.json matches the compiled document; the body of every function is one call into the kit
(`async`: the kit's dispatch decides which operations run in a worker thread). The routers use the
kit's `GeneratedRoute`, which checks path and query values with one validator per route (kit/fastroute.py).
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from roundtrip.ir.naming import snake

REF = "#/components/schemas/"


def py_ident(name: str, taken: set[str] | None = None) -> str:
    ident = snake(re.sub(r"[^0-9A-Za-z_]+", "_", name)) or "param"
    if ident[0].isdigit():
        ident = "p_" + ident
    if keyword.iskeyword(ident) or ident in ("request", "body", "response", "schemas", "dispatch"):
        ident += "_"
    if taken is not None:
        base, n = ident, 2
        while ident in taken:
            ident, n = f"{base}_{n}", n + 1
        taken.add(ident)
    return ident


def module_name(tag: str) -> str:
    return py_ident(tag or "default").strip("_") or "default"


def _lit(value: Any) -> str:
    return repr(value)


def param_type(schema: dict[str, Any], classes: set[str]) -> str:
    """The Python annotation for a parameter's JSON schema."""
    s = schema
    if "$ref" in s:
        name = s["$ref"][len(REF):]
        return f"schemas.{name}" if name in classes else "str"
    variants = [v for v in s.get("oneOf") or s.get("anyOf") or [] if isinstance(v, dict) and v.get("type") != "null"]
    if variants:  # "UUID, `me` or `none`": each variant's annotation, as pydantic publishes it back (anyOf)
        return " | ".join(dict.fromkeys(param_type(v, classes) for v in variants))
    t = s.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "string")
    if isinstance(s.get("const"), str):
        return f"Literal[{_lit(s['const'])}]"  # one word a path id may be (`bigint | 'me'`)
    if s.get("enum") and all(isinstance(v, str) for v in s["enum"]):
        return "Literal[" + ", ".join(_lit(v) for v in s["enum"]) + "]"
    if t == "integer":
        return "int"
    if t == "number":
        return "float"
    if t == "boolean":
        return "bool"
    if t == "array":
        return f"list[{param_type(s.get('items', {}), classes)}]"
    fmt = s.get("format")
    return {"uuid": "uuid.UUID", "date-time": "datetime.datetime", "date": "datetime.date"}.get(fmt or "", "str")


def param_constraints(schema: dict[str, Any]) -> list[str]:
    out = []
    for key, arg in (("minLength", "min_length"), ("maxLength", "max_length"), ("minimum", "ge"), ("maximum", "le"),
                     ("exclusiveMinimum", "gt"), ("exclusiveMaximum", "lt")):
        if key in schema and isinstance(schema[key], (int, float)):
            out.append(f"{arg}={schema[key]!r}")
    if isinstance(schema.get("pattern"), str) and not schema.get("enum"):
        out.append(f"pattern={schema['pattern']!r}")
    return out


def render_param(p: dict[str, Any], ident: str, classes: set[str]) -> tuple[str, bool]:
    """(`name: Annotated[...] = default`, has_default)."""
    where = {"path": "Path", "query": "Query", "header": "Header", "cookie": "Cookie"}[p.get("in", "query")]
    schema = p.get("schema") or {}
    ptype = param_type(schema, classes)
    args = []
    if ident != p["name"]:
        args.append(f"alias={p['name']!r}")
    if where == "Header":
        args.append("convert_underscores=False")
    if p.get("description"):
        args.append(f"description={' '.join(str(p['description']).split())!r}")
    constraints = param_constraints(schema if not ptype.startswith("list[") else {})
    required = bool(p.get("required")) or p.get("in") == "path"
    if required or "default" in schema:
        call = f"{where}({', '.join(args + constraints)})"
        if required:
            return f"{ident}: Annotated[{ptype}, {call}]", False
        return f"{ident}: Annotated[{ptype}, {call}] = {schema['default']!r}", True
    # optional, not nullable: constraints on the type itself, None kept out of the published schema
    call = f"{where}({', '.join(args)})"
    inner = f"Annotated[{ptype}, Field({', '.join(constraints)})]" if constraints else ptype
    return f"{ident}: Annotated[{inner} | SkipJsonSchema[None], {call}] = None", True


def response_entry(status: str, resp: dict[str, Any], classes: set[str]) -> str:
    desc = " ".join(str(resp.get("description") or "").split()) or "Response"
    content = (resp.get("content") or {}).get("application/json")
    if not isinstance(content, dict) or "schema" not in content:
        return f"{status}: {{'description': {desc!r}}}"
    schema = content["schema"]
    ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
    if ref.startswith(REF) and ref[len(REF):] in classes:
        return f"{status}: {{'model': schemas.{ref[len(REF):]}, 'description': {desc!r}}}"
    return f"{status}: {{'description': {desc!r}, 'content': {{'application/json': {{'schema': {schema!r}}}}}}}"


def has_json(resp: dict[str, Any]) -> bool:
    content = (resp.get("content") or {}).get("application/json")
    return isinstance(content, dict) and "schema" in content


def body_type(op: dict[str, Any], classes: set[str]) -> str | None:
    rb = op.get("requestBody")
    if not isinstance(rb, dict):
        return None
    content = (rb.get("content") or {}).get("application/json")
    if not isinstance(content, dict):
        return None
    schema = content.get("schema") or {}
    ref = schema.get("$ref", "")
    if ref.startswith(REF) and ref[len(REF):] in classes:
        return f"schemas.{ref[len(REF):]}"
    if schema.get("type") == "array":
        items = schema.get("items", {})
        iref = items.get("$ref", "") if isinstance(items, dict) else ""
        if iref.startswith(REF) and iref[len(REF):] in classes:
            return f"list[schemas.{iref[len(REF):]}]"
    return "dict[str, Any]"


def render_operation(path: str, method: str, op: dict[str, Any], classes: set[str], fn_names: set[str]) -> str:
    op_id = op["operationId"]
    fn = py_ident(op_id, fn_names)
    statuses = sorted(s for s in op.get("responses", {}) if str(s).isdigit())
    success = next((s for s in statuses if s.startswith("2")), "200")
    entries = [response_entry(s, op["responses"][s], classes) for s in statuses]
    extra: dict[str, Any] = {"security": op.get("security", [])}
    extra.update({k: v for k, v in op.items() if k.startswith("x-")})
    decorator = [
        f"@router.{method}(",
        f"    {path!r},",
        f"    operation_id={op_id!r},",
    ]
    if op.get("summary"):
        decorator.append(f"    summary={' '.join(str(op['summary']).split())!r},")
    if op.get("tags"):
        decorator.append(f"    tags={list(op['tags'])!r},")
    decorator += [
        f"    status_code={int(success)},",
        f"    response_class={'JSONResponse' if has_json(op['responses'].get(success, {})) else 'Response'},",
        "    responses={",
        *[f"        {e}," for e in entries],
        "    },",
        f"    openapi_extra={extra!r},",
        ")",
    ]
    taken: set[str] = set()
    required: list[str] = ["request: Request"]
    optional: list[str] = []
    mapping: list[str] = []
    for p in op.get("parameters", []):
        if not isinstance(p, dict) or "name" not in p or p.get("in") == "cookie":
            continue
        ident = py_ident(p["name"], taken)
        text, has_default = render_param(p, ident, classes)
        (optional if has_default else required).append(text)
        mapping.append(f"{p['name']!r}: {ident}")
    btype = body_type(op, classes)
    if btype and (op.get("requestBody") or {}).get("required", False):
        required.append(f"body: {btype}")
    elif btype:
        optional.append(f"body: Annotated[{btype} | SkipJsonSchema[None], Body()] = None")
    args = required + optional
    doc = " ".join(str(op.get("summary") or op_id).split()).replace('"""', "'''").replace("\\", "/")
    call = f"dispatch(request, {op_id!r}, {{{', '.join(mapping)}}}{', body' if btype else ''})"
    lines = decorator + [f"async def {fn}(", *[f"    {a}," for a in args], ") -> Response:", f'    """{doc}"""', f"    return await {call}"]
    return "\n".join(lines)


def render_router(tag: str, ops: list[tuple[str, str, dict[str, Any]]], classes: set[str], header: str, base: str = "") -> str:
    """The router of one tag. Its routes carry the API's base path (`/api/v1`) themselves: the kit adds them to
    the app as they are (webapp.build_app), which FastAPI matches faster than a router included with a prefix."""
    fn_names: set[str] = set()
    bodies = [render_operation(path, method, op, classes, fn_names) for path, method, op in ops]
    text = "\n\n\n".join(bodies)
    typing_names = ["Annotated"] if "Annotated[" in text else []
    if "Any]" in text or "Any," in text:
        typing_names.append("Any")
    if "Literal[" in text:
        typing_names.append("Literal")
    imports = [f"from typing import {', '.join(sorted(typing_names))}"] if typing_names else []
    std = []
    if "datetime." in text:
        std.append("import datetime")
    if "uuid.UUID" in text:
        std.append("import uuid")
    fastapi_names = sorted({"APIRouter", "Request"} | {n for n in ("Body", "Header", "Path", "Query") if f"{n}(" in text})
    resp_names = sorted({"Response"} | ({"JSONResponse"} if "JSONResponse" in text else set()))
    lines = [
        f'"""{tag or "Default"} routes: {header}"""',
        "",
        *std,
        *imports,
        "",
        f"from fastapi import {', '.join(fastapi_names)}",
        f"from fastapi.responses import {', '.join(resp_names)}",
        "",
    ]
    if "SkipJsonSchema" in text:
        pyd = ["from pydantic import Field"] if "Field(" in text else []
        at = lines.index(f"from fastapi.responses import {', '.join(resp_names)}") + 1
        lines[at:at] = [*pyd, "from pydantic.json_schema import SkipJsonSchema"]
    if "schemas." in text:
        lines.append("from .. import schemas")
    prefix = f"prefix={base!r}, " if base else ""
    lines += ["from ..kit.fastroute import GeneratedRoute", "from ..kit.webapp import dispatch", "", f"router = APIRouter({prefix}route_class=GeneratedRoute)", "", "", text, ""]
    return "\n".join(lines)


def group_operations(doc: dict[str, Any]) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    groups: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, item in doc.get("paths", {}).items():
        for method in ("get", "post", "put", "patch", "delete"):
            op = item.get(method)
            if not isinstance(op, dict) or not op.get("operationId"):
                continue
            tag = (op.get("tags") or ["default"])[0]
            groups.setdefault(module_name(tag), []).append((path, method, op))
    return dict(sorted(groups.items()))
