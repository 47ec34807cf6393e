"""SQLAlchemy models emitter: types per dialect, constraints, indexes, relationships, determinism,
and the generated code passing ruff and mypy and creating every example's schema on SQLite."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable

from roundtrip.api import load
from roundtrip.emit.sa_code import build, render
from roundtrip.emit.sa_view import build_view
from roundtrip.emit.sqlalchemy_models import MODELS_PATH, TYPES_PATH, emit_models, model_notes
from roundtrip.ir import Column, Default, DefaultKind, Index, IndexElement, Kind, Spec, Table, TypeRef
from roundtrip.source import Span
from roundtrip.writer import is_generated
from tests.conftest import EXAMPLE_SETS, corpus_files, example_dir

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def write_tree(files: dict[str, str], out: Path) -> Path:
    for rel, content in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return out


def import_models(out: Path, tag: str):  # type: ignore[no-untyped-def]
    """Import OUT/app/db/models.py under a private name (several backends in one test process)."""
    pkg_dir = out / "app" / "db"
    name = f"_test_models_{tag}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, pkg_dir / "__init__.py", submodule_search_locations=[str(pkg_dir)])
    assert spec is not None and spec.loader is not None
    pkg = importlib.util.module_from_spec(spec)
    sys.modules[name] = pkg
    spec.loader.exec_module(pkg)
    return importlib.import_module(f"{name}.models")


def one_table_spec(*columns: Column, **table_kw: object) -> Spec:
    return Spec(tables=(Table("things", tuple(columns), **table_kw),), files=("DATA_MODEL.md",))  # type: ignore[arg-type]


PK = Column("id", TypeRef(Kind.UUID), nullable=False, primary_key=True, default=Default(DefaultKind.UUID, sql="gen_random_uuid()"))

# logical type -> (model code, PostgreSQL DDL, SQLite DDL)
TYPE_CASES = [
    (TypeRef(Kind.STRING, length=40), "sa.String(40)", "VARCHAR(40)", "VARCHAR(40)"),
    (TypeRef(Kind.STRING, length=2, fixed=True), "sa.CHAR(2)", "CHAR(2)", "CHAR(2)"),
    (TypeRef(Kind.STRING), "sa.Text()", "TEXT", "TEXT"),
    (TypeRef(Kind.INTEGER, bits=16), "sa.SmallInteger()", "SMALLINT", "SMALLINT"),
    (TypeRef(Kind.INTEGER, bits=32), "sa.Integer()", "INTEGER", "INTEGER"),
    (TypeRef(Kind.INTEGER, bits=64), "sa.BigInteger()", "BIGINT", "BIGINT"),
    (TypeRef(Kind.INTEGER, bits=32, unsigned=True), "sa.BigInteger()", "BIGINT", "BIGINT"),
    (TypeRef(Kind.FLOAT), "sa.Double()", "DOUBLE PRECISION", "DOUBLE"),
    (TypeRef(Kind.FLOAT, bits=32), "sa.REAL()", "REAL", "REAL"),
    (TypeRef(Kind.DECIMAL, precision=8, scale=2), "sa.Numeric(8, 2)", "NUMERIC(8, 2)", "NUMERIC(8, 2)"),
    (TypeRef(Kind.BOOLEAN), "sa.Boolean()", "BOOLEAN", "BOOLEAN"),
    (TypeRef(Kind.DATE), "sa.Date()", "DATE", "DATE"),
    (TypeRef(Kind.TIME), "sa.Time()", "TIME WITHOUT TIME ZONE", "TIME"),
    (TypeRef(Kind.DATETIME, timezone=True), "rt.TZDateTime()", "TIMESTAMP WITH TIME ZONE", "DATETIME"),
    (TypeRef(Kind.DATETIME), "sa.DateTime()", "TIMESTAMP WITHOUT TIME ZONE", "DATETIME"),
    (TypeRef(Kind.INTERVAL), "sa.Interval()", "INTERVAL", "DATETIME"),
    (TypeRef(Kind.UUID), "sa.Uuid()", "UUID", "CHAR(32)"),
    (TypeRef(Kind.INET), "rt.IPAddress()", "INET", "VARCHAR(45)"),
    (TypeRef(Kind.JSON), 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")', "JSONB", "JSON"),
    (TypeRef(Kind.BINARY), "sa.LargeBinary()", "BYTEA", "BLOB"),
    (TypeRef(Kind.ENUM, values=("a", "b"), enum_name="thing_kind"), "THING_KIND", "thing_kind", "VARCHAR(1)"),
    (TypeRef(Kind.ARRAY, items=TypeRef(Kind.STRING)), "rt.Array(sa.Text())", "TEXT[]", "JSON"),
    (TypeRef(Kind.ARRAY, items=TypeRef(Kind.UUID)), "rt.Array(sa.Uuid())", "UUID[]", "JSON"),
    (TypeRef(Kind.MAP, items=TypeRef(Kind.STRING)), 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")', "JSONB", "JSON"),
    (TypeRef(Kind.OBJECT), 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")', "JSONB", "JSON"),
    (TypeRef(Kind.REF, ref="Address"), 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")', "JSONB", "JSON"),
    (TypeRef(Kind.UNION, variants=(TypeRef(Kind.STRING),)), 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")', "JSONB", "JSON"),
    (TypeRef(Kind.LITERAL, literal="x"), "sa.Text()", "TEXT", "TEXT"),
    (TypeRef(Kind.ANY), 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")', "JSONB", "JSON"),
]


def test_every_kind_has_a_case() -> None:
    assert {c[0].kind for c in TYPE_CASES} == set(Kind)


@pytest.mark.parametrize(("t", "code", "pg_ddl", "sqlite_ddl"), TYPE_CASES, ids=[f"{c[0].kind.value}-{i}" for i, c in enumerate(TYPE_CASES)])
def test_logical_type_maps_to_both_dialects(t: TypeRef, code: str, pg_ddl: str, sqlite_ddl: str) -> None:
    view = build_view(one_table_spec(PK, Column("v", t, nullable=True)))
    col = view.tables[0].column("v")
    assert col is not None
    assert render(col.type) == code
    if col.type.ref:
        type_obj = sa.Enum(*view.enums[0].values, name=view.enums[0].name, create_constraint=True)
    else:
        type_obj = build(col.type)
    table = sa.Table("things", sa.MetaData(), sa.Column("v", type_obj))
    assert f"v {pg_ddl}" in str(CreateTable(table).compile(dialect=postgresql.dialect()))
    assert f"v {sqlite_ddl}" in str(CreateTable(table).compile(dialect=sqlite.dialect()))


def test_defaults_compile_on_both_dialects() -> None:
    spec = one_table_spec(
        PK,
        Column("created_at", TypeRef(Kind.DATETIME, timezone=True), nullable=False, default=Default(DefaultKind.NOW, sql="NOW()")),
        Column("tags", TypeRef(Kind.ARRAY, items=TypeRef(Kind.STRING)), nullable=False, default=Default(DefaultKind.EMPTY_ARRAY, sql="'{}'")),
        Column("active", TypeRef(Kind.BOOLEAN), nullable=False, default=Default(DefaultKind.LITERAL, value=True, sql="TRUE")),
        Column("opens", TypeRef(Kind.TIME), nullable=False, default=Default(DefaultKind.LITERAL, value="08:00", sql="'08:00'")),
        Column("legacy_id", TypeRef(Kind.STRING, length=36, fixed=True), default=Default(DefaultKind.UUID, sql="(UUID())")),
    )
    view = build_view(spec)
    defaults = {c.name: render(c.server_default) for c in view.tables[0].columns if c.server_default is not None}
    assert defaults == {
        "id": "rt.gen_random_uuid()",
        "created_at": "sa.func.now()",
        "tags": "rt.empty_array()",
        "active": "sa.true()",
        "opens": "sa.text(\"'08:00:00'\")",
        "legacy_id": "rt.uuid_text()",
    }
    cols = [sa.Column(c.name, build(c.type), server_default=build(c.server_default)) for c in view.tables[0].columns]
    table = sa.Table("things", sa.MetaData(), *cols)
    pg = str(CreateTable(table).compile(dialect=postgresql.dialect()))
    lite = str(CreateTable(table).compile(dialect=sqlite.dialect()))
    assert "DEFAULT gen_random_uuid()" in pg and "DEFAULT now()" in pg and "DEFAULT '{}'" in pg and "DEFAULT true" in pg
    assert "DEFAULT (lower(hex(randomblob(16))))" in lite and "DEFAULT CURRENT_TIMESTAMP" in lite and "DEFAULT '[]'" in lite
    engine = sa.create_engine("sqlite://")
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO things DEFAULT VALUES"))
        row = conn.execute(sa.select(table)).one()
    assert isinstance(row.id, uuid.UUID) and row.tags == [] and row.active is True and row.opens == dt.time(8, 0)
    assert len(row.legacy_id) == 36 and row.legacy_id.count("-") == 4


def test_postgres_only_constructs_are_conditional() -> None:
    spec = one_table_spec(
        PK,
        Column("title", TypeRef(Kind.STRING, length=200), nullable=False),
        indexes=(
            Index("ix_title_trgm", (IndexElement(column="title", opclass="gin_trgm_ops"),), using="gin"),
            Index("ix_title_search", (IndexElement(expression="to_tsvector('english', title)"),), using="gin"),
            Index("ix_title_lower", (IndexElement(expression="lower(title)"),), unique=True),
        ),
    )
    view = build_view(spec)
    by_name = {(i.name, i.dialect) for i in view.tables[0].indexes}
    assert by_name == {("ix_title_trgm", "postgresql"), ("ix_title_search", "postgresql"), ("ix_title_lower", "")}
    assert view.extensions == ("pg_trgm",)


def test_mysql_checks_and_generated_columns_are_translated() -> None:
    spec = one_table_spec(
        Column("id", TypeRef(Kind.INTEGER, bits=64, unsigned=True), nullable=False, primary_key=True, autoincrement=True),
        Column("code", TypeRef(Kind.STRING, length=3, fixed=True), nullable=False),
        Column("status", TypeRef(Kind.ENUM, values=("active", "lost")), nullable=False),
        Column("active_id", TypeRef(Kind.INTEGER, bits=64), generated="IF(status = 'active', id, NULL)"),
        dialect="mysql",
        checks=(),
    )
    from dataclasses import replace

    from roundtrip.ir import CheckConstraint

    spec = replace(spec, tables=(replace(spec.tables[0], checks=(CheckConstraint("code REGEXP '^[A-Z]{3}$'", name="chk_code"),)),))
    t = build_view(spec).tables[0]
    assert {(c.dialect, c.sql) for c in t.checks} == {("postgresql", "code ~ '^[A-Z]{3}$'"), ("sqlite", "code REGEXP '^[A-Z]{3}$'")}
    active = t.column("active_id")
    assert active is not None and active.computed == "CASE WHEN status = 'active' THEN id ELSE NULL END"
    ident = t.column("id")
    assert ident is not None and render(ident.type) == 'sa.BigInteger().with_variant(sa.Integer(), "sqlite")'


def _spec(key: str) -> Spec:
    return load(example_dir(key)).spec


def test_taskboard_models() -> None:
    text = emit_models(_spec("taskboard"))[MODELS_PATH]
    assert text.count("(Base):") == 8
    assert 'sa.CheckConstraint("key ~ \'^[A-Z]{2,6}$\'").ddl_if(dialect="postgresql")' in text
    assert 'sa.CheckConstraint("key REGEXP \'^[A-Z]{2,6}$\'").ddl_if(dialect="sqlite")' in text
    assert 'sa.Index("idx_tasks_title_trgm", "title", postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"}).ddl_if(dialect="postgresql")' in text
    assert 'sa.Index("uq_labels_tenant_name", "tenant_id", sa.text("lower(name)"), unique=True)' in text
    assert 'postgresql_where=sa.text("deleted_at IS NULL AND status <> \'done\'"), sqlite_where=' in text
    # two foreign keys from tasks to users: both relationships name their columns
    assert 'assignee: Mapped[User | None] = relationship(back_populates="assignee_tasks", foreign_keys="Task.assignee_id")' in text
    assert 'reporter_tasks: Mapped[list[Task]] = relationship(back_populates="reporter", foreign_keys="Task.reporter_id", passive_deletes=True)' in text
    assert 'task_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), sa.ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)' in text


def test_exams_models_use_native_enums_and_arrays() -> None:
    text = emit_models(_spec("exams"))[MODELS_PATH]
    assert 'USER_ROLE = sa.Enum("admin", "instructor", "student", name="user_role", create_constraint=True, metadata=Base.metadata)' in text
    assert "role: Mapped[str] = mapped_column(USER_ROLE, server_default=sa.text(\"'student'\"))" in text
    assert "question_order: Mapped[list[uuid.UUID]] = mapped_column(rt.Array(sa.Uuid()))" in text
    assert 'sa.UniqueConstraint("exam_id", "position", name="uq_questions_exam_position", deferrable=True, initially="DEFERRED")' in text
    assert 'sa.Index("idx_attempts_exam_submitted", "exam_id", sa.text("submitted_at DESC"))' in text
    assert "server_default=rt.uuid_generate_v4()" in text


def test_bookings_models_exclusion_is_postgres_only() -> None:
    text = emit_models(_spec("bookings"))[MODELS_PATH]
    assert (
        'postgresql.ExcludeConstraint(("room_id", "="), (sa.text("tstzrange(start_at, end_at, \'[)\')"), "&&"), '
        'name="excl_bookings_no_overlap", using="gist", where=sa.text("status = \'confirmed\'")).ddl_if(dialect="postgresql")'
    ) in text
    assert "amenities: Mapped[list[str]] = mapped_column(rt.Array(sa.Text()), server_default=rt.empty_array())" in text


def test_library_mysql_maps_to_portable_types() -> None:
    spec = _spec("library")
    text = emit_models(spec)[MODELS_PATH]
    assert 'id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True)' in text
    assert 'LOAN_STATUS = sa.Enum("active", "returned", "lost", name="loan_status"' in text
    assert "sa.Computed(\"CASE WHEN status = 'active' THEN copy_id ELSE NULL END\", persisted=True)" in text
    assert "updated_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime(), server_default=sa.func.now(), onupdate=sa.func.now())" in text
    assert "id: Mapped[str] = mapped_column(sa.CHAR(36), primary_key=True, server_default=rt.uuid_text(), default=rt.new_uuid_text)" in text
    notes = [d.message for d in model_notes(spec)]
    assert any("FULLTEXT index ft_books_title" in n for n in notes)
    assert any("idx_books_authors" in n and "GIN" in n for n in notes)


@pytest.mark.parametrize("key", sorted(EXAMPLE_SETS))
def test_generated_twice_is_byte_identical_and_marked(key: str) -> None:
    spec = _spec(key)
    first, second = emit_models(spec), emit_models(load(example_dir(key)).spec)
    assert first == second
    for rel, content in first.items():
        head = "\n".join(content.splitlines()[:3])
        assert "generated by roundtrip" in head, rel
    assert first[TYPES_PATH].split("\n", 1)[1] == (REPO / "roundtrip/emit/sa_runtime_types.py").read_text().split("\n", 1)[1]


def test_written_files_are_recognized_as_generated(tmp_path: Path) -> None:
    out = write_tree(emit_models(_spec("bookings")), tmp_path)
    for rel in (MODELS_PATH, TYPES_PATH, "app/__init__.py"):
        assert is_generated(out / rel), rel


@pytest.mark.parametrize("key", sorted(EXAMPLE_SETS))
def test_models_create_every_table_on_sqlite(key: str, tmp_path: Path) -> None:
    spec = _spec(key)
    out = write_tree(emit_models(spec), tmp_path)
    models = import_models(out, key)
    engine = sa.create_engine("sqlite://")
    models.Base.metadata.create_all(engine)
    assert sorted(sa.inspect(engine).get_table_names()) == sorted(t.name for t in spec.tables if t.columns)


def test_orm_round_trip_on_sqlite(tmp_path: Path) -> None:
    out = write_tree(emit_models(_spec("exams")), tmp_path)
    models = import_models(out, "orm")
    from sqlalchemy.orm import Session

    engine = sa.create_engine("sqlite://")
    models.Base.metadata.create_all(engine)
    when = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with Session(engine) as s:
        user = models.User(email="a@b.c", password_hash="x", name="Ann")
        exam = models.Exam(instructor=user, title="T", duration_minutes=30)
        attempt = models.ExamAttempt(exam=exam, user=user, attempt_number=1, question_order=[uuid.UUID(int=1)], started_at=when, expires_at=when + dt.timedelta(hours=1), max_score=10)
        s.add_all([user, exam, attempt])
        s.commit()
        s.expire_all()
        got = s.scalars(sa.select(models.ExamAttempt)).one()
        assert got.question_order == [uuid.UUID(int=1)]
        assert got.started_at == when and got.started_at.tzinfo is not None
        assert got.status == "in_progress" and got.exam.instructor.email == "a@b.c"
        assert isinstance(got.id, uuid.UUID)
    with engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(sa.text("INSERT INTO users (id, email, password_hash, name, role) VALUES ('x', 'e', 'h', 'n', 'nobody')"))


def _tool(name: str) -> str:
    exe = BIN / name
    if exe.exists():
        return str(exe)
    found = shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed")
    return found


def test_generated_python_passes_ruff_and_mypy(tmp_path: Path) -> None:
    from roundtrip.emit.migrations import emit_alembic

    outs = []
    for key in sorted(EXAMPLE_SETS):
        spec = _spec(key)
        out = write_tree({**emit_models(spec), **emit_alembic(spec)}, tmp_path / key)
        outs.append(out)
        ruff = subprocess.run([_tool("ruff"), "check", "--no-cache", "."], cwd=out, capture_output=True, text=True)
        assert ruff.returncode == 0, f"{key}: {ruff.stdout}{ruff.stderr}"
        mypy = subprocess.run(
            [_tool("mypy"), "--no-incremental", "--cache-dir", str(tmp_path / ".mypy"), "app", "migrations/env.py", "migrations/versions/0001_initial.py"],
            cwd=out,
            capture_output=True,
            text=True,
        )
        assert mypy.returncode == 0, f"{key}: {mypy.stdout}{mypy.stderr}"
    assert len(outs) == len(EXAMPLE_SETS)


def _all_docs() -> list[Path]:
    from tests.conftest import EXAMPLES

    docs = list(corpus_files())
    if EXAMPLES.is_dir():
        docs += sorted(EXAMPLES.rglob("*.md"))
    return docs


@pytest.mark.parametrize("doc", _all_docs(), ids=lambda p: p.name)
def test_emitter_never_crashes_and_mappers_configure(doc: Path, tmp_path: Path) -> None:
    import warnings

    import sqlalchemy.orm as orm

    spec = load(doc).spec
    files = emit_models(spec)
    compile(files[MODELS_PATH], MODELS_PATH, "exec")
    assert all(d.code == "RT303" for d in model_notes(spec))
    if any(t.columns and t.primary_key for t in spec.tables):
        models = import_models(write_tree(files, tmp_path), doc.stem.replace("-", "_"))
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an ambiguous or overlapping relationship is a failure
            orm.configure_mappers()
        assert models.Base.metadata.tables


def test_notes_carry_spans() -> None:
    spec = one_table_spec(PK, Column("ref_id", TypeRef(Kind.UUID), span=Span("DATA_MODEL.md", 9)))
    from dataclasses import replace

    from roundtrip.ir import ForeignKey

    spec = replace(spec, tables=(replace(spec.tables[0], foreign_keys=(ForeignKey(("ref_id",), "nowhere", ("id",), span=Span("DATA_MODEL.md", 12)),)),))
    notes = model_notes(spec)
    assert [(d.code, d.span.line) for d in notes] == [("RT303", 12)]
    assert "unknown table nowhere" in notes[0].message
