"""PostgreSQL front end: pglast (the real PG parser) AST → table drafts, indexes, enums, sample rows.

pglast gives exact PostgreSQL semantics and character offsets for every column and constraint,
so spans point at the column's own line. Types are read from the statement text at the type's
offset (the type *as written*), then mapped by `sql_types.map_sql_type` like every other notation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import AlterTableType, ConstrType, SortByDir
from pglast.stream import RawStream

from roundtrip.ir.data import (
    CheckConstraint,
    EnumType,
    ExclusionConstraint,
    FKAction,
    ForeignKey,
    Index,
    UniqueConstraint,
)
from roundtrip.readers.sql_context import SqlContext, index_element, sample_value, tuple_offsets
from roundtrip.readers.sql_split import Statement
from roundtrip.readers.sql_table import ColumnDraft, TableDraft, ordered_unique
from roundtrip.readers.sql_types import classify_default, scan_type

_FK_CHARS: dict[str, FKAction | None] = {
    "a": None,  # NO ACTION is also what an unstated action parses to; keep "not stated"
    "r": FKAction.RESTRICT,
    "c": FKAction.CASCADE,
    "n": FKAction.SET_NULL,
    "d": FKAction.SET_DEFAULT,
}

_OPAQUE_KINDS = {
    "CreateFunctionStmt": "function", "DoStmt": "function", "CreateTrigStmt": "trigger",
    "CreateEventTrigStmt": "trigger", "CreatePolicyStmt": "policy", "AlterPolicyStmt": "policy",
    "CommentStmt": "comment", "DropStmt": "drop", "ViewStmt": "view", "CreateTableAsStmt": "view",
    "AlterTableStmt": "alter", "GrantStmt": "other", "CreateSeqStmt": "other",
}


def pg_parse(text: str) -> tuple[Any, str]:
    """(statement node, "") or (None, error message)."""
    try:
        raws = parse_sql(text)
    except Exception as exc:  # noqa: BLE001 - pglast.parser.ParseError, plus anything libpg_query throws
        msg = exc.args[0] if exc.args else str(exc)
        return None, str(msg)
    if not raws:
        return None, "empty statement"
    return raws[0].stmt, ""


def render(node: Any) -> str:
    if node is None:
        return ""
    try:
        return " ".join(RawStream()(node).split())
    except Exception:  # noqa: BLE001 - a node RawStream cannot print still must not crash the reader
        return ""


def _walk(node: Any) -> Iterator[Any]:
    if isinstance(node, ast.Node):
        yield node
        for name in getattr(type(node), "__slots__", ()):
            yield from _walk(getattr(node, name, None))
    elif isinstance(node, (list, tuple)):
        for x in node:
            yield from _walk(x)


def mentioned_columns(node: Any) -> tuple[str, ...]:
    names: list[str] = []
    for n in _walk(node):
        if isinstance(n, ast.ColumnRef) and n.fields:
            last = n.fields[-1]
            if isinstance(last, ast.String) and last.sval:
                names.append(last.sval)
    return ordered_unique(names)


def _names(items: Any) -> tuple[str, ...]:
    return tuple(x.sval for x in (items or ()) if isinstance(x, ast.String) and x.sval)


def _relname(rel: ast.RangeVar | None) -> str:
    return (rel.relname or "") if rel is not None else ""


def _loc(node: Any, default: int = 0) -> int:
    loc = getattr(node, "location", None)
    return loc if isinstance(loc, int) and loc >= 0 else default


# ---------------------------------------------------------------- CREATE TABLE


def pg_create_table(node: ast.CreateStmt, st: Statement, ctx: SqlContext) -> TableDraft | None:
    """None for `CREATE TABLE x PARTITION OF y` and other forms without a column list."""
    elts = node.tableElts or ()
    if not elts:
        return None
    draft = TableDraft(_relname(node.relation), ctx.span(st.line), ctx.origin, ctx.dialect)
    for el in elts:
        if isinstance(el, ast.ColumnDef):
            add_column(el, st, ctx, draft)
        elif isinstance(el, ast.Constraint):
            apply_table_constraint(el, st, ctx, draft)
    return draft


def add_column(cd: ast.ColumnDef, st: Statement, ctx: SqlContext, draft: TableDraft) -> ColumnDraft:
    line = st.line_at(_loc(cd))
    type_text = ""
    if cd.typeName is not None:
        tloc = _loc(cd.typeName, -1)
        if tloc >= 0:
            type_text, _ = scan_type(st.text, tloc)
        if not type_text:
            type_text = render(cd.typeName)
    name = cd.colname or ""
    mapped = ctx.map_type(type_text or "text", line, name)
    col = ColumnDraft(name, mapped.type, ctx.span(line), autoincrement=mapped.autoincrement)
    if cd.is_not_null:
        col.nullable = False
    for con in cd.constraints or ():
        _column_constraint(con, col, st, ctx, draft)
    draft.add_column(col)
    return col


def _fk(con: ast.Constraint, cols: tuple[str, ...], st: Statement, ctx: SqlContext) -> ForeignKey:
    return ForeignKey(
        columns=cols,
        ref_table=_relname(con.pktable),
        ref_columns=_names(con.pk_attrs),
        name=con.conname or "",
        on_delete=_FK_CHARS.get(con.fk_del_action or "a"),
        on_update=_FK_CHARS.get(con.fk_upd_action or "a"),
        span=ctx.span(st.line_at(_loc(con))),
    )


def _column_constraint(con: ast.Constraint, col: ColumnDraft, st: Statement, ctx: SqlContext, draft: TableDraft) -> None:
    t = con.contype
    if t == ConstrType.CONSTR_NULL:
        col.nullable = True
    elif t == ConstrType.CONSTR_NOTNULL:
        col.nullable = False
    elif t == ConstrType.CONSTR_DEFAULT:
        col.default = classify_default(render(con.raw_expr), col.type)
    elif t == ConstrType.CONSTR_IDENTITY:
        col.autoincrement = True
    elif t == ConstrType.CONSTR_GENERATED:
        col.generated = render(con.raw_expr)
    elif t == ConstrType.CONSTR_CHECK:
        cols = mentioned_columns(con.raw_expr) or (col.name,)
        draft.checks.append(CheckConstraint(render(con.raw_expr), con.conname or "", cols, ctx.span(st.line_at(_loc(con)))))
    elif t == ConstrType.CONSTR_PRIMARY:
        col.primary_key = True
    elif t == ConstrType.CONSTR_UNIQUE:
        col.unique = True
    elif t == ConstrType.CONSTR_FOREIGN:
        draft.add_foreign_key(_fk(con, (col.name,), st, ctx))


def apply_table_constraint(con: ast.Constraint, st: Statement, ctx: SqlContext, draft: TableDraft) -> bool:
    """Record a table-level constraint; False when its kind is not modelled."""
    t = con.contype
    span = ctx.span(st.line_at(_loc(con)))
    name = con.conname or ""
    if t == ConstrType.CONSTR_PRIMARY:
        draft.set_primary_key(_names(con.keys))
    elif t == ConstrType.CONSTR_UNIQUE:
        draft.uniques.append(UniqueConstraint(_names(con.keys), name, bool(con.deferrable), bool(con.initdeferred), span))
    elif t == ConstrType.CONSTR_CHECK:
        draft.checks.append(CheckConstraint(render(con.raw_expr), name, mentioned_columns(con.raw_expr), span))
    elif t == ConstrType.CONSTR_FOREIGN:
        draft.add_foreign_key(_fk(con, _names(con.fk_attrs), st, ctx))
    elif t == ConstrType.CONSTR_EXCLUSION:
        elements: list[tuple[str, str]] = []
        for pair in con.exclusions or ():
            elem, ops = pair[0], pair[1]
            expr = elem.name if getattr(elem, "name", None) else render(getattr(elem, "expr", None))
            elements.append((expr, ".".join(_names(ops))))
        draft.exclusions.append(
            ExclusionConstraint(tuple(elements), con.access_method or "gist", render(con.where_clause), name, span)
        )
    else:
        return False
    return True


# ---------------------------------------------------------------- ALTER TABLE


def pg_alter_table(node: ast.AlterTableStmt, st: Statement, ctx: SqlContext, draft: TableDraft) -> bool:
    """Apply ADD COLUMN / ADD CONSTRAINT / SET|DROP NOT NULL / SET DEFAULT to the draft.
    Returns False when some sub-command is not modelled (the caller keeps the statement as opaque)."""
    ok = True
    for cmd in node.cmds or ():
        sub = cmd.subtype
        if sub == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
            if draft.column(cmd.def_.colname or "") is None:
                add_column(cmd.def_, st, ctx, draft)
        elif sub == AlterTableType.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
            ok = apply_table_constraint(cmd.def_, st, ctx, draft) and ok
        elif sub in (AlterTableType.AT_SetNotNull, AlterTableType.AT_DropNotNull) and draft.column(cmd.name or ""):
            col = draft.column(cmd.name or "")
            assert col is not None
            col.nullable = sub == AlterTableType.AT_DropNotNull
        elif sub == AlterTableType.AT_ColumnDefault and draft.column(cmd.name or ""):
            col = draft.column(cmd.name or "")
            assert col is not None
            col.default = classify_default(render(cmd.def_), col.type) if cmd.def_ is not None else None
        else:
            ok = False
    return ok


def pg_alter_target(node: ast.AlterTableStmt) -> str:
    return _relname(node.relation)


# ---------------------------------------------------------------- CREATE INDEX / TYPE / EXTENSION


def pg_index(node: ast.IndexStmt, st: Statement, ctx: SqlContext) -> tuple[str, Index]:
    elements = []
    for el in node.indexParams or ():
        desc = el.ordering == SortByDir.SORTBY_DESC
        opclass = ".".join(_names(el.opclass))
        if el.name:
            elements.append(index_element(el.name, desc, opclass))
        else:
            elements.append(index_element(render(el.expr), desc, opclass))
    method = (node.accessMethod or "").lower()
    idx = Index(
        name=node.idxname or "",
        elements=tuple(elements),
        unique=bool(node.unique),
        where=render(node.whereClause),
        using="" if method == "btree" else method,
        span=ctx.span(st.line),
    )
    return _relname(node.relation), idx


def pg_enum(node: ast.CreateEnumStmt, st: Statement, ctx: SqlContext) -> EnumType:
    name = _names(node.typeName)[-1]
    return EnumType(name, _names(node.vals), ctx.origin, ctx.span(st.line))


# ---------------------------------------------------------------- INSERT


def _value(node: Any) -> Any:
    if isinstance(node, ast.A_Const):
        if node.isnull:
            return None
        v = node.val
        if isinstance(v, ast.Integer):
            return v.ival
        if isinstance(v, ast.Float):
            try:
                return float(v.fval or "")
            except ValueError:
                return v.fval
        if isinstance(v, ast.Boolean):
            return bool(v.boolval)
        if isinstance(v, ast.String):
            return v.sval
        return render(node)
    if isinstance(node, ast.TypeCast):
        inner = _value(node.arg)
        return inner
    if isinstance(node, ast.A_Expr) and node.lexpr is None and _names(node.name) == ("-",):
        inner = _value(node.rexpr)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner
    return sample_value(render(node))


def pg_insert(node: ast.InsertStmt, st: Statement) -> tuple[str, list[str], list[tuple[int, list[Any]]]] | None:
    """(table, columns as written, [(row line, values)]); None for INSERT ... SELECT."""
    sel = node.selectStmt
    if not isinstance(sel, ast.SelectStmt) or not sel.valuesLists:
        return None
    cols = [rt.name for rt in (node.cols or ()) if isinstance(rt, ast.ResTarget) and rt.name]
    offsets = tuple_offsets(st)
    rows: list[tuple[int, list[Any]]] = []
    for i, values in enumerate(sel.valuesLists):
        line = st.line_at(offsets[i]) if i < len(offsets) else st.line
        rows.append((line, [_value(v) for v in values]))
    return _relname(node.relation), cols, rows


def pg_opaque_kind(node: Any) -> str:
    return _OPAQUE_KINDS.get(type(node).__name__, "other")
