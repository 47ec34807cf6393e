"""Shared fixtures: where the shared inputs live, golden files, and the PostgreSQL URL policy."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ROUNDTRIP_SHARED", REPO.parent / "shared"))
EXAMPLES = SHARED / "examples"
CORPUS = SHARED / "corpus"
GOLDENS = Path(__file__).resolve().parent / "goldens"

EXAMPLE_SETS = {
    "taskboard": "autoflow-taskboard",
    "exams": "peachflow-exams",
    "bookings": "peachflow-q01-bookings",
    "library": "bmad-library",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False, help="rewrite golden files from current output")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def example_dir(key: str) -> Path:
    path = EXAMPLES / EXAMPLE_SETS[key]
    if not path.is_dir():
        pytest.skip(f"shared example {path} is absent (clone ../shared beside the repo)")
    return path


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob("*.md"))


def check_golden(path: Path, actual: str, update: bool) -> None:
    """Compare with a golden file; `pytest --update-goldens` rewrites it (review the diff)."""
    if update or not path.exists():
        if not update and os.environ.get("CI") == "true":
            pytest.fail(f"golden file {path} is missing; run `pytest --update-goldens` and commit it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path.name} differs from its golden; run `pytest --update-goldens` and review the diff"


def postgres_url() -> str:
    """The PostgreSQL URL for tests that need a real server.

    Unset → skip with a reason, except under CI=true where a missing database is a failure.
    """
    url = os.environ.get("ROUNDTRIP_TEST_DATABASE_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("ROUNDTRIP_TEST_DATABASE_URL is not set, and CI=true requires the PostgreSQL tests to run")
        pytest.skip("set ROUNDTRIP_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run PostgreSQL tests")
    return url


@contextlib.contextmanager
def scratch_database(prefix: str = "rt_") -> Iterator[str]:
    """A new PostgreSQL database on the test server (its URL), dropped afterwards even when connections remain."""
    import psycopg
    import sqlalchemy as sa

    base = postgres_url()
    name = prefix + uuid.uuid4().hex[:12]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A scratch PostgreSQL database per test."""
    with scratch_database() as url:
        yield url
