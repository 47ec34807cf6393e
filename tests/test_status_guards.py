"""Status preconditions stated in error rows become guards (emit/app_status_guards.py at generation time,
appkit/status_guards.py in crud create/update/delete): the app checks the written row's status, or the status of
the row it attaches to, before it writes, and answers that row's status and code.

- taskboard API_SPEC.md:507,514-516: `DELETE /projects/{id}` 409 `PROJECT_NOT_ARCHIVED` (only archived projects
  can be deleted); API_SPEC.md:641-643: `POST /projects/{id}/tasks` 409 `PROJECT_ARCHIVED` (archived parent);
- bookings backend-spec.md:588-589: `PATCH /bookings/:id` 409 `BOOKING_CANCELLED` ("Cancelled bookings cannot be
  modified");
- a synthetic doc set saying the same with other words, tables and codes ("only while `draft`", "unless the
  invoice is `draft`", "has already been paid"), and rows that state no precondition left alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from roundtrip import api
from roundtrip.emit.app_model import build_model
from roundtrip.serve import build_backend, prepare
from tests.conftest import example_dir
from tests.test_app_generate import import_app


def guards_of(specs: Path) -> dict[str, list[dict[str, Any]]]:
    spec = api.load(specs).spec
    doc, _ = api.openapi(spec)
    ops = build_model(spec, doc)["operations"].values()
    return {f"{op['method']} {op['path']}": op["status_guards"] for op in ops if op.get("status_guards")}


@contextmanager
def client(specs: Path, out: Path, base: str) -> Iterator[TestClient]:
    build_backend(specs, out)
    prepare(out)
    with TestClient(import_app(out, {"RATE_LIMITS": "false"}), base_url=f"http://testserver{base}") as c:
        yield c


def error_of(r: Any) -> str:
    body = r.json()
    err = body.get("error")
    return str(err.get("code") if isinstance(err, dict) else err)


# ---------------------------------------------------------------------------------------------
# taskboard: the project's status on delete, the parent project's status on task create
# ---------------------------------------------------------------------------------------------


def test_taskboard_guards_in_the_model() -> None:
    got = guards_of(example_dir("taskboard"))
    assert got["DELETE /v1/projects/{projectId}"] == [
        {"table": "projects", "column": "status", "via": None, "key": None, "allowed": ["archived"], "status": 409,
         "code": "PROJECT_NOT_ARCHIVED", "message": "Archive the project before deleting it"}
    ]
    assert got["POST /v1/projects/{projectId}/tasks"] == [
        {"table": "projects", "column": "status", "via": "project_id", "key": "id", "refused": ["archived"],
         "status": 409, "code": "PROJECT_ARCHIVED", "message": "Cannot add tasks to an archived project"}
    ]
    assert "PATCH /v1/tasks/{taskId}" not in got, "`Assignee must be an active member` names no project"


@pytest.fixture(scope="module")
def taskboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with client(example_dir("taskboard"), tmp_path_factory.mktemp("taskboard") / "out", "/v1") as c:
        yield c


def test_taskboard_archived_projects_take_no_tasks_and_only_they_can_be_deleted(taskboard: TestClient) -> None:
    c = taskboard
    r = c.post("/auth/register", json={"tenantName": "Globex", "email": f"o.{uuid.uuid4().hex[:8]}@example.com",
                                       "password": "Sunrise2025", "name": "Owner"})
    assert r.status_code == 201, r.text
    h = {"Authorization": f"Bearer {r.json()['token']}"}
    project = c.post("/projects", json={"key": "WEB", "name": "Website"}, headers=h).json()
    tasks = f"/projects/{project['id']}/tasks"
    assert c.post(tasks, json={"title": "Copy"}, headers=h).status_code == 201, "an active project takes tasks"
    r = c.delete(f"/projects/{project['id']}", headers=h)
    assert (r.status_code, error_of(r)) == (409, "PROJECT_NOT_ARCHIVED"), r.text
    assert c.get(f"/projects/{project['id']}", headers=h).status_code == 200, "nothing was deleted"

    r = c.patch(f"/projects/{project['id']}", json={"status": "archived"}, headers=h)
    assert r.status_code == 200 and r.json()["status"] == "archived", r.text
    r = c.post(tasks, json={"title": "Late"}, headers=h)
    assert (r.status_code, error_of(r)) == (409, "PROJECT_ARCHIVED"), r.text
    assert r.json()["message"] == "Cannot add tasks to an archived project"
    assert [t["title"] for t in c.get(tasks, headers=h).json()["data"]] == ["Copy"], "nothing was written"
    assert c.post(f"/projects/{uuid.uuid4()}/tasks", json={"title": "x"}, headers=h).status_code == 404, "404 first"
    assert c.delete(f"/projects/{project['id']}", headers=h).status_code == 204, "an archived project can go"


# ---------------------------------------------------------------------------------------------
# bookings: the booking's own status on update
# ---------------------------------------------------------------------------------------------


def test_bookings_guard_in_the_model() -> None:
    got = guards_of(example_dir("bookings"))
    assert got == {
        "PATCH /bookings/{id}": [
            {"table": "bookings", "column": "status", "via": None, "key": None, "refused": ["cancelled"],
             "status": 409, "code": "BOOKING_CANCELLED", "message": "Cancelled bookings cannot be modified"}
        ]
    }, "BOOKING_IN_PAST (`Bookings that have started`) and BOOKING_CONFLICT state no status"


def test_bookings_cancelled_bookings_cannot_be_modified(tmp_path: Path) -> None:
    with client(example_dir("bookings"), tmp_path / "out", "/api/v1") as c:
        r = c.post("/auth/register", json={"email": f"o.{uuid.uuid4().hex[:6]}@example.com", "password": "Secret123X",
                                           "name": "Owner"})
        assert r.status_code == 201, r.text
        h = {"Authorization": f"Bearer {r.json()['tokens']['accessToken']}"}
        ws = c.post("/workspaces", json={"name": "Berlin Office", "timezone": "Europe/Berlin"}, headers=h).json()
        room = c.post(f"/workspaces/{ws['id']}/rooms", json={"name": "Room A", "kind": "meeting_room", "capacity": 6},
                      headers=h).json()
        r = c.post("/bookings", json={"roomId": room["id"], "title": "Standup", "startAt": "2030-01-01T09:00:00Z",
                                      "endAt": "2030-01-01T09:30:00Z"}, headers=h)
        assert r.status_code == 201, r.text
        booking = r.json()
        r = c.patch(f"/bookings/{booking['id']}", json={"title": "Daily"}, headers=h)
        assert r.status_code == 200 and r.json()["title"] == "Daily", "a confirmed booking can change"
        assert c.post(f"/bookings/{booking['id']}/cancel", json={}, headers=h).status_code == 200
        r = c.patch(f"/bookings/{booking['id']}", json={"title": "Weekly"}, headers=h)
        assert (r.status_code, error_of(r)) == (409, "BOOKING_CANCELLED"), r.text
        assert r.json()["error"]["message"] == "Cancelled bookings cannot be modified"
        assert c.get(f"/bookings/{booking['id']}", headers=h).json()["title"] == "Daily", "nothing was written"


# ---------------------------------------------------------------------------------------------
# the same constructs in other words
# ---------------------------------------------------------------------------------------------

DATA_MODEL = """# Data Model

### invoices

| Column | Type | Constraints | Description |
|--------|------|-------------|-------------|
| id | INTEGER | PK | Invoice id |
| number | VARCHAR(20) | NOT NULL | Invoice number |
| status | VARCHAR(10) | NOT NULL, DEFAULT 'draft', CHECK (status IN ('draft', 'sent', 'paid', 'void')) | Lifecycle |

### invoice_lines

| Column | Type | Constraints | Description |
|--------|------|-------------|-------------|
| id | INTEGER | PK | Line id |
| invoice_id | INTEGER | NOT NULL, FK → invoices.id | Invoice |
| label | VARCHAR(100) | NOT NULL | What was sold |
"""


def endpoint(head: str, body: str, success: str, errors: list[tuple[int, str, str]]) -> str:
    rows = "".join(f"| {s} | {code} | {text} |\n" for s, code, text in errors)
    table = f"\n**Errors**:\n| Status | Code | Description |\n|--------|------|-------------|\n{rows}" if errors else ""
    fields = "".join(f"| {f} | string | No | {f} |\n" for f in body.split())
    request = f"\n**Request Body**:\n| Field | Type | Required | Description |\n|-------|------|----------|-------------|\n{fields}" if body else ""
    return f"### {head}\n**Description**: {head}.\n\n**Authentication Required**: No\n{request}\n**Success Response** {success}\n{table}\n"


INVOICE = '(200):\n```json\n{"id": 1, "number": "INV-1", "status": "draft"}\n```\n'
LINE = '(201):\n```json\n{"id": 1, "invoiceId": 1, "label": "Consulting"}\n```\n'
API = "# API Specification\n\n" + "\n".join([
    endpoint("POST /invoices", "number status", INVOICE.replace("(200)", "(201)"), []),
    endpoint("PATCH /invoices/{id}", "number", INVOICE, [
        (422, "INVOICE_LOCKED", "Void invoices cannot be changed"),
        (409, "NUMBER_TAKEN", "Number already used by a paid invoice"),  # a status named, no precondition on it
    ]),
    endpoint("DELETE /invoices/{id}", "", "(204): No content\n", [(409, "INVOICE_LOCKED", "Invoices can be deleted only while `draft`")]),
    endpoint("POST /invoices/{invoiceId}/lines", "label", LINE, [
        (409, "LINES_FROZEN", "Lines cannot be added unless the invoice is `draft`"),
        (409, "INVALID_STATUS_TRANSITION", "Invoice is not `sent`"),  # a transition: the status asked for
        (403, "FORBIDDEN", "Only draft invoices are open to clerks"),  # who asks, not the state
    ]),
    endpoint("DELETE /invoices/{invoiceId}/lines/{lineId}", "", "(204): No content\n", [(409, "ALREADY_PAID", "Invoice has already been paid")]),
])


@pytest.fixture(scope="module")
def invoices(tmp_path_factory: pytest.TempPathFactory) -> Path:
    specs = tmp_path_factory.mktemp("invoices")
    (specs / "DATA_MODEL.md").write_text(DATA_MODEL)
    (specs / "API_SPEC.md").write_text(API)
    return specs


def guard(via: str | None, status: int, code: str, message: str, **values: list[str]) -> dict[str, Any]:
    return {"table": "invoices", "column": "status", "via": via, "key": "id" if via else None, **values,
            "status": status, "code": code, "message": message}


def test_other_words_other_tables(invoices: Path) -> None:
    assert guards_of(invoices) == {
        "PATCH /invoices/{id}": [guard(None, 422, "INVOICE_LOCKED", "Void invoices cannot be changed", refused=["void"])],
        "DELETE /invoices/{id}": [guard(None, 409, "INVOICE_LOCKED", "Invoices can be deleted only while draft", allowed=["draft"])],
        "POST /invoices/{invoiceId}/lines": [
            guard("invoice_id", 409, "LINES_FROZEN", "Lines cannot be added unless the invoice is draft", allowed=["draft"])
        ],
        "DELETE /invoices/{invoiceId}/lines/{lineId}": [
            guard("invoice_id", 409, "ALREADY_PAID", "Invoice has already been paid", refused=["paid"])
        ],
    }


def test_other_words_enforced_by_the_app(invoices: Path, tmp_path: Path) -> None:
    with client(invoices, tmp_path / "out", "") as c:

        def invoice(status: str) -> int:
            r = c.post("/invoices", json={"number": f"INV-{uuid.uuid4().hex[:6]}", "status": status})
            assert r.status_code == 201 and r.json()["status"] == status, r.text
            return int(r.json()["id"])

        draft, sent, paid, void = (invoice(s) for s in ("draft", "sent", "paid", "void"))
        r = c.post(f"/invoices/{draft}/lines", json={"label": "Consulting"})
        assert r.status_code == 201, r.text
        line = r.json()["id"]
        r = c.post(f"/invoices/{sent}/lines", json={"label": "Late"})
        assert (r.status_code, error_of(r)) == (409, "LINES_FROZEN"), r.text
        assert c.patch(f"/invoices/{paid}", json={"number": "INV-X"}).status_code == 200, "only void is refused"
        r = c.patch(f"/invoices/{void}", json={"number": "INV-Y"})
        assert (r.status_code, error_of(r)) == (422, "INVOICE_LOCKED"), r.text
        r = c.delete(f"/invoices/{sent}")
        assert (r.status_code, error_of(r)) == (409, "INVOICE_LOCKED"), r.text
        assert c.delete(f"/invoices/{draft}/lines/{line}").status_code == 204, "a draft's line can go"
        r = c.post(f"/invoices/{draft}/lines", json={"label": "Again"})
        line = r.json()["id"]
        # the sample rows may hold paid invoices with lines too; this one is ours: mark it paid in the database
        kit = c.app.state.kit  # type: ignore[attr-defined]
        t = kit.tables["invoices"].table
        with kit.engine.begin() as conn:
            conn.execute(t.update().where(t.c.id == draft).values(status="paid"))
        r = c.delete(f"/invoices/{draft}/lines/{line}")
        assert (r.status_code, error_of(r)) == (409, "ALREADY_PAID"), r.text
        assert c.delete(f"/invoices/{invoice('draft')}").status_code == 204, "a draft can go"


def test_exams_questions_only_while_the_exam_is_draft() -> None:
    """api:259/289 "Exam is not in `draft`" on the question routes: the path's exam must be `draft`."""
    got = guards_of(example_dir("exams"))
    want = [{"table": "exams", "column": "status", "via": "exam_id", "key": "id", "allowed": ["draft"], "status": 409,
             "code": "EXAM_NOT_EDITABLE", "message": "Exam is not in draft"}]
    assert got == {
        "POST /exams/{examId}/questions": want,
        "PATCH /exams/{examId}/questions/{questionId}": want,
        "DELETE /exams/{examId}/questions/{questionId}": want,
    }, "PATCH /exams/{id} (`Field cannot change after publishing`) names no status value"


def test_library_rows_left_alone() -> None:
    """`409 COPY_ON_LOAN (cannot withdraw a copy with an active loan)` on PATCH /copies, whose body may set the
    status itself: a code alone may concern that change only. `409 COPY_NOT_AVAILABLE` on POST /loans: the copy is
    named by the body, not the path (and the sample rows show it after the documented checkout)."""
    assert guards_of(example_dir("library")) == {}
