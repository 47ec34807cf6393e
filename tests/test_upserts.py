"""PUT on a two-id path is a create-or-replace of the row those two ids name.

`PUT /attempts/{attemptId}/answers/{questionId}` (exams) names no answer by its own key: answers references
exam_attempts and questions (unique on the pair). The generated app saves the answer of that attempt to that
question: created when missing, replaced when present, one row; the attempt must be the caller's (404 as
`GET /attempts/{id}` answers another student), the question must exist and belong to the attempt's exam.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from roundtrip import api
from roundtrip.emit.app_model import build_model
from roundtrip.serve import build_backend, prepare
from tests.conftest import example_dir, scratch_database
from tests.test_app_generate import import_app
from tests.test_app_runtime_actions import model_of, register

ANSWER = "putAttemptsByAttemptIdAnswersByQuestionId"


# ---------------------------------------------------------------------------------------------
# generation-time decision
# ---------------------------------------------------------------------------------------------


def test_exams_answer_put_is_an_upsert_keyed_by_attempt_and_question() -> None:
    op = model_of("exams")["operations"][ANSWER]
    assert op["kind"] == "crud-upsert", "not a crud-update looking for answers.id == questionId"
    assert "id_param" not in op
    assert op["parent"] == {"param": "attemptId", "table": "exam_attempts", "key": "id", "column": "attempt_id"}
    up = op["upsert"]
    assert (up["param"], up["table"], up["key"], up["column"]) == ("questionId", "questions", "id", "question_id")
    assert up["same_parent"] == [["exam_id", "exam_id"]], "a question of the attempt's exam"
    assert up["parent_owner_scope"] == "user_id", "attempts are as personal as GET /attempts/{id} keeps them"


CART_API = """# Shop API

Base URL: `/v1`

## Carts

### PUT /baskets/{basketId}/lines/{sku}
Set how many of an article the basket holds.

**Request Body**:
```json
{ "quantity": 2 }
```

**Response (200)**: the line, replaced
```json
{ "id": 7, "basketId": 3, "articleSku": "A-100", "quantity": 2 }
```

**Response (201)**: the line, added
```json
{ "id": 7, "basketId": 3, "articleSku": "A-100", "quantity": 2 }
```

### PUT /baskets/{basketId}/notes/{noteId}
Change a note of the basket.

**Request Body**:
```json
{ "text": "gift wrap" }
```

**Response (200)**:
```json
{ "id": 5, "basketId": 3, "text": "gift wrap" }
```
"""

CART_DATA = """# Shop data model

```sql
CREATE TABLE articles (
  sku VARCHAR(20) PRIMARY KEY,
  title TEXT NOT NULL
);
CREATE TABLE baskets (
  id SERIAL PRIMARY KEY,
  label TEXT
);
CREATE TABLE basket_lines (
  id SERIAL PRIMARY KEY,
  basket_id INTEGER NOT NULL REFERENCES baskets(id),
  article_sku VARCHAR(20) NOT NULL REFERENCES articles(sku),
  quantity INTEGER NOT NULL,
  UNIQUE (basket_id, article_sku)
);
CREATE TABLE basket_notes (
  id SERIAL PRIMARY KEY,
  basket_id INTEGER NOT NULL REFERENCES baskets(id),
  text TEXT NOT NULL
);
```
"""


def test_other_words_other_tables_same_construct(tmp_path: Path) -> None:
    """No "create or replace" words, a natural key (`{sku}` → articles.sku via basket_lines.article_sku): still an
    upsert; a PUT whose last id is the child's own key stays a plain update."""
    (tmp_path / "API_SPEC.md").write_text(CART_API, encoding="utf-8")
    (tmp_path / "DATA_MODEL.md").write_text(CART_DATA, encoding="utf-8")
    spec = api.load(tmp_path).spec
    doc, _ = api.openapi(spec)
    ops = {(o["method"], o["path"]): o for o in build_model(spec, doc)["operations"].values()}
    line = ops[("PUT", "/baskets/{basketId}/lines/{sku}")]
    assert line["kind"] == "crud-upsert" and line["table"] == "basket_lines"
    assert line["parent"] == {"param": "basketId", "table": "baskets", "key": "id", "column": "basket_id"}
    assert (line["upsert"]["table"], line["upsert"]["key"], line["upsert"]["column"]) == ("articles", "sku", "article_sku")
    assert "same_parent" not in line["upsert"]
    note = ops[("PUT", "/baskets/{basketId}/notes/{noteId}")]
    assert note["kind"] == "crud-update" and note["id_param"] == "noteId", "the note's own key: not an upsert"


CART_SAMPLES = """
## Sample data

```sql
INSERT INTO articles (sku, title) VALUES ('A-100', 'Lamp'), ('B-200', 'Desk');
INSERT INTO baskets (id, label) VALUES (1, 'mine');
```
"""


def test_created_answers_201_where_documented_replaced_the_success_status(tmp_path: Path) -> None:
    cart_saves(tmp_path, None)


def test_created_then_replaced_on_postgres(tmp_path: Path) -> None:
    with scratch_database("rt_upsert_") as url:
        cart_saves(tmp_path, url)


def cart_saves(tmp_path: Path, db: str | None) -> None:
    (tmp_path / "API_SPEC.md").write_text(CART_API, encoding="utf-8")
    (tmp_path / "DATA_MODEL.md").write_text(CART_DATA + CART_SAMPLES, encoding="utf-8")
    out = tmp_path / "out"
    build_backend(tmp_path, out)
    prepare(out, db=db)
    env = {"RATE_LIMITS": "false", **({"DATABASE_URL": db} if db else {})}
    with TestClient(import_app(out, env), base_url="http://testserver/v1") as c:
        r = c.put("/baskets/1/lines/A-100", json={"quantity": 2})
        assert r.status_code == 201 and r.json()["quantity"] == 2 and r.json()["articleSku"] == "A-100", r.text
        line = r.json()["id"]
        r = c.put("/baskets/1/lines/A-100", json={"quantity": 5, "basketId": 9})
        assert r.status_code == 200 and r.json() == {"id": line, "basketId": 1, "articleSku": "A-100", "quantity": 5}
        r = c.put("/baskets/1/lines/B-200", json={"quantity": 1})
        assert r.status_code == 201 and r.json()["id"] != line and r.json()["articleSku"] == "B-200"
        assert c.put("/baskets/1/lines/Z-999", json={"quantity": 1}).status_code == 404, "no such article"
        assert c.put("/baskets/9/lines/A-100", json={"quantity": 1}).status_code == 404, "no such basket"


# ---------------------------------------------------------------------------------------------
# the exams app, in process
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path]]:
    out: Path = tmp_path_factory.mktemp("exams-upserts") / "out"
    build_backend(example_dir("exams"), out)
    prepare(out)
    with TestClient(import_app(out, {"RATE_LIMITS": "false"}), base_url="http://testserver/api/v1") as client:
        yield client, out


def question(c: TestClient, auth: dict[str, str], exam_id: str) -> dict[str, Any]:
    body = {"type": "single_choice", "prompt": "2 + 2?", "options": [{"id": "a", "text": "3"}, {"id": "b", "text": "4"}], "answerKey": {"optionIds": ["b"]}}
    r = c.post(f"/exams/{exam_id}/questions", json=body, headers=auth)
    assert r.status_code == 201, r.text
    return dict(r.json())


def started_attempt(c: TestClient) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """(caller, attempt, question): an exam with one question, published, and the caller's attempt."""
    auth = register(c)
    exam = c.post("/exams", json={"title": "Arithmetic", "durationMinutes": 30}, headers=auth).json()
    q = question(c, auth, exam["id"])
    assert c.post(f"/exams/{exam['id']}/publish", headers=auth).status_code == 200
    r = c.post(f"/exams/{exam['id']}/attempts", headers=auth)
    assert r.status_code == 201, r.text
    return auth, r.json(), q


def answer_rows(out: Path, attempt_id: str) -> list[dict[str, Any]]:
    """The stored answers of an attempt, read from the app's SQLite file (UUIDs stored as 32 hex digits)."""
    engine = sa.create_engine(f"sqlite:///{next(out.rglob('*.db'))}")
    with engine.connect() as conn:
        stmt = sa.text("SELECT * FROM answers WHERE attempt_id IN (:a, :h)")
        rows = [dict(r) for r in conn.execute(stmt, {"a": attempt_id, "h": uuid.UUID(attempt_id).hex}).mappings()]
    engine.dispose()
    return rows


def test_save_creates_then_replaces_one_row(exams: tuple[TestClient, Path]) -> None:
    c, out = exams
    auth, attempt, q = started_attempt(c)
    path = f"/attempts/{attempt['id']}/answers/{q['id']}"
    r = c.put(path, json={"response": {"optionIds": ["a"]}}, headers=auth)
    assert r.status_code == 200, r.text  # the docs document 200 only: created answers 200 too
    first = r.json()
    assert first["attemptId"] == attempt["id"] and first["questionId"] == q["id"]
    assert first["response"] == {"optionIds": ["a"]}
    r = c.put(path, json={"response": {"optionIds": ["b"]}}, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == first["id"] and r.json()["response"] == {"optionIds": ["b"]}, "replaced, not added"
    assert len(answer_rows(out, attempt["id"])) == 1
    shown = c.get(f"/attempts/{attempt['id']}", headers=auth).json()
    assert [(a["questionId"], a["response"]) for a in shown["answers"]] == [(q["id"], {"optionIds": ["b"]})]


def test_other_callers_and_foreign_questions_are_not_found(exams: tuple[TestClient, Path]) -> None:
    c, out = exams
    auth, attempt, q = started_attempt(c)
    other = register(c)
    r = c.put(f"/attempts/{attempt['id']}/answers/{q['id']}", json={"response": {"optionIds": ["b"]}}, headers=other)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND", "as GET /attempts/{id} answers another student"
    assert answer_rows(out, attempt["id"]) == []
    r = c.put(f"/attempts/{attempt['id']}/answers/{uuid.uuid4()}", json={"response": {"optionIds": ["b"]}}, headers=auth)
    assert r.status_code == 404, "no such question"
    r = c.put(f"/attempts/{uuid.uuid4()}/answers/{q['id']}", json={"response": {"optionIds": ["b"]}}, headers=auth)
    assert r.status_code == 404, "no such attempt"
    # a question of another exam is no question of this attempt
    _, _, foreign = started_attempt(c)
    r = c.put(f"/attempts/{attempt['id']}/answers/{foreign['id']}", json={"response": {"optionIds": ["b"]}}, headers=auth)
    assert r.status_code == 404, r.text
    r = c.put(f"/attempts/not-a-uuid/answers/{q['id']}", json={"response": {"optionIds": ["b"]}}, headers=auth)
    assert r.status_code == 404, "an ill-formed id names no attempt"
    assert answer_rows(out, attempt["id"]) == []
