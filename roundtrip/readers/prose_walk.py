"""Shared helpers for the prose reader: walking a document's sections and lines, and reading
small things (labels, durations, entity names) out of ONE line or cell at a time.

The prose reader looks at text that is not code: paragraphs, list items, table rows. Code
fences are skipped (except where a caller asks for the lines of an unlabelled "config" fence)
and inline code is masked wherever a match inside it would be wrong (markers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from roundtrip.ir.api import HTTP_METHODS
from roundtrip.ir.naming import pascal, singular, snake
from roundtrip.markdown import Block, Document, Fence, Heading, ListBlock, Paragraph, Section, Table, plain
from roundtrip.markdown.inline import strip_bold_label

_METHODS = "|".join(HTTP_METHODS)
# `GET /path`, `### POST /v1/auth/login (Public)`, ``## `GET|POST /x` ``
_ENDPOINT_HEAD = re.compile(rf"^\W*(?:{_METHODS})(?:\s*\|\s*(?:{_METHODS}))*\s+/", re.I)
_ENDPOINT_LINE = re.compile(rf"^\W*(?:{_METHODS})\s+/\S*", re.I)

# Fence languages that hold configuration-like lines ("Base URL: /api/v1") rather than code.
CONFIG_FENCE_LANGS = ("", "text", "txt", "plain", "plaintext", "http", "properties", "ini", "env", "dotenv")


def is_endpoint_heading(title: str) -> bool:
    return bool(_ENDPOINT_HEAD.match(title.strip().strip("`")))


def in_endpoint(section: Section) -> bool:
    """True when the section or one of its ancestors is an endpoint section (`### POST /tasks`).
    Endpoint sections belong to the API reader; document-wide facts never come from them."""
    s: Section | None = section
    while s is not None:
        if s.heading is not None and is_endpoint_heading(s.heading.plain):
            return True
        s = s.parent
    return False


def titles(section: Section) -> list[str]:
    """Heading texts of the section and its ancestors, innermost first."""
    out: list[str] = []
    s: Section | None = section
    while s is not None:
        if s.heading is not None:
            out.append(s.heading.plain)
        s = s.parent
    return out


def titled(section: Section, pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(t) for t in titles(section))


def sections(doc: Document) -> Iterator[Section]:
    return doc.root.walk()


def own_blocks(section: Section) -> Iterator[Block]:
    """The section's own blocks, with the blocks nested in list items flattened in (in order)."""
    for b in section.blocks:
        yield b
        if isinstance(b, ListBlock):
            yield from _nested(b)


def _nested(lst: ListBlock) -> Iterator[Block]:
    for item in lst.items:
        for b in item.blocks:
            yield b
            if isinstance(b, ListBlock):
                yield from _nested(b)


@dataclass(frozen=True)
class Line:
    """One line of prose: its 1-based line number and raw inline Markdown."""

    line: int
    text: str
    label: str = ""  # bold/plain label of the line ("Base URL" in `- **Base URL**: /api/v1`), lower-cased
    rest: str = ""  # the text after the label (raw)


def split_label(text: str) -> tuple[str, str]:
    """`**Base URL**: x` / `**Base URL:** x` / `Base URL: x` → ("base url", "x"); ("", text) when unlabelled.
    A plain label must be short and free of code so sentences with a colon are not mistaken for labels."""
    t = text.strip()
    t = re.sub(r"^\[[ xX]\]\s*", "", t)  # task-list checkbox
    bold = strip_bold_label(t)
    if bold is not None:
        label, rest = bold
        label = label.strip().rstrip(":").strip()
        rest = rest.lstrip(":").strip()
        return plain(label).lower(), rest
    m = re.match(r"^([A-Za-z][\w /&()-]{0,40}?)\s*:\s+(.*)$", t)
    if m and "`" not in m.group(1) and len(m.group(1).split()) <= 5:
        return m.group(1).strip().lower(), m.group(2).strip()
    return "", t


def _make_line(n: int, raw: str) -> Line:
    label, rest = split_label(raw)
    return Line(n, raw, label, rest)


def prose_lines(blocks: Iterator[Block] | list[Block]) -> Iterator[Line]:
    """Lines of paragraphs and list items (including nested items), never of code or tables."""
    for b in blocks:
        if isinstance(b, Paragraph):
            for n, raw in b.lines():
                if raw.strip():
                    yield _make_line(n, raw)
        elif isinstance(b, ListBlock):
            yield from _item_lines(b)


def _item_lines(lst: ListBlock) -> Iterator[Line]:
    for item in lst.items:
        for i, raw in enumerate(item.text.split("\n")):
            if raw.strip():
                yield _make_line(item.line + i, raw)
        for b in item.blocks:
            if isinstance(b, Paragraph):
                for n, raw in b.lines():
                    if raw.strip():
                        yield _make_line(n, raw)
            elif isinstance(b, ListBlock):
                yield from _item_lines(b)


def config_fence_lines(fence: Fence) -> Iterator[Line]:
    """`Key: value` lines of an unlabelled fence (`Base URL: /api/v1`, `Authentication: Bearer token`)."""
    if fence.lang not in CONFIG_FENCE_LANGS:
        return
    for i, raw in enumerate(fence.content.split("\n")):
        if raw.strip():
            yield _make_line(fence.content_line + i, raw.strip())


def tables(section: Section) -> Iterator[Table]:
    for b in own_blocks(section):
        if isinstance(b, Table):
            yield b


def fences(section: Section) -> Iterator[Fence]:
    for b in own_blocks(section):
        if isinstance(b, Fence):
            yield b


def headers(table: Table) -> list[str]:
    return [h.strip().strip("`*").strip() for h in table.header_plain()]


def column(table: Table, *names: str) -> int | None:
    """Index of the first column whose header is one of `names` (lower-case, exact), else None."""
    hs = headers(table)
    for n in names:
        if n in hs:
            return hs.index(n)
    return None


def row_text(cells: list[str]) -> str:
    return " | ".join(plain(c) for c in cells if c.strip())


def shorten(text: str, limit: int = 120) -> str:
    t = re.sub(r"\s+", " ", text).strip()
    return t if len(t) <= limit else t[: limit - 1].rstrip() + "…"


# ---- code masking (markers and sentences must not match inside inline code)

_CODE = re.compile(r"(`+)(.+?)\1", re.S)


def mask_code(text: str) -> str:
    """Replace every inline code span by spaces of the same length (newlines kept), so positions
    in the masked text are positions in the original."""
    return _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


# ---- durations ("15 minutes", "15min", "12 h", "7-day", "14 days")

_UNIT_SECONDS = (
    (re.compile(r"^(?:seconds?|secs?|s)$"), 1),
    (re.compile(r"^(?:minutes?|mins?|m)$"), 60),
    (re.compile(r"^(?:hours?|hrs?|h)$"), 3600),
    (re.compile(r"^(?:days?|d)$"), 86400),
    (re.compile(r"^(?:weeks?|wks?|w)$"), 7 * 86400),
)
DURATION = re.compile(
    r"(?<![\w.$])(\d+(?:\.\d+)?)\s*-?\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|s|m|h|d|w)\b", re.I
)


def unit_seconds(unit: str) -> int | None:
    u = unit.lower()
    for pat, secs in _UNIT_SECONDS:
        if pat.match(u):
            return secs
    return None


def durations(text: str) -> list[tuple[int, int, int]]:
    """Every duration in one line: (start, end, seconds), in order."""
    out: list[tuple[int, int, int]] = []
    for m in DURATION.finditer(text):
        secs = unit_seconds(m.group(2))
        if secs is None:
            continue
        out.append((m.start(), m.end(), int(float(m.group(1)) * secs)))
    return out


# ---- headings as entity names

_NUMBERING = re.compile(r"^\s*(?:§\s*)?(?:\d+(?:\.\d+)*\.?|[A-Z]\.|[IVX]+\.)\s+")
_PAREN = re.compile(r"\s*\([^)]*\)\s*")
_SUFFIX = re.compile(r"\s+(?:object|objects|entity|table|resource|resources|endpoints)$", re.I)


def clean_title(title: str) -> str:
    """`1.5 Book (bibliographic record)` → `Book`; `Tasks` → `Tasks`; emoji and backticks dropped."""
    t = plain(title)
    t = _NUMBERING.sub("", t)
    t = _PAREN.sub(" ", t).strip()
    t = re.sub(r"^[^\w`]+", "", t).strip().strip("`").strip()
    t = _SUFFIX.sub("", t).strip()
    return t


_ENTITY = re.compile(r"^(?:[A-Z][A-Za-z0-9]*|[a-z][a-z0-9_]*)$")


def entity_of(section: Section, stop: Section | None = None) -> str:
    """The nearest heading (this section, or an ancestor up to `stop` inclusive) that names an entity:
    one PascalCase word (`User`, `ExamAttempt`) or a table name (`users`). "" when none does.
    Without `stop` only the section's own heading is asked. H1 is the document title, never an entity."""
    s: Section | None = section
    while s is not None and s.heading is not None and s.heading.level > 1:
        name = clean_title(s.heading.plain)
        if _ENTITY.match(name) and not is_endpoint_heading(s.heading.plain):
            return name
        if stop is None or s is stop:
            break
        s = s.parent
    return ""


def singular_entity(name: str) -> str:
    """`Tasks` → `Task`, `ExamAttempts` → `ExamAttempt` (section headings name collections)."""
    if not name:
        return ""
    return pascal(singular(snake(name)))


# ---- what a document is about

def is_api_doc(doc: Document) -> bool:
    """A document describes an API when it names endpoints (headings, summary tables, bare lines)
    or calls itself an API document. Base URLs and API descriptions come only from such docs."""
    if re.search(r"api", doc.file.rsplit("/", 1)[-1], re.I):
        return True
    for b in doc.blocks:
        if isinstance(b, Heading) and is_endpoint_heading(b.plain):
            return True
        if isinstance(b, Table) and "method" in headers(b):
            return True
        if isinstance(b, Paragraph):
            for _, raw in b.lines():
                if _ENDPOINT_LINE.match(plain(raw)):
                    return True
        if isinstance(b, ListBlock) and any(_ENDPOINT_LINE.match(plain(i.text.split("\n")[0])) for i in b.items):
            return True
    return False
