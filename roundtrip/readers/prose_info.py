"""API info → facts.info: title, version, description, base_path and servers.

Base URL constructs recognized (each inside one line, row or fence):
  - a label line: `- **Base URL**: \\`/api/v1\\``, `**Base URL:** \\`https://x/v1\\``, `Base URL: \\`http://localhost:3000\\`.`
  - a conventions-table row: `| Base URL | \\`https://api.example.org/api/v1\\` |`
  - `Key: value` lines of an unlabelled fence: `Base: https://api.x.io`, `Base URL: /api/v1`, `Staging: …`, `Local: …`
  - a bare `Base URL` line followed by the value on the next line, or a `## Base URL` section holding only the value.
An absolute URL is a server and its path is the base path (`https://api.x.io` → base_path ""); a
relative value (`/api/v1`) is only a base path.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from roundtrip.ir import Facts
from roundtrip.markdown import Document, Heading, Paragraph, Section, code_spans, plain
from roundtrip.readers.prose_walk import (
    Line,
    clean_title,
    config_fence_lines,
    fences,
    in_endpoint,
    is_api_doc,
    own_blocks,
    prose_lines,
    sections,
    tables,
)
from roundtrip.source import Span

# Words that name a kind of document rather than the product ("API Specification: Examora").
_DOC_WORDS = frozenset(
    """api apis rest http backend technical data database db model models specification specifications spec specs
    reference documentation docs doc design schema schemas contract contracts document security architecture
    service services the and & draft v1 v2 overview erd realtime websocket interface spezifikation mock""".split()
)
_BASE_LABELS = frozenset({"base url", "base path", "api base url", "api base", "base uri", "api url", "api root"})
# Only trusted inside a fence or a "Base URL"/"Servers" section, where they cannot mean anything else.
_ENV_LABELS = frozenset({"base", "server", "servers", "production", "prod", "staging", "local", "development", "dev",
                         "sandbox", "test", "testing", "qa", "uat", "preview"})
_URL = re.compile(r"https?://[^\s`'\"<>)\]]+|(?<![\w.:/])/[A-Za-z0-9_\-./{}]*")
_VERSION = re.compile(r"\bv?\d+(?:\.\d+){0,3}(?:[-+][\w.]+)?\b")


def read_info(doc: Document, facts: Facts) -> None:
    _title(doc, facts)
    _version(doc, facts)
    if is_api_doc(doc):
        _description(doc, facts)
        _base_urls(doc, facts)


# ---- title


def title_from_heading(text: str) -> str:
    """`API Specification: Examora` → `Examora`; `ProxiMart API Specification` → `ProxiMart`;
    `Smart Lease - Database Schema` → `Smart Lease`; `API Specification (Draft)` → "" (names the
    kind of document, not the product)."""
    t = re.sub(r"\s*\([^)]*\)\s*", " ", plain(text)).strip()
    parts = re.split(r"\s*:\s+|\s+[—–|-]\s+|:$", t, maxsplit=1)
    head = _strip_doc_words(parts[0])
    if head:
        return head
    tail = parts[1].strip() if len(parts) > 1 else ""
    if not tail or tail[0].islower():
        return ""  # "DATA_MODEL.md: what is stored in MongoDB" is a sentence, not a name
    return _strip_doc_words(tail)


def _strip_doc_words(part: str) -> str:
    words = [w for w in part.split() if not re.fullmatch(r"[\w.-]+\.md", w, re.I)]
    words = [w for w in words if not (("_" in w) and all(x.lower() in _DOC_WORDS for x in w.split("_")))]
    while words and words[0].lower().strip(":—-") in _DOC_WORDS:
        words.pop(0)
    while words and words[-1].lower().strip(":—-") in _DOC_WORDS:
        words.pop()
    out = " ".join(words).strip(" :—–-|")
    return out if re.search(r"[A-Za-z]", out) else ""


def _title(doc: Document, facts: Facts) -> None:
    # One title per document: **Project** (or **Product**) label, else the H1, else front matter `product`.
    for line in _head_lines(doc):
        if line.label in ("project", "product", "project name", "product name") and line.rest:
            value = plain(line.rest)
            if value:
                facts.info.append(("title", value, Span(doc.file, line.line)))
                return
    for b in doc.blocks:
        if isinstance(b, Heading) and b.level == 1:
            value = title_from_heading(b.text)
            if value:
                facts.info.append(("title", value, Span(doc.file, b.span.line)))
                return
            break
    product = doc.front_matter.get("product") or doc.front_matter.get("title")
    if product:
        facts.info.append(("title", product, Span(doc.file, _front_matter_line(doc, "product" if "product" in doc.front_matter else "title"))))


def _head_lines(doc: Document) -> list[Line]:
    """Lines of the document's first section(s) before any H2: where metadata labels live."""
    out: list[Line] = []
    blocks = []
    for b in doc.blocks:
        if isinstance(b, Heading) and b.level >= 2:
            break
        blocks.append(b)
    out.extend(prose_lines(blocks))
    return out


def _front_matter_line(doc: Document, key: str) -> int:
    for i, ln in enumerate(doc.text.split("\n")[:200]):
        if ln.startswith(f"{key}:"):
            return i + 1
    return 1


# ---- version


def _version(doc: Document, facts: Facts) -> None:
    fm = doc.front_matter.get("version")
    if fm:
        facts.info.append(("version", fm, Span(doc.file, _front_matter_line(doc, "version"))))
        return
    for line in _head_lines(doc):
        if line.label in ("version", "api version", "document version", "spec version") and line.rest:
            m = _VERSION.search(plain(line.rest))
            if m:
                facts.info.append(("version", m.group(0), Span(doc.file, line.line)))
                return


# ---- description


def _description(doc: Document, facts: Facts) -> None:
    for sec in sections(doc):
        # The document's own overview (`## Overview`, `## API Overview`), not an endpoint's `GET /x/overview`.
        if sec.heading is None or sec.heading.level > 2 or in_endpoint(sec):
            continue
        if not re.fullmatch(r"(?:\d+\.?\s*)?(?:api\s+|project\s+|system\s+)?(?:overview|introduction)", clean_title(sec.heading.plain), re.I):
            continue
        for b in sec.blocks:
            if isinstance(b, Paragraph) and not b.quoted and not b.text.lstrip().startswith(("<", "**", "|")):
                text = " ".join(plain(ln) for _, ln in b.lines()).strip()
                if len(text) >= 20:
                    facts.info.append(("description", text, Span(doc.file, b.span.line)))
                    return
        return


# ---- base URL and servers


def _base_urls(doc: Document, facts: Facts) -> None:
    base_seen = False

    def emit(values: list[str], line: int, server_only: bool = False) -> None:
        nonlocal base_seen
        for v in values:
            v = v.rstrip(".,;")
            if v.startswith(("http://", "https://")):
                url = v.rstrip("/")
                facts.info.append(("server", url, Span(doc.file, line)))
                if not base_seen and not server_only:
                    facts.info.append(("base_path", urlsplit(url).path.rstrip("/"), Span(doc.file, line)))
                    base_seen = True
            elif v.startswith("/") and not server_only and not base_seen and len(v) > 1:
                facts.info.append(("base_path", v.rstrip("/"), Span(doc.file, line)))
                base_seen = True

    for sec in sections(doc):
        if in_endpoint(sec):
            continue
        base_section = sec.heading is not None and re.search(r"\b(?:base\s*url|servers?|environments?)\b", sec.heading.plain, re.I)
        for line in _candidate_lines(sec, bool(base_section)):
            label = line.label
            if label in _BASE_LABELS or label in _ENV_LABELS:
                emit(url_values(line.rest), line.line, server_only=label in _ENV_LABELS and label not in ("base", "server", "servers"))
        for tbl in tables(sec):
            for row in tbl.rows:
                if row.cells and plain(row.cells[0]).lower().strip(":") in _BASE_LABELS:
                    emit(url_values(" ".join(row.cells[1:])), row.line)
        if base_section:
            # `## Base URL` followed by a line that is only the value
            for b in own_blocks(sec):
                if isinstance(b, Paragraph):
                    for n, raw in b.lines():
                        if _only_url(raw):
                            emit(url_values(raw), n)
    # A bare "Base URL" line whose value is on the next line (no markup at all)
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            lines = list(b.lines())
            for (_, raw), (n2, nxt) in zip(lines, lines[1:], strict=False):
                if plain(raw).lower().rstrip(":") in _BASE_LABELS and _only_url(nxt):
                    emit(url_values(nxt), n2)


def _candidate_lines(sec: Section, base_section: bool) -> list[Line]:
    out: list[Line] = []
    for line in prose_lines(list(own_blocks(sec))):
        if line.label in _BASE_LABELS or (base_section and line.label in _ENV_LABELS):
            out.append(line)
    for f in fences(sec):
        lines = list(config_fence_lines(f))
        # `Staging:` / `Local:` name servers only next to a base URL (not in a deployment or .env fence).
        has_base = any(ln.label in _BASE_LABELS or ln.label == "base" for ln in lines)
        out.extend(ln for ln in lines if ln.label in _BASE_LABELS or (has_base and ln.label in _ENV_LABELS))
    return out


def url_values(text: str) -> list[str]:
    """URLs and absolute paths in one value: code spans first, else bare tokens."""
    spans = [s for s in code_spans(text) if s.startswith(("http://", "https://", "/"))]
    cands = spans if spans else _URL.findall(plain(text))
    out: list[str] = []
    for c in cands:
        c = c.strip().rstrip(".,;")
        if c.startswith("/") and (" " in c or c.startswith("//")):
            continue
        if "<" in c or "{" in c.split("//", 1)[-1].split("/", 1)[0]:
            continue  # placeholder host
        if c not in out:
            out.append(c)
    return out


def _only_url(raw: str) -> bool:
    t = plain(raw).strip()
    return bool(t) and " " not in t and t.startswith(("http://", "https://", "/")) and len(t) > 1

