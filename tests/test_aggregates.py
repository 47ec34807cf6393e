"""`<child>Count` properties count the child rows the docs' tables hold, also when the child table carries the
parent's name (`memberCount` of a workspace: workspace_members rows), never a value generated from the schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient

from roundtrip.serve import prepare
from tests.conftest import example_dir
from tests.test_app_generate import import_app


def test_a_workspaces_member_count_counts_its_workspace_members(tmp_path: Path) -> None:
    p = prepare(example_dir("bookings"), cache_root=tmp_path)
    with sqlite3.connect(p.out / "app.db") as db:
        counts = dict(db.execute("SELECT workspace_id, count(*) FROM workspace_members GROUP BY workspace_id").fetchall())
    assert counts and max(counts.values()) > 1, "the sample data has a workspace with several members"
    app = import_app(p.out, {"RATE_LIMITS": "false", "DATABASE_URL": f"sqlite:///{p.out / 'app.db'}"})
    with TestClient(app) as c:
        login = c.post("/api/v1/auth/login", json={"email": "ava.schmidt@deskmate.dev", "password": "Password123"})
        assert login.status_code == 200, login.text
        auth = {"Authorization": f"Bearer {login.json()['tokens']['accessToken']}"}
        workspaces = c.get("/api/v1/workspaces", headers=auth).json()["data"]
        assert workspaces
        for w in workspaces:
            detail = c.get(f"/api/v1/workspaces/{w['id']}", headers=auth)
            assert detail.status_code == 200, detail.text
            stored = next(n for key, n in counts.items() if key.replace("-", "") == w["id"].replace("-", ""))
            assert detail.json()["memberCount"] == stored
