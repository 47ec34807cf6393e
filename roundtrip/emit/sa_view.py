"""Spec → a view model of the database layer, shared by the models, migration and seed emitters.

All decisions live here: which SQLAlchemy type a logical type becomes on each dialect, which
server default compiles on both, which constraints and indexes exist on PostgreSQL only, the order
tables are created in, and what the relationships are called. The printers only print.

Names: constraints keep the name the docs gave them; unnamed ones stay unnamed so PostgreSQL
assigns its default names (`users_pkey`, `users_email_key`, `tasks_project_id_fkey`), exactly as
it would for the docs' own DDL.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field, replace

from roundtrip.emit.sa_code import Code, call, ref
from roundtrip.emit.sa_dialect import PG_DIALECTS, sqlite_accepts, translate
from roundtrip.emit.sa_order import table_order
from roundtrip.emit.sqlite_exclusions import SqliteExclusion, sqlite_exclusion
from roundtrip.ir import Column, DefaultKind, FKAction, Index, Kind, Spec, Table, TypeRef
from roundtrip.ir.naming import pascal, singular, snake
from roundtrip.source import NO_SPAN, Span

PG = "postgresql"
SQLITE = "sqlite"
_RESERVED_ATTRS = {"metadata", "registry", "type_annotation_map"}
_PG_ONLY_METHODS = {"gin", "gist", "brin", "spgist", "hash"}


@dataclass(frozen=True)
class ColumnView:
    name: str
    attr: str
    py_type: str  # without "| None"
    type: Code
    nullable: bool
    primary_key: bool = False
    autoincrement: bool = False
    server_default: Code | None = None
    default: Code | None = None  # Python-side default (a callable)
    onupdate: Code | None = None
    computed: str = ""  # GENERATED ALWAYS AS (...) STORED, in a spelling both dialects accept
    unique: bool = False
    comment: str = ""
    span: Span = NO_SPAN


@dataclass(frozen=True)
class CheckView:
    sql: str
    name: str = ""
    dialect: str = ""  # "" = both; else the only dialect it exists on
    span: Span = NO_SPAN


@dataclass(frozen=True)
class UniqueView:
    columns: tuple[str, ...]
    name: str = ""
    deferrable: bool = False
    initially_deferred: bool = False


@dataclass(frozen=True)
class ForeignKeyView:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    name: str = ""
    ondelete: str = ""
    onupdate: str = ""
    deferred: bool = False  # part of a cycle: added after every table exists (PostgreSQL)


@dataclass(frozen=True)
class IndexElemView:
    column: str = ""
    expression: str = ""
    descending: bool = False
    opclass: str = ""


@dataclass(frozen=True)
class IndexView:
    name: str
    elements: tuple[IndexElemView, ...]
    unique: bool = False
    where: str = ""
    using: str = ""
    dialect: str = ""  # "" = both


@dataclass(frozen=True)
class ExclusionView:
    name: str
    elements: tuple[tuple[str, str], ...]
    using: str = "gist"
    where: str = ""
    sqlite: SqliteExclusion = SqliteExclusion()  # the triggers standing in for it on SQLite


@dataclass(frozen=True)
class RelationshipView:
    attr: str
    target_class: str
    many: bool
    back_populates: str
    nullable: bool = False
    foreign_keys: tuple[str, ...] = ()  # "Class.attr" when the join is ambiguous
    remote_side: tuple[str, ...] = ()
    passive_deletes: bool = False
    overlaps: tuple[str, ...] = ()  # relationships writing a shared column (composite keys sharing tenant_id)


@dataclass(frozen=True)
class TableView:
    name: str
    class_name: str
    columns: tuple[ColumnView, ...]
    primary_key: tuple[str, ...]
    uniques: tuple[UniqueView, ...] = ()
    checks: tuple[CheckView, ...] = ()
    foreign_keys: tuple[ForeignKeyView, ...] = ()
    indexes: tuple[IndexView, ...] = ()
    exclusions: tuple[ExclusionView, ...] = ()
    relationships: tuple[RelationshipView, ...] = ()
    comment: str = ""
    span: Span = NO_SPAN

    @property
    def mapped(self) -> bool:
        return bool(self.primary_key)

    def column(self, name: str) -> ColumnView | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None


@dataclass(frozen=True)
class EnumView:
    var: str  # module-level variable in models.py
    name: str  # the PostgreSQL type name
    values: tuple[str, ...]


@dataclass(frozen=True)
class DataView:
    tables: tuple[TableView, ...]  # in creation (foreign-key) order
    enums: tuple[EnumView, ...]
    extensions: tuple[str, ...]
    sources: tuple[str, ...]
    notes: tuple[tuple[Span, str], ...] = ()

    def table(self, name: str) -> TableView | None:
        for t in self.tables:
            if t.name == name:
                return t
        return None


@dataclass
class _Ctx:
    spec: Spec
    enums: dict[str, EnumView] = field(default_factory=dict)
    extensions: list[str] = field(default_factory=list)
    notes: list[tuple[Span, str]] = field(default_factory=list)

    def need_extension(self, name: str) -> None:
        if name not in self.extensions:
            self.extensions.append(name)

    def note(self, span: Span, message: str) -> None:
        self.notes.append((span, message))


# ---------------------------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------------------------


def identifier(name: str) -> str:
    s = re.sub(r"\W", "_", name)
    if not s or s[0].isdigit():
        s = "c_" + s
    if keyword.iskeyword(s) or keyword.issoftkeyword(s) or s in _RESERVED_ATTRS:
        s += "_"
    return s


def class_name(table: str) -> str:
    base = pascal(singular(snake(table))) or "Table"
    base = re.sub(r"\W", "", base)
    if not base or base[0].isdigit():
        base = "T" + base
    return base


def _unique(name: str, taken: set[str], suffix: str = "_rel") -> str:
    if name not in taken:
        return name
    if name + suffix not in taken:
        return name + suffix
    n = 2
    while f"{name}{suffix}{n}" in taken:
        n += 1
    return f"{name}{suffix}{n}"


# ---------------------------------------------------------------------------------------------
# types
# ---------------------------------------------------------------------------------------------


def _enum_view(ctx: _Ctx, table: Table, col: Column, t: TypeRef) -> EnumView:
    values = tuple(t.values)
    name = t.enum_name or ""
    if not name:
        # MySQL inline ENUM(...): reuse an API enum with the same values for the type's name if there is one.
        for e in ctx.spec.enums:
            if tuple(e.values) == values:
                name = snake(e.name)
                break
        name = name or f"{table.name}_{col.name}"
    name = snake(name) if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) else name
    prev = ctx.enums.get(name)
    if prev is not None and prev.values != values:
        name = f"{table.name}_{col.name}"
        prev = ctx.enums.get(name)
    if prev is None:
        prev = EnumView(identifier(name.upper()), name, values)
        ctx.enums[name] = prev
    return prev


def _scalar_type(ctx: _Ctx, table: Table, col: Column, t: TypeRef, *, in_array: bool = False) -> tuple[Code, str]:
    k = t.kind
    if k in (Kind.STRING, Kind.LITERAL):
        if t.length and t.fixed:
            return call("sa.CHAR", t.length), "str"
        if t.length:
            return call("sa.String", t.length), "str"
        return call("sa.Text"), "str"
    if k is Kind.INTEGER:
        bits = t.bits or 32
        if t.unsigned and bits < 64:
            bits *= 2  # widen so the whole unsigned range of MySQL's type fits
        if bits <= 16:
            return call("sa.SmallInteger"), "int"
        if bits <= 32:
            return call("sa.Integer"), "int"
        code = call("sa.BigInteger")
        if col.autoincrement and not in_array:
            # SQLite auto-increments only an INTEGER PRIMARY KEY (its rowid).
            code = code.with_variant(call("sa.Integer"), SQLITE)
        return code, "int"
    if k is Kind.FLOAT:
        return (call("sa.REAL") if t.bits == 32 else call("sa.Double")), "float"
    if k is Kind.DECIMAL:
        if t.precision is not None:
            return call("sa.Numeric", t.precision, t.scale or 0), "decimal.Decimal"
        return call("sa.Numeric"), "decimal.Decimal"
    if k is Kind.BOOLEAN:
        return call("sa.Boolean"), "bool"
    if k is Kind.DATE:
        return call("sa.Date"), "datetime.date"
    if k is Kind.TIME:
        return (call("sa.Time", timezone=True) if t.timezone else call("sa.Time")), "datetime.time"
    if k is Kind.DATETIME:
        return (call("rt.TZDateTime") if t.timezone else call("sa.DateTime")), "datetime.datetime"
    if k is Kind.INTERVAL:
        return call("sa.Interval"), "datetime.timedelta"
    if k is Kind.UUID:
        return call("sa.Uuid"), "uuid.UUID"
    if k is Kind.INET:
        return call("rt.IPAddress"), "str"
    if k is Kind.BINARY:
        return call("sa.LargeBinary"), "bytes"
    if k is Kind.ENUM and t.values:
        ev = _enum_view(ctx, table, col, t)
        return ref(ev.var), "str"
    if k is Kind.ENUM:
        return call("sa.Text"), "str"
    if k is Kind.ARRAY:
        items = t.items or TypeRef(Kind.STRING)
        if items.kind in (Kind.ARRAY, Kind.JSON, Kind.OBJECT, Kind.MAP, Kind.REF, Kind.UNION, Kind.ANY, Kind.ENUM):
            # Nested or structured items: a JSON document on both dialects.
            return _json(table), "list[Any]"
        item_code, item_py = _scalar_type(ctx, table, col, items, in_array=True)
        return call("rt.Array", item_code), f"list[{item_py}]"
    return _json(table), "Any"


def _json(table: Table) -> Code:
    return call("sa.JSON").with_variant(call("postgresql.JSONB"), PG)


# ---------------------------------------------------------------------------------------------
# defaults
# ---------------------------------------------------------------------------------------------


def _literal_default(col: Column, value: object, span: Span, ctx: _Ctx) -> Code | None:
    k = col.type.kind
    if value is None:
        return None
    if k is Kind.BOOLEAN:
        truthy = value is True or str(value).strip().lower() in ("1", "true", "t", "yes", "on")
        return call("sa.true") if truthy else call("sa.false")
    if k in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
        text = str(value).strip().strip("'")
        if re.fullmatch(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?", text):
            return call("sa.text", text)
        ctx.note(span, f"default {value!r} of {col.name} is not a number; left out")
        return None
    if k is Kind.TIME:
        text = str(value)
        if re.fullmatch(r"\d{1,2}:\d{2}", text):
            text += ":00"  # SQLite's TIME reader needs seconds
        return call("sa.text", "'" + text.replace("'", "''") + "'")
    if k is Kind.JSON or k in (Kind.OBJECT, Kind.MAP, Kind.ANY):
        text = value if isinstance(value, str) else _json_text(value)
        return call("sa.text", "'" + text.replace("'", "''") + "'")
    if isinstance(value, bool):
        value = "true" if value else "false"
    return call("sa.text", "'" + str(value).replace("'", "''") + "'")


def _json_text(value: object) -> str:
    import json

    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _defaults(ctx: _Ctx, table: Table, col: Column) -> tuple[Code | None, Code | None, Code | None]:
    """(server_default, python default, onupdate) for a column."""
    d = col.default
    server: Code | None = None
    python: Code | None = None
    k = col.type.kind
    if d is not None:
        if d.kind is DefaultKind.NOW:
            server = call("sa.func.current_date") if k is Kind.DATE else call("sa.func.now")
        elif d.kind is DefaultKind.UUID:
            fn = "uuid_generate_v4" if "uuid_generate_v4" in d.sql.lower() else "gen_random_uuid"
            if fn == "uuid_generate_v4":
                ctx.need_extension("uuid-ossp")
            if k is Kind.UUID:
                server = call(f"rt.{fn}")
                python = Code("uuid.uuid4", call=False)
            else:
                server = call("rt.uuid_text")
                python = Code("rt.new_uuid_text", call=False)
        elif d.kind is DefaultKind.EMPTY_ARRAY:
            server = call("rt.empty_array") if k is Kind.ARRAY else call("sa.text", "'[]'")
        elif d.kind is DefaultKind.LITERAL:
            server = _literal_default(col, d.value, col.span, ctx)
        else:
            tr = translate(d.sql, table.dialect, table.column_names)
            if tr.postgresql and (tr.sqlite == tr.postgresql or sqlite_accepts(tr.postgresql, table.column_names)):
                server = call("sa.text", tr.postgresql)
            elif tr.postgresql:
                server = call("sa.text", tr.postgresql)
                ctx.note(col.span, f"default {d.sql!r} of {table.name}.{col.name} has no SQLite spelling; SQLite databases will reject it")
            else:
                ctx.note(col.span, f"default {d.sql!r} of {table.name}.{col.name} could not be translated; left out")
    elif k is Kind.UUID and col.primary_key and len(table.primary_key) <= 1:
        python = Code("uuid.uuid4", call=False)
    onupdate: Code | None = None
    if col.on_update or (col.name == "updated_at" and d is not None and d.kind is DefaultKind.NOW):
        # MySQL ON UPDATE CURRENT_TIMESTAMP, or an updated_at the docs maintain with a trigger.
        onupdate = call("sa.func.now")
    return server, python, onupdate


# ---------------------------------------------------------------------------------------------
# constraints and indexes
# ---------------------------------------------------------------------------------------------


def _checks(ctx: _Ctx, table: Table) -> list[CheckView]:
    out: list[CheckView] = []
    for ck in table.checks:
        tr = translate(ck.expression, table.dialect, table.column_names)
        if tr.postgresql is None:
            ctx.note(ck.span, f"CHECK ({ck.expression}) on {table.name} could not be translated for PostgreSQL; left out")
            continue
        if tr.sqlite == tr.postgresql:
            out.append(CheckView(tr.postgresql, ck.name, "", ck.span))
            continue
        out.append(CheckView(tr.postgresql, ck.name, PG, ck.span))
        if tr.sqlite is not None:
            out.append(CheckView(tr.sqlite, ck.name, SQLITE, ck.span))
        else:
            ctx.note(ck.span, f"CHECK ({ck.expression}) on {table.name} has no SQLite equivalent; enforced on PostgreSQL only")
    return out


def _index_element(ctx: _Ctx, table: Table, el: IndexElemView) -> tuple[IndexElemView | None, IndexElemView | None]:
    """The element on (PostgreSQL, SQLite); None where that dialect cannot express it."""
    if el.column:
        if table.column(el.column) is None:
            return None, None
        return el, (el if not el.opclass else IndexElemView(el.column, "", el.descending))
    tr = translate(el.expression, table.dialect, table.column_names)
    pg = IndexElemView("", tr.postgresql, el.descending, el.opclass) if tr.postgresql else None
    lite = IndexElemView("", tr.sqlite, el.descending) if tr.sqlite else None
    return pg, lite


def _fulltext_expression(cols: list[str]) -> str:
    parts = " || ' ' || ".join(f"coalesce({c}, '')" for c in cols)
    return f"to_tsvector('simple', {parts})"


def _indexes(ctx: _Ctx, table: Table) -> list[IndexView]:
    out: list[IndexView] = []
    taken = {ix.name for ix in table.indexes if ix.name}
    for ix in table.indexes:
        if not ix.name:
            # CREATE INDEX without a name: PostgreSQL's own choice, table_col1_col2_idx (63 bytes at most).
            cols = "_".join(e.column or "expr" for e in ix.elements) or "expr"
            base = f"{table.name}_{cols}"[:59] + "_idx"
            name, n = base, 1
            while name in taken:
                name = f"{base}{n}"
                n += 1
            taken.add(name)
            ix = replace(ix, name=name)
        out.extend(_index_views(ctx, table, ix))
    return out


def _index_views(ctx: _Ctx, table: Table, ix: Index) -> list[IndexView]:
    using = (ix.using or "").lower()
    if using == "btree":
        using = ""
    elems = [IndexElemView(e.column, e.expression, e.descending, e.opclass) for e in ix.elements]
    if using == "fulltext":
        cols = [e.column for e in elems if e.column and table.column(e.column) is not None]
        if not cols:
            return []
        ctx.note(ix.span, f"FULLTEXT index {ix.name} becomes a GIN index over to_tsvector on PostgreSQL (none on SQLite)")
        return [IndexView(ix.name, (IndexElemView("", _fulltext_expression(cols)),), False, "", "gin", PG)]
    pg_elems: list[IndexElemView] = []
    lite_elems: list[IndexElemView] = []
    pg_ok = lite_ok = True
    for el in elems:
        pg, lite = _index_element(ctx, table, el)
        if pg is None:
            pg_ok = False
        else:
            pg_elems.append(pg)
        if lite is None:
            lite_ok = False
        else:
            lite_elems.append(lite)
        if el.opclass:
            lite_ok = False
            if el.opclass.endswith("_trgm_ops"):
                ctx.need_extension("pg_trgm")
    multi_valued = table.dialect not in PG_DIALECTS and any(re.search(r"\bARRAY\s*\)?\s*$", e.expression, re.I) for e in elems)
    if multi_valued or (not pg_ok and table.dialect not in PG_DIALECTS):
        # MySQL multi-valued index over a JSON array (CAST(col->'$' AS ... ARRAY)): GIN does that on PostgreSQL.
        json_cols = [c.name for c in table.columns if c.type.kind is Kind.JSON and any(c.name in e.expression for e in elems)]
        if len(json_cols) == 1:
            ctx.note(ix.span, f"index {ix.name} is MySQL-specific; it becomes a GIN index on {json_cols[0]} on PostgreSQL")
            return [IndexView(ix.name, (IndexElemView(json_cols[0]),), ix.unique, "", "gin", PG)]
    where_pg = where_lite = ""
    if ix.where:
        tr = translate(ix.where, table.dialect, table.column_names)
        if tr.postgresql is None:
            pg_ok = False
        else:
            where_pg = tr.postgresql
        if tr.sqlite is None:
            lite_ok = False
        else:
            where_lite = tr.sqlite
    if using in _PG_ONLY_METHODS:
        lite_ok = False
    if not pg_ok:
        ctx.note(ix.span, f"index {ix.name} on {table.name} could not be translated for PostgreSQL; left out")
        return []
    pg_view = IndexView(ix.name, tuple(pg_elems), ix.unique, where_pg, using, "")
    if lite_ok and tuple(lite_elems) == tuple(pg_elems) and where_lite == where_pg:
        return [pg_view]
    out = [IndexView(ix.name, tuple(pg_elems), ix.unique, where_pg, using, PG)]
    if lite_ok:
        out.append(IndexView(ix.name, tuple(lite_elems), ix.unique, where_lite, "", SQLITE))
    elif not (using in _PG_ONLY_METHODS or any(e.opclass for e in elems)):
        ctx.note(ix.span, f"index {ix.name} on {table.name} has no SQLite equivalent; created on PostgreSQL only")
    return out


def _exclusions(ctx: _Ctx, table: Table) -> list[ExclusionView]:
    out: list[ExclusionView] = []
    for i, ex in enumerate(table.exclusions):
        elements: list[tuple[str, str]] = []
        for expr, op in ex.elements:
            tr = translate(expr, table.dialect, table.column_names)
            elements.append((tr.postgresql or expr, op))
            col = table.column(expr.strip())
            if (ex.using or "gist").lower() == "gist" and op.strip() == "=" and col is not None:
                ctx.need_extension("btree_gist")  # `=` on a scalar column inside a GiST index
        where = translate(ex.where, table.dialect, table.column_names).postgresql or "" if ex.where else ""
        name = ex.name or f"{table.name}_excl{'' if i == 0 else i}"
        lite = sqlite_exclusion(table.name, name, ex.elements, ex.where, table.dialect, table.column_names)
        if lite.reason:
            ctx.note(ex.span, f"exclusion constraint {name} on {table.name} is enforced on PostgreSQL only: {lite.reason}")
        out.append(ExclusionView(name, tuple(elements), (ex.using or "gist").lower(), where, lite))
    return out


def _foreign_keys(ctx: _Ctx, table: Table, known: dict[str, Table], deferred: set[tuple[str, int]]) -> list[ForeignKeyView]:
    out: list[ForeignKeyView] = []
    for i, fk in enumerate(table.foreign_keys):
        target = known.get(fk.ref_table)
        if target is None:
            ctx.note(fk.span, f"foreign key {table.name}({', '.join(fk.columns)}) references unknown table {fk.ref_table}; left out")
            continue
        ref_cols = fk.ref_columns or target.primary_key
        if not ref_cols or len(ref_cols) != len(fk.columns):
            ctx.note(fk.span, f"foreign key {table.name}({', '.join(fk.columns)}) → {fk.ref_table} names no matching key columns; left out")
            continue
        if any(table.column(c) is None for c in fk.columns) or any(target.column(c) is None for c in ref_cols):
            ctx.note(fk.span, f"foreign key {table.name}({', '.join(fk.columns)}) → {fk.ref_table}({', '.join(ref_cols)}) names a missing column; left out")
            continue
        if not _is_unique_key(target, tuple(ref_cols), any_order=True):
            # PostgreSQL refuses a foreign key to columns without a unique key; the docs must state one.
            ctx.note(fk.span, f"foreign key {table.name}({', '.join(fk.columns)}) → {fk.ref_table}({', '.join(ref_cols)}) references no primary or unique key of {fk.ref_table}; left out (state the unique key in the docs)")
            continue
        out.append(
            ForeignKeyView(
                tuple(fk.columns),
                fk.ref_table,
                tuple(ref_cols),
                fk.name,
                _action(fk.on_delete),
                _action(fk.on_update),
                (table.name, i) in deferred,
            )
        )
    return out


def _action(a: FKAction | None) -> str:
    if a is None or a is FKAction.NO_ACTION:
        return ""
    return a.value


# ---------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------


def _columns(ctx: _Ctx, table: Table) -> list[ColumnView]:
    out: list[ColumnView] = []
    taken: set[str] = set()
    for col in table.columns:
        code, py = _scalar_type(ctx, table, col, col.type)
        server, python, onupdate = _defaults(ctx, table, col)
        computed = ""
        if col.generated:
            tr = translate(col.generated, table.dialect, table.column_names)
            if tr.postgresql and sqlite_accepts(tr.postgresql, table.column_names):
                computed = tr.postgresql
            elif tr.postgresql and tr.sqlite is None:
                computed = tr.postgresql
                ctx.note(col.span, f"generated column {table.name}.{col.name} has no SQLite spelling")
            elif tr.postgresql:
                computed = tr.postgresql
            else:
                ctx.note(col.span, f"generated column {table.name}.{col.name} ({col.generated}) could not be translated; kept as a plain column")
            if computed:
                server = python = onupdate = None
        attr = _unique(identifier(col.name), taken, "_")
        taken.add(attr)
        pk = col.name in table.primary_key or (col.primary_key and not table.primary_key)
        out.append(
            ColumnView(
                col.name,
                attr,
                py,
                code,
                bool(col.nullable) and not pk,
                pk,
                bool(col.autoincrement),
                server,
                python,
                onupdate,
                computed,
                bool(col.unique) and not pk,
                (col.description or "").strip(),
                col.span,
            )
        )
    return out


def _is_unique_key(table: Table, cols: tuple[str, ...], *, any_order: bool = False) -> bool:
    def same(other: tuple[str, ...]) -> bool:
        return sorted(other) == sorted(cols) if any_order else other == cols

    pk = tuple(table.primary_key) or tuple(c.name for c in table.columns if c.primary_key)
    if same(pk):
        return True
    if len(cols) == 1:
        c = table.column(cols[0])
        if c is not None and c.unique:
            return True
    if any(same(tuple(u.columns)) for u in table.uniques):
        return True
    return any(ix.unique and not ix.where and same(tuple(e.column for e in ix.elements)) for ix in table.indexes)


def _relationships(views: dict[str, TableView], tables: dict[str, Table]) -> dict[str, list[RelationshipView]]:
    """Many-to-one attributes on the referencing class, collections on the referenced class."""
    rels: dict[str, list[RelationshipView]] = {name: [] for name in views}
    taken: dict[str, set[str]] = {name: {c.attr for c in v.columns} for name, v in views.items()}
    pairs: dict[str, list[tuple[set[str], tuple[str, int], tuple[str, int]]]] = {}
    for name, view in views.items():
        if not view.mapped:
            continue
        for fk in view.foreign_keys:
            parent = views.get(fk.ref_table)
            if parent is None or not parent.mapped:
                continue
            same_pair = [f for f in view.foreign_keys if f.ref_table == fk.ref_table]
            back_refs = [f for f in parent.foreign_keys if f.ref_table == name] if parent.name != name else []
            ambiguous = len(same_pair) > 1 or bool(back_refs) or parent.name == name
            if len(fk.columns) == 1 and fk.columns[0].endswith("_id") and len(fk.columns[0]) > 3:
                base = fk.columns[0][:-3]
            elif len(same_pair) == 1:
                base = singular(fk.ref_table)
            else:
                base = f"{'_'.join(fk.columns)}_{singular(fk.ref_table)}"
            child_attr = _unique(identifier(base), taken[name])
            taken[name].add(child_attr)
            if len(same_pair) == 1 and parent.name != name:
                coll = name
            elif parent.name == name and child_attr == "parent":
                coll = "children"
            else:
                coll = f"{child_attr}_{name}"
            parent_attr = _unique(identifier(coll), taken[parent.name])
            taken[parent.name].add(parent_attr)
            fk_cols = [c for c in (view.column(n) for n in fk.columns) if c is not None]
            fk_attrs = tuple(f"{view.class_name}.{c.attr}" for c in fk_cols)
            nullable = len(fk_cols) < len(fk.columns) or any(c.nullable for c in fk_cols)
            one_to_one = _is_unique_key(tables[name], fk.columns)
            ref_cols = [c for c in (parent.column(n) for n in fk.ref_columns) if c is not None]
            remote = tuple(f"{parent.class_name}.{c.attr}" for c in ref_cols) if parent.name == name else ()
            rels[name].append(
                RelationshipView(child_attr, parent.class_name, False, parent_attr, nullable, fk_attrs if ambiguous else (), remote)
            )
            rels[parent.name].append(
                RelationshipView(parent_attr, view.class_name, not one_to_one, child_attr, True, fk_attrs if ambiguous else (), (), True)
            )
            pairs.setdefault(name, []).append((set(fk.columns), (name, len(rels[name]) - 1), (parent.name, len(rels[parent.name]) - 1)))
    # Foreign keys of one table that share a column (composite keys that all include tenant_id)
    # make their relationships write the same column: tell SQLAlchemy that is intended.
    for entries in pairs.values():
        for cols, child_ref, parent_ref in entries:
            others = [(c, p) for cs, c, p in entries if (c, p) != (child_ref, parent_ref) and cs & cols]
            names = tuple(sorted({rels[t][i].attr for c, p in others for t, i in (c, p)}))
            if names:
                for t, i in (child_ref, parent_ref):
                    rels[t][i] = replace(rels[t][i], overlaps=names)
    return rels


def build_view(spec: Spec) -> DataView:
    """Lower a Spec's data model into the view every database emitter prints."""
    ctx = _Ctx(spec)
    for ext in spec.extensions:
        ctx.need_extension(ext)
    usable = [t for t in spec.tables if t.columns]
    known = {t.name: t for t in usable}
    order, deferred = table_order(usable)
    views: dict[str, TableView] = {}
    taken_classes: set[str] = {"Base", "Any"}
    for table in order:
        cls = _unique(class_name(table.name), taken_classes, "Model")
        taken_classes.add(cls)
        columns = _columns(ctx, table)
        pk = tuple(c for c in table.primary_key if table.column(c) is not None)
        if not pk:
            pk = tuple(c.name for c in table.columns if c.primary_key)
        if not pk:
            ctx.note(table.span, f"table {table.name} has no primary key; it gets a Table but no mapped class")
        views[table.name] = TableView(
            table.name,
            cls,
            tuple(columns),
            pk,
            tuple(UniqueView(tuple(u.columns), u.name, u.deferrable, u.initially_deferred) for u in table.uniques if all(table.column(c) for c in u.columns)),
            tuple(_checks(ctx, table)),
            tuple(_foreign_keys(ctx, table, known, deferred)),
            tuple(_indexes(ctx, table)),
            tuple(_exclusions(ctx, table)),
            (),
            (table.description or "").strip(),
            table.span,
        )
    rels = _relationships(views, known)
    final = tuple(_with_relationships(views[t.name], rels[t.name]) for t in order)
    return DataView(final, tuple(ctx.enums.values()), tuple(ctx.extensions), tuple(spec.files), tuple(ctx.notes))


def _with_relationships(view: TableView, rels: list[RelationshipView]) -> TableView:
    return replace(view, relationships=tuple(rels))
