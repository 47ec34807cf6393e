"""The docs' example requests: `curl` lines (and raw `http` requests) in each endpoint's section.

The readers ignore these (they state no new fact), but verify replays them: an example request is
the docs' own promise of what a call looks like. Each becomes an ExampleRequest with the concrete
path (base path stripped), query, headers, JSON body and the line of the `curl`.

`find_documented_requests` adds the docs' other ways of showing a request, for an endpoint that has
no curl/http example: a concrete request line in inline code (`GET /members/me/fines?status=outstanding`)
and the JSON request-body example the IR keeps (Endpoint.request.example). A body example names no
path values: its `path` is the template, and the caller fills the parameters (from sample rows).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from roundtrip.ir import Endpoint, Spec
from roundtrip.markdown import Fence, ListBlock, parse_document
from roundtrip.markdown.cst import Block, Paragraph, Section
from roundtrip.source import Span, discover, relative_name

SHELL_LANGS = ("bash", "sh", "shell", "console", "zsh", "curl", "")
DATA_FLAGS = ("-d", "--data", "--data-raw", "--data-binary", "--json")
# `GET /members/me/fines?status=outstanding` in running text or a response label
REQUEST_LINE = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s]*)`")


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
    kind: str = "curl"  # curl | http | request line | body (a request-body example: path is the template)


def find_examples(spec: Spec, specs: Path) -> list[ExampleRequest]:
    """Every example request in the endpoint sections of the docs, in document order."""
    root = Path(specs)
    return _examples_in(spec, _documents(root)) if root.exists() else []


def _documents(root: Path) -> list[tuple[str, Section]]:
    """Each readable Markdown file under `root`, parsed once: (its name, its root section)."""
    base, files = discover(root)
    out: list[tuple[str, Section]] = []
    for path in files:
        name = relative_name(base, path)
        try:
            doc, _ = parse_document(name, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        out.append((name, doc.root))
    return out


def _examples_in(spec: Spec, docs: list[tuple[str, Section]]) -> list[ExampleRequest]:
    by_heading = {(e.span.file, e.span.line): e for e in spec.endpoints if e.span.line}
    prefixes = _prefixes(spec)
    out: list[ExampleRequest] = []
    for name, root in docs:
        for section in root.walk():
            if section.heading is None:
                continue
            ep = by_heading.get((name, section.heading.span.line))
            if ep is None:
                continue
            for fence in _fences(section):
                for ex in _parse_fence(fence, name, prefixes):
                    ex.template = _match(
                        spec, ex.method, ex.path, prefer=ep.path if ep.method == ex.method else ""
                    )
                    if ex.template:
                        out.append(ex)
    return out


def find_documented_requests(spec: Spec, specs: Path) -> list[ExampleRequest]:
    """Every request the docs show for an endpoint: its curl/http examples (`find_examples`), else its
    concrete request lines, else its request-body example; in document order."""
    root = Path(specs)
    if not root.exists():
        return []
    docs = _documents(root)  # parsed once for the replayed examples and the rest
    replayed = _examples_in(spec, docs)
    covered = {(ex.method, ex.template) for ex in replayed}
    prefixes = _prefixes(spec)
    out = list(replayed)
    for name, doc_root in docs:
        for section in doc_root.walk():
            endpoints = _endpoints_in(spec, section, name)
            if not endpoints:
                continue
            lines = [
                ex
                for ex in _request_lines(section, name, prefixes)
                if (ex.method, ex.template) not in covered
            ]
            for ex in lines:
                ex.template = _match(spec, ex.method, ex.path)
                # a bare `GET /books` names the endpoint; only a concrete call (values, a query) is an example
                if ex.template and (ex.query or ex.path != ex.template):
                    covered.add((ex.method, ex.template))
                    out.append(ex)
            for ep in endpoints:
                if (ep.method, ep.path) in covered or ep.request is None or not ep.request.has_example:
                    continue
                covered.add((ep.method, ep.path))
                span = _body_fence(section, ep.request.example) or ep.request.span
                out.append(
                    ExampleRequest(
                        ep.method,
                        ep.path,
                        ep.path,
                        body=ep.request.example,
                        has_body=True,
                        span=span,
                        kind="body",
                    )
                )
    return sorted(out, key=lambda ex: (ex.span.file, ex.span.line))


def _endpoints_in(spec: Spec, section: Section, file: str) -> list[Endpoint]:
    """The endpoints a section documents: its heading is theirs, or its own text states them (several
    endpoints in one prose paragraph have no heading each)."""
    if section.heading is None:
        return []
    own = {section.heading.span.line}
    for b in section.blocks:
        own.update(range(b.span.line, max(b.span.line, b.span.end_line) + 1))
    return [e for e in spec.endpoints if e.span.file == file and e.span.line in own]


def _request_lines(section: Section, file: str, prefixes: list[str]) -> list[ExampleRequest]:
    out: list[ExampleRequest] = []
    for b in section.blocks:
        if not isinstance(b, Paragraph):
            continue
        for line, text in b.lines():
            for m in REQUEST_LINE.finditer(text):
                ex = _request(m.group(1), m.group(2), {}, None, prefixes)
                if ex is not None:
                    ex.span, ex.kind = Span(file, line), "request line"
                    out.append(ex)
    return out


def _body_fence(section: Section, example: Any) -> Span | None:
    """The line of the JSON block that states a request-body example (the IR's span is the body's table)."""
    for fence in _fences(section):
        if fence.lang in ("json", "jsonc", ""):
            try:
                if json.loads(fence.content) == example:
                    return Span(fence.span.file, fence.content_line)
            except ValueError:
                continue
    return None


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
    data = "\n".join(lines[i + 1 :]).strip() or None
    ex = _request(first[0].upper(), first[1], headers, data, prefixes)
    if ex is not None:
        ex.span, ex.kind = Span(file, fence.content_line), "http"
    return ex


def _request(
    method: str, url: str, headers: dict[str, str], data: str | None, prefixes: list[str]
) -> ExampleRequest | None:
    parts = urlsplit(url)
    path = parts.path or "/"
    for p in prefixes:
        if path.startswith(p + "/"):
            path = path[len(p) :]
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
        if len(tsegs) == len(segs) and all(
            t == s or (t.startswith("{") and t.endswith("}")) for t, s in zip(tsegs, segs, strict=True)
        ):
            return template
    return ""


def path_values(template: str, path: str) -> dict[str, str]:
    """{param: value} for a concrete path of a template."""
    out = {}
    for t, s in zip(template.split("/"), path.split("/"), strict=False):
        if t.startswith("{") and t.endswith("}"):
            out[t[1:-1]] = s
    return out
