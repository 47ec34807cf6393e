"""What the compiled document says beyond one example (issue 4): example-inferred types widened by the
other statements (ir/infer.Evidence), free-form error `details`, errors and pagination bounds stated
once for a class of endpoints, and comma-separated enum filters. Each case compiles a small doc."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from roundtrip import api

DATA_MODEL = """# Data Model

### recipes

| Column | Type | Constraints | Description |
|--------|------|-------------|-------------|
| id | UUID | PK | Recipe id |
| title | VARCHAR(120) | NOT NULL | Name |
| description | TEXT | NULL | Summary |
| servings | INTEGER | NOT NULL | Servings |

### recipe_lines

| Column | Type | Constraints | Description |
|--------|------|-------------|-------------|
| id | UUID | PK | Line id |
| recipe_id | UUID | NOT NULL, FK recipes(id) | Recipe |
| quantity | NUMERIC(6,2) | NOT NULL | Amount |
| unit | VARCHAR(10) | NOT NULL | Unit |
"""

API = """# API Specification

## Conventions

### Pagination

| Parameter | Type | Default | Validation |
|-----------|------|---------|------------|
| `limit` | integer | 20 | 1–100 |
| `offset` | integer | 0 | ≥ 0 |

### Sorting
`sort` takes a field name; prefix it with `-` for descending order. Unknown fields return `400 INVALID_SORT_FIELD`.

### Error Format
```json
{"error": {"code": "COPY_NOT_AVAILABLE", "message": "Copy 3 is on loan", "details": {"copyId": 3, "status": "on_loan"}}}
```

## Recipes

### GET /recipes
**Description**: List recipes.

**Authentication Required**: No

**Query Parameters**:
| Parameter | Type | Required | Description | Validation |
|-----------|------|----------|-------------|------------|
| difficulty | string | No | Filter | `easy`, `medium`, `hard` (comma-separated) |
| kind | string | No | One kind | `a`, `b` |
| sort | string | No | Sort fields: `title` | Default `title` |
| limit / offset | integer | No | Pagination | See Pagination |

**Success Response** (200):
```json
{"data": [{"id": "4cd42e97-5e38-4efa-b659-a21a4a8419b6", "title": "Soup", "description": "Hot", "servings": 2,
           "lines": [{"quantity": 400, "unit": "g"}]}]}
```

### POST /recipes
**Description**: Create a recipe.

**Authentication Required**: No

**Request Body**:
| Field | Type | Required | Description | Validation |
|-------|------|----------|-------------|------------|
| title | string | Yes | Name | 1-120 chars |
| description | string | No | Summary | Max 2000 chars |
| servings | integer | Yes | Servings | 1-100 |

**Success Response** (201):
```json
{"id": "4cd42e97-5e38-4efa-b659-a21a4a8419b6", "title": "Soup", "description": "Hot", "servings": 2,
 "lines": [{"quantity": 1.5, "unit": "tsp"}]}
```

### GET /units
**Description**: List units.

**Authentication Required**: No

**Success Response** (200):
```json
{"data": [{"code": "g", "factor": 1}]}
```
"""


def compile_docs(
    tmp_path: Path, api_md: str = API, data_md: str = DATA_MODEL
) -> tuple[dict[str, Any], list[str]]:
    (tmp_path / "API_SPEC.md").write_text(api_md, encoding="utf-8")
    (tmp_path / "DATA_MODEL.md").write_text(data_md, encoding="utf-8")
    result = api.load(tmp_path)
    doc, diags = api.openapi(result.spec)
    assert not diags, [d.message for d in diags]
    return doc, [f"{d.code} {d.message}" for d in result.diagnostics]


def schema_at(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = doc["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def response_schema(doc: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    return schema_at(
        doc, doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    )


def param(doc: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    return next(p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_decimal_in_another_example_or_a_numeric_column_makes_a_number(tmp_path: Path) -> None:
    doc, _ = compile_docs(tmp_path)
    listed = response_schema(doc, "/recipes", "get", "200")["properties"]["data"]["items"]
    # 400 in this example, 1.5 in POST's example of the same object, and NUMERIC(6,2) behind it
    assert listed["properties"]["lines"]["items"]["properties"]["quantity"]["type"] == "number"
    assert listed["properties"]["servings"]["type"] == "integer"  # INTEGER column, integer everywhere
    # no column, no other example: one integer example stays an integer
    unit = response_schema(doc, "/units", "get", "200")["properties"]["data"]["items"]
    assert unit["properties"]["factor"]["type"] == "integer"


def test_decimal_column_alone_makes_a_number(tmp_path: Path) -> None:
    doc, _ = compile_docs(tmp_path, API.replace('"quantity": 1.5', '"quantity": 2'))
    created = response_schema(doc, "/recipes", "post", "201")
    assert created["properties"]["lines"]["items"]["properties"]["quantity"]["type"] == "number"
    integer_column = DATA_MODEL.replace("| quantity | NUMERIC(6,2) |", "| quantity | INTEGER |")
    doc, _ = compile_docs(tmp_path, API.replace('"quantity": 1.5', '"quantity": 2'), integer_column)
    created = response_schema(doc, "/recipes", "post", "201")
    assert created["properties"]["lines"]["items"]["properties"]["quantity"]["type"] == "integer"


def test_nullable_column_is_nullable_in_responses_only(tmp_path: Path) -> None:
    doc, _ = compile_docs(tmp_path)
    for schema in (
        response_schema(doc, "/recipes", "get", "200")["properties"]["data"]["items"],
        response_schema(doc, "/recipes", "post", "201"),
    ):
        assert schema["properties"]["description"]["type"] == ["string", "null"]
        assert schema["properties"]["title"]["type"] == "string"  # NOT NULL
        assert schema["properties"]["id"]["type"] == "string"  # primary key
    request = schema_at(
        doc, doc["paths"]["/recipes"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    )
    assert request["properties"]["description"]["type"] == "string"  # the request states what it accepts


def test_field_the_create_request_may_omit_is_nullable_in_its_response(tmp_path: Path) -> None:
    # no column backs `description` here: the optional request field without a default says it
    no_column = DATA_MODEL.replace("| description | TEXT | NULL | Summary |\n", "")
    doc, _ = compile_docs(tmp_path, data_md=no_column)
    assert response_schema(doc, "/recipes", "post", "201")["properties"]["description"]["type"] == [
        "string",
        "null",
    ]
    listed = response_schema(doc, "/recipes", "get", "200")["properties"]["data"]["items"]
    assert listed["properties"]["description"]["type"] == "string"
    # a NOT NULL column says the value is always stored (a default fills it): not nullable
    not_null = DATA_MODEL.replace("| description | TEXT | NULL |", "| description | TEXT | NOT NULL |")
    doc, _ = compile_docs(tmp_path, data_md=not_null)
    assert response_schema(doc, "/recipes", "post", "201")["properties"]["description"]["type"] == "string"


def test_error_details_of_one_example_are_free_form(tmp_path: Path) -> None:
    doc, _ = compile_docs(tmp_path)
    envelope = doc["components"]["schemas"]["ErrorResponse"]
    error = envelope["properties"]["error"]
    assert error["properties"]["code"]["type"] == "string"
    details = error["properties"]["details"]
    assert details["type"] == "object" and "properties" not in details and "required" not in details


def test_sort_error_convention_is_an_error_of_every_sorted_list(tmp_path: Path) -> None:
    doc, _ = compile_docs(tmp_path)
    bad = doc["paths"]["/recipes"]["get"]["responses"]["400"]["content"]["application/json"]
    assert set(bad["examples"]) == {"INVALID_SORT_FIELD"}
    assert bad["examples"]["INVALID_SORT_FIELD"]["summary"] == "Unknown fields in sort"
    assert bad["examples"]["INVALID_SORT_FIELD"]["value"]["error"]["code"] == "INVALID_SORT_FIELD"
    assert "400" not in doc["paths"]["/units"]["get"]["responses"]  # takes no `sort`
    unstated = API.replace(" Unknown fields return `400 INVALID_SORT_FIELD`.", "")
    doc, _ = compile_docs(tmp_path, unstated)
    assert "400" not in doc["paths"]["/recipes"]["get"]["responses"]


def test_pagination_bounds_reach_the_parameters_that_reference_them(tmp_path: Path) -> None:
    doc, _ = compile_docs(tmp_path)
    limit, offset = param(doc, "/recipes", "limit")["schema"], param(doc, "/recipes", "offset")["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 100, 20)
    assert offset["minimum"] == 0 and "maximum" not in offset
    own = API.replace(
        "| limit / offset | integer | No | Pagination | See Pagination |",
        "| limit | integer | No | Page size | 1-10 |\n| offset | integer | No | Skip | See Pagination |",
    )
    doc, _ = compile_docs(tmp_path, own)
    limit = param(doc, "/recipes", "limit")["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, 10)  # the endpoint's own statement wins


def test_comma_separated_enum_filter_is_a_value_list(tmp_path: Path) -> None:
    doc, _ = compile_docs(tmp_path)
    difficulty = param(doc, "/recipes", "difficulty")["schema"]
    assert difficulty["type"] == "string" and "enum" not in difficulty
    pattern = re.compile(difficulty["pattern"])
    assert pattern.search("easy") and pattern.search("easy,hard")
    assert not pattern.search("expert") and not pattern.search("easy,") and not pattern.search("easy,expert")
    assert param(doc, "/recipes", "kind")["schema"]["enum"] == ["a", "b"]  # one value: still an enum


def test_lint_stays_clean(tmp_path: Path) -> None:
    _, diags = compile_docs(tmp_path)
    assert not [d for d in diags if d.startswith("RT2")], diags
