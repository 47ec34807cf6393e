"""Type request bodies the docs wrote as field names ("Body: any of `branchId`, `status` (only `lost`)").

The reader records the names (readers/api_body_list); their types belong to the endpoint's resource,
which may be defined in another document: the schema named on the success line (`**200 OK** — `Copy``),
else the table the path maps to. A name the resource does not have is a dangling reference (RT206),
and a "(only ...)" restriction must be a subset of the resource field's values (RT201).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from roundtrip.diagnostics import Sink
from roundtrip.ir import Endpoint, Field, Kind, Schema, Table, TypeRef
from roundtrip.ir.matching import Match, match_in_table, table_for_endpoint, table_for_type
from roundtrip.source import Span

# (method, path without the base path, type named on the success line or "", span of the body label)
ListedBody = tuple[str, str, str, Span]

# "default 2500", ", default 'available'" inside a description: one clause up to the next `;` or `,`
_DEFAULT_CLAUSE = re.compile(r"(?:^|[;,]\s*)default\s+(?:'[^']*'|\"[^\"]*\"|`[^`]*`|[^;,]+)", re.IGNORECASE)


def type_listed_bodies(endpoints: tuple[Endpoint, ...], listed: Sequence[ListedBody], schemas: Sequence[Schema],
                       tables: Sequence[Table], sink: Sink) -> tuple[Endpoint, ...]:
    if not listed:
        return endpoints
    by_name = {s.name: s for s in schemas}
    wanted = {(method, path): (resource, span) for method, path, resource, span in listed}
    out: list[Endpoint] = []
    for e in endpoints:
        hit = wanted.get((e.method, e.path))
        if hit is None or e.request is None or e.request.type is None or e.request.type.kind is not Kind.OBJECT:
            out.append(e)
            continue
        resource, span = hit
        typed = _Typer(e, resource, by_name, tables, sink, span).body(e.request.type)
        out.append(replace(e, request=replace(e.request, type=typed)))
    return tuple(out)


class _Typer:
    def __init__(self, e: Endpoint, resource: str, schemas: dict[str, Schema], tables: Sequence[Table], sink: Sink,
                 span: Span) -> None:
        self.e = e
        self.schemas = schemas
        self.sink = sink
        self.span = span
        schema = schemas.get(resource) if resource else None
        self.fields = {f.name: f for f in schema.type.fields} if schema is not None and schema.type.kind is Kind.OBJECT else None
        self.table = None
        if self.fields is None:
            self.table = table_for_type(resource, tables) if resource else table_for_endpoint(e, tables)
        self.where = f"`{resource}`" if self.fields is not None else f"table {self.table.name}" if self.table is not None else ""

    def body(self, t: TypeRef) -> TypeRef:
        if not self.where:
            self.sink.add("RT110", self.span, f"the request body of {self.e.key} lists fields, but no success type or "
                          "table names its resource; the fields were left untyped")
            return t
        return replace(t, fields=tuple(self.field(f) for f in t.fields))

    def field(self, f: Field) -> Field:
        found = self.resource_field(f.name)
        if found is None:
            self.sink.add("RT206", self.span, f"the request body of {self.e.key} lists `{f.name}`, which {self.where} "
                          "does not have; fix the name or document the field")
            return f
        narrowed = f.type.values if f.type.kind is Kind.ENUM else ()
        typ = found.type
        if narrowed:
            typ = self.narrow(f.name, found.type, narrowed)
        # the resource's words minus its default ("replacement cost, default 2500"): read back, they would state one
        description = "; ".join(d for d in (_DEFAULT_CLAUSE.sub("", found.description).strip(" ;,"), f.description) if d)
        # No default: a field the caller leaves out of "any of" keeps its stored value rather than being reset.
        return replace(found, type=typ, required=f.required, description=description, default=None, has_default=False,
                       span=f.span)

    def resource_field(self, name: str) -> Field | None:
        if self.fields is not None:
            return self.fields.get(name)
        assert self.table is not None
        m = match_in_table(name, self.table)
        if m.kind is not Match.EXACT or m.column is None:
            return None
        col = m.column
        return Field(name, replace(col.type, nullable=col.nullable), description=col.description, span=col.span)

    def values_of(self, t: TypeRef) -> tuple[str, ...]:
        if t.kind is Kind.ENUM:
            return t.values
        if t.kind is Kind.REF and t.ref in self.schemas and not t.args:
            return self.values_of(self.schemas[t.ref].type)
        if t.kind is Kind.UNION and all(v.kind is Kind.LITERAL for v in t.variants):
            return tuple(str(v.literal) for v in t.variants)
        return ()

    def narrow(self, name: str, base: TypeRef, values: tuple[str, ...]) -> TypeRef:
        """"`status` (only `lost`, `withdrawn`)": the field's own values, a subset of the resource's."""
        allowed = self.values_of(base)
        stray = [v for v in values if allowed and v not in allowed]
        if stray:
            self.sink.add("RT201", self.span, f"the request body of {self.e.key} allows `{name}` to be "
                          f"{', '.join(stray)}, which {self.where} does not ({', '.join(allowed)})")
        return TypeRef(Kind.ENUM, nullable=base.nullable, values=values)
