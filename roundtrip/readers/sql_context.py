"""What both SQL front ends share while reading one document: where they are, what enums exist,
where diagnostics go, and how a table's mentioned type becomes a logical type."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from roundtrip.diagnostics import Sink
from roundtrip.ir.data import IndexElement
from roundtrip.ir.schema import Origin
from roundtrip.readers.sql_split import Statement
from roundtrip.readers.sql_types import MappedType, map_sql_type
from roundtrip.source import Span


@dataclass
class SqlContext:
    file: str
    sink: Sink
    dialect: str = "postgres"  # postgres | mysql
    origin: Origin = Origin.SQL
    # lower-cased enum type name -> values; CREATE TYPE ... AS ENUM seen anywhere in the doc set so far
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # column tables report unknown types once per row through their own diagnostics
    report_unknown_types: bool = True
    # column tables map the Type cell themselves and parse the constraints with a placeholder type
    override_type: MappedType | None = None

    def span(self, line: int) -> Span:
        return Span(self.file, line)

    def map_type(self, type_text: str, line: int, column: str) -> MappedType:
        if self.override_type is not None:
            return self.override_type
        mapped = map_sql_type(type_text, self.dialect, enums=self.enums)
        if not mapped.known and self.report_unknown_types:
            self.sink.add(
                "RT111",
                self.span(line),
                f"column {column}: type {type_text!r} is not a known SQL type, so it is read as text; "
                "if it is an enum, declare it with CREATE TYPE ... AS ENUM, otherwise use a standard type",
            )
        return mapped


def index_element(text: str, descending: bool = False, opclass: str = "") -> IndexElement:
    """A plain column name stays a column; anything else (lower(name), (a + b)) is an expression."""
    t = text.strip()
    if re.fullmatch(r'"?[A-Za-z_][\w$]*"?', t):
        return IndexElement(column=t.strip('"'), descending=descending, opclass=opclass)
    return IndexElement(expression=t, descending=descending, opclass=opclass)


def tuple_offsets(st: Statement) -> list[int]:
    """Offsets (inside st.text) of each top-level `(` after the VALUES keyword of an INSERT: one per row."""
    text = st.text
    i = 0
    depth = 0
    seen_values = False
    out: list[int] = []
    while i < len(text):
        ch = text[i]
        if ch in "'\"`":
            j = i + 1
            while j < len(text):
                if text[j] == ch:
                    if j + 1 < len(text) and text[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
            continue
        if text.startswith("--", i):
            j = text.find("\n", i)
            i = len(text) if j == -1 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = len(text) if j == -1 else j + 2
            continue
        if ch == "(":
            if depth == 0 and seen_values:
                out.append(i)
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and not seen_values and text[i : i + 6].upper() == "VALUES" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            seen_values = True
            i += 6
            continue
        i += 1
    return out


def sample_value(v: Any) -> Any:
    """Sample values stay JSON-friendly: str, int, float, bool, None."""
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)
