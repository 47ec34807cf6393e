"""API changes between two specs: endpoints, auth, parameters, request and response bodies.

Bodies are compared field by field through named types (`Task` → its fields, `ListResponse<Task>` →
the generic's fields with `T` = Task), so a field removed from the `Task` interface shows up on every
endpoint that returns a Task, pointing at the interface line in each version. Direction matters:
a request may accept more and demand less; a response may return more and promise no less.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from roundtrip.diff.rules import Change, change
from roundtrip.ir import Body, Constraints, Endpoint, Field, Kind, Spec, TypeRef
from roundtrip.source import Span

_STRINGISH = {Kind.STRING, Kind.UUID, Kind.DATE, Kind.DATETIME, Kind.TIME, Kind.INET, Kind.INTERVAL, Kind.BINARY, Kind.ENUM}
_MAX_DEPTH = 6
_PARAM = re.compile(r"\{[^}]*\}")


def route_key(e: Endpoint) -> str:
    """`GET /tasks/{taskId}` and `GET /tasks/{id}` are the same route."""
    path = _PARAM.sub("{}", e.path)
    return f"{e.method} {path}"


def json_type(t: TypeRef) -> str:
    k = t.kind
    if k in _STRINGISH:
        return "string"
    if k is Kind.INTEGER:
        return "integer"
    if k in (Kind.FLOAT, Kind.DECIMAL):
        return "number"
    if k is Kind.BOOLEAN:
        return "boolean"
    if k is Kind.ARRAY:
        return "array"
    if k in (Kind.OBJECT, Kind.MAP):
        return "object"
    if k is Kind.LITERAL:
        v = t.literal
        return "boolean" if isinstance(v, bool) else "integer" if isinstance(v, int) else "number" if isinstance(v, float) else "string"
    return "any"  # ANY, JSON, UNION, unresolved REF: not compared structurally


def _substitute(t: TypeRef, binding: dict[str, TypeRef]) -> TypeRef:
    from dataclasses import replace

    if t.kind is Kind.REF and t.ref in binding and not t.args:
        return binding[t.ref].with_nullable(t.nullable or binding[t.ref].nullable)
    if t.kind is Kind.OBJECT:
        return replace(t, fields=tuple(replace(f, type=_substitute(f.type, binding)) for f in t.fields))
    if t.kind in (Kind.ARRAY, Kind.MAP) and t.items is not None:
        return replace(t, items=_substitute(t.items, binding))
    if t.kind is Kind.UNION:
        return replace(t, variants=tuple(_substitute(v, binding) for v in t.variants))
    if t.kind is Kind.REF and t.args:
        return replace(t, args=tuple(_substitute(a, binding) for a in t.args))
    return t


def resolve(t: TypeRef | None, spec: Spec, depth: int = 0) -> TypeRef | None:
    """Follow named types (with generic arguments) to the structure they stand for."""
    while t is not None and t.kind is Kind.REF and depth < _MAX_DEPTH:
        s = spec.schema(t.ref or "")
        if s is None:
            return t
        body = s.type
        if s.params and t.args:
            body = _substitute(body, dict(zip(s.params, t.args, strict=False)))
        t = body.with_nullable(t.nullable or body.nullable)
        depth += 1
    return t


@dataclass
class _Side:
    spec: Spec
    span: Span | None


class ApiDiff:
    def __init__(self, old: Spec, new: Spec) -> None:
        self.old = old
        self.new = new
        self.out: list[Change] = []

    def add(self, rule: str, subject: str, message: str, old: Span | None, new: Span | None) -> None:
        self.out.append(change(rule, subject, message, old, new))

    def run(self) -> list[Change]:
        old_by = {route_key(e): e for e in self.old.endpoints}
        new_by = {route_key(e): e for e in self.new.endpoints}
        for key, e in old_by.items():
            n = new_by.get(key)
            if n is None:
                self.add("RD101", f"endpoint:{key}", f"{e.key} was removed", e.span, None)
            else:
                self.endpoint(e, n)
        for key, n in new_by.items():
            if key not in old_by:
                self.add("RD102", f"endpoint:{key}", f"{n.key} was added", None, n.span)
        return self.out

    # ---------------------------------------------------------------- one endpoint

    def endpoint(self, o: Endpoint, n: Endpoint) -> None:
        subject = f"endpoint:{route_key(n)}"
        self.auth(o, n, subject)
        self.parameters(o, n, subject)
        self.request(o, n, subject)
        self.responses(o, n, subject)

    def auth(self, o: Endpoint, n: Endpoint, subject: str) -> None:
        was, now = o.auth.required is True, n.auth.required is True
        if now and not was and o.auth.required is False:
            self.add("RD117", subject, f"{n.key} now requires authentication", o.auth.span or o.span, n.auth.span or n.span)
        elif was and n.auth.required is False:
            self.add("RD119", subject, f"{n.key} no longer requires authentication", o.auth.span or o.span, n.auth.span or n.span)
        elif was and now and n.auth.roles and (not o.auth.roles or not set(n.auth.roles) >= set(o.auth.roles)):
            lost = [r for r in o.auth.roles if r not in n.auth.roles]
            who = f"role(s) {', '.join(lost)} lost access" if lost else f"only {', '.join(n.auth.roles)} may call it now"
            self.add("RD118", subject, f"{n.key}: {who}", o.auth.span or o.span, n.auth.span or n.span)

    def parameters(self, o: Endpoint, n: Endpoint, subject: str) -> None:
        path_names_o = [p for p in o.parameters if p.location.value == "path"]
        path_names_n = [p for p in n.parameters if p.location.value == "path"]
        renamed = {a.name: b.name for a, b in zip(path_names_o, path_names_n, strict=False)}  # /{id} → /{taskId}
        old_by = {p.name: p for p in o.parameters}
        new_by = {p.name: p for p in n.parameters}
        for name, p in old_by.items():
            q = new_by.get(renamed.get(name, name)) if p.location.value == "path" else new_by.get(name)
            sub = f"{subject}/{p.location.value}/{name}"
            if q is None:
                self.add("RD123", sub, f"{n.key}: {p.location.value} parameter `{name}` was removed", p.span, n.span)
                continue
            if q.location is not p.location:
                self.add("RD120", sub, f"{n.key}: parameter `{name}` moved from {p.location.value} to {q.location.value}", p.span, q.span)
                continue
            if q.required and not p.required:
                self.add("RD121", sub, f"{n.key}: parameter `{name}` is now required", p.span, q.span)
            self.value(p.type, q.type, p.constraints, q.constraints, "request", sub, f"{n.key}: parameter `{name}`", p.span, q.span, param=True)
        for name, q in new_by.items():
            if name in old_by or name in renamed.values():
                continue
            sub = f"{subject}/{q.location.value}/{name}"
            if q.required and q.location.value != "path":
                self.add("RD121", sub, f"{n.key}: new required {q.location.value} parameter `{name}`", o.span, q.span)
            elif q.location.value != "path":
                self.add("RD124", sub, f"{n.key}: new optional {q.location.value} parameter `{name}`", o.span, q.span)

    def request(self, o: Endpoint, n: Endpoint, subject: str) -> None:
        if n.request is None or n.request.type is None:
            return
        if o.request is None or o.request.type is None:
            self.add("RD125", f"{subject}/request", f"{n.key} now takes a request body", o.span, n.request.span or n.span)
            return
        self.body(o.request, n.request, "request", f"{subject}/request", n.key)

    def responses(self, o: Endpoint, n: Endpoint, subject: str) -> None:
        new_by = {r.status: r for r in n.responses}
        old_by = {r.status: r for r in o.responses}
        for status, r in old_by.items():
            q = new_by.get(status)
            sub = f"{subject}/response/{status}"
            if q is None:
                if 200 <= status < 400:
                    self.add("RD115", sub, f"{n.key} no longer answers {status}", r.span or o.span, n.span)
                continue
            if r.body is not None and r.body.type is not None:
                if q.body is None or q.body.type is None:
                    self.add("RD126", sub, f"{n.key}: the {status} response no longer has a body", r.span, q.span)
                else:
                    self.body(r.body, q.body, "response", sub, f"{n.key} {status}")
        for status, q in new_by.items():
            if status not in old_by and 200 <= status < 400:
                self.add("RD116", f"{subject}/response/{status}", f"{n.key} may now answer {status}", o.span, q.span or n.span)

    # ---------------------------------------------------------------- bodies and fields

    def body(self, o: Body, n: Body, direction: str, subject: str, what: str) -> None:
        assert o.type is not None and n.type is not None
        self.value(o.type, n.type, Constraints(), Constraints(), direction, subject, what, o.span, n.span)

    def value(self, ot: TypeRef, nt: TypeRef, oc: Constraints, nc: Constraints, direction: str, subject: str, what: str,
              os: Span | None, ns: Span | None, depth: int = 0, param: bool = False) -> None:
        if depth > _MAX_DEPTH:
            return
        o = resolve(ot, self.old) or ot
        n = resolve(nt, self.new) or nt
        os, ns = _schema_span(ot, self.old, os), _schema_span(nt, self.new, ns)
        jo, jn = json_type(o), json_type(n)
        request = direction == "request"
        if "any" not in (jo, jn) and jo != jn and not (request and jo == "integer" and jn == "number"):
            rule = ("RD122" if param else "RD108") if request else "RD104"
            self.add(rule, subject, f"{what} changed type from {_describe(ot)} to {_describe(nt)}", os, ns)
            return
        if o.kind is Kind.ENUM and n.kind is Kind.ENUM:
            removed = [v for v in o.values if v not in n.values]
            added = [v for v in n.values if v not in o.values]
            if removed and request:
                self.add("RD112", subject, f"{what}: value(s) {', '.join(removed)} no longer accepted", os, ns)
            if added:
                self.add("RD113" if not request else "RD114", subject, f"{what}: new value(s) {', '.join(added)}", os, ns)
        if request:
            if o.nullable and not n.nullable:
                self.add("RD111", subject, f"{what} no longer accepts null", os, ns)
            tightened = _tightened(oc, nc)
            if tightened:
                self.add("RD111", subject, f"{what}: {tightened}", os, ns)
        elif n.nullable and not o.nullable:
            self.add("RD105", subject, f"{what} may now be null", os, ns)
        if o.kind is Kind.ARRAY and n.kind is Kind.ARRAY and o.items is not None and n.items is not None:
            self.value(o.items, n.items, Constraints(), Constraints(), direction, subject + "[]", what + "[]", os, ns, depth + 1)
        elif o.kind is Kind.OBJECT and n.kind is Kind.OBJECT:
            self.fields(o.fields, n.fields, direction, subject, what, os, ns, depth)

    def fields(self, of: tuple[Field, ...], nf: tuple[Field, ...], direction: str, subject: str, what: str,
               os: Span | None, ns: Span | None, depth: int) -> None:
        old_by = {f.name: f for f in of}
        new_by = {f.name: f for f in nf}
        request = direction == "request"
        for name, f in old_by.items():
            g = new_by.get(name)
            fs = f.span if f.span.line > 0 else os
            sub = f"{subject}.{name}"
            label = f"{what} field `{name}`"
            if g is None:
                self.add("RD109" if request else "RD103", sub, f"{label} was removed", fs, ns)
                continue
            gs = g.span if g.span.line > 0 else ns
            if request and g.required and not f.required:
                self.add("RD107", sub, f"{label} is now required", fs, gs)
            if not request and f.required and not g.required:
                self.add("RD105", sub, f"{label} is no longer always present", fs, gs)
            self.value(f.type, g.type, f.constraints, g.constraints, direction, sub, label, fs, gs, depth + 1)
        for name, g in new_by.items():
            if name in old_by:
                continue
            sub = f"{subject}.{name}"
            label = f"{what} field `{name}`"
            g_span = g.span if g.span.line > 0 else ns
            if request and g.required:
                self.add("RD107", sub, f"{label} was added as required", os, g_span)
            elif request:
                self.add("RD110", sub, f"{label} was added", os, g_span)
            else:
                self.add("RD106", sub, f"{label} was added", os, g_span)


def _schema_span(t: TypeRef, spec: Spec, fallback: Span | None) -> Span | None:
    """Where the fields of a named type are written (the interface / `**X object**:` line)."""
    if t.kind is Kind.REF and t.ref:
        s = spec.schema(t.ref)
        if s is not None and s.span.line > 0:
            return s.span
    return fallback


def _describe(t: TypeRef) -> str:
    return t.describe()


def _tightened(o: Constraints, n: Constraints) -> str:
    """What a request value's new constraints reject that the old ones accepted ("" if nothing)."""
    notes: list[str] = []

    def upper(name: str, a: float | None, b: float | None) -> None:
        if b is not None and (a is None or b < a):
            notes.append(f"{name} {b} (was {a if a is not None else 'unbounded'})")

    def lower(name: str, a: float | None, b: float | None) -> None:
        if b is not None and (a is None or b > a):
            notes.append(f"{name} {b} (was {a if a is not None else 'unbounded'})")

    upper("max length", o.max_length, n.max_length)
    lower("min length", o.min_length, n.min_length)
    upper("maximum", o.maximum, n.maximum)
    lower("minimum", o.minimum, n.minimum)
    upper("max items", o.max_items, n.max_items)
    lower("min items", o.min_items, n.min_items)
    if n.pattern and n.pattern != o.pattern:
        notes.append(f"pattern {n.pattern}" + (f" (was {o.pattern})" if o.pattern else ""))
    if n.format and n.format != o.format:
        notes.append(f"format {n.format}")
    return "; ".join(notes)


def api_changes(old: Spec, new: Spec) -> Iterator[Change]:
    yield from ApiDiff(old, new).run()
