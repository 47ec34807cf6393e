"""Named API types → the "Data Types" section: TypeScript declarations, `**X object**:` examples, field tables.

Each schema is written in the construct that states it best and that the readers read back whole:
- a type its JSON example implies exactly (fields with example values) → `**Task object**:` + the example;
- a type read from a field table (or imported) → `**Name**` + `| Property | Type | Required | ... |`;
- everything else → a TypeScript `interface` / `type` declaration (comments carry field descriptions).
The readers put TypeScript declarations ahead of the other forms, so they are written first.
"""

from __future__ import annotations

import re
from typing import Any

from roundtrip.emit.md_infer import implied_by_example
from roundtrip.emit.md_text import (
    INTEGER_MARK,
    cell,
    cell_type,
    constraint_phrase,
    json_block,
    json_inline,
    lean_table,
    literal_text,
    spelled_as_number,
    table_name_reads_back,
    ts_member,
    ts_type,
)
from roundtrip.ir import Field, Kind, Origin, Schema

_OBJECT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]{0,40}$")
_TABLE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]+$")


def schema_form(s: Schema) -> str:
    """ "example", "table" or "ts": the construct this schema is written in."""
    plain_object = not s.description and not s.params and not s.extends
    if (
        s.origin is Origin.JSON_EXAMPLE
        and plain_object
        and _OBJECT_NAME.match(s.name)
        and implied_by_example(s.type, s.example, s.example is not None)
    ):
        return "example"
    # A member named `+1` has no table spelling (TypeScript quotes it).
    tableable = (
        plain_object
        and s.type.kind is Kind.OBJECT
        and not s.type.nullable
        and _TABLE_NAME.match(s.name) is not None
        and all(table_name_reads_back(f.name) for f in s.type.fields)
    )
    exact = all(_table_field_ok(f) for f in s.type.fields) and s.example is None
    if tableable and (s.origin is Origin.FIELD_TABLE or (s.origin is Origin.JSON_EXAMPLE and exact)):
        return "table"
    if tableable and s.origin is Origin.OPENAPI:
        return "table"  # types (uuid, integer, date) matter more than per-field examples, which tables cannot carry
    return "ts"


def _table_field_ok(f: Field) -> bool:
    return f.example is None and not f.read_only and "|" not in f.name


def ts_declaration(s: Schema) -> list[str]:
    lines: list[str] = []
    if s.description:
        lines.append(f"/** {s.description} */")
    params = "<" + ", ".join(s.params) + ">" if s.params else ""
    t = s.type
    if t.kind is Kind.OBJECT and not t.nullable:
        lines.append(f"interface {s.name}{params} {{")
        for f in t.fields:
            lines.extend(ts_member(f, "  "))
        lines.append("}")
    else:
        # `type AlertNumber = number; // integer`: the alias says what TypeScript cannot, as members do
        note = f" // {INTEGER_MARK}" if spelled_as_number(t) else ""
        lines.append(f"type {s.name}{params} = {ts_type(t)};{note}")
    return lines


def field_rows(fields: tuple[Field, ...]) -> list[list[str]]:
    rows: list[list[str]] = []
    for f in fields:
        phrase = constraint_phrase(f.constraints, f.type.kind)
        if f.computed:
            phrase = ", ".join(p for p in ("computed", phrase) if p)
        rows.append(
            [
                cell(f.name),
                cell(cell_type(f.type)),
                # "librarian/admin only", "…; defaults to caller": the field table's own spellings (readers/api_fields)
                "/".join(f.sent_by) + " only" if f.sent_by else "Yes" if f.required else "No",
                cell("; ".join(x for x in (f.description, "defaults to caller" if f.caller_default else "") if x)),
                phrase or " ",
                cell(default_text(f.default)) if f.has_default else " ",
            ]
        )
    return rows


def default_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        # `["push"]`: what an author writes, and what the Default cell reads as JSON
        return json_inline(value)
    return literal_text(value)


def field_table(fields: tuple[Field, ...], name_header: str) -> list[str]:
    rules = "Constraints" if name_header == "Property" else "Validation"
    header = [name_header, "Type", "Required", "Description", rules, "Default"]
    return lean_table(header, field_rows(fields), (rules, "Default"))


def render_schemas(schemas: tuple[Schema, ...]) -> list[str]:
    """The body of the "Data Types" section (no heading)."""
    ts = [s for s in schemas if schema_form(s) == "ts"]
    rest = [s for s in schemas if schema_form(s) != "ts"]
    out: list[str] = []
    for s in ts:
        out.extend(["```typescript", *ts_declaration(s), "```", ""])
    for s in rest:
        if schema_form(s) == "example":
            out.extend([f"**{s.name} object**:", *json_block(s.example), ""])
        else:
            out.extend([f"**{s.name}**", *field_table(s.type.fields, "Property"), ""])
    return out
