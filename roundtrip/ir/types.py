"""The closed logical type system every reader maps into and every emitter maps out of.

One `TypeRef` describes a value's type wherever it appears: an API field, a query
parameter, a table column. Readers never invent kinds; an unknown source type becomes
`Kind.ANY` (API side) or `Kind.STRING` with `db_type` kept (SQL side) plus an RT111.
`roundtrip.ir.typemap` maps every kind to every target in one table.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Kind(str, enum.Enum):
    STRING = "string"  # varchar(length) / char(length, fixed) / text (length None)
    INTEGER = "integer"  # bits 16/32/64
    FLOAT = "float"  # real / double
    DECIMAL = "decimal"  # numeric(precision, scale)
    BOOLEAN = "boolean"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"  # timezone flag
    INTERVAL = "interval"
    UUID = "uuid"
    INET = "inet"  # IP address / network
    JSON = "json"  # untyped JSON document (json / jsonb)
    BINARY = "binary"
    ENUM = "enum"  # enum_name (optional) + values
    ARRAY = "array"  # items
    MAP = "map"  # Record<string, items>
    OBJECT = "object"  # inline fields
    REF = "ref"  # named schema `ref`, with `args` for generics (ListResponse<Task>)
    UNION = "union"  # variants (oneOf)
    LITERAL = "literal"  # a single constant value (`literal`)
    ANY = "any"  # unknown / unconstrained


@dataclass(frozen=True)
class Constraints:
    """Validation facts attached to a field, parameter or column (JSON-Schema vocabulary)."""

    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    multiple_of: float | None = None
    pattern: str | None = None
    format: str | None = None  # email, uri, date, date-time, uuid, ipv4, hostname ...
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool | None = None
    item_max_length: int | None = None
    item_min_length: int | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f) is None for f in self.__dataclass_fields__)

    def merged(self, other: Constraints) -> Constraints:
        """Fill gaps from `other`; our own values win (first statement is primary)."""
        vals = {f: getattr(self, f) if getattr(self, f) is not None else getattr(other, f) for f in self.__dataclass_fields__}
        return Constraints(**vals)


NO_CONSTRAINTS = Constraints()


@dataclass(frozen=True)
class TypeRef:
    kind: Kind
    nullable: bool = False
    # STRING
    length: int | None = None
    fixed: bool = False  # CHAR(n)
    # INTEGER / FLOAT
    bits: int | None = None
    unsigned: bool = False
    # DECIMAL
    precision: int | None = None
    scale: int | None = None
    # DATETIME / TIME
    timezone: bool | None = None
    # ENUM
    enum_name: str | None = None
    values: tuple[str, ...] = ()
    # ARRAY / MAP
    items: TypeRef | None = None
    # REF (+ generic args)
    ref: str | None = None
    args: tuple[TypeRef, ...] = ()
    # OBJECT
    fields: tuple[Any, ...] = ()  # tuple[Field, ...]; Any avoids a cycle with schema.py
    # UNION
    variants: tuple[TypeRef, ...] = ()
    # LITERAL
    literal: str | int | float | bool | None = None
    # The type as the source wrote it (`VARCHAR(255)`, `string | null`), for messages and faithful regeneration.
    source: str | None = field(default=None, compare=False)

    def with_nullable(self, nullable: bool = True) -> TypeRef:
        from dataclasses import replace

        return replace(self, nullable=nullable)

    def describe(self) -> str:
        k = self.kind
        if k is Kind.STRING:
            base = f"char({self.length})" if self.fixed and self.length else f"varchar({self.length})" if self.length else "text"
        elif k is Kind.INTEGER:
            base = {16: "smallint", 32: "integer", 64: "bigint", 8: "tinyint"}.get(self.bits or 32, "integer")
        elif k is Kind.DECIMAL:
            base = f"decimal({self.precision},{self.scale})" if self.precision is not None else "decimal"
        elif k is Kind.DATETIME:
            base = "datetime with time zone" if self.timezone else "datetime"
        elif k is Kind.ENUM:
            base = f"enum {self.enum_name or ''}({', '.join(self.values)})".replace("enum (", "enum(")
        elif k is Kind.ARRAY:
            base = f"array of {self.items.describe() if self.items else 'any'}"
        elif k is Kind.REF:
            base = self.ref or "?"
            if self.args:
                base += "<" + ", ".join(a.describe() for a in self.args) + ">"
        elif k is Kind.LITERAL:
            base = repr(self.literal)
        elif k is Kind.UNION:
            base = " | ".join(v.describe() for v in self.variants)
        else:
            base = k.value
        return base + (" | null" if self.nullable else "")


# Convenience constructors used by every reader.
def t_string(length: int | None = None, *, fixed: bool = False, source: str | None = None) -> TypeRef:
    return TypeRef(Kind.STRING, length=length, fixed=fixed, source=source)


def t_int(bits: int = 32, *, unsigned: bool = False, source: str | None = None) -> TypeRef:
    return TypeRef(Kind.INTEGER, bits=bits, unsigned=unsigned, source=source)


def t_ref(name: str, *args: TypeRef) -> TypeRef:
    return TypeRef(Kind.REF, ref=name, args=tuple(args))


def t_array(items: TypeRef) -> TypeRef:
    return TypeRef(Kind.ARRAY, items=items)


def t_enum(values: tuple[str, ...] | list[str], name: str | None = None) -> TypeRef:
    return TypeRef(Kind.ENUM, values=tuple(values), enum_name=name)


ANY = TypeRef(Kind.ANY)


def literal_names(t: TypeRef | None) -> list[str]:
    """Keys named by `'a' | 'b'` (a literal, a union of literals, or an enum), as in Omit<X, 'a' | 'b'>."""
    if t is None:
        return []
    if t.kind is Kind.LITERAL and t.literal is not None:
        return [str(t.literal)]
    if t.kind is Kind.ENUM:
        return list(t.values)
    if t.kind is Kind.UNION:
        return [name for v in t.variants for name in literal_names(v)]
    return []
