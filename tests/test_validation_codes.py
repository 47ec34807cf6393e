"""Validation answers use the docs' validation row and name the field; enum filter values are checked.

- An endpoint's validation status/code comes from a validation row (the API's validation code, a code naming
  the input, a description saying the input is invalid), never from a business-rule 422 with its own code:
  the exams' `PUT /attempts/{attemptId}/answers/{questionId}` documents `422 INVALID_RESPONSE` (a rule
  about the answer), so a body without `response` is `400 VALIDATION_ERROR`.
- A filter on an enum/CHECK-IN column whose parameter states no values checks each (comma-separated)
  value: taskboard `?status=doing` is `400 VALIDATION_ERROR` naming `status` (API_SPEC.md:605-607).
- A CHECK the database refuses names the field whose column it constrains (SQLite and PostgreSQL).
- A sort by an enum column follows the declared order (low < medium < high < critical), not the alphabet.
A synthetic print-shop doc shows the same constructs in other words.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from roundtrip import api
from roundtrip.appkit.integrity_fields import violated_column, violated_field
from roundtrip.emit.app import emit_app
from roundtrip.ir.api import ErrorDoc
from roundtrip.ir.validation_rows import is_validation_row
from roundtrip.serve import Prepared, prepare
from roundtrip.verify.credentials import find_token
from tests.conftest import example_dir, postgres_url
from tests.test_app_generate import import_app

# ---------------------------------------------------------------- which rows are validation rows


@pytest.mark.parametrize(("status", "code", "message", "expected"), [
    (400, "VALIDATION_ERROR", "Invalid input", True),
    (422, "VALIDATION_FAILED", "", True),
    (400, "BAD_REQUEST", "", True),
    (400, "INVALID_INPUT", "", True),
    (422, "UNPROCESSABLE", "Request body failed validation", True),
    (400, "BAD_INPUT", "The request is malformed", True),
    (400, "E_ARGS", "Invalid parameters", True),
    (422, "INVALID_RESPONSE", "Response shape does not match question type or unknown option id", False),
    (422, "EXAM_HAS_NO_QUESTIONS", "Add at least one question before publishing", False),
    (400, "INVALID_SORT_FIELD", "Unknown sort field", False),
    (400, "INVALID_SIGNATURE", "Stripe signature did not verify", False),
    (409, "VALIDATION_ERROR", "Invalid input", False),  # not a validation status
])
def test_validation_rows(status: int, code: str, message: str, expected: bool) -> None:
    assert is_validation_row(ErrorDoc(status, code, message)) is expected


def test_the_api_code_is_a_validation_row_whatever_it_says() -> None:
    assert is_validation_row(ErrorDoc(400, "E1001", "Nope"), api_code="E1001")
    assert not is_validation_row(ErrorDoc(400, "E1001", "Nope"))


def _ops(specs: Path) -> dict[str, Any]:
    return dict(json.loads(emit_app(api.load(specs).spec)["app/api_model.json"])["operations"])


def _op(ops: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return next(o for o in ops.values() if o["method"] == method and o["path"] == path)


def _answers(specs: Path, method: str, path: str) -> tuple[int, str]:
    """The (status, code) an ill-formed request to the operation gets: its own, else the API's."""
    model = json.loads(emit_app(api.load(specs).spec)["app/api_model.json"])
    op = _op(model["operations"], method, path)
    return op["validation_status"] or model["validation"]["status"], op["validation_code"] or model["validation"]["code"]


def test_exams_business_422_is_not_the_validation_error() -> None:
    exams = example_dir("exams")
    assert _answers(exams, "PUT", "/attempts/{attemptId}/answers/{questionId}") == (400, "VALIDATION_ERROR")
    assert _answers(exams, "POST", "/exams/{id}/publish") == (400, "VALIDATION_ERROR")  # not 422 EXAM_HAS_NO_QUESTIONS
    assert _answers(exams, "POST", "/exams") == (400, "VALIDATION_ERROR")


def test_enum_filters_get_their_values_in_the_app_model() -> None:
    tasks = _op(_ops(example_dir("taskboard")), "GET", "/v1/projects/{projectId}/tasks")
    assert tasks["filters"]["status"]["values"] == ["backlog", "todo", "in_progress", "in_review", "done"]
    assert tasks["filters"]["priority"]["values"] == ["low", "medium", "high", "critical"]
    assert "values" not in tasks["filters"]["assigneeId"] and "values" not in tasks["filters"]["dueBefore"]
    assert tasks["sort"]["ranks"]["priority"] == ["low", "medium", "high", "critical"]
    bookings = _op(_ops(example_dir("bookings")), "GET", "/bookings")
    assert "confirmed" in bookings["filters"]["status"]["values"]
    # a parameter with values of its own (`$ref: ExamStatus`) is left to its schema
    exams = _op(_ops(example_dir("exams")), "GET", "/exams")
    assert "values" not in exams["filters"]["status"]


# ---------------------------------------------------------------- the apps, in process


def _app(specs: Path, cache: Path) -> tuple[Prepared, TestClient]:
    p = prepare(specs, cache_root=cache)
    return p, TestClient(import_app(p.out, {"RATE_LIMITS": "false"}), base_url="http://testserver" + p.base_path)


def _sign_in(c: TestClient, p: Prepared, role: str) -> dict[str, str]:
    account = next(a for a in p.test_accounts if a["role"] == role)
    r = c.post(account["login"]["path"], json=account["login"]["body"])
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {find_token(r.json())}"}


def _error(r: Any) -> tuple[int, str, list[dict[str, str]]]:
    body = r.json()
    err = body.get("error", body)
    if isinstance(err, str):  # the taskboard's flat envelope: {"error": "CODE", "message", "details"}
        return r.status_code, err, body.get("details") or []
    return r.status_code, err["code"], err.get("details") or []


def test_exams_answer_body_errors_are_validation_errors(tmp_path: Path) -> None:
    p, client = _app(example_dir("exams"), tmp_path)
    with client as c:
        student = _sign_in(c, p, "student")
        path = f"/attempts/{uuid.uuid4()}/answers/{uuid.uuid4()}"
        status, code, _ = _error(c.put(path, headers=student, json={}))
        assert (status, code) == (400, "VALIDATION_ERROR")  # was 422 INVALID_RESPONSE
        # a malformed attempt id names nothing: the documented 404 (this endpoint documents no 400), not the rule
        status, code, _ = _error(c.put(f"/attempts/nope/answers/{uuid.uuid4()}", headers=student, json={"response": {"text": "x"}}))
        assert code != "INVALID_RESPONSE" and (status, code) in ((404, "NOT_FOUND"), (400, "VALIDATION_ERROR"))


@pytest.fixture(scope="module")
def taskboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str], str]]:
    p = prepare(example_dir("taskboard"), cache_root=tmp_path_factory.mktemp("validation-taskboard"))
    client = TestClient(import_app(p.out, {"RATE_LIMITS": "false"}), base_url="http://testserver" + p.base_path)
    with client as c:
        r = c.post("/v1/auth/login", json={"email": "maria.chen@acme-robotics.com", "password": "DemoPass123"})
        assert r.status_code == 200, r.text
        headers = {"Authorization": f"Bearer {find_token(r.json())}"}
        projects = c.get("/v1/projects", headers=headers).json()["data"]
        # the project whose sample tasks hold the most priorities: a sort by priority has something to order
        def priorities(project: str) -> int:
            tasks = c.get(f"/v1/projects/{project}/tasks?limit=100", headers=headers).json()["data"]
            return len({t["priority"] for t in tasks})

        yield c, headers, max((p["id"] for p in projects), key=priorities)


def test_taskboard_unknown_filter_values_are_400(taskboard: tuple[TestClient, dict[str, str], str]) -> None:
    c, headers, project = taskboard
    for query in ("status=doing", "status=todo,doing", "priority=urgent"):
        status, code, details = _error(c.get(f"/v1/projects/{project}/tasks?{query}", headers=headers))
        assert (status, code) == (400, "VALIDATION_ERROR"), query
        assert details and details[0]["field"] == query.split("=")[0], details
    for query in ("status=todo", "status=todo,in_progress", "priority=high", "assigneeId=me"):
        r = c.get(f"/v1/projects/{project}/tasks?{query}", headers=headers)
        assert r.status_code == 200, (query, r.text)


def test_taskboard_sorts_priority_by_declared_order(taskboard: tuple[TestClient, dict[str, str], str]) -> None:
    c, headers, project = taskboard
    order = ["low", "medium", "high", "critical"]
    for sort, reverse in (("priority", False), ("-priority", True)):
        r = c.get(f"/v1/projects/{project}/tasks?sort={sort}&limit=100", headers=headers)
        assert r.status_code == 200, r.text
        ranks = [order.index(t["priority"]) for t in r.json()["data"]]
        assert len(set(ranks)) > 1 and ranks == sorted(ranks, reverse=reverse), ranks


_PRINT_SHOP = """# Print Shop API

## Data model

```sql
CREATE TABLE users (
  id SERIAL PRIMARY KEY,
  email VARCHAR(255) NOT NULL UNIQUE,
  password_hash VARCHAR(255) NOT NULL,
  role VARCHAR(20) NOT NULL DEFAULT 'operator' CHECK (role IN ('operator', 'admin'))
);

CREATE TABLE jobs (
  id SERIAL PRIMARY KEY,
  title VARCHAR(200) NOT NULL,
  state VARCHAR(20) NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'printing', 'jammed', 'done')),
  urgency VARCHAR(10) NOT NULL DEFAULT 'routine' CHECK (urgency IN ('routine', 'rush', 'emergency')),
  min_copies INTEGER NOT NULL DEFAULT 1,
  max_copies INTEGER NOT NULL DEFAULT 1,
  CHECK (max_copies >= min_copies)
);
```

## Error format

All errors follow this format:
```typescript
interface ErrorResponse {
  error: {
    code: string;
    message: string;
    details?: FieldIssue[];
  };
}

interface FieldIssue {
  field: string;
  issue: string;
}
```

## Common errors

| Status | Code | Description |
|--------|------|-------------|
| 401 | UNAUTHORIZED | Missing or invalid token |
| 400 | BAD_INPUT | The request is malformed |

## Endpoints

#### POST /auth/login
Auth: public

| Field | Type | Required |
|-------|------|----------|
| email | string | yes |
| password | string | yes |

**200 OK**
```json
{ "accessToken": "eyJ", "user": { "id": 1, "email": "ada@example.com", "role": "operator" } }
```

#### GET /jobs
Auth: operator or admin

| Param | Type | Description |
|-------|------|-------------|
| state | string | Filter by state (comma-separated) |
| urgency | string | Filter by urgency |
| sort | string | Sort field (- for desc): `title`, `urgency` |
| limit | integer | Page size |
| offset | integer | Offset |

**200 OK**
```json
{ "data": [{ "id": 7, "title": "Flyers", "state": "queued", "urgency": "rush", "minCopies": 1, "maxCopies": 5 }], "total": 1 }
```

#### POST /jobs
Auth: operator or admin

| Field | Type | Required |
|-------|------|----------|
| title | string | yes |
| urgency | string | no |
| minCopies | integer | no |
| maxCopies | integer | no |

**201 Created**
```json
{ "id": 7, "title": "Flyers", "state": "queued", "urgency": "rush", "minCopies": 1, "maxCopies": 5 }
```

#### PUT /jobs/{id}/proof
Auth: operator or admin

| Field | Type | Required |
|-------|------|----------|
| maxCopies | integer | yes |

**200 OK**
```json
{ "id": 7, "title": "Flyers", "state": "queued", "urgency": "rush", "minCopies": 1, "maxCopies": 5 }
```

**Errors**:
| Status | Code | Description |
|--------|------|-------------|
| 404 | NOT_FOUND | Job not found |
| 422 | INVALID_PROOF | Proof copy count does not match the job |

#### POST /jobs/{id}/reprint
Auth: operator or admin

| Field | Type | Required |
|-------|------|----------|
| copies | integer | yes |

**200 OK**
```json
{ "id": 7, "title": "Flyers", "state": "queued", "urgency": "rush", "minCopies": 1, "maxCopies": 5 }
```

**Errors**:
| Status | Code | Description |
|--------|------|-------------|
| 404 | NOT_FOUND | Job not found |
| 422 | UNPROCESSABLE | Request body failed validation |
"""


@pytest.fixture(scope="module")
def print_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root: Path = tmp_path_factory.mktemp("print-shop")
    (root / "api.md").write_text(_PRINT_SHOP, encoding="utf-8")
    return root


def test_print_shop_model(print_shop: Path) -> None:
    result = api.load(print_shop)
    # the resolver's validation gap uses the docs' validation row too, never `422 INVALID_PROOF`
    assert not any(d.code == "RT304" and "INVALID_PROOF" in d.message for d in result.diagnostics)
    assert _answers(print_shop, "PUT", "/jobs/{id}/proof") == (400, "BAD_INPUT")
    assert _answers(print_shop, "POST", "/jobs/{id}/reprint") == (422, "UNPROCESSABLE")  # its own row
    jobs = _op(_ops(print_shop), "GET", "/jobs")
    assert jobs["filters"]["state"]["values"] == ["queued", "printing", "jammed", "done"]
    assert jobs["sort"]["ranks"]["urgency"] == ["routine", "rush", "emergency"]


def test_print_shop_app(print_shop: Path, tmp_path: Path) -> None:
    p, client = _app(print_shop, tmp_path)
    with client as c:
        op = _sign_in(c, p, "operator")
        for title, urgency in (("A", "rush"), ("B", "routine"), ("C", "emergency"), ("D", "routine")):
            r = c.post("/jobs", headers=op, json={"title": title, "urgency": urgency})
            assert r.status_code == 201, r.text
        status, code, details = _error(c.get("/jobs?state=queued,stuck", headers=op))
        assert (status, code, details[0]["field"]) == (400, "BAD_INPUT", "state")
        assert c.get("/jobs?state=queued,jammed", headers=op).status_code == 200
        urgencies = [j["urgency"] for j in c.get("/jobs?sort=-urgency", headers=op).json()["data"]]
        assert urgencies[:1] == ["emergency"] and urgencies[-2:] == ["routine", "routine"], urgencies
        # CHECK (max_copies >= min_copies), which no API schema states: the database refuses it, naming the field
        status, code, details = _error(c.post("/jobs", headers=op, json={"title": "E", "minCopies": 5, "maxCopies": 2}))
        assert (status, code) == (400, "BAD_INPUT") and details[0]["field"] == "maxCopies", details
        # a body error: the docs' validation row of each endpoint, never the business rule sharing its status
        assert _error(c.put("/jobs/1/proof", headers=op, json={}))[:2] == (400, "BAD_INPUT")
        assert _error(c.post("/jobs/1/reprint", headers=op, json={}))[:2] == (422, "UNPROCESSABLE")


# ---------------------------------------------------------------- refused constraints name their column


def _refused(engine: sa.Engine, values: dict[str, Any]) -> tuple[sa.Table, BaseException]:
    md = sa.MetaData()
    t = sa.Table(
        f"gadgets_{uuid.uuid4().hex[:8]}", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("due_date", sa.Integer, nullable=False),
        sa.Column("date", sa.Integer),
        sa.Column("lo", sa.Integer),
        sa.Column("hi", sa.Integer),
        sa.Column("kind", sa.String(10)),
        sa.CheckConstraint("due_date > 0"),
        sa.CheckConstraint("hi >= lo"),
        sa.CheckConstraint("kind IN ('a', 'b')", name="ck_gadget_kind_ok"),
    )
    md.create_all(engine)
    try:
        with engine.begin() as conn:
            conn.execute(t.insert().values(**{"due_date": 1, **values}))
    except sa.exc.IntegrityError as exc:
        return t, exc
    finally:
        md.drop_all(engine)
    raise AssertionError(f"{values} was accepted")


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_refused_constraints_name_their_column(dialect: str, tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'g.db'}" if dialect == "sqlite" else postgres_url().replace(
        "postgresql://", "postgresql+psycopg://", 1))
    try:
        for values, column in (
            ({"due_date": -1}, "due_date"),  # not `date`, the shorter column inside it
            ({"lo": 5, "hi": 2}, "hi"),  # several columns: the first the check names
            ({"kind": "z"}, "kind"),  # a named constraint: its columns
            ({"due_date": None}, "due_date"),  # NOT NULL
        ):
            table, exc = _refused(engine, values)
            assert violated_column(exc, table) == column, (values, str(exc))
        table, exc = _refused(engine, {"due_date": -1})
        assert violated_field(exc, table, {"deadline": "due_date"}) == "deadline"
        assert violated_field(exc, table, {}) == "dueDate"
        assert violated_field(exc, None, {}) == ""
    finally:
        engine.dispose()
