"""Expand what TypeScript leaves symbolic once every document has been read:
`interface X extends A`, and the utility types Omit/Pick/Partial/Required, across files.

Expansion is structural and total: an unknown base simply stays a REF (the validator
reports it as RT205), and cycles are cut rather than followed forever.
"""

from __future__ import annotations

from dataclasses import replace

from roundtrip.ir import Field, Kind, Schema, TypeRef
from roundtrip.ir.types import literal_names

UTILITY = ("Omit", "Pick", "Partial", "Required", "Readonly")


class Expander:
    def __init__(self, schemas: dict[str, Schema]) -> None:
        self.schemas = schemas
        self._done: dict[str, Schema] = {}
        self._active: set[str] = set()

    def schema(self, name: str) -> Schema | None:
        if name in self._done:
            return self._done[name]
        s = self.schemas.get(name)
        if s is None or name in self._active:
            return s
        self._active.add(name)
        try:
            typ = self.type(s.type)
            if s.extends:
                inherited: list[Field] = []
                for base in s.extends:
                    bt = self.type(base)
                    for f in self.object_fields(bt):
                        inherited = [x for x in inherited if x.name != f.name] + [f]
                own = list(typ.fields) if typ.kind is Kind.OBJECT else []
                names = {f.name for f in own}
                merged = [f for f in inherited if f.name not in names] + own
                typ = TypeRef(Kind.OBJECT, nullable=typ.nullable, fields=tuple(merged), source=typ.source)
                s = replace(s, type=typ, extends=())
            else:
                s = replace(s, type=typ)
        finally:
            self._active.discard(name)
        self._done[name] = s
        return s

    def object_fields(self, t: TypeRef) -> tuple[Field, ...]:
        if t.kind is Kind.OBJECT:
            return tuple(t.fields)
        if t.kind is Kind.REF and t.ref and not t.args:
            s = self.schema(t.ref)
            if s is not None and s.type.kind is Kind.OBJECT:
                return tuple(s.type.fields)
        return ()

    def type(self, t: TypeRef) -> TypeRef:
        k = t.kind
        if k is Kind.REF and t.ref in UTILITY and t.args:
            base = self.type(t.args[0])
            fields = self.object_fields(base)
            if not fields and base.kind is not Kind.OBJECT:
                return t  # base unknown: leave symbolic for the validator to report
            names = literal_names(t.args[1] if len(t.args) > 1 else None)
            if t.ref == "Omit":
                fields = tuple(f for f in fields if f.name not in names)
            elif t.ref == "Pick":
                fields = tuple(f for f in fields if f.name in names)
            elif t.ref == "Partial":
                fields = tuple(replace(f, required=False) for f in fields)
            elif t.ref == "Required":
                fields = tuple(replace(f, required=True) for f in fields)
            return TypeRef(Kind.OBJECT, nullable=t.nullable, fields=fields, source=t.source)
        if k is Kind.OBJECT:
            return replace(t, fields=tuple(replace(f, type=self.type(f.type)) for f in t.fields))
        if k in (Kind.ARRAY, Kind.MAP) and t.items is not None:
            return replace(t, items=self.type(t.items))
        if k is Kind.UNION:
            return replace(t, variants=tuple(self.type(v) for v in t.variants))
        if k is Kind.REF and t.args:
            return replace(t, args=tuple(self.type(a) for a in t.args))
        return t


def expand_schemas(schemas: list[Schema]) -> list[Schema]:
    by_name: dict[str, Schema] = {}
    for s in schemas:
        by_name.setdefault(s.name, s)
    ex = Expander(by_name)
    return [ex.schema(s.name) or s for s in by_name.values()]


def expand_type(t: TypeRef, schemas: list[Schema]) -> TypeRef:
    return Expander({s.name: s for s in schemas}).type(t)
