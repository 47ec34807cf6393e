"""`METHOD /path` recognition and path normalization, for headings, list items, table cells and code.

Docs write the same route as `/exams/:id`, `/events/[id]`, `/items/<int:id>` or `/v1/x?client_id=y`;
everything downstream compares `{id}`-style paths with no query string and no trailing slash.
The base path is kept as written: only the resolver knows every document's base URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from roundtrip.ir import HTTP_METHODS
from roundtrip.ir.naming import camel

_METHOD = "|".join(HTTP_METHODS)
# One or more methods (`GET|POST|DELETE /x` declares three endpoints on one path), then a path.
_LEAD = re.compile(rf"^(?P<methods>(?:{_METHOD})(?:\s*[|/,]\s*(?:{_METHOD}))*)\s+(?P<path>/\S*)")
# Inside a code span the whole remainder is the path, so a space in it is an error, not a trailer.
_CODE_LEAD = re.compile(rf"^(?P<methods>(?:{_METHOD})(?:\s*[|/,]\s*(?:{_METHOD}))*)\s+(?P<path>/.*)$")
_CODE_SPAN = re.compile(r"^(`+)(.+?)\1")
_CONNECTOR = re.compile(r"^\s*(?:,|&|\+|/|\band\b|\bor\b)\s*", re.I)
_PARAM_COLON = re.compile(r"(?<=/):([A-Za-z_][\w-]*)")
_PARAM_BRACKET = re.compile(r"(?<=/)\[(?:\.\.\.)?([A-Za-z_][\w-]*)\]")
_PARAM_ANGLE = re.compile(r"(?<=/)<(?:\w+:)?([A-Za-z_][\w-]*)>")
_BRACED = re.compile(r"\{([^{}]*)\}")
_VALID_PARAM = re.compile(r"^[A-Za-z_][\w.-]*$")


@dataclass(frozen=True)
class RouteRef:
    """One `METHOD /path` as written, normalized; `error` says why the path is unusable ("" if fine)."""

    method: str
    raw_path: str
    path: str
    error: str = ""
    in_code: bool = False


@dataclass(frozen=True)
class Lead:
    """Endpoints at the start of a text (heading, list item, paragraph) and what follows them."""

    refs: tuple[RouteRef, ...]
    rest: str


def _balanced(p: str) -> bool:
    depth = 0
    for ch in p:
        depth += 1 if ch == "{" else -1 if ch == "}" else 0
        if depth not in (0, 1):
            return False
    return depth == 0


def normalize_path(raw: str) -> tuple[str, str]:
    """Raw path → (normalized path, error message or "")."""
    p = raw.strip().strip("`'\"")
    for sep in ("?", "#"):
        if sep in p:
            p = p.split(sep, 1)[0]
    p = p.rstrip(".,;:")  # punctuation from the surrounding sentence, never part of a route
    if " " in p or "\t" in p:
        return p, f"path `{p}` contains a space; write parameters as {{name}} with no spaces"
    if not _balanced(p):
        return p, f"path `{p}` has unbalanced braces; every {{ needs a matching }}"
    p = _PARAM_COLON.sub(r"{\1}", p)
    p = _PARAM_BRACKET.sub(r"{\1}", p)
    p = _PARAM_ANGLE.sub(r"{\1}", p)
    for m in _BRACED.finditer(p):
        if not _VALID_PARAM.match(m.group(1).strip()):
            return p, f"path parameter `{{{m.group(1)}}}` in `{p}` is not a name; use letters, digits and _"
    p = _BRACED.sub(lambda m: "{" + m.group(1).strip() + "}", p)
    if len(p) > 1:
        p = p.rstrip("/")
    if not p.startswith("/"):
        return p, f"path `{p}` does not start with /"
    return p, ""


def _refs(methods: str, raw_path: str, in_code: bool) -> list[RouteRef]:
    path, err = normalize_path(raw_path)
    out: list[RouteRef] = []
    for m in re.split(r"\s*[|/,]\s*", methods.strip()):
        if m and m not in [r.method for r in out]:
            out.append(RouteRef(m, raw_path.strip(), path, err, in_code))
    return out


def match_route(text: str) -> list[RouteRef]:
    """`GET /x` (the whole text, e.g. a code span's content or a table cell) → refs; [] if it is not one."""
    t = text.strip().strip("`").strip()
    m = _CODE_LEAD.match(t)
    if not m:
        return []
    return _refs(m.group("methods"), m.group("path"), True)


def parse_lead(text: str) -> Lead | None:
    """Endpoints that START a text: `` `GET /a` and `GET /b` — rest`` or `POST /x (Public)`.

    Returns None when the text does not begin with an endpoint, so prose that merely mentions
    one ("Client calls `POST /v1/auth/refresh`") is never mistaken for a declaration.
    """
    s = text.strip()
    refs: list[RouteRef] = []
    while s:
        cm = _CODE_SPAN.match(s)
        if cm:
            found = match_route(cm.group(2))
            if not found:
                break
            refs.extend(found)
            s = s[cm.end():]
        else:
            m = _LEAD.match(s)
            if not m:
                break
            refs.extend(_refs(m.group("methods"), m.group("path"), False))
            s = s[m.end():]
        conn = _CONNECTOR.match(s)
        if conn and (_CODE_SPAN.match(s[conn.end():]) or _LEAD.match(s[conn.end():])):
            nxt = s[conn.end():]
            cm2 = _CODE_SPAN.match(nxt)
            if (cm2 and match_route(cm2.group(2))) or (not cm2 and _LEAD.match(nxt)):
                s = nxt
                continue
        break
    if not refs:
        return None
    return Lead(tuple(refs), s.strip())


def path_params(path: str) -> list[str]:
    return [m.group(1) for m in _BRACED.finditer(path)]


def operation_id(method: str, path: str) -> str:
    """`GET /exams/{id}/attempts` → `getExamsByIdAttempts`: stable and readable; uniqueness is the emitter's job."""
    words: list[str] = [method.lower()]
    for seg in path.strip("/").split("/"):
        if not seg:
            continue
        pm = re.fullmatch(r"\{(.+)\}", seg)
        if pm:
            words += ["by", pm.group(1)]
        else:
            words.append(seg)
    parts = [p for w in words for p in re.split(r"[^A-Za-z0-9]+", w) if p]
    return camel("_".join(parts)) if parts else method.lower()
