"""What every `db` command needs: database URLs, engines, and the generated backend's modules.

A generated backend lives in OUT (alembic.ini, migrations/, app/db/models.py). Its models are
imported under a private package name, so several backends can be used in one process (tests,
`roundtrip serve` after `generate`) without their `app` packages shadowing each other.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as sa

from roundtrip.source import Span

DEFAULT_SQLITE_FILE = "app.db"
_counter = itertools.count(1)


class DbError(Exception):
    """A database command failed for a reason the user can act on; nothing was half-applied."""

    def __init__(self, message: str, *, span: Span | None = None, table: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.table = table

    def __str__(self) -> str:
        return f"{self.span}: {self.message}" if self.span else self.message


def normalize_url(url: str | None, out_dir: Path) -> str:
    """The URL to use: the given one, else the SQLite file inside OUT. postgresql:// means psycopg 3."""
    if not url:
        return f"sqlite:///{Path(out_dir).resolve() / DEFAULT_SQLITE_FILE}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as the user wrote it
        return url


def make_engine(url: str) -> sa.Engine:
    """An engine whose transactions really are transactions, SQLite included (savepoints, DDL)."""
    try:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    except Exception as exc:  # noqa: BLE001 - bad URL, unknown driver
        raise DbError(f"cannot use database URL {safe_url(url)!r}: {exc}") from None
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN")

    return engine


@contextlib.contextmanager
def connect(url: str) -> Iterator[sa.Connection]:
    engine = make_engine(url)
    try:
        try:
            conn = engine.connect()
        except sa.exc.DBAPIError as exc:
            raise DbError(f"cannot connect to {safe_url(url)}: {first_line(exc.orig)}") from None
        with conn:
            yield conn
    finally:
        engine.dispose()


def first_line(err: object) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def require_backend(out_dir: Path) -> Path:
    out = Path(out_dir)
    if not (out / "alembic.ini").is_file() or not (out / "app" / "db" / "models.py").is_file():
        raise DbError(f"{out} holds no generated backend (alembic.ini, app/db/models.py); run `roundtrip generate SPECS -o {out}` first")
    return out


def load_models(out_dir: Path) -> ModuleType:
    """Import OUT/app/db/models.py under a fresh private package name and return the module."""
    pkg_dir = require_backend(out_dir) / "app" / "db"
    name = f"_roundtrip_backend_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, pkg_dir / "__init__.py", submodule_search_locations=[str(pkg_dir)])
    if spec is None or spec.loader is None:
        raise DbError(f"cannot import {pkg_dir}")
    pkg = importlib.util.module_from_spec(spec)
    sys.modules[name] = pkg
    try:
        spec.loader.exec_module(pkg)
        return importlib.import_module(f"{name}.models")
    except Exception as exc:
        raise DbError(f"cannot import the generated models in {pkg_dir}: {type(exc).__name__}: {exc}") from None


@contextlib.contextmanager
def backend_on_path(out_dir: Path) -> Iterator[None]:
    """Let alembic's env.py import OUT's `app` package, then put sys.path and sys.modules back."""
    saved_path = list(sys.path)
    saved = {k: v for k, v in sys.modules.items() if k == "app" or k.startswith("app.")}
    for k in saved:
        del sys.modules[k]
    try:
        yield
    finally:
        for k in [k for k in sys.modules if k == "app" or k.startswith("app.")]:
            del sys.modules[k]
        sys.modules.update(saved)
        sys.path[:] = saved_path
