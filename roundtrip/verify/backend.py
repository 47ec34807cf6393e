"""Getting at the backend: its OpenAPI document, a launched `--app OUT`, and its database (stage 3).

`--app OUT` runs the generated app (OUT/app/main.py, `create_app` factory) under uvicorn on a free
local port with a fresh database that OUT's own migrations built and the docs' sample rows filled,
so verify tests exactly what CI would deploy; the process is stopped when verify ends.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from roundtrip.verify.client import Target, UsageError
from roundtrip.verify.context import Context

OPENAPI_PATHS = ("/openapi.json", "/openapi.yaml", "/docs/openapi.json", "/v3/api-docs")
START_TIMEOUT = 30.0


def fetch_openapi(target: Target) -> dict[str, Any]:
    """The backend's OpenAPI document; UsageError with what was tried when there is none."""
    tried: list[str] = []
    urls = []
    for p in OPENAPI_PATHS:
        urls += [target.base_url + p, target.root_url(p)]
    seen: list[str] = []
    for url in urls:
        if url in seen:
            continue
        seen.append(url)
        ex = target.send("GET", "openapi", "", raw_url=url)
        if ex.status == 200 and ex.is_json and isinstance(ex.json, dict):
            if "paths" not in ex.json:
                raise UsageError(f"{url} is JSON but not an OpenAPI document (no `paths`); point --base-url at the API")
            return dict(ex.json)
        if ex.status == 200 and url.endswith(".yaml"):
            try:
                import yaml

                loaded = yaml.safe_load(ex.text)
                if isinstance(loaded, dict) and "paths" in loaded:
                    return loaded
            except yaml.YAMLError:
                pass
        tried.append(f"{url} → {ex.status} {ex.content_type or ''}".rstrip())
        if ex.status == 200 and not ex.is_json:
            raise UsageError(f"{url} answered {ex.content_type or 'something'} that is not JSON ({ex.got()[:80]}); is {target.base_url} the API's base URL?")
    raise UsageError("the backend serves no OpenAPI document; tried " + "; ".join(tried[:4]) + ". Serve /openapi.json (FastAPI does by default) or pass the right --base-url")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def launched(command: list[str], env: dict[str, str], port: int, timeout: float = START_TIMEOUT) -> Iterator[str]:
    """Run `command` (a server listening on 127.0.0.1:port); yield its base URL; always stop it."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                tail = log.read().decode(errors="replace").strip().splitlines()[-8:]
                raise UsageError("the app exited before it listened: " + " | ".join(tail))
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.settimeout(0.5)
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise UsageError(f"the app did not listen on 127.0.0.1:{port} within {timeout:.0f}s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def require_app(out: Path) -> Path:
    out = Path(out)
    if not (out / "app" / "main.py").is_file():
        raise UsageError(f"{out} holds no generated app (app/main.py); run `roundtrip generate SPECS -o {out}`, or use --base-url for a backend that runs elsewhere")
    return out


@contextlib.contextmanager
def launched_app(out: Path, db_url: str) -> Iterator[str]:
    out = require_app(out)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url}
    env.setdefault("JWT_SECRET", secrets.token_hex(32))
    cmd = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--app-dir", str(out),
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    with launched(cmd, env, port) as url:
        yield url


@contextlib.contextmanager
def fresh_database(url: str | None, workdir: Path) -> Iterator[tuple[str, str]]:
    """(URL, description) of an empty database for `--app OUT`, removed afterwards.

    No URL: a SQLite file in `workdir`. A PostgreSQL URL names the server (and the account): a new
    database `<name>_verify_<hex>` is created there, so the app runs on a fresh schema that OUT's own
    migrations build, whatever the given database already holds, and it is dropped when verify ends.
    Any other URL (a SQLite file, MySQL) is used as given: it must be empty.
    """
    if not url:
        yield f"sqlite:///{(workdir / 'verify.db').resolve()}", "a fresh SQLite database"
        return
    import sqlalchemy as sa

    import roundtrip.db as rdb

    try:
        given = sa.engine.make_url(rdb.normalize_url(url, workdir))
    except Exception:  # noqa: BLE001 - a malformed URL is a usage problem, said plainly
        raise UsageError(f"--db {url!r} is not a database URL (postgresql://user@host:5432/db, sqlite:///file.db)") from None
    if given.get_backend_name() != "postgresql":
        yield str(url), f"the database at {url} (used as given)"
        return
    name = f"{(given.database or 'roundtrip')[:40]}_verify_{secrets.token_hex(4)}"
    admin = sa.create_engine(given, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.DBAPIError as exc:
        admin.dispose()
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise UsageError(f"cannot create a fresh database on {given.render_as_string(hide_password=True)} for --app: {detail} "
                         "(the account needs CREATEDB)") from None
    fresh = given.set(database=name)
    try:
        yield fresh.render_as_string(hide_password=False), f"a fresh PostgreSQL database {name} on {given.host or 'localhost'} (dropped afterwards)"
    finally:
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except sa.exc.DBAPIError:
            pass  # the server went away; nothing more verify can clean up
        finally:
            admin.dispose()


def prepare_app_database(out: Path, url: str) -> str:
    """Apply OUT's migrations to the (empty) database at `url` and load the docs' sample rows."""
    import roundtrip.db as rdb

    db_url = url
    try:
        rdb.upgrade(Path(out), db_url)
        if (Path(out) / "seed" / "seed.json").is_file():
            rdb.seed(Path(out), db_url)
    except rdb.DbError as err:
        raise UsageError(f"cannot prepare the database for {out}: {err}") from None
    return db_url


def run_database_stage(ctx: Context, url: str) -> list[str]:
    """Reflect the database at `url` and compare it with the docs (models generated from the docs now)."""
    import roundtrip.db as rdb
    from roundtrip import api
    from roundtrip.writer import write_tree

    with tempfile.TemporaryDirectory(prefix="roundtrip-verify-") as tmp:
        write_tree(Path(tmp), api.generated_files(ctx.spec))
        try:
            found = rdb.check(Path(tmp), url, ctx.spec)
        except rdb.DbError as err:
            raise UsageError(f"database stage: {err}") from None
    for d in found:
        ctx.report(d.code, d.span, d.message, severity=d.severity)
    return ["database.schema"]
