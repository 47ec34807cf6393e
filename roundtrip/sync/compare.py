"""What differs between the docs and a backend's OpenAPI, construct by construct.

Both sides are compared as the OpenAPI importer reads them: the docs' side is the docs compiled to
OpenAPI and imported back, the backend's side is its OpenAPI imported. Going through the same
importer means a no-op sync (the OpenAPI compiled from the docs themselves) finds nothing, and only
what OpenAPI can state is compared (types, required, constraints, enums, defaults) — never prose,
descriptions or examples, which stay the docs' own.

Named types the docs define (`**Recipe object**:`, `interface Task`, a `**RecipeIngredient**` table)
are compared once, as schemas; the names the OpenAPI emitter invents for inline bodies
(`PostV1RecipesRequest`) are followed, so an inline body is compared where the docs write it.

Parameters and bodies are compared here; statuses, errors, auth and rate limits need what the
importer drops (every error example, `x-roles`, `x-rate-limit`) and are compared on the raw documents
(roundtrip.sync.contract), into each pair's `contract`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from roundtrip.diff.api_changes import route_key
from roundtrip.ir import Body, Endpoint, Field, Kind, Parameter, Spec, TypeRef
from roundtrip.sync.contract import ContractDelta

_MAX_DEPTH = 12
# Not part of what a backend's OpenAPI can contradict: the docs keep their own words and examples.
_IGNORED = {"source", "description", "example", "span"}


def shape(value: Any, spec: Spec, named: frozenset[str], depth: int = 0) -> Any:
    """A comparable structure of a type / field / parameter: inline-body names followed, prose left out."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, TypeRef):
        value = resolved(value, spec, named)
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,) + tuple(
            (f.name, shape(getattr(value, f.name), spec, named, depth + 1))
            for f in fields(value)
            if f.name not in _IGNORED
        )
    if isinstance(value, tuple):
        return tuple(shape(v, spec, named, depth + 1) for v in value)
    return repr(value) if isinstance(value, (dict, list)) else value


def resolved(t: TypeRef, spec: Spec, named: frozenset[str]) -> TypeRef:
    """Follow a REF to a name the docs never wrote (an emitter-invented inline body name)."""
    for _ in range(_MAX_DEPTH):
        if t.kind is not Kind.REF or t.ref in named or t.args:
            return t
        s = spec.schema(t.ref or "")
        if s is None:
            return t
        t = s.type.with_nullable(t.nullable or s.type.nullable)
    return t


@dataclass(frozen=True)
class FieldEdit:
    """One field of a body or schema to add, remove or change. `path` leads from the body's root
    object to the object holding the field; "[]" steps into array items."""

    op: str  # add | remove | change
    path: tuple[str, ...]
    name: str
    old: Field | None = None  # the docs' field (as imported)
    new: Field | None = None  # the backend's field


@dataclass(frozen=True)
class ParamEdit:
    op: str  # add | remove | change
    old: Parameter | None = None
    new: Parameter | None = None

    @property
    def name(self) -> str:
        p = self.new or self.old
        assert p is not None
        return p.name


@dataclass
class EndpointDelta:
    key: str  # "GET /v1/recipes"
    old: Endpoint  # docs side, as imported
    new: Endpoint  # backend side
    params: list[ParamEdit] = field(default_factory=list)
    request: list[FieldEdit] = field(default_factory=list)
    responses: dict[int, list[FieldEdit]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    contract: ContractDelta = field(default_factory=ContractDelta)  # statuses, errors, auth, rate limit

    def changed(self) -> bool:
        return bool(
            self.params
            or self.request
            or any(self.responses.values())
            or self.notes
            or self.contract.changed()
        )


@dataclass
class SchemaDelta:
    name: str
    edits: list[FieldEdit]


@dataclass
class Comparison:
    endpoints: list[EndpointDelta] = field(default_factory=list)
    added: list[Endpoint] = field(default_factory=list)  # backend side
    removed: list[Endpoint] = field(default_factory=list)  # docs side
    schemas: list[SchemaDelta] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pairs: list[EndpointDelta] = field(default_factory=list)  # every endpoint both sides have, changed or not


class _Comparer:
    def __init__(self, old: Spec, new: Spec, named: frozenset[str]) -> None:
        self.old, self.new, self.named = old, new, named

    def same(self, a: Any, b: Any) -> bool:
        return shape(a, self.old, self.named) == shape(b, self.new, self.named)

    def fields(self, of: tuple[Field, ...], nf: tuple[Field, ...], path: tuple[str, ...]) -> list[FieldEdit]:
        out: list[FieldEdit] = []
        new_by = {f.name: f for f in nf}
        old_names = {f.name for f in of}
        for f in of:
            g = new_by.get(f.name)
            if g is None:
                out.append(FieldEdit("remove", path, f.name, old=f))
            elif not self.same(f, g):
                out.extend(self.changed_field(f, g, path))
        out.extend(FieldEdit("add", path, g.name, new=g) for g in nf if g.name not in old_names)
        return out

    def changed_field(self, f: Field, g: Field, path: tuple[str, ...]) -> list[FieldEdit]:
        """Descend into an inline object whose own facts did not change; otherwise the field changed."""
        same_facts = (f.required, f.read_only, f.has_default, f.default, f.constraints) == (
            g.required,
            g.read_only,
            g.has_default,
            g.default,
            g.constraints,
        )
        ot, nt = resolved(f.type, self.old, self.named), resolved(g.type, self.new, self.named)
        sub = (*path, f.name)
        while (
            ot.kind is Kind.ARRAY
            and nt.kind is Kind.ARRAY
            and ot.items
            and nt.items
            and ot.nullable == nt.nullable
        ):
            ot, nt = resolved(ot.items, self.old, self.named), resolved(nt.items, self.new, self.named)
            sub = (*sub, "[]")
        if same_facts and ot.kind is Kind.OBJECT and nt.kind is Kind.OBJECT and ot.nullable == nt.nullable:
            return self.fields(ot.fields, nt.fields, sub)
        return [FieldEdit("change", path, f.name, old=f, new=g)]

    def body(self, ob: Body | None, nb: Body | None, what: str, notes: list[str]) -> list[FieldEdit]:
        ot = ob.type if ob is not None else None
        nt = nb.type if nb is not None else None
        if ot is None and nt is None:
            return []
        if ot is None or nt is None:
            notes.append(f"{what}: the body was {'added' if ot is None else 'removed'} (not synced)")
            return []
        if self.same(ot, nt):
            return []
        a, b = resolved(ot, self.old, self.named), resolved(nt, self.new, self.named)
        path: tuple[str, ...] = ()
        while a.kind is Kind.ARRAY and b.kind is Kind.ARRAY and a.items and b.items:
            a, b = resolved(a.items, self.old, self.named), resolved(b.items, self.new, self.named)
            path = (*path, "[]")
        if a.kind is Kind.OBJECT and b.kind is Kind.OBJECT:
            return self.fields(a.fields, b.fields, path)
        notes.append(f"{what}: the body changed from {ot.describe()} to {nt.describe()} (not synced)")
        return []

    def params(self, o: Endpoint, n: Endpoint) -> list[ParamEdit]:
        old_by = {(p.location, p.name): p for p in o.parameters}
        new_by = {(p.location, p.name): p for p in n.parameters}
        out = [ParamEdit("remove", old=p) for k, p in old_by.items() if k not in new_by]
        out += [
            ParamEdit("change", old=p, new=new_by[k])
            for k, p in old_by.items()
            if k in new_by and not self.same(p, new_by[k])
        ]
        out += [ParamEdit("add", new=p) for k, p in new_by.items() if k not in old_by]
        return out

    def endpoint(self, o: Endpoint, n: Endpoint) -> EndpointDelta:
        d = EndpointDelta(n.key, o, n, params=self.params(o, n))
        d.request = self.body(o.request, n.request, f"{n.key} request", d.notes)
        old_r = {r.status: r for r in o.responses}
        new_r = {r.status: r for r in n.responses}
        for status, r in old_r.items():
            if status in new_r:  # statuses added or removed: roundtrip.sync.contract
                edits = self.body(r.body, new_r[status].body, f"{n.key} {status} response", d.notes)
                if edits:
                    d.responses[status] = edits
        return d


def compare(old: Spec, new: Spec, named: frozenset[str]) -> Comparison:
    """`old`: the docs as imported from their compiled OpenAPI; `new`: the backend's OpenAPI imported;
    `named`: the type names the docs define."""
    c = _Comparer(old, new, named)
    out = Comparison()
    new_by = {route_key(e): e for e in new.endpoints}
    old_keys = set()
    for o in old.endpoints:
        key = route_key(o)
        old_keys.add(key)
        n = new_by.get(key)
        if n is None:
            out.removed.append(o)
            continue
        out.pairs.append(c.endpoint(o, n))
    out.added = [n for key, n in new_by.items() if key not in old_keys]
    out.endpoints = [d for d in out.pairs if d.changed()]
    for name in sorted(named):
        a, b = old.schema(name), new.schema(name)
        if a is None:
            continue
        if b is None:
            out.notes.append(f"type {name} is not in the OpenAPI (left in the docs)")
            continue
        if not c.same(a.type, b.type):
            at, bt = a.type, b.type
            if at.kind is Kind.OBJECT and bt.kind is Kind.OBJECT:
                out.schemas.append(SchemaDelta(name, c.fields(at.fields, bt.fields, ())))
            else:
                out.notes.append(f"type {name} changed from {at.describe()} to {bt.describe()} (not synced)")
    return out
