"""Request bodies written as field names: "Body: any of `a`, `b` (only `x`)" (issue #4).

The reader records the names; the resolver types them from the endpoint's resource (the success
type, else the table its path maps to), across documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from roundtrip.api import load
from roundtrip.diagnostics import Sink
from roundtrip.ir import Endpoint, Facts, Kind
from roundtrip.markdown import parse_document
from roundtrip.readers.api_body_list import read_body_field_list
from roundtrip.readers.endpoints import read_endpoints
from roundtrip.source import Span

_SPAN = Span("t.md", 1)


def read_text(text: str) -> tuple[Facts, Sink]:
    facts, sink = Facts(), Sink()
    doc, _ = parse_document("t.md", text)
    read_endpoints(doc, facts, sink)
    return facts, sink


def endpoint(facts: Facts, key: str) -> Endpoint:
    return next(e for e in facts.endpoints if e.key == key)


def test_list_spellings() -> None:
    one = read_body_field_list("any of `a`, `b` and `c`", _SPAN)
    assert one is not None and one.any_of and [f.name for f in one.fields] == ["a", "b", "c"]
    two = read_body_field_list("one or more of `title`, `dueDate`, or `done`", _SPAN)
    assert two is not None and two.any_of and [f.name for f in two.fields] == ["title", "dueDate", "done"]
    three = read_body_field_list("fields: `email`, `password`", _SPAN)
    assert three is not None and not three.any_of and [f.name for f in three.fields] == ["email", "password"]
    narrowed = read_body_field_list("any of `x`, `status` (only `lost`, `available`; `on_loan` is set elsewhere)", _SPAN)
    assert narrowed is not None and narrowed.fields[1].values == ("lost", "available")
    assert narrowed.fields[1].note == "on_loan is set elsewhere" and narrowed.fields[0].values == ()
    # Not the construct: a type, an example, prose that merely mentions fields.
    for text in ("`UpdateCopyDto`", '`{ "a": 1 }`', "any fields you like", "JSON with `a` and `b`"):
        assert read_body_field_list(text, _SPAN) is None


@pytest.mark.parametrize("line", [
    "Auth: admin · Body: any of `name`, `status` (only `open`, `closed`)",
    "**Body**: any of `name`, `status` (only `open`, `closed`)",
    "**Request Body**: one or more of `name` or `status` (only `open`, `closed`)",
    "Body:\nany of `name`, `status` (only `open`, `closed`)",
])
def test_reader_records_names_and_restrictions(line: str) -> None:
    facts, sink = read_text(f"# API\n\n#### PATCH /boards/{{boardId}}\n{line}\n\n**200 OK** — `Board`\n")
    ep = endpoint(facts, "PATCH /boards/{boardId}")
    assert ep.request is not None and ep.request.type is not None
    fields = {f.name: f for f in ep.request.type.fields}
    assert list(fields) == ["name", "status"] and not any(f.required for f in fields.values())
    assert fields["status"].type.kind is Kind.ENUM and fields["status"].type.values == ("open", "closed")
    assert ep.request.description == ""  # the names are the body, not a description of it
    assert [(m, p, r) for m, p, r, _ in facts.listed_bodies] == [("PATCH", "/boards/{boardId}", "Board")]
    assert not sink.sorted()


def test_fields_label_on_post_is_required() -> None:
    facts, _ = read_text("# API\n\n#### POST /boards\nBody fields: `name`, `status`\n\n**201 Created** — `Board`\n")
    ep = endpoint(facts, "POST /boards")
    assert ep.request is not None and ep.request.type is not None
    assert [f.required for f in ep.request.type.fields] == [True, True]


def test_a_field_table_wins_over_nothing_recorded() -> None:
    text = ("# API\n\n#### PATCH /boards/{id}\nBody: any of `name`\n\n| Field | Type |\n|---|---|\n| name | string |\n\n"
            "**200 OK** — `Board`\n")
    facts, _ = read_text(text)
    assert endpoint(facts, "PATCH /boards/{id}").request is not None
    assert facts.listed_bodies == []  # the reader's list stands only where nothing typed the body first


_MODELS = """# Models

```typescript
type BoardStatus = 'open' | 'closed' | 'archived';
interface Board {
  id: number;
  name: string;        // max 80
  status: BoardStatus; // default 'open'
}
```

```sql
CREATE TABLE cards (
  id BIGSERIAL PRIMARY KEY,
  title VARCHAR(120) NOT NULL,
  points INTEGER
);
```
"""

_API = """# API

#### PATCH /boards/{boardId}
Auth: admin · Body: any of `name`, `status` (only `open`, `closed`; `archived` is set by the nightly job)

**200 OK** — `Board`

#### PATCH /cards/{cardId}
Body: any of `title`, `points`

**204 No Content**

#### PATCH /boards/{boardId}/rename
Body: any of `nmae`, `status` (only `open`, `deleted`)

**200 OK** — `Board`
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> object:
    root: Path = tmp_path_factory.mktemp("listed")
    (root / "models.md").write_text(_MODELS, encoding="utf-8")
    (root / "api.md").write_text(_API, encoding="utf-8")
    return load(root)


def test_resolver_types_names_from_a_schema_in_another_file(compiled) -> None:  # type: ignore[no-untyped-def]
    ep = next(e for e in compiled.spec.endpoints if e.key == "PATCH /boards/{boardId}")
    fields = {f.name: f for f in ep.request.type.fields}
    assert fields["name"].type.kind is Kind.STRING and not fields["name"].required
    assert fields["status"].type.kind is Kind.ENUM and fields["status"].type.values == ("open", "closed")
    assert "archived is set by the nightly job" in fields["status"].description
    assert not fields["status"].has_default  # leaving a field out of a PATCH must not reset it


def test_resolver_falls_back_to_the_table_of_the_path(compiled) -> None:  # type: ignore[no-untyped-def]
    ep = next(e for e in compiled.spec.endpoints if e.key == "PATCH /cards/{cardId}")
    fields = {f.name: f for f in ep.request.type.fields}
    assert fields["title"].type.kind is Kind.STRING and fields["title"].type.length == 120
    assert fields["points"].type.kind is Kind.INTEGER and fields["points"].type.nullable


def test_unknown_names_and_values_are_diagnostics_at_the_line(compiled) -> None:  # type: ignore[no-untyped-def]
    found = {(d.code, d.span.line) for d in compiled.diagnostics if d.span.file == "api.md"}
    assert ("RT206", 14) in found  # `nmae` is not a field of Board
    assert ("RT201", 14) in found  # `deleted` is not a BoardStatus value
    messages = " ".join(d.message for d in compiled.diagnostics if d.code in ("RT206", "RT201"))
    assert "`nmae`" in messages and "deleted" in messages


def test_body_fields_spellings() -> None:
    for line in ("**Body fields**: `name`, `status`", "Body: fields: `name`, `status`"):
        facts, _ = read_text(f"# API\n\n#### PUT /boards/{{id}}\n{line}\n\n**200 OK** — `Board`\n")
        ep = endpoint(facts, "PUT /boards/{id}")
        assert ep.request is not None and ep.request.type is not None
        assert [(f.name, f.required) for f in ep.request.type.fields] == [("name", True), ("status", True)]
