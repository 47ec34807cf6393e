"""Column types, server defaults and dialect hooks shared by the generated models and migrations.

This module is copied verbatim into every generated backend (as `app/db/types.py`) and is also
imported by roundtrip itself to build the metadata the migration is rendered from, so both sides
use the very same classes. It depends on SQLAlchemy only.

Every construct works on PostgreSQL (native types: UUID, JSONB, arrays, INET, TIMESTAMPTZ, enums)
and on SQLite (portable stand-ins), because SQLAlchemy cannot `with_variant` a server default and
SQLite lacks several functions the docs' SQL relies on (see LIBRARY-NOTES §5).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import sqlite3
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import ExecutableDDLElement
from sqlalchemy.sql.compiler import DDLCompiler, SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine

# ---------------------------------------------------------------------------------------------
# Column types
# ---------------------------------------------------------------------------------------------


class TZDateTime(sa.types.TypeDecorator[dt.datetime]):
    """TIMESTAMPTZ on PostgreSQL; on SQLite a UTC text timestamp that reads back timezone-aware.

    `DateTime(timezone=True)` alone returns naive datetimes on SQLite, so values would silently
    change meaning between the two databases. Naive input is taken to be UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        if dialect.name == "postgresql":
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class IPAddress(sa.types.TypeDecorator[str]):
    """INET on PostgreSQL, VARCHAR(45) elsewhere; always read back as text (psycopg returns ipaddress objects)."""

    impl = sa.String(45)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.INET())
        return dialect.type_descriptor(sa.String(45))

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value)


def _to_json_item(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


class Array(sa.types.TypeDecorator[list[Any]]):
    """A native ARRAY on PostgreSQL; a JSON list on SQLite, with items converted both ways."""

    impl = sa.JSON()
    cache_ok = True

    def __init__(self, item_type: TypeEngine[Any]) -> None:
        super().__init__()
        self.item_type = item_type

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(self.item_type))
        return dialect.type_descriptor(sa.JSON())

    def process_bind_param(self, value: list[Any] | None, dialect: Dialect) -> list[Any] | None:
        if value is None or dialect.name == "postgresql":
            return value
        return [_to_json_item(v) for v in value]

    def process_result_value(self, value: list[Any] | None, dialect: Dialect) -> list[Any] | None:
        if value is None or dialect.name == "postgresql":
            return value
        if isinstance(self.item_type, sa.Uuid):
            return [v if v is None else uuid.UUID(str(v)) for v in value]
        return value

    def __repr__(self) -> str:
        return f"Array({self.item_type!r})"


# ---------------------------------------------------------------------------------------------
# Server defaults that compile on both dialects
# ---------------------------------------------------------------------------------------------

_SQLITE_RANDOM_HEX = "lower(hex(randomblob(16)))"
_SQLITE_RANDOM_UUID_TEXT = (
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)"
    " || '-' || lower(hex(randomblob(2))) || '-' || lower(hex(randomblob(6)))"
)


class gen_random_uuid(FunctionElement[uuid.UUID]):  # noqa: N801 - named after the SQL function
    """`gen_random_uuid()` on PostgreSQL; 32 random hex digits (SQLAlchemy's UUID storage) on SQLite."""

    type = sa.Uuid()
    inherit_cache = True


class uuid_generate_v4(FunctionElement[uuid.UUID]):  # noqa: N801
    """`uuid_generate_v4()` (extension uuid-ossp) on PostgreSQL; random hex on SQLite."""

    type = sa.Uuid()
    inherit_cache = True


class uuid_text(FunctionElement[str]):  # noqa: N801
    """A random UUID as 36-character text, for CHAR(36) keys written for MySQL's `DEFAULT (UUID())`."""

    type = sa.String(36)
    inherit_cache = True


class empty_array(FunctionElement[list[Any]]):  # noqa: N801
    """An empty array literal: `'{}'` for a PostgreSQL ARRAY, `'[]'` for the JSON list SQLite stores."""

    type = sa.JSON()
    inherit_cache = True


@compiles(gen_random_uuid, "postgresql")
def _gen_random_uuid_pg(element: gen_random_uuid, compiler: SQLCompiler, **kw: Any) -> str:
    return "gen_random_uuid()"


@compiles(uuid_generate_v4, "postgresql")
def _uuid_generate_v4_pg(element: uuid_generate_v4, compiler: SQLCompiler, **kw: Any) -> str:
    return "uuid_generate_v4()"


@compiles(gen_random_uuid)
@compiles(uuid_generate_v4)
def _random_uuid_other(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return _SQLITE_RANDOM_HEX


@compiles(uuid_text, "postgresql")
def _uuid_text_pg(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    return "(gen_random_uuid())::text"


@compiles(uuid_text)
def _uuid_text_other(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    return _SQLITE_RANDOM_UUID_TEXT


@compiles(empty_array, "postgresql")
def _empty_array_pg(element: empty_array, compiler: SQLCompiler, **kw: Any) -> str:
    return "'{}'"


@compiles(empty_array)
def _empty_array_other(element: empty_array, compiler: SQLCompiler, **kw: Any) -> str:
    return "'[]'"


def new_uuid_text() -> str:
    """Python-side default for text UUID keys (the ORM knows the key before the INSERT)."""
    return str(uuid.uuid4())


# ---------------------------------------------------------------------------------------------
# PostgreSQL extensions, as DDL elements (the migration executes them on PostgreSQL only)
# ---------------------------------------------------------------------------------------------


class CreateExtension(ExecutableDDLElement):
    inherit_cache = False

    def __init__(self, name: str) -> None:
        self.name = name


class DropExtension(ExecutableDDLElement):
    inherit_cache = False

    def __init__(self, name: str) -> None:
        self.name = name


@compiles(CreateExtension)
def _create_extension(element: CreateExtension, compiler: DDLCompiler, **kw: Any) -> str:
    return f"CREATE EXTENSION IF NOT EXISTS {compiler.preparer.quote(element.name)}"


@compiles(DropExtension)
def _drop_extension(element: DropExtension, compiler: DDLCompiler, **kw: Any) -> str:
    # RESTRICT: an extension something else still uses stays (the caller treats that as "not ours").
    return f"DROP EXTENSION IF EXISTS {compiler.preparer.quote(element.name)} RESTRICT"


# ---------------------------------------------------------------------------------------------
# SQLite: what the docs' constraints need that SQLite lacks
# ---------------------------------------------------------------------------------------------


@compiles(sa.UniqueConstraint, "sqlite")
def _unique_sqlite(constraint: sa.UniqueConstraint, compiler: DDLCompiler, **kw: Any) -> str:
    # SQLite rejects DEFERRABLE on UNIQUE; a deferred unique check is a PostgreSQL-only refinement.
    text = compiler.visit_unique_constraint(constraint, **kw)
    return re.sub(r"\s+(NOT\s+)?DEFERRABLE(\s+INITIALLY\s+(DEFERRED|IMMEDIATE))?", "", text)


def _regexp(pattern: str | None, value: Any) -> bool | None:
    if pattern is None or value is None:
        return None
    return re.search(pattern, str(value)) is not None


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Enforce foreign keys and provide REGEXP (CHECKs written with `~` or MySQL REGEXP) on SQLite."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("regexp", 2, _regexp, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
