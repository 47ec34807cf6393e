"""Document-wide API conventions → facts.conventions: pagination and sort syntax.

Every statement is recorded separately (the validator compares them), from:
  - a Pagination section: its parameter table (`limit` default 25, "1–100"), its prose
    ("offset/limit pagination") and its JSON envelope example (`data` + `pagination`);
  - a conventions-table row `| Pagination | \\`limit\\` (default 25, max 100); response {…} |`;
  - a prose line anywhere: "default page size 20 items, max 100".
Per-endpoint query tables and JSON examples inside endpoint sections are the API reader's.
"""

from __future__ import annotations

import json
import re

from roundtrip.ir import Convention, Facts
from roundtrip.markdown import Document, Section, Table, code_spans, plain
from roundtrip.readers.prose_walk import (
    column,
    fences,
    in_endpoint,
    own_blocks,
    prose_lines,
    row_text,
    sections,
    shorten,
    tables,
)
from roundtrip.source import Span

_PAGINATION = re.compile(r"paginat|\bpaging\b", re.I)
_LIMIT_NAMES = frozenset({"limit", "pagesize", "page_size", "per_page", "perpage", "size", "page[size]", "take", "count", "pagelimit"})
_SIZE = r"(?:page[\s_-]?size|page[\s_-]?limit|per[\s_-]?page|limit|pagesize|perpage)"
_DEFAULT_PATTERNS = (
    re.compile(rf"\bdefault\s+{_SIZE}\s*(?:is|of|=|:)?\s*(\d+)\b", re.I),
    re.compile(rf"\b{_SIZE}`?\s*(?:\(|,|:)?\s*(?:defaults?|by default)(?:\s+(?:is|to|of))?\s*[:=]?\s*(\d+)\b", re.I),
    re.compile(rf"\b{_SIZE}`?\s+(?:is\s+)?(\d+)\s+by default\b", re.I),
)
_MAX_PATTERNS = (
    re.compile(rf"\bmax(?:imum)?\.?\s*(?:{_SIZE}\s*)?(?:is|of|=|:)?\s*(\d+)\b", re.I),
    re.compile(rf"\b{_SIZE}`?\s*(?:≤|<=|must not exceed|at most|up to)\s*(\d+)\b", re.I),
)
_RANGE = re.compile(r"(\d+)\s*(?:–|-|—|to|\.\.)\s*(\d+)")
_NOT_PAGINATION = re.compile(r"rate[\s_-]?limit|req(?:uest)?s?\s*/|requests?\s+per|per\s+(?:minute|second|hour)|\bchars?\b|characters", re.I)
_SORT = (
    re.compile(r"prefix\w*\b.{0,60}?[`'\"]?-[`'\"]?.{0,60}?\bdesc", re.I),
    re.compile(r"sort=-", re.I),
    re.compile(r"[`'\"]-\w*[`'\"]?.{0,20}?\bdesc", re.I),
)

_SORT_ERROR = re.compile(
    r"\b(?:unknown|invalid|unsupported|unrecognized|disallowed)\b[^.;]{0,60}?\b(?:returns?|gives?|yields?|answers?|respond\w*|→|->)\s*"
    r"`?(?P<status>4\d\d)`?\s*(?:[A-Za-z ]{0,25}?\s)?`?(?P<code>[A-Z][A-Z0-9_]{2,})`?",
    re.I,
)
_MIN_LIMIT = re.compile(r"\bmin(?:imum)?\.?\s+page[\s_-]?size\s*(?:is|of|=|:)?\s*(\d+)\b", re.I)


def read_conventions(doc: Document, facts: Facts) -> None:
    for sec in sections(doc):
        if in_endpoint(sec):
            continue
        if sec.heading is not None and _PAGINATION.search(sec.heading.plain):
            _pagination_section(doc, sec, facts)
        for tbl in tables(sec):
            _conventions_table(doc, tbl, facts)
        for line in prose_lines(list(own_blocks(sec))):
            text = plain(line.text)
            if sec.heading is None or not _PAGINATION.search(sec.heading.plain):
                _limits_in_line(doc, line.line, text, facts, require_context=True)
            _sort_in_line(doc, line.line, text, sec, facts)


def _add(facts: Facts, key: str, value: object, text: str, file: str, line: int) -> None:
    facts.conventions.append(Convention(key, value, shorten(text, 200), Span(file, line)))


# ---- prose lines


def limits_in_text(text: str) -> tuple[int | None, int | None]:
    """(default, max) page size stated in one line or cell, or None for what it does not say."""
    if _NOT_PAGINATION.search(text):
        return None, None
    default = None
    for pat in _DEFAULT_PATTERNS:
        m = pat.search(text)
        if m:
            default = int(m.group(1))
            break
    maximum = None
    mentions_size = re.search(_SIZE, text, re.I) is not None or _PAGINATION.search(text) is not None
    if mentions_size:
        for pat in _MAX_PATTERNS:
            m = pat.search(text)
            if m and (default is not None or pat is not _MAX_PATTERNS[0] or re.search(rf"max(?:imum)?\.?\s*{_SIZE}", m.group(0), re.I)):
                maximum = int(m.group(1))
                break
    return default, maximum


def _limits_in_line(doc: Document, line: int, text: str, facts: Facts, require_context: bool) -> None:
    # Outside a Pagination section the line itself must be about paging: "Tier-based limit (default: 3)" is not.
    if require_context and not re.search(r"paginat|page[\s_-]?size|per[\s_-]?page|\bpaging\b", text, re.I):
        return
    default, maximum = limits_in_text(text)
    minimum = _MIN_LIMIT.search(text)
    if minimum is not None:
        _add(facts, "pagination.min_limit", int(minimum.group(1)), text, doc.file, line)
    if default is not None:
        _add(facts, "pagination.default_limit", default, text, doc.file, line)
    if maximum is not None:
        _add(facts, "pagination.max_limit", maximum, text, doc.file, line)


def _style_in_text(text: str) -> str | None:
    t = text.lower()
    if re.search(r"\bcursor\b|\bkeyset\b|\bseek\b", t):
        return "cursor"
    if re.search(r"offset\s*/\s*limit|limit\s*/\s*offset|offset[\s-]based|\boffset\b", t):
        return "offset"
    if re.search(r"page\s*/\s*(?:limit|size)|page[\s-]based|page number|`page`|\bpage=|\bpage\b.{0,20}\(default", t):
        return "page"
    return None


def _sort_in_line(doc: Document, line: int, text: str, sec: Section, facts: Facts) -> None:
    if not (re.search(r"\bsort", text, re.I) or (sec.heading is not None and re.search(r"sort", sec.heading.plain, re.I))):
        return
    if any(p.search(text) for p in _SORT):
        _add(facts, "sort.syntax", "-field", text, doc.file, line)
    _sort_error(doc, line, text, facts)


def _sort_error(doc: Document, line: int, text: str, facts: Facts) -> None:
    """"Unknown fields return `400 INVALID_SORT_FIELD`": an error every endpoint that takes `sort` answers."""
    m = _SORT_ERROR.search(text)
    if m:
        _add(facts, "sort.error", f"{m.group('status')} {m.group('code')}", text, doc.file, line)


# ---- a Pagination section


def _pagination_section(doc: Document, sec: Section, facts: Facts) -> None:
    style: tuple[str, int, str] | None = None
    for line in prose_lines(list(own_blocks(sec))):
        text = plain(line.text)
        _limits_in_line(doc, line.line, text, facts, require_context=False)
        s = _style_in_text(text)
        if s and style is None:
            style = (s, line.line, text)
    for tbl in tables(sec):
        from_table = _parameter_table(doc, tbl, facts)
        if from_table and style is None:
            style = from_table
    if style is not None:
        _add(facts, "pagination.style", style[0], style[2], doc.file, style[1])
    for f in fences(sec):
        if f.lang not in ("json", "jsonc", "json5", ""):
            continue
        try:
            data = json.loads(f.content)
        except ValueError:
            continue
        env = envelope_of_keys(list(data.keys())) if isinstance(data, dict) else None
        if env:
            _add(facts, "pagination.envelope", env, f.content.strip().split("\n")[0], doc.file, f.content_line)


def _parameter_table(doc: Document, tbl: Table, facts: Facts) -> tuple[str, int, str] | None:
    name_col = column(tbl, "parameter", "param", "name", "field", "query parameter", "query param")
    if name_col is None:
        return None
    default_col = column(tbl, "default", "default value")
    rule_cols = [c for c in (column(tbl, "validation"), column(tbl, "constraints"), column(tbl, "range"),
                             column(tbl, "description"), column(tbl, "notes")) if c is not None]
    names: list[str] = []
    first_line = tbl.rows[0].line if tbl.rows else tbl.span.line
    for row in tbl.rows:
        name = plain(row.cells[name_col]).strip("`").strip().lower() if name_col < len(row.cells) else ""
        names.append(name)
        if name not in _LIMIT_NAMES:
            continue
        text = row_text(row.cells)
        if default_col is not None and default_col < len(row.cells):
            m = re.match(r"^\s*`?(\d+)`?\s*$", plain(row.cells[default_col]))
            if m:
                _add(facts, "pagination.default_limit", int(m.group(1)), text, doc.file, row.line)
        for c in rule_cols:
            cell = plain(row.cells[c]) if c < len(row.cells) else ""
            m = _RANGE.search(cell)
            maximum = int(m.group(2)) if m else None
            if m is not None:
                # "1–100": the smallest page size the API accepts, stated next to the largest
                _add(facts, "pagination.min_limit", int(m.group(1)), text, doc.file, row.line)
            if maximum is None:
                m2 = re.search(r"\bmax(?:imum)?\.?\s*(?:is|of|=|:)?\s*(\d+)|(?:≤|<=)\s*(\d+)", cell, re.I)
                maximum = int(m2.group(1) or m2.group(2)) if m2 else None
            if maximum is not None:
                _add(facts, "pagination.max_limit", maximum, text, doc.file, row.line)
                break
    if "cursor" in names or "after" in names or "before" in names:
        return "cursor", first_line, row_text(tbl.header)
    if "offset" in names or "skip" in names:
        return "offset", first_line, row_text(tbl.header)
    if "page" in names:
        return "page", first_line, row_text(tbl.header)
    return None


# ---- a conventions table row: | Pagination | `page` (default 1), `limit` (default 25, max 100); response {…} |


def _conventions_table(doc: Document, tbl: Table, facts: Facts) -> None:
    for row in tbl.rows:
        if len(row.cells) < 2:
            continue
        if re.search(r"\bsort", plain(row.cells[0]), re.I) and any(p.search(plain(" ".join(row.cells[1:]))) for p in _SORT):
            _add(facts, "sort.syntax", "-field", row_text(row.cells), doc.file, row.line)
            continue
        if not _PAGINATION.search(plain(row.cells[0])):
            continue
        value = " ".join(row.cells[1:])
        text = plain(value)
        full = row_text(row.cells)
        default, maximum = limits_in_text(text)
        if default is None:
            for m in re.finditer(r"`?([\w\[\]]+)`?\s*\(\s*default\s*[:=]?\s*(\d+)\s*(?:,\s*max(?:imum)?\s*[:=]?\s*(\d+))?", text, re.I):
                if m.group(1).lower() in _LIMIT_NAMES:
                    default = int(m.group(2))
                    maximum = int(m.group(3)) if m.group(3) else maximum
                    break
        if default is not None:
            _add(facts, "pagination.default_limit", default, full, doc.file, row.line)
        if maximum is not None:
            _add(facts, "pagination.max_limit", maximum, full, doc.file, row.line)
        params = [s.lower() for s in code_spans(value)]
        style = None
        if any(p in ("cursor", "after", "before") for p in params):
            style = "cursor"
        elif any(p in ("offset", "skip") for p in params):
            style = "offset"
        elif "page" in params:
            style = "page"
        else:
            style = _style_in_text(text)
        if style:
            _add(facts, "pagination.style", style, full, doc.file, row.line)
        for span in code_spans(value):
            if span.startswith("{"):
                env = envelope_of_keys(re.findall(r"\"(\w+)\"", span))
                if env:
                    _add(facts, "pagination.envelope", env, full, doc.file, row.line)
                    break


def envelope_of_keys(keys: list[str]) -> str | None:
    """Top-level keys of a list response → data+pagination | data+meta | flat."""
    low = [k.lower() for k in keys]
    if not any(k in ("data", "items", "results", "records") for k in low):
        return None
    if "pagination" in low or "paging" in low:
        return "data+pagination"
    if "meta" in low:
        return "data+meta"
    if any(k in ("page", "limit", "total", "offset", "count", "hasmore", "has_more", "next", "nextcursor", "next_cursor", "totalcount", "total_count") for k in low):
        return "flat"
    return None
