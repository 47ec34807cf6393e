"""The docs' password policy and lockout phrasing reach the auth flows.

Reader level: composition phrases ("1 upper, 1 lower, 1 number") become a field pattern that every regex
engine in the chain runs (no look-around: pydantic's Rust engine refuses it); lockout phrasings in error rows
and lock columns become auth.lockout_* facts. App level: the in-process exams app refuses a weak password
on register (400 naming the field) and locks an account after the documented failures (403 ACCOUNT_LOCKED).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts
from roundtrip.ir.types import Kind
from roundtrip.markdown import parse_document
from roundtrip.readers.composition import composition_pattern
from roundtrip.readers.constraints import parse_phrase
from roundtrip.readers.prose import read_prose
from roundtrip.serve import build_backend, prepare
from tests.conftest import example_dir
from tests.test_app_generate import import_app

# ---------------------------------------------------------------------------------------------
# phrases → patterns
# ---------------------------------------------------------------------------------------------

# (phrase, passwords the pattern must accept, passwords it must refuse)
COMPOSITION_CASES = [
    ("Min 8 chars, 1 upper, 1 lower, 1 number", ["Secret123", "1abcdefG"], ["password", "PASSWORD1", "Password"]),
    ("min 8 chars, 1 upper, 1 number", ["PASSWORD1", "9abcdefZ"], ["password", "Password", "abcdefg1"]),
    ("at least one uppercase letter and one digit", ["aB3"], ["ab3", "ABC"]),
    ("Password must contain a number", ["abc1"], ["abcdefgh"]),
    ("Min 8 chars, at least 1 letter and 1 number", ["12345a78", "a1"], ["12345678", "abcdefgh"]),
    ("8+ characters with uppercase, lowercase and a symbol", ["aB!"], ["aB1", "ab!"]),
    ("at least 2 digits and 1 special character", ["a1b2!", "!12"], ["a1b!", "12ab"]),
]


@pytest.mark.parametrize(("phrase", "good", "bad"), COMPOSITION_CASES, ids=[c[0] for c in COMPOSITION_CASES])
def test_composition_phrase_becomes_a_pattern_every_engine_runs(phrase: str, good: list[str], bad: list[str]) -> None:
    pattern = parse_phrase(phrase, kind=Kind.STRING).constraints.pattern
    assert pattern is not None and pattern == composition_pattern(phrase)

    class Body(BaseModel):  # pydantic's default (Rust) engine builds it: no look-around
        password: str = Field(pattern=pattern)

    for pw in good:
        assert re.search(pattern, pw), pw
        Body(password=pw)
    for pw in bad:
        assert not re.search(pattern, pw), pw


@pytest.mark.parametrize("phrase", [
    "must be a number",  # a type, not a rule
    "3 uppercase letters",  # an exact length
    "14 digits",
    "a number or a symbol",  # an alternative: no single set of required classes
    "no special characters",
    "Min 8 chars",
    "Grade: a letter",
    "a phone number",
    "one of `a`, `b`",
])
def test_phrases_that_are_not_composition_rules_give_no_pattern(phrase: str) -> None:
    assert composition_pattern(phrase) is None
    assert parse_phrase(phrase, kind=Kind.STRING).constraints.pattern in (None, "^[A-Z]{2,10}$")


def test_an_explicit_pattern_wins_and_numbers_get_none() -> None:
    assert parse_phrase("1 upper, 1 number, pattern `^[A-Z0-9]+$`").constraints.pattern == "^[A-Z0-9]+$"
    assert parse_phrase("at least 1 number", kind=Kind.INTEGER).constraints.pattern is None


# ---------------------------------------------------------------------------------------------
# lockout phrasings → auth.lockout_attempts / auth.lockout_seconds
# ---------------------------------------------------------------------------------------------


def lockout(text: str, name: str = "API_SPEC.md") -> tuple[list[int], list[int]]:
    facts, sink = Facts(), Sink()
    doc, _ = parse_document(name, text)
    read_prose(doc, facts, sink)
    got = lambda key: [c.value for c in facts.conventions if c.key == key]  # noqa: E731
    return got("auth.lockout_attempts"), got("auth.lockout_seconds")


LOCKOUT_CASES = [
    # an endpoint's error row
    ("# API\n\n## Auth\n\n### POST /auth/login\n\nSign in.\n\n| Status | Code | Description |\n|---|---|---|\n"
     "| 403 | ACCOUNT_LOCKED | Too many failed attempts (5 failures → locked 15 min) |\n", [5], [900]),
    # the lock column of a column table, outside any security section
    ("# Data\n\n## accounts\n\n| Column | Type | Description |\n|---|---|---|\n"
     "| locked_until | TIMESTAMPTZ | Set after 3 consecutive failures (+30 min) |\n", [3], [1800]),
    # "after N consecutive failed attempts (+M min)" in prose of an unrelated section
    ("# Rules\n\n## Members\n\nAn account is locked after 6 consecutive failed attempts (+10 min).\n", [6], [600]),
    # "locked for M minutes after N failures" in an endpoint's prose
    ("# API\n\n### POST /v1/sessions\n\nThe account is locked for 20 minutes after 4 failures.\n", [4], [1200]),
]


@pytest.mark.parametrize(("text", "attempts", "seconds"), LOCKOUT_CASES)
def test_lockout_phrasings_anywhere(text: str, attempts: list[int], seconds: list[int]) -> None:
    assert lockout(text) == (attempts, seconds)


def test_lines_without_a_lock_or_a_count_are_not_lockouts() -> None:
    text = ("# API\n\n### POST /auth/login\n\n| Status | Code | Description |\n|---|---|---|\n"
            "| 429 | RATE_LIMITED | 5 attempts per minute (+1 min) |\n| 423 | ACCOUNT_LOCKED | Account locked |\n")
    assert lockout(text) == ([], [])
    # "in 15 min" is the window the failures are counted in, not the lock time
    assert lockout("# Notes\n\n## Login\n\nLockout after 5 failures in 15 min.\n") == ([5], [])


# ---------------------------------------------------------------------------------------------
# the exams app, in process
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    out: Path = tmp_path_factory.mktemp("exams_policy") / "out"
    build_backend(example_dir("exams"), out)
    prepare(out)
    with TestClient(import_app(out, {"RATE_LIMITS": "false"}), base_url="http://testserver/api/v1") as client:
        yield client


def new_email() -> str:
    return f"policy.{uuid.uuid4().hex[:8]}@example.com"


@pytest.mark.parametrize("password", ["password", "abcdefgh", "PASSWORD1", "Password"])
def test_weak_passwords_are_refused_naming_the_field(exams: TestClient, password: str) -> None:
    r = exams.post("/auth/register", json={"email": new_email(), "password": password, "name": "Weak Pw"})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] == "VALIDATION_ERROR" and [d["field"] for d in err["details"]] == ["password"]


def test_a_strong_password_registers(exams: TestClient) -> None:
    r = exams.post("/auth/register", json={"email": new_email(), "password": "Secret123", "name": "Strong Pw"})
    assert r.status_code == 201, r.text


def test_five_failures_lock_the_account_with_the_documented_status(exams: TestClient) -> None:
    email = new_email()
    assert exams.post("/auth/register", json={"email": email, "password": "Secret123", "name": "Lock Me"}).status_code == 201
    for _ in range(4):
        r = exams.post("/auth/login", json={"email": email, "password": "Wrong1234"})
        assert r.status_code == 401, r.text
    r = exams.post("/auth/login", json={"email": email, "password": "Wrong1234"})  # the 5th failure locks
    assert r.status_code == 403 and "ACCOUNT_LOCKED" in r.text, r.text
    r = exams.post("/auth/login", json={"email": email, "password": "Secret123"})  # even the right one, for 15 min
    assert r.status_code == 403 and "ACCOUNT_LOCKED" in r.text, r.text
