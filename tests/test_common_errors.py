"""Where the rows of a "Common errors" table apply (ir/common_errors.py, issue 4): a common error lands where
its condition can arise (401 on protected endpoints, 403 where roles are named, 404 where the path names an
item, 409 on creates/updates/actions, 400 where the endpoint takes input, 429/500 everywhere), never on a
public endpoint; the compiled document carries exactly those."""

from __future__ import annotations

import pytest

from roundtrip import api
from roundtrip.ir import ErrorDoc, Spec
from roundtrip.ir.common_errors import common_errors_for
from tests.conftest import REPO, example_dir


def load(key: str) -> Spec:
    return api.load(REPO / "specs" if key == "specs" else example_dir(key)).spec


def rows(spec: Spec, key: str) -> tuple[ErrorDoc, ...]:
    method, path = key.split(" ", 1)
    ep = spec.endpoint(method, path)
    assert ep is not None, key
    return common_errors_for(spec, ep)


def common(spec: Spec, key: str) -> set[int]:
    return {e.status for e in rows(spec, key)}


def test_bookings_error_catalog_lands_where_each_error_can_happen() -> None:
    spec = load("bookings")
    # the catalog has 400, 401, 403, 404, 409 (twice); no 409 on a logout or a read
    assert common(spec, "POST /auth/logout") == {400, 401}, "a session endpoint writes nothing that conflicts"
    assert common(spec, "GET /auth/me") == {401}
    assert common(spec, "GET /bookings") == {400, 401}, "query parameters: validation; no id: no 404"
    assert common(spec, "GET /bookings/{id}") == {401, 404}, "an ill-formed id is the 404, not a 400"
    assert common(spec, "POST /workspaces") == {400, 401, 409}, "any signed-in user creates: no role, no 403"
    assert common(spec, "PATCH /workspaces/{id}") == {400, 401, 403, 404, 409}
    assert common(spec, "DELETE /rooms/{id}") == {401, 403, 404}
    assert common(spec, "POST /auth/register") == set(), "public endpoints get no common error"


def test_taskboard_403_only_where_roles_are_named() -> None:
    spec = load("taskboard")
    assert common(spec, "GET /v1/tasks/{taskId}") == {401, 429, 500}, "`Yes (any role)`, no input but the id"
    assert common(spec, "GET /v1/projects") == {400, 401, 429, 500}
    assert common(spec, "POST /v1/projects") == {400, 401, 403, 429, 500}, "`Yes (owner, admin)`"


def test_ownership_in_the_403_row_reaches_writes_to_one_item() -> None:
    spec = load("specs")  # 403: "The caller's role or ownership does not allow the action"
    assert 403 in common(spec, "PATCH /v1/recipes/{recipeId}")
    assert 403 in common(spec, "DELETE /v1/recipes/{recipeId}")
    assert 403 not in common(spec, "POST /v1/recipes"), "creating owns nothing yet"
    assert 403 not in common(spec, "POST /v1/recipes/{recipeId}/reviews")


@pytest.mark.parametrize("key", ["taskboard", "bookings", "exams", "library", "specs"])
def test_the_compiled_document_carries_only_applicable_common_statuses(key: str) -> None:
    spec = load(key)
    doc, _ = api.openapi(spec)
    table = {e.status for e in spec.common_errors}
    for ep in spec.endpoints:
        op = doc["paths"][_served_path(doc, ep.path)][ep.method.lower()]
        own = {e.status for e in ep.errors} | {r.status for r in ep.responses}
        listed = {int(s) for s in op["responses"] if s.isdigit()}
        applicable = {e.status for e in common_errors_for(spec, ep)}
        assert applicable <= listed, ep.key
        # a table status the endpoint lists comes from its own section or applies to it
        assert (listed & table) - own <= applicable, ep.key


def _served_path(doc: dict[str, object], path: str) -> str:
    paths = doc["paths"]
    assert isinstance(paths, dict)
    return next(p for p in paths if p == path or p.endswith(path))


def test_exams_table_of_401_429_500_applies_to_every_protected_endpoint() -> None:
    spec = load("exams")
    for ep in spec.endpoints:
        assert common(spec, ep.key) == ({401, 429, 500} if ep.auth.required else set()), ep.key


def codes(spec: Spec, key: str) -> set[str]:
    return {e.code for e in rows(spec, key)}


def test_a_code_naming_a_table_stays_with_that_table() -> None:
    """bookings' catalog has `409 CONFLICT` and `409 BOOKING_CONFLICT`: the room-overlap conflict belongs to bookings."""
    spec = load("bookings")
    assert {"CONFLICT", "BOOKING_CONFLICT"} <= codes(spec, "POST /bookings")
    assert "CONFLICT" in codes(spec, "POST /workspaces") and "BOOKING_CONFLICT" not in codes(spec, "POST /workspaces")
    assert "BOOKING_CONFLICT" not in codes(spec, "PATCH /rooms/{id}")


def test_a_table_code_is_kept_where_it_is_the_only_word_for_its_status() -> None:
    """library's catalog gives one example per status (`404 BOOK_NOT_FOUND`): a path id elsewhere still answers a
    documented 404, with the code the docs give, rather than none."""
    spec = load("library")
    ep = next(e for e in spec.endpoints if e.auth.required is True and "{" in e.path and "book" not in e.path
              and not any(x.status == 404 for x in (*e.errors, *e.responses)))
    assert 404 in {e.status for e in common_errors_for(spec, ep)}, ep.key
