"""Properties of the IR itself: the one type table is total, spans stay out of equality, serialization is stable."""

from __future__ import annotations

from dataclasses import replace

from roundtrip.ir import Column, Field, Kind, Table, TypeRef
from roundtrip.ir.naming import camel, plural, singular, snake
from roundtrip.ir.serialize import to_data
from roundtrip.ir.typemap import TARGETS, TYPE_TABLE
from roundtrip.source import Span


def test_every_kind_is_mapped_for_every_target() -> None:
    missing = [(k.value, t) for k in Kind for t in TARGETS if t not in TYPE_TABLE.get(k, {})]
    assert missing == []


def test_spans_do_not_take_part_in_equality() -> None:
    a = Field("dueDate", TypeRef(Kind.DATE), span=Span("a.md", 3))
    b = replace(a, span=Span("b.md", 99))
    assert a == b
    t1 = Table("tasks", (Column("id", TypeRef(Kind.UUID), span=Span("x.md", 1)),), span=Span("x.md", 1))
    t2 = Table("tasks", (Column("id", TypeRef(Kind.UUID), span=Span("y.md", 7)),), span=Span("y.md", 5))
    assert t1 == t2
    assert a != replace(a, name="due")


def test_serialization_drops_defaults_and_keeps_spans() -> None:
    f = Field("title", TypeRef(Kind.STRING, length=120), span=Span("API.md", 12))
    assert to_data(f) == {"name": "title", "type": {"kind": "string", "length": 120}, "span": "API.md:12"}


def test_naming_round_trips() -> None:
    assert snake("dueDate") == "due_date" and snake("isbn13") == "isbn13" and snake("HTTPServer") == "http_server"
    assert camel("due_date") == "dueDate"
    assert plural("category") == "categories" and plural("exam_attempt") == "exam_attempts" and plural("status") == "statuses"
    assert singular("categories") == "category" and singular("addresses") == "address" and singular("exam_attempts") == "exam_attempt"
    assert singular("quizzes") == "quiz" and plural("quiz") == "quizzes" and singular("exam_quizzes") == "exam_quiz"
