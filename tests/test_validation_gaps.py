"""The validation error an endpoint owes for rules the docs state about what it writes (RT304)."""

from __future__ import annotations

from pathlib import Path

from roundtrip import api
from roundtrip.emit.openapi import build_openapi

DOCS = """\
# Notes API

## Endpoints

### POST /notes
Create a note.

**Request Body**:
```typescript
interface CreateNoteRequest {
  title: string;
  starts?: string;
  ends?: string;
}
```

**Response (201)**: `Note`

**Errors**:
| Status | Code | Description |
|--------|------|-------------|
| 400 | VALIDATION_ERROR | Invalid input |

### PATCH /notes/:id
Update a note.

**Request Body**:
```typescript
interface UpdateNoteRequest {
  title?: string;
  starts?: string;
  ends?: string;
}
```

**Response (200)**: `Note`

**Errors**:
| Status | Code | Description |
|--------|------|-------------|
| 404 | NOT_FOUND | Note not found |

### POST /auth/login
Sign in.

**Request Body**:
```typescript
interface LoginRequest {
  email: string;
  password: string;
}
```

**Response (200)**: `Session`

**Errors**:
| Status | Code | Description |
|--------|------|-------------|
| 401 | INVALID_CREDENTIALS | Wrong email or password |

## Types

```typescript
interface Note {
  id: string;
  title: string;
  starts: string | null;
  ends: string | null;
}
interface Session {
  token: string;
}
```

## Data Model

```sql
CREATE TABLE notes (
    id UUID PRIMARY KEY,
    title VARCHAR(200) NOT NULL,
    starts TIMESTAMPTZ,
    ends TIMESTAMPTZ,
    CONSTRAINT chk_notes_window CHECK (ends > starts)
);
CREATE TABLE users (
    id UUID PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    password_hash TEXT NOT NULL
);
```

## Validation Rules

### User
- email: valid email format, max 255 chars
"""


def compile_notes(tmp_path: Path, text: str = DOCS) -> tuple[api.CompileResult, dict]:
    (tmp_path / "api.md").write_text(text, encoding="utf-8")
    result = api.load(tmp_path)
    return result, build_openapi(result.spec)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_an_update_writing_a_checked_column_documents_the_validation_error(tmp_path: Path) -> None:
    result, doc = compile_notes(tmp_path)
    gaps = [d for d in result.diagnostics if d.code == "RT304"]
    # the PATCH writes `starts`/`ends`, which CHECK (ends > starts) constrains; POST lists its 400 and the
    # login writes nothing (the User rule is about stored accounts, not about signing in)
    assert [(d.span.file, d.span.line) for d in gaps] == [("api.md", line_of(DOCS, "### PATCH /notes/:id"))]
    assert "CHECK (ends > starts)" in gaps[0].message and "400 VALIDATION_ERROR" in gaps[0].message
    assert gaps[0].related[0].line == line_of(DOCS, "CONSTRAINT chk_notes_window")
    patch = doc["paths"]["/notes/{id}"]["patch"]["responses"]
    assert (
        "400" in patch
        and patch["400"]["content"]["application/json"]["schema"]
        == doc["paths"]["/notes"]["post"]["responses"]["400"]["content"]["application/json"]["schema"]
    )
    assert "400" not in doc["paths"]["/auth/login"]["post"]["responses"]


def test_docs_that_name_no_validation_error_get_none(tmp_path: Path) -> None:
    text = DOCS.replace("| 400 | VALIDATION_ERROR | Invalid input |", "| 409 | CONFLICT | Exists |")
    result, doc = compile_notes(tmp_path, text)
    assert not [d for d in result.diagnostics if d.code == "RT304"]
    assert "400" not in doc["paths"]["/notes/{id}"]["patch"]["responses"]


def test_an_endpoint_listing_the_error_itself_is_left_alone(tmp_path: Path) -> None:
    text = DOCS.replace(
        "| 404 | NOT_FOUND | Note not found |",
        "| 404 | NOT_FOUND | Note not found |\n| 400 | VALIDATION_ERROR | Bad |",
    )
    result, doc = compile_notes(tmp_path, text)
    assert not [d for d in result.diagnostics if d.code == "RT304"]
    patch = result.spec.endpoint("PATCH", "/notes/{id}")
    assert patch is not None and [(e.status, e.message) for e in patch.errors if e.status == 400] == [
        (400, "Bad")
    ]
