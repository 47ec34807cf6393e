"""`roundtrip sync`: docs updated from a backend's OpenAPI, only the changed constructs rewritten.

The main test takes the OpenAPI compiled from specs/, changes it the way a backend drifts (a response
field added, a request field retyped, an endpoint added, a query parameter removed, enum values added),
syncs a copy of the docs, compiles them again and requires the same OpenAPI (normalized as verify
normalizes: no descriptions, examples or `$ref` names), with every line outside a changed table or
code block kept byte for byte.
"""

from __future__ import annotations

import difflib
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from roundtrip import api
from roundtrip.cli import app
from roundtrip.markdown import Fence, Table, parse_document
from roundtrip.sync import sync_docs
from roundtrip.sync.json_edit import JsonOp, apply_json_ops
from roundtrip.sync.tables import edit_value_list
from roundtrip.verify.schemas import normalize
from tests.conftest import example_dir

REPO = Path(__file__).resolve().parent.parent
_METHODS = ("get", "post", "put", "patch", "delete")


# ---------------------------------------------------------------- helpers


def _strip_inferred(x: Any) -> Any:
    """verify's normalization marks example-only properties (`x-inferred`, `x-nullable`): evidence weight,
    not meaning."""
    if isinstance(x, dict):
        return {k: _strip_inferred(v) for k, v in x.items() if not k.startswith("x-")}
    if isinstance(x, list):
        return [_strip_inferred(v) for v in x]
    return x


def operations(doc: dict[str, Any]) -> dict[str, Any]:
    """Every operation's contract: parameters, request and response schemas (dereferenced, de-noised), security."""
    out: dict[str, Any] = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in _METHODS:
                continue
            params = {
                f"{p['in']}:{p['name']}": (bool(p.get("required")), normalize(p.get("schema", {}), doc))
                for p in op.get("parameters", [])
            }
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            responses = {}
            for status, r in op["responses"].items():
                schema = (r.get("content") or {}).get("application/json", {}).get("schema")
                responses[status] = normalize(schema, doc) if schema else None
            out[f"{method.upper()} {path}"] = _strip_inferred(
                {
                    "params": params,
                    "request": normalize(body, doc) if body else None,
                    "responses": responses,
                    "security": op.get("security"),
                }
            )
    return out


def compiled(specs: Path) -> dict[str, Any]:
    _, doc = api.compile_path(specs)
    return doc


def write_openapi(doc: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def fence_and_table_lines(text: str) -> set[int]:
    """1-based lines that belong to a table or to a code fence's content: the constructs sync may rewrite."""
    doc, _ = parse_document("x.md", text)
    lines: set[int] = set()
    for b in doc.blocks:
        if isinstance(b, Table):
            lines.update(range(b.span.line, b.span.end_line + 1))
        elif isinstance(b, Fence):
            lines.update(range(b.content_line, b.span.end_line))
    return lines


def assert_prose_kept(before: str, after: str) -> None:
    """Every original line outside a table or fence content is still there, in order, byte for byte."""
    a, b = before.split("\n"), after.split("\n")
    rewritable = fence_and_table_lines(before)
    for op, i1, i2, _, _ in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            touched = [n for n in range(i1 + 1, i2 + 1) if n not in rewritable]
            assert not touched, f"prose lines changed: {[a[n - 1] for n in touched]}"


@pytest.fixture
def specs_copy(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(REPO / "specs", target)
    return target


def drift(doc: dict[str, Any]) -> dict[str, Any]:
    """The compiled OpenAPI of specs/ as a backend that moved on would serve it."""
    schemas = doc["components"]["schemas"]
    # a response field added: to a named type written as a JSON example, and to an inline response example
    schemas["Recipe"]["properties"]["isVegetarian"] = {"type": "boolean", "example": True}
    schemas["Recipe"]["required"].append("isVegetarian")
    schemas["GetV1UsersMeResponse200"]["properties"]["avatarUrl"] = {
        "type": "string",
        "example": "https://cdn.pantry.dev/u/ben.png",
    }
    schemas["GetV1UsersMeResponse200"]["required"].append("avatarUrl")
    # a field retyped (field table). Not rating → number: an integer column behind a `number` compiles
    # to integer (issue 4), so that drift cannot come back from the docs unchanged
    schemas["RecipeIngredient"]["properties"]["quantity"].update({"type": "integer", "format": "int32"})
    # a query parameter removed
    op = doc["paths"]["/v1/recipes"]["get"]
    op["parameters"] = [p for p in op["parameters"] if p["name"] != "ingredientId"]
    # enum values added: a request field and a named field-table type
    schemas["PostV1IngredientsRequest"]["properties"]["category"]["enum"].append("frozen")
    schemas["RecipeIngredient"]["properties"]["unit"]["enum"].append("bunch")
    # an endpoint added (its response uses a component the docs never named: written out inline)
    example = {
        "id": "2f9434bb-ee71-4257-b6df-d037458010a0",
        "name": "Smoked paprika",
        "category": "spice",
        "createdAt": "2025-03-13T09:05:00Z",
    }
    error = {
        "error": "INGREDIENT_NOT_FOUND",
        "message": "Ingredient not found",
        "details": [],
        "requestId": "0b7c4a39-0d5e-4c8e-9a8e-2f1c1c7b6a11",
    }
    doc["paths"]["/v1/ingredients/{ingredientId}"] = {
        "get": {
            "operationId": "getV1IngredientsByIngredientId",
            "summary": "Fetch one ingredient.",
            "description": "Fetch one ingredient.",
            "tags": ["Ingredients"],
            "security": [],
            "parameters": [
                {
                    "name": "ingredientId",
                    "in": "path",
                    "required": True,
                    "description": "Ingredient ID",
                    "schema": {"type": "string", "format": "uuid"},
                }
            ],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/PostV1IngredientsResponse201"},
                            "example": example,
                        }
                    },
                },
                "404": {
                    "description": "Ingredient does not exist",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ErrorResponse"},
                            "examples": {
                                "INGREDIENT_NOT_FOUND": {
                                    "summary": "Ingredient does not exist",
                                    "value": error,
                                }
                            },
                        }
                    },
                },
            },
        }
    }
    return doc


# ---------------------------------------------------------------- end to end on specs/


def test_sync_applies_a_drifted_openapi_and_keeps_the_prose(specs_copy: Path, tmp_path: Path) -> None:
    changed = drift(compiled(specs_copy))
    source = write_openapi(changed, tmp_path / "backend.yaml")
    before = {p.name: p.read_text(encoding="utf-8") for p in specs_copy.glob("*.md")}

    result = CliRunner().invoke(app, ["sync", str(specs_copy), "--from-openapi", str(source)])
    assert result.exit_code == 0, result.output
    assert "note:" not in result.output, result.output

    after = {p.name: p.read_text(encoding="utf-8") for p in specs_copy.glob("*.md")}
    assert after["DATA_MODEL.md"] == before["DATA_MODEL.md"]
    assert after["SECURITY.md"] == before["SECURITY.md"]
    assert_prose_kept(before["API_SPEC.md"], after["API_SPEC.md"])
    assert operations(compiled(specs_copy)) == operations(changed)

    text = after["API_SPEC.md"]
    assert "| ingredientId | UUID | No | Recipes that use this ingredient | UUID |" not in text
    # only the Type cell changed
    assert "| quantity | integer | Yes | Amount, in `unit` | > 0, max 9999.99 |" in text
    assert "`pantry`, `other`, `frozen`; default `other` |" in text  # the words around the list stay
    assert (
        '"updatedAt": "2025-03-08T08:12:45Z",\n  "isVegetarian": true\n}' in text
    )  # the example's own layout
    assert text.index("### GET /v1/ingredients/{ingredientId}") > text.index("### POST /v1/ingredients")
    assert text.index("### GET /v1/ingredients/{ingredientId}") < text.index(
        "## WebSocket / Real-time and Webhooks"
    )

    again = CliRunner().invoke(app, ["sync", str(specs_copy), "--from-openapi", str(source)])
    assert again.exit_code == 0 and "0 file(s) changed" in again.output  # idempotent


def test_dry_run_prints_a_diff_and_writes_nothing(specs_copy: Path, tmp_path: Path) -> None:
    source = write_openapi(drift(compiled(specs_copy)), tmp_path / "backend.yaml")
    before = {p: p.read_bytes() for p in specs_copy.glob("*.md")}
    result = CliRunner().invoke(app, ["sync", str(specs_copy), "--from-openapi", str(source), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in specs_copy.glob("*.md")} == before
    assert f"+++ {specs_copy.as_posix()}/API_SPEC.md" in result.output
    assert '+  "avatarUrl": "https://cdn.pantry.dev/u/ben.png"' in result.output
    assert "-| ingredientId | UUID | No | Recipes that use this ingredient | UUID |" in result.output


def test_noop_sync_changes_nothing(specs_copy: Path, tmp_path: Path) -> None:
    source = write_openapi(compiled(specs_copy), tmp_path / "same.yaml")
    result = sync_docs(specs_copy, str(source))
    assert result.changed() == {}
    assert result.applied == [] and result.notes == []
    assert result.unified_diff() == ""


def test_noop_sync_on_the_taskboard_example(tmp_path: Path) -> None:
    docs = tmp_path / "taskboard"
    shutil.copytree(example_dir("taskboard"), docs)
    source = write_openapi(compiled(docs), tmp_path / "same.yaml")
    result = sync_docs(docs, str(source))
    assert result.changed() == {} and result.notes == []


def test_removed_endpoints_are_flagged_not_deleted(specs_copy: Path, tmp_path: Path) -> None:
    doc = compiled(specs_copy)
    del doc["paths"]["/v1/users/me"]
    result = sync_docs(specs_copy, str(write_openapi(doc, tmp_path / "backend.yaml")))
    assert result.changed() == {}
    assert any(
        n.startswith("GET /v1/users/me is not in the OpenAPI: left in the docs (API_SPEC.md:")
        for n in result.notes
    )


# ---------------------------------------------------------------- bad input: one clear line, exit 2


def test_missing_openapi_file(specs_copy: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sync", str(specs_copy), "--from-openapi", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml: no such file" in result.output


def test_invalid_openapi(specs_copy: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("just: [a, yaml, file]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["sync", str(specs_copy), "--from-openapi", str(bad)])
    assert result.exit_code == 2
    assert "not a usable OpenAPI document" in result.output


def test_missing_specs(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["sync", str(tmp_path / "nodocs"), "--from-openapi", str(tmp_path / "x.yaml")]
    )
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


@pytest.fixture
def not_found_url() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/openapi.json"
    finally:
        server.shutdown()
        server.server_close()


def test_url_that_404s(specs_copy: Path, not_found_url: str) -> None:
    result = CliRunner().invoke(app, ["sync", str(specs_copy), "--from-openapi", not_found_url])
    assert result.exit_code == 2
    assert "answered 404" in result.output


# ---------------------------------------------------------------- the construct editors


def test_json_edits_keep_the_example_layout() -> None:
    text = '{\n  "a": 1,\n  "b": {"x": 1, "y": 2},\n  "c": [\n    {"k": 1}, {"k": 2}\n  ]\n}'
    out = apply_json_ops(
        text,
        [
            JsonOp("remove", ("b",), "x"),
            JsonOp("add", ("c", "[]"), "z", True),
            JsonOp("set", (), "a", "one"),
            JsonOp("add", (), "d", [1]),
        ],
    )
    assert (
        out
        == '{\n  "a": "one",\n  "b": {"y": 2},\n  "c": [\n    {"k": 1, "z": true}, {"k": 2, "z": true}\n  ],\n  "d": [1]\n}'
    )
    assert (
        apply_json_ops('{"a": 1} // trailing comment', [JsonOp("remove", (), "a")])
        == "{} // trailing comment"
    )
    assert apply_json_ops("not json at all {", [JsonOp("remove", (), "a")]) is None


def test_enum_lists_are_edited_in_place() -> None:
    assert (
        edit_value_list(
            "`active` (default), `archived`", ("active", "archived"), ("active", "archived", "paused")
        )
        == "`active` (default), `archived`, `paused`"
    )
    assert (
        edit_value_list("`a`, `b`, `c`; default `a`", ("a", "b", "c"), ("a", "c", "d"))
        == "`a`, `c`, `d`; default `a`"
    )
    assert edit_value_list("Filter by status", ("a", "b"), ("a",)) is None
