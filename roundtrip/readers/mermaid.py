"""Mermaid `erDiagram` fences → tables with origin MERMAID (names, coarse types, PK/UK).

An entity block `User { uuid id PK  varchar email UK "comment" }` becomes a table named by the
entity (`User` → users, `ExamAttempt` → exam_attempts; snake_case and UPPERCASE names are kept,
lower-cased). Mermaid types are coarse: `varchar` has no length, `timestamp` does not say whether
it has a time zone (timezone=None), `enum` has no values, and `FK` names no target, so no
foreign key is recorded. Relationship lines are ignored, and an entity that appears only in
relationships gets no table.
"""

from __future__ import annotations

import re

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts
from roundtrip.ir.schema import Origin
from roundtrip.markdown import Document, Fence
from roundtrip.readers.sql_cells import table_name_for
from roundtrip.readers.sql_table import ColumnDraft, TableDraft
from roundtrip.readers.sql_types import map_sql_type
from roundtrip.source import Span

_ENTITY_OPEN = re.compile(r'^\s*(?P<name>[A-Za-z_][\w-]*|"[^"]+")\s*(?:\[\s*"?[^\]]*"?\s*\])?\s*\{\s*(?P<rest>.*)$')
_ATTRIBUTE = re.compile(
    r"^\s*(?P<type>[A-Za-z][\w\[\]().,*-]*(?:\s*\[\s*\])?)\s+(?P<name>[A-Za-z_*][\w-]*)"
    r"(?P<keys>(?:\s+(?:PK|FK|UK)(?:\s*,\s*(?:PK|FK|UK))*)?)\s*(?:\"(?P<comment>[^\"]*)\")?\s*$"
)


def _first_line(content: str) -> str:
    for ln in content.split("\n"):
        s = ln.strip()
        if s and not s.startswith("%%") and not s.startswith("---") and not s.startswith("title:"):
            return s
    return ""


def read_mermaid(doc: Document, facts: Facts, sink: Sink) -> None:
    for b in doc.blocks:
        if isinstance(b, Fence) and b.lang == "mermaid" and _first_line(b.content).startswith("erDiagram"):
            _read_diagram(doc.file, b, facts, sink)


def _read_diagram(file: str, fence: Fence, facts: Facts, sink: Sink) -> None:
    current: TableDraft | None = None
    drafts: list[TableDraft] = []
    for i, raw in enumerate(fence.content.split("\n")):
        line = fence.content_line + i
        text = raw.split("%%", 1)[0].strip()
        if not text:
            continue
        if current is None:
            m = _ENTITY_OPEN.match(text)
            if not m:
                continue  # erDiagram header, relationship lines, direction statements
            name = table_name_for(m.group("name").strip('"').replace("-", "_").replace(" ", "_"))
            current = TableDraft(name, Span(file, line), Origin.MERMAID, "")
            rest = m.group("rest").strip()
            if rest.endswith("}"):  # `Entity { }` or a one-line block
                drafts.append(current)
                current = None
            continue
        if text.startswith("}"):
            drafts.append(current)
            current = None
            continue
        _attribute(text, line, current, file, sink)
    if current is not None:
        sink.add("RT110", current.span, f"entity {current.name}: its attribute block is never closed with }}; "
                                        "the attributes read so far are kept")
        drafts.append(current)
    for d in drafts:
        if d.columns:
            facts.tables.append(d.build())


def _attribute(text: str, line: int, draft: TableDraft, file: str, sink: Sink) -> None:
    m = _ATTRIBUTE.match(text)
    if not m:
        sink.add("RT110", Span(file, line), f"entity {draft.name}: {text!r} is not an attribute line "
                                            "(type name [PK|FK|UK] [\"comment\"]); it is ignored")
        return
    type_text = m.group("type").replace(" ", "")
    mapped = map_sql_type(type_text, "postgres", coarse=True)
    name = m.group("name").lstrip("*")
    if not mapped.known:
        sink.add("RT111", Span(file, line), f"entity {draft.name}: attribute {name} has type {type_text!r}, "
                                            "which is not a known SQL type; it is read as text")
    keys = {k.strip() for k in re.split(r"[\s,]+", m.group("keys") or "") if k.strip()}
    col = ColumnDraft(
        name,
        mapped.type,
        Span(file, line),
        primary_key="PK" in keys,
        unique="UK" in keys,
        autoincrement=mapped.autoincrement,
        description=m.group("comment") or "",
    )
    draft.add_column(col)
