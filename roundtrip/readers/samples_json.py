"""Sample rows written as JSON: a `json` fence under a "Sample Data"/"Seed" heading or label.

Two shapes: a list of objects in a table's own section (`### users` … **Sample Data**), or an object
whose keys name tables (`{"users": [...], "workspaceMembers": [...]}`). Keys are camelCase or
snake_case; rows are keyed by snake_case column names. MongoDB Extended JSON (`{"$date": …}`,
`{"$oid": …}`) is unwrapped to its value. SQL INSERTs and TypeScript seed objects have their own
readers; this one only takes fences labelled as JSON.
"""

from __future__ import annotations

import re
from typing import Any

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts, Origin, SampleRow
from roundtrip.ir.naming import plural, snake
from roundtrip.markdown import Document, Fence, Paragraph, Section, plain
from roundtrip.readers.api_json import parse_examples
from roundtrip.source import Span

_SAMPLE = re.compile(r"\b(sample|seed|fixture|example data|test data|demo data)", re.I)
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _unwrap(v: Any) -> Any:
    if isinstance(v, dict):
        if len(v) == 1:
            (k, inner), = v.items()
            if k in ("$date", "$oid", "$numberLong", "$numberDecimal", "$numberInt", "$uuid"):
                return _unwrap(inner)
        return {k: _unwrap(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_unwrap(x) for x in v]
    return v


def _table_of(section: Section, known: set[str]) -> str | None:
    """The table whose section holds the fence: the nearest heading that names a known table."""
    for s in [section, *section.ancestors()]:
        title = plain(s.title).strip("` ") if s.heading else ""
        title = re.sub(r"^[\d.]+\s*", "", title).split(" ")[0].strip("`")
        if title and _IDENT.match(title):
            for cand in (title, snake(title), plural(snake(title))):
                if cand in known:
                    return cand
    return None


def _rows(table: str, items: list[Any], line: int, file: str) -> list[SampleRow]:
    out = []
    for item in items:
        if isinstance(item, dict) and item:
            # MongoDB's `_id` is the row id
            values = tuple(("id" if k == "_id" else snake(k), _unwrap(v)) for k, v in item.items())
            out.append(SampleRow(table, values, origin=Origin.JSON_EXAMPLE, span=Span(file, line)))
    return out


def read_json_samples(doc: Document, facts: Facts, sink: Sink) -> None:
    for section in doc.sections():
        label = ""
        for blk in section.blocks:
            if isinstance(blk, Paragraph):
                label = blk.text
                continue
            if not isinstance(blk, Fence) or blk.lang not in ("json", "jsonc", "json5"):
                label = ""
                continue
            titles = [s.title for s in [section, *section.ancestors()] if s.heading]
            if not (_SAMPLE.search(label) or any(_SAMPLE.search(t) for t in titles[:2])):
                continue
            parsed = parse_examples(blk.content)
            if parsed.error or not parsed.segments:
                continue  # the API reader reports unreadable JSON; samples are best effort
            for seg in parsed.segments:
                line = blk.content_line + seg.line
                value = seg.value
                if isinstance(value, dict) and value and all(isinstance(v, list) for v in value.values()):
                    for key, items in value.items():
                        facts.samples.extend(_rows(plural(snake(key)) if not key.endswith("s") else snake(key), items, line, doc.file))
                elif isinstance(value, list):
                    table = _table_of(section, {t.name for t in facts.tables})
                    if table:
                        facts.samples.extend(_rows(table, value, line, doc.file))
                elif isinstance(value, dict):
                    table = _table_of(section, {t.name for t in facts.tables})
                    if table:
                        facts.samples.extend(_rows(table, [value], line, doc.file))
