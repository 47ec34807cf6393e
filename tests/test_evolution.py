"""Issue 6: when the docs change, `roundtrip generate` adds an Alembic revision for the difference.

The scenario (tests/fixtures/evolve, see its README): generate from v1, migrate and seed, then
regenerate from v2 and upgrade — on SQLite and on PostgreSQL, through the CLI like a user. Every
seeded row keeps its values (the renamed column included), the schema is v2's (`db check`), and
downgrading gives back v1's schema and data.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from roundtrip import api
from roundtrip.db.runtime import make_engine, normalize_url
from roundtrip.emit.migration_sql import added_values, pg_name
from roundtrip.emit.migration_state import STATE_PATH, decode_state
from roundtrip.verify.tree import check_tree
from tests.conftest import REPO

EVOLVE = REPO / "tests" / "fixtures" / "evolve"
V1, V2 = EVOLVE / "v1", EVOLVE / "v2"
VERSIONS = "migrations/versions"


def cli(*args: object, expect: int = 0) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "roundtrip", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == expect, (
        f"roundtrip {' '.join(map(str, args))} → {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    )
    return proc


def _rows(url: str, out: Path, sql: str) -> list[dict[str, object]]:
    engine = make_engine(normalize_url(url, out))
    try:
        with engine.connect() as conn:
            return [{k: str(v) for k, v in row._mapping.items()} for row in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def _execute(url: str, out: Path, sql: str) -> None:
    engine = make_engine(normalize_url(url, out))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(sql))
    finally:
        engine.dispose()


def _revisions(out: Path) -> list[str]:
    return sorted(p.name for p in (out / VERSIONS).glob("*.py"))


def _scenario(tmp_path: Path, url: str) -> None:
    out = tmp_path / "out"
    specs = tmp_path / "specs"
    shutil.copytree(V1, specs)
    cli("generate", specs, "-o", out)
    assert _revisions(out) == ["0001_initial.py"]
    cli("db", "upgrade", out, "--db", url, "--seed")
    users_v1 = _rows(url, out, "SELECT id, email, fullname, created_at FROM users ORDER BY id")
    tasks_v1 = _rows(
        url, out, "SELECT id, owner_id, title, status, due_date, created_at FROM tasks ORDER BY id"
    )
    assert len(users_v1) == 2 and len(tasks_v1) == 1

    # The docs change in place (same folder, as a team edits them): regenerate.
    shutil.rmtree(specs)
    shutil.copytree(V2, specs)
    cli("generate", specs, "-o", out)
    revisions = _revisions(out)
    assert len(revisions) == 2 and revisions[0] == "0001_initial.py", revisions
    head = revisions[1].split("_docs_changed")[0]
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.suffix != ".db"}
    cli("generate", specs, "-o", out)  # generating again: no new revision, nothing rewritten
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.suffix != ".db"} == before
    cli("check", specs, "-o", out)

    upgraded = cli("db", "upgrade", out, "--db", url, "--seed")
    assert f"upgraded to {head}" in upgraded.stderr
    users_v2 = _rows(
        url, out, "SELECT id, email, display_name, avatar_url, created_at FROM users ORDER BY id"
    )
    assert [
        {
            **{k: v for k, v in u.items() if k != "fullname"},
            "display_name": u["fullname"],
            "avatar_url": "None",
        }
        for u in users_v1
    ] == users_v2  # the rename kept every name
    tasks_v2 = _rows(
        url, out, "SELECT id, owner_id, title, status, due_date, created_at, position FROM tasks ORDER BY id"
    )
    assert [{**t, "position": "0"} for t in tasks_v1] == tasks_v2  # the new NOT NULL column got its default
    cli(
        "db", "check", specs, "--db", url
    )  # the schema is v2's: tables, columns, types, defaults, indexes, keys

    # The new CHECK value is accepted, and the check is still there for anything else.
    owner = users_v1[0]["id"]
    task = "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6"
    _execute(
        url,
        out,
        f"INSERT INTO tasks (id, owner_id, title, status) VALUES ('{task}', '{owner}', 'Blocked one', 'blocked')",
    )
    with pytest.raises(sa.exc.IntegrityError):
        _execute(
            url,
            out,
            f"INSERT INTO tasks (id, owner_id, title, status) VALUES ('{uuid.uuid4()}', '{owner}', 'Bad', 'bogus')",
        )
    _execute(
        url,
        out,
        f"INSERT INTO comments (id, task_id, author_id, body) VALUES ('{uuid.uuid4()}', '{task}', '{owner}', 'Why?')",
    )
    _execute(
        url, out, f"DELETE FROM tasks WHERE id = '{task}'"
    )  # the blocked value cannot go back into v1's CHECK
    assert _rows(url, out, "SELECT count(*) AS n FROM comments") == [{"n": "0"}]  # ON DELETE CASCADE survived

    # Downgrade one step: v1's schema (checked against v1's docs) with v1's values.
    cli("db", "downgrade", out, "--db", url, "--to", "0001")
    shutil.rmtree(specs)
    shutil.copytree(V1, specs)
    v1_out = tmp_path / "v1_out"
    cli("generate", specs, "-o", v1_out)
    cli("db", "check", specs, "--db", url)
    assert _rows(url, out, "SELECT id, email, fullname, created_at FROM users ORDER BY id") == users_v1
    assert (
        _rows(url, out, "SELECT id, owner_id, title, status, due_date, created_at FROM tasks ORDER BY id")
        == tasks_v1
    )
    cli("db", "downgrade", out, "--db", url)
    cli("db", "upgrade", out, "--db", url)  # and the whole chain applies to an empty database
    shutil.rmtree(specs)
    shutil.copytree(V2, specs)
    cli("db", "check", specs, "--db", url)


def test_v1_to_v2_on_sqlite(tmp_path: Path) -> None:
    _scenario(tmp_path, f"sqlite:///{tmp_path / 'evolve.db'}")


def test_v1_to_v2_on_postgres(tmp_path: Path, pg_url: str) -> None:
    _scenario(tmp_path, pg_url)


# ---------------------------------------------------------------------------------------------
# the revision and the state file
# ---------------------------------------------------------------------------------------------


def _generate(specs: Path, out: Path) -> api.GenerateResult:
    gen = api.generate(specs, out)
    assert gen.result.ok, [str(d) for d in gen.result.diagnostics]
    return gen


def test_the_revision_renames_and_never_drops_a_documented_rename(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _generate(V1, out)
    _generate(V2, out)
    (path,) = (out / VERSIONS).glob("0002_*.py")
    text = path.read_text()
    compile(text, path.name, "exec")
    assert 'op.alter_column("users", "fullname", new_column_name="display_name")' in text
    assert 'op.alter_column("users", "display_name", new_column_name="fullname")' in text  # downgrade
    assert (
        'drop_column("users", "fullname")' not in text and 'drop_column("users", "display_name")' not in text
    )
    # SQLite renames the column in place too (before rebuilding users), then copies it under its new name.
    assert text.count('op.alter_column("users", "fullname", new_column_name="display_name")') == 2
    assert 'SELECT \\"id\\", \\"email\\", \\"display_name\\", \\"created_at\\" FROM \\"users\\"' in text
    assert 'op.drop_constraint("tasks_status_check", "tasks", type_="check")' in text
    assert (
        "op.create_check_constraint(\"tasks_status_check\", \"tasks\", \"status IN ('todo', 'doing', 'blocked', 'done')\")"
        in text
    )
    assert 'op.drop_index("idx_tasks_due_date", table_name="tasks")' in text
    for rule in ("RD202", "RD204", "RD205", "RD207", "RD215", "RD218"):
        assert f"- {rule} " in text  # the docstring lists what changed, by diff rule


def test_revision_ids_are_content_derived_and_stable(tmp_path: Path) -> None:
    for name in ("a", "b"):
        _generate(V1, tmp_path / name)
        _generate(V2, tmp_path / name)
    assert _revisions(tmp_path / "a") == _revisions(tmp_path / "b")
    assert (tmp_path / "a" / STATE_PATH).read_text() == (tmp_path / "b" / STATE_PATH).read_text()
    chain = [r.revision for r in decode_state((tmp_path / "a" / STATE_PATH).read_text())]
    assert chain[0] == "0001" and chain[1].startswith("0002_") and len(chain) == 2
    text = next((tmp_path / "a" / VERSIONS).glob("0002_*.py")).read_text()
    assert f'revision: str = "{chain[1]}"' in text and 'down_revision: str | None = "0001"' in text


def test_prose_only_changes_add_no_revision(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(V1, specs)
    out = tmp_path / "out"
    _generate(specs, out)
    model = specs / "DATA_MODEL.md"
    model.write_text(
        model.read_text()
        .replace("People who own tasks.", "People who own and share tasks.")
        .replace("| Name shown in the app |", "| The name the app shows |")
    )
    _generate(specs, out)
    assert _revisions(out) == ["0001_initial.py"]
    assert len(decode_state((out / STATE_PATH).read_text())) == 1
    assert check_tree(specs, out).exit_code == 0


def test_check_accounts_for_the_recorded_history(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _generate(V1, out)
    stale = check_tree(V2, out)  # docs changed, not regenerated: the new revision is missing
    assert stale.exit_code == 1
    assert any(f.status == "missing" and f.path.startswith(f"{VERSIONS}/0002_") for f in stale.files)
    _generate(V2, out)
    assert check_tree(V2, out).exit_code == 0
    revision = next((out / VERSIONS).glob("0002_*.py"))
    revision.write_text(revision.read_text().replace("new_column_name=", "new_column_name = "))
    edited = check_tree(V2, out)
    assert [d.code for d in edited.diagnostics] == ["RT445"]


def test_an_unreadable_state_is_a_diagnostic_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _generate(V1, out)
    state = out / STATE_PATH
    text = state.read_text()
    state.write_text(text.replace('"revision": "0001"', '"revision": "0001",,'))
    proc = cli("generate", V2, "-o", out, expect=1)
    assert f"{STATE_PATH}:5: error RT448" in proc.stderr and "not valid JSON" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _revisions(out) == ["0001_initial.py"]
    proc = cli("check", V2, "-o", out, expect=2)
    assert "RT448" not in proc.stderr and "not valid JSON" in proc.stderr
    # A hand-edited snapshot no longer matches its content-derived id.
    _generate(V1, tmp_path / "two")
    _generate(V2, tmp_path / "two")
    two = tmp_path / "two" / STATE_PATH
    data = json.loads(two.read_text())
    data["revisions"][1]["spec"]["tables"][0]["name"] = "people"
    two.write_text(json.dumps(data, indent=1))
    gen = api.generate(V2, tmp_path / "two")
    (diag,) = [d for d in gen.result.diagnostics if d.code == "RT448"]
    assert "edited by hand" in diag.message and diag.span.line > 1 and not gen.written


def test_enum_value_positions_and_postgres_names() -> None:
    assert added_values(("todo", "done"), ("todo", "doing", "done")) == [("doing", "BEFORE 'done'")]
    assert added_values(("a",), ("a", "b")) == [("b", "")]
    assert added_values(("a", "b"), ("b", "a")) is None  # reordered: recreate the type
    assert added_values(("a", "b"), ("a",)) is None  # removed: recreate the type
    assert pg_name("tasks", ["status"], "check") == "tasks_status_check"
    assert pg_name("users", [], "pkey") == "users_pkey"
    long = pg_name("t" * 40, ["c" * 40], "fkey")
    assert len(long) == 63 and long.endswith("_fkey")


# ---------------------------------------------------------------------------------------------
# PostgreSQL enum types
# ---------------------------------------------------------------------------------------------

ENUM_DOC = """# Data Model

```sql
CREATE TYPE ticket_state AS ENUM ({values});

CREATE TABLE tickets (
  id SERIAL PRIMARY KEY,
  title VARCHAR(100) NOT NULL,
  state ticket_state NOT NULL DEFAULT 'open'
);

INSERT INTO tickets (id, title, state) VALUES (1, 'First', 'open'), (2, 'Second', 'closed');
```
"""


def test_enum_type_gains_a_value_on_postgres_and_loses_it_on_downgrade(tmp_path: Path, pg_url: str) -> None:
    specs, out = tmp_path / "specs", tmp_path / "out"
    specs.mkdir()
    (specs / "DATA_MODEL.md").write_text(ENUM_DOC.format(values="'open', 'closed'"))
    cli("generate", specs, "-o", out)
    cli("db", "upgrade", out, "--db", pg_url, "--seed")
    (specs / "DATA_MODEL.md").write_text(ENUM_DOC.format(values="'open', 'waiting', 'closed'"))
    cli("generate", specs, "-o", out)
    text = next((out / VERSIONS).glob("0002_*.py")).read_text()
    assert "ALTER TYPE \\\"ticket_state\\\" ADD VALUE IF NOT EXISTS 'waiting' BEFORE 'closed'" in text
    cli("db", "upgrade", out, "--db", pg_url)
    labels = "SELECT e.enumlabel AS v FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'ticket_state' ORDER BY e.enumsortorder"
    assert [r["v"] for r in _rows(pg_url, out, labels)] == ["open", "waiting", "closed"]
    cli("db", "check", specs, "--db", pg_url)
    _execute(pg_url, out, "INSERT INTO tickets (id, title, state) VALUES (3, 'Third', 'waiting')")
    _execute(pg_url, out, "DELETE FROM tickets WHERE id = 3")
    cli(
        "db", "downgrade", out, "--db", pg_url, "--to", "0001"
    )  # PostgreSQL cannot drop a value: the type is recreated
    assert [r["v"] for r in _rows(pg_url, out, labels)] == ["open", "closed"]
    assert _rows(pg_url, out, "SELECT id, title, state FROM tickets ORDER BY id") == [
        {"id": "1", "title": "First", "state": "open"},
        {"id": "2", "title": "Second", "state": "closed"},
    ]
    assert _rows(
        pg_url,
        out,
        "SELECT column_default AS d FROM information_schema.columns WHERE table_name = 'tickets' AND column_name = 'state'",
    ) == [{"d": "'open'::ticket_state"}]
