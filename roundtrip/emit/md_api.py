"""Endpoints → canonical endpoint sections (`### POST /tasks — Create a task` + labelled blocks).

One label per fact, each on its own paragraph, in the words the API reader's label vocabulary
knows: **Description**, **Authentication Required**, **Path/Query Parameters**, **Request Headers**,
**Request Body**, **Success Response** (status), **Error Responses**, **Rate Limiting**, **Caching**.
Endpoints documented only by name are written as a summary table (or, when the docs listed them in
a bullet list, as that list), after the detailed sections, as the resolver orders them.
"""

from __future__ import annotations

import http
import re

from roundtrip.emit.md_infer import implied_by_example
from roundtrip.emit.md_schemas import default_text, field_table
from roundtrip.emit.md_text import (
    cell,
    cell_type,
    code,
    constraint_phrase,
    inline,
    inline_body_type,
    json_block,
    lean_table,
    rate,
    table,
)
from roundtrip.ir import Auth, Body, Endpoint, ErrorDoc, Parameter, ParamIn, Response, RoleFields, Spec
from roundtrip.ir.infer import error_code_of

# Mirrors the resolver: endpoints that are public unless the docs say otherwise.
_PUBLIC_TAILS = re.compile(r"/(login|signin|sign-in|register|signup|sign-up|refresh|token|forgot-password|reset-password|password-reset|verify-email|health|healthz|ready|live|readyz|livez|ping)$")
DEFAULT_AUTH_TEXT = "default: the docs define a bearer scheme"
_PARAM_LABELS = {ParamIn.PATH: "Path Parameters", ParamIn.QUERY: "Query Parameters", ParamIn.HEADER: "Request Headers"}
_MACHINE_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


def phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def first_sentence(text: str) -> str:
    m = re.search(r"(?<=[.!?])\s", text)
    return (text[: m.start()] if m else text).strip()[:200]


def default_auth(e: Endpoint, has_scheme: bool) -> Auth | None:
    """The Auth the resolver gives an endpoint whose docs say nothing (None: it stays unknown)."""
    if not has_scheme:
        return None
    return Auth(required=not bool(_PUBLIC_TAILS.search(e.path)), roles=(), text=DEFAULT_AUTH_TEXT)


def auth_text(a: Auth, role_fields: tuple[RoleFields, ...] = ()) -> str:
    if a.required is False:
        return "No"
    if a.roles and role_fields:
        return roles_with_fields(a.roles, role_fields)
    if a.roles:
        return "Yes (" + ", ".join(code(r) for r in a.roles) + ")"
    return "Yes"


def roles_with_fields(roles: tuple[str, ...], role_fields: tuple[RoleFields, ...]) -> str:
    """"`member` (self: `email`, `password` with `currentPassword`) or `librarian`/`admin` (`status`)": the
    fields each role may send, in the auth reader's construct; a role without a list may send any field."""
    parts: list[str] = []
    written: set[int] = set()
    for role in roles:
        i = next((i for i, rf in enumerate(role_fields) if role in rf.roles), None)
        if i is None:
            parts.append(code(role))
        elif i not in written:
            written.add(i)
            rf = role_fields[i]
            companion = dict(rf.requires)
            shown = [n for n in rf.fields if n not in companion.values()]
            names = ", ".join(code(n) + (f" with {code(companion[n])}" if n in companion else "") for n in shown)
            parts.append("/".join(code(r) for r in rf.roles) + f" ({'self: ' if rf.self_only else ''}{names})")
    return " or ".join(parts)


# ---------------------------------------------------------------- one endpoint


def endpoint_section(e: Endpoint, level: int, has_scheme: bool) -> list[str]:
    head = f"{'#' * level} {e.method} {e.path}"
    if e.summary and e.summary != first_sentence(e.description):
        head += f" — {inline(e.summary)}"
    out = [head, ""]
    if e.description:
        out += [f"**Description**: {inline(e.description)}", ""]
    default = default_auth(e, has_scheme)
    if e.auth.required is not None and not (default is not None and e.auth == default):
        out += [f"**Authentication Required**: {auth_text(e.auth, e.request.role_fields if e.request else ())}", ""]
    out += _parameters(e.parameters)
    if e.request is not None:
        out += _body("**Request Body**:", e.request, e.request.description)
    for r in e.responses:
        out += _response(r)
    if e.errors:
        out += ["**Error Responses**:", ""] + error_blocks(e.errors)
    if e.rate_limit is not None:
        rl = e.rate_limit
        out += [f"**Rate Limiting**: {rate(rl.requests, rl.per_seconds, rl.scope)}", ""]
    if e.caching:
        out += [f"**Caching**: {inline(e.caching)}", ""]
    return out


def _parameters(params: tuple[Parameter, ...]) -> list[str]:
    out: list[str] = []
    run: list[Parameter] = []
    for p in params + (None,):  # type: ignore[operator]
        if run and (p is None or p.location is not run[0].location):
            label = _PARAM_LABELS.get(run[0].location)
            if label is not None:
                out += [f"**{label}**:", ""] + parameter_table(run) + [""]
            run = []
        if p is not None:
            run.append(p)
    return out


def parameter_table(params: list[Parameter]) -> list[str]:
    rows = [[cell(p.name), cell(cell_type(p.type)), "Yes" if p.required else "No", cell(p.description),
             constraint_phrase(p.constraints, p.type.kind) or " ", cell(default_text(p.default)) if p.has_default else " "]
            for p in params]
    return lean_table(["Parameter", "Type", "Required", "Description", "Validation", "Default"], rows, ("Validation", "Default"))


def _body(label: str, b: Body, description: str) -> list[str]:
    t = b.type
    out: list[str] = []
    if t is not None and not implied_by_example(t, b.example, b.has_example) and inline_body_type(t):
        if description:
            out += [f"{label} {inline(description)}", code(cell_type(t)), ""]
        else:
            out += [f"{label} {code(cell_type(t))}", ""]
    else:
        out += [f"{label} {inline(description)}".rstrip(), ""]
        if t is not None and t.kind.value == "object" and t.fields and not implied_by_example(t, b.example, b.has_example):
            out += field_table(t.fields, "Field") + [""]
    if b.has_example:
        out += json_block(b.example) + [""]
    return out


def _response(r: Response) -> list[str]:
    word = "Success Response" if 200 <= r.status < 300 else "Response"
    label = f"**{word}** ({r.status}):"
    desc = "" if r.description == phrase(r.status) else r.description
    if r.body is None:
        return [f"{label} {inline(desc)}".rstrip(), ""]
    return _body(label, r.body, desc)


# ---------------------------------------------------------------- errors


def _list_error(e: ErrorDoc, example_code: str) -> list[str] | None:
    """`- **404 Not Found**: message` + the example fence, when the item gives back exactly `e`."""
    if e.example is None:
        return None
    if e.code and e.code != example_code:
        if e.message:
            return None
        text = code(e.code)
    else:
        if e.code == "" and example_code:
            return None
        text = inline(e.message)
    if _MACHINE_CODE.search(e.message):
        return None
    fence = "\n".join(json_block(e.example)).split("\n")
    return [f"- **{e.status} {phrase(e.status)}**:".replace(" **:", "**:") + (f" {text}" if text else "")] + ["  " + ln for ln in fence]


def error_blocks(errors: tuple[ErrorDoc, ...]) -> list[str]:
    """Errors with an example as list items (the fence nested in the item), the others as table rows;
    consecutive ones of a kind share a list or table, so the order is kept."""
    out: list[str] = []
    rows: list[list[str]] = []
    items: list[str] = []

    def flush() -> None:
        nonlocal rows, items
        if rows:
            out.extend(table(["Status", "Code", "Message"], rows) + [""])
            rows = []
        if items:
            out.extend(items + [""])
            items = []

    for e in errors:
        item = _list_error(e, error_code_of(e.example))
        if item is not None:
            if rows:
                flush()
            items.extend(item)
        else:
            if items:
                flush()
            rows.append([str(e.status), code(e.code, True) if e.code else " ", cell(e.message)])
    flush()
    return out


# ---------------------------------------------------------------- all endpoints


def render_endpoints(spec: Spec) -> list[str]:
    has_scheme = bool(spec.security_schemes)
    detailed = [e for e in spec.endpoints if e.detailed]
    listed = [e for e in spec.endpoints if not e.detailed and e.operation_id]
    mentioned = [e for e in spec.endpoints if not e.detailed and not e.operation_id]
    out: list[str] = []
    current: tuple[str, ...] | None = None
    for e in detailed:
        tag = e.tags[:1]
        if tag != current:
            if tag:
                out += [f"## {tag[0]}", ""]
            current = tag
        out += endpoint_section(e, 3 if tag else 2, has_scheme)
    for group in _runs(listed):
        out += [f"## {group[0].tags[0]}" if group[0].tags else "## Endpoints", ""]
        for e in group:
            summary = f" — {inline(e.summary)}" if e.summary else ""
            out.append(f"- `{e.method} {e.path}`{summary}")
        out.append("")
    for group in _runs(mentioned):
        out += [f"## {group[0].tags[0]}" if group[0].tags else "## Endpoints", ""]
        rows = []
        for e in group:
            auth = "" if e.auth == Auth(required=e.auth.required) and e.auth.required == _mention_default(e, has_scheme) else auth_text(e.auth)
            rows.append([e.method, code(e.path, True), cell(e.summary), auth or " "])
        out += table(["Method", "Path", "Description", "Auth"], rows) + [""]
    return out


def _mention_default(e: Endpoint, has_scheme: bool) -> bool:
    return has_scheme and not _PUBLIC_TAILS.search(e.path)


def _runs(endpoints: list[Endpoint]) -> list[list[Endpoint]]:
    out: list[list[Endpoint]] = []
    for e in endpoints:
        if out and out[-1][0].tags[:1] == e.tags[:1]:
            out[-1].append(e)
        else:
            out.append([e])
    return out
