"""Mutable drafts of a table while a front end (pglast, sqlglot, column table) fills it in.

Both SQL front ends and the column-table reader describe the same things (a column, a key, a
check, an index) in different ASTs; they all record them here, and `TableDraft.build()` makes
the frozen IR `Table` with one set of normalization rules:
- a column in the primary key is `primary_key=True` and NOT NULL, however the key was written;
- an unspecified nullability means nullable (SQL semantics);
- foreign keys on the same columns merge, and the later statement's actions win.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from roundtrip.ir.data import (
    CheckConstraint,
    Column,
    Default,
    ExclusionConstraint,
    FKAction,
    ForeignKey,
    Index,
    Table,
    UniqueConstraint,
)
from roundtrip.ir.schema import Origin
from roundtrip.ir.types import TypeRef
from roundtrip.source import NO_SPAN, Span

FK_ACTIONS: dict[str, FKAction] = {
    "cascade": FKAction.CASCADE,
    "restrict": FKAction.RESTRICT,
    "set null": FKAction.SET_NULL,
    "set default": FKAction.SET_DEFAULT,
    "no action": FKAction.NO_ACTION,
}


def fk_action(text: str | None) -> FKAction | None:
    if not text:
        return None
    return FK_ACTIONS.get(" ".join(text.lower().split()))


@dataclass
class ColumnDraft:
    name: str
    type: TypeRef
    span: Span = NO_SPAN
    nullable: bool | None = None  # None: not stated
    default: Default | None = None
    primary_key: bool = False
    unique: bool = False
    autoincrement: bool = False
    generated: str = ""
    on_update: str = ""
    description: str = ""

    def build(self, in_pk: bool) -> Column:
        pk = self.primary_key or in_pk
        nullable = False if pk else (True if self.nullable is None else self.nullable)
        return Column(
            name=self.name,
            type=self.type,
            nullable=nullable,
            default=self.default,
            primary_key=pk,
            unique=self.unique,
            autoincrement=self.autoincrement,
            generated=self.generated,
            on_update=self.on_update,
            description=self.description,
            span=self.span,
        )


@dataclass
class TableDraft:
    name: str
    span: Span = NO_SPAN
    origin: Origin = Origin.SQL
    dialect: str = ""
    description: str = ""
    columns: list[ColumnDraft] = field(default_factory=list)
    primary_key: list[str] = field(default_factory=list)
    uniques: list[UniqueConstraint] = field(default_factory=list)
    checks: list[CheckConstraint] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    exclusions: list[ExclusionConstraint] = field(default_factory=list)

    def column(self, name: str) -> ColumnDraft | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None

    def add_column(self, col: ColumnDraft) -> None:
        self.columns.append(col)
        if col.primary_key and col.name not in self.primary_key:
            self.primary_key.append(col.name)

    def set_primary_key(self, cols: list[str] | tuple[str, ...]) -> None:
        self.primary_key = list(cols)

    def add_foreign_key(self, fk: ForeignKey) -> None:
        """Same columns → one FK; what is stated later fills gaps and its actions win."""
        for i, old in enumerate(self.foreign_keys):
            if old.columns == fk.columns:
                self.foreign_keys[i] = ForeignKey(
                    columns=fk.columns,
                    ref_table=fk.ref_table or old.ref_table,
                    ref_columns=fk.ref_columns or old.ref_columns,
                    name=fk.name or old.name,
                    on_delete=fk.on_delete if fk.on_delete is not None else old.on_delete,
                    on_update=fk.on_update if fk.on_update is not None else old.on_update,
                    span=old.span,
                )
                return
        self.foreign_keys.append(fk)

    def build(self) -> Table:
        pk = tuple(self.primary_key)
        return Table(
            name=self.name,
            columns=tuple(c.build(c.name in pk) for c in self.columns),
            primary_key=pk,
            uniques=tuple(self.uniques),
            checks=tuple(self.checks),
            foreign_keys=tuple(self.foreign_keys),
            indexes=tuple(self.indexes),
            exclusions=tuple(self.exclusions),
            description=self.description,
            origin=self.origin,
            dialect=self.dialect,
            span=self.span,
        )


def draft_from_table(t: Table) -> TableDraft:
    """Reopen a built table (ALTER TABLE, CREATE INDEX after the CREATE TABLE)."""
    d = TableDraft(t.name, t.span, t.origin, t.dialect, t.description)
    for c in t.columns:
        d.columns.append(
            ColumnDraft(c.name, c.type, c.span, c.nullable, c.default, c.primary_key, c.unique, c.autoincrement,
                        c.generated, c.on_update, c.description)
        )
    d.primary_key = list(t.primary_key)
    d.uniques = list(t.uniques)
    d.checks = list(t.checks)
    d.foreign_keys = list(t.foreign_keys)
    d.indexes = list(t.indexes)
    d.exclusions = list(t.exclusions)
    return d


def with_index(t: Table, idx: Index) -> Table:
    return replace(t, indexes=t.indexes + (idx,))


def ordered_unique(names: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for n in names:
        if n not in out:
            out.append(n)
    return tuple(out)
