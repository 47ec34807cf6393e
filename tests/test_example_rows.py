"""Seed rows from the docs' GET response examples (emit.seed_examples) for tables without sample rows,
natural keys learnt from a create's request/response pair, generated accounts that are example rows, and
creates that name a referenced row by a unique column (emit.app_lookups, appkit.lookups).

The library documents no sample rows but branches; its GET examples show book 4412 with copies 90871 and
90872 and member 58211, and its checkout `POST /loans {"barcode", "cardNumber"}` answers `copyId: 90871`.
A small Shelf doc set exercises each rule on its own: list envelopes, merging by key, child arrays,
computed fields, left-out rows with notes, load-time filling of what an example does not give."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

import roundtrip.emit.seed as seed_module
from roundtrip import db
from roundtrip.api import load
from roundtrip.db.runtime import load_models, make_engine, normalize_url
from roundtrip.diagnostics import Severity
from roundtrip.emit.app_lookups import natural_keys
from roundtrip.emit.seed import SEED_PATH, build_seed, emit_seed, seed_notes
from roundtrip.emit.seed_examples import example_rows
from roundtrip.ir import Spec
from roundtrip.serve import Prepared
from tests.conftest import REPO, example_dir
from tests.test_seed import generate
from tests.test_serve_accounts import library, sign_in  # noqa: F401 - library is a fixture

SHELF = """# Shelf API

Base URL: `https://api.shelf.example/v1`

## Data Model

```sql
CREATE TABLE shelves (
  id INTEGER PRIMARY KEY,
  name VARCHAR(40) NOT NULL UNIQUE,
  code CHAR(4) NOT NULL UNIQUE CHECK (code ~ '^S[0-9]{3}$'),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  shelf_id INTEGER NOT NULL REFERENCES shelves(id),
  tag CHAR(7) NOT NULL UNIQUE CHECK (tag ~ '^T[0-9]{6}$'),
  title VARCHAR(20) NOT NULL,
  kind VARCHAR(10) NOT NULL CHECK (kind IN ('book', 'dvd'))
);

CREATE TABLE loans (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES items(id),
  borrower VARCHAR(40) NOT NULL
);
```

## Endpoints

### GET /shelves

Auth: public

**200 OK**
```json
{ "data": [ { "id": 1, "name": "North", "itemCount": 2 }, { "id": 2, "name": "North" }, { "id": 3, "name": "South" } ], "total": 3 }
```

### GET /shelves/{shelfId}

Auth: public

**200 OK**
```json
{
  "id": 1,
  "name": "North",
  "code": "S001",
  "items": [
    { "id": 10, "tag": "T000010", "title": "Dune", "kind": "book", "onLoan": true },
    { "id": 11, "title": "Alien", "kind": "dvd" },
    { "id": 14, "title": "Heat", "kind": "dvd" }
  ]
}
```

### GET /items

Auth: public

**200 OK**
```json
{ "data": [ { "id": 12, "shelfId": 99, "tag": "T000012", "title": "Orphan", "kind": "book" }, { "id": 13, "shelfId": 1, "tag": "T000013", "title": "A title far too long for its column", "kind": "book" } ] }
```

### POST /items

Auth: public

| Field | Type | Required |
|-------|------|----------|
| shelfId | integer | yes |
| tag | string | yes |
| title | string | yes |
| kind | string | yes |

**201 Created**
```json
{ "id": 77, "shelfId": 1, "tag": "T000077", "title": "Created", "kind": "book" }
```

### POST /loans

Auth: public

| Field | Type | Required |
|-------|------|----------|
| tag | string | yes |
| borrower | string | yes |

```json
{ "tag": "T000011", "borrower": "Ann" }
```

**201 Created**
```json
{ "id": 500, "itemId": 11, "borrower": "Ann" }
```

Errors: `404 ITEM_NOT_FOUND`
"""


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Spec:
    docs = tmp_path_factory.mktemp("shelf") / "docs"
    docs.mkdir()
    (docs / "api.md").write_text(SHELF, encoding="utf-8")
    return load(docs).spec


def library_spec() -> Spec:
    return load(example_dir("library")).spec


def seeded(spec: Spec) -> dict[str, list[dict[str, object]]]:
    doc = json.loads(emit_seed(spec)[SEED_PATH])
    return {t["table"]: t["rows"] for t in doc["tables"]}


def by_id(rows: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {r["values"]["id"]: r for r in rows}  # type: ignore[index]



def table_rows(out: Path, url: str | None, table: str) -> dict[object, dict[str, object]]:
    engine = make_engine(normalize_url(url, out))
    t = load_models(out).Base.metadata.tables[table]
    try:
        with engine.connect() as conn:
            return {r["id"]: dict(r) for r in conn.execute(sa.select(t)).mappings()}
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# the library: its examples as rows
# ---------------------------------------------------------------------------------------------


def test_library_seed_holds_the_book_its_copies_and_the_member_of_its_examples() -> None:
    rows = seeded(library_spec())
    (book,) = rows["books"]
    assert book["values"]["id"] == 4412 and book["values"]["title"] == "The Midnight Library"
    assert book["example"] == "GET /books/{bookId}" and book["source"] == "technical/backend-spec.md:609"
    # the fuller GET /books/{bookId} object wins over the list item (its `-L.jpg` cover, its publisher)
    assert book["values"]["publisher"] == "Viking" and book["values"]["cover_url"].endswith("-L.jpg")
    assert "availability" not in json.dumps(book) and "waiting_holds" not in book["values"]
    copies = by_id(rows["copies"])
    assert set(copies) == {90871, 90872}
    assert all(c["values"]["book_id"] == 4412 for c in copies.values())  # the parent's key
    # learnt from POST /loans: request `barcode` 31234001047725, response `copyId` 90871
    assert copies[90871]["values"]["barcode"] == "31234001047725" and "barcode" not in copies[90872]["values"]
    assert "due_at" not in copies[90871]["values"]  # a copy summary's computed field
    (member,) = rows["members"]
    assert member["values"]["id"] == 58211 and member["values"]["card_number"] == "21234000582113"
    assert member["hashed"] == ["password_hash"] and member["values"]["password_hash"] == "correct-horse-battery"
    assert {"loans", "holds", "fines"}.isdisjoint(rows)  # POST responses are no rows; the fine's loan is missing


def test_the_member_account_is_the_example_member() -> None:
    doc, _ = build_seed(library_spec())
    member = next(a for a in doc["test_accounts"]["accounts"] if a["table"] == "members")
    assert member["row"] == "technical/backend-spec.md:515"
    assert member["values"] == {"card_number": "21234000582113", "password_hash": "correct-horse-battery"}


def test_the_fine_whose_loan_no_example_shows_is_left_out_with_a_note() -> None:
    notes = seed_notes(library_spec())
    assert [(d.code, d.severity, str(d.span)) for d in notes] == [("RT215", Severity.INFO, "technical/backend-spec.md:750")]
    assert "fines (id 51877)" in notes[0].message and "loan_id 731002 names no loans row" in notes[0].message


@pytest.mark.parametrize("key", ["specs", "taskboard"])
def test_sets_whose_tables_all_have_sample_rows_get_the_same_seed(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = load(REPO / "specs" if key == "specs" else example_dir(key)).spec
    assert example_rows(spec, {r.table for r in spec.samples}) == ({}, [])
    with_examples = emit_seed(spec)
    monkeypatch.setattr(seed_module, "example_rows", lambda spec, sampled: ({}, []))
    assert emit_seed(spec) == with_examples
    if key == "specs":  # what the committed backend was generated with
        assert with_examples[SEED_PATH] == (REPO / "generated" / SEED_PATH).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# the rules, one by one (Shelf)
# ---------------------------------------------------------------------------------------------


def test_list_items_and_get_objects_merge_by_key_with_their_child_rows(shelf: Spec) -> None:
    rows = seeded(shelf)
    shelves = by_id(rows["shelves"])
    assert set(shelves) == {1, 3}  # shelf 2 repeats North's unique name
    assert shelves[1]["values"] == {"id": 1, "name": "North", "code": "S001"}  # `itemCount` is no column
    assert shelves[1]["source"] == "api.md:45" and shelves[3]["source"] == "api.md:36"
    items = by_id(rows["items"])
    assert set(items) == {10, 11, 14}  # 12's shelf does not exist, 13's title is too long; POST /items' 77 is no row
    assert {i["values"]["shelf_id"] for i in items.values()} == {1}
    assert "on_loan" not in items[10]["values"]
    assert items[11]["values"]["tag"] == "T000011"  # POST /loans sent tag T000011 and answered itemId 11
    assert "tag" not in items[14]["values"] and "loans" not in rows


def test_rows_left_out_are_noted_at_their_example(shelf: Spec) -> None:
    notes = {(d.span.line, d.message) for d in seed_notes(shelf)}
    assert all(d.severity is Severity.INFO for d in seed_notes(shelf))
    text = "\n".join(f"{line}: {m}" for line, m in sorted(notes))
    assert "36: example row for shelves (id 2) left out of the seed data: its name North is the row's at api.md:45 too" in text
    assert "63: example row for items (id 12) left out of the seed data: its shelf_id 99 names no shelves row" in text
    assert "63: example row for items (id 13) left out of the seed data: column title (varchar(20))" in text


def test_natural_keys_of_a_create(shelf: Spec) -> None:
    loans = shelf.table("loans")
    assert loans is not None
    assert natural_keys(shelf, loans, "POST", "/loans", {}) == [
        {"field": "tag", "column": "item_id", "table": "items", "key": "tag", "ref": "id", "code": "ITEM_NOT_FOUND", "message": "Item not found"}
    ]
    lib = library_spec()
    checkout = natural_keys(lib, lib.table("loans"), "POST", "/loans", {})  # type: ignore[arg-type]
    assert [(k["field"], k["column"], k["table"], k["key"], k["code"]) for k in checkout] == [
        ("barcode", "copy_id", "copies", "barcode", "COPY_NOT_FOUND"),
        ("cardNumber", "member_id", "members", "card_number", "MEMBER_NOT_FOUND"),
    ]
    items = shelf.table("items")
    assert items is not None and natural_keys(shelf, items, "POST", "/items", {}) == []  # every field is a column


def test_loading_fills_what_examples_do_not_give_uniquely_and_the_same_every_time(shelf: Spec, tmp_path: Path) -> None:
    out = generate(shelf, tmp_path / "out")
    loads = []
    for name in ("a.db", "b.db"):
        url = f"sqlite:///{tmp_path / name}"
        db.upgrade(out, url)
        report = db.seed(out, url)
        assert report.examples == {"shelves": 2, "items": 3} and not report.notes
        loads.append((table_rows(out, url, "shelves"), table_rows(out, url, "items")))
        again = db.seed(out, url)
        assert not again.examples and again.skipped == {"shelves": 2, "items": 3}
    shelves, items = loads[0]
    assert re.fullmatch(r"S[0-9]{3}", str(shelves[3]["code"])) and shelves[3]["code"] != "S001"
    assert re.fullmatch(r"T[0-9]{6}", str(items[14]["tag"])) and items[14]["tag"] not in ("T000010", "T000011")
    assert items[11]["tag"] == "T000011"
    strip = [({k: {c: v for c, v in r.items() if c != "created_at"} for k, r in s.items()}, i) for s, i in loads]
    assert strip[0] == strip[1]


def test_an_example_row_the_database_refuses_is_a_note_not_a_failed_load(shelf: Spec, tmp_path: Path) -> None:
    out = generate(shelf, tmp_path / "out")
    seed_file = out / SEED_PATH
    doc = json.loads(seed_file.read_text(encoding="utf-8"))
    items = next(t for t in doc["tables"] if t["table"] == "items")
    dup = {"id": 15, "shelf_id": 1, "tag": "T000010", "title": "Twin", "kind": "book"}  # item 10's tag
    items["rows"].append({"source": "api.md:1", "example": "GET /items", "values": dup})
    seed_file.write_text(json.dumps(doc), encoding="utf-8")
    db.upgrade(out, None)
    report = db.seed(out, None)
    assert report.examples == {"shelves": 2, "items": 3}
    assert any(n.startswith("example row for items (api.md:1, GET /items) left out: the database refused it") for n in report.notes)
    assert 15 not in table_rows(out, None, "items")


# ---------------------------------------------------------------------------------------------
# the library app: checkout by barcode and card number
# ---------------------------------------------------------------------------------------------



def test_the_member_account_signs_in_as_member_58211(library: tuple[Prepared, httpx.Client]) -> None:  # noqa: F811 - the fixture
    p, client = library
    r = client.get("/members/me", headers=sign_in(p, client, "member"))
    assert r.status_code == 200 and (r.json()["id"], r.json()["firstName"]) == (58211, "Grace"), r.text
    assert p.accounts == []  # example rows are not listed as the docs' own seeded accounts
    r = client.get("/books/4412")
    assert r.status_code == 200 and r.json()["title"] == "The Midnight Library", r.text


def test_a_checkout_names_its_copy_by_barcode_and_its_member_by_card(library: tuple[Prepared, httpx.Client]) -> None:  # noqa: F811 - the fixture
    p, client = library
    staff = sign_in(p, client, "librarian")
    r = client.post("/loans", json={"barcode": "39999999999999", "cardNumber": "21234000582113"}, headers=staff)
    assert r.status_code == 404 and r.json()["error"]["code"] == "COPY_NOT_FOUND", r.text
    r = client.post("/loans", json={"barcode": "31234001047725", "cardNumber": "29999999999999"}, headers=staff)
    assert r.status_code == 404 and r.json()["error"]["code"] == "MEMBER_NOT_FOUND", r.text
    r = client.post("/loans", json={"barcode": "31234001047725", "cardNumber": "21234000582113"}, headers=staff)
    assert r.status_code == 201, r.text
    # the found rows' keys; the checkout branch follows from the copy (derive_references)
    assert (r.json()["copyId"], r.json()["memberId"], r.json()["branchId"]) == (90871, 58211, 1), r.text
