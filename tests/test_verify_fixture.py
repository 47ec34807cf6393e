"""`verify --base-url` against the hand-written Pantry backend in tests/fixtures, under uvicorn.

The all-defects variant must yield exactly the doc lines listed in tests/fixtures/README.md (every
seeded defect found, nothing else at warning level or above); the correct variant must be green.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from roundtrip.diagnostics import Severity
from roundtrip.verify import render, verify
from roundtrip.verify.backend import free_port, launched

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SPECS = REPO / "specs"
LOGIN = "ana.ribeiro@pantry.dev:PantryDemo123"


def oracle() -> dict[str, set[str]]:
    """{defect id: {"API_SPEC.md:146", ...}} from the README's table."""
    out: dict[str, set[str]] = {}
    for line in (FIXTURES / "README.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| (D\d+) \|[^|]*\|[^|]*\| ([^|]+) \|", line)
        if m:
            out[m.group(1)] = {s.strip() for s in m.group(2).split(",")}
    return out


def run_against(defects: str, tmp: Path, max_examples: int = 10) -> object:
    port = free_port()
    db = tmp / "pantry.db"
    env = {**os.environ, "PANTRY_DB": str(db), "PANTRY_DEFECTS": defects}
    cmd = [sys.executable, "-m", "uvicorn", "pantry_app:app", "--app-dir", str(FIXTURES), "--host", "127.0.0.1", "--port", str(port), "--log-level", "critical"]
    with launched(cmd, env, port, timeout=60) as url:
        return verify(SPECS, base_url=url, db=f"sqlite:///{db}", login=LOGIN, seed=0, max_examples=max_examples)


@pytest.fixture(scope="module")
def defective(tmp_path_factory: pytest.TempPathFactory) -> object:
    return run_against("all", tmp_path_factory.mktemp("defective"))


@pytest.fixture(scope="module")
def correct(tmp_path_factory: pytest.TempPathFactory) -> object:
    return run_against("", tmp_path_factory.mktemp("correct"))


def test_oracle_lists_at_least_ten_defects_of_different_kinds() -> None:
    table = oracle()
    assert len(table) >= 10
    kinds = {line.split("|")[2].strip() for line in (FIXTURES / "README.md").read_text().splitlines() if re.match(r"^\| D\d+ ", line)}
    assert len(kinds) == len(table)


def test_every_seeded_defect_is_found_at_its_doc_line_and_nothing_else(defective) -> None:  # type: ignore[no-untyped-def]
    report = defective
    assert report.usage_error == "", report.usage_error
    found = {f"{d.span.file}:{d.span.line}" for d in report.diagnostics if d.severity >= Severity.WARNING}
    expected = set().union(*oracle().values())
    missing = {k: v - found for k, v in oracle().items() if v - found}
    assert not missing, f"defects not found: {missing}\n{render(report)}"
    assert found == expected, f"unexpected findings at {sorted(found - expected)}\n{render(report)}"
    assert report.exit_code == 1


def test_failure_messages_say_expected_got_and_how_to_reproduce(defective) -> None:  # type: ignore[no-untyped-def]
    behavioural = [d for d in defective.diagnostics if d.code in ("RT430", "RT432", "RT434", "RT435")]
    assert behavioural
    for d in behavioural:
        assert "reproduce: curl -X" in d.message, d.message
        assert "expected" in d.message or "should answer" in d.message, d.message
        assert re.search(r"\(API_SPEC\.md:\d+\)", d.message), d.message
        assert "Bearer ey" not in d.message  # tokens are never printed


def test_specific_findings(defective) -> None:  # type: ignore[no-untyped-def]
    by_code = {(d.code, d.span.line) for d in defective.diagnostics}
    assert ("RT410", 535) in by_code  # missing endpoint
    assert ("RT454", 239) in by_code  # servings REAL
    assert ("RT434", 255) in by_code  # logout without a token
    assert ("RT435", 146) in by_code  # displayName > 80 accepted
    assert ("RT432", 730) in by_code  # 500 instead of 409
    assert ("RT433", 479) in by_code  # {"detail": ...}
    cov = defective.coverage
    assert cov.cells["DELETE /v1/recipes/{recipeId}"][204].why == "endpoint missing from the backend"


def test_correct_variant_verifies_green(correct) -> None:  # type: ignore[no-untyped-def]
    report = correct
    loud = [str(d) for d in report.diagnostics if d.severity >= Severity.WARNING]
    assert loud == [], render(report)
    assert report.exit_code == 0
    cov = report.coverage
    assert cov.exercised >= 35 and cov.percent > 50
    for key in ("POST /v1/recipes", "GET /v1/recipes/{recipeId}", "DELETE /v1/recipes/{recipeId}", "POST /v1/ingredients"):
        ok = [st for st, c in cov.cells[key].items() if 200 <= st < 300]
        assert all(cov.cells[key][st].state == "passed" for st in ok), key
    assert cov.cells["POST /v1/ingredients"][409].state == "passed"
    assert cov.cells["POST /v1/auth/login"][429].why.startswith("rate limits")


def test_report_formats(correct, defective) -> None:  # type: ignore[no-untyped-def]
    import json
    import xml.etree.ElementTree as ET

    data = json.loads(render(defective, "json"))
    assert data["outcome"] == "failed" and data["exit_code"] == 1
    assert {d["stage"] for d in data["diagnostics"]} >= {"interface", "database", "behaviour"}
    assert data["coverage"]["total"] == defective.coverage.total
    root = ET.fromstring(render(defective, "junit"))
    assert int(root.find("testsuite[@name='verify.behaviour']").get("failures")) > 0
    root = ET.fromstring(render(correct, "junit"))
    assert all(int(s.get("failures")) == 0 for s in root.iter("testsuite"))
    gh = render(defective, "github", display=lambda f: f"specs/{f}")
    assert "::error file=specs/API_SPEC.md,line=535,title=RT410::" in gh
    text = render(correct)
    assert "coverage of documented statuses" in text and "outcome: passed" in text


def test_min_coverage_fails_below_threshold(tmp_path: Path) -> None:
    base = run_against_with(tmp_path / "a")
    assert base.exit_code == 0 and base.coverage is not None
    again = run_against_with(tmp_path / "b", min_coverage=min(100.0, base.coverage.percent + 5))
    assert again.exit_code == 1
    assert [d.code for d in again.errors()] == ["RT440"]


def run_against_with(tmp: Path, **kwargs: object) -> object:
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    db = tmp / "pantry.db"
    env = {**os.environ, "PANTRY_DB": str(db), "PANTRY_DEFECTS": ""}
    cmd = [sys.executable, "-m", "uvicorn", "pantry_app:app", "--app-dir", str(FIXTURES), "--host", "127.0.0.1", "--port", str(port), "--log-level", "critical"]
    with launched(cmd, env, port, timeout=60) as url:
        return verify(SPECS, base_url=url, login=LOGIN, max_examples=0, **kwargs)  # type: ignore[arg-type]
