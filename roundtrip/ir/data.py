"""The data half of the IR: tables, columns, keys, constraints, indexes, enums, sample rows."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from roundtrip.ir.schema import Origin
from roundtrip.ir.types import TypeRef
from roundtrip.source import NO_SPAN, Span


class DefaultKind(str, enum.Enum):
    LITERAL = "literal"  # a constant: 'free', 0, TRUE, '[]'
    NOW = "now"  # NOW() / CURRENT_TIMESTAMP(3)
    UUID = "uuid"  # gen_random_uuid() / uuid_generate_v4() / (UUID())
    EMPTY_ARRAY = "empty-array"  # '{}' on an array column, JSON_ARRAY()
    EXPRESSION = "expression"  # anything else, kept as SQL text


@dataclass(frozen=True)
class Default:
    kind: DefaultKind
    value: Any = None  # python value for LITERAL
    sql: str = ""  # as written, for messages and opaque expressions


class FKAction(str, enum.Enum):
    NO_ACTION = "NO ACTION"
    RESTRICT = "RESTRICT"
    CASCADE = "CASCADE"
    SET_NULL = "SET NULL"
    SET_DEFAULT = "SET DEFAULT"


@dataclass(frozen=True)
class Column:
    name: str
    type: TypeRef
    nullable: bool = True
    default: Default | None = None
    primary_key: bool = False  # column-level PRIMARY KEY (tables also carry primary_key tuple)
    unique: bool = False
    autoincrement: bool = False  # AUTO_INCREMENT / SERIAL / IDENTITY
    generated: str = ""  # GENERATED ALWAYS AS (expr) STORED: the expression
    on_update: str = ""  # MySQL ON UPDATE CURRENT_TIMESTAMP
    description: str = ""
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    name: str = ""
    on_delete: FKAction | None = None
    on_update: FKAction | None = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class UniqueConstraint:
    columns: tuple[str, ...]
    name: str = ""
    deferrable: bool = False
    initially_deferred: bool = False
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class CheckConstraint:
    expression: str  # SQL text, normalized whitespace
    name: str = ""
    columns: tuple[str, ...] = ()  # columns the expression mentions
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class IndexElement:
    column: str = ""  # plain column
    expression: str = ""  # or an expression such as lower(name)
    descending: bool = False
    opclass: str = ""  # gin_trgm_ops


@dataclass(frozen=True)
class Index:
    name: str
    elements: tuple[IndexElement, ...]
    unique: bool = False
    where: str = ""  # partial index predicate
    using: str = ""  # btree (empty), gin, gist, hash, fulltext
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class ExclusionConstraint:
    elements: tuple[tuple[str, str], ...]  # (expression, operator)
    using: str = "gist"
    where: str = ""
    name: str = ""
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class SampleRow:
    """One row of the docs' sample data, with values keyed by column name (snake_case)."""

    table: str
    values: tuple[tuple[str, Any], ...]
    hashed: tuple[str, ...] = ()  # columns whose value the docs hash at seed time (value is the plain text)
    origin: Origin = Origin.SQL
    span: Span = field(default=NO_SPAN, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.values)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    uniques: tuple[UniqueConstraint, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[Index, ...] = ()
    exclusions: tuple[ExclusionConstraint, ...] = ()
    description: str = ""
    origin: Origin = Origin.SQL
    dialect: str = ""  # postgres / mysql / sqlite / "" (unknown)
    span: Span = field(default=NO_SPAN, compare=False)

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class EnumType:
    """A named database enum type (CREATE TYPE ... AS ENUM) or a named API union of literals."""

    name: str
    values: tuple[str, ...]
    origin: Origin = Origin.SQL
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class OpaqueSQL:
    """SQL we keep but do not model: triggers, functions, policies, ALTER ... ENABLE RLS."""

    kind: str  # trigger, function, policy, alter, comment, other
    text: str
    span: Span = field(default=NO_SPAN, compare=False)
