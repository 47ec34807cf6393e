"""SQL expressions from the docs (CHECKs, partial-index predicates, index expressions, generated
columns, default expressions) translated for PostgreSQL and for SQLite.

PostgreSQL-flavoured docs keep their text as written on PostgreSQL (so a database built from the
docs' own DDL and one built from our migration compare equal). MySQL-flavoured docs are transpiled
with sqlglot. The SQLite spelling is transpiled too and then *tried* on an in-memory SQLite
database: an expression SQLite cannot evaluate (to_tsvector, tstzrange ...) is reported as
unavailable there, and the construct becomes PostgreSQL-only instead of breaking `upgrade`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import sqlglot
from sqlglot import exp

PG_DIALECTS = ("postgres", "postgresql", "")  # column tables carry no dialect; their SQL is PostgreSQL-like


@dataclass(frozen=True)
class Translated:
    """One expression per target; None where the target cannot express it."""

    postgresql: str | None
    sqlite: str | None

    @property
    def portable(self) -> bool:
        return self.postgresql is not None and self.postgresql == self.sqlite


def normalize_ws(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def _json_fixups(tree: exp.Expression, target: str) -> exp.Expression:
    """MySQL JSON functions have other names (and MySQL's JSON_TYPE answers in upper case)."""

    def fix(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.JSONType):
            fn = "jsonb_typeof" if target == "postgres" else "json_type"
            return exp.Upper(this=exp.Anonymous(this=fn, expressions=[node.this]))
        if isinstance(node, exp.Anonymous):
            name = str(node.this).upper()
            if name == "JSON_LENGTH":
                fn = "jsonb_array_length" if target == "postgres" else "json_array_length"
                return exp.Anonymous(this=fn, expressions=list(node.expressions))
            if name == "JSON_ARRAY" and not node.expressions:
                if target == "postgres":
                    return exp.Cast(this=exp.Literal.string("[]"), to=exp.DataType.build("jsonb"))
                return exp.Anonymous(this="json_array", expressions=[])
        return node

    return tree.transform(fix)


def _transpile(sql: str, source: str, target: str) -> str | None:
    read = "postgres" if source in PG_DIALECTS else source
    try:
        trees = sqlglot.parse(sql, read=read)
    except Exception:  # noqa: BLE001 - sqlglot raises many error types; any of them means "cannot translate"
        return None
    if len(trees) != 1 or trees[0] is None:
        return None
    tree = cast(exp.Expression, trees[0])
    if read == "mysql":
        tree = _json_fixups(tree, target)
    try:
        return tree.sql(dialect=target)
    except Exception:  # noqa: BLE001
        return None


def _regexp(pattern: str | None, value: object) -> bool | None:
    if pattern is None or value is None:
        return None
    return re.search(pattern, str(value)) is not None


@lru_cache(maxsize=4096)
def sqlite_accepts(expression: str, columns: tuple[str, ...]) -> bool:
    """True when SQLite can prepare `SELECT <expression>` over a table with these columns."""
    con = sqlite3.connect(":memory:")
    try:
        con.create_function("regexp", 2, _regexp, deterministic=True)
        cols = ", ".join(f'"{c}"' for c in columns) or '"_"'
        con.execute(f"CREATE TABLE t ({cols})")
        con.execute(f"SELECT {expression} FROM t")
        return True
    except sqlite3.Error:
        return False
    finally:
        con.close()


def translate(sql: str, source_dialect: str, columns: Sequence[str]) -> Translated:
    """Translate one scalar SQL expression written in `source_dialect` (postgres, mysql, sqlite or "")."""
    text = normalize_ws(sql)
    if not text:
        return Translated(None, None)
    if source_dialect in PG_DIALECTS:
        pg: str | None = text
    elif source_dialect == "sqlite":
        pg = _transpile(text, "sqlite", "postgres")
    else:
        pg = _transpile(text, source_dialect, "postgres")
    if source_dialect == "sqlite":
        lite: str | None = text
    else:
        lite = _transpile(text, source_dialect, "sqlite")
    if lite is not None and not sqlite_accepts(lite, tuple(columns)):
        lite = None
    if lite is not None and pg is not None and normalize_ws(lite).lower() == pg.lower():
        lite = pg  # same text up to case: keep the docs' spelling on both
    return Translated(pg, lite)
