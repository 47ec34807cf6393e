"""Types a table cell cannot carry → named TypeScript declarations that the cell refers to.

A field, parameter or body type is written in a table's Type cell (or a body label's code span) in the
cell spelling (`{ id: bigint; tags: string[] }`, `'a' | 'b'`). Some types have no such spelling the
readers read back: a nested object longer than the reader takes, a union of forty named types, members
named `+1`. Those are declared once under "Data Types" as TypeScript (`interface ReposGet200Owner { … }`,
which carries any nesting) and the cell names the declaration instead. Everything a cell can carry is
left inline, so docs whose types fit in cells render exactly as before.

The names are derived from where the type sits (schema + field, operation + status + field, operation +
parameter), made unique against every schema name, so rendering is deterministic; reading the docs back
gives the declarations as TypeScript schemas and the cells as references to them, and rendering that
Spec again gives the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from roundtrip.emit.md_infer import implied_by_example
from roundtrip.emit.md_text import cell_type_reads_back, inline_body_type, table_name_reads_back
from roundtrip.ir import Body, Endpoint, Field, Kind, Origin, Parameter, Schema, Spec, TypeRef


@dataclass
class _Namer:
    """Hands out type names not yet taken and keeps the declarations made, in first-use order."""

    taken: set[str]
    declared: list[Schema] = field(default_factory=list)

    def declare(self, base: str, t: TypeRef) -> TypeRef:
        name = base
        n = 2
        while name in self.taken:
            name, n = f"{base}{n}", n + 1
        self.taken.add(name)
        # A nullable type is declared without `| null` and referred to as `Name | null`, as an author would.
        self.declared.append(Schema(name, t.with_nullable(False), origin=Origin.TYPESCRIPT))
        return TypeRef(Kind.REF, ref=name, nullable=t.nullable)

    def cell(self, t: TypeRef, base: str) -> TypeRef:
        """`t` if its cell spelling reads back; else the same shape with the parts that do not read back named."""
        if cell_type_reads_back(t):
            return t
        if t.kind is Kind.OBJECT and t.fields:
            return self.declare(base, t)
        if t.kind is Kind.ARRAY and t.items is not None:
            inner = replace(t, items=self.cell(t.items, base + "Item"))
            if cell_type_reads_back(inner):
                return inner
        if t.kind is Kind.MAP and t.items is not None:
            inner = replace(t, items=self.cell(t.items, base + "Value"))
            if cell_type_reads_back(inner):
                return inner
        return self.declare(base, t)  # a long union, a one-value enum inside one: a `type` alias


def type_name(*parts: str) -> str:
    """Words (`repos/get-commit`, `200`, `+1`) → a PascalCase type name the cell reader takes as a type:
    it starts with a capital, has a lower-case letter, and does not start with `enum`."""
    name = "".join(w[:1].upper() + w[1:] for p in parts for w in re.split(r"[^A-Za-z0-9]+", p) if w)
    if not name or not name[0].isalpha() or name.lower().startswith("enum"):
        name = "T" + name
    return name if re.search(r"[a-z]", name) else name + "Type"


def _fields(namer: _Namer, fields: tuple[Field, ...], base: str) -> tuple[Field, ...]:
    return tuple(replace(f, type=namer.cell(f.type, type_name(base, f.name))) for f in fields)


def _body(namer: _Namer, b: Body | None, base: str) -> Body | None:
    """Mirrors md_api._body: a body is a code span, a field table, or its example alone."""
    if b is None or b.type is None or implied_by_example(b.type, b.example, b.has_example):
        return b
    t = b.type
    if inline_body_type(t):
        return replace(b, type=namer.cell(t, base))
    if t.kind is Kind.OBJECT and t.fields:
        if not all(table_name_reads_back(f.name) for f in t.fields):
            # a member the table cannot name (`+1`): the whole body is declared
            return replace(b, type=namer.declare(base, t))
        return replace(b, type=replace(t, fields=_fields(namer, t.fields, base)))
    return b


def _parameter(namer: _Namer, p: Parameter, base: str) -> Parameter:
    return replace(p, type=namer.cell(p.type, type_name(base, p.name, "Param")))


def _endpoint(namer: _Namer, e: Endpoint) -> Endpoint:
    op = type_name(e.operation_id or f"{e.method} {e.path}")
    return replace(
        e,
        parameters=tuple(_parameter(namer, p, op) for p in e.parameters),
        request=_body(namer, e.request, op + "Request"),
        responses=tuple(
            replace(r, body=_body(namer, r.body, f"{op}Response{r.status}")) for r in e.responses
        ),
    )


def hoist_cell_types(spec: Spec, table_schemas: frozenset[str]) -> tuple[Spec, tuple[Schema, ...]]:
    """The Spec with every type written in a cell made one the cell reader reads back, and the declarations
    that takes. `table_schemas`: the schemas written as field tables (md_schemas.schema_form)."""
    namer = _Namer({s.name for s in spec.schemas})
    schemas = tuple(
        replace(s, type=replace(s.type, fields=_fields(namer, s.type.fields, s.name)))
        if s.name in table_schemas
        else s
        for s in spec.schemas
    )
    endpoints = tuple(_endpoint(namer, e) if e.detailed else e for e in spec.endpoints)
    if not namer.declared:
        return spec, ()
    return replace(spec, schemas=schemas, endpoints=endpoints), tuple(namer.declared)
