"""schemathesis against each running generated backend (uvicorn on loopback) with the compiled
OpenAPI: not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance, positive data, deterministic generation, signed in.

One case per doc set: the project's own Pantry docs (specs/) and the four shared example sets.
A failure that remains is listed per set (operation + check) with the doc problem behind it, so any
new failure fails the test, and a listed failure that no longer happens fails it too (the list
must shrink with the fixes).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt
import httpx
import pytest
import sqlalchemy as sa

import roundtrip.db as rdb
from roundtrip import api
from roundtrip.serve import build_backend, prepare
from roundtrip.verify.credentials import find_token
from tests.conftest import REPO, example_dir
from tests.test_app_e2e import running

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
PASSWORD = "Schemathesis-Pass1"


@dataclass(frozen=True)
class Case:
    """How to sign in to one generated backend.

    `identity`/`password` come from the docs' sample data when the docs state the password; otherwise
    `account` names a principal table row whose password (and role) the test sets in the database:
    (table, identity column, {column: value} to set)."""

    login: str  # the docs' login endpoint, below the base path
    identity: tuple[str, str]  # (request field, value); value "" = read it from the account row
    password: str = PASSWORD
    register: str = ""  # the docs' register endpoint, used to create the account row first
    account: tuple[str, str, dict[str, str]] | None = None
    fake_rows: int = 0  # generated rows per table (sets whose docs carry no sample rows for the data)
    known: set[tuple[str, str]] = field(default_factory=set)


CASES: dict[str, Case] = {
    "pantry": Case("/v1/auth/login", ("email", "ana.ribeiro@pantry.dev"), "PantryDemo123"),
    # DATA_MODEL.md:125 "all passwords are `DemoPass123`"; maria.chen is the Acme tenant's owner.
    "taskboard": Case("/v1/auth/login", ("email", "maria.chen@acme-robotics.com"), "DemoPass123"),
    # prisma/seed.ts: every user's password is `Password123`; ava.schmidt is Berlin HQ's admin.
    "bookings": Case(
        "/auth/login",
        ("email", "ava.schmidt@deskmate.dev"),
        "Password123",
    ),
    # No sample users: register a student, then make it an admin so authoring endpoints answer.
    "exams": Case(
        "/auth/login",
        ("email", "schemathesis@example.com"),
        register="/auth/register",
        account=("users", "email", {"role": "admin"}),
    ),
    # No sample staff: a generated staff row, signed in through the staff login as an admin.
    "library": Case(
        "/auth/staff-login",
        ("email", ""),
        account=("staff", "email", {"role": "admin", "status": "active"}),
        fake_rows=2,
    ),
}


def failures(report: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    current = ""
    for line in report.splitlines():
        m = re.match(r"^_+ ([A-Z]+ \S+) _+$", line.strip())
        if m:
            current = m.group(1)
            continue
        m = re.match(r"^- (ST\d+) ", line.strip())
        if m and current:
            found.add((current, m.group(1)))
    return found


def specs_for(key: str) -> Path:
    return REPO / "specs" if key == "pantry" else example_dir(key)


def prepare_account(case: Case, db_file: Path, base: str) -> str:
    """Sign in as the case's account; returns the access token."""
    ident_field, ident = case.identity
    if case.register:
        r = httpx.post(
            f"{base}{case.register}",
            json={ident_field: ident, "password": case.password, "name": "Schema Thesis"},
            timeout=30,
        )
        assert r.status_code in (200, 201), r.text
    if case.account is not None:
        table, column, values = case.account
        engine = sa.create_engine(f"sqlite:///{db_file}")
        try:
            with engine.begin() as conn:
                t = sa.Table(table, sa.MetaData(), autoload_with=conn)
                where = t.c[column] == ident if ident else sa.true()
                row = conn.execute(sa.select(t.c[column]).where(where).limit(1)).first()
                assert row is not None, f"no {table} row to sign in with"
                ident = str(row[0])
                hashed = bcrypt.hashpw(case.password.encode(), bcrypt.gensalt(4)).decode()
                changes = {"password_hash": hashed, **{k: v for k, v in values.items() if k in t.c}}
                conn.execute(sa.update(t).where(t.c[column] == ident).values(**changes))
        finally:
            engine.dispose()
    r = httpx.post(f"{base}{case.login}", json={ident_field: ident, "password": case.password}, timeout=30)
    assert r.status_code == 200, r.text
    token = find_token(r.json())
    assert token, r.text
    return token


@pytest.mark.parametrize("key", list(CASES))
def test_schemathesis_finds_only_known_document_gaps(key: str, tmp_path: Path) -> None:
    case = CASES[key]
    specs = specs_for(key)
    out = tmp_path / "out"
    build_backend(specs, out)
    spec = api.load(specs).spec
    doc, _ = api.openapi(spec)
    schema_file = tmp_path / "openapi.json"
    schema_file.write_text(
        json.dumps({k: v for k, v in doc.items() if not k.startswith("x-")}), encoding="utf-8"
    )
    prepared = prepare(out)
    if case.fake_rows:
        rdb.seed(out, None, fake=case.fake_rows, seed=1)
    with running(prepared, {"RATE_LIMITS": "false", "BCRYPT_ROUNDS": "4"}) as root:
        base = root + spec.info.base_path
        token = prepare_account(case, out / "app.db", base)
        cmd = [
            str(Path(sys.executable).parent / "st"),
            "run",
            str(schema_file),
            "--url",
            base,
            "--checks",
            CHECKS,
            "--mode",
            "positive",
            "--phases",
            "examples,fuzzing",
            "--generation-deterministic",
            "-n",
            "25",
            "-H",
            f"Authorization: Bearer {token}",
        ]
        result = subprocess.run(
            cmd, capture_output=True, text=True, timeout=900, cwd=tmp_path
        )  # st keeps its replay db in cwd
    report = result.stdout + result.stderr
    (tmp_path / "st-report.txt").write_text(report, encoding="utf-8")
    assert "API Operations" in report, report[-3000:]
    found = failures(report)
    listing = "\n".join(sorted(f"{op}: {check}" for op, check in found))
    assert found <= case.known, f"new failures:\n{listing}\n" + report[-6000:]
    assert not case.known - found, "listed failures no longer happen; remove them: " + repr(
        sorted(case.known - found)
    )
