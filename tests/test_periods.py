"""Periods stated as rules fill dates on create (readers.prose_periods, resolve.periods, emit.app_periods,
appkit.periods).

The library's circulation rules say

    | Loan period | 21 days (`book`, `large_print`, `audiobook`); 7 days (`dvd`, `magazine`) |
    | Hold pickup window | 7 days from `readyAt` |

so a checkout's `dueAt` is the checkout moment plus 21 days for a copy of a `book`-format title (7 for a
DVD), found through loans.copy_id → copies.book_id → books.format; the pickup window ends `pickup_by`,
counted from `ready_at` (empty when a hold is placed, so a new hold gets no pickup date). A small Rent doc
states the same construct in other words: `| Policy | Value |`, a term, a lifetime, a bullet.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from roundtrip.api import load
from roundtrip.diagnostics import Severity, Sink
from roundtrip.emit.app_model import build_model
from roundtrip.emit.markdown import render_docs
from roundtrip.emit.openapi import build_openapi
from roundtrip.ir import Period, PeriodOption, Spec
from roundtrip.readers import read_path
from roundtrip.readers.prose_periods import parse_period_value
from roundtrip.serve import Prepared
from tests.conftest import example_dir
from tests.test_app_e2e import TIMEOUT, backend
from tests.test_serve_accounts import library, sign_in  # noqa: F401 - library is a fixture

DAY = 86400

RENT = """# Rent API

Base URL: `https://api.rent.example/v1`

## Data Model

```sql
CREATE TABLE cars (
  id INTEGER PRIMARY KEY,
  plate VARCHAR(10) NOT NULL UNIQUE,
  category VARCHAR(10) NOT NULL CHECK (category IN ('economy', 'van'))
);

CREATE TABLE rentals (
  id INTEGER PRIMARY KEY,
  car_id INTEGER NOT NULL REFERENCES cars(id),
  customer VARCHAR(40) NOT NULL,
  rented_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  return_by TIMESTAMPTZ NOT NULL,
  returned_at TIMESTAMPTZ
);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  client VARCHAR(10) NOT NULL,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  valid_until TIMESTAMPTZ NOT NULL
);

CREATE TABLE offers (
  id INTEGER PRIMARY KEY,
  title VARCHAR(40) NOT NULL,
  opens_at TIMESTAMPTZ NOT NULL,
  closes_at TIMESTAMPTZ NOT NULL,
  archived_at TIMESTAMPTZ
);
```

## Policies

| Policy | Value |
|--------|-------|
| Rental term | 3 days (`economy`); 1 day (`van`) |
| Session lifetime | 12 hours |
| Archive retention period | 90 days |
| Grace period | 3 days after the due date |
| Max rental duration | 30 days |
| Access token lifetime | 15 minutes |

- Offer window: 2 weeks from `opensAt`

## Endpoints

### POST /cars

Auth: public

| Field | Type | Required |
|-------|------|----------|
| plate | string | yes |
| category | string | yes |

**201 Created**
```json
{ "id": 1, "plate": "B-RT-1", "category": "van" }
```

### POST /rentals

Auth: public

| Field | Type | Required |
|-------|------|----------|
| carId | integer | yes |
| customer | string | yes |

**201 Created**
```json
{ "id": 5, "carId": 1, "customer": "Ann", "rentedAt": "2025-05-02T15:12:40Z", "returnBy": "2025-05-05T15:12:40Z", "returnedAt": null }
```

### POST /sessions

Auth: public

| Field | Type | Required |
|-------|------|----------|
| client | string | yes |

**201 Created**
```json
{ "id": 9, "client": "web", "startedAt": "2025-05-02T15:12:40Z", "validUntil": "2025-05-03T03:12:40Z" }
```

### POST /offers

Auth: public

| Field | Type | Required |
|-------|------|----------|
| title | string | yes |
| opensAt | string | yes |

**201 Created**
```json
{ "id": 3, "title": "Spring", "opensAt": "2025-05-02T00:00:00Z", "closesAt": "2025-05-16T00:00:00Z", "archivedAt": null }
```
"""


@pytest.fixture(scope="module")
def rent_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    docs = tmp_path_factory.mktemp("rent") / "docs"
    docs.mkdir()
    (docs / "api.md").write_text(RENT, encoding="utf-8")
    return docs


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def line_of(start: str) -> int:
    return next(n for n, line in enumerate(RENT.splitlines(), 1) if line.startswith(start))


def tied(spec: Spec) -> dict[str, Period]:
    return {p.name: p for p in spec.periods}


# ---------------------------------------------------------------- reader


def test_the_library_rules_table_states_two_periods() -> None:
    facts = read_path(example_dir("library"), Sink())
    loan, pickup = facts.periods
    assert (loan.entity, loan.name, loan.anchor, loan.span.line) == ("Loan", "Loan period", "", 203)
    assert loan.options == (PeriodOption(21 * DAY, ("book", "large_print", "audiobook"), "21 days"),
                            PeriodOption(7 * DAY, ("dvd", "magazine"), "7 days"))
    assert (pickup.entity, pickup.name, pickup.anchor, pickup.span.line) == ("Hold pickup", "Hold pickup window", "readyAt", 209)
    assert pickup.options == (PeriodOption(7 * DAY, (), "7 days"),)


@pytest.mark.parametrize(("value", "seconds", "values", "anchor"), [
    ("2 weeks", [14 * DAY], [()], ""),
    ("48 hours", [48 * 3600], [()], ""),
    ("30 min", [1800], [()], ""),
    ("two weeks", [14 * DAY], [()], ""),
    ("7 days for `dvd`, `magazine`; 21 days otherwise", [7 * DAY, 21 * DAY], [("dvd", "magazine"), ()], ""),
    ("21 days (book, large print)", [21 * DAY], [("book", "large print")], ""),
    ("30 days from creation", [30 * DAY], [()], ""),
    ("7 days from `readyAt`", [7 * DAY], [()], "readyAt"),
])
def test_period_values(value: str, seconds: list[int], values: list[tuple[str, ...]], anchor: str) -> None:
    parsed = parse_period_value(value)
    assert parsed is not None
    options, found_anchor = parsed
    assert [o.seconds for o in options] == seconds and [o.values for o in options] == values and found_anchor == anchor


@pytest.mark.parametrize("value", [
    "25¢/day (max $5.00 per item); DVDs $1.00/day (max $10.00)",
    "3 days after the due date",
    "Loan overdue 45 days → `lost`",
    "3 months",
    "7 days (max 2 renewals)",
    "",
])
def test_values_that_say_more_than_durations_are_left_alone(value: str) -> None:
    assert parse_period_value(value) is None


# ---------------------------------------------------------------- resolver and app model


def test_library_periods_tie_to_due_at_and_pickup_by() -> None:
    spec = load(example_dir("library")).spec
    periods = tied(spec)
    loan, pickup = periods["Loan period"], periods["Hold pickup window"]
    assert (loan.table, loan.column, loan.anchor_column) == ("loans", "due_at", "")
    assert (pickup.table, pickup.column, pickup.anchor_column) == ("holds", "pickup_by", "ready_at")
    ops = build_model(spec, build_openapi(spec))["operations"]
    checkout = next(op for op in ops.values() if (op["method"], op["path"]) == ("POST", "/loans"))
    (due,) = checkout["periods"]
    assert (due["column"], due["anchor"], due["seconds"]) == ("due_at", None, 21 * DAY)
    assert due["by"]["via"] == [["copy_id", "copies", "id"], ["book_id", "books", "id"]] and due["by"]["column"] == "format"
    assert due["by"]["options"] == [{"values": ["book", "large_print", "audiobook"], "seconds": 21 * DAY},
                                    {"values": ["dvd", "magazine"], "seconds": 7 * DAY}]


def test_other_words_tie_to_their_columns(rent_docs: Path) -> None:
    result = load(rent_docs)
    periods = tied(result.spec)
    # "Grace period … after the due date" is not understood, "Max rental duration" is a bound and an access
    # token's lifetime an auth convention: no periods
    assert set(periods) == {"Rental term", "Session lifetime", "Archive retention period", "Offer window"}
    assert result.spec.convention("auth.access_ttl_seconds") == 900
    assert (periods["Rental term"].table, periods["Rental term"].column) == ("rentals", "return_by")
    assert (periods["Session lifetime"].table, periods["Session lifetime"].column) == ("sessions", "valid_until")
    offer = periods["Offer window"]
    assert (offer.table, offer.column, offer.anchor_column, offer.options[0].seconds) == ("offers", "closes_at", "opens_at", 14 * DAY)
    # no table is named "archive": the period is left alone, with a note at its row
    assert periods["Archive retention period"].column == ""
    notes = [d for d in result.diagnostics if d.code == "RT110" and "Archive retention period" in d.message]
    assert len(notes) == 1 and notes[0].severity is Severity.INFO and notes[0].span.line == line_of("| Archive retention period")
    ops = build_model(result.spec, build_openapi(result.spec))["operations"]
    rental = next(op for op in ops.values() if (op["method"], op["path"]) == ("POST", "/rentals"))
    assert rental["periods"][0]["by"] == {"via": [["car_id", "cars", "id"]], "column": "category",
                                          "options": [{"values": ["economy"], "seconds": 3 * DAY},
                                                      {"values": ["van"], "seconds": DAY}]}


def test_a_period_sets_no_column_a_create_sends_nor_one_the_database_fills(tmp_path: Path) -> None:
    doc = RENT.replace("| client | string | yes |", "| client | string | yes |\n| validUntil | string | no |")
    (tmp_path / "api.md").write_text(doc, encoding="utf-8")
    result = load(tmp_path)
    session = tied(result.spec)["Session lifetime"]
    assert session.column == ""  # valid_until is the client's; started_at has a default
    assert any(d.code == "RT110" and "Session lifetime" in d.message for d in result.diagnostics)


# ---------------------------------------------------------------- the generated app


def test_a_checkout_is_due_after_the_loan_period_of_its_titles_format(library: tuple[Prepared, httpx.Client]) -> None:  # noqa: F811 - the fixture
    p, client = library
    staff = sign_in(p, client, "librarian")
    # barcode 31234001047725 is copy 90871 of book 4412 (the seed, test_example_rows), a `book`: 21 days
    book = client.get("/books/4412")
    assert book.status_code == 200 and book.json()["format"] == "book", book.text
    r = client.post("/loans", json={"barcode": "31234001047725", "cardNumber": "21234000582113"}, headers=staff)
    assert r.status_code == 201, r.text
    loan = r.json()
    assert loan["copyId"] == 90871, loan
    length = instant(loan["dueAt"]) - instant(loan["checkedOutAt"])
    assert abs(length - dt.timedelta(days=21)) < dt.timedelta(seconds=5), loan


def test_a_rental_term_follows_the_cars_category_and_a_window_its_anchor(rent_docs: Path, tmp_path: Path) -> None:
    with backend(rent_docs, tmp_path, "sqlite") as base, httpx.Client(base_url=base + "/v1", timeout=TIMEOUT) as c:
        van = c.post("/cars", json={"plate": "B-RT-2", "category": "van"})
        economy = c.post("/cars", json={"plate": "B-RT-3", "category": "economy"})
        assert van.status_code == 201 and economy.status_code == 201, (van.text, economy.text)
        for car, days in ((van.json()["id"], 1), (economy.json()["id"], 3)):
            r = c.post("/rentals", json={"carId": car, "customer": "Ann"})
            assert r.status_code == 201, r.text
            length = instant(r.json()["returnBy"]) - instant(r.json()["rentedAt"])
            assert abs(length - dt.timedelta(days=days)) < dt.timedelta(seconds=5), r.json()
        r = c.post("/sessions", json={"client": "web"})
        assert r.status_code == 201, r.text
        length = instant(r.json()["validUntil"]) - instant(r.json()["startedAt"])
        assert abs(length - dt.timedelta(hours=12)) < dt.timedelta(seconds=5), r.json()
        r = c.post("/offers", json={"title": "Spring", "opensAt": "2025-05-02T00:00:00Z"})
        assert r.status_code == 201, r.text
        assert instant(r.json()["closesAt"]) == instant("2025-05-16T00:00:00Z"), r.json()
        assert r.json()["archivedAt"] is None  # a nullable date no rule names stays empty



def test_canonical_docs_state_the_periods_as_a_rules_table(rent_docs: Path, tmp_path: Path) -> None:
    spec = load(rent_docs).spec
    files = render_docs(spec)
    assert "| Offer window | 2 weeks from `opensAt` |" in files["API_SPEC.md"]  # a bullet becomes a row
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert load(tmp_path).spec.periods == spec.periods
