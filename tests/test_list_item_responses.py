""""<X> object (as in the list above)" where no schema is named X: the created row is typed as an item of the list
the same path's GET answers (taskboard's POST …/comments answered 201 with no schema, so an empty body)."""

from __future__ import annotations

from pathlib import Path

from roundtrip import api
from roundtrip.ir import Kind
from tests.conftest import example_dir

NOTES = """# Notes API

## Endpoints

### GET /boards/{boardId}/notes
**Success Response** (200):
```json
{ "data": [ { "id": 7, "text": "Buy milk", "pinned": false } ], "meta": { "total": 1 } }
```

### POST /boards/{boardId}/notes
**Request Body**:
| Field | Type | Required |
|-------|------|----------|
| text | string | Yes |

**Success Response** (201): Note object (as in the list above).

### POST /boards/{boardId}/pins
**Success Response** (201): Note object.
"""


def _created(spec: object, path: str) -> object:
    ep = spec.endpoint("POST", path)  # type: ignore[attr-defined]
    assert ep is not None
    return next(r for r in ep.responses if r.status == 201).body


def test_the_created_object_is_an_item_of_the_sibling_list(tmp_path: Path) -> None:
    (tmp_path / "API.md").write_text(NOTES, encoding="utf-8")
    spec = api.load(tmp_path).spec
    body = _created(spec, "/boards/{boardId}/notes")
    assert body is not None and body.type.kind is Kind.OBJECT  # type: ignore[attr-defined]
    assert [f.name for f in body.type.fields] == ["id", "text", "pinned"]  # type: ignore[attr-defined]
    assert body.example == {"id": 7, "text": "Buy milk", "pinned": False}  # type: ignore[attr-defined]
    # another path's resource (pins) is not a note: nothing is borrowed
    pins = _created(spec, "/boards/{boardId}/pins")
    assert pins is None or pins.type is None  # type: ignore[attr-defined]


def test_taskboard_comment_created_is_a_comment() -> None:
    spec = api.load(example_dir("taskboard")).spec
    body = _created(spec, "/v1/tasks/{taskId}/comments")
    assert body is not None and body.type is not None  # type: ignore[attr-defined]
    t = body.type  # type: ignore[attr-defined]
    if t.kind is Kind.REF:
        t = spec.schema(t.ref).type
    assert {"id", "body", "author"} <= {f.name for f in t.fields}
