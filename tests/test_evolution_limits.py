"""Issue 6, the known limits of migrations for changed docs (tests/fixtures/evolve_limits, see its README).

Each scenario goes through the CLI like a user, on SQLite and on PostgreSQL: generate v1, migrate
and seed, regenerate from v2 and upgrade (every seeded row keeps its values, the schema is v2's by
`db check`), then downgrade to v1's schema (by `db check` against v1) with v1's rows.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import REPO
from tests.test_evolution import VERSIONS, _execute, _rows, cli

LIMITS = REPO / "tests" / "fixtures" / "evolve_limits"
RENAMES, COMPUTED = LIMITS / "renames", LIMITS / "computed"


def _generate_pair(tmp_path: Path, pair: Path, url: str) -> tuple[Path, Path, str]:
    """v1 generated, migrated and seeded; then the docs become v2 and are generated again."""
    specs, out = tmp_path / "specs", tmp_path / "out"
    shutil.copytree(pair / "v1", specs)
    cli("generate", specs, "-o", out)
    cli("db", "upgrade", out, "--db", url, "--seed")
    shutil.rmtree(specs)
    shutil.copytree(pair / "v2", specs)
    cli("generate", specs, "-o", out)
    (revision,) = (out / VERSIONS).glob("0002_*.py")
    return specs, out, revision.read_text()


def _back_to_v1(tmp_path: Path, pair: Path, specs: Path, out: Path, url: str) -> None:
    cli("db", "downgrade", out, "--db", url, "--to", "0001")
    shutil.rmtree(specs)
    shutil.copytree(pair / "v1", specs)
    cli("db", "check", specs, "--db", url)


def _sqlite_foreign_keys_hold(path: Path) -> None:
    """Every reference resolves, and each names an existing key (a dangling column is a "mismatch" error)."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# table and column renames, redefined indexes and constraints
# ---------------------------------------------------------------------------------------------

ACCOUNTS = "SELECT id, {handle} AS handle, email, name FROM {table} ORDER BY id"
POSTS = "SELECT id, author_handle, title FROM posts ORDER BY id"


def _renames(tmp_path: Path, url: str) -> None:
    specs, out, text = _generate_pair(tmp_path, RENAMES, url)
    assert (
        'op.rename_table("accounts", "members")' in text and 'op.rename_table("members", "accounts")' in text
    )
    up = text.split("def downgrade")[0]
    # Never a drop and create: PostgreSQL alters in place, SQLite rebuilds only the renamed table itself.
    assert "drop_table" not in up.split("else:")[1] and 'drop_table("accounts")' not in up
    # SQLite renames the column in place (which rewrites posts' foreign key), then rebuilds members.
    assert text.count('op.alter_column("members", "handle", new_column_name="username")') == 2
    # Redefined under the same name: dropped before, created after (SQLite: in the rebuilt table).
    pg_up = up.split("else:")[1]
    assert pg_up.index('op.drop_index("idx_accounts_email"') < pg_up.index(
        "op.create_index('idx_accounts_email'"
    )
    assert pg_up.index('op.drop_constraint("uq_accounts_email_name"') < pg_up.index(
        'op.create_unique_constraint("uq_accounts_email_name", "members", [\'email\'])'
    )
    assert 'op.create_check_constraint("ck_accounts_name", "members", "length(name) > 1")' in pg_up
    for branch in up.split("else:"):
        assert branch.index('op.drop_index("idx_posts_title"') < branch.index(
            "op.create_index('idx_posts_title', 'posts', ['author_handle', 'title'], unique=False)"
        )
    for rule in ("RD228", "RD207", "RD229", "RD230"):
        assert f"- {rule} " in text

    v1_accounts = _rows(url, out, ACCOUNTS.format(handle="handle", table="accounts"))
    v1_posts = _rows(url, out, POSTS)
    assert len(v1_accounts) == 2 and len(v1_posts) == 2
    cli("db", "upgrade", out, "--db", url)
    cli("db", "check", specs, "--db", url)
    assert _rows(url, out, ACCOUNTS.format(handle="username", table="members")) == v1_accounts
    assert _rows(url, out, POSTS) == v1_posts

    # The foreign key to the renamed column of the renamed table still works both ways.
    if url.startswith("sqlite"):
        _sqlite_foreign_keys_hold(Path(url.removeprefix("sqlite:///")))
    else:
        with pytest.raises(sa.exc.IntegrityError):
            _execute(url, out, "INSERT INTO posts (id, author_handle, title) VALUES (3, 'nobody', 'x')")
        _execute(url, out, "DELETE FROM members WHERE username = 'alan'")  # ON DELETE CASCADE kept
        assert [r["id"] for r in _rows(url, out, POSTS)] == ["1"]
        _execute(
            url,
            out,
            "INSERT INTO members (id, username, email, name) VALUES (2, 'alan', 'alan@example.com', 'Alan')",
        )
        _execute(url, out, "INSERT INTO posts (id, author_handle, title) VALUES (2, 'alan', 'Computing')")
        # The redefined unique index and constraint are enforced under their kept names.
        with pytest.raises(sa.exc.IntegrityError):
            _execute(
                url,
                out,
                "INSERT INTO members (id, username, email, name) VALUES (3, 'x1', 'ada@example.com', 'Other')",
            )
        # A fresh database names the renamed table's constraints and sequence after it: so does the migrated one.
        names = _rows(
            url, out, "SELECT conname AS n FROM pg_constraint WHERE conrelid = 'members'::regclass ORDER BY 1"
        )
        assert [r["n"] for r in names] == [
            "ck_accounts_name",
            "members_pkey",
            "members_username_key",
            "uq_accounts_email_name",
        ]
        assert _rows(url, out, "SELECT pg_get_serial_sequence('members', 'id') AS s") == [
            {"s": "public.members_id_seq"}
        ]

    _back_to_v1(tmp_path, RENAMES, specs, out, url)
    assert _rows(url, out, ACCOUNTS.format(handle="handle", table="accounts")) == v1_accounts
    assert _rows(url, out, POSTS) == v1_posts
    if url.startswith("sqlite"):
        _sqlite_foreign_keys_hold(Path(url.removeprefix("sqlite:///")))


def test_renames_and_redefinitions_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "limits.db"
    _renames(tmp_path, f"sqlite:///{db}")
    conn = sqlite3.connect(db)
    try:  # SQLite rewrote posts' reference along with the renamed table and column, and back
        (posts_sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'posts'").fetchone()
    finally:
        conn.close()
    assert re.search(r'REFERENCES "?accounts"? ?\(handle\)', posts_sql), posts_sql


def test_renames_and_redefinitions_on_postgres(tmp_path: Path, pg_url: str) -> None:
    _renames(tmp_path, pg_url)


def test_sqlite_foreign_key_to_a_renamed_column_stays_enforced(tmp_path: Path) -> None:
    db = tmp_path / "fk.db"
    specs, out, _ = _generate_pair(tmp_path, RENAMES, f"sqlite:///{db}")
    cli("db", "upgrade", out, "--db", f"sqlite:///{db}")
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO posts (id, author_handle, title) VALUES (3, 'nobody', 'x')")
        conn.execute("INSERT INTO posts (id, author_handle, title) VALUES (3, 'ada', 'More notes')")
        conn.execute("DELETE FROM members WHERE username = 'ada'")  # ON DELETE CASCADE
        assert conn.execute("SELECT id FROM posts ORDER BY id").fetchall() == [(2,)]
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# generated columns, exclusion constraints, extensions, a rename stated in heading prose
# ---------------------------------------------------------------------------------------------

BOOKINGS = "SELECT id, room_id, price_cents, nights, total_cents, label FROM bookings ORDER BY id"


def _computed(tmp_path: Path, url: str) -> None:
    specs, out, text = _generate_pair(tmp_path, COMPUTED, url)
    assert 'op.rename_table("rooms", "venues")' in text and "- RD228 " in text
    for rule in ("RD231", "RD233"):
        assert f"- {rule} " in text
    v1 = _rows(url, out, BOOKINGS)
    assert [(r["total_cents"], r["label"]) for r in v1] == [("10000", "room 1"), ("7000", "room 2")]
    cli("db", "upgrade", out, "--db", url)
    cli("db", "check", specs, "--db", url)
    # total_cents is computed from its new expression; label kept the values it had as a generated column.
    assert [(r["total_cents"], r["label"]) for r in _rows(url, out, BOOKINGS)] == [
        ("10100", "room 1"),
        ("7100", "room 2"),
    ]
    _execute(url, out, "UPDATE bookings SET label = 'corner room' WHERE id = 1")  # now a plain column
    assert _rows(url, out, "SELECT name FROM venues ORDER BY id") == [{"name": "Blue"}, {"name": "Red"}]
    overlapping = (
        "INSERT INTO bookings (id, room_id, starts_at, ends_at, price_cents, nights) "
        "VALUES (3, 1, '2025-01-02 00:00:00+00', '2025-01-04 00:00:00+00', 100, 2)"
    )
    # the exclusion constraint holds (on SQLite through the triggers standing in for it, across the rebuild)
    with pytest.raises(sa.exc.IntegrityError, match="(?i)exclu"):
        _execute(url, out, overlapping)
    if not url.startswith("sqlite"):
        assert _rows(
            url,
            out,
            "SELECT obj_description(oid, 'pg_extension') AS d FROM pg_extension WHERE extname = 'btree_gist'",
        ) == [{"d": "created by roundtrip revision " + text.split('revision: str = "')[1].split('"')[0]}]
    _back_to_v1(tmp_path, COMPUTED, specs, out, url)
    assert [(r["total_cents"], r["label"]) for r in _rows(url, out, BOOKINGS)] == [
        ("10000", "room 1"),
        ("7000", "room 2"),
    ]
    assert _rows(url, out, "SELECT name FROM rooms ORDER BY id") == [{"name": "Blue"}, {"name": "Red"}]
    _execute(url, out, overlapping)  # v1 states no exclusion: the downgrade removed it (and SQLite's triggers)


def test_generated_columns_and_table_rename_on_sqlite(tmp_path: Path) -> None:
    _computed(tmp_path, f"sqlite:///{tmp_path / 'computed.db'}")


def test_generated_columns_exclusions_and_extensions_on_postgres(tmp_path: Path, pg_url: str) -> None:
    _computed(tmp_path, pg_url)


def _extensions(url: str, out: Path) -> list[str]:
    return [r["extname"] for r in _rows(url, out, "SELECT extname FROM pg_extension ORDER BY 1")]


def test_downgrade_drops_only_the_extension_its_upgrade_created(tmp_path: Path, pg_url: str) -> None:
    specs, out, _ = _generate_pair(tmp_path, COMPUTED, pg_url)
    cli("db", "upgrade", out, "--db", pg_url)
    assert "btree_gist" in _extensions(pg_url, out)
    cli("db", "downgrade", out, "--db", pg_url, "--to", "0001")
    assert "btree_gist" not in _extensions(pg_url, out)  # created by 0002's upgrade: gone again

    # The database had it before the upgrade (someone else's): the downgrade keeps it.
    _execute(pg_url, out, "CREATE EXTENSION btree_gist")
    cli("db", "upgrade", out, "--db", pg_url)
    cli("db", "downgrade", out, "--db", pg_url, "--to", "0001")
    assert "btree_gist" in _extensions(pg_url, out)
    _execute(pg_url, out, "DROP EXTENSION btree_gist")

    # Created by the upgrade but used by something the migrations did not make: kept, not cascaded.
    cli("db", "upgrade", out, "--db", pg_url)
    _execute(pg_url, out, "CREATE TABLE notes (n integer, EXCLUDE USING gist (n WITH =))")
    cli("db", "downgrade", out, "--db", pg_url, "--to", "0001")
    assert "btree_gist" in _extensions(pg_url, out)
    assert _rows(pg_url, out, "SELECT count(*) AS n FROM notes") == [{"n": "0"}]
