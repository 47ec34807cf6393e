"""A TypeScript `number` stored in an integer column compiles to `integer` within the column's range
(issue 4): a client cannot send 1.5 or 3e47 to a field the database cannot store. Applied where the
OpenAPI is emitted; the IR keeps `number`, so the canonical docs still say what the docs said."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from roundtrip import api
from roundtrip.ir import Kind, TypeRef
from roundtrip.ir.data import CheckConstraint, Column, Table
from roundtrip.ir.infer import check_bounded, check_range, integer_backed, string_backed
from roundtrip.ir.schema import Field
from roundtrip.ir.typemap import integer_range
from roundtrip.ir.types import Constraints
from tests.conftest import example_dir

INT32 = {"type": "integer", "format": "int32", "minimum": -(2**31), "maximum": 2**31 - 1}

DOCS = """# Widgets

## Data model

```sql
CREATE TABLE widgets (
  id BIGINT PRIMARY KEY,
  position INTEGER NOT NULL,
  stock SMALLINT NOT NULL,
  weight INTEGER NOT NULL,
  ratio NUMERIC(4,2) NOT NULL,
  views BIGINT NOT NULL
);
```

## Types

```typescript
interface CreateWidgetRequest {
  position?: number; // 1-based
  stock: number; // 1-100
  weight: number; // multiple of 0.5
  ratio: number;
  views: number;
}

interface Widget {
  id: number;
  position: number;
  stock: number;
  ratio: number;
  views: number;
}
```

## Endpoints

### POST /widgets
Create a widget.

**Request Body**: `CreateWidgetRequest`

**Response 201**: `Widget`

### PATCH /widgets/{id}
Move a widget.

**Request Body**:

| Field | Type | Required | Description |
|-------|------|----------|-------------|
| position | number | No | New position |
| label | number | No | Not stored |
"""


def compile_docs(tmp_path: Path, text: str = DOCS) -> dict[str, Any]:
    (tmp_path / "SPEC.md").write_text(text, encoding="utf-8")
    doc, diags = api.openapi(api.load(tmp_path).spec)
    assert not diags, [d.message for d in diags]
    return doc


def component(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return doc["components"]["schemas"][name]["properties"]


def test_number_fields_backed_by_integer_columns(tmp_path: Path) -> None:
    props = component(compile_docs(tmp_path), "CreateWidgetRequest")
    assert {k: props["position"][k] for k in INT32} == INT32
    # SMALLINT, and the docs' own 1-100 is tighter than the column: the docs' bounds stay
    assert props["stock"]["type"] == "integer" and (props["stock"]["minimum"], props["stock"]["maximum"]) == (
        1,
        100,
    )
    assert props["views"]["format"] == "int64" and props["views"]["maximum"] == 2**63 - 1024
    assert props["ratio"]["type"] == "number"  # NUMERIC column: fractions are stored
    # the docs allow halves: the emitter does not settle that disagreement with the column
    assert props["weight"]["type"] == "number" and props["weight"]["multipleOf"] == 0.5


def test_responses_and_inline_request_bodies(tmp_path: Path) -> None:
    doc = compile_docs(tmp_path)
    widget = component(doc, "Widget")
    assert widget["id"]["type"] == "integer" and widget["id"]["format"] == "int64"
    assert widget["stock"] == {"type": "integer", "format": "int32", "minimum": -32768, "maximum": 32767}
    body = doc["paths"]["/widgets/{id}"]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    inline = doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]["properties"]
    assert inline["position"]["type"] == "integer"
    assert inline["label"]["type"] == "number"  # no column behind it


def test_the_ir_keeps_the_documented_number(tmp_path: Path) -> None:
    (tmp_path / "SPEC.md").write_text(DOCS, encoding="utf-8")
    spec = api.load(tmp_path).spec
    request = spec.schema("CreateWidgetRequest")
    assert request is not None
    assert {f.name: f.type.kind for f in request.type.fields}["position"] is Kind.FLOAT


def test_exams_question_position() -> None:
    doc, _ = api.openapi(api.load(example_dir("exams")).spec)
    for name in ("CreateQuestionRequest", "UpdateQuestionRequest", "Question"):
        position = component(doc, name)["position"]
        # INTEGER NOT NULL CHECK (position >= 1): the CHECK's lower bound, the column's upper one
        assert {k: position[k] for k in INT32} == {**INT32, "minimum": 1}, name
    points = component(doc, "CreateQuestionRequest")["points"]
    assert points["type"] == "number" and points["multipleOf"] == 0.5  # NUMERIC(5,2) and halves


def test_exams_update_requests_admit_what_the_columns_store() -> None:
    """PATCH bodies restate no limits; the columns do (CHECK ranges, TIMESTAMPTZ, VARCHAR(200)), and the
    database refuses anything else, so the compiled schema admits exactly what can be stored."""
    doc, _ = api.openapi(api.load(example_dir("exams")).spec)
    exam = component(doc, "UpdateExamRequest")
    assert (exam["maxAttempts"]["minimum"], exam["maxAttempts"]["maximum"]) == (1, 10)
    assert (exam["durationMinutes"]["minimum"], exam["durationMinutes"]["maximum"]) == (5, 480)
    assert (exam["passingScore"]["minimum"], exam["passingScore"]["maximum"]) == (0, 100)
    assert exam["availableFrom"]["format"] == "date-time" and exam["title"]["maxLength"] == 200
    points = component(doc, "UpdateQuestionRequest")["points"]
    assert (points["minimum"], points["maximum"]) == (0.5, 100)


TABLE = Table(
    name="t",
    columns=(
        Column("n", TypeRef(Kind.INTEGER)),
        Column("x", TypeRef(Kind.DECIMAL, precision=5, scale=2)),
        Column("lo", TypeRef(Kind.INTEGER)),
        Column("hi", TypeRef(Kind.INTEGER)),
        Column("code", TypeRef(Kind.STRING, length=6)),
        Column("at", TypeRef(Kind.DATETIME)),
    ),
    checks=(
        CheckConstraint("n > 0 AND n < 100", columns=("n",)),
        CheckConstraint("x BETWEEN 0.5 AND 100", columns=("x",)),
        CheckConstraint("hi > lo", columns=("hi", "lo")),
        CheckConstraint("code ~ '^[A-Z]+$'", columns=("code",)),
    ),
)


def test_check_range_reads_plain_ranges_of_one_column_only() -> None:
    assert check_range(TABLE, TABLE.columns[0]) == Constraints(exclusive_minimum=0, exclusive_maximum=100)
    assert check_range(TABLE, TABLE.columns[1]) == Constraints(minimum=0.5, maximum=100)
    assert check_range(TABLE, TABLE.columns[3]) == Constraints()  # `hi > lo` is no range
    assert check_range(TABLE, TABLE.columns[4]) == Constraints()  # a pattern is no range


def test_check_bounded_fills_unstated_sides_and_keeps_stated_ones() -> None:
    n, x = TABLE.columns[0], TABLE.columns[1]
    whole = check_bounded(Field("n", TypeRef(Kind.INTEGER)), TABLE, n)
    assert (whole.constraints.minimum, whole.constraints.maximum) == (1, 99)  # `> 0` on an integer is `>= 1`
    stated = check_bounded(Field("x", TypeRef(Kind.FLOAT), constraints=Constraints(minimum=0)), TABLE, x)
    # the docs' own minimum stands (a looser one is the validator's RT202); the unstated maximum is the CHECK's
    assert (stated.constraints.minimum, stated.constraints.maximum) == (0, 100)
    text = Field("x", TypeRef(Kind.STRING))
    assert check_bounded(text, TABLE, x) is text


def test_string_backed_takes_the_column_format_and_length() -> None:
    code, at = TABLE.columns[4], TABLE.columns[5]
    assert string_backed(Field("code", TypeRef(Kind.STRING)), code).constraints.max_length == 6
    stated = Field("code", TypeRef(Kind.STRING), constraints=Constraints(max_length=10))
    assert string_backed(stated, code) is stated
    assert string_backed(Field("at", TypeRef(Kind.STRING)), at).constraints.format == "date-time"
    patterned = Field("at", TypeRef(Kind.STRING), constraints=Constraints(pattern="^x$"))
    assert string_backed(patterned, at) is patterned


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (TypeRef(Kind.INTEGER, bits=16), (-32768, 32767)),
        (TypeRef(Kind.INTEGER), (-(2**31), 2**31 - 1)),
        (TypeRef(Kind.INTEGER, bits=32, unsigned=True), (0, 2**32 - 1)),
        (TypeRef(Kind.INTEGER, bits=64), (-(2**63), 2**63 - 1024)),  # the largest double below 2^63-1
        (TypeRef(Kind.INTEGER, bits=64, unsigned=True), (0, 2**63 - 1024)),  # int64 is the widest format
    ],
)
def test_integer_range(column: TypeRef, expected: tuple[int, int]) -> None:
    assert integer_range(column) == expected
    # a reader that parses JSON numbers as doubles (FastAPI's OpenAPI model, JavaScript) keeps the bounds
    assert all(int(float(bound)) == bound for bound in expected)


def test_integer_backed_leaves_fractional_statements_and_other_columns_alone() -> None:
    number = Field("n", TypeRef(Kind.FLOAT))
    int_col = Column("n", TypeRef(Kind.INTEGER, bits=32))
    assert integer_backed(number, None) is number
    assert integer_backed(number, Column("n", TypeRef(Kind.DECIMAL, precision=8, scale=2))) is number
    for fractional in (
        Field("n", TypeRef(Kind.FLOAT), example=1.5),
        Field("n", TypeRef(Kind.FLOAT), default=0.25, has_default=True),
        Field("n", TypeRef(Kind.FLOAT), constraints=Constraints(minimum=0.5)),
    ):
        assert integer_backed(fractional, int_col) is fractional
    narrowed = integer_backed(
        Field("n", TypeRef(Kind.FLOAT, nullable=True), constraints=Constraints(minimum=1)), int_col
    )
    assert narrowed.type.kind is Kind.INTEGER and narrowed.type.nullable
    assert (narrowed.constraints.minimum, narrowed.constraints.maximum) == (1, 2**31 - 1)
