"""verify's parts on their own: normalization, doc lines, example requests, the docs stage, and bad
input (unreachable URL, a backend that is not JSON, an OpenAPI endpoint that 404s, wrong
credentials) — each a clear usage outcome (exit 2), never a traceback."""

from __future__ import annotations

import http.server
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import CORPUS, EXAMPLES, corpus_files, example_dir

from roundtrip import api
from roundtrip.verify import verify
from roundtrip.verify.backend import free_port
from roundtrip.verify.context import Context, Options
from roundtrip.verify.examples import find_examples
from roundtrip.verify.interface import run_interface_stage
from roundtrip.verify.locate import Locator
from roundtrip.verify.schemas import normalize

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "specs"


@pytest.fixture(scope="module")
def pantry() -> tuple[object, dict]:  # type: ignore[type-arg]
    result = api.load(SPECS)
    doc, _ = api.openapi(result.spec)
    return result.spec, doc


# ---------------------------------------------------------------------- normalization
def test_normalize_folds_fastapi_noise() -> None:
    doc = {"components": {"schemas": {"Item": {"title": "Item", "type": "object", "required": ["b", "a"],
                                                "properties": {"a": {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}], "title": "A", "default": None},
                                                               "b": {"type": ["integer", "null"], "description": "x"}}}}}}
    got = normalize({"$ref": "#/components/schemas/Item"}, doc)
    assert got == {"type": "object", "required": ["a", "b"],
                   "properties": {"a": {"type": "string", "maxLength": 3, "x-nullable": True}, "b": {"type": "integer", "x-nullable": True}}}


def test_normalize_marks_example_typed_fields_and_stops_at_cycles() -> None:
    doc = {"components": {"schemas": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}, "n": {"type": "integer", "examples": [1]}}}}}}
    got = normalize({"$ref": "#/components/schemas/Node"}, doc)
    assert got["properties"]["n"] == {"type": "integer", "x-inferred": True}
    assert got["properties"]["next"] == {"x-recursive": "Node"}


def test_interface_stage_ignores_fastapi_defaults_but_not_real_differences(pantry) -> None:  # type: ignore[no-untyped-def]
    spec, doc = pantry
    ctx = Context(spec, doc, SPECS, Options())
    backend = {"openapi": "3.1.0", "paths": {"/v1/ingredients": {
        "get": {"parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "default": 20, "title": "Limit"}}],
                "responses": {"200": {"description": "Successful Response", "content": {"application/json": {"schema": {}}}},
                              "422": {"description": "Validation Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}}},
        "post": {"security": [{"HTTPBearer": []}],
                 "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {
                     "name": {"type": "string", "minLength": 1, "maxLength": 100, "title": "Name"}, "category": {"type": "string", "title": "Category"}}}}}},
                 "responses": {"201": {"description": "Successful Response"}}}}}}
    run_interface_stage(ctx, backend)
    loud = {(d.code, d.span.line) for d in ctx.diagnostics if d.severity >= 2}
    assert ("RT418", 721) in loud  # maxLength 100 vs the documented 80
    assert ("RT410", 136) in loud  # register is missing, like every other endpoint of this tiny backend
    assert not any(d.code == "RT415" for d in ctx.diagnostics)  # FastAPI's automatic 422 is not a finding
    assert not any(d.code == "RT412" and d.span.line == 77 for d in ctx.diagnostics)  # limit default 20 holds


# ---------------------------------------------------------------------- doc lines
def test_locator_finds_lines_of_example_typed_and_table_fields(pantry) -> None:  # type: ignore[no-untyped-def]
    spec, _ = pantry
    where = Locator(spec, SPECS)
    get = spec.endpoint("GET", "/v1/recipes/{recipeId}")
    assert where.field(get, 200, ["reviewCount"]).line == 336
    assert where.field(get, 200, ["author", "displayName"]).line == 322
    assert where.field(spec.endpoint("GET", "/v1/recipes"), 200, ["data", "reviewCount"]).line == 385
    assert where.field(spec.endpoint("POST", "/v1/auth/register"), "request", ["displayName"]).line == 146
    assert where.status(spec.endpoint("POST", "/v1/ingredients"), 409).line == 730
    assert where.status(spec.endpoint("GET", "/v1/users/me"), 403).line == 114  # the common error row
    assert where.nearest("/v1/ingredients/{id}").key == "GET /v1/ingredients"


def test_example_requests_are_read_from_curl_lines(pantry) -> None:  # type: ignore[no-untyped-def]
    spec, _ = pantry
    found = find_examples(spec, SPECS)
    assert len(found) == 14
    patch = next(e for e in found if e.method == "PATCH")
    assert (patch.span.line, patch.template, patch.body) == (529, "/v1/recipes/{recipeId}", {"servings": 3})
    listing = next(e for e in found if e.template == "/v1/recipes" and e.method == "GET")
    assert listing.query == {"difficulty": "easy,medium", "sort": "-createdAt", "limit": "1"}


# ---------------------------------------------------------------------- stage 1
def test_docs_stage_is_clean_for_pantry() -> None:
    report = verify(SPECS)
    assert report.exit_code == 0, [str(d) for d in report.diagnostics]
    assert [s.status for s in report.stages] == ["ran", "skipped", "skipped", "skipped"]


def test_docs_stage_finds_an_example_that_contradicts_its_schema() -> None:
    report = verify(example_dir("library"))
    rt400 = [d for d in report.diagnostics if d.code == "RT400"]
    assert [(d.span.file, d.span.line) for d in rt400] == [("technical/backend-spec.md", 609)]
    assert "createdAt" in rt400[0].message


def test_docs_stage_checks_sample_rows(tmp_path: Path) -> None:
    (tmp_path / "DATA_MODEL.md").write_text(
        "# Data\n\n```sql\n"
        "CREATE TABLE teams (id INTEGER PRIMARY KEY, name VARCHAR(5) NOT NULL, kind VARCHAR(10) NOT NULL CHECK (kind IN ('a', 'b')));\n"
        "CREATE TABLE players (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES teams(id), age INTEGER CHECK (age BETWEEN 1 AND 99));\n"
        "INSERT INTO teams (id, name, kind) VALUES (1, 'Lions', 'a'), (2, 'Tigers!', 'c');\n"
        "INSERT INTO players (id, team_id, age) VALUES (1, 1, 30), (2, 7, 120);\n```\n", encoding="utf-8")
    report = verify(tmp_path)
    rows = [d for d in report.diagnostics if d.code == "RT401"]
    text = " | ".join(d.message for d in rows)
    assert len(rows) == 2, text
    assert "7 characters" in text and "'c' is not allowed" in text
    assert "matches no sample row of teams.id" in text and "age violates CHECK" in text


# ---------------------------------------------------------------------- bad input
@contextmanager
def serve(status: int, body: bytes, content_type: str) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_unreachable_url_is_a_usage_problem() -> None:
    report = verify(SPECS, base_url=f"http://127.0.0.1:{free_port()}")
    assert report.exit_code == 2 and "cannot reach" in report.usage_error


def test_a_backend_that_is_not_json_is_a_usage_problem() -> None:
    with serve(200, b"<html><body>Welcome</body></html>", "text/html") as url:
        report = verify(SPECS, base_url=url)
    assert report.exit_code == 2 and "not JSON" in report.usage_error and "base URL" in report.usage_error


def test_an_openapi_endpoint_that_404s_is_a_usage_problem() -> None:
    with serve(404, b'{"detail": "Not Found"}', "application/json") as url:
        report = verify(SPECS, base_url=url)
    assert report.exit_code == 2 and "serves no OpenAPI" in report.usage_error and "/openapi.json" in report.usage_error


def test_wrong_credentials_are_a_usage_problem(tmp_path: Path) -> None:
    import os
    import sys

    from roundtrip.verify.backend import launched

    port = free_port()
    env = {**os.environ, "PANTRY_DB": str(tmp_path / "p.db"), "PANTRY_DEFECTS": ""}
    cmd = [sys.executable, "-m", "uvicorn", "pantry_app:app", "--app-dir", str(REPO / "tests" / "fixtures"), "--port", str(port), "--log-level", "critical"]
    with launched(cmd, env, port, timeout=60) as url:
        report = verify(SPECS, base_url=url, login="ana.ribeiro@pantry.dev:wrong-password-1", max_examples=0)
    assert report.exit_code == 2
    assert "login as ana.ribeiro@pantry.dev failed" in report.usage_error and "401" in report.usage_error


def test_option_problems_are_usage_problems(tmp_path: Path) -> None:
    assert verify(SPECS, app=tmp_path, base_url="http://127.0.0.1:1").exit_code == 2
    report = verify(SPECS, app=tmp_path)
    assert report.exit_code == 2 and "app/main.py" in report.usage_error
    assert verify(SPECS, base_url="ftp://example.com").exit_code == 2
    assert verify(tmp_path / "missing").exit_code == 2


# ---------------------------------------------------------------------- robustness
def _inputs() -> list[Path]:
    files = corpus_files()
    if EXAMPLES.is_dir():
        files += sorted(p for p in EXAMPLES.iterdir() if p.is_dir())
    return files


@pytest.mark.skipif(not CORPUS.is_dir() and not EXAMPLES.is_dir(), reason="../shared is absent")
def test_docs_stage_never_crashes_on_real_docs() -> None:
    for path in _inputs():
        report = verify(path)
        assert report.usage_error == "", (path, report.usage_error)
        result = api.load(path)
        find_examples(result.spec, path)


def test_a_crashing_check_is_an_internal_error_not_a_lost_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import sys

    from roundtrip.verify import registry
    from roundtrip.verify.backend import launched

    def boom(driver: object) -> None:
        raise RuntimeError("boom")

    crashing = registry.Check("behaviour.boom", "behaviour", "crashes", (), boom)
    monkeypatch.setattr(registry, "BEHAVIOUR", (crashing, *registry.BEHAVIOUR[:2]))
    port = free_port()
    env = {**os.environ, "PANTRY_DB": str(tmp_path / "p.db"), "PANTRY_DEFECTS": ""}
    cmd = [sys.executable, "-m", "uvicorn", "pantry_app:app", "--app-dir", str(REPO / "tests" / "fixtures"), "--port", str(port), "--log-level", "critical"]
    with launched(cmd, env, port, timeout=60) as url:
        report = verify(SPECS, base_url=url, login="ana.ribeiro@pantry.dev:PantryDemo123", max_examples=0)
    assert report.exit_code == 3 and report.outcome == "internal-error"
    assert report.internal == ["behaviour.boom: RuntimeError: boom (please report this verify bug)"]
    assert "behaviour.chain" in report.stages[3].checks  # the other checks still ran


# ---------------------------------------------------------------------- issue 5 fixes: expectations
def _loaded(key: str) -> tuple[object, dict, Path]:  # type: ignore[type-arg]
    path = example_dir(key)
    result = api.load(path)
    doc, _ = api.openapi(result.spec)
    return result.spec, doc, path


def test_no_credentials_expects_401_even_where_the_endpoint_lists_only_403() -> None:
    from roundtrip.verify.behaviour import anonymous_status

    spec, doc, path = _loaded("bookings")
    ctx = Context(spec, doc, path, Options())
    ep = spec.endpoint("PATCH", "/workspaces/{id}")  # its own table: 403 (admin role) and 404 only
    assert ep is not None and {e.status for e in ep.errors} == {403, 404}
    assert anonymous_status(ctx, ep) == 401


def test_an_error_row_that_says_unauthenticated_sets_the_anonymous_status() -> None:
    from dataclasses import replace

    from roundtrip.ir.api import ErrorDoc
    from roundtrip.verify.behaviour import anonymous_status

    spec, doc, path = _loaded("bookings")
    ep = spec.endpoint("PATCH", "/workspaces/{id}")
    custom = replace(spec, common_errors=(ErrorDoc(403, "NOT_AUTHENTICATED", "Missing token"),))
    assert anonymous_status(Context(custom, doc, path, Options()), ep) == 403


@pytest.mark.parametrize(("key", "method", "path", "via"), [
    ("taskboard", "DELETE", "/v1/tasks/{taskId}", "users.tenant_id"),
    ("bookings", "PATCH", "/workspaces/{id}", "workspace_members"),
])
def test_rows_of_another_tenant_are_outside_a_fresh_accounts_scope(key: str, method: str, path: str, via: str) -> None:
    from roundtrip.verify.credentials import auth_endpoints
    from roundtrip.verify.scope import account_table, boundaries, lower_role_route, outside_scope

    spec, doc, root = _loaded(key)
    ctx = Context(spec, doc, root, Options())
    _, register = auth_endpoints(ctx)
    account = account_table(spec, register)
    walls = boundaries(spec, account, register)
    why = outside_scope(spec, spec.endpoint(method, path), walls)
    assert via in why and "404" in why
    assert lower_role_route(spec, account, walls) is None  # neither set documents a way to add a same-tenant account


def test_without_a_tenant_column_a_fresh_account_sees_other_users_rows() -> None:
    from roundtrip.verify.credentials import auth_endpoints
    from roundtrip.verify.scope import account_table, boundaries, outside_scope

    spec, doc, root = _loaded("exams")
    ctx = Context(spec, doc, root, Options())
    _, register = auth_endpoints(ctx)
    walls = boundaries(spec, account_table(spec, register), register)
    assert outside_scope(spec, spec.endpoint("PATCH", "/exams/{id}"), walls) == ""


def test_an_abbreviated_example_is_info_and_a_wrong_value_stays_an_error() -> None:
    from roundtrip.diagnostics import Severity
    from roundtrip.verify.docs_stage import run_docs_stage

    spec, doc, path = _loaded("library")
    ctx = Context(spec, doc, path, Options())
    run_docs_stage(ctx, [], [])
    at_609 = [d for d in ctx.diagnostics if d.code == "RT400" and d.span.line == 609]
    assert len(at_609) == 1 and at_609[0].severity is Severity.INFO and "createdAt" in at_609[0].message
    ep = spec.endpoint("GET", "/books/{bookId}")
    bad = next(r for r in ep.responses if r.status == 200)
    from dataclasses import replace

    broken = replace(bad, body=replace(bad.body, example={**bad.body.example, "createdAt": 12}))
    ctx2 = Context(replace(spec, endpoints=tuple(replace(e, responses=(broken,)) if e is ep else e for e in spec.endpoints)), doc, path, Options())
    run_docs_stage(ctx2, [], [])
    wrong = [d for d in ctx2.diagnostics if d.code == "RT400" and d.span.line == 609]
    assert len(wrong) == 1 and wrong[0].severity is Severity.ERROR and "12" in wrong[0].message


def test_outcome_separates_docs_contradictions_from_backend_failures() -> None:
    from roundtrip.diagnostics import make
    from roundtrip.source import Span
    from roundtrip.verify import VerifyReport
    from roundtrip.verify.context import StageResult

    report = VerifyReport("x", stages=[StageResult("docs", "ran"), StageResult("behaviour", "ran")])
    assert report.outcome == "passed" and report.exit_code == 0
    report.diagnostics.append(make("RT201", Span("a.md", 3), "enum values disagree"))
    assert report.outcome == "docs-contradict" and report.exit_code == 1
    assert "backend stages (behaviour): no failure; docs stage: 1 error(s)" in report.verdict()
    report.diagnostics.append(make("RT438", Span("a.md", 9), "500"))
    assert report.outcome == "failed" and report.backend_failed


def test_request_bodies_take_the_first_branch_of_a_union() -> None:
    from roundtrip.verify.bodies import Builder

    spec, doc, _ = _loaded("exams")
    b = Builder(spec, doc)
    body = b.value(b.request_schema(spec.endpoint("POST", "/exams/{examId}/questions")))
    assert isinstance(body["answerKey"], dict) and body["answerKey"].get("optionIds")
