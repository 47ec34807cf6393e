"""`verify --app` on every doc set (specs/ and the four shared examples), against the app generated from
it, on SQLite and on PostgreSQL: what "green" means for a doc set (issue 5).

Green for a doc set:
- no usage problem and no crash inside verify;
- the backend stages (interface, database, behaviour) report no error: the generated app does what
  the docs say;
- the docs stage reports exactly the contradictions the docs contain on purpose (NOTES.md's list, the
  RT2xx part of tests/test_examples.py::EXPECTED) at warning level or above, and nothing else;
- so the outcome is `passed`, or `docs-contradict` (exit 1: the docs need fixing) when NOTES.md lists
  contradictions for the set;
- every documented status is exercised or carries the reason it cannot be.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from roundtrip import api
from roundtrip.diagnostics import Severity
from roundtrip.verify import VerifyReport, render, verify
from roundtrip.verify.coverage import UNREACHED
from roundtrip.verify.registry import stage_of
from roundtrip.writer import write_tree
from tests.conftest import EXAMPLE_SETS, REPO, example_dir, postgres_url
from tests.test_examples import EXPECTED

SETS = ["specs", *sorted(EXAMPLE_SETS)]
# specs/ is the Pantry showcase: its docs' seeded admin (the Makefile's `verify` line uses it too).
LOGINS = {"specs": "ana.ribeiro@pantry.dev:PantryDemo123"}


def specs_of(key: str) -> Path:
    return REPO / "specs" if key == "specs" else example_dir(key)


def deliberate(key: str) -> set[tuple[str, str, int]]:
    """The docs' own contradictions (NOTES.md): the RT2xx findings lint must make for this set."""
    return {f for f in EXPECTED.get(key, set()) if f[0].startswith("RT2")}


def run_verify(key: str, tmp: Path, db: str | None) -> VerifyReport:
    specs = specs_of(key)
    out = tmp / "app"
    write_tree(out, api.generated_files(api.load(specs).spec), force=True)
    return verify(specs, app=out, db=db, login=LOGINS.get(key), seed=0, max_examples=10)


@pytest.fixture(scope="module", params=SETS)
def on_sqlite(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, VerifyReport]:
    key = request.param
    return key, run_verify(key, tmp_path_factory.mktemp(f"verify-{key}-sqlite"), None)


@pytest.fixture(scope="module", params=SETS)
def on_postgres(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, VerifyReport]:
    key = request.param
    url = postgres_url()  # skip (or fail under CI=true) without a server; verify makes a fresh database on it
    return key, run_verify(key, tmp_path_factory.mktemp(f"verify-{key}-pg"), url)


def assert_green(key: str, report: VerifyReport) -> None:
    text = render(report)
    assert report.usage_error == "", report.usage_error
    assert report.internal == [], text
    backend = [
        f"{d.span.file}:{d.span.line}: {d.code}: {d.message}"
        for d in report.diagnostics
        if d.severity >= Severity.ERROR and stage_of(d.code) != "docs"
    ]
    assert backend == [], "backend stage failures:\n" + "\n".join(backend)
    docs = {(d.code, d.span.file, d.span.line) for d in report.docs_findings()}
    assert docs == deliberate(key), (
        f"docs stage: extra {sorted(docs - deliberate(key))}, missing {sorted(deliberate(key) - docs)}\n{text}"
    )
    assert report.outcome == ("docs-contradict" if deliberate(key) else "passed"), text
    assert report.exit_code == (1 if deliberate(key) else 0)
    assert "verdict: backend stages (interface, database, behaviour): no failure" in text
    cov = report.coverage
    assert cov is not None
    silent = [
        f"{key} {st}"
        for key, row in cov.cells.items()
        for st, c in row.items()
        if c.state == UNREACHED and not c.why
    ]
    assert silent == [], f"documented statuses neither exercised nor explained: {silent}"


def test_verify_green_on_sqlite(on_sqlite: tuple[str, VerifyReport]) -> None:
    assert_green(*on_sqlite)


def test_verify_green_on_postgres(on_postgres: tuple[str, VerifyReport]) -> None:
    key, report = on_postgres
    assert any("fresh PostgreSQL database" in n for n in report.notes), report.notes
    assert_green(key, report)
