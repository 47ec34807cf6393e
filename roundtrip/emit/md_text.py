"""Text helpers for the canonical Markdown docs: escaping, JSON, type expressions, validation phrases.

Every function here writes text that the readers turn back into the same IR value: a type as
TypeScript or as a table's Type cell, a SQL column type, constraints as a validation phrase, a
duration as "15 minutes". The round-trip tests (tests/test_render_docs.py) are what keeps these
spellings and the readers' vocabulary in step.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from roundtrip.ir import Constraints, Default, DefaultKind, IndexElement, Kind, TypeRef

# ---------------------------------------------------------------- escaping

_LONE_UNDERSCORE = re.compile(r"(?<!\w)_|_(?!\w)")


def inline(text: str) -> str:
    """Plain text → inline Markdown that the readers' plain()/flat() turn back into the same text.

    Pipes and asterisks are escaped (tables, emphasis); underscores only where they could open
    emphasis (never inside snake_case words); backticks cannot be escaped and are left alone."""
    t = text.replace("\n", " ").replace("|", "\\|").replace("*", "\\*")
    return _LONE_UNDERSCORE.sub(lambda m: "\\_", t)


def cell(text: str) -> str:
    """Text for one table cell (never empty: a lone space keeps the column)."""
    return inline(text) if text else " "


def code(text: str, in_table: bool = False) -> str:
    """A code span (holding backticks if needed); in a table cell its pipes are escaped."""
    t = text.replace("|", "\\|") if in_table else text
    fence = "``" if "`" in t else "`"
    pad = " " if t.startswith("`") or t.endswith("`") else ""
    return f"{fence}{pad}{t}{pad}{fence}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("-" * (len(h) + 2) for h in header) + "|"]
    out.extend("| " + " | ".join(r) + " |" for r in rows)
    return out


def lean_table(header: list[str], rows: list[list[str]], optional: tuple[str, ...]) -> list[str]:
    """A table without the `optional` columns that are blank in every row (the readers treat a missing
    column and an empty one alike)."""
    keep = [i for i, h in enumerate(header) if h not in optional or any(r[i].strip() for r in rows)]
    return table([header[i] for i in keep], [[r[i] for i in keep] for r in rows])


def json_block(value: Any, lang: str = "json") -> list[str]:
    return [f"```{lang}", json.dumps(value, indent=2, ensure_ascii=False), "```"]


def json_inline(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------- API types

_TS_IDENT = re.compile(r"^[A-Za-z_$][\w$]*$")
_TS_SCALARS = {
    Kind.STRING: "string",
    Kind.FLOAT: "number",
    Kind.BOOLEAN: "boolean",
    Kind.ANY: "any",
    Kind.BINARY: "Blob",
}


def _quote(s: str) -> str:
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def literal_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if value is None:
        return "null"
    return _quote(str(value))


def ts_type(t: TypeRef, indent: str = "") -> str:
    """TypeRef → TypeScript type text (what the TS reader maps back to the same TypeRef)."""
    base = _ts_base(t, indent)
    if t.nullable:
        return "null" if t.kind is Kind.ANY else f"{base} | null"
    return base


def _top_level_union(t: TypeRef) -> bool:
    """Whether a type's spelling is `A | B` at its top level (so inside `[]` or a union it needs parentheses);
    decided by the type, not the text: `{ a: 'x' | 'y' }` has bars only inside, `{ a: string } | null` outside."""
    if t.nullable and t.kind is not Kind.ANY:
        return True
    return t.kind is Kind.UNION or (t.kind is Kind.ENUM and len(t.values) > 1)


def _ts_wrapped(t: TypeRef, indent: str) -> str:
    s = ts_type(t, indent)
    return f"({s})" if _top_level_union(t) else s


def _ts_base(t: TypeRef, indent: str) -> str:
    k = t.kind
    if k in _TS_SCALARS:
        return _TS_SCALARS[k]
    if k is Kind.INTEGER:
        return "bigint" if t.bits == 64 else "number"
    if k is Kind.DATETIME:
        return "Date"
    if k is Kind.ENUM:
        return " | ".join(_quote(v) for v in t.values) or "string"
    if k is Kind.LITERAL:
        return literal_text(t.literal)
    if k is Kind.REF:
        args = "<" + ", ".join(ts_type(a, indent) for a in t.args) + ">" if t.args else ""
        return f"{t.ref}{args}"
    if k is Kind.ARRAY:
        return _ts_wrapped(t.items or TypeRef(Kind.ANY), indent) + "[]"
    if k is Kind.MAP:
        return f"Record<string, {ts_type(t.items or TypeRef(Kind.ANY), indent)}>"
    if k is Kind.UNION:
        return " | ".join(_ts_wrapped(v, indent) for v in t.variants)
    if k is Kind.OBJECT:
        if not t.fields:
            return "object"
        inner = indent + "  "
        lines = ["{"]
        for f in t.fields:
            lines.extend(ts_member(f, inner))
        lines.append(indent + "}")
        return "\n".join(lines)
    return "string"  # UUID, DATE, TIME, DECIMAL, INET, INTERVAL, JSON: TypeScript has no closer spelling


# The words the TS reader takes, in a member's comment, for "this `number` is an integer".
_SAYS_INTEGER = re.compile(r"\b(?:integer|int(?:32|64)?|whole\s+number)\b", re.I)
# The comment (or its trailing "(integer)") that the TS reader reads as the type, not as the member's words.
INTEGER_MARK = "integer"


def ts_member(f: Any, indent: str) -> list[str]:
    """One interface member. TypeScript spells every integer but a bigint `number`, so an integer member
    says so in its comment (`// integer`, or `// Seats left (integer)` after the author's words), which
    the TS reader turns back into the integer type and drops from the description."""
    name = f.name if _TS_IDENT.match(f.name) else _quote(f.name)
    opt = "" if f.required else "?"
    ro = "readonly " if f.read_only else ""
    note = f.description
    if spelled_as_number(f.type) and not _SAYS_INTEGER.search(note):
        note = f"{note} ({INTEGER_MARK})" if note else INTEGER_MARK
    comment = f" // {note}" if note else ""
    body = ts_type(f.type, indent)
    return [f"{indent}{ro}{name}{opt}: {body};{comment}"]


def spelled_as_number(t: TypeRef) -> bool:
    """An integer type that `ts_type` writes as `number` (or `number[]`)."""
    if t.kind is Kind.ARRAY and t.items is not None:
        t = t.items
    return t.kind is Kind.INTEGER and t.bits != 64


_CELL_SCALARS = {
    Kind.STRING: "string",
    Kind.FLOAT: "number",
    Kind.DECIMAL: "decimal",
    Kind.BOOLEAN: "boolean",
    Kind.UUID: "uuid",
    Kind.DATE: "date",
    Kind.TIME: "time",
    Kind.JSON: "json",
    Kind.BINARY: "binary",
    Kind.ANY: "any",
}


def cell_type(t: TypeRef) -> str:
    """TypeRef → the Type cell of a field or parameter table (`string`, `uuid`, `Task[]`, `'a' | 'b'`)."""
    base = _cell_base(t)
    if t.nullable:
        return "null" if t.kind is Kind.ANY else f"{base} | null"
    return base


def _cell_wrapped(t: TypeRef) -> str:
    s = cell_type(t)
    return f"({s})" if _top_level_union(t) else s


def _cell_base(t: TypeRef) -> str:
    k = t.kind
    if k in _CELL_SCALARS:
        return _CELL_SCALARS[k]
    if k is Kind.INTEGER:
        return "bigint" if t.bits == 64 else "integer"
    if k is Kind.DATETIME:
        return "timestamptz" if t.timezone else "datetime"
    if k is Kind.ENUM:
        if len(t.values) == 1:
            return f"enum({t.values[0]})"
        return " | ".join(_quote(v) for v in t.values) or "string"
    if k is Kind.LITERAL:
        return literal_text(t.literal)
    if k is Kind.REF:
        args = "<" + ", ".join(cell_type(a) for a in t.args) + ">" if t.args else ""
        return f"{t.ref}{args}"
    if k is Kind.ARRAY:
        return _cell_wrapped(t.items or TypeRef(Kind.ANY)) + "[]"
    if k is Kind.MAP:
        return f"Record<string, {cell_type(t.items or TypeRef(Kind.ANY))}>"
    if k is Kind.UNION:
        return " | ".join(_cell_wrapped(v) for v in t.variants)
    if k is Kind.OBJECT:
        if not t.fields:
            return "object"
        members = "; ".join(f"{f.name}{'' if f.required else '?'}: {cell_type(f.type)}" for f in t.fields)
        return "{ " + members + " }"
    return "string"  # INET, INTERVAL: no spelling in API tables


# What the Type-cell reader (readers/api_fields.parse_type_cell) reads back, mirrored here because emitters do not
# import readers; tests/test_render_types.py holds the two in step. The reader gives up on expressions longer than
# this, and reads a name without a lower-case letter (`DLQ`) as a value, not a type.
_CELL_MAX = 400
_CELL_NAME = re.compile(r"^(?=[A-Z][\w.]*[a-z])[A-Z][A-Za-z0-9_]*$")
_CELL_MEMBER = re.compile(r"^[A-Za-z_$][\w$]*$")
_CELL_ONE_VALUE = re.compile(r"^[\w.-]+$")
# Words the cell reader takes as a nullability note or an `enum:` prefix wherever they appear.
_CELL_TRAPS = re.compile(r"\bnullable\b|\(optional\)|\bor null\b|^enum", re.I)
_PLAIN_VALUE = re.compile(r"^[^'\\]*$")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")  # `true` and `1e+20` are not read as constants


def cell_type_reads_back(t: TypeRef) -> bool:
    """Whether `cell_type(t)` in a table's Type cell (or a body label's code span) is read back as `t` itself.

    False for what the cell spelling cannot carry: an expression too long for the reader, a one-value enum
    anywhere but alone in the cell, a union of string constants (read as an enum), `true` / `null` constants,
    object members that are not identifiers. The renderer names such a type instead (md_hoist)."""
    if t.kind is Kind.ENUM and len(t.values) == 1 and not t.nullable:
        v = t.values[0]
        # `enum(patch)`; but `enum(ProductPricing)` reads as a type name
        return bool(_CELL_ONE_VALUE.match(v)) and not _CELL_NAME.match(v)
    text = cell_type(t)
    if len(text) > _CELL_MAX or _CELL_TRAPS.search(text):
        return False
    return _cell_nested_ok(t)


def _cell_nested_ok(t: TypeRef) -> bool:
    k = t.kind
    if k is Kind.ENUM:
        return len(t.values) >= 2 and all(_PLAIN_VALUE.match(v) for v in t.values)
    if k is Kind.LITERAL:
        v = t.literal
        if isinstance(v, str):
            return not t.nullable and bool(_PLAIN_VALUE.match(v))  # `'x' | null` reads as a one-value enum
        return isinstance(v, int | float) and not t.nullable and bool(_NUMBER.fullmatch(literal_text(v)))
    if k is Kind.REF:
        return bool(t.ref and _CELL_NAME.match(t.ref)) and all(_cell_nested_ok(a) for a in t.args)
    if k in (Kind.ARRAY, Kind.MAP):
        return _cell_nested_ok(t.items or TypeRef(Kind.ANY))
    if k is Kind.UNION:
        variants = [v for v in t.variants]
        if len(variants) < 2 or all(v.kind is Kind.LITERAL and isinstance(v.literal, str) for v in variants):
            return False
        if any(v.kind is Kind.ANY and v.nullable for v in variants):
            return False  # `A | null` reads as a nullable A, not a union with null in it
        return all(_cell_nested_ok(v) for v in variants)
    if k is Kind.OBJECT:
        return all(_CELL_MEMBER.match(f.name) and _cell_nested_ok(f.type) for f in t.fields)
    if k in _CELL_SCALARS or k in (Kind.INTEGER, Kind.DATETIME):
        # The cell words carry the kind plus int64 (`bigint`) and a time zone (`timestamptz`), nothing else.
        plain = TypeRef(
            k,
            bits=64 if k is Kind.INTEGER and t.bits == 64 else None,
            timezone=True if k is Kind.DATETIME and t.timezone else None,
        )
        return replace(t, nullable=False) == plain
    return False


# A name cell the field-table reader reads as exactly one name (readers/api_fields._names): no separators
# (`,` `/` `&` ` and `), no trailing `?` (read as "optional").
_TABLE_NAME = re.compile(r"^(?:[A-Za-z_][\w.]*|[A-Za-z][\w-]*)$")


def table_name_reads_back(name: str) -> bool:
    """Whether a field or parameter name written in a table's name column is read back as itself."""
    return bool(_TABLE_NAME.match(name))


def inline_body_type(t: TypeRef) -> bool:
    """Whether a body type can be written inline after its label (`**Request Body**: \\`Task\\``)."""
    return t.kind in (Kind.REF, Kind.ARRAY, Kind.UNION, Kind.MAP) or (t.kind is Kind.OBJECT and not t.fields)


# ---------------------------------------------------------------- SQL types


def sql_type(t: TypeRef) -> str:
    """TypeRef of a column → SQL type text that the column-table reader maps back to it (PostgreSQL words)."""
    k = t.kind
    if k is Kind.ARRAY:
        return sql_type(t.items or TypeRef(Kind.STRING)) + "[]"
    unsigned = " UNSIGNED" if t.unsigned else ""
    if k is Kind.STRING:
        if t.fixed:
            return f"CHAR({t.length or 1})"
        return f"VARCHAR({t.length})" if t.length else "TEXT"
    if k is Kind.INTEGER:
        return {8: "TINYINT", 16: "SMALLINT", 64: "BIGINT"}.get(t.bits or 32, "INTEGER") + unsigned
    if k is Kind.FLOAT:
        return "REAL" if t.bits == 32 else "DOUBLE PRECISION"
    if k is Kind.DECIMAL:
        if t.precision is None:
            return "NUMERIC"
        return f"NUMERIC({t.precision},{t.scale or 0})"
    if k is Kind.DATETIME:
        return "TIMESTAMPTZ" if t.timezone else "TIMESTAMP"
    if k is Kind.TIME:
        return "TIMETZ" if t.timezone else "TIME"
    if k is Kind.ENUM:
        if t.enum_name:
            return t.enum_name
        return "ENUM(" + ", ".join(sql_string(v) for v in t.values) + ")"
    return {
        Kind.BOOLEAN: "BOOLEAN",
        Kind.DATE: "DATE",
        Kind.INTERVAL: "INTERVAL",
        Kind.UUID: "UUID",
        Kind.INET: "INET",
        Kind.JSON: "JSONB",
        Kind.BINARY: "BYTEA",
    }.get(k, "JSONB")


def sql_string(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def sql_value(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (dict, list)):
        return sql_string(json.dumps(v, ensure_ascii=False))
    return sql_string(str(v))


# ---------------------------------------------------------------- validation phrases


def number(v: float | int) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        s = f"{v:.12f}".rstrip("0").rstrip(".")
        return s
    return str(v)


def constraint_phrase(c: Constraints, kind: Kind | None) -> str:
    """Constraints → a validation phrase (`min length 2, max length 100, pattern `^x$``) in the words
    the shared phrase parser reads; lengths on an array are per item, as the parser reads them."""
    parts: list[str] = []
    if kind is Kind.ARRAY:
        if c.item_min_length is not None:
            parts.append(f"min length {c.item_min_length}")
        if c.item_max_length is not None:
            parts.append(f"max length {c.item_max_length}")
    else:
        if c.min_length is not None:
            parts.append(f"min length {c.min_length}")
        if c.max_length is not None:
            parts.append(f"max length {c.max_length}")
    if c.minimum is not None:
        parts.append(f"minimum {number(c.minimum)}")
    if c.maximum is not None:
        parts.append(f"maximum {number(c.maximum)}")
    if c.exclusive_minimum is not None:
        parts.append(f"exclusiveMinimum {number(c.exclusive_minimum)}")
    if c.exclusive_maximum is not None:
        parts.append(f"exclusiveMaximum {number(c.exclusive_maximum)}")
    if c.multiple_of is not None:
        parts.append(f"multiple of {number(c.multiple_of)}")
    if c.min_items is not None:
        parts.append(f"min items {c.min_items}")
    if c.max_items is not None:
        parts.append(f"max items {c.max_items}")
    if c.unique_items:
        parts.append("uniqueItems")
    if c.format is not None:
        parts.append(f"format {c.format}")
    if c.pattern is not None:
        parts.append(
            ("pattern " if not (c.pattern.startswith("^") or c.pattern.endswith("$")) else "")
            + code(c.pattern, True)
        )
    return ", ".join(parts)


# ---------------------------------------------------------------- durations and rates

_UNITS = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


def duration(seconds: int) -> str:
    for size, word in _UNITS:
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {word}{'' if n == 1 else 's'}"
    return f"{seconds} seconds"


def rate(requests: int, per_seconds: int, scope: str) -> str:
    """`10 requests per hour per IP`, `5 requests per 15 minutes per user`."""
    for size, word in _UNITS:
        if per_seconds % size == 0:
            n = per_seconds // size
            window = word if n == 1 else f"{n} {word}s"
            break
    who = {"ip": "IP", "api_key": "api key"}.get(scope, scope)
    return f"{requests} requests per {window}" + (f" per {who}" if who else "")


def default_sql(d: Default) -> str:
    if d.sql:
        return d.sql
    if d.kind is DefaultKind.NOW:
        return "now()"
    if d.kind is DefaultKind.UUID:
        return "gen_random_uuid()"
    if d.kind is DefaultKind.EMPTY_ARRAY:
        return "'{}'"
    return sql_value(d.value)


def index_element(e: IndexElement) -> str:
    s = e.column if e.column else f"({e.expression})"
    if e.opclass:
        s += f" {e.opclass}"
    if e.descending:
        s += " DESC"
    return s
