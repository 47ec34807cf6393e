"""The four shared example doc sets: what the compiler must find, and nothing it must invent.

/work/shared/examples/NOTES.md lists 8 deliberate contradictions and the markers; each must be
reported at the right file:line, and no other contradiction may be reported ("by design" items).
Goldens of the OpenAPI document and the IR pin everything else (`pytest --update-goldens`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roundtrip import api
from roundtrip.diagnostics import Severity
from roundtrip.emit.openapi import dump_yaml
from roundtrip.ir.serialize import to_data
from tests.conftest import GOLDENS, check_golden, example_dir

# (code, file, line) of every consistency finding (RT2xx) and marker (RT12x) each set must produce — exactly.
EXPECTED: dict[str, set[tuple[str, str, int]]] = {
    "taskboard": {
        ("RT201", "API_SPEC.md", 561),  # A1: `| Field | Values |` priority has urgent, DB CHECK has critical
        ("RT201", "API_SPEC.md", 631),  # A1: POST tasks body
        ("RT201", "API_SPEC.md", 694),  # A1: PATCH tasks body
        ("RT202", "API_SPEC.md", 424),  # A2: key 2-10 letters vs VARCHAR(6) / CHECK {2,6}
        ("RT203", "API_SPEC.md", 424),  # A2: ^[A-Z]{2,10}$ vs ^[A-Z]{2,6}$
        ("RT120", "API_SPEC.md", 360),
        ("RT120", "DATA_MODEL.md", 449),
    },
    "exams": {
        ("RT202", "api-specification.md", 52),  # C1: name 2-100 vs validation rule 1-100
        ("RT204", "api-specification.md", 160),  # C2: shuffleQuestions has no column
        ("RT204", "api-specification.md", 210),
        ("RT204", "api-specification.md", 493),
        ("RT120", "api-specification.md", 416),
    },
    "bookings": {
        ("RT202", "backend-spec.md", 514),  # B1: title 1-120 (TS) vs VARCHAR(100)
        ("RT202", "backend-spec.md", 1131),  # B1: zod max(120) vs VARCHAR(100)
        ("RT207", "backend-spec.md", 472),  # B2: DELETE /bookings/:id summary row without a section
        ("RT208", "backend-spec.md", 593),  # B2: POST /bookings/:id/cancel section without a summary row
        ("RT120", "backend-spec.md", 1296),
        ("RT120", "backend-spec.md", 1366),
        ("RT121", "backend-spec.md", 1367),
        ("RT121", "backend-spec.md", 1368),
        ("RT121", "backend-spec.md", 1369),
        ("RT121", "backend-spec.md", 1370),
    },
    "library": {
        ("RT210", "technical/backend-spec.md", 185),  # D1: amountCents vs amount DECIMAL(8,2)
        ("RT211", "technical/backend-spec.md", 1057),  # D2: page size 20 here, 25 at :437
        ("RT120", "technical/backend-spec.md", 985),
    },
}

# Detailed endpoints per set (NOTES.md) and the tables each data model defines.
ENDPOINTS = {"taskboard": 20, "exams": 18, "bookings": 23, "library": 24}
TABLES = {
    "taskboard": ["tenants", "users", "refresh_tokens", "projects", "tasks", "labels", "task_labels", "comments"],
    "exams": ["users", "sessions", "exams", "questions", "exam_attempts", "answers"],
    "bookings": ["users", "refresh_tokens", "workspaces", "workspace_members", "rooms", "bookings"],
    "library": ["branches", "members", "staff", "refresh_tokens", "books", "copies", "loans", "holds", "fines"],
}
SETS = sorted(EXPECTED)


@pytest.fixture(scope="module", params=SETS)
def compiled(request: pytest.FixtureRequest) -> tuple[str, api.CompileResult, dict]:
    key = request.param
    result, doc = api.compile_path(example_dir(key))
    return key, result, doc


def findings(result: api.CompileResult) -> set[tuple[str, str, int]]:
    return {(d.code, d.span.file, d.span.line) for d in result.diagnostics if d.code.startswith("RT2") or d.code in ("RT120", "RT121")}


def test_contradictions_and_markers_exactly(compiled: tuple[str, api.CompileResult, dict]) -> None:
    key, result, _ = compiled
    got = findings(result)
    missing = EXPECTED[key] - got
    extra = got - EXPECTED[key]
    detail = "\n".join(str(d) for d in result.diagnostics if (d.code, d.span.file, d.span.line) in extra)
    assert not missing, f"not reported: {sorted(missing)}"
    assert not extra, f"reported but not a deliberate contradiction:\n{detail}"


def test_no_internal_errors(compiled: tuple[str, api.CompileResult, dict]) -> None:
    _, result, _ = compiled
    assert [str(d) for d in result.diagnostics if d.code in ("RT900", "RT301")] == []


def test_endpoint_counts(compiled: tuple[str, api.CompileResult, dict]) -> None:
    key, result, doc = compiled
    detailed = [e for e in result.spec.endpoints if e.detailed]
    assert len(detailed) == ENDPOINTS[key], sorted(e.key for e in detailed)
    ops = {(m.upper(), p) for p, item in doc["paths"].items() for m in item if m in ("get", "post", "put", "patch", "delete")}
    assert {(e.method, e.path) for e in result.spec.endpoints} == ops


def test_every_operation_has_a_success_status_and_auth_flag(compiled: tuple[str, api.CompileResult, dict]) -> None:
    key, result, doc = compiled
    for e in result.spec.endpoints:
        if not e.detailed:
            continue
        op = doc["paths"][e.path][e.method.lower()]
        statuses = {int(s) for s in op["responses"] if s.isdigit()}
        assert any(200 <= s < 300 for s in statuses), f"{e.key}: no 2xx in {statuses}"
        assert {err.status for err in e.errors} <= statuses, f"{e.key}: documented errors missing"
        assert e.auth.required is not None, f"{e.key}: auth flag unknown"
        assert ("security" in op) == True, f"{e.key}: no security requirement"  # noqa: E712


def test_tables(compiled: tuple[str, api.CompileResult, dict]) -> None:
    key, result, _ = compiled
    assert [t.name for t in result.spec.tables] == TABLES[key]
    for t in result.spec.tables:
        assert t.columns and t.primary_key, f"{t.name}: no columns or no primary key"


def test_goldens(compiled: tuple[str, api.CompileResult, dict], update_goldens: bool) -> None:
    key, result, doc = compiled
    check_golden(GOLDENS / key / "openapi.yaml", dump_yaml(doc), update_goldens)
    check_golden(GOLDENS / key / "ir.json", json.dumps(to_data(result.spec), indent=1, ensure_ascii=False) + "\n", update_goldens)
    lines = [f"{d.span}: {d.severity} {d.code}: {d.message}" for d in result.diagnostics if d.severity >= Severity.WARNING]
    check_golden(GOLDENS / key / "diagnostics.txt", "\n".join(lines) + "\n", update_goldens)


def test_compile_is_deterministic() -> None:
    path: Path = example_dir("exams")
    a = dump_yaml(api.compile_path(path)[1])
    b = dump_yaml(api.compile_path(path)[1])
    assert a == b
