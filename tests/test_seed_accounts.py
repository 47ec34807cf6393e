"""Generated test accounts (emit.seed_accounts, db.seeding): one development login per documented role
when a credential table holds no account to log in as; none when the docs' sample users carry
passwords. Emitted deterministically, loaded after the docs' rows with their required columns filled
(foreign keys to the first parent row), idempotently, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from roundtrip import db
from roundtrip.api import load
from roundtrip.db.runtime import load_models, make_engine, normalize_url
from roundtrip.emit.app import emit_app
from roundtrip.emit.seed import SEED_PATH, build_seed, emit_seed
from roundtrip.emit.seed_accounts import DEV_PASSWORD, account_domain, generated_accounts
from roundtrip.ir import Spec
from tests.conftest import REPO, example_dir
from tests.test_seed import generate

VERIFY = PasswordHash((BcryptHasher(), Argon2Hasher()))

# A credential table whose required tenant_id points at a table the docs may or may not fill.
DEMO = """# Demo Shop API

Base URL: `https://api.demo-shop.com/v1`

## Data Model

```sql
CREATE TABLE tenants (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name VARCHAR(100) NOT NULL
);

CREATE TABLE users (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  email VARCHAR(255) NOT NULL UNIQUE,
  password_hash VARCHAR(255) NOT NULL,
  display_name VARCHAR(80) NOT NULL,
  role VARCHAR(20) NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin')),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
```
{tenants}
## Endpoints

### POST /auth/login

Auth: public

| Field | Type | Required |
|-------|------|----------|
| email | string | yes |
| password | string | yes |

**200 OK**
```json
{{ "accessToken": "eyJ...", "refreshToken": "rt_1" }}
```
"""
TENANT_ROWS = """
```sql
INSERT INTO tenants (id, name) VALUES ('6f1c2a8e-1d2b-4c3d-8e4f-5a6b7c8d9e0f', 'Acme');
```
"""


def spec_for(key: str) -> Spec:
    return load(REPO / "specs" if key == "specs" else example_dir(key)).spec


def demo(tmp_path: Path, with_tenant: bool) -> Spec:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "api.md").write_text(
        DEMO.format(tenants=TENANT_ROWS if with_tenant else ""), encoding="utf-8"
    )
    return load(tmp_path / "docs").spec



def rows(out: Path, url: str | None, table: str) -> list[dict[str, object]]:
    engine = make_engine(normalize_url(url, out))
    t = load_models(out).Base.metadata.tables[table]
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns)).mappings()]
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# which accounts
# ---------------------------------------------------------------------------------------------


def test_library_gets_its_login_example_member_and_one_staff_account_per_role() -> None:
    accounts = generated_accounts(spec_for("library"))
    assert [(a.table, a.role, a.method, a.path) for a in accounts] == [
        ("members", "member", "POST", "/auth/member-login"),
        ("staff", "librarian", "POST", "/auth/staff-login"),
        ("staff", "admin", "POST", "/auth/staff-login"),
    ]
    member, librarian, admin = accounts
    # the docs' own member-login example signs in as documented (technical/backend-spec.md:449)
    assert member.body == {"cardNumber": "21234000582113", "password": "correct-horse-battery"}
    assert member.from_example == "technical/backend-spec.md:449"
    assert (
        member.values["card_number"] == "21234000582113"
        and member.values["email"] == "member@riverbendlibrary.test"
    )
    assert librarian.body == {"email": "librarian@riverbendlibrary.test", "password": DEV_PASSWORD}
    assert admin.values == {
        "email": "admin@riverbendlibrary.test",
        "role": "admin",
        "password_hash": DEV_PASSWORD,
    }


def test_exams_gets_one_account_per_role_of_its_users_table() -> None:
    accounts = generated_accounts(spec_for("exams"))
    assert [(a.role, a.login) for a in accounts] == [
        ("admin", "admin@examora.test"),
        ("instructor", "instructor@examora.test"),
        ("student", "student@examora.test"),
    ]
    assert all(a.password == DEV_PASSWORD and a.path == "/auth/login" for a in accounts)


@pytest.mark.parametrize("key", ["specs", "taskboard", "bookings"])
def test_docs_with_password_bearing_sample_users_get_no_generated_accounts(key: str) -> None:
    spec = spec_for(key)
    assert generated_accounts(spec) == []
    assert "test_accounts" not in build_seed(spec)[0]


def test_the_domain_is_reserved_and_named_after_the_product(tmp_path: Path) -> None:
    assert account_domain(spec_for("library")) == "riverbendlibrary.test"  # https://api.riverbendlibrary.org
    assert account_domain(spec_for("exams")) == "examora.test"  # no servers: the title
    assert account_domain(demo(tmp_path, False)) == "demo-shop.test"


def test_seed_file_lists_accounts_apart_from_the_docs_rows_and_deterministically() -> None:
    spec = spec_for("library")
    first, again = emit_seed(spec)[SEED_PATH], emit_seed(spec_for("library"))[SEED_PATH]
    assert first == again
    doc = json.loads(first)
    # the docs' rows and the rows of their GET examples; the member account is example row 58211 (it holds the
    # login example's card number), the staff accounts are apart from the tables
    assert {t["table"]: len(t["rows"]) for t in doc["tables"]} == {"branches": 3, "members": 1, "books": 1, "copies": 2}
    section = doc["test_accounts"]
    assert "no account with a known password in members, staff" in section["description"]
    staff = section["accounts"][1]
    assert staff["hashed"] == ["password_hash"] and staff["hash"] == {
        "password_hash": {"algorithm": "bcrypt", "rounds": 12}
    }
    assert staff["login"] == {
        "method": "POST",
        "path": "/auth/staff-login",
        "body": {"email": "librarian@riverbendlibrary.test", "password": DEV_PASSWORD},
    }


def test_generated_readme_lists_the_generated_accounts() -> None:
    readme = emit_app(spec_for("library"))["README.md"]
    assert "Generated test accounts: the docs hold no account to log in as in members, staff" in readme
    assert (
        "| librarian | staff | `POST /api/v1/auth/staff-login` with email `librarian@riverbendlibrary.test` |"
        in readme
    )
    assert "`correct-horse-battery` (the docs' login example, technical/backend-spec.md:449)" in readme
    assert "register one through the API" not in readme


# ---------------------------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_library_accounts_load_complete_hashed_and_once(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_url") if dialect == "postgresql" else None
    out = generate(spec_for("library"), tmp_path / "out")
    db.upgrade(out, url)
    report = db.seed(out, url)
    assert report.accounts == {"members": 0, "staff": 2}  # the member account is the docs' member row
    assert "generated test accounts: staff 2" in str(report)
    (member,) = rows(out, url, "members")
    branches = rows(out, url, "branches")
    # GET /members/me's example (technical/backend-spec.md:515) with the login example's password
    assert (member["id"], member["card_number"], member["home_branch_id"]) == (58211, "21234000582113", branches[1]["id"])
    assert (member["first_name"], member["last_name"], str(member["membership_expires_at"])) == ("Grace", "Okonkwo", "2027-03-01")
    assert VERIFY.verify("correct-horse-battery", str(member["password_hash"]))
    staff = rows(out, url, "staff")
    assert [(s["email"], s["role"], s["branch_id"]) for s in staff] == [
        ("librarian@riverbendlibrary.test", "librarian", branches[0]["id"]),
        ("admin@riverbendlibrary.test", "admin", branches[0]["id"]),
    ]
    assert all(
        str(s["password_hash"]).startswith("$2b$12$") and VERIFY.verify(DEV_PASSWORD, str(s["password_hash"]))
        for s in staff
    )
    again = db.seed(out, url)
    assert not any(again.accounts.values()) and len(rows(out, url, "staff")) == 2


def test_filled_columns_are_the_same_on_every_load(tmp_path: Path) -> None:
    out = generate(spec_for("library"), tmp_path / "out")
    loaded = []
    for name in ("a.db", "b.db"):
        url = f"sqlite:///{tmp_path / name}"
        db.upgrade(out, url)
        db.seed(out, url)
        loaded.append(
            [
                {k: v for k, v in r.items() if k not in ("password_hash", "created_at", "updated_at")}
                for r in rows(out, url, "members")
            ]
        )
    assert loaded[0] == loaded[1]


def test_an_account_whose_parent_table_is_empty_is_left_out_with_a_note(tmp_path: Path) -> None:
    out = generate(demo(tmp_path, with_tenant=False), tmp_path / "out")
    db.upgrade(out, None)
    report = db.seed(out, None)
    assert report.accounts == {"users": 0}
    assert "generated test account users (member) left out: no tenants row to point at" in str(report)
    assert rows(out, None, "users") == []


def test_an_account_points_at_the_docs_first_parent_row(tmp_path: Path) -> None:
    out = generate(demo(tmp_path, with_tenant=True), tmp_path / "out")
    db.upgrade(out, None)
    assert db.seed(out, None).accounts == {"users": 2}
    users = rows(out, None, "users")
    assert {(u["email"], u["role"], str(u["tenant_id"])) for u in users} == {
        ("member@demo-shop.test", "member", "6f1c2a8e-1d2b-4c3d-8e4f-5a6b7c8d9e0f"),
        ("admin@demo-shop.test", "admin", "6f1c2a8e-1d2b-4c3d-8e4f-5a6b7c8d9e0f"),
    }
    assert all(u["display_name"] for u in users)
