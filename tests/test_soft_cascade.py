"""A soft delete follows ON DELETE CASCADE foreign keys to child tables that soft-delete too (appkit/soft_cascade.py):
taskboard's "Soft-delete a project and all of its tasks" — the tasks were readable after their project was gone."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.test_app_derived import signed_in, taskboard  # noqa: F401 - taskboard is a fixture


def test_deleting_a_project_deletes_its_tasks(taskboard: TestClient) -> None:  # noqa: F811 - the fixture
    c = taskboard
    h = signed_in(c)
    doomed = c.post("/projects", json={"key": "DOOM", "name": "Doomed"}, headers=h).json()
    kept = c.post("/projects", json={"key": "KEEP", "name": "Kept"}, headers=h).json()
    tasks = [c.post(f"/projects/{doomed['id']}/tasks", json={"title": f"T{i}"}, headers=h).json() for i in range(2)]
    other = c.post(f"/projects/{kept['id']}/tasks", json={"title": "Stays"}, headers=h).json()
    assert c.patch(f"/projects/{doomed['id']}", json={"status": "archived"}, headers=h).status_code == 200
    r = c.delete(f"/projects/{doomed['id']}", headers=h)
    assert r.status_code == 204, r.text
    for task in tasks:
        assert c.get(f"/tasks/{task['id']}", headers=h).status_code == 404, "gone with its project"
    assert c.get(f"/tasks/{other['id']}", headers=h).status_code == 200, "another project's task stays"
    assert c.get(f"/projects/{kept['id']}/tasks", headers=h).json()["data"][0]["id"] == other["id"]
