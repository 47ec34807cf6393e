"""The operations that take a database from one data model to the next, for each dialect.

    steps = plan_steps(old_view, new_view, change)                                # upgrade
    back = plan_steps(new_view, old_view, change.reversed(), downgrade=True)      # the same planner, reversed

What changed, and which tables and columns were renamed, comes from `roundtrip.diff` (RD2xx with
the docs' "renamed from `x`"), handed in as plain data (`ChangeSet`) because emitters do not import
the differ. This module only decides how to print the change for the tables the differ named, from
the two rendered view models (so a PostgreSQL-only CHECK, a translated default or a generated
index name is compared in the spelling the database actually has):

* PostgreSQL (and any dialect that can ALTER): in-place operations. Constraints the docs left
  unnamed are addressed by the name PostgreSQL gives them (`tasks_status_check`, `users_email_key`,
  `tasks_owner_id_fkey`), and renamed along with a renamed column so a migrated database has the
  names a fresh one would. Enum types gain values with ALTER TYPE … ADD VALUE; removing values
  recreates the type and converts the columns through text.
  A renamed table keeps its rows, and the references to it (foreign keys follow the table);
  its unnamed constraints and serial sequences take the new table's names. A generated column
  whose expression changed is dropped and added again (its values are computed, nothing is lost),
  with the indexes and constraints PostgreSQL drops along with it; a column that stops being
  generated keeps its values (DROP EXPRESSION). Exclusion constraints are added, dropped and
  renamed like the other constraints.
* SQLite: tables and columns are renamed first (ALTER TABLE … RENAME, which also rewrites the
  foreign keys of other tables that reference them), then a table whose definition changed in any
  other way is rebuilt (create the new table under a temporary name, copy every row, drop the old
  table, rename): what Alembic's batch mode does, but from the new table's own definition, so
  CHECK lists and unnamed constraints come out exactly as in a fresh database. Index-only changes
  stay CREATE/DROP INDEX.

A rename is always a rename (ALTER … RENAME, or the rebuild's copy keeps the renamed column):
never a drop and an add that would lose data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.operations import ops
from sqlalchemy.dialects import postgresql

from roundtrip.emit.migration_render import REBUILD_PREFIX, render_ops
from roundtrip.emit.migration_sql import (
    add_value_sql,
    added_values,
    check_names,
    create_fk_code,
    pg_name,
    quote_ident,
    referenced_columns,
)
from roundtrip.emit.sa_build import build_metadata, migration_enum_code
from roundtrip.emit.sa_code import build, pystr, render
from roundtrip.emit.sa_view import (
    PG,
    SQLITE,
    ColumnView,
    DataView,
    EnumView,
    ExclusionView,
    IndexView,
    TableView,
)
from roundtrip.emit.sqlite_exclusions import trigger_steps
from roundtrip.ir import Spec
from roundtrip.ir.naming import rename_identifiers

_OLD_SUFFIX = "__roundtrip_old"


@dataclass(frozen=True)
class ChangeSet:
    """What roundtrip.diff found between two data models, as plain data."""

    changes: tuple[
        tuple[str, str, str], ...
    ] = ()  # (rule, subject, message): "RD207", "table:users/column:x", "…"
    renames: dict[str, dict[str, str]] = field(default_factory=dict)  # new table → {old column: new column}
    tables: dict[str, str] = field(default_factory=dict)  # old table → new table (documented renames)

    def touched_tables(self) -> set[str]:
        """The tables (their new names) something changed in."""
        return {
            subject.split("/", 1)[0].removeprefix("table:")
            for _, subject, _ in self.changes
            if subject.startswith("table:")
        }

    def reversed(self) -> ChangeSet:
        """The same change from the new data model back to the old one (for downgrade)."""
        back = {v: k for k, v in self.tables.items()}

        def subject(text: str) -> str:
            if not text.startswith("table:"):
                return text
            head, sep, rest = text.partition("/")
            return "table:" + back.get(head.removeprefix("table:"), head.removeprefix("table:")) + sep + rest

        return ChangeSet(
            tuple((rule, subject(sub), message) for rule, sub, message in self.changes),
            {back.get(t, t): {v: k for k, v in m.items()} for t, m in self.renames.items()},
            back,
        )


Compare = Callable[[Spec, Spec], ChangeSet]


@dataclass
class Steps:
    """Source lines (unindented) for each branch of the revision."""

    inplace: list[str] = field(default_factory=list)  # PostgreSQL and dialects that ALTER in place
    sqlite: list[str] = field(default_factory=list)
    rebuilds: bool = False  # SQLite tables are rebuilt: the revision checks that foreign keys are off

    @property
    def empty(self) -> bool:
        return not self.inplace and not self.sqlite


# ---------------------------------------------------------------------------------------------
# PostgreSQL's names for unnamed constraints
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# one table: what differs between its two versions
# ---------------------------------------------------------------------------------------------


@dataclass
class _Delta:
    renames: list[tuple[str, str]] = field(default_factory=list)
    added: list[ColumnView] = field(default_factory=list)
    dropped: list[ColumnView] = field(default_factory=list)
    altered: list[tuple[ColumnView, ColumnView]] = field(default_factory=list)  # (old, new) after renaming
    drop_constraints: list[tuple[str, str]] = field(default_factory=list)  # (name, type_)
    create_checks: list[tuple[str, str]] = field(default_factory=list)  # (name, sql)
    create_uniques: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    create_fks: list[tuple[str, Any]] = field(default_factory=list)  # (name, ForeignKeyView)
    rename_constraints: list[tuple[str, str]] = field(default_factory=list)
    rename_indexes: list[tuple[str, str]] = field(
        default_factory=list
    )  # PostgreSQL: same definition, new name
    primary_key: tuple[str, ...] | None = None  # new primary key columns when it changed
    drop_indexes: list[IndexView] = field(default_factory=list)
    create_indexes: list[IndexView] = field(default_factory=list)
    regenerated: list[tuple[ColumnView, ColumnView]] = field(
        default_factory=list
    )  # generated anew: drop + add
    drop_expressions: list[str] = field(default_factory=list)  # generated → plain column, values kept
    create_exclusions: list[str] = field(default_factory=list)  # names (PostgreSQL only)

    @property
    def rebuilds(self) -> bool:
        """SQLite must rebuild the table: anything but renames and indexes changed."""
        return bool(
            self.added
            or self.dropped
            or self.altered
            or self.regenerated
            or self.drop_expressions
            or any(kind != "exclude" for _, kind in self.drop_constraints)
            or self.create_checks
            or self.create_uniques
            or self.create_fks
            or self.primary_key is not None
        )


class _Planner:
    def __init__(self, old: DataView, new: DataView, change: ChangeSet, downgrade: bool) -> None:
        self.old, self.new = old, new
        self.ob, self.nb = build_metadata(old), build_metadata(new)
        self.renames = change.renames
        self.tables = change.tables
        self.touched = change.touched_tables()
        self.downgrade = downgrade
        self.old_enums = {e.var: e for e in old.enums}
        self.new_enums = {e.var: e for e in new.enums}
        old_by = {e.name: e for e in old.enums}
        self.changed_enums = {
            e.name for e in new.enums if e.name in old_by and old_by[e.name].values != e.values
        }

    def _uses_changed_enum(self, table: str) -> bool:
        """SQLite spells an enum as a CHECK in the table: new values mean a rebuild even when the differ named only the type."""
        tv = self.new.table(table)
        return tv is not None and any(
            c.type.ref in self.new_enums and self.new_enums[c.type.ref].name in self.changed_enums
            for c in tv.columns
        )

    # ------------------------------------------------------------- comparisons

    def _type_key(self, c: ColumnView, enums: dict[str, EnumView]) -> str:
        if c.type.ref and c.type.ref in enums:
            return "enum:" + enums[c.type.ref].name  # values are the enum phase's business
        return render(c.type)

    def _type_src(self, c: ColumnView, enums: dict[str, EnumView]) -> str:
        if c.type.ref and c.type.ref in enums:
            return render(migration_enum_code(enums[c.type.ref]))
        return render(c.type)

    def delta(self, ot: TableView, nt: TableView, dialect: str) -> _Delta:
        d = _Delta()
        ren = self.renames.get(nt.name, {})
        back = {v: k for k, v in ren.items()}
        for oc in ot.columns:
            nc = nt.column(ren.get(oc.name, oc.name))
            if nc is None:
                d.dropped.append(oc)
                continue
            if nc.computed and rename_identifiers(oc.computed, ren) != nc.computed:
                d.regenerated.append((oc, nc))  # values come from the new expression: drop and add
                continue
            if nc.name != oc.name:
                d.renames.append((oc.name, nc.name))
            if oc.computed and not nc.computed:
                d.drop_expressions.append(nc.name)
            before = (
                self._type_key(oc, self.old_enums),
                oc.nullable,
                render(oc.server_default) if oc.server_default else None,
            )
            after = (
                self._type_key(nc, self.new_enums),
                nc.nullable,
                render(nc.server_default) if nc.server_default else None,
            )
            if before != after:
                d.altered.append((oc, nc))
        d.added = [nc for nc in nt.columns if ot.column(back.get(nc.name, nc.name)) is None]
        self._checks(d, ot, nt, ren, dialect)
        self._uniques(d, ot, nt, ren)
        self._foreign_keys(d, ot, nt, ren)
        old_pk = tuple(ren.get(c, c) for c in ot.primary_key)
        if old_pk != nt.primary_key:
            d.drop_constraints.insert(0, (pg_name(ot.name, [], "pkey"), "primary"))
            d.primary_key = nt.primary_key
        elif ot.name != nt.name and ot.primary_key:
            d.rename_constraints.append((pg_name(ot.name, [], "pkey"), pg_name(nt.name, [], "pkey")))
        self._indexes(d, ot, nt, ren, dialect)
        if dialect == PG:
            self._exclusions(d, ot, nt, ren)
            self._regenerated_dependents(d, ot, nt, ren)
        return d

    def _checks(self, d: _Delta, ot: TableView, nt: TableView, ren: dict[str, str], dialect: str) -> None:
        olds = [ck for ck in ot.checks if ck.dialect in ("", dialect)]
        news = [ck for ck in nt.checks if ck.dialect in ("", dialect)]
        old_names = dict(zip((rename_identifiers(ck.sql, ren) for ck in olds), check_names(ot, olds), strict=True))
        new_names = dict(zip((ck.sql for ck in news), check_names(nt, news), strict=True))
        for sql, name in old_names.items():
            if sql not in new_names:
                d.drop_constraints.append((name, "check"))
            elif new_names[sql] != name:
                d.rename_constraints.append((name, new_names[sql]))
        d.create_checks += [(name, sql) for sql, name in new_names.items() if sql not in old_names]

    def _uniques(self, d: _Delta, ot: TableView, nt: TableView, ren: dict[str, str]) -> None:
        def keys(tv: TableView, rn: dict[str, str]) -> dict[tuple[str, ...], str]:
            out: dict[tuple[str, ...], str] = {
                (rn.get(c.name, c.name),): pg_name(tv.name, [c.name], "key") for c in tv.columns if c.unique
            }
            for u in tv.uniques:
                out[tuple(rn.get(c, c) for c in u.columns)] = u.name or pg_name(tv.name, u.columns, "key")
            return out

        olds, news = keys(ot, ren), keys(nt, {})
        for cols, name in olds.items():
            if cols not in news:
                d.drop_constraints.append((name, "unique"))
            elif news[cols] != name:
                d.rename_constraints.append((name, news[cols]))
        d.create_uniques += [(name, cols) for cols, name in news.items() if cols not in olds]

    def _foreign_keys(self, d: _Delta, ot: TableView, nt: TableView, ren: dict[str, str]) -> None:
        def key(fk: Any, rn: dict[str, str], ref_rn: dict[str, str]) -> tuple[Any, ...]:
            return (
                tuple(rn.get(c, c) for c in fk.columns),
                fk.ref_table,
                tuple(ref_rn.get(c, c) for c in fk.ref_columns),
                fk.ondelete,
                fk.onupdate,
            )

        def old_key(fk: Any) -> tuple[Any, ...]:
            ref_table = self.tables.get(fk.ref_table, fk.ref_table)  # a reference follows a renamed table
            k = key(fk, ren, self.renames.get(ref_table, {}))
            return (k[0], ref_table, *k[2:])

        olds = {old_key(fk): fk.name or pg_name(ot.name, fk.columns, "fkey") for fk in ot.foreign_keys}
        news = {
            key(fk, {}, {}): (fk.name or pg_name(nt.name, fk.columns, "fkey"), fk) for fk in nt.foreign_keys
        }
        for k, name in olds.items():
            if k not in news:
                d.drop_constraints.append((name, "foreignkey"))
            elif news[k][0] != name:
                d.rename_constraints.append((name, news[k][0]))
        d.create_fks += [news[k] for k in news if k not in olds]

    def _indexes(self, d: _Delta, ot: TableView, nt: TableView, ren: dict[str, str], dialect: str) -> None:
        def sig(ix: IndexView, rn: dict[str, str]) -> tuple[Any, ...]:
            elems = tuple(
                (rn.get(e.column, e.column), rename_identifiers(e.expression, rn), e.descending, e.opclass)
                for e in ix.elements
            )
            return (elems, ix.unique, rename_identifiers(ix.where, rn), ix.using)

        olds = {ix.name: ix for ix in ot.indexes if ix.dialect in ("", dialect)}
        news = {ix.name: ix for ix in nt.indexes if ix.dialect in ("", dialect)}
        # Same name, new definition: dropped (before the columns change) and created again (after).
        d.drop_indexes = [
            ix for name, ix in olds.items() if name not in news or sig(ix, ren) != sig(news[name], {})
        ]
        d.create_indexes = [
            ix for name, ix in news.items() if name not in olds or sig(olds[name], ren) != sig(ix, {})
        ]
        if dialect == PG:  # an index only renamed (its name followed a renamed table) is renamed in place
            for ix in list(d.drop_indexes):
                same = next(
                    (n for n in d.create_indexes if n.name not in olds and sig(n, {}) == sig(ix, ren)), None
                )
                if same is not None and ix.name not in news:
                    d.drop_indexes.remove(ix)
                    d.create_indexes.remove(same)
                    d.rename_indexes.append((ix.name, same.name))

    def _exclusions(self, d: _Delta, ot: TableView, nt: TableView, ren: dict[str, str]) -> None:
        """PostgreSQL exclusion constraints, matched by definition: renamed, dropped, created."""

        def sig(x: ExclusionView, rn: dict[str, str]) -> tuple[Any, ...]:
            return (
                tuple((rename_identifiers(e, rn), op) for e, op in x.elements),
                x.using,
                rename_identifiers(x.where, rn),
            )

        olds = {sig(x, ren): x.name for x in ot.exclusions}
        news = {sig(x, {}): x.name for x in nt.exclusions}
        for k, name in olds.items():
            if k not in news:
                d.drop_constraints.append((name, "exclude"))
            elif news[k] != name:
                d.rename_constraints.append((name, news[k]))
        d.create_exclusions += [name for k, name in news.items() if k not in olds]

    def _regenerated_dependents(self, d: _Delta, ot: TableView, nt: TableView, ren: dict[str, str]) -> None:
        """Dropping a column (a generated one added again) drops its indexes and constraints on
        PostgreSQL: drop them first by name, create them again after the column is back."""
        if not d.regenerated:
            return
        old_cols = {oc.name for oc, _ in d.regenerated}
        new_cols = {nc.name for _, nc in d.regenerated}
        o_names, n_names = [c.name for c in ot.columns], [c.name for c in nt.columns]

        def index_uses(ix: IndexView, names: list[str], cols: set[str]) -> bool:
            text = " ".join(f"{e.column} {e.expression}" for e in ix.elements) + " " + ix.where
            return bool(set(referenced_columns(text, names)) & cols)

        for ix in ot.indexes:
            if ix.dialect in ("", PG) and index_uses(ix, o_names, old_cols) and ix not in d.drop_indexes:
                d.drop_indexes.append(ix)
                d.rename_indexes = [(a, b) for a, b in d.rename_indexes if a != ix.name]
        for ix in nt.indexes:
            if ix.dialect in ("", PG) and index_uses(ix, n_names, new_cols) and ix not in d.create_indexes:
                d.create_indexes.append(ix)
        dropping: list[tuple[str, str]] = []
        olds = [ck for ck in ot.checks if ck.dialect in ("", PG)]
        for ck, name in zip(olds, check_names(ot, olds), strict=True):
            if set(referenced_columns(ck.sql, o_names)) & old_cols:
                dropping.append((name, "check"))
        news = [ck for ck in nt.checks if ck.dialect in ("", PG)]
        for ck, name in zip(news, check_names(nt, news), strict=True):
            if set(referenced_columns(ck.sql, n_names)) & new_cols and (name, ck.sql) not in d.create_checks:
                d.create_checks.append((name, ck.sql))
        for oc in ot.columns:
            if oc.unique and oc.name in old_cols:
                dropping.append((pg_name(ot.name, [oc.name], "key"), "unique"))
        for u in ot.uniques:
            if set(u.columns) & old_cols:
                dropping.append((u.name or pg_name(ot.name, u.columns, "key"), "unique"))
        for nc in nt.columns:
            if nc.unique and nc.name in new_cols:
                d.create_uniques.append((pg_name(nt.name, [nc.name], "key"), (nc.name,)))
        for nu in nt.uniques:
            if set(nu.columns) & new_cols:
                d.create_uniques.append((nu.name or pg_name(nt.name, nu.columns, "key"), nu.columns))
        for ex in ot.exclusions:
            if set(referenced_columns(" ".join(e for e, _ in ex.elements) + " " + ex.where, o_names)) & old_cols:
                dropping.append((ex.name, "exclude"))
        for ex in nt.exclusions:
            if set(referenced_columns(" ".join(e for e, _ in ex.elements) + " " + ex.where, n_names)) & new_cols:
                d.create_exclusions.append(ex.name)
        for fk in ot.foreign_keys:
            if set(fk.columns) & old_cols:
                dropping.append((fk.name or pg_name(ot.name, fk.columns, "fkey"), "foreignkey"))
        for nfk in nt.foreign_keys:
            if set(nfk.columns) & new_cols:
                d.create_fks.append((nfk.name or pg_name(nt.name, nfk.columns, "fkey"), nfk))
        gone = {name for name, _ in dropping}
        d.rename_constraints = [(a, b) for a, b in d.rename_constraints if a not in gone]
        d.drop_constraints += [c for c in dropping if c not in d.drop_constraints]
        d.create_checks = list(dict.fromkeys(d.create_checks))
        d.create_uniques = list(dict.fromkeys(d.create_uniques))
        d.create_exclusions = list(dict.fromkeys(d.create_exclusions))
        d.create_fks = list({name: (name, fk) for name, fk in d.create_fks}.values())

    # ------------------------------------------------------------- printing helpers

    def _index_op(self, table: str, ix: IndexView) -> Any:
        for built_ix in self.nb.indexes[ix.dialect]:
            if built_ix.name == ix.name and built_ix.table is not None and built_ix.table.name == table:
                return ops.CreateIndexOp.from_index(built_ix)
        raise KeyError(f"index {ix.name} of {table} was not built")

    def _create_table(self, name: str, dialect: str) -> list[str]:
        table, tv = self.nb.tables[name], self.new.table(name)
        assert tv is not None
        op_list: list[Any] = [ops.CreateTableOp.from_table(table)]
        op_list += [self._index_op(name, ix) for ix in tv.indexes if ix.dialect in ("", dialect)]
        return [render_ops(op_list, self.nb, 0)]

    def _late_fks(self, names: list[str]) -> list[str]:
        out = []
        for table_name, fk in self.nb.late_fks:
            if table_name in names:
                out.append(create_fk_code(fk.name or pg_name(table_name, fk.columns, "fkey"), table_name, fk))
        return out

    # ------------------------------------------------------------- the two branches

    def run(self) -> Steps:
        new_names = [t.name for t in self.new.tables]
        source = {self.tables.get(t.name, t.name): t.name for t in self.old.tables}  # new name → old name
        source = {n: o for n, o in source.items() if n in new_names}
        created = [n for n in new_names if n not in source]
        dropped = [t.name for t in reversed(self.old.tables) if self.tables.get(t.name, t.name) not in source]
        kept = [
            (source[n], n)
            for n in new_names
            if n in source and (n in self.touched or source[n] != n or self._uses_changed_enum(n))
        ]
        steps = Steps()
        self._inplace(steps.inplace, created, dropped, kept)
        self._sqlite(steps, created, dropped, kept)
        return steps

    def _pair(self, old_name: str, new_name: str) -> tuple[TableView, TableView]:
        ot, nt = self.old.table(old_name), self.new.table(new_name)
        assert ot is not None and nt is not None
        return ot, nt

    def _inplace(
        self, out: list[str], created: list[str], dropped: list[str], kept: list[tuple[str, str]]
    ) -> None:
        # Created where missing and marked as this revision's, so the downgrade drops only what it created.
        out += [f"_create_extension({pystr(x)})" for x in self.new.extensions if x not in self.old.extensions]
        old_enums = {e.name: e for e in self.old.enums}
        new_enums = {e.name: e for e in self.new.enums}
        recreate: list[EnumView] = []
        for name, e in new_enums.items():
            prev = old_enums.get(name)
            if prev is None:
                out.append(f"op.execute(postgresql.CreateEnumType({render(migration_enum_code(e))}))")
            elif prev.values != e.values:
                added = added_values(prev.values, e.values)
                if added is None or self._default_uses(e, [v for v, _ in added]):
                    recreate.append(e)
                else:
                    out += [f"_add_enum_value({pystr(add_value_sql(name, v, pos))})" for v, pos in added]
        # A renamed table first: everything below addresses it by its new name. Foreign keys of other
        # tables follow it (they reference the table, not its name).
        out += [f"op.rename_table({pystr(o)}, {pystr(n)})" for o, n in kept if o != n]
        deltas = {n: self.delta(*self._pair(o, n), PG) for o, n in kept}
        for n, d in deltas.items():
            out += [f"op.drop_index({pystr(ix.name)}, table_name={pystr(n)})" for ix in d.drop_indexes]
            out += [
                f"op.drop_constraint({pystr(name)}, {pystr(n)})"  # alembic names no exclusion type
                if kind == "exclude"
                else f"op.drop_constraint({pystr(name)}, {pystr(n)}, type_={pystr(kind)})"
                for name, kind in d.drop_constraints
            ]
        for (o, n), d in zip(kept, deltas.values(), strict=True):
            out += [
                f"op.alter_column({pystr(n)}, {pystr(a)}, new_column_name={pystr(b)})" for a, b in d.renames
            ]
            out += self._sequence_renames(*self._pair(o, n))
            out += [
                f"op.execute({pystr(f'ALTER TABLE {quote_ident(n)} RENAME CONSTRAINT {quote_ident(a)} TO {quote_ident(b)}')})"
                for a, b in d.rename_constraints
            ]
            out += [
                f"op.execute({pystr(f'ALTER INDEX {quote_ident(a)} RENAME TO {quote_ident(b)}')})" for a, b in d.rename_indexes
            ]
            out += [f"op.drop_column({pystr(n)}, {pystr(oc.name)})" for oc, _ in d.regenerated]
            out += [
                f"op.execute({pystr(f'ALTER TABLE {quote_ident(n)} ALTER COLUMN {quote_ident(c)} DROP EXPRESSION')})"
                for c in d.drop_expressions
            ]
            adding = {c.name for c in d.added} | {nc.name for _, nc in d.regenerated}
            if adding:  # in the new table's column order: a generated column may use a column added with it
                add_ops = [
                    ops.AddColumnOp.from_column_and_tablename(None, n, self.nb.tables[n].c[c.name])
                    for c in self.new.table(n).columns  # type: ignore[union-attr]
                    if c.name in adding
                ]
                out.append(render_ops(add_ops, self.nb, 0))
            for oc, nc in d.altered:
                out += self._alter(n, oc, nc)
            out += [f"op.drop_column({pystr(n)}, {pystr(c.name)})" for c in d.dropped]
        for n in created:
            out += self._create_table(n, PG)
        out += self._late_fks(created)
        for n, d in deltas.items():
            if d.primary_key is not None:
                out.append(
                    f"op.create_primary_key({pystr(pg_name(n, [], 'pkey'))}, {pystr(n)}, {list(d.primary_key)!r})"
                )
            out += [
                f"op.create_unique_constraint({pystr(name)}, {pystr(n)}, {list(cols)!r})"
                for name, cols in d.create_uniques
            ]
            out += [
                f"op.create_check_constraint({pystr(name)}, {pystr(n)}, {pystr(sql)})"
                for name, sql in d.create_checks
            ]
            if d.create_indexes:
                out.append(render_ops([self._index_op(n, ix) for ix in d.create_indexes], self.nb, 0))
            out += [f"op.execute({pystr(self._add_exclusion(n, name))})" for name in d.create_exclusions]
            out += [create_fk_code(name, n, fk) for name, fk in d.create_fks]
        late = {(t, fk.columns) for t, fk in self.ob.late_fks if t in dropped}
        for table_name, cols in sorted(late):
            fk = next(f for t, f in self.ob.late_fks if (t, f.columns) == (table_name, cols))
            out.append(
                f'op.drop_constraint({pystr(fk.name or pg_name(table_name, cols, "fkey"))}, {pystr(table_name)}, type_="foreignkey")'
            )
        out += [f"op.drop_table({pystr(n)})" for n in dropped]
        for e in recreate:
            out += self._recreate_enum(e)
        for name, e in old_enums.items():
            if name not in new_enums:
                out.append(f"op.execute(postgresql.DropEnumType({render(migration_enum_code(e))}))")
        if self.downgrade:  # last, once nothing of this revision uses them; only those the upgrade created
            out += [
                f"_drop_extension({pystr(x)})" for x in self.old.extensions if x not in self.new.extensions
            ]

    def _sequence_renames(self, ot: TableView, nt: TableView) -> list[str]:
        """A serial column's sequence is named after its table and column (`users_id_seq`): renamed with them."""
        out = []
        back = {v: k for k, v in self.renames.get(nt.name, {}).items()}
        for nc in nt.columns:
            oc = ot.column(back.get(nc.name, nc.name))
            if oc is None or not (oc.autoincrement and nc.autoincrement and oc.primary_key):
                continue
            before, after = pg_name(ot.name, [oc.name], "seq"), pg_name(nt.name, [nc.name], "seq")
            if before != after:
                out.append(
                    f"op.execute({pystr(f'ALTER SEQUENCE IF EXISTS {quote_ident(before)} RENAME TO {quote_ident(after)}')})"
                )
        return out

    def _add_exclusion(self, table: str, name: str) -> str:
        """ALTER TABLE … ADD CONSTRAINT … EXCLUDE, compiled from the same construct CREATE TABLE uses."""
        for constraint in self.nb.tables[table].constraints:
            if isinstance(constraint, postgresql.ExcludeConstraint) and constraint.name == name:
                return str(sa.schema.AddConstraint(constraint).compile(dialect=postgresql.dialect()))
        raise KeyError(f"exclusion constraint {name} of {table} was not built")

    def _alter(self, table: str, oc: ColumnView, nc: ColumnView) -> list[str]:
        """ALTER COLUMN for type, nullability and default. A default is dropped before a type change and
        set after it: PostgreSQL cannot cast `nextval(...)` or `'x'::old_enum` to the new type."""
        head = [pystr(table), pystr(nc.name)]
        kw = [f"existing_type={self._type_src(oc, self.old_enums)}"]
        retyped = self._type_key(oc, self.old_enums) != self._type_key(nc, self.new_enums)
        before = render(oc.server_default) if oc.server_default else None
        after = render(nc.server_default) if nc.server_default else None
        out: list[str] = []
        if retyped and before is not None:
            out.append(f"op.alter_column({', '.join(head)}, server_default=None)")
            before = None
        if retyped:
            kw.append(f"type_={self._type_src(nc, self.new_enums)}")
            using = self._using(nc)
            if using:
                kw.append(f"postgresql_using={pystr(using)}")
        kw.append(
            f"nullable={nc.nullable}" if oc.nullable != nc.nullable else f"existing_nullable={nc.nullable}"
        )
        if before != after:
            kw.append(f"server_default={after}")
        elif after:
            kw.append(f"existing_server_default={after}")
        out.append(f"op.alter_column({', '.join(head + kw)})")
        return out

    def _using(self, c: ColumnView) -> str:
        if c.type.ref and c.type.ref in self.new_enums:
            return f"{quote_ident(c.name)}::text::{quote_ident(self.new_enums[c.type.ref].name)}"
        try:
            sql_type = build(c.type).compile(dialect=postgresql.dialect())
        except Exception:  # noqa: BLE001 - a type PostgreSQL cannot name: let it convert implicitly
            return ""
        return f"{quote_ident(c.name)}::{sql_type}"

    def _default_uses(self, e: EnumView, values: list[str]) -> bool:
        """ALTER TYPE … ADD VALUE's value cannot be used in the same transaction (a default that names it)."""
        for tv in self.new.tables:
            for c in tv.columns:
                if (
                    c.type.ref == e.var
                    and c.server_default is not None
                    and any(f"'{v}'" in render(c.server_default) for v in values)
                ):
                    return True
        return False

    def _recreate_enum(self, e: EnumView) -> list[str]:
        """Removing or reordering enum values: a new type, every column converted through text, the old dropped."""
        old = e.name + _OLD_SUFFIX
        out = [
            f"op.execute({pystr(f'ALTER TYPE {quote_ident(e.name)} RENAME TO {quote_ident(old)}')})",
            f"op.execute(postgresql.CreateEnumType({render(migration_enum_code(e))}))",
        ]
        for tv in self.new.tables:
            for c in tv.columns:
                if c.type.ref != e.var:
                    continue
                alter = f"ALTER TABLE {quote_ident(tv.name)} ALTER COLUMN {quote_ident(c.name)} TYPE {quote_ident(e.name)} USING {quote_ident(c.name)}::text::{quote_ident(e.name)}"
                if c.server_default is not None:
                    out.append(f"op.alter_column({pystr(tv.name)}, {pystr(c.name)}, server_default=None)")
                out.append(f"op.execute({pystr(alter)})")
                if c.server_default is not None:
                    out.append(
                        f"op.alter_column({pystr(tv.name)}, {pystr(c.name)}, server_default={render(c.server_default)})"
                    )
        out.append(f"op.execute({pystr(f'DROP TYPE {quote_ident(old)}')})")
        return out

    def _sqlite(
        self, steps: Steps, created: list[str], dropped: list[str], kept: list[tuple[str, str]]
    ) -> None:
        out = steps.sqlite
        # Renames in place: SQLite also rewrites the foreign keys of other tables that name the renamed
        # table or column, which a rebuild of this table alone would leave dangling.
        out += [f"op.rename_table({pystr(o)}, {pystr(n)})" for o, n in kept if o != n]
        for n in created:
            out += self._create_table(n, SQLITE)
            out += _triggers((), self.new.table(n), old_dropped=True)
        for o, n in kept:
            ot, nt = self._pair(o, n)
            d = self.delta(ot, nt, SQLITE)
            out += [
                f"op.alter_column({pystr(n)}, {pystr(a)}, new_column_name={pystr(b)})" for a, b in d.renames
            ]
            if d.rebuilds or self._uses_changed_enum(n):
                out += self._rebuild(ot, nt)
                out += _triggers(ot.exclusions, nt, old_dropped=True)
                steps.rebuilds = True
                continue
            out += [f"op.drop_index({pystr(ix.name)}, table_name={pystr(n)})" for ix in d.drop_indexes]
            if d.create_indexes:
                out.append(render_ops([self._index_op(n, ix) for ix in d.create_indexes], self.nb, 0))
            out += _triggers(ot.exclusions, nt, old_dropped=False)
        out += [f"op.drop_table({pystr(n)})" for n in dropped]

    def _rebuild(self, ot: TableView, nt: TableView) -> list[str]:
        """The new table under a temporary name, every row copied, then swapped in. Renamed columns
        were renamed in place before; a generated column is computed again, not copied (a column that
        stops being generated is copied: its computed values become stored ones)."""
        tmp = REBUILD_PREFIX + nt.name
        copy = self.nb.tables[nt.name].to_metadata(sa.MetaData(), name=tmp)
        back = {v: k for k, v in self.renames.get(nt.name, {}).items()}
        kept = [
            nc.name
            for nc in nt.columns
            if not nc.computed and ot.column(back.get(nc.name, nc.name)) is not None
        ]
        insert = (
            f"INSERT INTO {quote_ident(tmp)} ({', '.join(quote_ident(c) for c in kept)}) "
            f"SELECT {', '.join(quote_ident(c) for c in kept)} FROM {quote_ident(nt.name)}"
        )
        out = [render_ops([ops.CreateTableOp.from_table(copy)], self.nb, 0)]
        if kept:
            out.append(f"op.execute({pystr(insert)})")
        out += [f"op.drop_table({pystr(nt.name)})", f"op.rename_table({pystr(tmp)}, {pystr(nt.name)})"]
        indexes = [self._index_op(nt.name, ix) for ix in nt.indexes if ix.dialect in ("", SQLITE)]
        if indexes:
            out.append(render_ops(indexes, self.nb, 0))
        return out


def _triggers(old: tuple[ExclusionView, ...] | tuple[()], new: TableView | None, *, old_dropped: bool) -> list[str]:
    """SQLite's stand-ins for exclusion constraints (emit/sqlite_exclusions) follow the table's."""
    after = [x.sqlite for x in new.exclusions] if new is not None else []
    sql = trigger_steps([x.sqlite for x in old], after, old_dropped=old_dropped)
    return [f"op.execute({pystr(s)})" for s in sql]


def plan_steps(old: DataView, new: DataView, change: ChangeSet, *, downgrade: bool = False) -> Steps:
    """Steps from `old` to `new`. For the downgrade, call with the views swapped, `change.reversed()`
    and downgrade=True (it then also drops the extensions the upgrade created)."""
    return _Planner(old, new, change, downgrade).run()


__all__ = ["ChangeSet", "Compare", "Steps", "pg_name", "plan_steps"]
