"""Timestamps tied to a status value (emit/app_stamps.py, appkit/stamps.py): taskboard's `completedAt` is set when a
task comes to `done` ("Set when status becomes done") and cleared when it moves out ("moving out of `done` clears
it"); a doc in other words, where the stamp is never cleared."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient

from roundtrip import api
from roundtrip.emit.app_stamps import stamps_model
from roundtrip.serve import build_backend, prepare
from tests.test_app_derived import signed_in, taskboard  # noqa: F401 - taskboard is a fixture
from tests.test_app_generate import import_app

TICKETS = """# Tickets API

## Data Model

### tickets

| Column | Type | Constraints | Description |
|--------|------|-------------|-------------|
| id | INTEGER | PK | Ticket id |
| title | VARCHAR(80) | NOT NULL | Title |
| state | VARCHAR(10) | NOT NULL, DEFAULT 'open', CHECK (state IN ('open', 'closed')) | Ticket state |
| closed_on | TIMESTAMPTZ | NULL | Stamped when `state` changes to `closed` |

## Endpoints

### POST /tickets
**Authentication Required**: No

| Field | Type | Required |
|-------|------|----------|
| title | string | Yes |
| state | string | No |

**Success Response** (201):
```json
{ "id": 1, "title": "Printer", "state": "open", "closedOn": null }
```

### PATCH /tickets/{id}
**Authentication Required**: No

| Field | Type | Required |
|-------|------|----------|
| state | string | No |

**Success Response** (200):
```json
{ "id": 1, "title": "Printer", "state": "closed", "closedOn": "2025-01-01T00:00:00Z" }
```
"""


def test_taskboard_completed_at_follows_done(taskboard: TestClient) -> None:  # noqa: F811 - the fixture
    c = taskboard
    h = signed_in(c)
    project = c.post("/projects", json={"key": "STA", "name": "Stamps"}, headers=h).json()
    task = c.post(f"/projects/{project['id']}/tasks", json={"title": "Ship"}, headers=h).json()
    assert task["completedAt"] is None
    done = c.patch(f"/tasks/{task['id']}", json={"status": "done"}, headers=h)
    assert done.status_code == 200, done.text
    stamped = dt.datetime.fromisoformat(done.json()["completedAt"].replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.UTC) - stamped).total_seconds()) < 60
    again = c.patch(f"/tasks/{task['id']}", json={"status": "done", "title": "Ship it"}, headers=h).json()
    assert again["completedAt"] == done.json()["completedAt"], "staying at done keeps the first stamp"
    reopened = c.patch(f"/tasks/{task['id']}", json={"status": "todo"}, headers=h).json()
    assert reopened["completedAt"] is None, "moving out of done clears it"
    assert c.get(f"/tasks/{task['id']}", headers=h).json()["completedAt"] is None
    created_done = c.post(f"/projects/{project['id']}/tasks", json={"title": "Old", "status": "done"}, headers=h).json()
    assert created_done["completedAt"] is not None, "a task created as done is stamped too"


def test_other_words_stamp_without_clearing(tmp_path: Path) -> None:
    (tmp_path / "API.md").write_text(TICKETS, encoding="utf-8")
    spec = api.load(tmp_path).spec
    table = spec.table("tickets")
    assert table is not None
    assert stamps_model(spec, table) == [{"column": "state", "value": "closed", "stamp": "closed_on", "clear": False}]
    out = tmp_path / "out"
    build_backend(tmp_path, out)
    prepare(out)
    with TestClient(import_app(out, {"RATE_LIMITS": "false"})) as c:
        ticket = c.post("/tickets", json={"title": "Printer"}).json()
        closed = c.patch(f"/tickets/{ticket['id']}", json={"state": "closed"}).json()
        assert closed["closedOn"] is not None
        reopened = c.patch(f"/tickets/{ticket['id']}", json={"state": "open"}).json()
        assert reopened["closedOn"] == closed["closedOn"], "the docs say nothing of clearing it"
