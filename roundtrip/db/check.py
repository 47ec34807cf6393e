"""`db check`: reflect a live database and report every difference from the docs.

The expected schema is the generated backend's models (OUT/app/db/models.py), i.e. the docs as
compiled; Alembic's comparison finds missing and extra tables, columns, indexes, unique
constraints and foreign keys and changed types, nullability and defaults; primary keys and enum
types are compared here. Each difference becomes an RT45x diagnostic at the doc line that states
the fact (when a Spec is given), worded as what to change.

`roundtrip db check SPECS --db URL` = generate the backend in memory into a temporary folder, then
`check(that_folder, URL, spec)`; this package does not import the emitters.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from roundtrip.db.runtime import connect, load_models, normalize_url, require_backend
from roundtrip.diagnostics import Diagnostic, make
from roundtrip.ir import Spec
from roundtrip.source import Span

DATABASE = Span("<database>", 0)


class _Where:
    """Doc lines for tables, columns, indexes and keys (the database side has none)."""

    def __init__(self, spec: Spec | None) -> None:
        self.spec = spec

    def table(self, name: str) -> Span:
        t = self.spec.table(name) if self.spec else None
        return t.span if t is not None else DATABASE

    def column(self, table: str, column: str) -> Span:
        t = self.spec.table(table) if self.spec else None
        c = t.column(column) if t is not None else None
        return c.span if c is not None and c.span.line else self.table(table)

    def index(self, table: str, name: str | None, columns: list[str]) -> Span:
        t = self.spec.table(table) if self.spec else None
        if t is not None:
            for ix in t.indexes:
                if ix.name and ix.name == name:
                    return ix.span
            for u in t.uniques:
                if (u.name and u.name == name) or list(u.columns) == columns:
                    return u.span
            if len(columns) == 1:
                return self.column(table, columns[0])
        return self.table(table)

    def foreign_key(self, table: str, columns: list[str]) -> Span:
        t = self.spec.table(table) if self.spec else None
        if t is not None:
            for fk in t.foreign_keys:
                if list(fk.columns) == columns:
                    return fk.span
        return self.column(table, columns[0]) if len(columns) == 1 else self.table(table)


def _type_text(t: Any, dialect: sa.Dialect) -> str:
    try:
        return str(t.compile(dialect=dialect))
    except Exception:  # noqa: BLE001 - a type the dialect cannot print is shown by its class name
        return type(t).__name__


def _other_dialect_only(ix: sa.Index, dialect: str) -> bool:
    cond = getattr(ix, "_ddl_if", None)  # set by Index.ddl_if(dialect=...) in the models
    return cond is not None and cond.dialect is not None and cond.dialect != dialect


def _has_expressions(ix: sa.Index) -> bool:
    return any(not isinstance(e, sa.Column) for e in ix.expressions)


def check(out_dir: Path, url: str | None = None, spec: Spec | None = None) -> list[Diagnostic]:
    """Differences between the database at `url` and the generated backend in OUT (the docs)."""
    out = require_backend(Path(out_dir))
    metadata: sa.MetaData = load_models(out).Base.metadata
    where = _Where(spec)
    found: list[Diagnostic] = []
    with connect(normalize_url(url, out)) as conn:
        dialect = conn.dialect
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SQLite cannot reflect expression indexes; alembic warns and skips them
            diffs = compare_metadata(ctx, metadata)
        flat: list[tuple[Any, ...]] = []
        for d in diffs:
            flat.extend(d if isinstance(d, list) else [d])
        elsewhere = {str(ix.name) for t in metadata.tables.values() for ix in t.indexes if _other_dialect_only(ix, dialect.name)}
        found += _from_alembic(flat, dialect, where, elsewhere)
        insp = sa.inspect(conn)
        existing = set(insp.get_table_names())
        for table in metadata.sorted_tables:
            if table.name not in existing:
                continue
            want = [c.name for c in table.primary_key.columns]
            have = list(insp.get_pk_constraint(table.name).get("constrained_columns") or [])
            if want != have:
                found.append(make("RT457", where.table(table.name), f"primary key of {table.name} is ({', '.join(have) or 'none'}) in the database but ({', '.join(want)}) in the docs; alter the key or fix the docs"))
        if dialect.name == "postgresql":
            found += _enums(insp, metadata, where)
    return sorted(found, key=lambda d: (d.span.file, d.span.line, d.code, d.message))


def _from_alembic(diffs: list[tuple[Any, ...]], dialect: sa.Dialect, where: _Where, elsewhere: set[str]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    added = {d[1].name: d[1] for d in diffs if d[0] == "add_index"}
    removed = {d[1].name: d[1] for d in diffs if d[0] == "remove_index"}
    missing = {d[1].name for d in diffs if d[0] == "add_table"}
    for d in diffs:
        kind = d[0]
        table_obj = getattr(d[1], "table", None) if kind != "add_table" else None
        if table_obj is not None and getattr(table_obj, "name", None) in missing:
            continue  # its table is missing: one RT450 says it all
        if kind == "add_table":
            out.append(make("RT450", where.table(d[1].name), f"table {d[1].name} is missing from the database; run `roundtrip db upgrade` (or create it)"))
        elif kind == "remove_table":
            out.append(make("RT451", DATABASE, f"the database has table {d[1].name}, which the docs do not describe; document it or drop it"))
        elif kind == "add_column":
            tname, col = d[2], d[3]
            out.append(make("RT452", where.column(tname, col.name), f"column {tname}.{col.name} ({_type_text(col.type, dialect)}) is missing from the database; add it"))
        elif kind == "remove_column":
            tname, col = d[2], d[3]
            out.append(make("RT453", where.table(tname), f"the database has column {tname}.{col.name}, which the docs do not describe; document it or drop it"))
        elif kind == "modify_type":
            tname, cname, have, want = d[2], d[3], d[5], d[6]
            out.append(make("RT454", where.column(tname, cname), f"column {tname}.{cname} is {_type_text(have, dialect)} in the database but {_type_text(want, dialect)} in the docs"))
        elif kind == "modify_nullable":
            tname, cname, have = d[2], d[3], d[5]
            state = "NULL" if have else "NOT NULL"
            out.append(make("RT455", where.column(tname, cname), f"column {tname}.{cname} is {state} in the database but {'NOT NULL' if have else 'NULL'} in the docs"))
        elif kind == "modify_default":
            tname, cname, have, want = d[2], d[3], d[5], d[6]
            out.append(make("RT456", where.column(tname, cname), f"default of {tname}.{cname} is {_default_text(have)} in the database but {_default_text(want)} in the docs"))
        elif kind in ("add_index", "remove_index"):
            ix: sa.Index = d[1]
            if ix.name in elsewhere:
                continue  # created on the other dialect only (models: Index(...).ddl_if(dialect=...))
            pair = removed.get(ix.name) if kind == "add_index" else added.get(ix.name)
            if pair is not None and (_has_expressions(ix) or _has_expressions(pair)) and bool(ix.unique) == bool(pair.unique):
                continue  # the same expression index, spelled by the database in its own canonical form
            cols = [c.name for c in ix.columns]
            table = ix.table.name if ix.table is not None else ""
            if kind == "add_index":
                out.append(make("RT458", where.index(table, ix.name, cols), f"index {ix.name} on {table} is missing from the database; create it"))
            else:
                out.append(make("RT458", where.table(table), f"the database has index {ix.name} on {table}, which the docs do not describe; document it or drop it"))
        elif kind in ("add_constraint", "remove_constraint"):
            cons = d[1]
            table = cons.table.name
            cols = [c.name for c in cons.columns]
            label = f"unique constraint ({', '.join(cols)}) on {table}"
            if kind == "add_constraint":
                out.append(make("RT458", where.index(table, cons.name, cols), f"{label} is missing from the database; add it"))
            else:
                out.append(make("RT458", where.table(table), f"the database has {label}, which the docs do not state; document it or drop it"))
        elif kind in ("add_fk", "remove_fk"):
            fk: sa.ForeignKeyConstraint = d[1]
            table = fk.table.name
            cols = [c.name for c in fk.columns]
            target = f"{fk.referred_table.name}({', '.join(e.column.name for e in fk.elements)})"
            actions = "".join(f" ON DELETE {fk.ondelete}" if fk.ondelete else "") + (f" ON UPDATE {fk.onupdate}" if fk.onupdate else "")
            label = f"foreign key {table}({', '.join(cols)}) → {target}{actions}"
            if kind == "add_fk":
                out.append(make("RT459", where.foreign_key(table, cols), f"{label} is missing from the database (or has other actions there); add it"))
            else:
                out.append(make("RT459", where.foreign_key(table, cols), f"the database has {label}, which the docs do not state; fix the key or the docs"))
    return out


def _default_text(value: Any) -> str:
    if value is None:
        return "none"
    arg = getattr(value, "arg", value)
    return str(getattr(arg, "text", arg))


def _enums(insp: Any, metadata: sa.MetaData, where: _Where) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    have = {e["name"]: list(e["labels"]) for e in insp.get_enums()}
    wanted: dict[str, tuple[list[str], str]] = {}
    for table in metadata.sorted_tables:
        for col in table.columns:
            if isinstance(col.type, sa.Enum) and col.type.name:
                wanted.setdefault(col.type.name, (list(col.type.enums), table.name))
    for name, (values, owner) in wanted.items():
        if name not in have:
            out.append(make("RT460", where.table(owner), f"enum type {name} ({', '.join(values)}) is missing from the database; create it"))
        elif have[name] != values:
            out.append(make("RT460", where.table(owner), f"enum type {name} is ({', '.join(have[name])}) in the database but ({', '.join(values)}) in the docs"))
    return out
