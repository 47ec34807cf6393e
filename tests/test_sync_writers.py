"""The construct writers `roundtrip sync` uses, one at a time: inline error lists, error table rows and
list items in the docs' style, and the `// integer` convention that keeps a TypeScript integer one."""

from __future__ import annotations

from pathlib import Path

from roundtrip import api
from roundtrip.emit.md_schemas import ts_declaration
from roundtrip.ir import ErrorDoc, Field, Kind, Origin, Schema, TypeRef
from roundtrip.markdown import ListBlock, Table, parse_document
from roundtrip.sync.errors import error_item, error_row
from roundtrip.sync.inline_errors import add_entries, entry_text, error_list, remove_entry

GONE = ErrorDoc(
    410, "RESOURCE_GONE", "The resource was removed", {"error": "RESOURCE_GONE", "message": "Gone for good"}
)


# ---------------------------------------------------------------- inline lists


def test_inline_lists_keep_their_separator_and_words() -> None:
    coded = "**201 Created** — `Book` · Errors: `400 VALIDATION_ERROR` · `409 ISBN_EXISTS`"
    assert add_entries(coded, ["`410 RESOURCE_GONE`"]) == coded + " · `410 RESOURCE_GONE`"
    assert (
        remove_entry(coded, 409, "ISBN_EXISTS") == "**201 Created** — `Book` · Errors: `400 VALIDATION_ERROR`"
    )
    # the last entry takes its label along; the rest of the line stays
    only = remove_entry(coded, 409, "ISBN_EXISTS")
    assert only is not None and remove_entry(only, 400, "VALIDATION_ERROR") == "**201 Created** — `Book`"
    assert remove_entry("Errors: `401 INVALID_REFRESH_TOKEN`", 401, "INVALID_REFRESH_TOKEN") == ""

    worded = "Errors: `400` invalid/expired code, `404` email not found."
    lst = error_list(worded)
    assert lst is not None and lst.has_words() and lst.separator(worded) == ", "
    assert add_entries(worded, [entry_text(418, "TEAPOT", "I am a teapot", True)]) == (
        "Errors: `400` invalid/expired code, `404` email not found, `418 TEAPOT` I am a teapot."
    )
    assert remove_entry(worded, 400, "") == "Errors: `404` email not found."  # its words go with it
    assert remove_entry(worded, 404, "") == "Errors: `400` invalid/expired code."
    # a parenthetical belongs to its entry
    assert (
        remove_entry(
            "Errors: `422 MEMBER_BLOCKED` (`details.blockReasons`) · `422 HOLDS_WAITING`",
            422,
            "MEMBER_BLOCKED",
        )
        == "Errors: `422 HOLDS_WAITING`"
    )
    # a status in a sentence is prose, not a list
    assert remove_entry("### GET /readyz → `200` if reachable, else `503`", 503, "") is None


# ---------------------------------------------------------------- tables and lists


def _first(text: str, kind: type) -> object:
    doc, _ = parse_document("x.md", text)
    return next(b for b in doc.blocks if isinstance(b, kind))


def test_error_rows_follow_the_table_columns() -> None:
    code_first = "| Code | Status | Message |\n|------|--------|---------|\n| EMAIL_EXISTS | 409 | Email already registered |\n"
    table = _first(code_first, Table)
    assert isinstance(table, Table)
    assert (
        error_row(table, code_first.split("\n")[2], GONE)
        == "| RESOURCE_GONE | 410 | The resource was removed |"
    )

    styled = "| Status | `error` | When |\n|---|---|---|\n| 404 Not Found | `NOT_FOUND` | Missing |\n"
    table = _first(styled, Table)
    assert isinstance(table, Table)
    assert (
        error_row(table, styled.split("\n")[2], GONE)
        == "| 410 Gone | `RESOURCE_GONE` | The resource was removed |"
    )

    # no code column: the code goes in the status cell, where the reader looks for it
    failures = "| Failure | Response |\n|---|---|\n| Queue full | 429 `BACKPRESSURE` |\n"
    table = _first(failures, Table)
    assert isinstance(table, Table)
    assert (
        error_row(table, failures.split("\n")[2], GONE)
        == "| The resource was removed | 410 `RESOURCE_GONE` |"
    )


def test_error_items_copy_the_list_style() -> None:
    with_fences = (
        "- **404 Not Found**: Recipe not found\n"
        "  ```json\n"
        '  {"error": "RECIPE_NOT_FOUND", "message": "Recipe not found", "requestId": "f8934716"}\n'
        "  ```\n"
    )
    lst = _first(with_fences, ListBlock)
    assert isinstance(lst, ListBlock)
    template = {"error": "RECIPE_NOT_FOUND", "message": "Recipe not found", "requestId": "f8934716"}
    assert (
        error_item(lst, with_fences.split("\n"), GONE, template)
        == [
            "- **410 Gone**: The resource was removed",
            "  ```json",
            '  {"error": "RESOURCE_GONE", "message": "Gone for good", "requestId": "f8934716"}',  # the docs' envelope
            "  ```",
        ]
    )
    bare = "* `409` - Email already exists\n"
    lst = _first(bare, ListBlock)
    assert isinstance(lst, ListBlock)
    # no example fences in the list: the code is written in the text, or it would be lost
    assert error_item(lst, bare.split("\n"), GONE, None) == [
        "* **410 Gone**: `RESOURCE_GONE` The resource was removed"
    ]


# ---------------------------------------------------------------- TypeScript integers


def test_typescript_integers_survive_a_render(tmp_path: Path) -> None:
    fields = (
        Field("seats", TypeRef(Kind.INTEGER), required=True),
        Field("left", TypeRef(Kind.INTEGER, nullable=True), required=False, description="Seats left"),
        Field("slots", TypeRef(Kind.ARRAY, items=TypeRef(Kind.INTEGER)), required=True),
        Field("ratio", TypeRef(Kind.FLOAT), required=True),
        Field("duration", TypeRef(Kind.INTEGER), required=False, description="Integer, 5-480"),
    )
    lines = ts_declaration(Schema("Room", TypeRef(Kind.OBJECT, fields=fields), origin=Origin.TYPESCRIPT))
    assert lines[1:-1] == [
        "  seats: number; // integer",
        "  left?: number | null; // Seats left (integer)",
        "  slots: number[]; // integer",
        "  ratio: number;",
        "  duration?: number; // Integer, 5-480",  # the author's words already say it
    ]
    (tmp_path / "API.md").write_text(
        "# API\n\n## Types\n\n```typescript\n" + "\n".join(lines) + "\n```\n", encoding="utf-8"
    )
    room = api.load(tmp_path).spec.schema("Room")
    assert room is not None
    back = {f.name: f for f in room.type.fields}
    assert [back[n].type.kind for n in ("seats", "left", "ratio", "duration")] == [
        Kind.INTEGER,
        Kind.INTEGER,
        Kind.FLOAT,
        Kind.INTEGER,
    ]
    assert back["slots"].type.items is not None and back["slots"].type.items.kind is Kind.INTEGER
    # the marker is the type, not the member's words
    assert (back["seats"].description, back["left"].description) == ("", "Seats left")
    assert back["duration"].description == "Integer, 5-480"
