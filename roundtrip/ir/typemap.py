"""THE type table: every logical kind mapped to every target, in one place.

Emitters look types up here and nowhere else, so OpenAPI, SQLAlchemy, Python and SQL
never disagree about what `decimal(8,2)` or `datetime with time zone` means.
A test asserts that every Kind has an entry for every target.
"""

from __future__ import annotations

import math
from typing import Any

from roundtrip.ir.types import Kind, TypeRef

TARGETS = ("openapi", "sqlalchemy", "python", "postgres", "sqlite")

# kind -> target -> template. Templates are filled by `render()` from the TypeRef's parameters.
TYPE_TABLE: dict[Kind, dict[str, Any]] = {
    Kind.STRING: {"openapi": {"type": "string"}, "sqlalchemy": "String({length})|Text()", "python": "str", "postgres": "VARCHAR({length})|TEXT", "sqlite": "TEXT"},
    Kind.INTEGER: {"openapi": {"type": "integer"}, "sqlalchemy": "Integer()", "python": "int", "postgres": "INTEGER", "sqlite": "INTEGER"},
    Kind.FLOAT: {"openapi": {"type": "number", "format": "double"}, "sqlalchemy": "Double()", "python": "float", "postgres": "DOUBLE PRECISION", "sqlite": "REAL"},
    Kind.DECIMAL: {"openapi": {"type": "number"}, "sqlalchemy": "Numeric({precision}, {scale})", "python": "decimal.Decimal", "postgres": "NUMERIC({precision},{scale})", "sqlite": "NUMERIC"},
    Kind.BOOLEAN: {"openapi": {"type": "boolean"}, "sqlalchemy": "Boolean()", "python": "bool", "postgres": "BOOLEAN", "sqlite": "BOOLEAN"},
    Kind.DATE: {"openapi": {"type": "string", "format": "date"}, "sqlalchemy": "Date()", "python": "datetime.date", "postgres": "DATE", "sqlite": "DATE"},
    Kind.TIME: {"openapi": {"type": "string", "format": "time"}, "sqlalchemy": "Time()", "python": "datetime.time", "postgres": "TIME", "sqlite": "TIME"},
    Kind.DATETIME: {"openapi": {"type": "string", "format": "date-time"}, "sqlalchemy": "DateTime(timezone={timezone})", "python": "datetime.datetime", "postgres": "TIMESTAMP|TIMESTAMPTZ", "sqlite": "DATETIME"},
    Kind.INTERVAL: {"openapi": {"type": "string", "format": "duration"}, "sqlalchemy": "Interval()", "python": "datetime.timedelta", "postgres": "INTERVAL", "sqlite": "TEXT"},
    Kind.UUID: {"openapi": {"type": "string", "format": "uuid"}, "sqlalchemy": "Uuid()", "python": "uuid.UUID", "postgres": "UUID", "sqlite": "CHAR(32)"},
    Kind.INET: {"openapi": {"type": "string"}, "sqlalchemy": "INET", "python": "str", "postgres": "INET", "sqlite": "TEXT"},
    Kind.JSON: {"openapi": {}, "sqlalchemy": "JSON()", "python": "typing.Any", "postgres": "JSONB", "sqlite": "JSON"},
    Kind.BINARY: {"openapi": {"type": "string", "format": "binary"}, "sqlalchemy": "LargeBinary()", "python": "bytes", "postgres": "BYTEA", "sqlite": "BLOB"},
    Kind.ENUM: {"openapi": {"type": "string", "enum": "{values}"}, "sqlalchemy": "Enum", "python": "str", "postgres": "{enum_name}", "sqlite": "VARCHAR"},
    Kind.ARRAY: {"openapi": {"type": "array", "items": "{items}"}, "sqlalchemy": "ARRAY({items})|JSON()", "python": "list", "postgres": "{items}[]", "sqlite": "JSON"},
    Kind.MAP: {"openapi": {"type": "object", "additionalProperties": "{items}"}, "sqlalchemy": "JSON()", "python": "dict", "postgres": "JSONB", "sqlite": "JSON"},
    Kind.OBJECT: {"openapi": {"type": "object"}, "sqlalchemy": "JSON()", "python": "dict", "postgres": "JSONB", "sqlite": "JSON"},
    Kind.REF: {"openapi": {"$ref": "#/components/schemas/{ref}"}, "sqlalchemy": "JSON()", "python": "dict", "postgres": "JSONB", "sqlite": "JSON"},
    Kind.UNION: {"openapi": {"oneOf": "{variants}"}, "sqlalchemy": "JSON()", "python": "typing.Any", "postgres": "JSONB", "sqlite": "JSON"},
    Kind.LITERAL: {"openapi": {"const": "{literal}"}, "sqlalchemy": "String()", "python": "typing.Any", "postgres": "TEXT", "sqlite": "TEXT"},
    Kind.ANY: {"openapi": {}, "sqlalchemy": "JSON()", "python": "typing.Any", "postgres": "JSONB", "sqlite": "JSON"},
}


def mapping(kind: Kind, target: str) -> Any:
    return TYPE_TABLE[kind][target]


def integer_openapi_format(t: TypeRef) -> str | None:
    if t.kind is Kind.INTEGER:
        # OpenAPI's formats are signed: INT UNSIGNED reaches 4294967295, past int32
        bits = (t.bits or 32) + (1 if t.unsigned else 0)
        return "int64" if bits > 32 else "int32"
    return None


_INT64 = (-(2**63), 2**63 - 1)


def _as_json_number(bound: int) -> int:
    # JSON numbers are doubles to most parsers (JavaScript, FastAPI's own OpenAPI model): 2^63-1 reads
    # back as 2^63, past the column. The nearest double towards zero is a bound every reader keeps.
    if int(float(bound)) == bound:
        return bound
    return int(math.nextafter(float(bound), 0.0))


def integer_range(t: TypeRef) -> tuple[int, int]:
    """The values an integer column holds that an API can carry: SMALLINT −32768..32767, INT UNSIGNED
    0..4294967295; BIGINT stops at int64's maximum (the widest OpenAPI integer format), rounded down to
    9223372036854774784, the largest double below it."""
    bits = t.bits or 32
    low, high = (0, 2**bits - 1) if t.unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    return _as_json_number(max(low, _INT64[0])), _as_json_number(min(high, _INT64[1]))


def postgres_type(t: TypeRef) -> str:
    """The PostgreSQL spelling of a logical type (for docs, messages and comparisons)."""
    k = t.kind
    if k is Kind.STRING:
        if t.length is None:
            return "TEXT"
        return f"CHAR({t.length})" if t.fixed else f"VARCHAR({t.length})"
    if k is Kind.INTEGER:
        return {8: "SMALLINT", 16: "SMALLINT", 32: "INTEGER", 64: "BIGINT"}.get(t.bits or 32, "INTEGER")
    if k is Kind.FLOAT:
        return "REAL" if t.bits == 32 else "DOUBLE PRECISION"
    if k is Kind.DECIMAL:
        return f"NUMERIC({t.precision},{t.scale or 0})" if t.precision is not None else "NUMERIC"
    if k is Kind.DATETIME:
        return "TIMESTAMPTZ" if t.timezone else "TIMESTAMP"
    if k is Kind.ENUM:
        return t.enum_name or "VARCHAR"
    if k is Kind.ARRAY:
        return postgres_type(t.items or TypeRef(Kind.STRING)) + "[]"
    tmpl = TYPE_TABLE[k]["postgres"]
    return str(tmpl).split("|")[0]


def category(t: TypeRef) -> str:
    """Coarse family used when two statements of a type are compared (TS `number` vs SQL NUMERIC).

    string-like values (uuid, dates, enums) are all 'string' on the wire, so API vs column
    comparisons only flag real conflicts such as boolean vs varchar or number vs uuid.
    """
    k = t.kind
    if k in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
        return "number"
    if k is Kind.BOOLEAN:
        return "boolean"
    if k in (Kind.STRING, Kind.UUID, Kind.DATE, Kind.TIME, Kind.DATETIME, Kind.INTERVAL, Kind.INET, Kind.ENUM, Kind.BINARY):
        return "string"
    if k is Kind.ARRAY:
        return "array"
    if k is Kind.LITERAL:
        return {bool: "boolean", int: "number", float: "number"}.get(type(t.literal), "string")
    return "any"  # json, object, map, ref, union, any: structured or unknown
