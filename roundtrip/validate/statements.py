"""The same fact stated twice: table vs table (SQL / column table / mermaid), zod vs TypeScript,
conventions vs conventions. Each disagreement is reported at the later statement, naming the other."""

from __future__ import annotations

from roundtrip.diagnostics import Sink
from roundtrip.ir import Column, DefaultKind, Facts, Kind, Origin, Schema, Spec, Table
from roundtrip.ir.spec import TABLE_PRIORITY
from roundtrip.ir.typemap import category, postgres_type

_ORIGIN_WORDS = {Origin.SQL: "the SQL", Origin.COLUMN_TABLE: "the column table", Origin.MERMAID: "the ER diagram"}


def _type_key(c: Column) -> tuple[object, ...]:
    t = c.type
    if t.kind is Kind.STRING:
        return ("string", t.length, t.fixed)
    if t.kind is Kind.INTEGER:
        return ("integer", t.bits or 32)
    if t.kind is Kind.DECIMAL:
        return ("decimal", t.precision, t.scale)
    if t.kind is Kind.DATETIME:
        return ("datetime", bool(t.timezone))
    if t.kind is Kind.ENUM:
        return ("enum", tuple(sorted(t.values)) if t.values else None)
    if t.kind is Kind.ARRAY:
        return ("array", t.items.kind.value if t.items else None)
    return (t.kind.value,)


def _coarse(c: Column) -> str:
    return category(c.type) if c.type.kind is not Kind.JSON else "json"


def _default_key(c: Column) -> object:
    d = c.default
    if d is None:
        return None
    if d.kind is DefaultKind.LITERAL:
        v = d.value
        if isinstance(v, bool):
            return ("lit", str(v).lower())
        return ("lit", str(v).strip("'").lower())
    return (d.kind.value,)


def _compare_tables(primary: Table, other: Table, enum_values: dict[str, tuple[str, ...]], sink: Sink) -> None:
    where = f"{_ORIGIN_WORDS.get(primary.origin, primary.origin.value)} at {primary.span}"
    coarse = other.origin is Origin.MERMAID  # a diagram abbreviates: coarse types, columns may be left out
    for c in other.columns:
        p = primary.column(c.name)
        if p is None:
            sink.add("RT214", c.span, f"column {other.name}.{c.name} is not in {where}; add it there or remove it here", related=[primary.span])
            continue
        if coarse:
            if c.type.kind is not Kind.ANY and _coarse(c) != _coarse(p) and "any" not in (_coarse(c), _coarse(p)):
                sink.add("RT214", c.span, f"{other.name}.{c.name} is {c.type.source or c.type.kind.value} here but "
                         f"{p.type.source or postgres_type(p.type)} in {where}", related=[p.span])
            continue
        ck, pk = _type_key(c), _type_key(p)
        if c.type.kind is Kind.ENUM and p.type.kind is Kind.ENUM:
            cv = c.type.values or enum_values.get(c.type.enum_name or "", ())
            pv = p.type.values or enum_values.get(p.type.enum_name or "", ())
            ck, pk = ("enum", tuple(sorted(cv)) or None), ("enum", tuple(sorted(pv)) or None)
            if None in (ck[1], pk[1]):
                ck = pk
        if ck != pk:
            sink.add("RT214", c.span, f"{other.name}.{c.name} is {c.type.source or postgres_type(c.type)} here but "
                     f"{p.type.source or postgres_type(p.type)} in {where}; state one type", related=[p.span])
        if c.nullable != p.nullable and not (c.name in primary.primary_key or c.primary_key):
            sink.add("RT214", c.span, f"{other.name}.{c.name} is {'NULL' if c.nullable else 'NOT NULL'} here but "
                     f"{'NULL' if p.nullable else 'NOT NULL'} in {where}", related=[p.span])
        if _default_key(c) != _default_key(p) and c.default is not None and p.default is not None:
            sink.add("RT214", c.span, f"{other.name}.{c.name} defaults to {c.default.sql or c.default.value} here but "
                     f"{p.default.sql or p.default.value} in {where}", related=[p.span])
    if not coarse:
        for p in primary.columns:
            if other.column(p.name) is None and other.columns:
                sink.add("RT214", other.span, f"table {other.name} here has no column {p.name}, which {where} defines", related=[p.span])
    if other.primary_key and primary.primary_key and tuple(other.primary_key) != tuple(primary.primary_key):
        sink.add("RT214", other.span, f"{other.name} primary key is ({', '.join(other.primary_key)}) here but "
                 f"({', '.join(primary.primary_key)}) in {where}", related=[primary.span])


def check_tables(facts: Facts, sink: Sink) -> None:
    enum_values = {e.name: e.values for e in facts.enums if e.values}
    by_name: dict[str, list[Table]] = {}
    for t in facts.tables:
        if t.columns:
            by_name.setdefault(t.name, []).append(t)
    for stated in by_name.values():
        ordered = sorted(stated, key=lambda t: TABLE_PRIORITY.get(t.origin, 9))
        primary = ordered[0]
        for other in ordered[1:]:
            if other.origin is primary.origin and other.span.file == primary.span.file:
                sink.add("RT214", other.span, f"table {other.name} is defined twice (also at {primary.span}); keep one definition", related=[primary.span])
                continue
            _compare_tables(primary, other, enum_values, sink)


def _zod_key(name: str) -> str:
    n = name[:1].upper() + name[1:]
    for suffix in ("Schema", "Validator", "Request", "Body", "Input", "Dto"):
        if n.endswith(suffix) and len(n) > len(suffix):
            n = n[: -len(suffix)]
    return n.lower()


def check_zod_vs_types(facts: Facts, spec: Spec, sink: Sink) -> None:
    ts: dict[str, Schema] = {}
    for s in spec.schemas:
        if s.type.kind is Kind.OBJECT:
            ts.setdefault(_zod_key(s.name), s)
    for z in facts.schemas:
        if z.origin is not Origin.ZOD or z.type.kind is not Kind.OBJECT:
            continue
        t = ts.get(_zod_key(z.name))
        if t is None:
            continue
        for zf in z.type.fields:
            tf = t.field(zf.name)
            if tf is None:
                continue
            for attr, word in (("min_length", "minimum length"), ("max_length", "maximum length"), ("minimum", "minimum"), ("maximum", "maximum")):
                a, b = getattr(zf.constraints, attr), getattr(tf.constraints, attr)
                if a is not None and b is not None and float(a) != float(b):
                    sink.add("RT202", zf.span, f"zod {z.name}.{zf.name} has {word} {a:g} but {t.name}.{tf.name} ({tf.span}) says {b:g}; "
                             "state one value", related=[tf.span])


def check_conventions(facts: Facts, sink: Sink) -> None:
    first: dict[str, object] = {}
    spans: dict[str, object] = {}
    for c in facts.conventions:
        if c.key not in ("pagination.default_limit", "pagination.max_limit", "auth.access_ttl_seconds", "auth.refresh_ttl_seconds",
                         "auth.password_min_length", "auth.lockout_attempts", "auth.lockout_seconds", "auth.password_hash"):
            continue
        if c.key not in first:
            first[c.key], spans[c.key] = c.value, c.span
            continue
        if c.value != first[c.key]:
            what = {"pagination.default_limit": "default page size", "pagination.max_limit": "maximum page size"}.get(c.key, c.key)
            sink.add("RT211", c.span, f"the {what} is {c.value} here but {first[c.key]} at {spans[c.key]}; state it once and refer to it",
                     related=[spans[c.key]])  # type: ignore[list-item]
