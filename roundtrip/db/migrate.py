"""`db upgrade` / `db downgrade`: run a generated backend's Alembic migrations.

Alembic runs in-process through its command API with the backend's own alembic.ini and env.py,
exactly as `alembic -c OUT/alembic.ini upgrade head` would. Before the initial revision we refuse a
database that already holds tables the migration would create (instead of failing half-way), and
every failure becomes a DbError naming what to do. The migration runs in one transaction on both
dialects, so a failure leaves the database as it was.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from roundtrip.db.runtime import (
    DbError,
    backend_on_path,
    connect,
    first_line,
    load_models,
    normalize_url,
    require_backend,
    safe_url,
)


def alembic_config(out_dir: Path, url: str) -> Config:
    cfg = Config(str(require_backend(out_dir) / "alembic.ini"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logger"] = False  # a library call must not reconfigure the caller's logging
    return cfg


def current_revision(out_dir: Path, url: str | None = None) -> str | None:
    """The revision the database is at (None: never migrated)."""
    target = normalize_url(url, out_dir)
    with connect(target) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _conflicts(out_dir: Path, url: str) -> list[str]:
    """Tables the initial migration would create that already exist in an unmigrated database."""
    with connect(url) as conn:
        if MigrationContext.configure(conn).get_current_revision() is not None:
            return []
        existing = set(sa.inspect(conn).get_table_names())
    wanted = list(load_models(out_dir).Base.metadata.tables)
    return [t for t in wanted if t in existing]


def upgrade(out_dir: Path, url: str | None = None, revision: str = "head") -> None:
    """Migrate the database at `url` (default: OUT/app.db) up to `revision`."""
    out = require_backend(Path(out_dir))
    target = normalize_url(url, out)
    clash = _conflicts(out, target)
    if clash:
        raise DbError(
            f"{safe_url(target)} already has table(s) {', '.join(clash)} but no migration history; "
            "use an empty database, or drop those tables first (nothing was changed)"
        )
    _run(out, target, "upgrade", revision)


def downgrade(out_dir: Path, url: str | None = None, to: str = "base") -> None:
    """Migrate the database at `url` down to revision `to` (default: base, i.e. remove everything)."""
    out = require_backend(Path(out_dir))
    target = normalize_url(url, out)
    with connect(target):
        pass  # fail early, with a clear message, when the database is unreachable
    _run(out, target, "downgrade", to)


def _run(out: Path, url: str, action: str, revision: str) -> None:
    cfg = alembic_config(out, url)
    fn = command.upgrade if action == "upgrade" else command.downgrade
    try:
        with backend_on_path(out):
            fn(cfg, revision)
    except DbError:
        raise
    except sa.exc.DBAPIError as exc:
        raise DbError(f"{action} to {revision} failed on {safe_url(url)} and was rolled back: {first_line(exc.orig)}") from None
    except Exception as exc:  # noqa: BLE001 - alembic reports bad revisions etc. with its own exception types
        raise DbError(f"{action} to {revision} failed on {safe_url(url)}: {type(exc).__name__}: {first_line(exc)}") from None
