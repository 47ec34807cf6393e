"""Body fields only some roles may send, fields that default to the caller, and columns the app fills with the caller.

    #### POST /holds
    Auth: member (self) or librarian/admin (with `memberId`)
    | memberId | integer | staff only | defaults to caller |

The Required cell names who may send the field ("staff only" → the staff table's roles, librarian and admin);
the field is optional; a member who sends another member's id gets the documented 403, their own id is fine (it is
what the app fills for them anyway). `POST /loans` by a librarian records who checked the copy out
(`loans.checked_out_by` → staff, "staff id"). A synthetic helpdesk doc shows the same with other words.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from roundtrip import api
from roundtrip.emit.app import emit_app
from roundtrip.readers.api_fields import says_caller_default, sender_words, without_caller_clause
from roundtrip.serve import Prepared, prepare
from tests.conftest import example_dir
from tests.test_app_generate import import_app

# ---------------------------------------------------------------- the reader's vocabulary


@pytest.mark.parametrize(("cell", "words"), [
    ("staff only", ("staff",)),
    ("admin only", ("admin",)),
    ("Admin-only", ("admin",)),
    ("librarian/admin", ("librarian", "admin")),
    ("only for admins", ("admins",)),
    ("No (owner or admin only)", ("owner", "admin")),
    ("yes", ()), ("no", ()), ("yes/no", ()), ("conditional", ()), ("Required, unique", ()),
    ("only if `type` is card", ()),  # a condition, not roles
    ("read-only", ()), ("response only", ()), ("create only", ()),  # when, not who
])
def test_required_cells_that_name_who_may_send(cell: str, words: tuple[str, ...]) -> None:
    assert sender_words(cell) == words


@pytest.mark.parametrize(("text", "caller"), [
    ("defaults to caller", True),
    ("defaults to the current user", True),
    ("Default: the signed-in member", True),
    ("the caller's own id", True),
    ("Defaults to the authenticated user's id", True),
    ("defaults to 0", False),
    ("default now", False),
    ("defaults to your plan", False),
])
def test_caller_default_phrases(text: str, caller: bool) -> None:
    assert says_caller_default(text) is caller


def test_the_caller_clause_leaves_the_description() -> None:
    assert without_caller_clause("Assignee; defaults to the current user") == "Assignee"
    assert without_caller_clause("Assignee (defaults to caller)") == "Assignee"
    assert without_caller_clause("Defaults to the current user. Must be active.") == "Must be active."


# ---------------------------------------------------------------- the library: compiled model


@pytest.fixture(scope="module")
def library() -> Any:
    return api.load(example_dir("library"))


def _field(result: Any, key: str, name: str) -> Any:
    ep = next(e for e in result.spec.endpoints if e.key == key)
    return next(f for f in ep.request.type.fields if f.name == name)


def test_library_member_id_is_staff_only_and_defaults_to_the_caller(library: Any) -> None:
    f = _field(library, "POST /holds", "memberId")
    # "staff" is a kind of account (the staff table): the roles of its role column
    assert f.sent_by == ("librarian", "admin") and f.caller_default and not f.required
    doc, problems = api.openapi(library.spec)
    assert problems == []
    body = doc["paths"]["/holds"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema = doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert "memberId" in schema["properties"] and "memberId" not in schema.get("required", [])
    assert set(schema["required"]) == {"bookId", "pickupBranchId"}
    # who may send it is part of the compiled contract too, as the app model has it
    assert doc["paths"]["/holds"]["post"]["x-roles-fields"] == [{"roles": ["librarian", "admin"], "fields": ["memberId"], "only": True}]


def test_library_app_model(library: Any) -> None:
    ops = json.loads(emit_app(library.spec)["app/api_model.json"])["operations"]
    assert ops["postHolds"]["field_roles"] == [{"roles": ["librarian", "admin"], "fields": ["memberId"], "only": True}]
    assert ops["postHolds"]["caller_columns"] == ["member_id"]
    # who checked the copy out: the one column of loans that records who acted (member_id is the owner, and a
    # natural-key lookup of `cardNumber` fills it)
    assert ops["postLoans"]["caller_columns"] == ["checked_out_by"]
    assert "caller_columns" not in ops["postBooks"]


# ---------------------------------------------------------------- the library app, in process


def _app(specs: Path, cache: Path) -> tuple[Prepared, TestClient]:
    p = prepare(specs, cache_root=cache)
    return p, TestClient(import_app(p.out, {"RATE_LIMITS": "false"}), base_url="http://testserver" + p.base_path)


def _sign_in(c: TestClient, p: Prepared, role: str) -> dict[str, str]:
    account = next(a for a in p.test_accounts if a["role"] == role)
    r = c.post(account["login"]["path"], json=account["login"]["body"])
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['accessToken']}"}


def _subject(headers: dict[str, str]) -> str:
    return str(jwt.decode(headers["Authorization"].split()[1], options={"verify_signature": False})["sub"])


@pytest.fixture(scope="module")
def library_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Prepared, TestClient]]:
    p, client = _app(example_dir("library"), tmp_path_factory.mktemp("caller-library"))
    with client:
        yield p, client


def test_library_holds_member_id_per_role(library_app: tuple[Prepared, TestClient]) -> None:
    p, c = library_app
    member, staff = _sign_in(c, p, "member"), _sign_in(c, p, "librarian")
    me = c.get("/members/me", headers=member).json()["id"]
    ada = c.post("/members", headers=staff, json={"firstName": "Ada", "lastName": "King", "dateOfBirth": "1990-12-10",
                                                   "homeBranchId": 1, "password": "Member2025x"})
    assert ada.status_code == 201, ada.text
    other = ada.json()["id"]
    book = c.post("/books", headers=staff, json={"title": "Piranesi", "authors": ["Susanna Clarke"]})
    assert book.status_code == 201, book.text
    second = book.json()["id"]

    # a member may not place a hold for someone else: the documented 403, nothing written
    r = c.post("/holds", headers=member, json={"bookId": 4412, "pickupBranchId": 1, "memberId": other})
    assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN", r.text
    assert "memberId" in json.dumps(r.json()["error"]["details"])  # the field, in the docs' details shape
    # leaving it out: the hold is theirs
    r = c.post("/holds", headers=member, json={"bookId": 4412, "pickupBranchId": 1})
    assert r.status_code == 201 and r.json()["memberId"] == me, r.text
    # naming themself is what the app fills anyway
    r = c.post("/holds", headers=member, json={"bookId": second, "pickupBranchId": 1, "memberId": me})
    assert r.status_code == 201 and r.json()["memberId"] == me, r.text
    # staff name the member
    r = c.post("/holds", headers=staff, json={"bookId": 4412, "pickupBranchId": 2, "memberId": other})
    assert r.status_code == 201 and r.json()["memberId"] == other, r.text
    # a librarian is no member: without memberId the hold names nobody (400, never the librarian's own id)
    r = c.post("/holds", headers=staff, json={"bookId": second, "pickupBranchId": 2})
    assert r.status_code == 400 and "memberId" in r.text, r.text


def test_library_loan_records_the_librarian_who_checked_it_out(library_app: tuple[Prepared, TestClient]) -> None:
    p, c = library_app
    member, staff = _sign_in(c, p, "member"), _sign_in(c, p, "librarian")
    card = c.get("/members/me", headers=member).json()["cardNumber"]
    book = c.post("/books", headers=staff, json={"title": "Circe", "authors": ["Madeline Miller"]}).json()["id"]
    copy = c.post(f"/books/{book}/copies", headers=staff, json={"barcode": "31234009990001", "branchId": 1,
                                                                "callNumber": "FIC MILLER"})
    assert copy.status_code == 201, copy.text
    r = c.post("/loans", headers=staff, json={"barcode": "31234009990001", "cardNumber": card})
    assert r.status_code == 201, r.text
    assert str(r.json()["checkedOutBy"]) == _subject(staff)  # the librarian's staff id, not null
    assert r.json()["memberId"] == c.get("/members/me", headers=member).json()["id"]  # from the card, not the caller


# ---------------------------------------------------------------- the same construct in other words

_HELPDESK = """# Helpdesk API

## Data model

```sql
CREATE TABLE users (
  id SERIAL PRIMARY KEY,
  email VARCHAR(255) NOT NULL UNIQUE,
  password_hash VARCHAR(255) NOT NULL,
  role VARCHAR(20) NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'admin'))
);

CREATE TABLE tickets (
  id SERIAL PRIMARY KEY,
  title VARCHAR(200) NOT NULL,
  priority VARCHAR(10) NOT NULL DEFAULT 'normal',
  assignee_id INTEGER NOT NULL REFERENCES users(id)
);

CREATE TABLE ticket_notes (
  id SERIAL PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  body TEXT NOT NULL,
  posted_by INTEGER REFERENCES users(id),
  reviewed_by INTEGER REFERENCES users(id),
  reviewed_at TIMESTAMP NULL
);
```

## Endpoints

#### POST /auth/login
Auth: public

| Field | Type | Required |
|-------|------|----------|
| email | string | yes |
| password | string | yes |

**200 OK**
```json
{ "accessToken": "eyJ", "user": { "id": 1, "email": "ada@example.com", "role": "agent" } }
```

#### POST /tickets
Auth: agent or admin

| Field | Type | Required | Description |
|-------|------|----------|-------------|
| title | string | yes | Short summary |
| assigneeId | integer | admin only | The agent working on it; defaults to the current user |
| priority | string | staff only | `low`, `normal` or `high` |

**201 Created**
```json
{ "id": 7, "title": "Printer on fire", "priority": "normal", "assigneeId": 1 }
```

#### POST /tickets/{ticketId}/notes
Auth: agent or admin

| Field | Type | Required |
|-------|------|----------|
| body | string | yes |

**201 Created**
```json
{ "id": 3, "ticketId": 7, "body": "Called the user", "postedBy": 1, "reviewedBy": null, "reviewedAt": null }
```
"""


@pytest.fixture(scope="module")
def helpdesk_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root: Path = tmp_path_factory.mktemp("helpdesk")
    (root / "api.md").write_text(_HELPDESK, encoding="utf-8")
    return root


def test_other_words_compile_the_same_way(helpdesk_docs: Path) -> None:
    result = api.load(helpdesk_docs)
    assignee = _field(result, "POST /tickets", "assigneeId")
    assert assignee.sent_by == ("admin",) and assignee.caller_default and not assignee.required
    assert assignee.description == "The agent working on it"  # the caller clause is held as caller_default
    # "staff" names no role or account here (agent, admin in a users table): a diagnostic, and no guessed roles
    priority = _field(result, "POST /tickets", "priority")
    assert priority.sent_by == () and not priority.required
    found = [d for d in result.diagnostics if d.code == "RT110" and "`staff`" in d.message]
    row = next(i for i, line in enumerate(_HELPDESK.splitlines(), 1) if line.startswith("| priority"))
    assert len(found) == 1 and found[0].span.line == row, found
    ops = json.loads(emit_app(result.spec)["app/api_model.json"])["operations"]
    create = next(op for op in ops.values() if op["method"] == "POST" and op["path"] == "/tickets")
    assert create["field_roles"] == [{"roles": ["admin"], "fields": ["assigneeId"], "only": True}]
    assert create["caller_columns"] == ["assignee_id"]
    notes = next(op for op in ops.values() if op["method"] == "POST" and op["path"] == "/tickets/{ticketId}/notes")
    # posted_by records who acted; reviewed_by happens later (a nullable reviewed_at beside it)
    assert notes["caller_columns"] == ["posted_by"]


def test_other_words_in_the_app(helpdesk_docs: Path, tmp_path: Path) -> None:
    p, client = _app(helpdesk_docs, tmp_path)
    with client as c:
        agent, admin = _sign_in(c, p, "agent"), _sign_in(c, p, "admin")
        agent_id, admin_id = int(_subject(agent)), int(_subject(admin))
        r = c.post("/tickets", headers=agent, json={"title": "Printer on fire"})
        assert r.status_code == 201 and r.json()["assigneeId"] == agent_id, r.text  # defaults to the current user
        ticket = r.json()["id"]
        r = c.post("/tickets", headers=agent, json={"title": "Toner", "assigneeId": admin_id})
        assert r.status_code == 403, r.text  # admin only
        r = c.post("/tickets", headers=agent, json={"title": "Toner", "assigneeId": agent_id})
        assert r.status_code == 201, r.text  # their own id: what the app fills anyway
        r = c.post("/tickets", headers=admin, json={"title": "Paper", "assigneeId": agent_id})
        assert r.status_code == 201 and r.json()["assigneeId"] == agent_id, r.text
        r = c.post("/tickets", headers=agent, json={"title": "Fan", "priority": "high"})
        assert r.status_code == 201, r.text  # "staff only" named no role: left open, not guessed
        r = c.post(f"/tickets/{ticket}/notes", headers=admin, json={"body": "Called the user"})
        assert r.status_code == 201, r.text
        assert r.json()["postedBy"] == admin_id and r.json()["reviewedBy"] is None, r.text


def test_a_kind_of_account_without_roles_is_its_kind(tmp_path: Path) -> None:
    """"members only" where members is an account table with no role column: the caller's kind (`member`), the way
    the app matches a caller by its table; "users only" names the users table's roles."""
    (tmp_path / "api.md").write_text("""# API

```sql
CREATE TABLE members (id SERIAL PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, password_hash TEXT NOT NULL);
CREATE TABLE users (id SERIAL PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, password_hash TEXT NOT NULL,
  role VARCHAR(10) NOT NULL CHECK (role IN ('clerk', 'boss')));
CREATE TABLE orders (id SERIAL PRIMARY KEY, note TEXT, member_id INTEGER REFERENCES members(id),
  rush BOOLEAN NOT NULL DEFAULT FALSE);
```

#### POST /orders
Auth: required

| Field | Type | Required |
|-------|------|----------|
| note | string | members only |
| rush | boolean | only for users |
""", encoding="utf-8")
    result = api.load(tmp_path)
    assert _field(result, "POST /orders", "note").sent_by == ("member",)
    assert _field(result, "POST /orders", "rush").sent_by == ("clerk", "boss")
