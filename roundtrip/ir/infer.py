"""What a JSON example implies about its type: one inference shared by the API reader (which types
bodies from examples) and the canonical-docs emitter (which must know when an example alone
states the documented type). Pure functions over the IR; deterministic (dict order is document order).
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from roundtrip.ir.data import Column, Table
from roundtrip.ir.naming import snake
from roundtrip.ir.schema import Field
from roundtrip.ir.spec import Spec
from roundtrip.ir.typemap import integer_range
from roundtrip.ir.types import Constraints, Kind, TypeRef

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
# Type templates inside valid JSON: "string (email format)", "uuid | null", "buyer | owner (default: buyer)".
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


def string_format(value: str) -> str | None:
    if _DATETIME.match(value):
        return "date-time"
    if _DATE.match(value):
        return "date"
    if _UUID.match(value):
        return "uuid"
    if _EMAIL.match(value):
        return "email"
    return None


def template_type(value: str) -> tuple[TypeRef, bool | None] | None:
    """A string value that is a type description, not data → (type, required-or-None)."""
    v = value.strip()
    m = _TEMPLATE.match(v)
    if m:
        base = m.group("base").lower()
        rest = m.group("rest").lower()
        t = TypeRef(_TEMPLATE_KIND.get(base, Kind.STRING), nullable="null" in rest, source=v)
        required = False if "optional" in rest else True if "required" in rest else None
        return t, required
    m = _ENUM_TEMPLATE.match(v)
    if m:
        vals = tuple(x.strip() for x in m.group("vals").split("|"))
        nullable = "null" in vals
        vals = tuple(x for x in vals if x != "null")
        if len(vals) >= 2 or (nullable and vals):
            note = (m.group("note") or "").lower()
            required = False if "optional" in note else None
            if len(vals) == 1:
                inner = template_type(vals[0])
                base_t = inner[0] if inner else TypeRef(Kind.STRING)
                return base_t.with_nullable(True), required
            return TypeRef(Kind.ENUM, values=vals, nullable=nullable, source=v), required
    return None


_MAX_DEPTH = 48  # deeper examples are described as ANY rather than recursed into


def infer_type(value: Any, _depth: int = 0) -> TypeRef:
    """Type of one example value; deterministic (dict order is document order)."""
    if _depth > _MAX_DEPTH:
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
        tmpl = template_type(value)
        if tmpl is not None:
            return tmpl[0]
        return TypeRef(Kind.STRING)
    if isinstance(value, list):
        items: TypeRef | None = None
        for v in value:
            t = infer_type(v, _depth + 1)
            items = t if items is None else merge_types(items, t)
        return TypeRef(Kind.ARRAY, items=items or TypeRef(Kind.ANY))
    if isinstance(value, dict):
        return TypeRef(Kind.OBJECT, fields=tuple(_field(k, v, _depth + 1) for k, v in value.items()))
    return TypeRef(Kind.ANY)


def _field(name: str, value: Any, depth: int = 0) -> Field:
    t = infer_type(value, depth)
    required = True
    constraints = Constraints()
    if isinstance(value, str):
        tmpl = template_type(value)
        if tmpl is not None and tmpl[1] is not None:
            required = tmpl[1]
        elif tmpl is None:
            fmt = string_format(value)
            if fmt:
                constraints = Constraints(format=fmt)
        if tmpl is not None and "email" in value.lower():
            constraints = Constraints(format="email")
    return Field(name=name, type=t, required=required, constraints=constraints, example=value)


def merge_types(a: TypeRef, b: TypeRef, _depth: int = 0) -> TypeRef:
    """Join two observed types: null widens to nullable, int+float → float, objects merge their fields."""
    if _depth > _MAX_DEPTH:
        return TypeRef(Kind.ANY)
    if a.kind is Kind.ANY and a.nullable and b.kind is not Kind.ANY:
        return b.with_nullable(True)
    if b.kind is Kind.ANY and b.nullable and a.kind is not Kind.ANY:
        return a.with_nullable(True)
    nullable = a.nullable or b.nullable
    if a.kind is b.kind:
        if a.kind is Kind.OBJECT:
            return TypeRef(Kind.OBJECT, fields=_merge_fields(a.fields, b.fields, _depth + 1), nullable=nullable)
        if a.kind is Kind.ARRAY:
            ia, ib = a.items or TypeRef(Kind.ANY), b.items or TypeRef(Kind.ANY)
            if not a.items or (ia.kind is Kind.ANY and not ia.nullable):
                return TypeRef(Kind.ARRAY, items=ib, nullable=nullable)
            if not b.items or (ib.kind is Kind.ANY and not ib.nullable):
                return TypeRef(Kind.ARRAY, items=ia, nullable=nullable)
            return TypeRef(Kind.ARRAY, items=merge_types(ia, ib, _depth + 1), nullable=nullable)
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
            out.append(replace(f, type=merge_types(f.type, g.type, depth), required=f.required and g.required, constraints=fmt))
    for g in b:
        if g.name not in amap:
            out.append(replace(g, required=False))
    return tuple(out)


def error_code_of(value: Any) -> str:
    """The machine code inside an error body: {"error": "X"}, {"error": {"code": "X"}}, {"code": "X"}."""
    if not isinstance(value, dict):
        return ""
    err = value.get("error")
    if isinstance(err, str) and re.fullmatch(r"[A-Z][A-Z0-9_]+", err):
        return err
    if isinstance(err, dict):
        for k in ("code", "errorCode", "error_code", "type"):
            if isinstance(err.get(k), str):
                return str(err[k])
    for k in ("code", "errorCode", "error_code"):
        v = value.get(k)
        if isinstance(v, str) and not v.isdigit():
            return v
    return ""


# ---------------------------------------------------------------- the other statements about an example's fields
#
# One example shows one value per field: `"quantity": 400` reads as an integer and `"comment": "…"`
# as a string that is never null. The docs often say more elsewhere: another example of the same
# object (`"quantity": 1.5`), a typed statement with the same fields, the column that backs the field
# (NUMERIC(6,2), NULL), a sample row. `Evidence` collects those statements once per Spec and widens an
# example-inferred type with them. It only widens (integer → number, non-null → nullable): what one
# example shows stays allowed.

_DECIMAL_KINDS = (Kind.FLOAT, Kind.DECIMAL)


def _objects(t: TypeRef | None, depth: int = 0) -> list[TypeRef]:
    """Every inline object type inside `t` (itself, array items, field types, union variants)."""
    if t is None or depth > _MAX_DEPTH:
        return []
    out: list[TypeRef] = []
    if t.kind is Kind.OBJECT and t.fields:
        out.append(t)
        for f in t.fields:
            out += _objects(f.type, depth + 1)
    elif t.kind in (Kind.ARRAY, Kind.MAP):
        out += _objects(t.items, depth + 1)
    elif t.kind is Kind.UNION:
        for v in t.variants:
            out += _objects(v, depth + 1)
    return out


class Evidence:
    """What the whole Spec says about the fields of objects that examples describe."""

    def __init__(self, spec: Spec) -> None:
        self.tables = spec.tables
        # same set of keys → field name → every type stated for it (examples and typed statements alike)
        self._by_keys: dict[frozenset[str], dict[str, list[TypeRef]]] = {}
        types: list[TypeRef | None] = [s.type for s in spec.schemas]
        for e in spec.endpoints:
            types.append(e.request.type if e.request is not None else None)
            types += [r.body.type for r in e.responses if r.body is not None]
        for t in types:
            for obj in _objects(t):
                seen = self._by_keys.setdefault(frozenset(f.name for f in obj.fields), {})
                for f in obj.fields:
                    seen.setdefault(f.name, []).append(f.type)
        self._decimal_samples: set[tuple[str, str]] = set()  # (table, column) with a non-integral sample value
        for row in spec.samples:
            for col, value in row.values:
                if isinstance(value, (float, Decimal)) and value != int(value):
                    self._decimal_samples.add((row.table, col))

    def table_for(self, fields: tuple[Field, ...], hint: Table | None = None) -> Table | None:
        """The table whose columns back most of these fields (the hint wins a tie); None when no table
        backs at least two fields and half of them."""
        names = [snake(f.name) for f in fields]

        def score(t: Table) -> int:
            cols = set(t.column_names)
            return sum(1 for n in names if n in cols)

        ranked = sorted(self.tables, key=score, reverse=True)
        if not ranked:
            return None
        top = score(ranked[0])
        if top < 2 or top * 2 < len(names):
            return None
        if hint is not None and score(hint) == top:
            return hint
        if len(ranked) > 1 and score(ranked[1]) == top:
            return None  # two tables back the object equally well: no evidence either way
        return ranked[0]

    def refine(self, t: TypeRef, *, response: bool, hint: Table | None = None, nullable: frozenset[str] = frozenset(),
               _depth: int = 0) -> TypeRef:
        """`t` widened by the other statements. `response`: also widen to nullable (a stored NULL is
        answered as null); `nullable`: field names the docs let be absent (or null) on write, for fields
        no column backs."""
        if _depth > _MAX_DEPTH:
            return t
        if t.kind in (Kind.ARRAY, Kind.MAP) and t.items is not None:
            return replace(t, items=self.refine(t.items, response=response, hint=hint, _depth=_depth + 1))
        if t.kind is not Kind.OBJECT or not t.fields:
            return t
        stated = self._by_keys.get(frozenset(f.name for f in t.fields), {})
        table = self.table_for(t.fields, hint)
        out: list[Field] = []
        for f in t.fields:
            ft = self.refine(f.type, response=response, hint=hint, _depth=_depth + 1)
            others = stated.get(f.name, [])
            col = table.column(snake(f.name)) if table is not None else None
            if ft.kind is Kind.INTEGER and (
                any(o.kind in _DECIMAL_KINDS for o in others)
                or (col is not None and col.type.kind in _DECIMAL_KINDS)
                or (table is not None and col is not None and (table.name, col.name) in self._decimal_samples)
            ):
                ft = TypeRef(Kind.FLOAT, nullable=ft.nullable, source=ft.source)
            # a column states whether NULL can be stored; without one, a field the create request may
            # leave out (no default) is answered as null
            if response and not ft.nullable and ft.kind is not Kind.ANY and (
                (col is None and f.name in nullable)
                or any(o.nullable for o in others)
                or (col is not None and col.nullable and not col.primary_key and col.name not in (table.primary_key if table else ()))
            ):
                ft = ft.with_nullable(True)
            out.append(f if ft == f.type else replace(f, type=ft))
        return replace(t, fields=tuple(out))


# ---------------------------------------------------------------- numbers an integer column stores
#
# TypeScript has one `number`; the column behind `position?: number` says INTEGER. The API can only
# accept what the column stores, so the emitted schema is `integer` within the column's range (a
# client cannot send 1.5 or 3e47). Kept out of the IR: the docs wrote `number`, and the canonical
# docs render what the docs wrote.


def _integral(value: Any) -> bool:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return True
    return value == int(value)


def integer_backed(f: Field, column: Column | None) -> Field:
    """`f` as the integer column that stores it can hold it: `number` → integer, bounded by the column's
    range where the docs state no tighter bound. A `number` the docs give fractional values (a
    multipleOf 0.5, a minimum of 0.5, an example of 1.5) is left alone: that disagreement is the
    validator's to report, not the emitter's to settle."""
    if column is None or column.type.kind is not Kind.INTEGER:
        return f
    if f.type.kind not in (Kind.INTEGER, Kind.FLOAT):
        return f
    c = f.constraints
    stated = (c.minimum, c.maximum, c.exclusive_minimum, c.exclusive_maximum, c.multiple_of)
    stated += (f.example, f.default)
    if f.type.kind is Kind.FLOAT and not all(_integral(v) for v in stated):
        return f
    low, high = integer_range(column.type)
    t = f.type
    if t.kind is Kind.FLOAT:
        bits, unsigned = column.type.bits, column.type.unsigned
        t = TypeRef(Kind.INTEGER, nullable=t.nullable, bits=bits, unsigned=unsigned, source=t.source)
    elif t.bits is None:
        t = replace(t, bits=column.type.bits, unsigned=t.unsigned or column.type.unsigned)
    bounded = replace(
        c,
        minimum=low if c.minimum is None else max(low, c.minimum),
        maximum=high if c.maximum is None else min(high, c.maximum),
    )
    if t == f.type and bounded == c:
        return f
    return replace(f, type=t, constraints=bounded)


# ---------------------------------------------------------------- numbers a CHECK constraint bounds
#
# `max_attempts SMALLINT CHECK (max_attempts BETWEEN 1 AND 10)` stores 1..10 only: the field it backs
# (`maxAttempts?: number` in an update request that restates no range) can only take those values, as the
# database rejects the others. The emitted schema says so where the docs state no bound of their own (a
# looser stated bound is the validator's RT202 to report). Only a CHECK on that column alone that is
# exactly a range counts: `x BETWEEN a AND b`, `x >= a`, `x < b` (joined by AND).

_NUMBER = r"-?\d+(?:\.\d+)?"
_CHECK_BETWEEN = re.compile(rf"\(?\s*\"?(?P<col>\w+)\"?\s+BETWEEN\s+(?P<lo>{_NUMBER})\s+AND\s+(?P<hi>{_NUMBER})\s*\)?", re.I)
_CHECK_CMP = re.compile(rf"\(?\s*\"?(?P<col>\w+)\"?\s*(?P<op>>=|>|<=|<)\s*(?P<n>{_NUMBER})\s*\)?")


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value == int(value) else value


def check_range(table: Table, column: Column) -> Constraints:
    """The range the table's CHECK constraints allow `column`, as minimum/maximum (exclusive where the
    CHECK says `>`/`<`); empty when no CHECK is a plain range of that column."""
    bounds: dict[str, float] = {}
    for chk in table.checks:
        expr = chk.expression.strip()
        if chk.columns != (column.name,):
            continue
        between = _CHECK_BETWEEN.fullmatch(expr)
        if between is not None and between.group("col") == column.name:
            bounds.update(minimum=_number(between.group("lo")), maximum=_number(between.group("hi")))
            continue
        terms = [_CHECK_CMP.fullmatch(term.strip()) for term in re.split(r"\s+AND\s+", expr, flags=re.I)]
        if all(m is not None and m.group("col") == column.name for m in terms):
            for m in terms:
                assert m is not None
                key = {">=": "minimum", ">": "exclusive_minimum", "<=": "maximum", "<": "exclusive_maximum"}[m.group("op")]
                bounds[key] = _number(m.group("n"))
    return Constraints(**bounds)


def check_bounded(f: Field, table: Table | None, column: Column | None) -> Field:
    """`f` (a number) bounded by the range its column's CHECK allows, on each side the docs leave unbounded."""
    if table is None or column is None or f.type.kind not in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
        return f
    allowed = check_range(table, column)
    if f.type.kind is Kind.INTEGER:
        allowed = _whole_bounds(allowed)
    c = f.constraints
    if c.minimum is None and c.exclusive_minimum is None:
        c = replace(c, minimum=allowed.minimum, exclusive_minimum=allowed.exclusive_minimum)
    if c.maximum is None and c.exclusive_maximum is None:
        c = replace(c, maximum=allowed.maximum, exclusive_maximum=allowed.exclusive_maximum)
    return f if c == f.constraints else replace(f, constraints=c)


def _whole_bounds(c: Constraints) -> Constraints:
    """Exclusive whole-number bounds as the inclusive bounds of an integer: `position > 0` is `minimum: 1`."""
    lo, hi = c.exclusive_minimum, c.exclusive_maximum
    if lo is not None and lo == int(lo):
        c = replace(c, minimum=int(lo) + 1, exclusive_minimum=None)
    if hi is not None and hi == int(hi):
        c = replace(c, maximum=int(hi) - 1, exclusive_maximum=None)
    return c


# ---------------------------------------------------------------- strings a typed column parses
#
# `availableFrom?: string | null` stored in a TIMESTAMPTZ column: the column can only hold a date-time, so
# a string that is none is refused when stored; `title?: string` stored in VARCHAR(200) is refused past 200
# characters. The emitted schema states the column's format (date-time, date, uuid) and length where the
# docs state none of their own (a longer stated length is the validator's RT202 to report).

_COLUMN_FORMATS = {Kind.DATETIME: "date-time", Kind.DATE: "date", Kind.UUID: "uuid"}


def string_backed(f: Field, column: Column | None) -> Field:
    """`f` (a plain string) with the format and the length of the column that stores it."""
    if column is None or f.type.kind is not Kind.STRING:
        return f
    c = f.constraints
    fmt = _COLUMN_FORMATS.get(column.type.kind)
    if fmt is not None and c.format is None and c.pattern is None:
        c = replace(c, format=fmt)
    if column.type.kind is Kind.STRING and column.type.length is not None and c.max_length is None:
        c = replace(c, max_length=column.type.length)
    return f if c == f.constraints else replace(f, constraints=c)


def column_backed_object(t: TypeRef, table: Table | None, columns: dict[str, str] | None = None) -> TypeRef:
    """`t` (an object, or an array of objects) with each field as the column of `table` that stores it can
    hold it: a number bounded by the column's CHECK range (`check_bounded`) and typed as an integer column
    says (`integer_backed`), a string in the column's format and length (`string_backed`). `columns`: field → column
    where a link names it (else snake_case)."""
    if table is None:
        return t
    if t.kind is Kind.ARRAY and t.items is not None:
        items = column_backed_object(t.items, table, columns)
        return t if items == t.items else replace(t, items=items)
    if t.kind is not Kind.OBJECT or not t.fields:
        return t
    names = columns or {}
    fields = []
    for f in t.fields:
        column = table.column(names.get(f.name) or snake(f.name))
        fields.append(string_backed(integer_backed(check_bounded(f, table, column), column), column))
    return t if tuple(fields) == t.fields else replace(t, fields=tuple(fields))
