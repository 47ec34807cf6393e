"""List parameters and catalogs the docs state once: grouped `page, limit, sort` rows typed by the
Pagination/Sorting conventions, documented value aliases ("UUID, `me` or `none`"), and an error catalog
written as code (`new AppError('CODE', 'message', 401)`) read as common errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from roundtrip import api
from roundtrip.emit.app_model import sort_model, value_aliases
from roundtrip.emit.app_routes import param_type
from roundtrip.emit.openapi import build_openapi
from roundtrip.ir import Kind, TypeRef
from roundtrip.ir.data import Column, Table
from roundtrip.ir.listing import SortList, sort_fields, sort_pattern
from roundtrip.ir.types import t_string

CONVENTIONS = """\
# Catalog API

## Conventions

| Item | Value |
|------|-------|
| Base URL | `https://api.example.org/v1` |
| Pagination | `page` (default 1), `limit` (default 25, max 100); response `{ "data": [...], "page", "limit", "total" }` |
{sorting}
## Endpoints

#### GET /books
Auth: public

| Query | Type | Constraints |
|-------|------|-------------|
| q | string | minLength 2 |
| ownerId | string | UUID, `me` or `none` |
| dueBefore | string | `YYYY-MM-DD` |
| page, limit, sort | | sort: `relevance` (default with `q`), `title`, `-publishedYear` |

**200 OK** — `{ "data": [], "page": 1, "limit": 25, "total": 0 }`
{tail}"""

SORTING = "| Sorting | `sort=<field>` or `sort=-<field>` (descending); each list documents allowed fields |\n"
PERFORMANCE = "\n## Performance\n\nLists use a default page size 20 items, max 100.\n"
CATALOG = """
## Errors

```typescript
export const Errors = {
  UNAUTHORIZED: () => new AppError('UNAUTHORIZED', 'Not authenticated', 401),
  NOT_FOUND: (resource: string) => new AppError('NOT_FOUND', `${resource} not found`, 404),
  RULE: (code: string, message: string) => new AppError(code, message, 422),
};
```
"""
ONE_THROW = """
## Example

```typescript
throw new AppError('TEAPOT', 'Only one', 418);
```
"""


def compile_doc(
    tmp_path: Path, *, sorting: str = SORTING, tail: str = ""
) -> tuple[api.CompileResult, dict[str, Any]]:
    (tmp_path / "api.md").write_text(
        CONVENTIONS.replace("{sorting}", sorting).replace("{tail}", tail), encoding="utf-8"
    )
    result = api.load(tmp_path)
    return result, build_openapi(result.spec)


def params(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p["schema"] for p in doc["paths"]["/books"]["get"]["parameters"]}


def test_grouped_page_limit_sort_row_takes_the_conventions(tmp_path: Path) -> None:
    _, doc = compile_doc(tmp_path)
    p = params(doc)
    assert p["page"] == {"type": "integer", "format": "int32", "minimum": 1}
    assert p["limit"] == {"type": "integer", "format": "int32", "minimum": 1, "maximum": 100, "default": 25}
    # `sort=-<field>` is the convention: each listed field, with or without `-`, and nothing else
    pattern = p["sort"]["pattern"]
    assert p["sort"]["type"] == "string"
    admitted = ("title", "-title", "publishedYear", "-publishedYear", "relevance", "-relevance")
    assert all(re.fullmatch(pattern, v) for v in admitted)
    assert not any(re.fullmatch(pattern, v) for v in ("author", "--title", "title,-relevance", ""))


def test_sort_without_a_sorting_convention_admits_the_values_as_written(tmp_path: Path) -> None:
    _, doc = compile_doc(tmp_path, sorting="")
    pattern = params(doc)["sort"]["pattern"]
    assert re.fullmatch(pattern, "-publishedYear") and re.fullmatch(pattern, "title")
    assert not re.fullmatch(pattern, "publishedYear") and not re.fullmatch(pattern, "-title")


def test_contradicting_default_page_size_keeps_the_first_statement_and_is_reported(tmp_path: Path) -> None:
    result, doc = compile_doc(tmp_path, tail=PERFORMANCE)
    assert params(doc)["limit"]["default"] == 25
    assert [d.code for d in result.diagnostics if d.code.startswith("RT2")] == ["RT211"]


def test_documented_aliases_beside_a_format_are_a_union(tmp_path: Path) -> None:
    result, doc = compile_doc(tmp_path)
    owner = next(p for p in result.spec.endpoints[0].parameters if p.name == "ownerId")
    assert owner.type.kind is Kind.UNION and owner.constraints.format is None
    assert params(doc)["ownerId"] == {
        "oneOf": [{"type": "string", "format": "uuid"}, {"type": "string", "enum": ["me", "none"]}]
    }
    # `YYYY-MM-DD` spells the format; it is no word the value may be instead
    assert params(doc)["dueBefore"] == {"type": "string", "format": "date"}


def test_app_reads_the_aliases_and_sort_fields_from_the_compiled_schema(tmp_path: Path) -> None:
    result, doc = compile_doc(tmp_path)
    p = params(doc)
    assert value_aliases(p["ownerId"]) == {"me": "caller", "none": "null"}
    assert param_type(p["ownerId"], set()) == "uuid.UUID | Literal['me', 'none']"
    assert value_aliases(p["q"]) == {}
    sort = next(q for q in doc["paths"]["/books"]["get"]["parameters"] if q["name"] == "sort")
    books = Table(
        name="books",
        columns=(Column("title", t_string(200)), Column("published_year", TypeRef(Kind.INTEGER))),
    )
    # the allow-list is the pattern's: `relevance` is admitted and orders by no column
    assert sort_model(result.spec, books, sort)["fields"] == {
        "relevance": None,
        "title": "title",
        "publishedYear": "published_year",
    }


def test_sort_pattern_round_trips_and_refuses_other_shapes() -> None:
    p = sort_pattern(["a", "-b", "c.d"], signed=False)
    assert p is not None and sort_fields(p) == SortList(("a", "-b", "c.d"), signed=False, several=False)
    assert sort_fields(sort_pattern(["a", "b"], signed=True)) == SortList(
        ("a", "b"), signed=True, several=False
    )
    assert sort_pattern(["createdAt:desc"], signed=True) is None
    assert sort_fields("^[a-z]+$") is None and sort_fields(None) is None


def test_a_comma_separated_sort_pattern_admits_lists_of_the_fields_only() -> None:
    p = sort_pattern(["priority", "dueDate"], signed=True, several=True)
    assert p == "^-?(?:priority|dueDate)(?:,-?(?:priority|dueDate))*$"
    assert sort_fields(p) == SortList(("priority", "dueDate"), signed=True, several=True)
    admitted = re.compile(p)
    assert all(admitted.fullmatch(v) for v in ("priority", "-priority,dueDate", "dueDate,-priority,dueDate"))
    assert not any(
        admitted.fullmatch(v) for v in ("", "priority,", ",dueDate", "-priority,title", "priority,,dueDate")
    )
    # a list whose later items name other fields is no pattern sort_pattern writes
    assert sort_fields("^(?:a|b)(?:,(?:a|c))*$") is None


def test_error_catalog_in_code_is_the_common_error_catalog(tmp_path: Path) -> None:
    result, doc = compile_doc(tmp_path, tail=CATALOG)
    lines = (tmp_path / "api.md").read_text(encoding="utf-8").splitlines()
    line_of = {
        code: next(i for i, t in enumerate(lines, 1) if f"new AppError('{code}'" in t)
        for code in ("UNAUTHORIZED", "NOT_FOUND")
    }
    got = [(e.status, e.code, e.message, e.span.line) for e in result.spec.common_errors]
    # the 422 has no literal code, and `${resource} not found` no literal message
    assert got == [
        (401, "UNAUTHORIZED", "Not authenticated", line_of["UNAUTHORIZED"]),
        (404, "NOT_FOUND", "", line_of["NOT_FOUND"]),
    ]
    # the existing rule for common errors: every authenticated endpoint answers them (GET /books is public)
    assert "401" not in doc["paths"]["/books"]["get"]["responses"]


def test_one_thrown_error_is_no_catalog(tmp_path: Path) -> None:
    result, _ = compile_doc(tmp_path, tail=ONE_THROW)
    assert result.spec.common_errors == ()


MULTI_SORT = (
    "\n### Sorting\n\n`sort` takes a comma-separated list of fields; prefix a field with `-` for descending order, "
    "e.g. `sort=-title,relevance`.\n"
)


def test_a_comma_separated_sorting_convention_admits_lists_of_the_listed_fields(tmp_path: Path) -> None:
    _, doc = compile_doc(tmp_path, sorting="", tail=MULTI_SORT)
    pattern = params(doc)["sort"]["pattern"]
    assert all(re.fullmatch(pattern, v) for v in ("title", "-title,relevance", "publishedYear,-title"))
    assert not any(re.fullmatch(pattern, v) for v in ("author", "title,", "title,author", "--title"))
