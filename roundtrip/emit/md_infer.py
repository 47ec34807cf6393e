"""What a JSON example implies about its type, as the API reader infers it.

The canonical docs write a body or a named object as its JSON example alone when the example
implies exactly the documented type; otherwise the type is written out and the example follows.
Emitters may not import readers, so this mirrors `readers/api_json.infer_type`; the round-trip
tests fail as soon as the two disagree.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from roundtrip.ir import Constraints, Field, Kind, TypeRef

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_TEMPLATE = re.compile(
    r"^(?P<base>string|number|integer|int|boolean|bool|uuid|datetime|date-time|timestamp|iso 8601(?: date| datetime| timestamp)?|iso date)"
    r"(?P<rest>\s*(?:\(.*\))?\s*(?:\|\s*null)?)$",
    re.I,
)
_ENUM_TEMPLATE = re.compile(r"^(?P<vals>[A-Za-z][\w-]*(?:\s*\|\s*[A-Za-z][\w-]*)+)\s*(?:\((?P<note>[^)]*)\))?$")
_TEMPLATE_KIND = {
    "string": Kind.STRING, "number": Kind.FLOAT, "integer": Kind.INTEGER, "int": Kind.INTEGER, "boolean": Kind.BOOLEAN,
    "bool": Kind.BOOLEAN, "uuid": Kind.UUID, "date": Kind.DATE, "datetime": Kind.DATETIME, "date-time": Kind.DATETIME,
    "timestamp": Kind.DATETIME, "iso 8601": Kind.DATETIME, "iso 8601 date": Kind.DATE, "iso 8601 datetime": Kind.DATETIME,
    "iso 8601 timestamp": Kind.DATETIME, "iso date": Kind.DATE,
}
_MAX_DEPTH = 48


def _string_format(value: str) -> str | None:
    if _DATETIME.match(value):
        return "date-time"
    if _DATE.match(value):
        return "date"
    if _UUID.match(value):
        return "uuid"
    if _EMAIL.match(value):
        return "email"
    return None


def _template(value: str) -> tuple[TypeRef, bool | None] | None:
    v = value.strip()
    m = _TEMPLATE.match(v)
    if m:
        rest = m.group("rest").lower()
        t = TypeRef(_TEMPLATE_KIND.get(m.group("base").lower(), Kind.STRING), nullable="null" in rest)
        return t, (False if "optional" in rest else True if "required" in rest else None)
    m = _ENUM_TEMPLATE.match(v)
    if m:
        vals = tuple(x.strip() for x in m.group("vals").split("|"))
        nullable = "null" in vals
        vals = tuple(x for x in vals if x != "null")
        if len(vals) >= 2 or (nullable and vals):
            required = False if "optional" in (m.group("note") or "").lower() else None
            if len(vals) == 1:
                inner = _template(vals[0])
                return (inner[0] if inner else TypeRef(Kind.STRING)).with_nullable(True), required
            return TypeRef(Kind.ENUM, values=vals, nullable=nullable), required
    return None


def infer_type(value: Any, depth: int = 0) -> TypeRef:
    if depth > _MAX_DEPTH:
        return TypeRef(Kind.ANY)
    if value is None:
        return TypeRef(Kind.ANY, nullable=True)
    if isinstance(value, bool):
        return TypeRef(Kind.BOOLEAN)
    if isinstance(value, int):
        return TypeRef(Kind.INTEGER)
    if isinstance(value, float):
        return TypeRef(Kind.FLOAT)
    if isinstance(value, str):
        tmpl = _template(value)
        return tmpl[0] if tmpl is not None else TypeRef(Kind.STRING)
    if isinstance(value, list):
        items: TypeRef | None = None
        for v in value:
            t = infer_type(v, depth + 1)
            items = t if items is None else _merge(items, t, depth + 1)
        return TypeRef(Kind.ARRAY, items=items or TypeRef(Kind.ANY))
    if isinstance(value, dict):
        return TypeRef(Kind.OBJECT, fields=tuple(_field(k, v, depth + 1) for k, v in value.items()))
    return TypeRef(Kind.ANY)


def _field(name: str, value: Any, depth: int) -> Field:
    required = True
    constraints = Constraints()
    if isinstance(value, str):
        tmpl = _template(value)
        if tmpl is not None and tmpl[1] is not None:
            required = tmpl[1]
        elif tmpl is None:
            fmt = _string_format(value)
            if fmt:
                constraints = Constraints(format=fmt)
        if tmpl is not None and "email" in value.lower():
            constraints = Constraints(format="email")
    return Field(name=name, type=infer_type(value, depth), required=required, constraints=constraints, example=value)


def _merge(a: TypeRef, b: TypeRef, depth: int) -> TypeRef:
    if depth > _MAX_DEPTH:
        return TypeRef(Kind.ANY)
    if a.kind is Kind.ANY and a.nullable and b.kind is not Kind.ANY:
        return b.with_nullable(True)
    if b.kind is Kind.ANY and b.nullable and a.kind is not Kind.ANY:
        return a.with_nullable(True)
    nullable = a.nullable or b.nullable
    if a.kind is b.kind:
        if a.kind is Kind.OBJECT:
            return TypeRef(Kind.OBJECT, fields=_merge_fields(a.fields, b.fields, depth + 1), nullable=nullable)
        if a.kind is Kind.ARRAY:
            ia, ib = a.items or TypeRef(Kind.ANY), b.items or TypeRef(Kind.ANY)
            if not a.items or (ia.kind is Kind.ANY and not ia.nullable):
                return TypeRef(Kind.ARRAY, items=ib, nullable=nullable)
            if not b.items or (ib.kind is Kind.ANY and not ib.nullable):
                return TypeRef(Kind.ARRAY, items=ia, nullable=nullable)
            return TypeRef(Kind.ARRAY, items=_merge(ia, ib, depth + 1), nullable=nullable)
        return a.with_nullable(nullable)
    if {a.kind, b.kind} == {Kind.INTEGER, Kind.FLOAT}:
        return TypeRef(Kind.FLOAT, nullable=nullable)
    return TypeRef(Kind.ANY, nullable=nullable)


def _merge_fields(a: tuple[Any, ...], b: tuple[Any, ...], depth: int) -> tuple[Field, ...]:
    bmap = {f.name: f for f in b}
    amap = {f.name: f for f in a}
    out: list[Field] = []
    for f in a:
        g = bmap.get(f.name)
        if g is None:
            out.append(replace(f, required=False))
        else:
            fmt = f.constraints if f.constraints == g.constraints else Constraints()
            out.append(replace(f, type=_merge(f.type, g.type, depth), required=f.required and g.required, constraints=fmt))
    for g in b:
        if g.name not in amap:
            out.append(replace(g, required=False))
    return tuple(out)


def implied_by_example(t: TypeRef | None, example: Any, has_example: bool) -> bool:
    """True when writing only the example gives back exactly `t`."""
    return has_example and t is not None and infer_type(example) == t
