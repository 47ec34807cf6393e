"""The docs' example requests: `curl` lines (and raw `http` requests) in each endpoint's section.

The readers ignore these (they state no new fact), but verify replays them: an example request is
the docs' own promise of what a call looks like. Each becomes an ExampleRequest with the concrete
path (base path stripped), query, headers, JSON body and the line of the `curl`.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from roundtrip.ir import Spec
from roundtrip.markdown import Fence, ListBlock, parse_document
from roundtrip.markdown.cst import Block, Section
from roundtrip.source import Span, discover, relative_name

SHELL_LANGS = ("bash", "sh", "shell", "console", "zsh", "curl", "")
DATA_FLAGS = ("-d", "--data", "--data-raw", "--data-binary", "--json")


@dataclass
class ExampleRequest:
    method: str
    path: str  # concrete, relative to the API base path: /v1/recipes/4cd42e97-...
    template: str  # the documented endpoint it calls, "" when none matches
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    has_body: bool = False
    span: Span = field(default_factory=lambda: Span("<none>", 0))


def find_examples(spec: Spec, specs: Path) -> list[ExampleRequest]:
    """Every example request in the endpoint sections of the docs, in document order."""
    root = Path(specs)
    if not root.exists():
        return []
    base, files = discover(root)
    by_heading = {(e.span.file, e.span.line): e for e in spec.endpoints if e.span.line}
    prefixes = _prefixes(spec)
    out: list[ExampleRequest] = []
    for path in files:
        name = relative_name(base, path)
        try:
            doc, _ = parse_document(name, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        for section in doc.root.walk():
            if section.heading is None:
                continue
            ep = by_heading.get((name, section.heading.span.line))
            if ep is None:
                continue
            for fence in _fences(section):
                for ex in _parse_fence(fence, name, prefixes):
                    ex.template = _match(spec, ex.method, ex.path, prefer=ep.path if ep.method == ex.method else "")
                    if ex.template:
                        out.append(ex)
    return out


def _fences(section: Section) -> list[Fence]:
    found: list[Fence] = []

    def visit(blocks: list[Block]) -> None:
        for b in blocks:
            if isinstance(b, Fence):
                found.append(b)
            elif isinstance(b, ListBlock):
                for item in b.items:
                    visit(item.blocks)

    visit(section.blocks)
    return found


def _prefixes(spec: Spec) -> list[str]:
    out = []
    for server in spec.info.servers:
        p = urlsplit(server).path.rstrip("/") if "://" in server else ""
        if p:
            out.append(p)
    if spec.info.base_path.strip("/"):
        out.append("/" + spec.info.base_path.strip("/"))
    return sorted(set(out), key=len, reverse=True)


def _parse_fence(fence: Fence, file: str, prefixes: list[str]) -> list[ExampleRequest]:
    if fence.lang == "http":
        ex = _parse_http(fence, file, prefixes)
        return [ex] if ex else []
    if fence.lang not in SHELL_LANGS or "curl" not in fence.content:
        return []
    out: list[ExampleRequest] = []
    lines = fence.content.splitlines()
    i = 0
    while i < len(lines):
        start = i
        text = lines[i]
        while text.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text.rstrip()[:-1] + " " + lines[i]
        i += 1
        stripped = text.strip().lstrip("$ ").strip()
        if stripped.startswith("curl "):
            ex = _parse_curl(stripped, prefixes)
            if ex is not None:
                ex.span = Span(file, fence.content_line + start)
                out.append(ex)
    return out


def _parse_curl(command: str, prefixes: list[str]) -> ExampleRequest | None:
    try:
        tokens = shlex.split(command)
    except ValueError:
        return None
    method = ""
    url = ""
    headers: dict[str, str] = {}
    data: str | None = None
    it = iter(tokens[1:])
    for tok in it:
        if tok in ("-X", "--request"):
            method = next(it, "").upper()
        elif tok in ("-H", "--header"):
            h = next(it, "")
            if ":" in h:
                k, v = h.split(":", 1)
                headers[k.strip()] = v.strip()
        elif tok in DATA_FLAGS:
            data = next(it, "")
        elif tok.startswith("-"):
            continue
        elif not url:
            url = tok
    if not url:
        return None
    method = method or ("POST" if data is not None else "GET")
    return _request(method, url, headers, data, prefixes)


def _parse_http(fence: Fence, file: str, prefixes: list[str]) -> ExampleRequest | None:
    lines = fence.content.splitlines()
    if not lines:
        return None
    first = lines[0].split()
    if len(first) < 2 or first[0].upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        return None
    headers: dict[str, str] = {}
    i = 1
    while i < len(lines) and lines[i].strip():
        if ":" in lines[i]:
            k, v = lines[i].split(":", 1)
            headers[k.strip()] = v.strip()
        i += 1
    data = "\n".join(lines[i + 1:]).strip() or None
    ex = _request(first[0].upper(), first[1], headers, data, prefixes)
    if ex is not None:
        ex.span = Span(file, fence.content_line)
    return ex


def _request(method: str, url: str, headers: dict[str, str], data: str | None, prefixes: list[str]) -> ExampleRequest | None:
    parts = urlsplit(url)
    path = parts.path or "/"
    for p in prefixes:
        if path.startswith(p + "/"):
            path = path[len(p):]
            break
    ex = ExampleRequest(method, path, "", dict(parse_qsl(parts.query)), headers)
    if data is not None:
        try:
            ex.body, ex.has_body = json.loads(data), True
        except ValueError:
            return None  # form data or a shell variable: not a JSON example
    return ex


def _match(spec: Spec, method: str, path: str, prefer: str = "") -> str:
    """The documented path template that `path` instantiates (the section's own endpoint first)."""
    segs = path.rstrip("/").split("/")
    candidates = [prefer] if prefer else []
    candidates += [e.path for e in spec.endpoints if e.method == method and e.path != prefer]
    for template in candidates:
        tsegs = template.rstrip("/").split("/")
        if len(tsegs) == len(segs) and all(t == s or (t.startswith("{") and t.endswith("}")) for t, s in zip(tsegs, segs, strict=True)):
            return template
    return ""


def path_values(template: str, path: str) -> dict[str, str]:
    """{param: value} for a concrete path of a template."""
    out = {}
    for t, s in zip(template.split("/"), path.split("/"), strict=False):
        if t.startswith("{") and t.endswith("}"):
            out[t[1:-1]] = s
    return out
