"""Database changes between two specs: tables, columns (with documented renames), types, nullability,
defaults, enum values (enum types, inline enums and `CHECK (col IN (...))`), keys, indexes, checks.

A column whose new description says "renamed from `fullname`" is a rename of `fullname`, never a
drop plus an add: the rename is reported (and its type compared with the old column's).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from roundtrip.diff.rules import Change, ChangeSeverity, change
from roundtrip.ir import CheckConstraint, Column, Index, Kind, Spec, Table, TypeRef
from roundtrip.source import Span

_RENAMED = re.compile(r"\brenamed from\s+[`\"']?([A-Za-z_][\w]*)[`\"']?", re.I)
_CHECK_IN = re.compile(r"^\(*\s*[\"`]?([A-Za-z_]\w*)[\"`]?\s+IN\s*\((.*)\)\s*\)*$", re.I | re.S)


def renamed_from(c: Column) -> str | None:
    m = _RENAMED.search(c.description)
    return m.group(1) if m else None


def column_renames(o: Table, n: Table) -> dict[str, str]:
    """Old name → new name for the columns of `n` documented as "renamed from `x`" (x gone from `n`)."""
    renames: dict[str, str] = {}
    for c in n.columns:
        src = renamed_from(c)
        if src and o.column(src) is not None and n.column(src) is None and o.column(c.name) is None:
            renames[src] = c.name
    return renames


def check_values(c: CheckConstraint) -> tuple[str, tuple[str, ...]] | None:
    """`status IN ('a', 'b')` → ("status", ("a", "b")): an enum written as a check."""
    m = _CHECK_IN.match(c.expression.strip())
    if not m:
        return None
    values = tuple(v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", m.group(2)))
    return (m.group(1), values) if values else None


def _type_change(o: TypeRef, n: TypeRef) -> str | None:
    """"narrowed", "widened", "changed" or None (same storage)."""
    if o.kind is Kind.ENUM and n.kind is Kind.ENUM:
        return None  # values are compared on their own
    if o.kind is not n.kind:
        if n.kind is Kind.STRING and n.length is None:
            return "widened"  # anything fits in TEXT
        if (o.kind, n.kind) in ((Kind.INTEGER, Kind.DECIMAL), (Kind.INTEGER, Kind.FLOAT)):
            return "widened"
        if {o.kind, n.kind} <= {Kind.STRING, Kind.ENUM}:
            return "narrowed" if n.kind is Kind.ENUM else "widened"
        return "changed"
    k = o.kind
    if k is Kind.STRING:
        if o.length == n.length:
            return None
        if n.length is None:
            return "widened"
        return "narrowed" if o.length is None or n.length < o.length else "widened"
    if k is Kind.INTEGER:
        ob, nb = o.bits or 32, n.bits or 32
        if ob == nb and o.unsigned == n.unsigned:
            return None
        return "narrowed" if nb < ob or (o.unsigned != n.unsigned) else "widened"
    if k is Kind.FLOAT:
        return None if (o.bits or 64) == (n.bits or 64) else ("narrowed" if (n.bits or 64) < (o.bits or 64) else "widened")
    if k is Kind.DECIMAL:
        if (o.precision, o.scale) == (n.precision, n.scale):
            return None
        if n.precision is None:
            return "widened"
        if o.precision is None:
            return "narrowed"
        int_o, int_n = o.precision - (o.scale or 0), n.precision - (n.scale or 0)
        return "narrowed" if int_n < int_o or (n.scale or 0) < (o.scale or 0) else "widened"
    if k in (Kind.DATETIME, Kind.TIME):
        return None if bool(o.timezone) == bool(n.timezone) else "changed"
    if k is Kind.ARRAY and o.items is not None and n.items is not None:
        return _type_change(o.items, n.items)
    return None


class DbDiff:
    def __init__(self, old: Spec, new: Spec) -> None:
        self.old = old
        self.new = new
        self.out: list[Change] = []
        self.enum_types = {e.name for e in old.enums} | {e.name for e in new.enums}

    def add(self, rule: str, subject: str, message: str, old: Span | None, new: Span | None) -> None:
        self.out.append(change(rule, subject, message, old, new))

    def filled(self, table: str) -> bool:
        return any(r.table == table for r in self.old.samples)

    def run(self) -> list[Change]:
        self.enums()
        new_by = {t.name: t for t in self.new.tables}
        old_by = {t.name: t for t in self.old.tables}
        for name, t in old_by.items():
            n = new_by.get(name)
            if n is None:
                self.add("RD201", f"table:{name}", f"table {name} was dropped", t.span, None)
            else:
                self.table(t, n)
        for name, n in new_by.items():
            if name not in old_by:
                self.add("RD202", f"table:{name}", f"table {name} was added", None, n.span)
        return self.out

    def enums(self) -> None:
        old_by = {e.name: e for e in self.old.enums}
        new_by = {e.name: e for e in self.new.enums}
        for name, e in old_by.items():
            n = new_by.get(name)
            if n is None:
                self.add("RD226", f"enum:{name}", f"enum type {name} was dropped", e.span, None)
                continue
            self.values(f"enum:{name}", f"enum type {name}", e.values, n.values, e.span, n.span)
        for name, n in new_by.items():
            if name not in old_by:
                self.add("RD227", f"enum:{name}", f"enum type {name} was added", None, n.span)

    def values(self, subject: str, what: str, old: tuple[str, ...], new: tuple[str, ...], os: Span | None, ns: Span | None) -> None:
        removed = [v for v in old if v not in new]
        added = [v for v in new if v not in old]
        if removed:
            self.add("RD214", subject, f"{what}: value(s) {', '.join(removed)} removed", os, ns)
        if added:
            self.add("RD215", subject, f"{what}: value(s) {', '.join(added)} added", os, ns)

    # ---------------------------------------------------------------- one table

    def table(self, o: Table, n: Table) -> None:
        base = f"table:{n.name}"
        renames = column_renames(o, n)
        for c in o.columns:
            target = renames.get(c.name, c.name)
            d = n.column(target)
            sub = f"{base}/column:{target}"
            if d is None:
                self.add("RD203", f"{base}/column:{c.name}", f"column {n.name}.{c.name} was dropped", c.span, n.span)
                continue
            if target != c.name:
                self.add("RD207", sub, f"column {n.name}.{c.name} was renamed to {target}", c.span, d.span)
            self.column(n, c, d, sub)
        for d in n.columns:
            if o.column(d.name) is not None or d.name in renames.values():
                continue
            sub = f"{base}/column:{d.name}"
            if d.nullable:
                self.add("RD204", sub, f"column {n.name}.{d.name} was added (nullable)", o.span, d.span)
            elif d.default is not None or d.autoincrement or d.generated:
                self.add("RD205", sub, f"column {n.name}.{d.name} was added (NOT NULL with a default)", o.span, d.span)
            elif self.filled(n.name):
                self.add("RD206", sub, f"column {n.name}.{d.name} was added NOT NULL without a default, and {n.name} has rows; "
                         "give it a default or add it nullable first", o.span, d.span)
            else:
                self.out.append(change("RD206", sub, f"column {n.name}.{d.name} was added NOT NULL without a default "
                                       "(fails once the table has rows)", o.span, d.span, ChangeSeverity.WARNING))
        if tuple(renames.get(c, c) for c in o.primary_key) != n.primary_key:
            self.add("RD225", base, f"primary key of {n.name} changed from ({', '.join(o.primary_key)}) to ({', '.join(n.primary_key)})",
                     o.span, n.span)
        self.uniques(o, n, base, renames)
        self.indexes(o, n, base, renames)
        self.foreign_keys(o, n, base, renames)
        self.checks(o, n, base, renames)

    def column(self, t: Table, c: Column, d: Column, sub: str) -> None:
        what = f"column {t.name}.{d.name}"
        ct, dt = c.type, d.type
        if ct.kind is Kind.ENUM and dt.kind is Kind.ENUM and not (dt.enum_name and dt.enum_name in self.enum_types):
            self.values(sub, what, ct.values, dt.values, c.span, d.span)
        kind = _type_change(ct, dt)
        if kind == "narrowed":
            self.add("RD208", sub, f"{what} narrowed from {ct.describe()} to {dt.describe()}", c.span, d.span)
        elif kind == "changed":
            self.add("RD209", sub, f"{what} changed type from {ct.describe()} to {dt.describe()}", c.span, d.span)
        elif kind == "widened":
            self.add("RD210", sub, f"{what} widened from {ct.describe()} to {dt.describe()}", c.span, d.span)
        if c.nullable and not d.nullable and not d.primary_key:
            self.add("RD211", sub, f"{what} is now NOT NULL", c.span, d.span)
        elif not c.nullable and d.nullable:
            self.add("RD212", sub, f"{what} now allows NULL", c.span, d.span)
        if (c.default is None) != (d.default is None) or (c.default and d.default and
                                                            (c.default.kind, c.default.value) != (d.default.kind, d.default.value)):
            self.add("RD213", sub, f"{what}: default changed from {_default(c)} to {_default(d)}", c.span, d.span)
        if d.unique and not c.unique:
            self.add("RD216", sub, f"{what} is now UNIQUE", c.span, d.span)
        elif c.unique and not d.unique:
            self.add("RD217", sub, f"{what} is no longer UNIQUE", c.span, d.span)

    def uniques(self, o: Table, n: Table, base: str, renames: dict[str, str]) -> None:
        old_sets = {tuple(renames.get(c, c) for c in u.columns): u for u in o.uniques}
        new_sets = {u.columns: u for u in n.uniques}
        for cols, u in new_sets.items():
            if cols not in old_sets:
                self.add("RD216", f"{base}/unique:{','.join(cols)}", f"unique constraint on {n.name} ({', '.join(cols)}) was added",
                         o.span, u.span)
        for cols, u in old_sets.items():
            if cols not in new_sets:
                self.add("RD217", f"{base}/unique:{','.join(cols)}", f"unique constraint on {n.name} ({', '.join(cols)}) was removed",
                         u.span, n.span)

    def indexes(self, o: Table, n: Table, base: str, renames: dict[str, str]) -> None:
        def key(i: Index) -> str:
            return i.name or ",".join(renames.get(e.column, e.column) or e.expression for e in i.elements)

        old_by = {key(i): i for i in o.indexes}
        new_by = {key(i): i for i in n.indexes}
        for k, i in old_by.items():
            if k not in new_by:
                self.add("RD218", f"{base}/index:{k}", f"index {k} on {n.name} was dropped", i.span, n.span)
        for k, i in new_by.items():
            if k in old_by:
                continue
            if i.unique:
                self.add("RD216", f"{base}/index:{k}", f"unique index {k} on {n.name} was added", o.span, i.span)
            else:
                self.add("RD219", f"{base}/index:{k}", f"index {k} on {n.name} was added", o.span, i.span)

    def foreign_keys(self, o: Table, n: Table, base: str, renames: dict[str, str]) -> None:
        old_by = {tuple(renames.get(c, c) for c in fk.columns): fk for fk in o.foreign_keys}
        new_by = {fk.columns: fk for fk in n.foreign_keys}
        for cols, fk in new_by.items():
            sub = f"{base}/fk:{','.join(cols)}"
            prev = old_by.get(cols)
            if prev is None:
                self.add("RD220", sub, f"foreign key {n.name}({', '.join(cols)}) → {fk.ref_table} was added", o.span, fk.span)
            elif (prev.ref_table, prev.ref_columns, prev.on_delete, prev.on_update) != (fk.ref_table, fk.ref_columns, fk.on_delete, fk.on_update):
                self.add("RD222", sub, f"foreign key {n.name}({', '.join(cols)}) changed", prev.span, fk.span)
        for cols, fk in old_by.items():
            if cols not in new_by:
                self.add("RD221", f"{base}/fk:{','.join(cols)}", f"foreign key {n.name}({', '.join(cols)}) was removed", fk.span, n.span)

    def checks(self, o: Table, n: Table, base: str, renames: dict[str, str]) -> None:
        """`col IN (...)` checks are enums: their values are compared; other checks by their text."""
        old_vals = [(c, check_values(c)) for c in o.checks]
        new_vals = [(c, check_values(c)) for c in n.checks]
        old_in = {v[0]: (c, v[1]) for c, v in old_vals if v is not None}
        new_in = {v[0]: (c, v[1]) for c, v in new_vals if v is not None}
        back = {v: k for k, v in renames.items()}
        for col, (c, values) in new_in.items():
            prev = old_in.get(back.get(col, col))
            if prev is not None:
                self.values(f"{base}/column:{col}", f"column {n.name}.{col}", prev[1], values, prev[0].span, c.span)
        matched_new = {col for col in new_in if back.get(col, col) in old_in}
        matched_old = {back.get(col, col) for col in matched_new}

        def norm(c: CheckConstraint) -> str:
            return re.sub(r"\s+", " ", c.expression.strip().lower())

        old_other = {norm(c): c for c, v in old_vals if v is None or v[0] not in matched_old}
        new_other = {norm(c): c for c, v in new_vals if v is None or v[0] not in matched_new}
        for k, c in new_other.items():
            if k not in old_other:
                self.add("RD223", f"{base}/check:{c.name or k}", f"check on {n.name} was added: {c.expression}", o.span, c.span)
        for k, c in old_other.items():
            if k not in new_other:
                self.add("RD224", f"{base}/check:{c.name or k}", f"check on {n.name} was removed: {c.expression}", c.span, n.span)


def _default(c: Column) -> str:
    if c.default is None:
        return "none"
    return c.default.sql or str(c.default.value)


def db_changes(old: Spec, new: Spec) -> Iterator[Change]:
    yield from DbDiff(old, new).run()
