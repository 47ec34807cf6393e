"""Action endpoints change the row as their response text says (emit.app_actions `updates`, appkit.actions).

    #### POST /loans/{loanId}/renew
    Auth: member (own loan) or librarian/admin · **200 OK** — `Loan` with new `dueAt` (today + loan period) and
    incremented `renewalCount`.
    Errors: `404 LOAN_NOT_FOUND` · `409 LOAN_NOT_ACTIVE` · `422 RENEWAL_LIMIT_REACHED` · `422 HOLDS_WAITING` · …

"renew" is no status value, yet the text states two updates: `due_at` = now + the docs' Loan period (its
duration picked by the book's format, as on checkout) and `renewal_count` + 1. The row must still be `active`
(the status default, named by LOAN_NOT_ACTIVE) and `renewal_count` stops at 2 (`CHECK (renewal_count <= 2)`)
with the code naming it (RENEWAL_LIMIT_REACHED). A Rent doc says the same in other words.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from roundtrip import api
from roundtrip.emit.app_model import build_model
from roundtrip.serve import Prepared, build_backend, prepare
from tests.conftest import example_dir
from tests.test_app_e2e import TIMEOUT, backend, error_code
from tests.test_app_generate import import_app
from tests.test_serve_accounts import library, sign_in  # noqa: F401 - library is a fixture

DAY = 86400

RENT = """# Rent API

Base URL: `https://api.rent.example/v1`

## Data Model

```sql
CREATE TABLE rentals (
  id SERIAL PRIMARY KEY,
  customer VARCHAR(40) NOT NULL,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  ends_at TIMESTAMPTZ NOT NULL,
  extension_count INTEGER NOT NULL DEFAULT 0 CHECK (extension_count BETWEEN 0 AND 1),
  state VARCHAR(10) NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed'))
);
```

```typescript
interface Rental {
  id: number;
  customer: string;
  startedAt: string;
  endsAt: string;
  extensionCount: number;
  state: string;
}
```

## Policies

| Policy | Value |
|--------|-------|
| Rental term | 3 days |

## Endpoints

### POST /rentals

Auth: public

| Field | Type | Required |
|-------|------|----------|
| customer | string | yes |

**201 Created**
```json
{ "id": 5, "customer": "Ann", "startedAt": "2025-05-02T15:12:40Z", "endsAt": "2025-05-05T15:12:40Z", "extensionCount": 0, "state": "open" }
```

### POST /rentals/{id}/close

Auth: public

**200 OK** — `Rental`

### POST /rentals/{id}/extend

Auth: public

**200 OK** — `Rental` with new `endsAt` (today + rental term), `extensionCount` incremented.

Errors: `404 RENTAL_NOT_FOUND` · `409 RENTAL_NOT_OPEN` · `422 MAX_EXTENSIONS_EXCEEDED` · `422 CAR_RECALLED`
"""


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def operation(model: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return next(op for op in model["operations"].values() if (op["method"], op["path"]) == (method, path))


def model_of(docs: Path) -> dict[str, Any]:
    spec = api.load(docs).spec
    doc, _ = api.openapi(spec)
    return build_model(spec, doc)


@pytest.fixture(scope="module")
def rent_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    docs = tmp_path_factory.mktemp("rent-actions") / "docs"
    docs.mkdir()
    (docs / "api.md").write_text(RENT, encoding="utf-8")
    return docs


# ---------------------------------------------------------------- the app model


def test_renew_states_its_updates_and_the_checks_the_docs_tie() -> None:
    renew = operation(model_of(example_dir("library")), "POST", "/loans/{loanId}/renew")
    action = renew["action"]
    assert "column" not in action, "renew is no status value: nothing is set to it"
    due, count = action["updates"]
    assert (due["column"], due["period"]["anchor"], due["period"]["seconds"]) == ("due_at", None, 21 * DAY)
    # the duration is chosen as on checkout: by the copy's book's format
    assert due["period"]["by"]["via"] == [["copy_id", "copies", "id"], ["book_id", "books", "id"]]
    assert count == {"column": "renewal_count", "add": 1}
    assert action["require"] == {"column": "status", "value": "active", "status": 409, "code": "LOAN_NOT_ACTIVE",
                                 "message": "Loan not active"}
    (limit,) = action["limits"]
    assert (limit["column"], limit["max"], limit["status"], limit["code"]) == ("renewal_count", 2, 422, "RENEWAL_LIMIT_REACHED")


def test_other_words_state_the_same_updates(rent_docs: Path) -> None:
    action = operation(model_of(rent_docs), "POST", "/rentals/{id}/extend")["action"]
    ends, count = action["updates"]
    assert (ends["column"], ends["period"]["seconds"]) == ("ends_at", 3 * DAY)
    assert count == {"column": "extension_count", "add": 1}
    assert (action["require"]["column"], action["require"]["value"], action["require"]["code"]) == ("state", "open", "RENTAL_NOT_OPEN")
    assert [(lim["max"], lim["code"]) for lim in action["limits"]] == [(1, "MAX_EXTENSIONS_EXCEEDED")]


@pytest.mark.parametrize(("sentence", "updates"), [
    ("`endsAt` set to now + 2 weeks and increments `extensionCount`.", [("ends_at", 14 * DAY, None), ("extension_count", 1, None)]),
    ("`endsAt` extended by the rental term; `extensionCount` + 1.", [("ends_at", 3 * DAY, "ends_at"), ("extension_count", 1, None)]),
    # not fields of the row, or a period of nothing here: nothing
    ("new `returnBy` (today + rental term) and incremented `visits`.", []),
    ("`Rental` with new `endsAt` (today + grace period).", []),
    ("incremented `customer`.", []),
])
def test_phrasings(tmp_path: Path, sentence: str, updates: list[tuple[str, int, str | None]]) -> None:
    text = RENT.replace("`Rental` with new `endsAt` (today + rental term), `extensionCount` incremented.", sentence)
    (tmp_path / "api.md").write_text(text, encoding="utf-8")
    action = operation(model_of(tmp_path), "POST", "/rentals/{id}/extend").get("action") or {}
    got = [(u["column"], u["period"]["seconds"] if "period" in u else u["add"], u["period"]["anchor"] if "period" in u else None)
           for u in action.get("updates") or []]
    assert got == updates


def test_codes_that_do_not_name_the_state_or_the_counter_leave_their_checks_out(tmp_path: Path) -> None:
    text = RENT.replace("`409 RENTAL_NOT_OPEN` · `422 MAX_EXTENSIONS_EXCEEDED`", "`409 CONFLICT` · `422 LIMIT_REACHED`")
    (tmp_path / "api.md").write_text(text, encoding="utf-8")
    action = operation(model_of(tmp_path), "POST", "/rentals/{id}/extend")["action"]
    assert len(action["updates"]) == 2 and "require" not in action and "limits" not in action


# ---------------------------------------------------------------- the generated apps


def test_a_member_renews_their_loan_until_the_limit(library: tuple[Prepared, httpx.Client]) -> None:  # noqa: F811 - the fixture
    p, client = library
    staff, member = sign_in(p, client, "librarian"), sign_in(p, client, "member")
    # barcode 31234001047725 is copy 90871 of book 4412, a `book`: 21 days; card 21234000582113 is the test member
    r = client.post("/loans", json={"barcode": "31234001047725", "cardNumber": "21234000582113"}, headers=staff)
    assert r.status_code == 201, r.text
    loan = r.json()
    assert loan["renewalCount"] == 0
    for count in (1, 2):
        r = client.post(f"/loans/{loan['id']}/renew", headers=member)
        assert r.status_code == 200, r.text
        renewed = r.json()
        assert renewed["renewalCount"] == count and renewed["id"] == loan["id"] and renewed["status"] == "active"
        due = instant(renewed["dueAt"]) - dt.datetime.now(dt.UTC)
        assert abs(due - dt.timedelta(days=21)) < dt.timedelta(minutes=1), renewed
    r = client.post(f"/loans/{loan['id']}/renew", headers=member)
    assert r.status_code == 422 and error_code(r.json()) == "RENEWAL_LIMIT_REACHED", r.text
    r = client.post(f"/loans/{loan['id']}/renew", headers=staff)  # staff may renew any loan, within the same limit
    assert r.status_code == 422 and error_code(r.json()) == "RENEWAL_LIMIT_REACHED", r.text
    # another member may not renew it
    card, password = other_member(client, staff)
    r = client.post("/auth/member-login", json={"cardNumber": card, "password": password})
    assert r.status_code == 200, r.text
    other = {"Authorization": f"Bearer {r.json()['accessToken']}"}
    r = client.post(f"/loans/{loan['id']}/renew", headers=other)
    assert r.status_code in (403, 404), r.text
    r = client.post("/loans/999999999/renew", headers=staff)
    assert r.status_code == 404 and error_code(r.json()) == "LOAN_NOT_FOUND", r.text


def other_member(client: httpx.Client, staff: dict[str, str]) -> tuple[str, str]:
    password = "another-horse-battery"
    r = client.post("/members", headers=staff, json={
        "firstName": "Ines", "lastName": "Ruiz", "email": f"ines.{uuid.uuid4().hex[:6]}@example.com",
        "dateOfBirth": "1990-04-01", "homeBranchId": 1, "password": password,
    })
    assert r.status_code == 201, r.text
    return r.json()["cardNumber"], password


@pytest.fixture(scope="module")
def rent_app(rent_docs: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    out: Path = tmp_path_factory.mktemp("rent-app") / "out"
    build_backend(rent_docs, out)
    prepare(out)
    with TestClient(import_app(out, {"RATE_LIMITS": "false"}), base_url="http://testserver/v1") as client:
        yield client


def test_an_extension_in_other_words(rent_app: TestClient) -> None:
    walk_rent(rent_app)


def test_an_extension_on_postgresql(rent_docs: Path, tmp_path: Path) -> None:
    with backend(rent_docs, tmp_path, "postgresql") as base, httpx.Client(base_url=base + "/v1", timeout=TIMEOUT) as c:
        walk_rent(c)


def walk_rent(rent_app: httpx.Client | TestClient) -> None:
    r = rent_app.post("/rentals", json={"customer": "Ann"})
    assert r.status_code == 201, r.text
    rental = r.json()
    r = rent_app.post(f"/rentals/{rental['id']}/extend")
    assert r.status_code == 200, r.text
    extended = r.json()
    assert extended["extensionCount"] == 1
    assert abs(instant(extended["endsAt"]) - dt.datetime.now(dt.UTC) - dt.timedelta(days=3)) < dt.timedelta(minutes=1)
    r = rent_app.post(f"/rentals/{rental['id']}/extend")
    assert r.status_code == 422 and error_code(r.json()) == "MAX_EXTENSIONS_EXCEEDED", r.text
    # a closed rental (`close` sets state `closed`) is no longer `open`: the code naming that state
    r = rent_app.post("/rentals", json={"customer": "Bo"})
    assert r.status_code == 201, r.text
    closed = rent_app.post(f"/rentals/{r.json()['id']}/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed", closed.text
    r = rent_app.post(f"/rentals/{r.json()['id']}/extend")
    assert r.status_code == 409 and error_code(r.json()) == "RENTAL_NOT_OPEN", r.text
