"""Endpoints that exist only inside code fences: FastAPI decorators and `// GET /api/x` comments.

Used only when a document declares no endpoint in Markdown (no endpoint heading, paragraph or
summary table): otherwise such code is an example of something documented properly. Drafts are
marked Origin.CODE, the weakest evidence, so the resolver prefers any Markdown statement.
"""

from __future__ import annotations

import re

from roundtrip.diagnostics import Sink
from roundtrip.ir import Auth, Field, Kind, Origin, Parameter, ParamIn, RateLimit, TypeRef
from roundtrip.markdown import Document, Fence, Section
from roundtrip.readers.api_draft import BODY_METHODS, Draft
from roundtrip.readers.api_fields import parse_type_cell, parse_type_expr
from roundtrip.readers.api_labels import group_name
from roundtrip.readers.api_paths import parse_lead, path_params
from roundtrip.source import Span

_DECORATOR = re.compile(r"""^\s*@(\w+)\.(get|post|put|patch|delete|head|options)\(\s*[rbuf]?["']([^"']*)["'](.*)$""")
_ROUTER_PREFIX = re.compile(r"""APIRouter\([^)]*prefix\s*=\s*["']([^"']+)["']""")
_FILE_COMMENT = re.compile(r"^\s*#\s*(?:\S*/)?(?:endpoints|routers|routes|views|api)/(\w+)\.py\b", re.M)
_RESPONSE_MODEL = re.compile(r"response_model\s*=\s*([\w.\[\], ]+?)\s*(?:,\s*\w+\s*=|\)\s*$|$)")
_STATUS_CODE = re.compile(r"status_code\s*=\s*(?:status\.HTTP_)?(\d{3})")
_DEPENDS = re.compile(r"Depends\(\s*(\w+)")
_RATE = re.compile(r"RateLimiter\(\s*times\s*=\s*(\d+)\s*,\s*(seconds|minutes|hours|days)\s*=\s*(\d+)")
_COMMENT_ROUTE = re.compile(r"^\s*(?://|#)\s*((?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+/\S*)\s*$")
_LOOSE_FIELD = re.compile(r"^\s*-?\s*([A-Za-z_$][\w$-]*)(\?)?\s*:\s*(.+?)\s*,?\s*$")
_UNIT = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_SKIP_PARAMS = {"self", "db", "session", "request", "response", "background_tasks", "current_user"}
_FRAMEWORK_TYPES = {"Session", "AsyncSession", "Request", "Response", "BackgroundTasks", "UploadFile", "WebSocket"}
# pydantic scalar types that name a string format, not a schema
_PYDANTIC_SCALARS = {"EmailStr": TypeRef(Kind.STRING), "HttpUrl": TypeRef(Kind.STRING), "AnyUrl": TypeRef(Kind.STRING),
                     "SecretStr": TypeRef(Kind.STRING), "UUID": TypeRef(Kind.UUID), "UUID4": TypeRef(Kind.UUID)}
_PUBLIC_WORDS = re.compile(r"^(p[uú]blic[oa]?|public|open|anonymous)\b", re.I)


def code_endpoints(doc: Document, sink: Sink) -> list[Draft]:
    out: list[Draft] = []
    for sec in doc.sections():
        tags = _tags(sec)
        for b in sec.blocks:
            if not isinstance(b, Fence):
                continue
            if b.lang in ("python", "py"):
                out.extend(_decorators(b, doc.file, tags))
            out.extend(_comment_routes(b, doc.file, tags))
    return out


def _tags(sec: Section) -> tuple[str, ...]:
    s: Section | None = sec
    while s is not None and s.heading is not None:
        if s.heading.level > 1:
            name = group_name(s.heading.text)
            if name:
                return (name,)
        s = s.parent
    return ()


def _join(prefix: str, path: str) -> str:
    p = path.strip()
    base = prefix.rstrip("/")
    if p in ("", "/"):
        return base or "/"
    return f"{base}/{p.lstrip('/')}" if base else (p if p.startswith("/") else "/" + p)


def _decorators(f: Fence, file: str, tags: tuple[str, ...]) -> list[Draft]:
    lines = f.content.split("\n")
    pm = _ROUTER_PREFIX.search(f.content)
    fm = _FILE_COMMENT.search(f.content)
    prefix = pm.group(1) if pm else (f"/{fm.group(1)}" if fm and fm.group(1) not in ("__init__", "deps", "main") else "")
    out: list[Draft] = []
    for i, line in enumerate(lines):
        m = _DECORATOR.match(line)
        if not m:
            continue
        obj, method, raw = m.group(1), m.group(2).upper(), m.group(3)
        path = _join(prefix if obj != "app" else "", raw)
        lead = parse_lead(f"{method} {path}")
        if lead is None or lead.refs[0].error:
            continue
        span = Span(file, f.content_line + i)
        d = Draft(method, lead.refs[0].path, span, origin=Origin.CODE, tags=tags)
        args = m.group(4)
        rm = _RESPONSE_MODEL.search(args)
        sm = _STATUS_CODE.search(args)
        status = int(sm.group(1)) if sm else 200
        rd = d.response(status, span)
        if rm:
            rd.type = parse_type_expr(rm.group(1).strip())
        rl = _RATE.search(args)
        if rl:
            d.rate_limit = RateLimit(int(rl.group(1)), int(rl.group(3)) * _UNIT[rl.group(2)], "", rl.group(0), span)
        sig, doc_line = _signature(lines, i + 1)
        _apply_signature(d, sig, span)
        if doc_line:
            d.summary = doc_line
        out.append(d)
    return out


def _signature(lines: list[str], start: int) -> tuple[str, str]:
    """The `def ...(...)` text after a decorator and the first line of its docstring."""
    buf: list[str] = []
    j = start
    while j < len(lines) and not re.match(r"^\s*(async\s+)?def\b", lines[j]):
        if not lines[j].strip().startswith("@"):
            return "", ""
        j += 1
    while j < len(lines):
        buf.append(lines[j])
        if re.search(r"\)\s*(->\s*[^:]+)?:\s*(#.*)?$", lines[j]):
            break
        j += 1
    doc = ""
    if j + 1 < len(lines):
        dm = re.match(r'^\s*[rbu]?("""|\'\'\')\s*(.*?)\s*(\1)?\s*$', lines[j + 1])
        if dm:
            doc = dm.group(2).strip() or (lines[j + 2].strip() if j + 2 < len(lines) else "")
    return " ".join(s.strip() for s in buf), doc


def _split_args(sig: str) -> list[str]:
    m = re.search(r"\((.*)\)", sig, re.S)
    if not m:
        return []
    out: list[str] = []
    depth = 0
    buf: list[str] = []
    for ch in m.group(1):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    out.append("".join(buf).strip())
    return [a for a in out if a and a not in ("*", "/")]


def _apply_signature(d: Draft, sig: str, span: Span) -> None:
    deps = _DEPENDS.findall(sig)
    auth_deps = [x for x in deps if re.search(r"current|auth|admin|user|token|verify|permission", x, re.I)]
    if auth_deps:
        roles = ("admin",) if any(re.search(r"admin|superuser", x, re.I) for x in auth_deps) else ()
        d.set_auth(Auth(True, roles, ", ".join(auth_deps), span))
    in_path = set(path_params(d.path))
    for arg in _split_args(sig):
        am = re.match(r"^(\w+)\s*(?::\s*([^=]+?))?\s*(?:=\s*(.+))?$", arg)
        if not am or am.group(1) in _SKIP_PARAMS or (am.group(3) and "Depends(" in am.group(3)):
            continue
        name, type_text, default = am.group(1), (am.group(2) or "").strip(), (am.group(3) or "").strip()
        if type_text in _FRAMEWORK_TYPES:
            continue
        t = _PYDANTIC_SCALARS.get(type_text) or (parse_type_expr(type_text) if type_text else None)
        is_model = t is not None and (t.kind is Kind.REF or (t.kind is Kind.ARRAY and t.items is not None and t.items.kind is Kind.REF))
        if name in in_path:
            d.add_params([Parameter(name, ParamIn.PATH, t or TypeRef(Kind.STRING), True, span=span)])
        elif is_model and d.method in BODY_METHODS:
            d.set_request_type(t, span)  # type: ignore[arg-type]
        elif t is not None and t.kind is not Kind.REF:
            has_default = bool(default) and not default.startswith(("Query(...", "..."))
            value: object = default
            if re.fullmatch(r"-?\d+", default):
                value = int(default)
            elif default in ("True", "False"):
                value = default == "True"
            elif default == "None":
                value, t = None, t.with_nullable(True)
            d.add_params([Parameter(name, ParamIn.QUERY, t, not has_default, default=value if has_default else None,
                                    has_default=has_default, span=span)])


def _comment_routes(f: Fence, file: str, tags: tuple[str, ...]) -> list[Draft]:
    lines = f.content.split("\n")
    starts = [i for i, ln in enumerate(lines) if _COMMENT_ROUTE.match(ln)]
    out: list[Draft] = []
    for n, i in enumerate(starts):
        lead = parse_lead(_COMMENT_ROUTE.match(lines[i]).group(1))  # type: ignore[union-attr]
        if lead is None or lead.refs[0].error:
            continue
        span = Span(file, f.content_line + i)
        seg = lines[i + 1: starts[n + 1] if n + 1 < len(starts) else len(lines)]
        for ref in lead.refs:
            d = Draft(ref.method, ref.path, span, origin=Origin.CODE, tags=tags)
            _read_segment(d, seg, f.content_line + i + 1, file)
            out.append(d)
    return out


def _block(seg: list[str], j: int, first: str) -> tuple[list[str], int]:
    """Lines of a `Body: {` … `}` block starting at seg[j] (whose value text is `first`)."""
    if first.strip() != "{":
        return [], j
    body: list[str] = []
    depth = 1
    k = j + 1
    while k < len(seg) and depth > 0:
        ln = seg[k]
        depth += ln.count("{") - ln.count("}")
        if depth > 0:
            body.append(ln)
        k += 1
    return body, k - 1


def _loose_object(lines: list[str], span: Span) -> TypeRef:
    fields: list[Field] = []
    for ln in lines:
        m = _LOOSE_FIELD.match(ln.split("//")[0])
        if m:
            t = parse_type_cell(m.group(3), span) or TypeRef(Kind.ANY)
            fields.append(Field(m.group(1), t, required=m.group(2) is None, span=span))
    return TypeRef(Kind.OBJECT, fields=tuple(fields))


def _read_segment(d: Draft, seg: list[str], first_line: int, file: str) -> None:
    """`// Público - Listar eventos`, `Query params:` + `- name?: type`, `Body: {...}`, `Response: Event[]`."""
    j = 0
    mode = ""
    while j < len(seg):
        raw = seg[j]
        s = raw.strip()
        span = Span(file, first_line + j)
        if not s:
            j += 1
            continue
        if s.startswith(("//", "#")) and not d.summary:
            text = s.lstrip("/# ").strip()
            marker, _, rest = text.partition(" - ")
            if _PUBLIC_WORDS.match(marker):
                d.set_auth(Auth(False, (), marker, span))
            elif re.fullmatch(r"admin\w*", marker.strip(), re.I):
                d.set_auth(Auth(True, ("admin",), marker, span))
            d.summary = (rest or text).strip()
        elif re.match(r"^query\s*params?\s*:", s, re.I):
            mode = "query"
        elif re.match(r"^(body|request)\s*:", s, re.I):
            mode = ""
            value = s.split(":", 1)[1].strip()
            block, j = _block(seg, j, value)
            t = _loose_object(block, span) if block else parse_type_expr(value)
            if t is not None:
                d.set_request_type(t, span)
        elif re.match(r"^(response|returns?)\s*:", s, re.I):
            mode = ""
            value = s.split(":", 1)[1].strip()
            block, j = _block(seg, j, value)
            t = _loose_object(block, span) if block else parse_type_expr(value)
            rd = d.response(201 if d.method == "POST" else 200, span)
            if t is not None and rd.type is None:
                rd.type = t
        elif re.match(r"^headers?\s*:", s, re.I):
            mode = ""
            _, j = _block(seg, j, s.split(":", 1)[1].strip())
        elif mode == "query" and s.startswith("-"):
            m = _LOOSE_FIELD.match(s)
            if m:
                t = parse_type_cell(m.group(3), span) or TypeRef(Kind.STRING)
                d.add_params([Parameter(m.group(1), ParamIn.QUERY, t, False, span=span)])
        j += 1
