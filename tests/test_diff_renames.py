"""`roundtrip diff` on the changes migrations must survive (tests/fixtures/evolve_limits): documented table
renames (RD228), indexes and constraints redefined under one name (RD229/RD230), exclusion constraints
(RD231/RD232) and generated columns (RD233); references that follow a rename are not changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from roundtrip import api
from roundtrip.diff import ChangeSeverity, diff_specs
from roundtrip.diff.db_changes import all_column_renames, table_renames
from roundtrip.ir import Index, IndexElement, Spec, UniqueConstraint
from tests.conftest import REPO

LIMITS = REPO / "tests" / "fixtures" / "evolve_limits"


def _spec(path: Path) -> Spec:
    result = api.load(path)
    assert not [d for d in result.diagnostics if d.severity.name == "ERROR"], [
        str(d) for d in result.diagnostics
    ]
    return result.spec


def _rules(old: Spec, new: Spec) -> set[tuple[str, str, str]]:
    return {(c.rule, c.subject, str(c.severity)) for c in diff_specs(old, new)}


def test_renamed_table_and_column_and_redefinitions() -> None:
    v1, v2 = _spec(LIMITS / "renames" / "v1"), _spec(LIMITS / "renames" / "v2")
    assert _rules(v1, v2) == {
        ("RD228", "table:members", "info"),
        ("RD207", "table:members/column:username", "info"),
        # (email, name) → (email): rows distinct before may collide now
        ("RD230", "table:members/unique:uq_accounts_email_name", "breaking"),
        ("RD230", "table:members/check:ck_accounts_name", "warning"),
        # a plain index that becomes unique
        ("RD229", "table:members/index:idx_accounts_email", "breaking"),
        ("RD229", "table:posts/index:idx_posts_title", "info"),
    }  # posts' foreign key to accounts(handle) follows the renames: no RD222
    assert table_renames(v1, v2) == {"accounts": "members"}
    assert all_column_renames(v1, v2) == {"members": {"handle": "username"}}
    renamed = next(c for c in diff_specs(v1, v2) if c.rule == "RD228")
    assert renamed.old is not None and renamed.new is not None
    assert (renamed.old.file, renamed.old.line, renamed.new.line) == ("DATA_MODEL.md", 5, 5)
    # Once applied, the sentence is history: the same docs compared with themselves report nothing.
    assert diff_specs(v2, v2) == []


def test_generated_columns_exclusions_and_a_rename_in_heading_prose() -> None:
    v1, v2 = _spec(LIMITS / "computed" / "v1"), _spec(LIMITS / "computed" / "v2")
    venues = v2.table("venues")
    assert venues is not None and venues.description == "Renamed from `rooms`."
    assert _rules(v1, v2) == {
        ("RD228", "table:venues", "info"),
        ("RD233", "table:bookings/column:total_cents", "warning"),
        ("RD233", "table:bookings/column:label", "warning"),
        (
            "RD231",
            "table:bookings/exclusion:room_id WITH =, tstzrange(starts_at, ends_at) WITH &&",
            "warning",
        ),
    }
    back = _rules(v2, v1)  # the other way: a removed exclusion, and no rename (the old docs state none)
    assert (
        "RD232",
        "table:bookings/exclusion:room_id WITH =, tstzrange(starts_at, ends_at) WITH &&",
        "info",
    ) in back
    assert ("RD201", "table:venues", "breaking") in back and ("RD202", "table:rooms", "info") in back


def test_a_rename_from_a_table_the_old_docs_lack_is_a_drop_and_an_add(tmp_path: Path) -> None:
    text = (LIMITS / "computed" / "v2" / "DATA_MODEL.md").read_text()
    (tmp_path / "DATA_MODEL.md").write_text(text.replace("Renamed from `rooms`.", "Renamed from `halls`."))
    rules = _rules(_spec(LIMITS / "computed" / "v1"), _spec(tmp_path))
    assert ("RD201", "table:rooms", "breaking") in rules and ("RD202", "table:venues", "info") in rules
    assert not any(rule == "RD228" for rule, _, _ in rules)


def test_a_column_rename_sentence_in_heading_prose_is_not_a_table_rename(tmp_path: Path) -> None:
    text = (LIMITS / "computed" / "v2" / "DATA_MODEL.md").read_text()
    text = text.replace(
        "Bookable rooms. Renamed from `rooms`.", "Bookable rooms. The `name` column was renamed from `rooms`."
    )
    (tmp_path / "DATA_MODEL.md").write_text(text)
    venues = _spec(tmp_path).table("venues")
    assert venues is not None and "renamed" not in venues.description.lower()


def test_redefinition_severities_and_unnamed_constraints() -> None:
    v1 = _spec(LIMITS / "renames" / "v1")
    accounts = v1.table("accounts")
    assert accounts is not None

    def with_table(**kw: object) -> Spec:
        return replace(v1, tables=tuple(replace(t, **kw) if t.name == "accounts" else t for t in v1.tables))

    # A unique constraint over more columns, or a unique index over more columns, is looser: info.
    looser = with_table(
        uniques=(UniqueConstraint(("email", "name", "id"), name="uq_accounts_email_name"),),
        indexes=(Index("idx_accounts_email", (IndexElement("email"), IndexElement("name"))),),
    )
    assert _rules(v1, looser) == {
        ("RD230", "table:accounts/unique:uq_accounts_email_name", "info"),
        ("RD229", "table:accounts/index:idx_accounts_email", "info"),
    }
    # Unnamed unique constraints have no identity beyond their columns: a removal and an addition.
    unnamed = replace(
        v1,
        tables=tuple(
            replace(t, uniques=(UniqueConstraint(("email",)),)) if t.name == "accounts" else t
            for t in v1.tables
        ),
    )
    before = replace(
        v1,
        tables=tuple(
            replace(t, uniques=(UniqueConstraint(("email", "name")),)) if t.name == "accounts" else t
            for t in v1.tables
        ),
    )
    assert {r for r, _, _ in _rules(before, unnamed)} == {"RD216", "RD217"}
    # Descending order or a predicate is a redefinition too.
    desc = with_table(indexes=(Index("idx_accounts_email", (IndexElement("email", descending=True),)),))
    partial = with_table(
        indexes=(Index("idx_accounts_email", (IndexElement("email"),), unique=True, where="name <> ''"),)
    )
    assert _rules(v1, desc) == {("RD229", "table:accounts/index:idx_accounts_email", "info")}
    assert _rules(v1, partial) == {("RD229", "table:accounts/index:idx_accounts_email", "breaking")}
    assert all(c.severity is ChangeSeverity.INFO for c in diff_specs(v1, desc))
