"""Response fields composed from other values (emit/app_derived.py at generation time, appkit/derived.py at
run time): a task's `key` is `<project.key>-<number>` (autoflow-taskboard DATA_MODEL.md "Identified to
humans as `<project.key>-<number>`", and every task example), so task 4 of WEB answers `WEB-4`, never the
example's `WEB-3`. Rules come only from examples that agree; a copy of one column is never a rule."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from roundtrip import api
from roundtrip.emit.app_derived import derived_model
from roundtrip.emit.app_model import PASSWORD_COLUMNS
from roundtrip.serve import build_backend, prepare
from tests.conftest import example_dir
from tests.test_app_generate import import_app

TASK_KEY = [
    {"via": "project_id", "table": "projects", "target": "id", "column": "key"},
    {"literal": "-"},
    {"column": "number"},
]


def derived_of(specs: Path) -> dict[str, Any]:
    spec = api.load(specs).spec
    doc, _ = api.openapi(spec)
    return derived_model(spec, doc, PASSWORD_COLUMNS)


def test_task_key_is_learnt_from_the_examples_and_the_project_sample_rows() -> None:
    # `WEB-3` next to `"number": 3`; the project's `task_seq` is 3 as well, but the list example's
    # `WEB-2` next to `"number": 2` rules that reading out
    assert derived_of(example_dir("taskboard")) == {"tasks": {"key": TASK_KEY}}


@pytest.mark.parametrize("key", ["bookings", "exams", "library"])
def test_no_composition_where_the_examples_show_none(key: str) -> None:
    assert derived_of(example_dir(key)) == {}


DATA_MODEL = """# Data Model

### people

| Column | Type | Constraints | Description |
|--------|------|-------------|-------------|
| id | INTEGER | PK | Person id |
| first_name | VARCHAR(50) | NOT NULL | Given name |
| last_name | VARCHAR(50) | NOT NULL | Family name |
| city | VARCHAR(50) | NOT NULL | City |
"""

API = """# API Specification

### GET /people/{id}
**Description**: One person.

**Authentication Required**: No

**Success Response** (200):
```json
{"id": 7, "firstName": "Ada", "lastName": "Lovelace", "city": "London", "fullName": "Ada Lovelace",
 "label": "London", "badge": "7/London"}
```

### GET /people
**Description**: List people.

**Authentication Required**: No

**Success Response** (200):
```json
{"data": [{"id": 8, "firstName": "Alan", "lastName": "Turing", "city": "Wilmslow", "fullName": "Alan Turing",
           "label": "Wilmslow", "badge": "8/Manchester"}]}
```
"""


def test_only_compositions_every_example_agrees_with(tmp_path: Path) -> None:
    (tmp_path / "DATA_MODEL.md").write_text(DATA_MODEL)
    (tmp_path / "API_SPEC.md").write_text(API)
    got = derived_of(tmp_path)
    assert got == {
        "people": {
            "fullName": [{"column": "first_name"}, {"literal": " "}, {"column": "last_name"}],
        }
    }, "`label` only copies `city`; `badge` reads `id/city` in one example and not in the other"


@pytest.fixture(scope="module")
def taskboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    out: Path = tmp_path_factory.mktemp("taskboard") / "out"
    build_backend(example_dir("taskboard"), out)
    prepare(out)
    with TestClient(import_app(out, {"RATE_LIMITS": "false"}), base_url="http://testserver/v1") as client:
        yield client


def signed_in(c: TestClient) -> dict[str, str]:
    email = f"owner.{uuid.uuid4().hex[:8]}@example.com"
    r = c.post(
        "/auth/register",
        json={"tenantName": "Globex", "email": email, "password": "Sunrise2025", "name": "Owner"},
    )
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_task_keys_follow_the_project_key_and_the_task_number(taskboard: TestClient) -> None:
    c = taskboard
    h = signed_in(c)
    keys: dict[str, str] = {}
    for project_key in ("WEB", "MOB"):
        r = c.post("/projects", json={"key": project_key, "name": f"Project {project_key}"}, headers=h)
        assert r.status_code == 201, r.text
        project = r.json()
        for i in range(4):
            r = c.post(f"/projects/{project['id']}/tasks", json={"title": f"Task {i}"}, headers=h)
            assert r.status_code == 201, r.text
            task = r.json()
            assert task["key"] == f"{project_key}-{task['number']}", "created"
            keys[task["id"]] = task["key"]
        assert task["number"] == 4 and task["key"] == f"{project_key}-4", (
            "the fourth task is number 4 and says so"
        )
        listed = c.get(f"/projects/{project['id']}/tasks", headers=h).json()["data"]
        assert sorted(t["key"] for t in listed) == [f"{project_key}-{n}" for n in (1, 2, 3, 4)], "listed"
    some_id = next(iter(keys))
    r = c.get(f"/tasks/{some_id}", headers=h)
    assert r.status_code == 200 and r.json()["key"] == keys[some_id], "read"
    r = c.patch(f"/tasks/{some_id}", json={"title": "Renamed"}, headers=h)
    assert r.status_code == 200 and r.json()["key"] == keys[some_id], "updated"


def test_the_projects_last_issued_counter_issues_task_numbers(taskboard: TestClient) -> None:
    """projects.task_seq, "Last issued task number" (DATA_MODEL.md:183), allocates as the docs' UPDATE … RETURNING
    does: it records every number issued, and a counter ahead of the tasks (tasks deleted) or behind them (sample
    rows) never hands out a taken number."""
    c, h = taskboard, signed_in(taskboard)
    project = c.post("/projects", json={"key": "OPS", "name": "Operations"}, headers=h).json()
    kit = c.app.state.kit  # type: ignore[attr-defined]
    engine, projects = kit.engine, kit.tables["projects"].table
    this = projects.c.id == uuid.UUID(project["id"])  # typed: SQLite keeps a UUID as 32 hex digits

    def counter() -> int:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(projects.c.task_seq).where(this)).scalar_one())

    def new_task() -> int:
        r = c.post(f"/projects/{project['id']}/tasks", json={"title": "t"}, headers=h)
        assert r.status_code == 201, r.text
        return int(r.json()["number"])

    assert (new_task(), new_task(), counter()) == (1, 2, 2)
    with engine.begin() as conn:
        conn.execute(sa.update(projects).where(this).values(task_seq=10))
    assert (new_task(), counter()) == (11, 11), "numbers 3..10 were issued once (their tasks since deleted)"
    with engine.begin() as conn:
        conn.execute(sa.update(projects).where(this).values(task_seq=0))
    assert (new_task(), counter()) == (12, 12), "a counter behind the tasks never issues a taken number"
