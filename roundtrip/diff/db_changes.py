"""Database changes between two specs: tables (with documented renames), columns (with documented
renames), types, nullability, defaults, generated expressions, enum values (enum types, inline enums
and `CHECK (col IN (...))`), keys, indexes, checks and exclusion constraints.

A column whose new description says "renamed from `fullname`" is a rename of `fullname`, and a table
whose description or heading prose says "renamed from `users`" is a rename of `users`: never a drop
plus an add. The rename is reported, and the renamed table or column is compared with its old self.
References keep following a renamed table or column (a foreign key to `users(id)` that now reads
`people(id)` did not change). An index or a named constraint that keeps its name with a new
definition is one change (RD229/RD230), not a removal plus an addition.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from roundtrip.diff.rules import Change, ChangeSeverity, change
from roundtrip.ir import CheckConstraint, Column, ExclusionConstraint, Index, Kind, Spec, Table, TypeRef
from roundtrip.ir.naming import rename_identifiers
from roundtrip.source import Span

_RENAMED = re.compile(r"\brenamed from\s+[`\"']?([A-Za-z_][\w]*)[`\"']?", re.I)
_CHECK_IN = re.compile(r"^\(*\s*[\"`]?([A-Za-z_]\w*)[\"`]?\s+IN\s*\((.*)\)\s*\)*$", re.I | re.S)


def renamed_from(c: Column) -> str | None:
    m = _RENAMED.search(c.description)
    return m.group(1) if m else None


def table_renamed_from(t: Table) -> str | None:
    m = _RENAMED.search(t.description)
    return m.group(1) if m else None


def table_renames(old: Spec, new: Spec) -> dict[str, str]:
    """Old name → new name for the tables of `new` documented as "renamed from `x`" (x gone from `new`)."""
    old_names = {t.name for t in old.tables}
    new_names = {t.name for t in new.tables}
    renames: dict[str, str] = {}
    for t in new.tables:
        src = table_renamed_from(t)
        if (
            src
            and src in old_names
            and src not in new_names
            and t.name not in old_names
            and src not in renames
        ):
            renames[src] = t.name
    return renames


def all_column_renames(old: Spec, new: Spec) -> dict[str, dict[str, str]]:
    """New table name → {old column: new column}, across table renames."""
    back = {v: k for k, v in table_renames(old, new).items()}
    old_by = {t.name: t for t in old.tables}
    out: dict[str, dict[str, str]] = {}
    for t in new.tables:
        o = old_by.get(back.get(t.name, t.name))
        if o is not None and (r := column_renames(o, t)):
            out[t.name] = r
    return out



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
    """ "narrowed", "widened", "changed" or None (same storage)."""
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
        return (
            None
            if (o.bits or 64) == (n.bits or 64)
            else ("narrowed" if (n.bits or 64) < (o.bits or 64) else "widened")
        )
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
        self.table_renames = table_renames(old, new)
        self.column_renames = all_column_renames(old, new)

    def add(self, rule: str, subject: str, message: str, old: Span | None, new: Span | None) -> None:
        self.out.append(change(rule, subject, message, old, new))

    def filled(self, table: str) -> bool:
        return any(r.table == table for r in self.old.samples)

    def run(self) -> list[Change]:
        self.enums()
        new_by = {t.name: t for t in self.new.tables}
        old_by = {t.name: t for t in self.old.tables}
        for name, t in old_by.items():
            target = self.table_renames.get(name, name)
            n = new_by.get(target)
            if n is None:
                self.add("RD201", f"table:{name}", f"table {name} was dropped", t.span, None)
                continue
            if target != name:
                self.add("RD228", f"table:{target}", f"table {name} was renamed to {target}", t.span, n.span)
            self.table(t, n)
        renamed = set(self.table_renames.values())
        for name, n in new_by.items():
            if name not in old_by and name not in renamed:
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

    def values(
        self,
        subject: str,
        what: str,
        old: tuple[str, ...],
        new: tuple[str, ...],
        os: Span | None,
        ns: Span | None,
    ) -> None:
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
                self.add(
                    "RD203",
                    f"{base}/column:{c.name}",
                    f"column {n.name}.{c.name} was dropped",
                    c.span,
                    n.span,
                )
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
                self.add(
                    "RD205",
                    sub,
                    f"column {n.name}.{d.name} was added (NOT NULL with a default)",
                    o.span,
                    d.span,
                )
            elif self.filled(n.name):
                self.add(
                    "RD206",
                    sub,
                    f"column {n.name}.{d.name} was added NOT NULL without a default, and {n.name} has rows; "
                    "give it a default or add it nullable first",
                    o.span,
                    d.span,
                )
            else:
                self.out.append(
                    change(
                        "RD206",
                        sub,
                        f"column {n.name}.{d.name} was added NOT NULL without a default "
                        "(fails once the table has rows)",
                        o.span,
                        d.span,
                        ChangeSeverity.WARNING,
                    )
                )
        if tuple(renames.get(c, c) for c in o.primary_key) != n.primary_key:
            self.add(
                "RD225",
                base,
                f"primary key of {n.name} changed from ({', '.join(o.primary_key)}) to ({', '.join(n.primary_key)})",
                o.span,
                n.span,
            )
        self.uniques(o, n, base, renames)
        self.indexes(o, n, base, renames)
        self.foreign_keys(o, n, base, renames)
        self.checks(o, n, base, renames)
        self.exclusions(o, n, base, renames)

    def column(self, t: Table, c: Column, d: Column, sub: str) -> None:
        what = f"column {t.name}.{d.name}"
        ct, dt = c.type, d.type
        if (
            ct.kind is Kind.ENUM
            and dt.kind is Kind.ENUM
            and not (dt.enum_name and dt.enum_name in self.enum_types)
        ):
            self.values(sub, what, ct.values, dt.values, c.span, d.span)
        kind = _type_change(ct, dt)
        if kind == "narrowed":
            self.add("RD208", sub, f"{what} narrowed from {ct.describe()} to {dt.describe()}", c.span, d.span)
        elif kind == "changed":
            self.add(
                "RD209", sub, f"{what} changed type from {ct.describe()} to {dt.describe()}", c.span, d.span
            )
        elif kind == "widened":
            self.add("RD210", sub, f"{what} widened from {ct.describe()} to {dt.describe()}", c.span, d.span)
        if c.nullable and not d.nullable and not d.primary_key:
            self.add("RD211", sub, f"{what} is now NOT NULL", c.span, d.span)
        elif not c.nullable and d.nullable:
            self.add("RD212", sub, f"{what} now allows NULL", c.span, d.span)
        if (c.default is None) != (d.default is None) or (
            c.default and d.default and (c.default.kind, c.default.value) != (d.default.kind, d.default.value)
        ):
            self.add(
                "RD213", sub, f"{what}: default changed from {_default(c)} to {_default(d)}", c.span, d.span
            )
        renames = self.column_renames.get(t.name, {})
        if _norm(rename_identifiers(c.generated, renames)) != _norm(d.generated):
            if not d.generated:
                how = f"is no longer generated (it keeps the values computed from {c.generated})"
            elif not c.generated:
                how = f"is now generated as {d.generated} (its stored values are replaced)"
            else:
                how = f"is now generated as {d.generated} instead of {c.generated}"
            self.add("RD233", sub, f"{what} {how}", c.span, d.span)
        if d.unique and not c.unique:
            self.add("RD216", sub, f"{what} is now UNIQUE", c.span, d.span)
        elif c.unique and not d.unique:
            self.add("RD217", sub, f"{what} is no longer UNIQUE", c.span, d.span)

    def uniques(self, o: Table, n: Table, base: str, renames: dict[str, str]) -> None:
        old_sets = {tuple(renames.get(c, c) for c in u.columns): u for u in o.uniques}
        new_sets = {u.columns: u for u in n.uniques}
        # A named constraint that kept its name with other columns is one change, not a removal and an addition.
        old_named = {u.name: (cols, u) for cols, u in old_sets.items() if u.name}
        for cols, u in list(new_sets.items()):
            prev = old_named.get(u.name) if u.name else None
            if prev is None or prev[0] == cols or cols in old_sets or prev[0] in new_sets:
                continue
            stricter = not set(prev[0]) <= set(cols)  # fewer columns: rows that were distinct may collide
            self.out.append(
                change(
                    "RD230",
                    f"{base}/unique:{u.name}",
                    f"unique constraint {u.name} on {n.name} redefined from ({', '.join(prev[0])}) to ({', '.join(cols)})",
                    prev[1].span,
                    u.span,
                    ChangeSeverity.BREAKING if stricter else ChangeSeverity.INFO,
                )
            )
            del old_sets[prev[0]], new_sets[cols]
        for cols, u in new_sets.items():
            if cols not in old_sets:
                self.add(
                    "RD216",
                    f"{base}/unique:{','.join(cols)}",
                    f"unique constraint on {n.name} ({', '.join(cols)}) was added",
                    o.span,
                    u.span,
                )
        for cols, u in old_sets.items():
            if cols not in new_sets:
                self.add(
                    "RD217",
                    f"{base}/unique:{','.join(cols)}",
                    f"unique constraint on {n.name} ({', '.join(cols)}) was removed",
                    u.span,
                    n.span,
                )

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
                prev = old_by[k]
                if _index_shape(prev, renames) != _index_shape(i, {}):
                    self.index_redefined(n, base, k, prev, i, renames)
                continue
            if i.unique:
                self.add(
                    "RD216", f"{base}/index:{k}", f"unique index {k} on {n.name} was added", o.span, i.span
                )
            else:
                self.add("RD219", f"{base}/index:{k}", f"index {k} on {n.name} was added", o.span, i.span)

    def index_redefined(
        self, n: Table, base: str, k: str, prev: Index, i: Index, renames: dict[str, str]
    ) -> None:
        def cols(x: Index, rn: dict[str, str]) -> set[str]:
            return {rn.get(e.column, e.column) or e.expression for e in x.elements}

        # Stricter: unique now, or unique over fewer columns or rows (a new predicate): existing rows may collide.
        stricter = i.unique and (
            not prev.unique
            or not cols(prev, renames) <= cols(i, {})
            or rename_identifiers(prev.where, renames) != i.where
        )

        def describe(x: Index) -> str:
            elems = ", ".join(
                (e.column or e.expression) + (" DESC" if e.descending else "") for e in x.elements
            )
            return (
                ("UNIQUE " if x.unique else "")
                + f"({elems})"
                + (f" USING {x.using}" if x.using else "")
                + (f" WHERE {x.where}" if x.where else "")
            )

        self.out.append(
            change(
                "RD229",
                f"{base}/index:{k}",
                f"index {k} on {n.name} redefined from {describe(prev)} to {describe(i)}",
                prev.span,
                i.span,
                ChangeSeverity.BREAKING if stricter else ChangeSeverity.INFO,
            )
        )

    def foreign_keys(self, o: Table, n: Table, base: str, renames: dict[str, str]) -> None:
        old_by = {tuple(renames.get(c, c) for c in fk.columns): fk for fk in o.foreign_keys}
        new_by = {fk.columns: fk for fk in n.foreign_keys}
        for cols, fk in new_by.items():
            sub = f"{base}/fk:{','.join(cols)}"
            prev = old_by.get(cols)
            if prev is None:
                self.add(
                    "RD220",
                    sub,
                    f"foreign key {n.name}({', '.join(cols)}) → {fk.ref_table} was added",
                    o.span,
                    fk.span,
                )
                continue
            # A reference to a renamed table or column follows the rename.
            ref_table = self.table_renames.get(prev.ref_table, prev.ref_table)
            ref_renames = self.column_renames.get(ref_table, {})
            ref_columns = tuple(ref_renames.get(c, c) for c in prev.ref_columns)
            if (ref_table, ref_columns, prev.on_delete, prev.on_update) != (
                fk.ref_table,
                fk.ref_columns,
                fk.on_delete,
                fk.on_update,
            ):
                self.add("RD222", sub, f"foreign key {n.name}({', '.join(cols)}) changed", prev.span, fk.span)
        for cols, fk in old_by.items():
            if cols not in new_by:
                self.add(
                    "RD221",
                    f"{base}/fk:{','.join(cols)}",
                    f"foreign key {n.name}({', '.join(cols)}) was removed",
                    fk.span,
                    n.span,
                )

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
                self.values(
                    f"{base}/column:{col}", f"column {n.name}.{col}", prev[1], values, prev[0].span, c.span
                )
        matched_new = {col for col in new_in if back.get(col, col) in old_in}
        matched_old = {back.get(col, col) for col in matched_new}

        old_other = {
            _norm(rename_identifiers(c.expression, renames)): c
            for c, v in old_vals
            if v is None or v[0] not in matched_old
        }
        new_other = {_norm(c.expression): c for c, v in new_vals if v is None or v[0] not in matched_new}
        # A named check that kept its name with another expression is one change.
        old_named = {c.name: k for k, c in old_other.items() if c.name}
        for k, c in list(new_other.items()):
            ok = old_named.get(c.name) if c.name else None
            if ok is None or ok == k or k in old_other or ok in new_other:
                continue
            was = old_other.pop(ok)
            del new_other[k]
            self.add(
                "RD230",
                f"{base}/check:{c.name}",
                f"check {c.name} on {n.name} redefined from {was.expression} to {c.expression}",
                was.span,
                c.span,
            )
        for k, c in new_other.items():
            if k not in old_other:
                self.add(
                    "RD223",
                    f"{base}/check:{c.name or k}",
                    f"check on {n.name} was added: {c.expression}",
                    o.span,
                    c.span,
                )
        for k, c in old_other.items():
            if k not in new_other:
                self.add(
                    "RD224",
                    f"{base}/check:{c.name or k}",
                    f"check on {n.name} was removed: {c.expression}",
                    c.span,
                    n.span,
                )

    def exclusions(self, o: Table, n: Table, base: str, renames: dict[str, str]) -> None:
        """Exclusion constraints by name (unnamed ones by their elements); a kept name with a new definition is RD230."""

        def elements(x: ExclusionConstraint, rn: dict[str, str]) -> tuple[tuple[str, str], ...]:
            return tuple((_norm(rename_identifiers(e, rn)), op.strip()) for e, op in x.elements)

        def keyed(t: Table, rn: dict[str, str]) -> dict[str, tuple[ExclusionConstraint, tuple[object, ...]]]:
            out: dict[str, tuple[ExclusionConstraint, tuple[object, ...]]] = {}
            for x in t.exclusions:
                elems = elements(x, rn)
                shape = (elems, (x.using or "gist").lower(), _norm(rename_identifiers(x.where, rn)))
                out[x.name or ", ".join(f"{e} WITH {op}" for e, op in elems)] = (x, shape)
            return out

        old_by, new_by = keyed(o, renames), keyed(n, {})
        for k, (x, sh) in new_by.items():
            prev = old_by.get(k)
            if prev is None:
                self.add(
                    "RD231",
                    f"{base}/exclusion:{k}",
                    f"exclusion constraint {k} on {n.name} was added",
                    o.span,
                    x.span,
                )
            elif prev[1] != sh:
                self.add(
                    "RD230",
                    f"{base}/exclusion:{k}",
                    f"exclusion constraint {k} on {n.name} was redefined",
                    prev[0].span,
                    x.span,
                )
        for k, (x, _) in old_by.items():
            if k not in new_by:
                self.add(
                    "RD232",
                    f"{base}/exclusion:{k}",
                    f"exclusion constraint {k} on {n.name} was removed",
                    x.span,
                    n.span,
                )


def _norm(sql: str) -> str:
    return re.sub(r"\s+", " ", sql.strip().lower())


def _index_shape(i: Index, renames: dict[str, str]) -> tuple[object, ...]:
    elems = tuple(
        (
            renames.get(e.column, e.column),
            _norm(rename_identifiers(e.expression, renames)),
            e.descending,
            e.opclass.lower(),
        )
        for e in i.elements
    )
    return (elems, i.unique, _norm(rename_identifiers(i.where, renames)), (i.using or "").lower())


def _default(c: Column) -> str:
    if c.default is None:
        return "none"
    return c.default.sql or str(c.default.value)


def db_changes(old: Spec, new: Spec) -> Iterator[Change]:
    yield from DbDiff(old, new).run()
