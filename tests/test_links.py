"""Which table an endpoint reads or writes (ir/matching.table_for_endpoint, resolve/links): the last
collection segment names the resource, parents only filter it; auth-flow endpoints act on the
credential table of the role they serve, or on none when the docs do not say which."""

from __future__ import annotations

import pytest

from roundtrip import api
from roundtrip.ir import Auth, Endpoint, Kind, TypeRef
from roundtrip.ir.data import Column, Table
from roundtrip.ir.matching import table_for_endpoint
from tests.conftest import example_dir

TEXT = TypeRef(Kind.STRING)


def table(name: str, *columns: str) -> Table:
    return Table(name, tuple(Column(c, TEXT) for c in ("id", *columns)))


EXAMS = (table("exams", "title"), table("exam_attempts", "exam_id", "score"), table("questions", "exam_id"))
ACCOUNTS = (
    table("members", "card_number", "email", "password_hash"),
    table("staff", "email", "role", "password_hash"),
    table("refresh_tokens", "token_hash"),
)


def linked(
    method: str,
    path: str,
    tables: tuple[Table, ...],
    fields: tuple[str, ...] = (),
    roles: tuple[str, ...] = (),
) -> str | None:
    found = table_for_endpoint(Endpoint(method, path, auth=Auth(roles=roles)), tables, fields)
    return found.name if found is not None else None


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/exams/{examId}/attempts", "exam_attempts"),  # the parent qualifies the collection's name
        ("POST", "/exams/{examId}/attempts", "exam_attempts"),
        ("GET", "/attempts/{id}", "exam_attempts"),  # the one table whose name ends in _attempts
        ("POST", "/attempts/{id}/submit", "exam_attempts"),  # an action on an attempt
        ("POST", "/exams/{examId}/questions", "questions"),  # a table of that name wins over qualifying
        ("POST", "/exams/{id}/publish", "exams"),
        ("GET", "/health", None),
    ],
)
def test_last_collection_segment_names_the_resource(method: str, path: str, expected: str | None) -> None:
    assert linked(method, path, EXAMS) == expected


def test_a_segment_two_tables_could_mean_names_neither() -> None:
    tables = (table("exams"), table("exam_attempts"), table("survey_attempts"))
    assert linked("GET", "/attempts/{id}", tables) is None
    assert linked("GET", "/surveys/{surveyId}/attempts", tables) == "survey_attempts"


@pytest.mark.parametrize(
    ("path", "fields", "roles", "expected"),
    [
        ("/auth/staff-login", ("email", "password"), (), "staff"),  # the role named in the path
        ("/auth/member-login", ("cardNumber", "password"), (), "members"),
        ("/auth/login", ("cardNumber", "password"), (), "members"),  # only members has card_number
        ("/auth/login", ("email", "password"), (), None),  # both tables fit: the docs do not say
        ("/auth/logout", ("refreshToken",), ("staff",), "staff"),  # the documented role
        ("/auth/logout", ("refreshToken",), ("member", "staff"), None),
        ("/auth/refresh", ("refreshToken",), (), None),
    ],
)
def test_auth_flow_endpoints_by_their_role(
    path: str, fields: tuple[str, ...], roles: tuple[str, ...], expected: str | None
) -> None:
    assert linked("POST", path, ACCOUNTS, fields, roles) == expected


def test_one_credential_table_serves_every_auth_flow() -> None:
    tables = (table("users", "email", "password_hash"), table("projects", "name"))
    for path in ("/auth/login", "/auth/refresh", "/auth/logout", "/auth/me", "/auth/staff-login"):
        assert linked("POST", path, tables) == "users", path


def _links(key: str) -> dict[str, str]:
    spec = api.load(example_dir(key)).spec
    return {
        lk.subject.removeprefix("endpoint:"): lk.table
        for lk in spec.links
        if lk.subject.startswith("endpoint:")
    }


def test_example_links_exams() -> None:
    links = _links("exams")
    assert links["GET /exams/{examId}/attempts"] == "exam_attempts"
    assert links["POST /exams/{examId}/attempts"] == "exam_attempts"
    assert links["GET /attempts/{id}"] == "exam_attempts"
    assert links["PUT /attempts/{attemptId}/answers/{questionId}"] == "answers"
    assert links["POST /exams/{id}/publish"] == "exams"


def test_example_links_library() -> None:
    links = _links("library")
    assert links["POST /auth/staff-login"] == "staff"
    assert links["POST /auth/member-login"] == "members"
    # shared by members and staff (`Auth: member or staff`): no one credential table
    assert "POST /auth/refresh" not in links and "POST /auth/logout" not in links
    assert links["GET /members/{memberId}/loans"] == "loans"
