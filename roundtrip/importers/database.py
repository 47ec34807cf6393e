"""A live PostgreSQL or SQLite database → Spec (tables, keys, indexes, checks, enum types), by
SQLAlchemy reflection, so `roundtrip docs --from-db URL` can document a database nobody described.

Types are mapped from SQLAlchemy's reflected type objects to the logical type system; server
defaults are read as the docs would write them (casts dropped: `'todo'::character varying` → 'todo',
`nextval(...)` → an autoincrement column). Tables come out in name order, `alembic_version` left out.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from roundtrip.ir import (
    CheckConstraint,
    Column,
    Default,
    DefaultKind,
    EnumType,
    FKAction,
    ForeignKey,
    Index,
    IndexElement,
    Kind,
    Origin,
    Spec,
    Table,
    TypeRef,
    UniqueConstraint,
)

_SKIP_TABLES = {"alembic_version", "sqlite_sequence"}
_NOW = {"now()", "current_timestamp", "current_timestamp()", "localtimestamp", "transaction_timestamp()", "statement_timestamp()",
        "clock_timestamp()", "datetime('now')", "(datetime('now'))", "current_date", "current_time"}
_UUID_FUNCS = ("gen_random_uuid()", "uuid_generate_v4()", "uuid_generate_v1()")
_CAST = re.compile(r"::[\w .\"\[\]()]+$")
_INNER_CAST = re.compile(r"::(?:character varying|timestamp with(?:out)? time zone|double precision|\"?[a-z_][a-z0-9_]*\"?)(?:\[\])?")
_ANY_ARRAY = re.compile(r"^\(*\s*(\"?[A-Za-z_]\w*\"?)\)?\s*=\s*ANY\s*\(\s*\(?ARRAY\[(.*)\]\)?\s*\)\s*\)*$", re.S)


def check_sql(text: str) -> str:
    """A reflected CHECK (or index predicate/expression) as the docs write it: PostgreSQL stores `status IN ('a', 'b')` as
    `(status)::text = ANY (ARRAY['a'::character varying, ...])`; casts it added are dropped too."""
    t = " ".join(text.split())
    t = _INNER_CAST.sub("", t)
    t = re.sub(r'"([a-z_][a-z0-9_]*)"', r"\1", t)  # `"position"`: quoted by PostgreSQL, not by the docs
    m = _ANY_ARRAY.match(t)
    if m:
        t = f"{m.group(1).strip('()')} IN ({m.group(2)})"
    while t.startswith("(") and t.endswith(")") and _balanced(t[1:-1]):
        t = t[1:-1].strip()
    return t


def _balanced(t: str) -> bool:
    depth = 0
    for ch in t:
        depth += 1 if ch == "(" else -1 if ch == ")" else 0
        if depth < 0:
            return False
    return depth == 0


def _sa_type(t: Any, dialect: Any) -> TypeRef:
    """A reflected SQLAlchemy type → TypeRef (source = its SQL spelling on that dialect)."""
    from sqlalchemy import types as sat

    try:
        source = str(t.compile(dialect=dialect))
    except Exception:  # noqa: BLE001 - types a dialect cannot compile still map by class
        source = type(t).__name__.upper()
    name = type(t).__name__.upper()
    if isinstance(t, sat.ARRAY):
        return TypeRef(Kind.ARRAY, items=_sa_type(t.item_type, dialect), source=source)
    if isinstance(t, sat.Enum):
        return TypeRef(Kind.ENUM, enum_name=t.name if dialect.name == "postgresql" else None, values=tuple(t.enums), source=source)
    if isinstance(t, sat.Boolean):
        return TypeRef(Kind.BOOLEAN, source=source)
    if isinstance(t, sat.Integer):
        bits = 64 if isinstance(t, sat.BigInteger) else 16 if isinstance(t, sat.SmallInteger) else 32
        return TypeRef(Kind.INTEGER, bits=bits, source=source)
    if isinstance(t, (sat.Float, sat.REAL)) or name in ("DOUBLE_PRECISION", "DOUBLE"):
        bits = 32 if name in ("REAL", "FLOAT4") else 64
        return TypeRef(Kind.FLOAT, bits=bits, source=source)
    if isinstance(t, sat.Numeric):
        scale = t.scale if t.scale is not None else (0 if t.precision is not None else None)
        return TypeRef(Kind.DECIMAL, precision=t.precision, scale=scale, source=source)
    if isinstance(t, sat.DateTime):
        return TypeRef(Kind.DATETIME, timezone=bool(getattr(t, "timezone", False)), source=source)
    if isinstance(t, sat.Date):
        return TypeRef(Kind.DATE, source=source)
    if isinstance(t, sat.Time):
        return TypeRef(Kind.TIME, timezone=bool(getattr(t, "timezone", False)), source=source)
    if isinstance(t, sat.Interval) or name == "INTERVAL":
        return TypeRef(Kind.INTERVAL, source=source)
    if isinstance(t, sat.Uuid) or name == "UUID":
        return TypeRef(Kind.UUID, source=source)
    if isinstance(t, sat.JSON) or name in ("JSON", "JSONB"):
        return TypeRef(Kind.JSON, source=source)
    if isinstance(t, sat.LargeBinary) or name in ("BYTEA", "BLOB", "BINARY", "VARBINARY"):
        return TypeRef(Kind.BINARY, source=source)
    if name in ("INET", "CIDR"):
        return TypeRef(Kind.INET, source=source)
    if isinstance(t, sat.String):
        length = getattr(t, "length", None)
        fixed = isinstance(t, sat.CHAR) or name in ("CHAR", "NCHAR", "BPCHAR")
        if isinstance(t, sat.Text) or name in ("TEXT", "CLOB"):
            return TypeRef(Kind.STRING, source=source)
        return TypeRef(Kind.STRING, length=length if length else (1 if fixed else None), fixed=fixed, source=source)
    return TypeRef(Kind.STRING, source=source)


def _literal(text: str) -> tuple[bool, Any]:
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] == "'":
        return True, t[1:-1].replace("''", "'")
    if re.fullmatch(r"[+-]?\d+", t):
        return True, int(t)
    if re.fullmatch(r"[+-]?\d+\.\d*", t):
        return True, float(t)
    if t.lower() in ("true", "false"):
        return True, t.lower() == "true"
    return False, None


def default_of(text: str | None, col_type: TypeRef) -> tuple[Default | None, bool]:
    """A reflected server default → (Default, autoincrement)."""
    if text is None:
        return None, False
    t = str(text).strip()
    while t.startswith("(") and t.endswith(")") and t.count("(") == t.count(")"):
        t = t[1:-1].strip()
    if t.lower().startswith("nextval("):
        return None, True
    t = _CAST.sub("", t).strip()
    low = t.lower()
    if low == "null":
        return None, False
    if low in _NOW:
        return Default(DefaultKind.NOW, sql=t), False
    if low in _UUID_FUNCS:
        return Default(DefaultKind.UUID, sql=t), False
    ok, value = _literal(t)
    if ok:
        if col_type.kind is Kind.ARRAY and value in ("{}", "[]"):
            return Default(DefaultKind.EMPTY_ARRAY, sql=t), False
        if col_type.kind is Kind.BOOLEAN and value in (0, 1) and not isinstance(value, bool):
            value = bool(value)
        return Default(DefaultKind.LITERAL, value=value, sql=t), False
    return Default(DefaultKind.EXPRESSION, sql=t), False


def _action(v: Any) -> FKAction | None:
    if not isinstance(v, str):
        return None
    try:
        a = FKAction(v.upper())
    except ValueError:
        return None
    return None if a is FKAction.NO_ACTION else a


def _sqlite_fk_actions(insp: Any, table: str) -> dict[tuple[str, ...], tuple[str, str]]:
    """SQLite keeps ON DELETE/ON UPDATE in PRAGMA foreign_key_list; SQLAlchemy's reflection leaves them out."""
    from sqlalchemy import text

    rows: dict[int, list[Any]] = {}
    with insp.bind.connect() as conn:
        for r in conn.execute(text(f"PRAGMA foreign_key_list(\"{table}\")")):
            rows.setdefault(r[0], []).append(r)
    out: dict[tuple[str, ...], tuple[str, str]] = {}
    for group in rows.values():
        group.sort(key=lambda r: r[1])
        out[tuple(r[3] for r in group)] = (group[0][6], group[0][5])
    return out


def _table(insp: Any, dialect: Any, name: str, schema: str | None) -> Table:
    pk = tuple(insp.get_pk_constraint(name, schema=schema).get("constrained_columns") or ())
    cols: list[Column] = []
    for c in insp.get_columns(name, schema=schema):
        t = _sa_type(c["type"], dialect)
        default, serial = default_of(c.get("default"), t)
        computed = c.get("computed") or {}
        identity = bool(c.get("identity"))
        auto = serial or identity
        cols.append(Column(
            name=c["name"], type=t, nullable=bool(c.get("nullable", True)) and c["name"] not in pk, default=default,
            primary_key=c["name"] in pk, autoincrement=auto, generated=str(computed.get("sqltext") or "") if computed else "",
            description=" ".join(str(c.get("comment") or "").split()),
        ))
    uniques: list[UniqueConstraint] = []
    single: set[str] = set()
    for u in insp.get_unique_constraints(name, schema=schema):
        cols_u = tuple(u["column_names"])
        # `email ... UNIQUE` gets PostgreSQL's default name `<table>_<column>_key` (SQLite: no name): a column flag
        if len(cols_u) == 1 and (u.get("name") or "") in ("", f"{name}_{cols_u[0]}_key"):
            single.add(cols_u[0])
        else:
            uniques.append(UniqueConstraint(cols_u, name=u.get("name") or ""))
    if single:
        cols = [replace(c, unique=True) if c.name in single else c for c in cols]
    checks: list[CheckConstraint] = []
    try:
        for ck in insp.get_check_constraints(name, schema=schema):
            text = check_sql(str(ck.get("sqltext") or ""))
            mentioned = tuple(c.name for c in cols if re.search(rf"\b{re.escape(c.name)}\b", text))
            checks.append(CheckConstraint(text, name=ck.get("name") or "", columns=mentioned))
    except NotImplementedError:
        pass
    actions = _sqlite_fk_actions(insp, name) if dialect.name == "sqlite" else {}
    fks: list[ForeignKey] = []
    for fk in insp.get_foreign_keys(name, schema=schema):
        cols_fk = tuple(fk["constrained_columns"])
        opts = fk.get("options") or {}
        on_delete, on_update = actions.get(cols_fk, (opts.get("ondelete"), opts.get("onupdate")))
        fks.append(ForeignKey(cols_fk, fk["referred_table"], tuple(fk["referred_columns"]), name=fk.get("name") or "",
                              on_delete=_action(on_delete), on_update=_action(on_update)))
    indexes: list[Index] = []
    for ix in insp.get_indexes(name, schema=schema):
        if ix.get("duplicates_constraint"):
            continue  # the index behind a UNIQUE constraint is that constraint
        exprs = ix.get("expressions") or []
        elems = []
        for i, col in enumerate(ix.get("column_names") or []):
            if col is None:
                expr = exprs[i] if i < len(exprs) else ""
                elems.append(IndexElement(expression=check_sql(str(expr))))
            else:
                elems.append(IndexElement(column=col))
        opts = ix.get("dialect_options") or {}
        using = str(opts.get("postgresql_using") or "")
        where_clause = next((opts[k] for k in ("postgresql_where", "sqlite_where") if opts.get(k) is not None), None)
        where = "" if where_clause is None else check_sql(str(where_clause))
        indexes.append(Index(ix["name"] or "", tuple(elems), unique=bool(ix.get("unique")), where=" ".join(str(where).split()),
                             using="" if using == "btree" else using))
    comment = ""
    try:
        comment = (insp.get_table_comment(name, schema=schema) or {}).get("text") or ""
    except NotImplementedError:
        pass
    return Table(
        name=name, columns=tuple(cols), primary_key=pk, uniques=tuple(uniques), checks=tuple(checks), foreign_keys=tuple(fks),
        indexes=tuple(indexes), description=" ".join(comment.split()), origin=Origin.SQL,
        dialect="postgres" if dialect.name == "postgresql" else dialect.name,
    )


def from_database(url: str, *, schema: str | None = None) -> Spec:
    """Reflect every table of a database (PostgreSQL or SQLite URL, SQLAlchemy syntax) into a Spec."""
    import warnings

    from sqlalchemy import create_engine, exc, inspect

    engine = create_engine(url)
    try:
        with warnings.catch_warnings():
            # SQLite cannot reflect expression indexes; SQLAlchemy warns and skips them (they are not in the Spec).
            warnings.simplefilter("ignore", exc.SAWarning)
            insp = inspect(engine)
            dialect = engine.dialect
            enums: list[EnumType] = []
            if dialect.name == "postgresql":
                for e in insp.get_enums(schema=schema or "public"):  # type: ignore[attr-defined]  # PostgreSQL's inspector
                    enums.append(EnumType(e["name"], tuple(e["labels"]), origin=Origin.SQL))
            names = sorted(n for n in insp.get_table_names(schema=schema) if n not in _SKIP_TABLES)
            tables = tuple(_table(insp, dialect, n, schema) for n in names)
    finally:
        engine.dispose()
    return Spec(tables=tables, enums=tuple(enums))
