"""Emit an Alembic environment, the initial revision, and one revision per change of the docs.

    files = emit_alembic(spec)                    # alembic.ini, migrations/env.py, migrations/script.py.mako,
                                                  # migrations/versions/0001_initial.py, migrations/roundtrip-state.json
    files = emit_alembic(spec, history, compare)  # + migrations/versions/0002_<hash>.py … when the docs changed

The initial revision is made of Alembic's own operation objects (CreateTableOp, CreateIndexOp,
CreateExcludeConstraintOp ...) rendered by `render_python_code` against the PostgreSQL dialect
(LIBRARY-NOTES §6, gotcha 5: autogenerating against SQLite loses expression indexes). A
`render_item` hook prints columns and CHECKs from the same `Code` the models file uses, so custom
types and server defaults appear as `rt.TZDateTime()` / `rt.gen_random_uuid()` (gotchas 2-4).
Constructs one dialect lacks sit in `if dialect == ...` blocks; enum types and extensions are
created before the tables and dropped by `downgrade` (gotcha 6).

`history` is what OUT's state file recorded (migration_state): the data model after each revision.
When the docs' data model differs from the newest one, a revision for the difference is added
(migration_plan prints it; `compare` is roundtrip.diff's classification, passed in by the API).
Every revision is re-rendered from the snapshots around it, so generating twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from alembic.operations import ops

from roundtrip.emit.migration_plan import ChangeSet, Compare, Steps, plan_steps
from roundtrip.emit.migration_render import render_ops
from roundtrip.emit.migration_state import (
    INITIAL_REVISION,
    STATE_PATH,
    StoredRevision,
    encode_state,
    revision_id,
    snapshot,
)
from roundtrip.emit.sa_build import Built, build_metadata, migration_enum_code
from roundtrip.emit.sa_code import pystr, render
from roundtrip.emit.sa_view import PG, SQLITE, DataView, build_view
from roundtrip.ir import Spec

INI_PATH = "alembic.ini"
ENV_PATH = "migrations/env.py"
MAKO_PATH = "migrations/script.py.mako"
INITIAL_PATH = "migrations/versions/0001_initial.py"
DEFAULT_SQLITE_FILE = "app.db"


def revision_path(revision: str) -> str:
    return INITIAL_PATH if revision == INITIAL_REVISION else f"migrations/versions/{revision}_docs_changed.py"


def emit_alembic(
    spec: Spec, history: Sequence[StoredRevision] = (), compare: Compare | None = None
) -> dict[str, str]:
    """Relative path → content of the Alembic environment, every revision, and the state file.

    Without `history` the docs get one initial revision. With it, `compare` (required) classifies
    the change from the newest recorded data model to the docs; a revision is added when that
    change needs any operation."""
    current = snapshot(spec)
    revisions = list(history) or [StoredRevision(INITIAL_REVISION, current)]
    if history:
        if compare is None:
            raise ValueError(
                "emit_alembic: a history needs a compare function (roundtrip.api passes roundtrip.diff's)"
            )
        last = revisions[-1]
        change = compare(last.spec, current)
        if change.changes and not _steps(last.spec, current, change)[0].empty:
            revisions.append(StoredRevision(revision_id(len(revisions) + 1, current, last.revision), current))
    sources = ", ".join(build_view(spec).sources) or "(no documents)"
    files = {
        INI_PATH: alembic_ini(sources),
        ENV_PATH: env_py(sources),
        MAKO_PATH: script_mako(sources),
        INITIAL_PATH: initial_revision(build_view(revisions[0].spec)),
        STATE_PATH: encode_state(revisions),
    }
    for prev, cur in zip(revisions, revisions[1:], strict=False):
        assert compare is not None
        files[revision_path(cur.revision)] = evolution_revision(prev, cur, compare(prev.spec, cur.spec))
    return files


def _steps(old: Spec, new: Spec, change: ChangeSet) -> tuple[Steps, Steps]:
    """(upgrade, downgrade) steps between two data models."""
    old_view, new_view = build_view(old), build_view(new)
    return plan_steps(old_view, new_view, change), plan_steps(
        new_view, old_view, change.reversed(), downgrade=True
    )


# ---------------------------------------------------------------------------------------------
# the initial revision
# ---------------------------------------------------------------------------------------------


def _upgrade_ops(view: DataView, built: Built) -> tuple[list[Any], list[Any], list[Any]]:
    common: list[Any] = []
    for tv in view.tables:
        table = built.tables[tv.name]
        common.append(ops.CreateTableOp.from_table(table))
        for ix in built.indexes[""]:
            if ix.table is table:
                common.append(ops.CreateIndexOp.from_index(ix))
    pg: list[Any] = [ops.CreateIndexOp.from_index(ix) for ix in built.indexes[PG]]
    for table_name, fk in built.late_fks:
        pg.append(
            ops.CreateForeignKeyOp(
                fk.name or None,
                table_name,
                fk.ref_table,
                list(fk.columns),
                list(fk.ref_columns),
                ondelete=fk.ondelete or None,
                onupdate=fk.onupdate or None,
            )
        )
    lite: list[Any] = [ops.CreateIndexOp.from_index(ix) for ix in built.indexes[SQLITE]]
    # exclusion constraints: triggers on SQLite (emit/sqlite_exclusions; dropped with their table)
    lite += [ops.ExecuteSQLOp(sql) for tv in view.tables for ex in tv.exclusions for sql in ex.sqlite.statements]
    return common, pg, lite


def _downgrade_ops(view: DataView, built: Built) -> tuple[list[Any], list[Any]]:
    pg: list[Any] = []
    for table_name, fk in built.late_fks:
        name = fk.name or f"{table_name}_{'_'.join(fk.columns)}_fkey"  # PostgreSQL's default name
        pg.append(ops.DropConstraintOp(name, table_name, type_="foreignkey"))
    common = [ops.DropTableOp.from_table(built.tables[tv.name]) for tv in reversed(view.tables)]
    return pg, common


def _block(condition: str, body: str) -> str:
    return f"    if {condition}:\n{body}\n" if body else ""


def initial_revision(view: DataView) -> str:
    built = build_metadata(view)
    common, pg, lite = _upgrade_ops(view, built)
    down_pg, down_common = _downgrade_ops(view, built)
    up_common = render_ops(common, built, 4)
    up_pg = render_ops(pg, built, 8)
    up_lite = render_ops(lite, built, 8)
    dn_pg = render_ops(down_pg, built, 8)
    dn_common = render_ops(down_common, built, 4)
    sources = ", ".join(view.sources) or "(no documents)"
    table_list = ", ".join(t.name for t in view.tables) or "(none)"
    enums = "".join(f"    {render(migration_enum_code(e))},\n" for e in view.enums)
    exts = "".join(f"    {pystr(x)},\n" for x in view.extensions)
    body = "\n".join(
        [up_common, _block('dialect == "postgresql"', up_pg), _block('dialect == "sqlite"', up_lite)]
    )
    text = f'''"""Initial schema: generated by roundtrip from {sources}. Do not edit; regenerate with `roundtrip generate`.

Tables: {table_list}.

Revision ID: 0001
Revises:
Create Date: not recorded (generated files are deterministic)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.db import types as rt

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

# PostgreSQL extensions the schema needs (created if missing; dropped again by downgrade if unused).
EXTENSIONS: tuple[str, ...] = (
{exts})

# Native enum types, created once before the tables that use them (PostgreSQL only).
ENUM_TYPES: tuple[postgresql.ENUM, ...] = (
{enums})


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "postgresql":
        for extension in EXTENSIONS:
            op.execute(rt.CreateExtension(extension))
        for enum_type in ENUM_TYPES:
            op.execute(postgresql.CreateEnumType(enum_type))
{body}

def downgrade() -> None:
    dialect = op.get_context().dialect.name
{_block('dialect == "postgresql"', dn_pg)}{dn_common}
    if dialect == "postgresql":
        for enum_type in reversed(ENUM_TYPES):
            op.execute(postgresql.DropEnumType(enum_type))
        _drop_extensions()


def _drop_extensions() -> None:
    """Drop the extensions again unless something else in the database still uses them."""
    context = op.get_context()
    for extension in reversed(EXTENSIONS):
        if context.as_sql:
            op.execute(rt.DropExtension(extension))
            continue
        savepoint = op.get_bind().begin_nested()
        try:
            op.execute(rt.DropExtension(extension))
            savepoint.commit()
        except sa.exc.DBAPIError:
            savepoint.rollback()  # still in use by objects this migration did not create: keep it
'''
    text = re.sub(r"\n{3,}(?=\S)", "\n\n\n", text)
    return re.sub(r"\n\n\n(?=    )", "\n\n", text)


# ---------------------------------------------------------------------------------------------
# a revision for changed docs
# ---------------------------------------------------------------------------------------------


def _branch(lines: list[str], indent: int) -> str:
    pad = " " * indent
    body = "\n".join(pad + ln if ln.strip() else ln for chunk in lines for ln in chunk.splitlines())
    return body or pad + "pass"


def _docstring_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


_EVOLUTION_HELPERS = '''

def _require_foreign_keys_off() -> None:
    """SQLite tables are rebuilt (copy, drop, rename): with foreign keys on, the drop would cascade."""
    context = op.get_context()
    if not context.as_sql and op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("this revision rebuilds SQLite tables and needs PRAGMA foreign_keys=OFF (migrations/env.py sets it)")


def _foreign_key_check() -> None:
    """After the rebuilds: every reference must still resolve, as it would with foreign keys on."""
    context = op.get_context()
    if context.as_sql:
        return
    broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent = broken[0][0], broken[0][1], broken[0][2]
        raise RuntimeError(f"{len(broken)} row(s) reference missing rows after the rebuild, e.g. {table} rowid {rowid} → {parent}")


def _create_extension(name: str) -> None:
    """CREATE EXTENSION where it is missing, marked as this revision's (its comment): the downgrade drops
    only an extension this upgrade created, never one the database had before."""
    context = op.get_context()
    if context.as_sql:
        op.execute(rt.CreateExtension(name))
        return
    found = op.get_bind().execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = :name"), {"name": name}).first()
    if found is None:
        op.execute(rt.CreateExtension(name))
        op.execute(sa.text(f"COMMENT ON EXTENSION {_quote(name)} IS '{EXTENSION_MARK}'"))


def _drop_extension(name: str) -> None:
    """Drop an extension this revision's upgrade created, unless something still depends on it
    (DROP EXTENSION … RESTRICT refuses; it is then kept). Offline SQL cannot tell who created it: kept."""
    context = op.get_context()
    if context.as_sql:
        return
    bind = op.get_bind()
    mark = bind.execute(sa.text("SELECT obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname = :name"), {"name": name}).scalar()
    if mark != EXTENSION_MARK:
        return
    savepoint = bind.begin_nested()
    try:
        op.execute(rt.DropExtension(name))
        savepoint.commit()
    except sa.exc.DBAPIError:
        savepoint.rollback()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _add_enum_value(statement: str) -> None:
    """ALTER TYPE ... ADD VALUE runs inside the migration's transaction on PostgreSQL 12+, before that outside it."""
    context = op.get_context()
    if not context.as_sql and (op.get_bind().dialect.server_version_info or (0,)) < (12,):
        with context.autocommit_block():
            op.execute(statement)
    else:
        op.execute(statement)
'''


def evolution_revision(prev: StoredRevision, cur: StoredRevision, change: ChangeSet) -> str:
    """The revision from `prev`'s data model to `cur`'s: in-place ALTERs, SQLite table rebuilds."""
    up, down = _steps(prev.spec, cur.spec, change)
    sources = ", ".join(cur.spec.files) or "(no documents)"
    listed = (
        "\n".join(f"- {rule} {message}" for rule, _, message in change.changes) or "- (no classified change)"
    )

    def body(steps: Steps) -> str:
        lite = (
            ["_require_foreign_keys_off()", *steps.sqlite, "_foreign_key_check()"]
            if steps.rebuilds
            else steps.sqlite
        )
        return (
            f'    if op.get_context().dialect.name == "sqlite":\n{_branch(lite, 8)}\n'
            f"    else:  # PostgreSQL (and any database that alters tables in place)\n{_branch(steps.inplace, 8)}\n"
        )

    return f'''"""The docs changed: generated by roundtrip from {_docstring_text(sources)}. Do not edit; regenerate with `roundtrip generate`.

Changes since revision {prev.revision} (`roundtrip diff` rules):
{_docstring_text(listed)}

Revision ID: {cur.revision}
Revises: {prev.revision}
Create Date: not recorded (generated files are deterministic)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.db import types as rt

revision: str = {pystr(cur.revision)}
down_revision: str | None = {pystr(prev.revision)}
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

# The comment on a PostgreSQL extension this revision created (what its downgrade may drop).
EXTENSION_MARK = {pystr("created by roundtrip revision " + cur.revision)}

__all__ = ["downgrade", "postgresql", "rt", "sa", "upgrade"]  # the imports are what the operations may use


def upgrade() -> None:
{body(up)}

def downgrade() -> None:
{body(down)}{_EVOLUTION_HELPERS}'''


# ---------------------------------------------------------------------------------------------
# environment
# ---------------------------------------------------------------------------------------------


def alembic_ini(sources: str) -> str:
    return f"""# Alembic configuration: generated by roundtrip from {sources}.
# The database URL is not stored here: migrations/env.py takes it from DATABASE_URL and falls
# back to a SQLite file next to this file ({DEFAULT_SQLITE_FILE}).
#   DATABASE_URL=postgresql://user@host/db alembic -c alembic.ini upgrade head

[alembic]
script_location = %(here)s/migrations
prepend_sys_path = %(here)s
path_separator = os
version_path_separator = os

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""


def env_py(sources: str) -> str:
    return f'''"""Alembic environment: generated by roundtrip from {sources}. Do not edit; regenerate with `roundtrip generate`.

The database is, in order: the URL a caller put into `config.attributes["database_url"]`,
the DATABASE_URL environment variable, `sqlalchemy.url` in alembic.ini, and finally a SQLite file
next to alembic.ini. All migrations run in one transaction, on SQLite too, so a failure leaves
no half-applied schema.
"""

from __future__ import annotations

import os
import sys
from logging.config import fileConfig
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import context

OUT = Path(__file__).resolve().parent.parent
if sys.path[:1] != [str(OUT)]:
    sys.path.insert(0, str(OUT))  # first, so this backend's `app` package wins over any other

from app.db import models  # noqa: E402 - importable once OUT is on sys.path

config = context.config
target_metadata = models.Base.metadata

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    url = str(config.attributes.get("database_url") or os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url") or "")
    if not url:
        url = "sqlite:///" + str(OUT / {pystr(DEFAULT_SQLITE_FILE)})
    # Plain postgresql:// would pick psycopg2; this project ships psycopg 3.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_transactional(engine: sa.Engine) -> None:
    """pysqlite commits DDL implicitly; take over BEGIN so the whole upgrade is one transaction.

    Foreign keys are off while migrating (SQLite ignores the pragma inside a transaction, so it is
    set just before BEGIN): revisions rebuild tables by copy, drop and rename, and dropping a
    table with foreign keys on would delete the rows that reference it. Revisions that rebuild
    run PRAGMA foreign_key_check before they finish.
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql("BEGIN")


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True, dialect_opts={{"paramstyle": "named"}})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = sa.create_engine(database_url(), poolclass=sa.pool.NullPool)
    if engine.dialect.name == "sqlite":
        _sqlite_transactional(engine)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''


def script_mako(sources: str) -> str:
    return f'''## Revision template: generated by roundtrip from {sources}. New revisions you create with it are yours.
"""${{message}}

Revision ID: ${{up_revision}}
Revises: ${{down_revision | comma,n}}
Create Date: ${{create_date}}
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
${{imports if imports else ""}}
revision: str = ${{repr(up_revision)}}
down_revision: str | None = ${{repr(down_revision)}}
branch_labels: str | tuple[str, ...] | None = ${{repr(branch_labels)}}
depends_on: str | tuple[str, ...] | None = ${{repr(depends_on)}}


def upgrade() -> None:
    ${{upgrades if upgrades else "pass"}}


def downgrade() -> None:
    ${{downgrades if downgrades else "pass"}}
'''
