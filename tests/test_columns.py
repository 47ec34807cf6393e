"""Markdown column tables and their bullets → tables with origin COLUMN_TABLE (roundtrip.readers.columns)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from roundtrip.diagnostics import Diagnostic, Sink
from roundtrip.ir import DefaultKind, Facts, FKAction, Kind, Origin, Table
from roundtrip.ir.types import TypeRef, t_array
from roundtrip.markdown import parse_document
from roundtrip.readers.columns import read_column_tables
from roundtrip.readers.sql import read_sql
from roundtrip.readers.sql_cells import cell_text, index_bullet_sql, normalize_constraints
from roundtrip.source import decode_text, discover, relative_name
from tests.conftest import CORPUS, EXAMPLES, corpus_files, example_dir


def read(path: Path) -> tuple[Facts, list[Diagnostic]]:
    """Run the SQL reader first (as the pipeline does: enum types), then the column-table reader."""
    base, files = discover(path)
    facts, sink = Facts(), Sink()
    for f in files:
        name = relative_name(base, f)
        doc, _ = parse_document(name, decode_text(name, f.read_bytes()))
        read_sql(doc, facts, sink)
        read_column_tables(doc, facts, sink)
    return facts, [d for d in sink.sorted() if d.code != "RT112"]


def read_text(text: str, name: str = "DATA_MODEL.md") -> tuple[Facts, list[Diagnostic]]:
    facts, sink = Facts(), Sink()
    doc, _ = parse_document(name, text)
    read_column_tables(doc, facts, sink)
    return facts, sink.sorted()


def tables(facts: Facts) -> list[Table]:
    return [t for t in facts.tables if t.origin is Origin.COLUMN_TABLE]


def table(facts: Facts, name: str) -> Table:
    found = [t for t in tables(facts) if t.name == name]
    assert found, f"no column table {name}; have {[t.name for t in tables(facts)]}"
    return found[-1]


def line_of(path: Path, needle: str) -> int:
    for i, ln in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if needle in ln:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


def corpus(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus file {name} absent")
    return path


# ---------------------------------------------------------------- cell vocabulary


def test_cell_text_keeps_snake_case() -> None:
    assert cell_text("`idx_users_email` ON **email** WHERE a_b IS NULL") == "idx_users_email ON email WHERE a_b IS NULL"


@pytest.mark.parametrize(
    ("cell", "sql"),
    [
        ("PRIMARY KEY, DEFAULT gen_random_uuid()", "PRIMARY KEY DEFAULT gen_random_uuid()"),
        ("PK", "PRIMARY KEY"),
        ("NOT NULL, FK(tenants.id)", "NOT NULL REFERENCES tenants(id)"),
        ("FK users(id) ON DELETE CASCADE, NOT NULL", "REFERENCES users(id) ON DELETE CASCADE NOT NULL"),
        ("FK → users", "REFERENCES users"),
        ("Foreign Key → users, Unique", "REFERENCES users UNIQUE"),
        ("Foreign key -> apartments", "REFERENCES apartments"),
        ('Default: "UTK"', "DEFAULT 'UTK'"),
        ("Unique user identifier", ""),
        ("Default duration", ""),
        ("uuid fk nullable", ""),
        ("NOT NULL UNIQUE", "NOT NULL UNIQUE"),
        ("CHECK (owner/admin/staff)", "CHECK (\"role\" IN ('owner', 'admin', 'staff'))"),
    ],
)
def test_normalize_constraints(cell: str, sql: str) -> None:
    assert normalize_constraints(cell, "role") == sql


def test_index_bullet_drops_prose_note_but_keeps_sql_parens() -> None:
    assert index_bullet_sql("`uq_tenants_slug` UNIQUE ON slug (subdomain lookups)", "t") == [
        'CREATE UNIQUE INDEX uq_tenants_slug ON "t" (slug)']
    assert index_bullet_sql("`idx_exams_search` ON title USING GIN (to_tsvector('english', title))", "t")[0] == (
        "CREATE INDEX idx_exams_search ON \"t\" USING gin (to_tsvector('english', title))")


# ---------------------------------------------------------------- taskboard (autoflow)


def test_taskboard_eight_tables_with_keys_and_spans() -> None:
    path = example_dir("taskboard")
    facts, diags = read(path)
    dm = path / "DATA_MODEL.md"
    assert [t.name for t in tables(facts)] == [
        "tenants", "users", "refresh_tokens", "projects", "tasks", "labels", "task_labels", "comments"]
    assert all(t.span.file == "DATA_MODEL.md" for t in tables(facts))  # nothing from API_SPEC.md field tables
    assert table(facts, "users").span.line == line_of(dm, "### users")
    assert table(facts, "task_labels").primary_key == ("task_id", "label_id")
    assert all(c.primary_key and not c.nullable for c in table(facts, "task_labels").columns[:2])
    key = table(facts, "projects").column("key")
    assert key is not None and key.span.line == 178 == line_of(dm, "| key | VARCHAR(6)")
    assert key.type == TypeRef(Kind.STRING, length=6) and not key.nullable
    assert key.description == "Task key prefix, e.g. WEB"
    checks = {c.columns: c for c in table(facts, "projects").checks}
    assert checks[("key",)].expression == "key ~ '^[A-Z]{2,6}$'" and checks[("key",)].span.line == 178
    prio = next(c for c in table(facts, "tasks").checks if c.columns == ("priority",))
    assert prio.span.line == 219 and "'critical'" in prio.expression
    assert diags == []


def test_taskboard_foreign_keys_merge_cell_and_bullet() -> None:
    facts, _ = read(example_dir("taskboard"))
    tasks = table(facts, "tasks")
    fks = {f.columns: f for f in tasks.foreign_keys}
    assert len(tasks.foreign_keys) == 4  # FK(...) cells and REFERENCES bullets name the same 4 keys
    assert fks[("assignee_id",)].on_delete is FKAction.SET_NULL and fks[("assignee_id",)].ref_table == "users"
    assert fks[("reporter_id",)].on_delete is FKAction.RESTRICT and fks[("reporter_id",)].ref_columns == ("id",)
    assert fks[("project_id",)].on_delete is FKAction.CASCADE
    assert table(facts, "tenants").foreign_keys == ()  # "**Foreign Keys**: None"


def test_taskboard_indexes_partial_expression_gin() -> None:
    facts, _ = read(example_dir("taskboard"))
    assert sum(len(t.indexes) for t in tables(facts)) == 19
    users = {i.name: i for i in table(facts, "users").indexes}
    assert users["uq_users_one_owner"].unique and users["uq_users_one_owner"].where == "role = 'owner' AND deleted_at IS NULL"
    labels = table(facts, "labels").indexes[0]
    assert labels.unique and labels.elements[1].expression == "lower(name)" and labels.elements[0].column == "tenant_id"
    trgm = next(i for i in table(facts, "tasks").indexes if i.name == "idx_tasks_title_trgm")
    assert trgm.using == "gin" and trgm.elements[0].column == "title" and trgm.elements[0].opclass == "gin_trgm_ops"
    due = next(i for i in table(facts, "tasks").indexes if i.name == "idx_tasks_due_date")
    assert due.where == "deleted_at IS NULL AND status <> 'done'"


def test_taskboard_defaults_and_types() -> None:
    facts, _ = read(example_dir("taskboard"))
    tid = table(facts, "tenants").column("id")
    assert tid is not None and tid.type.kind is Kind.UUID and tid.default is not None and tid.default.kind is DefaultKind.UUID
    plan = table(facts, "tenants").column("plan")
    assert plan is not None and plan.default is not None and plan.default.value == "free"
    active = table(facts, "users").column("is_active")
    assert active is not None and active.default is not None and active.default.value is True
    pos = table(facts, "tasks").column("position")
    assert pos is not None and pos.type == TypeRef(Kind.FLOAT, bits=64)
    created = table(facts, "users").column("created_at")
    assert created is not None and created.type == TypeRef(Kind.DATETIME, timezone=True)
    assert created.default is not None and created.default.kind is DefaultKind.NOW


# ---------------------------------------------------------------- exams (peachflow): same facts as its DDL


def test_exams_column_tables_match_the_initial_migration() -> None:
    facts, diags = read(example_dir("exams"))
    names = ["users", "sessions", "exams", "questions", "exam_attempts", "answers"]
    assert [t.name for t in tables(facts)] == names
    for name in names:
        col_t = table(facts, name)
        sql_t = next(t for t in facts.tables if t.name == name and t.origin is Origin.SQL)
        assert col_t.column_names == sql_t.column_names
        assert col_t.primary_key == sql_t.primary_key
        for c, s in zip(col_t.columns, sql_t.columns, strict=True):
            ct, st = c.type, s.type
            if st.kind is Kind.ENUM:  # ENUM('a', ...) in the cell, CREATE TYPE name in the DDL
                assert ct.values == st.values
                st = replace(st, enum_name=None)
            assert ct == st, name + "." + c.name
            assert (c.nullable, c.unique, c.primary_key) == (s.nullable, s.unique, s.primary_key), name + "." + c.name
        assert {(f.columns, f.ref_table, f.on_delete) for f in col_t.foreign_keys} == {
            (f.columns, f.ref_table, f.on_delete) for f in sql_t.foreign_keys}
        assert [i.name for i in col_t.indexes] == [i.name for i in sql_t.indexes]
    (uq,) = table(facts, "questions").uniques
    assert uq.name == "uq_questions_exam_position" and uq.deferrable and uq.initially_deferred
    order = table(facts, "exam_attempts").column("question_order")
    assert order is not None and order.type == t_array(TypeRef(Kind.UUID))
    assert diags == []


# ---------------------------------------------------------------- corpus styles


def test_corpus_01_notes_vocabulary() -> None:
    path = corpus("01_smart-lease_DATA_MODEL.md")
    facts, diags = read(path)
    assert len(tables(facts)) == 12
    users = table(facts, "users")
    assert users.primary_key == ("id",)
    email, university = users.column("email"), users.column("university")
    assert email is not None and email.unique
    assert university is not None and university.default is not None and university.default.value == "UTK"
    (fk,) = table(facts, "floor_plans").foreign_keys
    assert fk.columns == ("apartment_id",) and fk.ref_table == "apartments"
    photos = table(facts, "apartments").column("photos")
    assert photos is not None and photos.type.kind is Kind.ARRAY
    assert diags == []


def test_corpus_20_speckit_tables() -> None:
    path = corpus("20_perpetua_speckit_data-model.md")
    facts, _ = read(path)
    assert len(tables(facts)) == 13
    users = table(facts, "users")  # `### 1. User` + **Table Name**: `users`
    tier = users.column("tier")
    assert tier is not None and tier.type.kind is Kind.ENUM and tier.type.values == ("free", "pro")
    assert tier.default is not None and tier.default.value == "free" and not tier.nullable
    avatar = users.column("avatar_url")
    assert avatar is not None and avatar.nullable and avatar.default is None
    assert [(i.name, i.unique, i.elements[0].column) for i in users.indexes] == [
        ("idx_users_google_id", True, "google_id"), ("idx_users_email", True, "email")]
    fk = table(facts, "task_instances").foreign_keys[0]
    assert fk.columns == ("user_id",) and fk.ref_table == "users"


def test_corpus_34_ddl_in_type_cell_and_constraint_rows() -> None:
    path = corpus("34_finance-accounting_DATA_MODEL.md")
    facts, diags = read(path)
    tenants = table(facts, "tenants")
    tid = tenants.column("id")
    assert tid is not None and tid.autoincrement and tid.primary_key and tid.type.bits == 64
    assert [c.name for c in tenants.columns][-2:] == ["created_at", "updated_at"]  # `created_at / updated_at`
    period = next(c for c in tenants.checks if c.columns == ("period_type",))
    assert period.expression == "period_type IN ('monthly', 'quarterly', 'yearly')"
    periods = table(facts, "accounting_periods")
    assert periods.uniques[0].columns == ("tenant_id", "period_start", "period_end")
    assert periods.indexes[0].unique and periods.indexes[0].where == "status = 'OPEN'"
    assert periods.exclusions[0].elements[1] == ("daterange(period_start, period_end, '[]')", "&&")
    assert table(facts, "currencies").primary_key == ("code",)
    assert table(facts, "exchange_rates").uniques[0].columns == ("currency_code", "rate_date")
    assert table(facts, "supplier_contacts").column_names == table(facts, "customer_contacts").column_names
    assert {d.code for d in diags} == {"RT110"}
    empty_type = line_of(path, "| id / tenant_id | | |")
    assert any(d.code == "RT110" and d.span.line == empty_type for d in diags)


def test_corpus_22_type_notes_and_12_django_relations() -> None:
    facts, _ = read(corpus("22_elevenpay_database-schema.md"))
    assert [t.name for t in tables(facts)][:2] == ["users", "wallets"]
    uid = table(facts, "users").column("id")
    assert uid is not None and uid.type.kind is Kind.UUID and uid.description == "Supabase Auth"
    path = corpus("12_future-fundi_DATA_MODEL.md")
    facts, diags = read(path)
    users = table(facts, "users")  # ### `users.User`
    assert users.column("email") is not None and users.column("tenant_id") is None
    assert any(d.code == "RT110" and d.span.line == line_of(path, "| `tenant_id` | FK → School |") for d in diags)


def test_corpus_36_mongo_types_are_text_with_rt111() -> None:
    path = corpus("36_employee-attendance_mongodb_DATA_MODEL.md")
    facts, diags = read(path)
    emp = table(facts, "employees")
    oid = emp.column("_id")
    assert oid is not None and oid.type.kind is Kind.STRING and oid.type.source == "ObjectId"
    assert any(d.code == "RT111" and d.span.line == line_of(path, "| `_id` | ObjectId |") for d in diags)


# ---------------------------------------------------------------- small inputs


def test_request_body_field_table_is_not_a_data_model() -> None:
    text = "## Users\n\n### createUser\n\n**Request Body**:\n| Field | Type | Required |\n|---|---|---|\n| name | string | Yes |\n"
    facts, _ = read_text(text, "API_SPEC.md")
    assert facts.tables == []


def test_unreadable_constraint_is_rt110_and_never_a_wrong_type() -> None:
    text = ("# Data Model\n\n### things\n\n| Column | Type | Constraints |\n|---|---|---|\n"
            "| id | SERIAL | PK |\n| code | CHAR(3) | UNIQUE, CHECK (code ~ ) |\n| 1bad | INT | |\n")
    facts, diags = read_text(text)
    t = table(facts, "things")
    code = t.column("code")
    assert code is not None and code.type == TypeRef(Kind.STRING, length=3, fixed=True) and code.unique
    assert t.column_names == ("id", "code")
    assert [(d.code, d.span.line) for d in diags] == [("RT110", 8), ("RT110", 9)]


# ---------------------------------------------------------------- robustness


def _all_docs() -> list[Path]:
    files = corpus_files()
    if EXAMPLES.is_dir():
        files += sorted(EXAMPLES.rglob("*.md"))
    return files


@pytest.mark.parametrize("path", _all_docs(), ids=lambda p: p.name)
def test_never_raises_on_real_documents(path: Path) -> None:
    facts, diags = read_text(decode_text(path.name, path.read_bytes()), path.name)
    for t in facts.tables:
        assert t.origin is Origin.COLUMN_TABLE and t.columns and t.span.line > 0
        assert all(c.span.line > 0 for c in t.columns)
    assert all(d.code in ("RT110", "RT111") for d in diags)
