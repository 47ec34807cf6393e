"""SQL fences → tables, enums, extensions, indexes, sample rows and opaque SQL.

Fences labelled sql/postgres/postgresql/mysql/plpgsql/psql, and unlabelled fences that start with
CREATE TABLE / INSERT INTO, are split into statements with line numbers (sql_split). PostgreSQL
statements go through pglast, MySQL statements (and anything pglast rejects) through sqlglot; both
front ends fill the same drafts (sql_table), so the IR does not depend on the parser.

A document is read in phases so order inside it does not matter: enum types first (a column may
use a type declared further down), then tables, then everything that refers to a table (indexes,
ALTER TABLE, INSERT). CREATE INDEX on a table no SQL statement has defined (yet) is recorded on a
stub `Table(columns=(), description="(index-only)")` with origin SQL; the resolver merges same-named
tables, and the stub's description tells it not to treat it as an empty table definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from pglast import ast
from sqlglot import exp

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts
from roundtrip.ir.data import Index, OpaqueSQL, SampleRow, Table
from roundtrip.ir.schema import Origin
from roundtrip.markdown import Document, Fence, Paragraph, Section
from roundtrip.readers.sql_context import SqlContext
from roundtrip.readers.sql_glot import (
    glot_alter_table,
    glot_alter_target,
    glot_create_table,
    glot_index,
    glot_insert,
    glot_parse,
)
from roundtrip.readers.sql_pg import (
    pg_alter_table,
    pg_alter_target,
    pg_create_table,
    pg_enum,
    pg_index,
    pg_insert,
    pg_opaque_kind,
    pg_parse,
)
from roundtrip.readers.sql_split import (
    Statement,
    looks_mysql,
    split_statements,
    statement_kind,
    strip_comments,
)
from roundtrip.readers.sql_table import TableDraft, draft_from_table, with_index
from roundtrip.source import Span

SQL_LANGS = {"sql", "postgres", "postgresql", "pgsql", "plpgsql", "psql", "mysql", "pg", "ddl"}
_PG_LANGS = {"postgres", "postgresql", "pgsql", "plpgsql", "psql", "pg"}
_SQL_START = re.compile(r"^\s*(CREATE\s+(TABLE|TYPE|EXTENSION|(UNIQUE\s+)?INDEX)|INSERT\s+INTO|ALTER\s+TABLE)\b", re.I)
INDEX_ONLY = "(index-only)"


@dataclass
class _Parsed:
    st: Statement
    kind: str
    node: Any
    engine: str  # "pg" | "glot"
    fence: int
    ctx: SqlContext


def is_sql_fence(fence: Fence) -> bool:
    if fence.lang in SQL_LANGS:
        return True
    if fence.lang == "":
        return bool(_SQL_START.match(strip_comments(fence.content)))
    return False


def _section_says_mysql(section: Section) -> bool:
    for s in [section, *section.ancestors()]:
        for b in s.blocks:
            if isinstance(b, Paragraph):
                low = b.text.lower()
                if "mysql" in low and "postgres" not in low:
                    return True
    return False


def fence_dialect(fence: Fence, section: Section, doc_is_mysql: bool) -> str:
    if fence.lang == "mysql":
        return "mysql"
    if fence.lang in _PG_LANGS:
        return "postgres"
    if looks_mysql(fence.content) or doc_is_mysql or _section_says_mysql(section):
        return "mysql"
    return "postgres"


def sql_fences(doc: Document) -> list[tuple[Fence, Section]]:
    out: list[tuple[Fence, Section]] = []
    for sec in doc.sections():
        for b in sec.blocks:
            if isinstance(b, Fence) and is_sql_fence(b):
                out.append((b, sec))
    return out


def parse_statement(st: Statement, ctx: SqlContext) -> tuple[Any, str, str]:
    """(node, engine, error). PostgreSQL tries pglast first; MySQL tries sqlglot first.

    When pglast rejects a PostgreSQL statement that lenient sqlglot still accepts, both the node and
    pglast's error come back: the statement is read, and the caller reports that it is not valid SQL."""
    if ctx.dialect == "mysql":
        node, err = glot_parse(st.text, "mysql")
        if node is not None:
            return node, "glot", ""
        node2, _ = pg_parse(st.text)
        return (node2, "pg", "") if node2 is not None else (None, "", err)
    node, err = pg_parse(st.text)
    if node is not None:
        return node, "pg", ""
    node2, _ = glot_parse(st.text, "postgres")
    return (node2, "glot", err) if node2 is not None else (None, "", err)


def _kind_of(node: Any, engine: str, kind: str) -> str:
    """Refine the keyword-based kind with what the parser actually built."""
    if engine == "pg":
        if isinstance(node, ast.CreateStmt):
            return "table"
        if isinstance(node, ast.IndexStmt):
            return "index"
        if isinstance(node, ast.CreateEnumStmt):
            return "enum"
        if isinstance(node, ast.CreateExtensionStmt):
            return "extension"
        if isinstance(node, ast.AlterTableStmt) and kind == "alter":
            return "alter"
        if isinstance(node, ast.InsertStmt):
            return "insert"
        if isinstance(node, (ast.SelectStmt, ast.UpdateStmt, ast.DeleteStmt, ast.VariableSetStmt, ast.TransactionStmt)):
            return "query"
        return "opaque:" + pg_opaque_kind(node)
    if isinstance(node, exp.Create):
        ck = str(node.args.get("kind") or "").upper()
        if ck == "TABLE":
            return "table"
        if ck == "INDEX":
            return "index"
        if ck == "EXTENSION":
            return "extension"
    if isinstance(node, exp.Alter) and kind == "alter":
        return "alter"
    if isinstance(node, exp.Insert):
        return "insert"
    if isinstance(node, (exp.Select, exp.Update, exp.Delete)):
        return "query"
    return kind if kind.startswith("opaque:") else "opaque:other"


# ---------------------------------------------------------------- reading one document


def read_sql(doc: Document, facts: Facts, sink: Sink) -> None:
    fences = sql_fences(doc)
    if not fences:
        return
    doc_is_mysql = any(f.lang == "mysql" or looks_mysql(f.content) for f, _ in fences)
    enums: dict[str, tuple[str, ...]] = {e.name.lower(): e.values for e in facts.enums if e.origin is Origin.SQL}
    parsed: list[_Parsed] = []
    for fi, (fence, section) in enumerate(fences):
        ctx = SqlContext(doc.file, sink, fence_dialect(fence, section, doc_is_mysql), enums=enums)
        parsed.extend(_parse_fence(fence, fi, ctx))

    # phase 1: enum types and extensions (columns anywhere in the document may use them)
    for p in parsed:
        if p.kind == "enum":
            et = pg_enum(p.node, p.st, p.ctx)
            facts.enums.append(et)
            enums[et.name.lower()] = et.values
        elif p.kind == "extension":
            name = _extension_name(p)
            if name:
                facts.extensions.append((name, p.ctx.span(p.st.line)))
    # phase 2: tables
    opaque_fences: dict[int, list[str]] = {}
    for p in parsed:
        if p.kind != "table":
            continue
        draft = pg_create_table(p.node, p.st, p.ctx) if p.engine == "pg" else glot_create_table(p.node, p.st, p.ctx)
        if draft is None:  # PARTITION OF, CREATE TABLE ... AS SELECT
            _opaque(p, "other", facts, opaque_fences)
            continue
        facts.tables.append(draft.build())
    # phase 3: statements that refer to tables
    for p in parsed:
        if p.kind == "index":
            _read_index(p, facts)
        elif p.kind == "alter":
            _read_alter(p, facts, opaque_fences)
        elif p.kind == "insert":
            _read_insert(p, facts)
        elif p.kind.startswith("opaque:"):
            _opaque(p, p.kind.split(":", 1)[1], facts, opaque_fences)
    for fi, kinds in sorted(opaque_fences.items()):
        fence = fences[fi][0]
        listed = ", ".join(dict.fromkeys(kinds))
        sink.add(
            "RT112",
            Span(doc.file, fence.span.line),
            f"{len(kinds)} statement(s) in this fence ({listed}) are kept as opaque SQL: carried along, not modelled",
        )


def _parse_fence(fence: Fence, fi: int, ctx: SqlContext) -> list[_Parsed]:
    out: list[_Parsed] = []
    stmts = split_statements(fence.content, fence.content_line, ctx.dialect)
    not_sql: list[Statement] = []
    failed: list[tuple[Statement, str]] = []
    lenient: list[tuple[Statement, str]] = []
    for st in stmts:
        kind = statement_kind(st)
        if kind == "query":
            continue  # "Common Queries" sections: nothing to model, nothing to report
        node, engine, err = parse_statement(st, ctx)
        if node is None:
            if kind == "unknown":
                not_sql.append(st)
            else:
                failed.append((st, err))
            continue
        if err:
            lenient.append((st, err))
        refined = _kind_of(node, engine, kind)
        if refined == "query":
            continue
        if refined == "enum" and kind != "type":
            refined = "opaque:other"
        out.append(_Parsed(st, refined, node, engine, fi, ctx))
    if not_sql and not out and not failed:
        first = not_sql[0].body[:60]
        ctx.sink.add(
            "RT106",
            ctx.span(fence.span.line),
            f"this ```{fence.lang or 'sql'} fence holds no SQL statement (it starts with {first!r}); "
            "label it ```text if it is not SQL",
        )
    else:
        failed.extend((st, "not an SQL statement") for st in not_sql)
    dialect = "MySQL" if ctx.dialect == "mysql" else "PostgreSQL"
    for st, err in sorted(failed, key=lambda x: x[0].line):
        what = " ".join(st.body.split()[:3])
        ctx.sink.add("RT106", ctx.span(st.line),
                     f"{what} … could not be parsed as {dialect} ({err}); fix the statement so its facts can be read")
    for st, err in lenient:
        what = " ".join(st.body.split()[:3])
        ctx.sink.add("RT106", ctx.span(st.line),
                     f"{what} … is not valid {dialect} ({err}); it was read leniently, so check the result and fix the statement")
    return out


def _extension_name(p: _Parsed) -> str:
    if p.engine == "pg" and isinstance(p.node, ast.CreateExtensionStmt):
        return p.node.extname or ""
    m = re.search(r"EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"'`]?([\w-]+)", p.st.body, re.I)
    return m.group(1) if m else ""


def _opaque(p: _Parsed, kind: str, facts: Facts, opaque_fences: dict[int, list[str]]) -> None:
    facts.opaque_sql.append(OpaqueSQL(kind, p.st.code, p.ctx.span(p.st.line)))
    opaque_fences.setdefault(p.fence, []).append(kind)


def _latest_sql_table(facts: Facts, name: str) -> int:
    for i in range(len(facts.tables) - 1, -1, -1):
        t = facts.tables[i]
        if t.name == name and t.origin is Origin.SQL:
            return i
    return -1


def _read_index(p: _Parsed, facts: Facts) -> None:
    if p.engine == "pg":
        table, idx = pg_index(p.node, p.st, p.ctx)
    else:
        got = glot_index(p.node, p.st, p.ctx)
        if got is None:
            return
        table, idx = got
    attach_index(facts, table, idx, p.ctx.dialect)


def attach_index(facts: Facts, table: str, idx: Index, dialect: str) -> None:
    i = _latest_sql_table(facts, table)
    if i >= 0:
        facts.tables[i] = with_index(facts.tables[i], idx)
    else:
        facts.tables.append(Table(table, (), indexes=(idx,), description=INDEX_ONLY, origin=Origin.SQL, dialect=dialect, span=idx.span))


def _read_alter(p: _Parsed, facts: Facts, opaque_fences: dict[int, list[str]]) -> None:
    target = pg_alter_target(p.node) if p.engine == "pg" else glot_alter_target(p.node)
    i = _latest_sql_table(facts, target)
    if i < 0 or facts.tables[i].description == INDEX_ONLY:
        _opaque(p, "alter", facts, opaque_fences)
        return
    draft = draft_from_table(facts.tables[i])
    ok = pg_alter_table(p.node, p.st, p.ctx, draft) if p.engine == "pg" else glot_alter_table(p.node, p.st, p.ctx, draft)
    facts.tables[i] = replace(draft.build(), span=facts.tables[i].span)
    if not ok:  # ENABLE ROW LEVEL SECURITY, OWNER TO, ...: keep the statement itself
        _opaque(p, "alter", facts, opaque_fences)


def _known_columns(facts: Facts, table: str) -> tuple[str, ...]:
    for t in reversed(facts.tables):
        if t.name == table and t.columns:
            return t.column_names
    return ()


def _read_insert(p: _Parsed, facts: Facts) -> None:
    got = pg_insert(p.node, p.st) if p.engine == "pg" else glot_insert(p.node, p.st, p.ctx.dialect)
    if got is None:
        return
    table, cols, rows = got
    if not cols:
        cols = list(_known_columns(facts, table))
    if not cols:
        p.ctx.sink.add("RT110", p.ctx.span(p.st.line),
                       f"INSERT INTO {table} has no column list and {table} is not defined before it; "
                       "its rows are not read as sample data (name the columns)")
        return
    for line, values in rows:
        if len(values) != len(cols):
            p.ctx.sink.add("RT110", p.ctx.span(line),
                           f"this row of INSERT INTO {table} has {len(values)} values for {len(cols)} columns; "
                           "it is not read as sample data")
            continue
        facts.samples.append(SampleRow(table, tuple(zip(cols, values, strict=True)), origin=Origin.SQL, span=p.ctx.span(line)))


# ---------------------------------------------------------------- fragments synthesized by other readers


def _parse_fragment(sql: str) -> tuple[Any, str]:
    """Synthesized SQL is PostgreSQL-shaped, so pglast decides. Lenient sqlglot would accept broken
    cells (and so invent facts); it is only asked when the text carries MySQL-only syntax."""
    node, _ = pg_parse(sql)
    if node is not None:
        return node, "pg"
    if looks_mysql(sql):
        node, _ = glot_parse(sql, "mysql")
        if node is not None:
            return node, "glot"
    return None, ""


def fragment_table(sql: str, line: int, ctx: SqlContext) -> TableDraft | None:
    """Parse a synthesized `CREATE TABLE t (...)` whose spans all point at `line`; None if it does not parse."""
    st = Statement(sql, line, line)
    node, engine = _parse_fragment(sql)
    if engine == "pg" and isinstance(node, ast.CreateStmt):
        return pg_create_table(node, st, ctx)
    if engine == "glot" and isinstance(node, exp.Create):
        return glot_create_table(node, st, ctx)
    return None


def fragment_index(sql: str, line: int, ctx: SqlContext) -> tuple[str, Index] | None:
    st = Statement(sql, line, line)
    node, engine = _parse_fragment(sql)
    if engine == "pg" and isinstance(node, ast.IndexStmt):
        return pg_index(node, st, ctx)
    if engine == "glot" and isinstance(node, exp.Create):
        return glot_index(node, st, ctx)
    return None
