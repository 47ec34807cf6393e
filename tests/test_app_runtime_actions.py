"""The generated runtime answers in the documented order and never crashes on generated input.

- auth first: a protected operation answers 401 to a missing, malformed, expired or forged token before it
  validates the path, query or body, and before it looks up a row;
- then the documented validation error, then the rows the path names (an unknown id is the documented 404);
- ill-formed ids and paging values are the documented 404/400, never 500;
- example-backed operations whose path names a row (publish, submit, get an attempt) load that row first
  (404 when missing) and apply the status change the endpoint is named after (409 when repeated);
- data generated without an example looks like data: UUIDs, timestamps, whole numbers.

In-process (TestClient) on SQLite; tests/test_app_e2e.py walks the same over HTTP on both databases.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from roundtrip import api
from roundtrip.appkit.context import Operation
from roundtrip.appkit.crud import MAX_PAGE, paging
from roundtrip.appkit.errors import ApiError
from roundtrip.appkit.shaping import Schemas
from roundtrip.appkit.store import fake_column_value, typed_value
from roundtrip.emit.app_actions import past_forms
from roundtrip.emit.app_model import build_model
from roundtrip.serve import build_backend, prepare
from tests.conftest import example_dir
from tests.test_app_generate import import_app

APP_SECRET = "generate-test-secret-" + "z" * 30  # what import_app configures


def model_of(key: str) -> dict[str, Any]:
    spec = api.load(example_dir(key)).spec
    doc, _ = api.openapi(spec)
    return build_model(spec, doc)


# ---------------------------------------------------------------------------------------------
# generation-time decisions
# ---------------------------------------------------------------------------------------------


def test_past_forms_of_action_verbs() -> None:
    assert past_forms("publish") == ["published"]
    assert past_forms("cancel") == ["cancelled", "canceled"]
    assert past_forms("submit") == ["submitted", "submited"]
    assert past_forms("archive") == ["archived"]
    assert past_forms("waive") == ["waived"]
    assert past_forms("verify") == ["verified"]


def test_example_operations_look_up_the_rows_their_path_names_and_their_status_change() -> None:
    ops = model_of("exams")["operations"]
    publish = ops["postExamsByIdPublish"]
    assert [(lk["param"], lk["table"], lk["column"]) for lk in publish["lookups"]] == [("id", "exams", "id")]
    assert publish["action"] == {
        "param": "id",
        "table": "exams",
        "column": "status",
        "value": "published",
        "stamp": "published_at",
        "actor": None,
    }
    submit = ops["postAttemptsByIdSubmit"]
    assert submit["lookups"][0]["table"] == "exam_attempts", "`attempts` names exam_attempts"
    assert submit["action"]["value"] == "submitted" and submit["action"]["stamp"] == "submitted_at"
    attempt = ops["getAttemptsById"]
    assert attempt["kind"] == "crud-get" and attempt["table"] == "exam_attempts", "`/attempts/{id}` reads exam_attempts"
    for crud in (attempt, ops["getExamsById"]):
        assert "lookups" not in crud and "action" not in crud, "CRUD operations load their rows themselves"


def test_cancel_is_recognised_from_the_status_values_and_samples_travel_without_secrets() -> None:
    model = model_of("bookings")
    cancel = model["operations"]["postBookingsByIdCancel"]
    assert cancel["action"]["value"] == "cancelled" and cancel["action"]["column"] == "status"
    availability = model["operations"]["getRoomsByIdAvailability"]
    assert availability["lookups"][0]["table"] == "rooms" and "action" not in availability
    users = model["samples"]["users"]
    assert users and all("password_hash" not in row for row in users)


# ---------------------------------------------------------------------------------------------
# generated values
# ---------------------------------------------------------------------------------------------


def test_generated_strings_follow_the_field_name_when_the_schema_has_no_format() -> None:
    s = Schemas({})
    text = {"type": "string"}
    assert uuid.UUID(s.fake(text, "roomId")) and uuid.UUID(s.fake(text, "id"))
    assert dt.datetime.fromisoformat(s.fake(text, "createdAt").replace("Z", "+00:00")).tzinfo is not None
    assert dt.date.fromisoformat(s.fake(text, "date")) and s.fake(text, "contactEmail") == "user@example.com"
    assert s.fake({"type": "string", "pattern": "^[A-Z]{3}$"}, "branchId") == "branchId", (
        "a pattern wins over the name"
    )
    assert s.fake({"type": "string", "maxLength": 8}, "userId") == "userId", (
        "so does a length the value would break"
    )
    assert s.fake({"type": "number"}, "durationMinutes") == 1 and isinstance(s.fake({"type": "number"}), int)
    assert s.fake({"type": "number", "minimum": 0.5, "maximum": 0.75}) == 0.75, "inside the documented range"


def test_column_typed_values_and_array_columns() -> None:
    md = sa.MetaData()
    t = sa.Table(
        "t",
        md,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tags", sa.ARRAY(sa.String())),
        sa.Column("at", sa.DateTime(timezone=True)),
        sa.Column("n", sa.Integer()),
        sa.Column("title", sa.String(20)),
    )
    assert fake_column_value(t.c.tags) == [], "an array column gets an empty array, never its name as text"
    assert isinstance(typed_value(t.c.id), uuid.UUID) and isinstance(typed_value(t.c.at), dt.datetime)
    assert typed_value(t.c.n) == 1 and typed_value(t.c.title) is None


def test_server_assigned_codes_match_the_docs_check_constraint() -> None:
    """`card_number CHAR(14)` with `CHECK (card_number ~ '^2[0-9]{13}$')`, which no request carries."""
    md = sa.MetaData()
    t = sa.Table(
        "members",
        md,
        sa.Column("card_number", sa.CHAR(14), nullable=False),
        sa.Column("code", sa.String(3), nullable=False),
        sa.Column("note", sa.String(20), nullable=False),
        sa.CheckConstraint("card_number ~ '^2[0-9]{13}$'"),
        sa.CheckConstraint("code REGEXP '^[A-Z]{3}$'"),
        sa.CheckConstraint("note ~ '^[^x]+$'"),  # a negated class: not generated, the column name as before
    )
    cards = {fake_column_value(t.c.card_number) for _ in range(5)}
    assert all(re.fullmatch(r"2[0-9]{13}", c) for c in cards) and len(cards) > 1, (
        "valid and varied (the column is unique)"
    )
    assert re.fullmatch(r"[A-Z]{3}", fake_column_value(t.c.code))
    assert fake_column_value(t.c.note) == "note"


# ---------------------------------------------------------------------------------------------
# the exams app, in process
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    out: Path = tmp_path_factory.mktemp("exams") / "out"
    build_backend(example_dir("exams"), out)
    prepare(out)
    with TestClient(import_app(out, {"RATE_LIMITS": "false"}), base_url="http://testserver/api/v1") as client:
        yield client


def register(c: TestClient) -> dict[str, str]:
    email = f"ada.{uuid.uuid4().hex[:8]}@example.com"
    r = c.post("/auth/register", json={"email": email, "password": "Secret123", "name": "Ada Lovelace"})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def token(secret: str, **claims: Any) -> dict[str, str]:
    now = int(time.time())
    body = {
        "sub": str(uuid.uuid4()),
        "typ": "access",
        "iat": now,
        "exp": now + 600,
        "jti": str(uuid.uuid4()),
        **claims,
    }
    return {"Authorization": f"Bearer {jwt.encode(body, secret, algorithm='HS256')}"}


UNAUTHENTICATED = {
    "missing": {},
    "malformed": {"Authorization": "Bearer not-a-jwt"},
    "forged": token("another-secret-" + "q" * 40),
    "expired": token(APP_SECRET, exp=int(time.time()) - 3600),
}


@pytest.mark.parametrize("caller", list(UNAUTHENTICATED))
def test_auth_comes_before_path_query_and_body_validation(exams: TestClient, caller: str) -> None:
    headers = UNAUTHENTICATED[caller]
    calls = [
        ("GET", "/exams/{id}", {}),  # a path id that is not a UUID
        (
            "POST",
            "/exams/not-a-uuid/questions",
            {"json": {"type": "single_choice", "prompt": "x", "answerKey": "y"}},
        ),
        ("PUT", "/attempts/{attemptId}/answers/{questionId}", {"json": {"response": "x"}}),
        ("POST", "/exams", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}),
        ("POST", "/exams", {"json": {"title": ""}}),
        ("GET", "/exams?page=not-a-number", {}),
        ("GET", f"/exams/{uuid.uuid4()}", {}),  # a row that does not exist: still 401 first
    ]
    for method, path, kw in calls:
        r = exams.request(method, path, headers={**headers, **kw.pop("headers", {})}, **kw)
        assert r.status_code == 401, (method, path, r.text)
        assert r.json()["error"]["code"] == "UNAUTHORIZED" and r.headers["www-authenticate"] == "Bearer"


def test_signed_in_callers_get_validation_then_row_lookups(exams: TestClient) -> None:
    """After auth: the documented validation error for a bad body, else the 404 of an unknown row."""
    auth = register(exams)
    question = {"type": "short_answer", "prompt": "Capital of France?", "answerKey": {"accepted": ["Paris"]}}
    r = exams.post(f"/exams/{uuid.uuid4()}/questions", json=question, headers=auth)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND", r.text
    r = exams.post(f"/exams/{uuid.uuid4()}/questions", json={**question, "answerKey": "Paris"}, headers=auth)
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR", r.text
    r = exams.post("/exams", json={"title": ""}, headers=auth)
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR", r.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/exams/0/attempts"),
        ("GET", "/exams/0/attempts"),
        ("POST", "/exams/0/publish"),
        ("GET", "/attempts/0"),
    ],
)
def test_ill_formed_ids_are_404_not_500(exams: TestClient, method: str, path: str) -> None:
    r = exams.request(method, path, headers=register(exams))
    assert r.status_code == 404 and r.json()["error"]["requestId"], r.text


def test_absurd_pages_answer_without_crashing(exams: TestClient) -> None:
    auth = register(exams)
    for page in ("1.7976931348623157e+308", "1.5", "abc", "-3"):
        r = exams.get("/exams", params={"page": page}, headers=auth)
        body = r.json()
        ok = r.status_code == 200 and isinstance(body["data"], list)
        assert ok or (r.status_code == 400 and body["error"]["code"] == "VALIDATION_ERROR"), (page, r.text)


class PagingContext:
    """Just what `crud.paging` reads: the operation's pagination, the request's values, the validation error."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.op = Operation.from_model(
            "listThings", {"pagination": {"limit_param": "limit", "page_param": "page", "max_limit": 100}}
        )
        self.kit = self

    def validation_error(self, op: Operation, details: list[dict[str, str]]) -> ApiError:
        return ApiError(400, "VALIDATION_ERROR", "Request failed validation", details)


def test_paging_values_typed_as_text_or_number_by_the_docs() -> None:
    """Docs type page/limit as `string` or `number` too: whole numbers are used, the rest is the documented 400."""
    assert paging(PagingContext({})) == (20, 0, 1)  # type: ignore[arg-type]
    assert paging(PagingContext({"page": "3", "limit": "10"})) == (10, 20, 3)  # type: ignore[arg-type]
    assert paging(PagingContext({"page": 2.0, "limit": 500})) == (100, 100, 2), (
        "limit capped at the documented maximum"
    )  # type: ignore[arg-type]
    limit, offset, page = paging(PagingContext({"page": 1.7976931348623157e308}))  # type: ignore[arg-type]
    assert page == MAX_PAGE and offset < 2**63, "a page past any data, inside a 64-bit OFFSET"
    for bad in ({"limit": "ten"}, {"page": "1.5"}, {"page": float("inf")}, {"page": "nan"}):
        with pytest.raises(ApiError) as err:
            paging(PagingContext(bad))  # type: ignore[arg-type]
        assert err.value.status == 400 and err.value.details[0]["field"] in bad


def test_publish_and_submit_change_the_row_once_then_answer_409(exams: TestClient) -> None:
    auth = register(exams)
    r = exams.post(f"/exams/{uuid.uuid4()}/publish", headers=auth)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    exam = exams.post("/exams", json={"title": "Algebra", "durationMinutes": 30}, headers=auth).json()
    r = exams.post(f"/exams/{exam['id']}/publish", headers=auth)
    assert r.status_code == 200, r.text
    published = r.json()
    assert published["id"] == exam["id"] and published["status"] == "published" and published["publishedAt"]
    assert published["title"] == "Algebra" and published["durationMinutes"] == 30, "the row, not an example"
    assert exams.get(f"/exams/{exam['id']}", headers=auth).json()["status"] == "published", (
        "the change is stored"
    )
    r = exams.post(f"/exams/{exam['id']}/publish", headers=auth)
    assert r.status_code == 409 and r.json()["error"]["code"] == "INVALID_STATUS_TRANSITION", r.text

    r = exams.post(f"/exams/{exam['id']}/attempts", headers=auth)
    assert r.status_code == 201, r.text
    attempt = r.json()
    r = exams.get(f"/attempts/{attempt['id']}", headers=auth)
    assert r.status_code == 200 and r.json()["id"] == attempt["id"] and r.json()["exam"]["title"] == "Algebra"
    other = register(exams)
    assert exams.get(f"/attempts/{attempt['id']}", headers=other).status_code == 404, "attempts are personal"
    r = exams.post(f"/attempts/{attempt['id']}/submit", headers=auth)
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["submittedAt"], r.text
    assert exams.post(f"/attempts/{attempt['id']}/submit", headers=auth).status_code == 409
