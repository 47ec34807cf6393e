"""SQLite's triggers standing in for PostgreSQL exclusion constraints (roundtrip/emit/sqlite_exclusions.py):
they refuse exactly the rows PostgreSQL's EXCLUDE would, with PostgreSQL's range rules."""

from __future__ import annotations

import sqlite3

import pytest

from roundtrip import api
from roundtrip.emit.sa_view import build_view
from roundtrip.emit.sqlalchemy_models import model_notes
from roundtrip.emit.sqlite_exclusions import sqlite_exclusion, trigger_steps
from roundtrip.ir import Spec
from tests.conftest import example_dir

COLUMNS = ["id", "room_id", "lo", "hi", "status"]


def _db(elements: list[tuple[str, str]], where: str = "") -> sqlite3.Connection:
    ex = sqlite_exclusion("slots", "excl_slots", elements, where, "postgres", COLUMNS)
    assert not ex.reason and len(ex.statements) == 2
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE slots (id INTEGER PRIMARY KEY, room_id INT, lo INT, hi INT, status TEXT)")
    for sql in ex.statements:
        con.execute(sql)
    return con


def _accepts(con: sqlite3.Connection, *row: object) -> bool:
    try:
        con.execute("INSERT INTO slots (room_id, lo, hi, status) VALUES (?, ?, ?, ?)", row)
    except sqlite3.IntegrityError as err:
        assert "exclusion constraint excl_slots" in str(err)
        return False
    return True


def test_half_open_ranges_touch_without_overlapping() -> None:
    con = _db([("room_id", "="), ("int4range(lo, hi)", "&&")], "status = 'confirmed'")
    assert _accepts(con, 1, 10, 20, "confirmed")
    assert not _accepts(con, 1, 15, 25, "confirmed")  # overlaps
    assert not _accepts(con, 1, 12, 13, "confirmed")  # inside
    assert _accepts(con, 1, 20, 30, "confirmed")  # [10,20) and [20,30) touch
    assert _accepts(con, 2, 15, 25, "confirmed")  # another room
    assert _accepts(con, 1, 15, 25, "cancelled")  # the WHERE leaves it out
    assert _accepts(con, 1, 5, 5, "confirmed")  # [5,5) is empty: overlaps nothing
    # an update that would overlap is refused; one that keeps the row where it is is not (it is not its own rival)
    assert con.execute("UPDATE slots SET hi = 20 WHERE lo = 10").rowcount == 1
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("UPDATE slots SET status = 'confirmed' WHERE status = 'cancelled'")


def test_closed_bounds_and_unbounded_ends() -> None:
    con = _db([("room_id", "="), ("int4range(lo, hi, '[]')", "&&")])
    assert _accepts(con, 1, 10, 20, "x")
    assert not _accepts(con, 1, 20, 30, "x")  # [10,20] and [20,30] share 20
    assert _accepts(con, 1, 21, None, "x")  # [21, ∞)
    assert not _accepts(con, 1, 1000, 1001, "x")  # inside [21, ∞)
    assert _accepts(con, 1, None, 0, "x")  # (-∞, 0] overlaps nothing yet
    assert not _accepts(con, 1, None, 5, "x")  # (-∞, 5] meets (-∞, 0]


def test_what_has_no_trigger_form_says_why() -> None:
    assert "operator" in sqlite_exclusion("t", "x", [("room_id", "<>")], "", "postgres", COLUMNS).reason
    assert "range" in sqlite_exclusion("t", "x", [("during", "&&")], "", "postgres", COLUMNS).reason


def test_triggers_follow_the_constraint_between_revisions() -> None:
    a = sqlite_exclusion("slots", "excl_slots", [("room_id", "=")], "", "postgres", COLUMNS)
    b = sqlite_exclusion("slots", "excl_slots", [("room_id", "="), ("int4range(lo, hi)", "&&")], "", "postgres", COLUMNS)
    assert trigger_steps([a], [a], old_dropped=False) == []
    assert trigger_steps([a], [b], old_dropped=False) == [
        'DROP TRIGGER IF EXISTS "excl_slots_insert"',
        'DROP TRIGGER IF EXISTS "excl_slots_update"',
        *b.statements,
    ]
    assert trigger_steps([a], [a], old_dropped=True) == list(a.statements)  # rebuilt table: created again


def _spec(key: str) -> Spec:
    return api.load(example_dir(key)).spec


def test_bookings_overlap_constraint_gets_triggers_and_no_note() -> None:
    spec = _spec("bookings")
    (ex,) = next(t for t in build_view(spec).tables if t.name == "bookings").exclusions
    assert ex.sqlite.names == ("excl_bookings_no_overlap_insert", "excl_bookings_no_overlap_update")
    assert not [d for d in model_notes(spec) if "exclusion" in d.message]
