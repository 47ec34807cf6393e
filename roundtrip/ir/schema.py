"""Named API types: the schemas that TS interfaces, zod objects, field tables and JSON examples describe."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from roundtrip.ir.types import NO_CONSTRAINTS, Constraints, TypeRef
from roundtrip.source import NO_SPAN, Span


class Origin(str, enum.Enum):
    """Which construct stated a fact. Used to pick the primary statement and to word diagnostics."""

    TYPESCRIPT = "typescript"
    ZOD = "zod"
    FIELD_TABLE = "field-table"
    JSON_EXAMPLE = "json-example"
    PROSE = "prose"
    SQL = "sql"
    COLUMN_TABLE = "column-table"
    MERMAID = "mermaid"
    OPENAPI = "openapi"
    CODE = "code"  # decorators, comments in code fences: weakest evidence


@dataclass(frozen=True)
class Field:
    name: str
    type: TypeRef
    required: bool = True
    description: str = ""
    constraints: Constraints = NO_CONSTRAINTS
    default: Any = None
    has_default: bool = False
    computed: bool = False  # the docs say this field is derived (no column needed)
    read_only: bool = False
    example: Any = None
    span: Span = field(default=NO_SPAN, compare=False)
    # "| memberId | integer | staff only | defaults to caller |": only callers of these roles may send it (readers
    # keep the docs' words, the resolver the roles they name), and the app fills it with the caller's id when absent
    sent_by: tuple[str, ...] = ()
    caller_default: bool = False


@dataclass(frozen=True)
class Schema:
    """A named type. `type` is OBJECT (with fields) for interfaces, or any TypeRef for aliases."""

    name: str
    type: TypeRef
    description: str = ""
    params: tuple[str, ...] = ()  # generic parameters, e.g. ("T",) for ListResponse<T>
    # `interface X extends A, B` / intersections: bases whose fields X inherits. The resolver flattens
    # them (and Omit/Pick/Partial, written as REF "Omit" with args) once every document has been read.
    extends: tuple[TypeRef, ...] = ()
    origin: Origin = Origin.TYPESCRIPT
    example: Any = None
    span: Span = field(default=NO_SPAN, compare=False)

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(self.type.fields)

    def field(self, name: str) -> Field | None:
        for f in self.type.fields:
            if f.name == name:
                return f
        return None
