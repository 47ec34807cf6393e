"""`roundtrip serve SPECS|OUT`: the docs as a running backend (mock server with real persistence).

From a spec folder it compiles and generates into `.roundtrip-cache/<hash>` under the current
directory (the hash covers the docs and roundtrip's own generator, so an unchanged spec reuses its
backend and its database), migrates and seeds the database, prints the URL, the docs page, the
example-backed endpoints and the seeded test accounts (the docs' own, or the generated ones when the
docs hold none: emit.seed_accounts), and runs uvicorn. From a generated OUT
folder (it holds app/main.py) it serves that folder as it is.

    prepared = prepare(Path("specs"), db=None, reset=False)   # no server: tests, `make bench`
    serve(Path("specs"), db=None, host="127.0.0.1", port=8000, reset=False)
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CACHE_DIR = ".roundtrip-cache"
DEFAULT_SECRET_ENV = "JWT_SECRET"


class ServeError(Exception):
    """The target cannot be served; the message says what to do."""


@dataclass
class Prepared:
    out: Path
    url: str | None  # None: the backend's default SQLite file (OUT/app.db)
    generated: bool
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (login, role)
    examples: list[str] = field(default_factory=list)  # "METHOD /path"
    actions: list[str] = field(default_factory=list)  # "METHOD /path": actions that change the row they name
    seed_report: str = ""
    test_accounts: list[dict[str, Any]] = field(default_factory=list)  # generated: role, login endpoint and body
    base_path: str = ""


def is_backend(path: Path) -> bool:
    return (path / "app" / "main.py").is_file() and (path / "app" / "api_model.json").is_file()


def spec_hash(specs: Path) -> str:
    """Docs + generator: a change to either gives a fresh cache folder."""
    h = hashlib.sha256()
    files = [specs] if specs.is_file() else sorted(p for p in specs.rglob("*.md") if CACHE_DIR not in p.parts)
    for p in files:
        h.update(str(p.relative_to(specs) if specs.is_dir() else p.name).encode())
        h.update(p.read_bytes())
    pkg = Path(__file__).resolve().parent
    for p in sorted(list((pkg / "appkit").glob("*.py")) + list((pkg / "emit").glob("*.py"))):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def build_backend(specs: Path, out: Path) -> list[str]:
    """Compile the docs and write every generated file into `out` (+ the user layer when absent).
    Returns the written paths; raises ServeError when the docs cannot be compiled."""
    from roundtrip import api
    from roundtrip.emit.app import emit_app, emit_user_layer
    from roundtrip.writer import write_atomic, write_tree

    result = api.load(specs)
    if any(d.code in ("RT101", "RT102") for d in result.diagnostics):
        raise ServeError(f"{specs}: no readable Markdown docs (run `roundtrip lint {specs}`)")
    files = api.generated_files(result.spec)
    files.update(emit_app(result.spec))
    written, _, refused = write_tree(out, files)
    if refused:
        raise ServeError(f"{out}: refusing to overwrite files roundtrip did not generate: {', '.join(refused)}")
    for rel, text in emit_user_layer(result.spec).items():
        target = out / rel
        if not target.exists():
            write_atomic(target, text)
            written.append(rel)
    return written


def prepare(target: Path, *, db: str | None = None, reset: bool = False, cache_root: Path | None = None, seed: bool = True) -> Prepared:
    """Generate (for a spec folder), migrate and seed; returns where the backend is and what it holds."""
    import roundtrip.db as rdb

    target = Path(target)
    if not target.exists():
        raise ServeError(f"{target} does not exist: give a spec folder or a generated backend folder")
    generated = False
    if is_backend(target):
        out = target
    else:
        out = (cache_root or Path.cwd()) / CACHE_DIR / spec_hash(target)
        if reset or not is_backend(out):
            build_backend(target, out)
            generated = True
    if reset:
        _reset_database(out, db)
    try:
        rdb.upgrade(out, db)
        report = str(rdb.seed(out, db)) if seed and (out / "seed" / "seed.json").is_file() else ""
    except rdb.DbError as err:
        raise ServeError(str(err)) from None
    model = json.loads((out / "app" / "api_model.json").read_text(encoding="utf-8"))
    return Prepared(
        out, db, generated, seeded_accounts(out, model), example_backed(model), example_backed(model, actions=True), report,
        generated_accounts(out), str(model.get("base_path") or ""),
    )


def _reset_database(out: Path, db: str | None) -> None:
    import roundtrip.db as rdb

    if not db or db.startswith("sqlite"):
        path = Path(db[len("sqlite:///"):]) if db and db.startswith("sqlite:///") else out / "app.db"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    try:
        if rdb.current_revision(out, db) is not None:
            rdb.downgrade(out, db, "base")
    except rdb.DbError as err:
        raise ServeError(f"--reset could not empty the database: {err}") from None


def seeded_accounts(out: Path, model: dict[str, Any]) -> list[tuple[str, str]]:
    seed_file = out / "seed" / "seed.json"
    if not seed_file.is_file():
        return []
    seed = json.loads(seed_file.read_text(encoding="utf-8"))
    accounts = model.get("accounts") or {}
    found: list[tuple[str, str]] = []
    for table in seed.get("tables", []):
        cfg = accounts.get(table.get("table"))
        if not cfg:
            continue
        for row in table.get("rows", []):
            if row.get("example"):
                continue  # a row from a response example: no password the docs state (a generated account lists it)
            values = row.get("values", {})
            login = values.get(cfg["login_column"])
            if login:
                role = values.get(cfg.get("role_column") or "") or cfg.get("default_role") or table["table"]
                found.append((str(login), str(role)))
    return found


def generated_accounts(out: Path) -> list[dict[str, Any]]:
    """The generated test accounts of OUT's seed data (seed.json `test_accounts`), as the loader took them."""
    seed_file = out / "seed" / "seed.json"
    if not seed_file.is_file():
        return []
    seed = json.loads(seed_file.read_text(encoding="utf-8"))
    return [a for a in (seed.get("test_accounts") or {}).get("accounts", []) if isinstance(a, dict)]


def account_lines(accounts: list[dict[str, Any]], base_path: str) -> list[str]:
    """`role  POST /base/auth/login  {"email": …, "password": …}` per generated account, columns aligned."""
    rows = []
    for a in accounts:
        login = a.get("login") or {}
        body = json.dumps(login["body"], ensure_ascii=False) if login.get("body") else "(no login endpoint names it)"
        rows.append((str(a.get("role", "")), f"{login.get('method', 'POST')} {base_path}{login.get('path', '')}", body))
    width = [max((len(r[i]) for r in rows), default=0) for i in range(2)]
    return [f"{r[0]:<{width[0]}}  {r[1]:<{width[1]}}  {r[2]}" for r in rows]


def example_backed(model: dict[str, Any], actions: bool = False) -> list[str]:
    """The operations answered from the docs' examples (`actions=True`: those among them that change the row their
    path names first, as the docs' action says: a status set, a due date moved on)."""
    ops = model.get("operations", {})
    return [
        f"{op['method']} {model.get('base_path', '')}{op['path']}"
        for op in ops.values()
        if op.get("kind") == "example" and bool(op.get("action")) == actions
    ]


def banner(p: Prepared, host: str, port: int) -> str:
    from roundtrip.db.runtime import safe_url

    base = f"http://{host}:{port}"
    lines = [
        f"roundtrip serve: {p.out}",
        f"  database   {safe_url(p.url) if p.url else p.out / 'app.db'}",
        f"  API        {base}",
        f"  docs       {base}/docs  (ReDoc: {base}/redoc, OpenAPI: {base}/openapi.json)",
    ]
    if p.seed_report:
        lines.append("  " + p.seed_report.replace("\n", "\n  "))
    if p.accounts:
        lines.append("  seeded accounts (passwords: as stated in the docs' sample data):")
        lines += [f"    {login}  ({role})" for login, role in p.accounts]
    if p.test_accounts:
        lines.append("  generated test accounts (the docs hold no account to log in as; development only):")
        lines += [f"    {line}" for line in account_lines(p.test_accounts, p.base_path)]
    if p.actions:
        lines.append("  actions (change the row they name as the docs say, in the database):")
        lines += [f"    {e}" for e in p.actions]
    if p.examples:
        lines.append("  example-backed (answer with the docs' examples, no database):")
        lines += [f"    {e}" for e in p.examples]
    return "\n".join(lines)


def app_env(p: Prepared, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the app runs with: the database URL, and a JWT secret that survives restarts."""
    env = {**os.environ, **(extra or {})}
    if p.url:
        env["DATABASE_URL"] = p.url
    else:
        env["DATABASE_URL"] = f"sqlite:///{(p.out / 'app.db').resolve()}"
    if not env.get(DEFAULT_SECRET_ENV):
        secret_file = p.out / ".jwt-secret"
        if not secret_file.exists():
            secret_file.write_text(os.urandom(32).hex(), encoding="utf-8")
            secret_file.chmod(0o600)
        env[DEFAULT_SECRET_ENV] = secret_file.read_text(encoding="utf-8").strip()
    return env


def uvicorn_command(out: Path, host: str, port: int, workers: int = 1) -> list[str]:
    cmd = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--app-dir", str(out), "--host", host, "--port", str(port)]
    cmd += ["--no-access-log", "--log-level", "warning"]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    return cmd


def serve(target: Path, *, db: str | None = None, host: str = "127.0.0.1", port: int = 8000, reset: bool = False) -> None:
    """Prepare the backend, print the banner, and run uvicorn in the foreground (Ctrl-C stops it)."""
    import uvicorn

    p = prepare(Path(target), db=db, reset=reset)
    print(banner(p, host, port), flush=True)
    os.environ.update(app_env(p))
    uvicorn.run("app.main:create_app", factory=True, app_dir=str(p.out), host=host, port=port, access_log=False, log_level="warning")
