"""The view model as live SQLAlchemy objects: what Alembic's operations are built from.

Each object remembers the `Code` it was built from (in `Built.column_code` and friends), so the
migration renders the very expressions the models file prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from roundtrip.emit.sa_code import Code, build, call, pystr, render
from roundtrip.emit.sa_view import (
    PG,
    SQLITE,
    CheckView,
    ColumnView,
    DataView,
    EnumView,
    ExclusionView,
    ForeignKeyView,
    IndexView,
    TableView,
)


@dataclass
class Built:
    metadata: sa.MetaData
    tables: dict[str, sa.Table] = field(default_factory=dict)
    # Alembic renders copies of our objects, so sources are keyed by table and column/expression.
    column_code: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, column) → `sa.Column(...)`
    check_code: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, CHECK text) → source
    deferred_fks: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)  # (table, columns) → source
    indexes: dict[str, list[sa.Index]] = field(default_factory=dict)  # dialect ("" both) → indexes
    exclusion_code: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, name) → source
    late_fks: list[tuple[str, ForeignKeyView]] = field(default_factory=list)  # added on PostgreSQL once every table exists


def migration_enum_code(e: EnumView) -> Code:
    """Enums inside the migration: the type is created once, explicitly, before the tables."""
    return call("postgresql.ENUM", *e.values, name=e.name, create_type=False, create_constraint=True)


def _type_code(code: Code, enums: dict[str, EnumView]) -> Code:
    if code.ref and code.ref in enums:
        return migration_enum_code(enums[code.ref])
    return code


def column_source(c: ColumnView, code: Code) -> str:
    args = [pystr(c.name), render(code)]
    if c.computed:
        args.append(f"sa.Computed({pystr(c.computed)}, persisted=True)")
    if c.server_default is not None:
        args.append(f"server_default={render(c.server_default)}")
    if c.primary_key and code.func in ("sa.Integer", "sa.BigInteger", "sa.SmallInteger"):
        args.append(f"autoincrement={c.autoincrement}")
    args.append(f"nullable={c.nullable}")
    return f"sa.Column({', '.join(args)})"


def check_source(ck: CheckView) -> str:
    kw = [pystr(ck.sql)]
    if ck.name:
        kw.append(f"name={pystr(ck.name)}")
    out = f"sa.CheckConstraint({', '.join(kw)})"
    if ck.dialect:
        out += f".ddl_if(dialect={pystr(ck.dialect)})"
    return out


def exclusion_source(tv: TableView, ex: ExclusionView) -> str:
    names = {c.name for c in tv.columns}
    elems = ", ".join(f"({pystr(expr) if expr in names else f'sa.text({pystr(expr)})'}, {pystr(op)})" for expr, op in ex.elements)
    kw = [elems, f"name={pystr(ex.name)}", f"using={pystr(ex.using)}"]
    if ex.where:
        kw.append(f"where=sa.text({pystr(ex.where)})")
    return f"postgresql.ExcludeConstraint({', '.join(kw)}).ddl_if(dialect={pystr(PG)})"


def _index(t: sa.Table, ix: IndexView) -> sa.Index:
    elems: list[Any] = []
    ops: dict[str, str] = {}
    for el in ix.elements:
        if el.column and not el.descending:
            elems.append(t.c[el.column])
        elif el.column:
            elems.append(sa.text(f"{el.column} DESC"))
        else:
            elems.append(sa.text(el.expression + (" DESC" if el.descending else "")))
        if el.opclass and el.column:
            ops[el.column] = el.opclass
    kw: dict[str, Any] = {"unique": ix.unique}
    if ix.where and ix.dialect in ("", PG):
        kw["postgresql_where"] = sa.text(ix.where)
    if ix.where and ix.dialect in ("", SQLITE):
        kw["sqlite_where"] = sa.text(ix.where)
    if ix.using:
        kw["postgresql_using"] = ix.using
    if ops:
        kw["postgresql_ops"] = ops
    return sa.Index(ix.name, *elems, _table=t, **kw)


def _fk_source(fk: ForeignKeyView) -> str:
    kw = [f"[{', '.join(pystr(c) for c in fk.columns)}]", f"[{', '.join(pystr(f'{fk.ref_table}.{c}') for c in fk.ref_columns)}]"]
    if fk.ondelete:
        kw.append(f"ondelete={pystr(fk.ondelete)}")
    if fk.onupdate:
        kw.append(f"onupdate={pystr(fk.onupdate)}")
    if fk.name:
        kw.append(f"name={pystr(fk.name)}")
    return f"sa.ForeignKeyConstraint({', '.join(kw)}).ddl_if(dialect={pystr(SQLITE)})"


def build_metadata(view: DataView) -> Built:
    enums = {e.var: e for e in view.enums}
    built = Built(sa.MetaData())
    built.indexes = {"": [], PG: [], SQLITE: []}
    for tv in view.tables:
        _build_table(built, tv, enums)
    return built


def _build_table(built: Built, tv: TableView, enums: dict[str, EnumView]) -> None:
    cols: list[sa.Column[Any]] = []
    for c in tv.columns:
        code = _type_code(c.type, enums)
        extra: list[Any] = [sa.Computed(c.computed, persisted=True)] if c.computed else []
        col: sa.Column[Any] = sa.Column(
            c.name,
            build(code),
            *extra,
            primary_key=c.primary_key,
            nullable=c.nullable,
            unique=c.unique or None,
            autoincrement=c.autoincrement if c.primary_key else "auto",
            server_default=build(c.server_default) if c.server_default is not None else None,
        )
        built.column_code[(tv.name, c.name)] = column_source(c, code)
        cols.append(col)
    args: list[Any] = list(cols)
    for fk in tv.foreign_keys:
        fkc = sa.ForeignKeyConstraint(
            list(fk.columns),
            [f"{fk.ref_table}.{c}" for c in fk.ref_columns],
            name=fk.name or None,
            ondelete=fk.ondelete or None,
            onupdate=fk.onupdate or None,
        )
        if fk.deferred:
            built.deferred_fks[(tv.name, fk.columns)] = _fk_source(fk)
            built.late_fks.append((tv.name, fk))
        args.append(fkc)
    for u in tv.uniques:
        kw: dict[str, Any] = {"name": u.name or None}
        if u.deferrable:
            kw["deferrable"] = True
        if u.initially_deferred:
            kw["initially"] = "DEFERRED"
        args.append(sa.UniqueConstraint(*u.columns, **kw))
    for ck in tv.checks:
        cc = sa.CheckConstraint(ck.sql, name=ck.name or None)
        built.check_code[(tv.name, ck.sql)] = check_source(ck)
        args.append(cc)
    for ex in tv.exclusions:
        # Inside CREATE TABLE with ddl_if: alembic's create_exclude_constraint cannot take expression elements.
        elements = [(expr if expr in {c.name for c in tv.columns} else sa.text(expr), op) for expr, op in ex.elements]
        exc = postgresql.ExcludeConstraint(*elements, name=ex.name, using=ex.using, where=sa.text(ex.where) if ex.where else None)
        args.append(exc.ddl_if(dialect=PG))
        built.exclusion_code[(tv.name, ex.name)] = exclusion_source(tv, ex)
    table = sa.Table(tv.name, built.metadata, *args)
    built.tables[tv.name] = table
    for ix in tv.indexes:
        built.indexes[ix.dialect].append(_index(table, ix))
