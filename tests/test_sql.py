"""SQL fences → tables, enums, extensions, indexes, sample rows, opaque SQL (roundtrip.readers.sql)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from roundtrip.diagnostics import Diagnostic, Sink
from roundtrip.ir import DefaultKind, Facts, FKAction, Kind, Origin, Table
from roundtrip.ir.types import TypeRef, t_array, t_string
from roundtrip.markdown import parse_document
from roundtrip.readers.sql import INDEX_ONLY, read_sql
from roundtrip.readers.sql_split import split_statements
from roundtrip.readers.sql_types import classify_default, map_sql_type, scan_type
from roundtrip.source import decode_text, discover, relative_name
from tests.conftest import CORPUS, EXAMPLES, corpus_files, example_dir


def read_dir(path: Path) -> tuple[Facts, list[Diagnostic]]:
    base, files = discover(path)
    facts, sink = Facts(), Sink()
    for f in files:
        name = relative_name(base, f)
        doc, _ = parse_document(name, decode_text(name, f.read_bytes()))
        read_sql(doc, facts, sink)
    return facts, sink.sorted()


def read_text(text: str, name: str = "doc.md") -> tuple[Facts, list[Diagnostic]]:
    facts, sink = Facts(), Sink()
    doc, _ = parse_document(name, text)
    read_sql(doc, facts, sink)
    return facts, sink.sorted()


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing `needle` (the truth the spans must match)."""
    for i, ln in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if needle in ln:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


def table(facts: Facts, name: str) -> Table:
    found = [t for t in facts.tables if t.name == name and t.origin is Origin.SQL and t.columns]
    assert found, f"no SQL table {name}; have {[t.name for t in facts.tables]}"
    return found[-1]


# ---------------------------------------------------------------- type and default mapping


@pytest.mark.parametrize(
    ("text", "dialect", "expected"),
    [
        ("VARCHAR(255)", "postgres", TypeRef(Kind.STRING, length=255)),
        ("CHAR(64)", "postgres", TypeRef(Kind.STRING, length=64, fixed=True)),
        ("TEXT", "postgres", TypeRef(Kind.STRING)),
        ("SMALLINT", "postgres", TypeRef(Kind.INTEGER, bits=16)),
        ("BIGINT UNSIGNED", "mysql", TypeRef(Kind.INTEGER, bits=64, unsigned=True)),
        ("TINYINT(1)", "mysql", TypeRef(Kind.BOOLEAN)),
        ("TINYINT(1)", "postgres", TypeRef(Kind.INTEGER, bits=8)),
        ("NUMERIC(5,2)", "postgres", TypeRef(Kind.DECIMAL, precision=5, scale=2)),
        ("DOUBLE PRECISION", "postgres", TypeRef(Kind.FLOAT, bits=64)),
        ("REAL", "postgres", TypeRef(Kind.FLOAT, bits=32)),
        ("TIMESTAMPTZ", "postgres", TypeRef(Kind.DATETIME, timezone=True)),
        ("TIMESTAMP WITH TIME ZONE", "postgres", TypeRef(Kind.DATETIME, timezone=True)),
        ("TIMESTAMP", "postgres", TypeRef(Kind.DATETIME, timezone=False)),
        ("DATETIME(3)", "mysql", TypeRef(Kind.DATETIME, timezone=False)),
        ("TIME", "postgres", TypeRef(Kind.TIME, timezone=False)),
        ("INTERVAL", "postgres", TypeRef(Kind.INTERVAL)),
        ("UUID", "postgres", TypeRef(Kind.UUID)),
        ("CHAR(36)", "mysql", TypeRef(Kind.STRING, length=36, fixed=True)),
        ("INET", "postgres", TypeRef(Kind.INET)),
        ("CIDR", "postgres", TypeRef(Kind.INET)),
        ("JSONB", "postgres", TypeRef(Kind.JSON)),
        ("BYTEA", "postgres", TypeRef(Kind.BINARY)),
        ("BLOB", "mysql", TypeRef(Kind.BINARY)),
        ("TEXT[]", "postgres", TypeRef(Kind.ARRAY, items=TypeRef(Kind.STRING))),
        ("ENUM('a','b')", "mysql", TypeRef(Kind.ENUM, values=("a", "b"))),
    ],
)
def test_map_sql_type(text: str, dialect: str, expected: TypeRef) -> None:
    mapped = map_sql_type(text, dialect)
    assert mapped.known
    assert mapped.type == expected
    assert mapped.type.source == text


def test_serial_is_autoincrement_and_unknown_type_is_text_with_source() -> None:
    assert map_sql_type("BIGSERIAL").autoincrement and map_sql_type("BIGSERIAL").type.bits == 64
    unknown = map_sql_type("tsvector")
    assert not unknown.known and unknown.type.kind is Kind.STRING and unknown.type.source == "tsvector"
    named = map_sql_type("user_role", enums={"user_role": ("a", "b")})
    assert named.type == TypeRef(Kind.ENUM, enum_name="user_role", values=("a", "b"))


def test_scan_type_stops_at_constraints() -> None:
    assert scan_type("TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now()")[0] == "TIMESTAMP(3) WITH TIME ZONE"
    assert scan_type("uuid[] NOT NULL")[0] == "uuid[]"
    assert scan_type("ENUM('a', 'b') NOT NULL")[0] == "ENUM('a', 'b')"


@pytest.mark.parametrize(
    ("sql", "col", "kind", "value"),
    [
        ("'free'", t_string(), DefaultKind.LITERAL, "free"),
        ("0", t_string(), DefaultKind.LITERAL, 0),
        ("TRUE", TypeRef(Kind.BOOLEAN), DefaultKind.LITERAL, True),
        ("1", TypeRef(Kind.BOOLEAN), DefaultKind.LITERAL, True),
        ("'[]'", TypeRef(Kind.JSON), DefaultKind.LITERAL, "[]"),
        ("'{}'", t_array(t_string()), DefaultKind.EMPTY_ARRAY, None),
        ("(JSON_ARRAY())", TypeRef(Kind.JSON), DefaultKind.EMPTY_ARRAY, None),
        ("now()", t_string(), DefaultKind.NOW, None),
        ("CURRENT_TIMESTAMP(3)", t_string(), DefaultKind.NOW, None),
        ("gen_random_uuid()", TypeRef(Kind.UUID), DefaultKind.UUID, None),
        ("uuid_generate_v4()", TypeRef(Kind.UUID), DefaultKind.UUID, None),
        ("(UUID())", t_string(36), DefaultKind.UUID, None),
        ("nextval('seq')", t_string(), DefaultKind.EXPRESSION, None),
    ],
)
def test_classify_default(sql: str, col: TypeRef, kind: DefaultKind, value: object) -> None:
    d = classify_default(sql, col)
    assert d is not None and d.kind is kind and d.value == value and d.sql == sql


def test_split_statements_keeps_lines_through_comments_and_dollar_bodies() -> None:
    content = "-- intro\nCREATE TABLE a (id int);\n\nCREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN x; y; END;\n$$ LANGUAGE plpgsql;\n/* c */ INSERT INTO a VALUES (1);"
    stmts = split_statements(content, 10)
    assert [s.line for s in stmts] == [11, 13, 16]
    assert stmts[1].code.startswith("CREATE FUNCTION") and "END;" in stmts[1].code


# ---------------------------------------------------------------- the example doc sets


def test_taskboard_sample_rows_and_opaque_sql() -> None:
    path = example_dir("taskboard")
    facts, diags = read_dir(path)
    assert facts.tables == []  # the taskboard defines its tables in column tables, not DDL
    counts = Counter(s.table for s in facts.samples)
    assert counts == {"tenants": 2, "users": 5, "refresh_tokens": 1, "projects": 3, "tasks": 5, "labels": 4,
                      "task_labels": 5, "comments": 3}
    dm = path / "DATA_MODEL.md"
    first = facts.samples[0]
    assert first.origin is Origin.SQL and first.span.file == "DATA_MODEL.md"
    assert first.span.line == line_of(dm, "'Acme Robotics', 'acme-robotics'")
    assert first.as_dict() == {"id": "a9ea9c70-1414-47b0-91f9-8200f4b90c2e", "name": "Acme Robotics",
                               "slug": "acme-robotics", "plan": "pro", "created_at": "2025-02-10 09:12:44+00"}
    dev = next(s for s in facts.samples if s.as_dict().get("name") == "Dev Patel")
    assert dev.as_dict()["avatar_url"] is None and dev.span.line == line_of(dm, "'Dev Patel'")
    task = next(s for s in facts.samples if s.table == "tasks").as_dict()
    assert task["number"] == 1 and task["position"] == 1000 and task["completed_at"] == "2025-02-21 16:00:00+00"
    assert [o.kind for o in facts.opaque_sql] == ["function", "trigger", "alter", "alter", "policy"]
    assert facts.opaque_sql[0].span.line == line_of(dm, "CREATE OR REPLACE FUNCTION set_updated_at()")
    assert facts.opaque_sql[-1].text.startswith("CREATE POLICY tenant_isolation ON tasks")
    # RT112 once per fence (not per statement); the Common Queries (SELECT/UPDATE with :params) stay silent
    assert [(d.code, d.span.line) for d in diags] == [
        ("RT112", line_of(dm, "CREATE OR REPLACE FUNCTION") - 1),
        ("RT112", line_of(dm, "ALTER TABLE tasks ENABLE ROW LEVEL SECURITY") - 1),
    ]


def test_exams_initial_migration() -> None:
    facts, diags = read_dir(example_dir("exams"))
    assert [t.name for t in facts.tables] == ["users", "sessions", "exams", "questions", "exam_attempts", "answers"]
    assert all(t.dialect == "postgres" and t.origin is Origin.SQL for t in facts.tables)
    assert [(e.name, len(e.values)) for e in facts.enums] == [
        ("user_role", 3), ("exam_status", 4), ("question_type", 4), ("attempt_status", 4)]
    assert [name for name, _ in facts.extensions] == ["uuid-ossp"]
    assert sum(len(t.indexes) for t in facts.tables) == 17  # every CREATE INDEX of the migration
    users = table(facts, "users")
    role = users.column("role")
    assert role is not None and role.type == TypeRef(Kind.ENUM, enum_name="user_role", values=("admin", "instructor", "student"))
    assert role.default is not None and role.default.value == "student"
    uid = users.column("id")
    assert uid is not None and uid.primary_key and not uid.nullable and uid.default is not None
    assert uid.default.kind is DefaultKind.UUID
    email = users.column("email")
    assert email is not None and email.unique and email.type.length == 255
    attempts = table(facts, "exam_attempts")
    order = attempts.column("question_order")
    assert order is not None and order.type == t_array(TypeRef(Kind.UUID))
    by_name = {i.name: i for i in attempts.indexes}
    assert by_name["uq_attempts_one_in_progress"].unique and by_name["uq_attempts_one_in_progress"].where == "status = 'in_progress'"
    assert by_name["idx_attempts_exam_submitted"].elements[1].descending
    search = next(i for i in table(facts, "exams").indexes if i.name == "idx_exams_search")
    assert search.using == "gin" and search.elements[0].expression == "to_tsvector('english', title)"
    questions = table(facts, "questions")
    (uq,) = questions.uniques
    assert uq.name == "uq_questions_exam_position" and uq.columns == ("exam_id", "position")
    assert uq.deferrable and uq.initially_deferred
    options = questions.column("options")
    assert options is not None and options.default is not None
    assert options.default.kind is DefaultKind.LITERAL and options.default.value == "[]"
    exams = table(facts, "exams")
    assert any(c.name == "chk_exams_availability" and c.columns == ("available_until", "available_from") for c in exams.checks)
    fk = next(f for f in table(facts, "answers").foreign_keys if f.columns == ("attempt_id",))
    assert fk.ref_table == "exam_attempts" and fk.ref_columns == ("id",) and fk.on_delete is FKAction.CASCADE
    assert [o.kind for o in facts.opaque_sql] == ["drop", "drop"]
    assert {d.code for d in diags} == {"RT112"}


def test_exams_spans_point_at_statement_and_column_lines() -> None:
    path = example_dir("exams")
    facts, _ = read_dir(path)
    f = path / "data-model-contracts.md"
    users = table(facts, "users")
    assert users.span.line == line_of(f, "CREATE TABLE users (")
    email = users.column("email")
    assert email is not None and email.span.line == line_of(f, "email VARCHAR(255) UNIQUE NOT NULL")


def test_bookings_exclusion_constraint_and_types() -> None:
    facts, diags = read_dir(example_dir("bookings"))
    assert [t.name for t in facts.tables] == ["users", "refresh_tokens", "workspaces", "workspace_members", "rooms", "bookings"]
    assert [name for name, _ in facts.extensions] == ["btree_gist"]
    bookings = table(facts, "bookings")
    (ex,) = bookings.exclusions
    assert ex.name == "excl_bookings_no_overlap" and ex.using == "gist"
    assert ex.elements == (("room_id", "="), ("tstzrange(start_at, end_at, '[)')", "&&"))
    assert ex.where == "status = 'confirmed'"
    title = bookings.column("title")
    assert title is not None and title.type == TypeRef(Kind.STRING, length=100) and not title.nullable
    start = bookings.column("start_at")
    assert start is not None and start.type == TypeRef(Kind.DATETIME, timezone=True)
    assert start.type.source == "TIMESTAMP WITH TIME ZONE"
    assert table(facts, "workspace_members").primary_key == ("workspace_id", "user_id")
    amenities = table(facts, "rooms").column("amenities")
    assert amenities is not None and amenities.type == t_array(t_string())
    assert amenities.default is not None and amenities.default.kind is DefaultKind.EMPTY_ARRAY
    opening = table(facts, "workspaces").column("opening_time")
    assert opening is not None and opening.type.kind is Kind.TIME and opening.default is not None
    assert opening.default.value == "08:00"
    partial = next(i for i in table(facts, "rooms").indexes if i.name == "uq_rooms_workspace_name")
    assert partial.unique and partial.where == "deleted_at IS NULL"
    assert diags == []


def test_bookings_title_line() -> None:
    path = example_dir("bookings")
    facts, _ = read_dir(path)
    title = table(facts, "bookings").column("title")
    assert title is not None and title.span.line == 792 == line_of(path / "backend-spec.md", "title VARCHAR(100) NOT NULL")


def test_library_mysql_ddl() -> None:
    path = example_dir("library")
    facts, diags = read_dir(path)
    names = ["branches", "members", "staff", "refresh_tokens", "books", "copies", "loans", "holds", "fines"]
    assert [t.name for t in facts.tables] == names
    assert {t.dialect for t in facts.tables} == {"mysql"}
    spec = path / "technical" / "backend-spec.md"
    amount = table(facts, "fines").column("amount")
    assert amount is not None and amount.type == TypeRef(Kind.DECIMAL, precision=8, scale=2)
    assert amount.span == amount.span.at(388) and line_of(spec, "amount             DECIMAL(8,2)") == 388
    bid = table(facts, "branches").column("id")
    assert bid is not None and bid.autoincrement and bid.type == TypeRef(Kind.INTEGER, bits=64, unsigned=True)
    active = table(facts, "staff").column("is_active")
    assert active is not None and active.type.kind is Kind.BOOLEAN and active.default is not None
    assert active.default.value is True
    token_id = table(facts, "refresh_tokens").column("id")
    assert token_id is not None and token_id.type == TypeRef(Kind.STRING, length=36, fixed=True)
    assert token_id.default is not None and token_id.default.kind is DefaultKind.UUID
    subjects = table(facts, "books").column("subjects")
    assert subjects is not None and subjects.default is not None and subjects.default.kind is DefaultKind.EMPTY_ARRAY
    updated = table(facts, "books").column("updated_at")
    assert updated is not None and updated.on_update == "CURRENT_TIMESTAMP(3)" and updated.default is not None
    assert updated.default.kind is DefaultKind.NOW
    generated = table(facts, "loans").column("active_copy_id")
    assert generated is not None and generated.generated == "IF(status = 'active', copy_id, NULL)"
    books = {i.name: i for i in table(facts, "books").indexes}
    assert books["ft_books_title"].using == "fulltext"
    assert [e.column for e in books["ft_books_title"].elements] == ["title", "subtitle"]
    assert books["idx_books_authors"].elements[0].expression == "CAST(authors->'$' AS CHAR(120) ARRAY)"
    checks = {c.name: c for c in table(facts, "branches").checks}
    assert checks["chk_branches_code"].expression == "code REGEXP '^[A-Z]{3}$'"
    status = table(facts, "members").column("status")
    assert status is not None and status.type.values == ("active", "suspended", "expired")
    fk = next(f for f in table(facts, "holds").foreign_keys if f.name == "fk_holds_copy")
    assert fk.on_delete is FKAction.SET_NULL and fk.ref_table == "copies"
    assert [s.as_dict()["code"] for s in facts.samples] == ["CEN", "NOR", "RIV"]
    assert facts.samples[1].span.line == line_of(spec, "('NOR', 'Northside Branch'")
    assert diags == []


def test_corpus_quick_reference_fence_is_one_rt106_and_no_tables() -> None:
    path = CORPUS / "33_dental-dashboard_bmad-database-schema.md"
    if not path.exists():
        pytest.skip("corpus absent")
    facts, diags = read_dir(path)
    rt106 = [d for d in diags if d.code == "RT106"]
    assert [d.span.line for d in rt106] == [line_of(path, "## Quick Reference") + 2]
    assert len(facts.tables) == 11 and "users" not in [o.kind for o in facts.opaque_sql]
    goals = table(facts, "goals")
    variance = goals.column("variance")
    assert variance is not None and variance.generated == "actual - target"
    role = table(facts, "users").column("role")
    assert role is not None and role.type.kind is Kind.STRING  # VARCHAR(50) in the DDL, not the later user_role type
    assert any(o.text.startswith("CREATE TABLE appointments_2024 PARTITION OF") for o in facts.opaque_sql)


# ---------------------------------------------------------------- behaviour on small inputs


def test_broken_statement_reports_rt106_at_its_line_and_the_rest_is_read() -> None:
    text = "# Schema\n\n```sql\nCREATE TABLE a (id INT PRIMARY KEY);\n\nCREATE TABLE b (id INT,, oops);\n\nCREATE TABLE c (id INT);\n```\n"
    facts, diags = read_text(text)
    # pglast rejects b; sqlglot still reads it leniently, and the RT106 says so
    assert [t.name for t in facts.tables] == ["a", "b", "c"]
    assert [(d.code, d.span.line) for d in diags] == [("RT106", 6)]
    assert "read leniently" in diags[0].message
    facts, diags = read_text("```sql\nCREATE TABLE a (id INT);\nCREATE TABLEE b (id INT);\nINSERT INTO a VALUES (1);\n```\n")
    assert [t.name for t in facts.tables] == ["a"] and len(facts.samples) == 1
    assert [(d.code, d.span.line) for d in diags] == [("RT106", 3)]


def test_unknown_type_is_text_with_rt111_and_enum_declared_later_resolves() -> None:
    text = (
        "```sql\nCREATE TABLE t (\n  id UUID PRIMARY KEY,\n  s status_t NOT NULL,\n  v tsvector\n);\n```\n\n"
        "```sql\nCREATE TYPE status_t AS ENUM ('on', 'off');\n```\n"
    )
    facts, diags = read_text(text)
    t = table(facts, "t")
    s, v = t.column("s"), t.column("v")
    assert s is not None and s.type == TypeRef(Kind.ENUM, enum_name="status_t", values=("on", "off"))
    assert v is not None and v.type.kind is Kind.STRING and v.type.source == "tsvector"
    assert [(d.code, d.span.line) for d in diags] == [("RT111", 5)]


def test_index_on_undefined_table_is_an_index_only_stub_and_alter_applies() -> None:
    text = (
        "```sql\nCREATE INDEX idx_x ON elsewhere (a);\nCREATE TABLE t (id INT);\n"
        "ALTER TABLE t ADD COLUMN name VARCHAR(20) NOT NULL, ADD CONSTRAINT uq_t_name UNIQUE (name);\n"
        "CREATE UNIQUE INDEX idx_t ON t (lower(name)) WHERE id > 0;\n```\n"
    )
    facts, diags = read_text(text)
    stub = next(t for t in facts.tables if t.name == "elsewhere")
    assert stub.columns == () and stub.description == INDEX_ONLY and stub.indexes[0].name == "idx_x"
    t = table(facts, "t")
    assert t.column_names == ("id", "name") and t.uniques[0].name == "uq_t_name"
    (idx,) = t.indexes
    assert idx.unique and idx.elements[0].expression == "lower(name)" and idx.where == "id > 0"
    assert diags == []


def test_insert_without_columns_uses_known_table_and_unlabelled_fence_is_read() -> None:
    text = "```\nCREATE TABLE t (a INT, b TEXT);\n```\n\n```sql\nINSERT INTO t VALUES (1, 'x'), (-2, NULL);\n```\n"
    facts, _ = read_text(text)
    assert [s.as_dict() for s in facts.samples] == [{"a": 1, "b": "x"}, {"a": -2, "b": None}]


def test_mysql_detected_from_markers() -> None:
    text = "```sql\nCREATE TABLE `t` (\n  `id` INT UNSIGNED NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\n```\n"
    facts, diags = read_text(text)
    t = table(facts, "t")
    assert t.dialect == "mysql" and t.primary_key == ("id",)
    col = t.column("id")
    assert col is not None and col.autoincrement and col.type.unsigned and col.span.line == 3
    assert diags == []


# ---------------------------------------------------------------- robustness


def _all_docs() -> list[Path]:
    files = corpus_files()
    if EXAMPLES.is_dir():
        files += sorted(EXAMPLES.rglob("*.md"))
    return files


@pytest.mark.parametrize("path", _all_docs(), ids=lambda p: p.name)
def test_never_raises_on_real_documents(path: Path) -> None:
    text = decode_text(path.name, path.read_bytes())
    facts, diags = read_text(text, path.name)
    for t in facts.tables:
        assert t.span.file == path.name and (t.span.line > 0)
        assert all(c.span.line > 0 for c in t.columns)
    assert all(d.code in ("RT106", "RT110", "RT111", "RT112") for d in diags)


def test_robustness_inputs_exist() -> None:
    if not CORPUS.is_dir() and not EXAMPLES.is_dir():
        pytest.skip("shared corpus and examples are absent")
    assert len(_all_docs()) > 10
