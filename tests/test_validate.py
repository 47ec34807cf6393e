"""Each consistency rule on a small doc set of its own: reported where it should be, silent where
the docs agree or differ by design (API stricter than the column)."""

from __future__ import annotations

from pathlib import Path

from roundtrip import api

DATA = """# Data Model

### items
| Column | Type | Constraints | Description |
|--------|------|-------------|-------------|
| id | UUID | PRIMARY KEY, DEFAULT gen_random_uuid() | |
| name | VARCHAR(50) | NOT NULL | |
| code | VARCHAR(6) | NOT NULL, CHECK (code ~ '^[A-Z]{2,6}$') | |
| size | VARCHAR(10) | NOT NULL, CHECK (size IN ('s', 'm', 'l')) | |
| notes | TEXT | NULL | |
| price | DECIMAL(8,2) | NOT NULL | |
| owner_id | UUID | NOT NULL, FK(owners.id) | |
"""


def compile_docs(tmp_path: Path, api_md: str, data_md: str = DATA) -> list[tuple[str, int]]:
    (tmp_path / "API_SPEC.md").write_text(api_md)
    (tmp_path / "DATA_MODEL.md").write_text(data_md)
    result, _ = api.compile_path(tmp_path)
    return sorted((d.code, d.span.line) for d in result.diagnostics if d.code.startswith("RT2"))


def body(*rows: str) -> str:
    head = "# API\n\n### POST /v1/items\n**Request Body**:\n| Field | Type | Required | Validation |\n|---|---|---|---|\n"
    return head + "\n".join(rows) + "\n\n**Success Response** (201): No content\n"


def test_agreeing_docs_are_silent_and_stricter_api_is_fine(tmp_path: Path) -> None:
    data = DATA.replace("FK(owners.id)", "").replace("| owner_id | UUID | NOT NULL,  | |", "| owner_id | UUID | NOT NULL | |")
    found = compile_docs(tmp_path, body(
        "| name | string | Yes | 1-40 chars |",
        "| code | string | Yes | `^[A-Z]{2,6}$` |",
        "| size | string | Yes | `s`, `m` |",
        "| notes | string | No | Max 5000 chars |",
    ), data)
    assert found == []


def test_each_disagreement_is_reported_at_the_api_line(tmp_path: Path) -> None:
    found = compile_docs(tmp_path, body(
        "| name | string | Yes | 1-80 chars |",  # line 7: longer than VARCHAR(50)
        "| code | string | Yes | `^[A-Z]{2,10}$` |",  # line 8: pattern and CHECK length differ
        "| size | string | Yes | `s`, `m`, `xl` |",  # line 9: xl cannot be stored
        "| colour | string | No | |",  # line 10: no column anywhere
        "| priceCents | integer | Yes | |",  # line 11: unit mismatch with price
    ))
    assert ("RT202", 7) in found and ("RT203", 8) in found and ("RT202", 8) in found
    assert ("RT201", 9) in found and ("RT204", 10) in found and ("RT210", 11) in found
    assert ("RT206", 12) in found  # owners is never defined (the FK in the column table, DATA_MODEL line 12)


def test_summary_tables_duplicates_and_undefined_types(tmp_path: Path) -> None:
    api_md = (
        "# API\n\n## Items\n\n| Method | Endpoint | Description | Auth |\n|---|---|---|---|\n"
        "| GET | `/v1/items` | List | Yes |\n| DELETE | `/v1/items/:id` | Remove | Yes |\n\n"
        "### GET /v1/items\n**Success Response** (200): `ItemList`\n\n"
        "### POST /v1/items\n**Success Response** (201): No content\n\n"
        "### GET /v1/items\n**Success Response** (200): No content\n"
    )
    found = compile_docs(tmp_path, api_md, "# nothing\n")
    assert ("RT207", 8) in found  # DELETE row without a section
    assert ("RT208", 13) in found  # POST section without a row
    assert ("RT209", 16) in found  # GET documented twice
    assert ("RT205", 11) in found  # ItemList is never defined


def test_statements_of_one_table_are_compared(tmp_path: Path) -> None:
    data = DATA + "\n```sql\nCREATE TABLE items (\n  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),\n  name VARCHAR(60) NOT NULL,\n  code VARCHAR(6) NOT NULL,\n  size VARCHAR(10),\n  notes TEXT,\n  price NUMERIC(8,2) NOT NULL,\n  owner_id UUID NOT NULL\n);\n```\n"
    found = compile_docs(tmp_path, "# API\n", data)
    # the column table (line 7 name, line 9 size) disagrees with the SQL (the primary statement)
    assert ("RT214", 7) in found and ("RT214", 9) in found


def test_conventions_stated_twice(tmp_path: Path) -> None:
    api_md = (
        "# API\n\n## Conventions\n\n| Item | Value |\n|---|---|\n| Pagination | `page` (default 1), `limit` (default 25, max 100) |\n\n"
        "## Performance\n\n- **Pagination**: default page size 50 items, max 100\n"
    )
    found = compile_docs(tmp_path, api_md, "# nothing\n")
    assert ("RT211", 11) in found
