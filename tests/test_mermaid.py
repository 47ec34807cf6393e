"""Mermaid erDiagram fences → tables with origin MERMAID (roundtrip.readers.mermaid)."""

from __future__ import annotations

from pathlib import Path

import pytest

from roundtrip.diagnostics import Diagnostic, Sink
from roundtrip.ir import Facts, Kind, Origin, Table
from roundtrip.ir.types import TypeRef, t_array
from roundtrip.markdown import parse_document
from roundtrip.readers.mermaid import read_mermaid
from roundtrip.source import decode_text
from tests.conftest import CORPUS, EXAMPLES, corpus_files, example_dir


def read_file(path: Path) -> tuple[Facts, list[Diagnostic]]:
    return read_text(decode_text(path.name, path.read_bytes()), path.name)


def read_text(text: str, name: str = "doc.md") -> tuple[Facts, list[Diagnostic]]:
    facts, sink = Facts(), Sink()
    doc, _ = parse_document(name, text)
    read_mermaid(doc, facts, sink)
    return facts, sink.sorted()


def table(facts: Facts, name: str) -> Table:
    found = [t for t in facts.tables if t.name == name]
    assert found, f"no table {name}; have {[t.name for t in facts.tables]}"
    return found[0]


def line_of(path: Path, needle: str, after: int = 0) -> int:
    for i, ln in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if i > after and needle in ln:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


def test_exams_entities() -> None:
    path = example_dir("exams") / "data-model-contracts.md"
    facts, diags = read_file(path)
    assert [t.name for t in facts.tables] == ["users", "sessions", "exams", "questions", "exam_attempts", "answers"]
    assert all(t.origin is Origin.MERMAID and t.foreign_keys == () for t in facts.tables)
    users = table(facts, "users")
    assert users.span.line == line_of(path, "    User {")
    assert users.primary_key == ("id",)
    uid, email, role = users.column("id"), users.column("email"), users.column("role")
    assert uid is not None and uid.type == TypeRef(Kind.UUID) and uid.primary_key and not uid.nullable
    assert email is not None and email.unique and email.type == TypeRef(Kind.STRING)  # varchar: no length in mermaid
    assert email.span.line == line_of(path, "varchar email UK")
    assert role is not None and role.type == TypeRef(Kind.ENUM)  # enum without values
    created = users.column("created_at")
    assert created is not None and created.type == TypeRef(Kind.DATETIME, timezone=None)  # mermaid does not say
    attempts = table(facts, "exam_attempts")
    order = attempts.column("question_order")
    assert order is not None and order.type == t_array(TypeRef(Kind.UUID))
    score = attempts.column("score")
    assert score is not None and score.type == TypeRef(Kind.DECIMAL)
    exam_id = attempts.column("exam_id")
    assert exam_id is not None and exam_id.type.kind is Kind.UUID  # FK: the column, with no target
    assert len(attempts.columns) == 16 and len(table(facts, "answers").columns) == 8
    assert diags == []


def test_corpus_21_snake_case_entities_and_serial() -> None:
    path = CORPUS / "21_molding-shop_database-schema.md"
    if not path.exists():
        pytest.skip("corpus absent")
    facts, diags = read_file(path)
    assert len(facts.tables) == 17
    assert "plant_calendar" in [t.name for t in facts.tables]  # already snake_case: kept as written
    machines = table(facts, "machines")
    mid = machines.column("machine_id")
    assert mid is not None and mid.primary_key and mid.autoincrement and mid.type.bits == 32
    assert machines.column("target_cycle_time") is not None
    assert diags == []


def test_corpus_34_relationships_only_make_no_tables() -> None:
    path = CORPUS / "34_finance-accounting_DATA_MODEL.md"
    if not path.exists():
        pytest.skip("corpus absent")
    facts, diags = read_file(path)
    assert facts.tables == [] and diags == []


def test_comments_key_combos_uppercase_names_and_problems() -> None:
    text = (
        "```mermaid\n"
        "erDiagram\n"
        "    ORDER_ITEMS }o--|| ORDERS : \"belongs to\"\n"
        "    ORDER_ITEMS {\n"
        "        int order_id PK, FK \"the order\"\n"
        "        int line_no PK\n"
        "        varchar(20) sku UK\n"
        "        geometry price\n"
        "        this is not an attribute\n"
        "    }\n"
        "    LineItem {\n"
        "        uuid id PK\n"
        "```\n"
        "\n```mermaid\ngraph TD\n  A --> B\n```\n"
    )
    facts, diags = read_text(text)
    assert [t.name for t in facts.tables] == ["order_items", "line_items"]
    items = table(facts, "order_items")
    assert items.primary_key == ("order_id", "line_no")
    oid = items.column("order_id")
    assert oid is not None and oid.description == "the order" and oid.primary_key
    sku = items.column("sku")
    assert sku is not None and sku.unique and sku.type == TypeRef(Kind.STRING, length=20)
    price = items.column("price")
    assert price is not None and price.type.kind is Kind.STRING and price.type.source == "geometry"
    assert [(d.code, d.span.line) for d in diags] == [("RT111", 8), ("RT110", 9), ("RT110", 11)]


def _all_docs() -> list[Path]:
    files = corpus_files()
    if EXAMPLES.is_dir():
        files += sorted(EXAMPLES.rglob("*.md"))
    return files


@pytest.mark.parametrize("path", _all_docs(), ids=lambda p: p.name)
def test_never_raises_on_real_documents(path: Path) -> None:
    facts, diags = read_file(path)
    assert all(t.origin is Origin.MERMAID and t.columns for t in facts.tables)
    assert all(d.code in ("RT110", "RT111") for d in diags)
