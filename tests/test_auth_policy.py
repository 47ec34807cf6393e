"""The docs' password policy reaches the auth flows.

Reader level: composition phrases ("1 upper, 1 lower, 1 number") become a field pattern that every regex
engine in the chain runs (no look-around: pydantic's Rust engine refuses it). App level: the in-process exams
app refuses a weak password on register (400 naming the field).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from roundtrip.ir.types import Kind
from roundtrip.readers.composition import composition_pattern
from roundtrip.readers.constraints import parse_phrase
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
