"""Seed data: the docs' sample rows emitted in foreign-key order with values converted to column
types, loaded by `roundtrip.db.seed` on SQLite and PostgreSQL with exact row counts, hashing where
the docs hash, idempotently, all-or-nothing on a bad row; plus deterministic `--fake` rows."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from roundtrip import db
from roundtrip.api import load
from roundtrip.db.fake import check_rules, from_regex
from roundtrip.db.runtime import load_models, make_engine, normalize_url
from roundtrip.diagnostics import Severity
from roundtrip.emit.migrations import emit_alembic
from roundtrip.emit.seed import SEED_PATH, build_seed, convert, emit_seed, seed_notes
from roundtrip.emit.sqlalchemy_models import emit_models
from roundtrip.ir import CheckConstraint, Column, Kind, SampleRow, Spec, Table, TypeRef
from roundtrip.source import Span
from roundtrip.writer import is_generated
from tests.conftest import EXAMPLE_SETS, REPO, example_dir

SETS = [*sorted(EXAMPLE_SETS), "specs"]

# Sample rows per table, counted by hand in the docs.
EXPECTED = {
    "taskboard": {"tenants": 2, "users": 5, "refresh_tokens": 1, "projects": 3, "tasks": 5, "labels": 4, "task_labels": 5, "comments": 3},
    "exams": {},
    "bookings": {"users": 3, "workspaces": 1, "workspace_members": 3, "rooms": 4, "bookings": 4},
    "library": {"branches": 3},
    "specs": {"users": 4, "refresh_tokens": 2, "ingredients": 6, "recipes": 2, "recipe_ingredients": 6, "reviews": 3},
}
# Generated test accounts (emit.seed_accounts): one per role where the docs hold no account to log in as.
# exams: users has no sample rows (roles admin, instructor, student); library: staff (librarian, admin), its
# member account being the example row below that holds the login example's card. The other sets' sample
# users carry passwords: nothing is generated.
GENERATED = {"exams": {"users": 3}, "library": {"staff": 2}}
# Rows from GET response examples (emit.seed_examples) for tables the docs give no sample rows: the library's
# member 58211 (its member account), book 4412 and its copies 90871, 90872.
FROM_EXAMPLES = {"library": {"members": 1, "books": 1, "copies": 2}}


def spec_for(key: str) -> Spec:
    return load(REPO / "specs" if key == "specs" else example_dir(key)).spec


def generate(spec: Spec, out: Path) -> Path:
    for rel, content in {**emit_models(spec), **emit_alembic(spec), **emit_seed(spec)}.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return out



def counts(out: Path, url: str | None) -> dict[str, int]:
    md = load_models(out).Base.metadata
    engine = make_engine(normalize_url(url, out))
    try:
        with engine.connect() as conn:
            return {t: conn.execute(sa.select(sa.func.count()).select_from(md.tables[t])).scalar_one() for t in md.tables}
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# emitting
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", SETS)
def test_seed_file_has_the_docs_rows_in_fk_order(key: str) -> None:
    spec = spec_for(key)
    doc = json.loads(emit_seed(spec)[SEED_PATH])
    assert doc["x-generated-by"] == "roundtrip"
    seeded = {**EXPECTED[key], **FROM_EXAMPLES.get(key, {})}
    assert {t["table"]: len(t["rows"]) for t in doc["tables"]} == seeded
    seen: list[str] = []
    for entry in doc["tables"]:
        table = spec.table(entry["table"])
        assert table is not None
        for fk in table.foreign_keys:
            if fk.ref_table != table.name and fk.ref_table in seeded:
                assert fk.ref_table in seen, f"{entry['table']} is seeded before {fk.ref_table}"
        seen.append(entry["table"])
    # only example rows that cannot be seeded are noted (info: the library's fine for a loan no example shows)
    assert [d for d in seed_notes(spec) if d.severity > Severity.INFO] == []
    assert emit_seed(spec) == emit_seed(spec_for(key))


def test_values_are_converted_to_column_types() -> None:
    doc, _ = build_seed(spec_for("taskboard"))
    tenants = next(t for t in doc["tables"] if t["table"] == "tenants")
    row = tenants["rows"][0]["values"]
    assert row["created_at"] == "2025-02-10T09:12:44+00:00"
    assert tenants["columns"]["created_at"] == "datetime-tz" and tenants["rows"][0]["source"] == "DATA_MODEL.md:90"
    tasks = next(t for t in doc["tables"] if t["table"] == "tasks")
    assert tasks["rows"][0]["values"]["position"] == 1000.0 and tasks["rows"][0]["values"]["due_date"] == "2025-02-21"
    lib, _ = build_seed(spec_for("library"))
    hours = lib["tables"][0]["rows"][0]["values"]["opening_hours"]
    assert hours["mon"] == "09:00-20:00"  # JSON text parsed into a document


def test_hashed_columns_keep_plain_text_and_the_docs_algorithm() -> None:
    doc, _ = build_seed(spec_for("bookings"))
    users = doc["tables"][0]
    assert users["table"] == "users"
    assert users["hash"] == {"password_hash": {"algorithm": "bcrypt", "rounds": 12}}
    assert all(r["values"]["password_hash"] == "Password123" and r["hashed"] == ["password_hash"] for r in users["rows"])


def test_convert_rejects_values_the_column_cannot_hold() -> None:
    assert convert("2025-02-10 09:12:44+00", TypeRef(Kind.DATETIME, timezone=True)) == "2025-02-10T09:12:44+00:00"
    assert convert("2025-02-10T08:00:00Z", TypeRef(Kind.DATETIME, timezone=True)) == "2025-02-10T08:00:00+00:00"
    assert convert("12.5", TypeRef(Kind.DECIMAL, precision=8, scale=2)) == "12.50"
    assert convert("{a,\"b c\"}", TypeRef(Kind.ARRAY, items=TypeRef(Kind.STRING))) == ["a", "b c"]
    assert convert("1", TypeRef(Kind.BOOLEAN)) is True
    spec = Spec(
        tables=(Table("t", (Column("id", TypeRef(Kind.UUID), primary_key=True), Column("n", TypeRef(Kind.INTEGER)), Column("s", TypeRef(Kind.STRING, length=3))), primary_key=("id",)),),
        samples=(
            SampleRow("t", (("id", "not-a-uuid"), ("n", "x"), ("s", "long"), ("ghost", 1)), span=Span("DATA_MODEL.md", 40)),
            SampleRow("nowhere", (("id", 1),), span=Span("DATA_MODEL.md", 50)),
        ),
    )
    notes = seed_notes(spec)
    assert [(d.code, d.span.line) for d in notes] == [("RT215", 40)] * 4 + [("RT215", 50)]
    text = " | ".join(d.message for d in notes)
    assert "is not a UUID" in text and "is not an integer" in text and "holds 3" in text and "'ghost'" in text and "table nowhere" in text


def test_seed_file_is_recognized_as_generated(tmp_path: Path) -> None:
    out = generate(spec_for("library"), tmp_path)
    assert is_generated(out / SEED_PATH)


# ---------------------------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------------------------


def _load_and_check(key: str, out: Path, url: str | None) -> None:
    db.upgrade(out, url)
    report = db.seed(out, url)
    examples = FROM_EXAMPLES.get(key, {})
    assert {t: n for t, n in report.inserted.items() if n or t in EXPECTED[key]} == EXPECTED[key]
    assert report.examples == examples
    assert {t: n for t, n in report.accounts.items() if n} == GENERATED.get(key, {})
    got = counts(out, url)
    assert {t: n for t, n in got.items() if n} == dict(Counter(EXPECTED[key]) + Counter(GENERATED.get(key, {})) + Counter(examples))
    again = db.seed(out, url)
    assert sum(again.inserted.values()) == 0 and not any(again.accounts.values()) and not again.examples
    assert again.skipped == {**EXPECTED[key], **examples}
    assert counts(out, url) == got


@pytest.mark.parametrize("key", SETS)
def test_seed_loads_exactly_the_docs_rows_on_sqlite(key: str, tmp_path: Path) -> None:
    out = generate(spec_for(key), tmp_path / "out")
    _load_and_check(key, out, None)


@pytest.mark.parametrize("key", SETS)
def test_seed_loads_exactly_the_docs_rows_on_postgres(key: str, tmp_path: Path, pg_url: str) -> None:
    out = generate(spec_for(key), tmp_path / "out")
    _load_and_check(key, out, pg_url)


def test_seeded_password_is_a_bcrypt_hash_that_verifies(tmp_path: Path, pg_url: str) -> None:
    from pwdlib import PasswordHash
    from pwdlib.hashers.bcrypt import BcryptHasher

    out = generate(spec_for("bookings"), tmp_path / "out")
    db.upgrade(out, pg_url)
    db.seed(out, pg_url)
    with psycopg.connect(pg_url) as conn:
        hashes = [r[0] for r in conn.execute("SELECT password_hash FROM users ORDER BY email")]
        amenities = conn.execute("SELECT amenities FROM rooms WHERE name = 'Spree'").fetchone()
        cancelled = conn.execute("SELECT cancelled_at FROM bookings WHERE status = 'cancelled'").fetchone()
    assert len(hashes) == 3 and all(h.startswith("$2b$12$") for h in hashes)
    assert PasswordHash((BcryptHasher(),)).verify("Password123", hashes[0])
    assert amenities is not None and amenities[0] == ["display", "video_conferencing", "whiteboard"]
    assert cancelled is not None and cancelled[0].isoformat() == "2025-02-07T16:20:00+00:00"


def _bad_spec() -> Spec:
    t = Table(
        "items",
        (Column("id", TypeRef(Kind.INTEGER), nullable=False, primary_key=True), Column("qty", TypeRef(Kind.INTEGER), nullable=False)),
        primary_key=("id",),
        checks=(CheckConstraint("qty > 0", columns=("qty",)),),
        span=Span("DATA_MODEL.md", 3),
    )
    rows = (
        SampleRow("items", (("id", 1), ("qty", 5)), span=Span("DATA_MODEL.md", 20)),
        SampleRow("items", (("id", 2), ("qty", -1)), span=Span("DATA_MODEL.md", 21)),
    )
    return Spec(tables=(t,), samples=rows, files=("DATA_MODEL.md",))


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_row_violating_the_docs_constraints_names_its_line_and_seeds_nothing(dialect: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("pg_url") if dialect == "postgresql" else None
    out = generate(_bad_spec(), tmp_path / "out")
    db.upgrade(out, url)
    with pytest.raises(db.DbError) as err:
        db.seed(out, url)
    assert err.value.table == "items" and err.value.span == Span("DATA_MODEL.md", 21)
    assert str(err.value).startswith("DATA_MODEL.md:21: sample row for items was rejected") and "check" in str(err.value).lower()
    assert counts(out, url) == {"items": 0}


def test_dangling_foreign_key_is_rejected_on_sqlite(tmp_path: Path) -> None:
    spec = spec_for("bookings")
    bad = replace(spec.samples[-1], values=tuple((k, "00000000-0000-4000-8000-000000000000" if k == "room_id" else v) for k, v in spec.samples[-1].values))
    out = generate(replace(spec, samples=(*spec.samples[:-1], bad)), tmp_path / "out")
    db.upgrade(out, None)
    with pytest.raises(db.DbError, match="FOREIGN KEY"):
        db.seed(out, None)
    assert sum(counts(out, None).values()) == 0


def test_seed_before_upgrade_is_a_clear_error(tmp_path: Path) -> None:
    out = generate(spec_for("library"), tmp_path / "out")
    with pytest.raises(db.DbError, match="db upgrade"):
        db.seed(out, None)


# ---------------------------------------------------------------------------------------------
# fake rows
# ---------------------------------------------------------------------------------------------


def test_regex_generator_matches() -> None:
    import random
    import re

    rng = random.Random(3)
    for pattern in (r"^[A-Z]{2,6}$", r"^#[0-9A-Fa-f]{6}$", r"^97[89][0-9]{10}$", r"^(foo|bar)-\d+$"):
        for _ in range(20):
            assert re.search(pattern, from_regex(pattern, rng)), pattern


def test_check_rules_are_read_from_sql(tmp_path: Path) -> None:
    out = generate(spec_for("taskboard"), tmp_path / "out")
    md = load_models(out).Base.metadata
    projects = check_rules(md.tables["projects"])
    assert projects["key"].pattern == "^[A-Z]{2,6}$" and projects["status"].choices == ["active", "archived"]
    assert projects["description"].max_len == 2000
    comments = check_rules(md.tables["comments"])
    assert (comments["body"].min_len, comments["body"].max_len) == (1, 5000)


@pytest.mark.parametrize("key", SETS)
def test_fake_rows_satisfy_every_constraint_and_are_deterministic(key: str, tmp_path: Path, pg_url: str) -> None:
    out = generate(spec_for(key), tmp_path / "out")
    db.upgrade(out, pg_url)
    report = db.seed(out, pg_url, fake=15, seed=7)
    tables = [t.name for t in spec_for(key).tables if t.columns]
    assert set(report.fake) == set(tables)
    assert all(n >= 10 for n in report.fake.values()), report.fake
    got = Counter(counts(out, pg_url))
    for t in tables:
        docs = EXPECTED[key].get(t, 0) + FROM_EXAMPLES.get(key, {}).get(t, 0)
        assert got[t] == docs + GENERATED.get(key, {}).get(t, 0) + report.fake[t]
    # same seed, same database state: the same rows (SQLite twice, from scratch). Columns the
    # database fills itself (now(), hashes of sample passwords) are left out of the comparison.
    md = load_models(out).Base.metadata
    dumps = []
    for path in (tmp_path / "a.db", tmp_path / "b.db"):
        url = f"sqlite:///{path}"
        db.upgrade(out, url)
        db.seed(out, url, fake=5, seed=11)
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            dump = {}
            for t in tables:
                cols = [c for c in md.tables[t].columns if c.server_default is None and "hash" not in c.name]
                dump[t] = sorted(repr(tuple(r)) for r in conn.execute(sa.select(*cols)))
            dumps.append(dump)
        engine.dispose()
    assert dumps[0] == dumps[1] and all(len(rows) >= 5 for rows in dumps[0].values())


def _all_docs() -> list[Path]:
    from tests.conftest import EXAMPLES, corpus_files

    docs = list(corpus_files())
    if EXAMPLES.is_dir():
        docs += sorted(EXAMPLES.rglob("*.md"))
    return docs


@pytest.mark.parametrize("doc", _all_docs(), ids=lambda p: p.name)
def test_seed_emitter_never_crashes(doc: Path) -> None:
    spec = load(doc).spec
    doc_json = json.loads(emit_seed(spec)[SEED_PATH])
    # every row is a sample row of the docs, or marked as one a response example shows (emit.seed_examples)
    assert sum(1 for t in doc_json["tables"] for r in t["rows"] if "example" not in r) <= len(spec.samples)
    assert all(d.code == "RT215" and d.span.line > 0 for d in seed_notes(spec))
