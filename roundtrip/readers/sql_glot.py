"""MySQL (and lenient fallback) front end: sqlglot AST → table drafts, indexes, sample rows.

sqlglot normalizes semantically (NOW() → CURRENT_TIMESTAMP, NUMERIC → DECIMAL), so types are
read from the statement text after each column name instead of from its DataType, and only
constraint *meaning* comes from the AST. An `exp.Command` means sqlglot did not understand the
statement; callers treat it as unparsed.
"""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlglot import exp

from roundtrip.ir.data import CheckConstraint, ForeignKey, Index, UniqueConstraint
from roundtrip.readers.sql_cells import split_top
from roundtrip.readers.sql_context import SqlContext, index_element, sample_value, tuple_offsets
from roundtrip.readers.sql_split import Statement
from roundtrip.readers.sql_table import ColumnDraft, TableDraft, fk_action, ordered_unique
from roundtrip.readers.sql_types import NO_VALUE, balanced, classify_default, literal_value, scan_type


def glot_parse(text: str, dialect: str) -> tuple[Any, str]:
    read = "mysql" if dialect == "mysql" else "postgres"
    try:
        e = sqlglot.parse_one(text, read=read)
    except Exception as exc:  # noqa: BLE001 - ParseError, TokenError and the odd internal error
        msg = str(exc).split("\n")[0]
        return None, msg
    if e is None or isinstance(e, exp.Command):
        return None, "statement not understood"
    return e, ""


def _sql(node: Any, dialect: str) -> str:
    if node is None:
        return ""
    try:
        return " ".join(node.sql(dialect="mysql" if dialect == "mysql" else "postgres").split())
    except Exception:  # noqa: BLE001
        return ""


def _unparen(text: str) -> str:
    t = text.strip()
    while t.startswith("(") and t.endswith(")"):
        depth = 0
        closes_at_end = True
        for i, ch in enumerate(t):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(t) - 1:
                closes_at_end = False
                break
        if not closes_at_end:
            break
        t = t[1:-1].strip()
    return t


def _line(node: Any, st: Statement) -> int:
    """File line of the first identifier inside `node` (sqlglot keeps token lines on identifiers)."""
    for n in node.walk() if isinstance(node, exp.Expression) else ():
        if isinstance(n, exp.Identifier) and n.meta.get("line"):
            return st.base_line + int(n.meta["line"]) - 1
    return st.line


def _first_offset(node: Any) -> int:
    for n in node.walk() if isinstance(node, exp.Expression) else ():
        if isinstance(n, exp.Identifier) and "start" in n.meta:
            return int(n.meta["start"])
    return -1


def _group_after(text: str, pos: int) -> str:
    """Inner text of the first parenthesized group at or after pos ("" if none)."""
    i = text.find("(", pos)
    if i < 0:
        return ""
    end = balanced(text, i, "(", ")")
    return " ".join(text[i + 1 : end - 1].split())


def _as_written_check(node: Any, st: Statement, named: bool) -> str:
    """The CHECK (...) text as the document wrote it (sqlglot would print `x REGEXP 'p'` as REGEXP_LIKE)."""
    first = _first_offset(node)
    if first < 0:
        return ""
    upper = st.text.upper()
    if named:
        kw = upper.find("CHECK", first)
    else:
        kw = upper.rfind("CHECK", 0, first + 1)
    return _group_after(st.text, kw + 5) if kw >= 0 else ""


def _name(node: Any) -> str:
    if isinstance(node, exp.Ordered):
        node = node.this
    if isinstance(node, (exp.Identifier, exp.Column, exp.Table)):
        return node.name
    return ""


def _names(items: Any) -> tuple[str, ...]:
    return tuple(n for n in (_name(x) for x in (items or ())) if n)


def _columns_of(node: Any) -> tuple[str, ...]:
    return ordered_unique([c.name for c in node.find_all(exp.Column)]) if isinstance(node, exp.Expression) else ()


def _table_name(node: Any) -> str:
    if isinstance(node, exp.Schema):
        node = node.this
    return node.name if isinstance(node, exp.Table) else ""


def _fk(ref: exp.Reference, cols: tuple[str, ...], name: str, st: Statement, ctx: SqlContext) -> ForeignKey:
    target = ref.this
    ref_cols = _names(target.expressions) if isinstance(target, exp.Schema) else ()
    on_delete = on_update = None
    for opt in ref.args.get("options") or ():
        text = " ".join(str(opt).upper().split())
        if text.startswith("ON DELETE "):
            on_delete = fk_action(text[len("ON DELETE "):])
        elif text.startswith("ON UPDATE "):
            on_update = fk_action(text[len("ON UPDATE "):])
    return ForeignKey(cols, _table_name(target), ref_cols, name, on_delete, on_update, ctx.span(_line(ref, st)))


# ---------------------------------------------------------------- CREATE TABLE


def glot_create_table(e: exp.Create, st: Statement, ctx: SqlContext) -> TableDraft | None:
    schema = e.this
    if not isinstance(schema, exp.Schema) or not schema.expressions:
        return None
    draft = TableDraft(_table_name(schema), ctx.span(st.line), ctx.origin, ctx.dialect)
    for el in schema.expressions:
        if isinstance(el, exp.ColumnDef):
            add_column(el, st, ctx, draft)
        else:
            apply_table_constraint(el, st, ctx, draft)
    return draft


def _type_text(cd: exp.ColumnDef, st: Statement, ctx: SqlContext) -> str:
    ident = cd.this
    meta = ident.meta if isinstance(ident, exp.Identifier) else {}
    if "end" in meta:
        pos = int(meta["end"]) + 1
        while pos < len(st.text) and st.text[pos] in "`\"":
            pos += 1
        text, _ = scan_type(st.text, pos)
        if text:
            return text
    return _sql(cd.args.get("kind"), ctx.dialect) or "text"


def add_column(cd: exp.ColumnDef, st: Statement, ctx: SqlContext, draft: TableDraft) -> ColumnDraft:
    line = _line(cd, st)
    mapped = ctx.map_type(_type_text(cd, st, ctx), line, cd.name)
    col = ColumnDraft(cd.name, mapped.type, ctx.span(line), autoincrement=mapped.autoincrement)
    for cc in cd.constraints:
        k = cc.args.get("kind")
        name = cc.name
        if isinstance(k, exp.NotNullColumnConstraint):
            col.nullable = bool(k.args.get("allow_null"))
        elif isinstance(k, exp.PrimaryKeyColumnConstraint):
            col.primary_key = True
        elif isinstance(k, exp.UniqueColumnConstraint):
            col.unique = True
        elif isinstance(k, exp.DefaultColumnConstraint):
            col.default = classify_default(_sql(k.this, ctx.dialect), col.type)
        elif isinstance(k, exp.CheckColumnConstraint):
            cols = _columns_of(k.this) or (col.name,)
            text = _as_written_check(cd, st, True) or _unparen(_sql(k.this, ctx.dialect))
            draft.checks.append(CheckConstraint(text, name, cols, ctx.span(line)))
        elif isinstance(k, exp.AutoIncrementColumnConstraint):
            col.autoincrement = True
        elif isinstance(k, exp.GeneratedAsIdentityColumnConstraint):
            expr = k.args.get("expression")
            if expr is not None:
                col.generated = _unparen(_sql(expr, ctx.dialect))
            else:
                col.autoincrement = True
        elif isinstance(k, exp.ComputedColumnConstraint):
            col.generated = _unparen(_sql(k.this, ctx.dialect))
        elif isinstance(k, exp.OnUpdateColumnConstraint):
            col.on_update = _sql(k.this, ctx.dialect)
        elif isinstance(k, exp.Reference):
            draft.add_foreign_key(_fk(k, (col.name,), name, st, ctx))
        elif isinstance(k, exp.CommentColumnConstraint):
            col.description = str(k.this.this) if isinstance(k.this, exp.Literal) else _sql(k.this, ctx.dialect)
    draft.add_column(col)
    return col


def _written_elements(el: exp.IndexColumnConstraint, st: Statement) -> list[tuple[str, bool]]:
    """(element text, descending) for `KEY name (a, b DESC, (expr))` as written; [] if not found."""
    start = _first_offset(el.this) if el.this is not None else -1
    if start < 0:
        return []
    out: list[tuple[str, bool]] = []
    for part in split_top(_group_after(st.text, start), ",", quotes="'\"`"):
        desc = bool(re.search(r"\s+DESC$", part, re.I))
        part = re.sub(r"\s+(ASC|DESC)$", "", part, flags=re.I)
        out.append((_unparen(part).strip("`"), desc))
    return out


def _index_from_constraint(el: exp.IndexColumnConstraint, st: Statement, ctx: SqlContext) -> Index:
    kind = str(el.args.get("kind") or "").upper()
    written = _written_elements(el, st)
    elements = []
    if len(written) == len(el.expressions):
        elements = [index_element(text, desc) for text, desc in written]
    for x in el.expressions if not elements else ():
        desc = isinstance(x, exp.Ordered) and bool(x.args.get("desc"))
        inner = x.this if isinstance(x, exp.Ordered) else x
        if isinstance(inner, (exp.Column, exp.Identifier)):
            elements.append(index_element(inner.name, desc))
        else:
            elements.append(index_element(_unparen(_sql(inner, ctx.dialect)), desc))
    using = {"FULLTEXT": "fulltext", "SPATIAL": "spatial"}.get(kind, "")
    itype = el.args.get("index_type")
    if not using and isinstance(itype, exp.Expression):
        using = itype.name.lower()
    return Index(_name(el.this), tuple(elements), kind == "UNIQUE", "", using, ctx.span(_line(el, st)))


def apply_table_constraint(
    el: Any, st: Statement, ctx: SqlContext, draft: TableDraft, name: str = "", outer: Any = None
) -> bool:
    """Record a table-level element; False when it is not modelled. `outer` is the enclosing
    `CONSTRAINT name ...` node, whose name comes first in the text."""
    span = ctx.span(_line(outer if outer is not None else el, st))
    if isinstance(el, exp.Constraint):
        ok = True
        for inner in el.expressions:
            ok = apply_table_constraint(inner, st, ctx, draft, el.name, el) and ok
        return ok
    if isinstance(el, exp.PrimaryKey):
        draft.set_primary_key(_names(el.expressions))
    elif isinstance(el, exp.PrimaryKeyColumnConstraint) and el.this is not None:
        draft.set_primary_key(_names(el.this.expressions if isinstance(el.this, exp.Schema) else [el.this]))
    elif isinstance(el, exp.UniqueColumnConstraint):
        target = el.this
        cols = _names(target.expressions) if isinstance(target, exp.Schema) else ()
        uname = name or (_name(target.this) if isinstance(target, exp.Schema) else "")
        draft.uniques.append(UniqueConstraint(cols, uname, span=span))
    elif isinstance(el, exp.IndexColumnConstraint):
        draft.indexes.append(_index_from_constraint(el, st, ctx))
    elif isinstance(el, exp.ForeignKey):
        ref = el.args.get("reference")
        if not isinstance(ref, exp.Reference):
            return False
        draft.add_foreign_key(_fk(ref, _names(el.expressions), name, st, ctx))
    elif isinstance(el, exp.CheckColumnConstraint):
        text = _as_written_check(outer if outer is not None else el, st, outer is not None)
        text = text or _unparen(_sql(el.this, ctx.dialect))
        draft.checks.append(CheckConstraint(text, name, _columns_of(el.this), span))
    else:
        return False
    return True


# ---------------------------------------------------------------- ALTER TABLE / CREATE INDEX / INSERT


def glot_alter_target(e: Any) -> str:
    return _table_name(e.this) if isinstance(e, exp.Alter) else ""


def glot_alter_table(e: exp.Alter, st: Statement, ctx: SqlContext, draft: TableDraft) -> bool:
    ok = True
    for act in e.args.get("actions") or ():
        if isinstance(act, exp.ColumnDef):
            if draft.column(act.name) is None:
                add_column(act, st, ctx, draft)
        elif isinstance(act, exp.AddConstraint):
            for c in act.expressions:
                ok = apply_table_constraint(c, st, ctx, draft) and ok
        else:
            ok = False
    return ok


def glot_index(e: exp.Create, st: Statement, ctx: SqlContext) -> tuple[str, Index] | None:
    idx = e.this
    if not isinstance(idx, exp.Index):
        return None
    params = idx.args.get("params")
    elements = []
    using = ""
    where = ""
    if isinstance(params, exp.IndexParameters):
        for x in params.args.get("columns") or ():
            desc = isinstance(x, exp.Ordered) and bool(x.args.get("desc"))
            inner = x.this if isinstance(x, exp.Ordered) else x
            if isinstance(inner, (exp.Column, exp.Identifier)):
                elements.append(index_element(inner.name, desc))
            else:
                elements.append(index_element(_unparen(_sql(inner, ctx.dialect)), desc))
        u = params.args.get("using")
        using = u.name.lower() if isinstance(u, exp.Expression) else ""
        w = params.args.get("where")
        where = _sql(w.this, ctx.dialect) if isinstance(w, exp.Where) else ""
    if using == "btree":
        using = ""
    table = _table_name(idx.args.get("table"))
    return table, Index(_name(idx.this), tuple(elements), bool(e.args.get("unique")), where, using, ctx.span(st.line))


def _value(node: Any, dialect: str) -> Any:
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return str(node.this)
        v = literal_value(str(node.this))
        return str(node.this) if v is NO_VALUE else v
    if isinstance(node, exp.Neg):
        inner = _value(node.this, dialect)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner
    if isinstance(node, exp.Cast):
        return _value(node.this, dialect)
    return sample_value(_sql(node, dialect))


def glot_insert(e: exp.Insert, st: Statement, dialect: str) -> tuple[str, list[str], list[tuple[int, list[Any]]]] | None:
    values = e.args.get("expression")
    if not isinstance(values, exp.Values):
        return None
    target = e.this
    cols = list(_names(target.expressions)) if isinstance(target, exp.Schema) else []
    offsets = tuple_offsets(st)
    rows: list[tuple[int, list[Any]]] = []
    for i, tup in enumerate(values.expressions):
        items = tup.expressions if isinstance(tup, exp.Tuple) else [tup]
        line = st.line_at(offsets[i]) if i < len(offsets) else st.line
        rows.append((line, [_value(v, dialect) for v in items]))
    return _table_name(target), cols, rows
