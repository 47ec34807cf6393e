"""`roundtrip sync` writes statuses, errors, auth, rate limits and new named types in the docs' own style.

On every example set and on specs/: the set's compiled OpenAPI is changed the way a backend drifts (a
new error status on one endpoint, a status gone from another, an endpoint that became public, a new
named schema served by a new endpoint), the docs are synced and compiled again, and for those items
the compiled OpenAPI must equal the changed one. Every original line outside the constructs sync may
rewrite (tables, fence contents, the removed error's item or line, the endpoint's auth line) stays
byte for byte; a second sync changes nothing; `--dry-run` writes nothing.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from roundtrip import api
from roundtrip.cli import app
from roundtrip.markdown import Fence, ListBlock, Table, parse_document
from roundtrip.sync import sync_docs
from tests.conftest import CORPUS, REPO, example_dir
from tests.test_sync import compiled, write_openapi

TAG = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "name": {"type": "string", "maxLength": 40},
        "usageCount": {"type": "integer", "format": "int32", "minimum": 0},
    },
    "required": ["id", "name"],
}


# (added error on, status removed "KEY:STATUS", made public, tag of the new endpoint taken from)
CASES = {
    "specs": ("GET /v1/recipes/{recipeId}", "POST /v1/auth/login:423", "GET /v1/users/me", "GET /v1/recipes"),
    "taskboard": ("GET /v1/tasks/{taskId}", "POST /v1/auth/login:423", "GET /v1/labels", "GET /v1/labels"),
    "exams": ("GET /exams/{id}", "DELETE /exams/{id}:409", "GET /exams", "GET /exams"),
    "bookings": ("GET /bookings/{id}", "POST /auth/login:423", "GET /workspaces", "GET /bookings"),
    "library": ("GET /books/{bookId}", "POST /auth/staff-login:423", "GET /members/me", "GET /books"),
}


# ---------------------------------------------------------------- helpers


def op(doc: dict[str, Any], key: str) -> dict[str, Any]:
    method, path = key.split(" ", 1)
    return doc["paths"][path][method.lower()]


def error_codes(o: dict[str, Any]) -> dict[str, list[str]]:
    """Each error status with the codes its examples carry."""
    out: dict[str, list[str]] = {}
    for status, r in o["responses"].items():
        if not status.startswith(("4", "5")):
            continue
        media = (r.get("content") or {}).get("application/json", {})
        values = [ex.get("value") for ex in (media.get("examples") or {}).values()]
        if "example" in media:
            values.append(media["example"])
        out[status] = sorted(c for c in map(_code, values) if c)
    return out


def _code(value: Any) -> str:
    """`{"error": "CODE"}`, `{"error": {"code": "CODE"}}` or `{"code": "CODE"}`."""
    if not isinstance(value, dict):
        return ""
    inner = value.get("error")
    if isinstance(inner, dict):
        return _code(inner)
    code = inner if isinstance(inner, str) else value.get("code")
    return code if isinstance(code, str) else ""


def meaning(x: Any) -> Any:
    """A schema without the words (descriptions, examples, extensions)."""
    if isinstance(x, dict):
        return {
            k: meaning(v)
            for k, v in x.items()
            if not k.startswith("x-") and k not in ("description", "example")
        }
    if isinstance(x, list):
        return [meaning(v) for v in x]
    return x


def tags_path(doc: dict[str, Any]) -> str:
    return "/v1/tags" if any(p.startswith("/v1/") for p in doc["paths"]) else "/tags"


def drift(doc: dict[str, Any], added_on: str, removed: str, public: str, tag_from: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    envelope = {"$ref": "#/components/schemas/ErrorResponse"}
    op(doc, added_on)["responses"]["410"] = {
        "description": "The resource was removed",
        "content": {
            "application/json": {
                "schema": envelope,
                "examples": {
                    "RESOURCE_GONE": {
                        "summary": "The resource was removed",
                        "value": {"error": "RESOURCE_GONE", "message": "The resource was removed"},
                    }
                },
            }
        },
    }
    key, status = removed.rsplit(":", 1)
    del op(doc, key)["responses"][status]
    op(doc, public)["security"] = []
    op(doc, public).pop("x-roles", None)
    doc["components"]["schemas"]["Tag"] = copy.deepcopy(TAG)
    doc["paths"][tags_path(doc)] = {
        "get": {
            "operationId": "listTags",
            "summary": "List tags.",
            "description": "List tags.",
            "tags": op(doc, tag_from).get("tags", []),
            "security": [],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {
                            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}
                        }
                    },
                }
            },
        }
    }
    return doc


def rewritable_lines(text: str, also: set[int]) -> set[int]:
    """Lines sync may rewrite: tables, fence contents, and the list items / lines in `also`."""
    doc, _ = parse_document("x.md", text)
    out: set[int] = set()
    for b in doc.blocks:
        if isinstance(b, Table):
            out.update(range(b.span.line, b.span.end_line + 1))
        elif isinstance(b, Fence):
            out.update(range(b.content_line, b.span.end_line))
        elif isinstance(b, ListBlock):
            lines = [i.line for i in b.items] + [b.span.end_line + 1]
            for i, item in enumerate(b.items):
                if item.line in also:
                    out.update(range(item.line, lines[i + 1]))
    return out | also


def assert_only_constructs_changed(before: str, after: str, also: set[int]) -> None:
    """Every line outside the rewritable constructs is still there, byte for byte and in order."""
    allowed = rewritable_lines(before, also)
    rest = iter(after.split("\n"))
    lost = [(n, ln) for n, ln in enumerate(before.split("\n"), 1) if n not in allowed and ln not in rest]
    assert not lost, f"lines changed outside the synced constructs: {lost[:5]}"


def set_dir(name: str) -> Path:
    return REPO / "specs" if name == "specs" else example_dir(name)


# ---------------------------------------------------------------- every set, end to end


@pytest.mark.parametrize("name", list(CASES))
def test_sync_writes_errors_statuses_auth_and_new_types(name: str, tmp_path: Path) -> None:
    added_on, removed, public, tag_from = CASES[name]
    docs = tmp_path / "docs"
    shutil.copytree(set_dir(name), docs)
    original = compiled(docs)
    changed = drift(original, added_on, removed, public, tag_from)
    source = write_openapi(changed, tmp_path / "backend.yaml")
    files = sorted(p for p in docs.rglob("*.md"))
    before = {p: p.read_text(encoding="utf-8") for p in files}

    dry = CliRunner().invoke(app, ["sync", str(docs), "--from-openapi", str(source), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert {p: p.read_text(encoding="utf-8") for p in files} == before  # --dry-run writes nothing
    assert "+++ " in dry.output and "RESOURCE_GONE" in dry.output

    # where the docs state the errors to remove and to join, and the auth: the only prose lines sync may touch
    spec = api.load(docs).spec
    key, status = removed.rsplit(":", 1)
    gone = [e.span for e in spec.endpoint(*key.split(" ", 1)).errors if e.status == int(status)]  # type: ignore[union-attr]
    joined = [e.span for e in spec.endpoint(*added_on.split(" ", 1)).errors]  # type: ignore[union-attr]  # inline lists
    auth = spec.endpoint(*public.split(" ", 1)).auth.span  # type: ignore[union-attr]
    also: dict[str, set[int]] = {}
    for s in [*gone, *joined, auth]:
        also.setdefault(s.file, set()).add(s.line)

    result = CliRunner().invoke(app, ["sync", str(docs), "--from-openapi", str(source)])
    assert result.exit_code == 0, result.output
    assert "note:" not in result.output, result.output

    after = compiled(docs)
    for k in (added_on, key, public, f"GET {tags_path(changed)}"):
        assert sorted(op(after, k)["responses"]) == sorted(op(changed, k)["responses"]), k
        assert error_codes(op(after, k)) == error_codes(op(changed, k)), k
        assert op(after, k).get("security") == op(changed, k).get("security"), k
    assert meaning(after["components"]["schemas"]["Tag"]) == TAG
    assert op(after, f"GET {tags_path(changed)}")["responses"]["200"]["content"]["application/json"][
        "schema"
    ] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Tag"},
    }
    for p in files:
        rel = p.relative_to(docs).as_posix()
        assert_only_constructs_changed(before[p], p.read_text(encoding="utf-8"), also.get(rel, set()))

    again = sync_docs(docs, str(source))
    assert again.changed() == {} and again.notes == []


# ---------------------------------------------------------------- one construct at a time, on specs/


@pytest.fixture
def specs_copy(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(REPO / "specs", target)
    return target


def test_rate_limits_statuses_and_roles_in_the_docs_words(specs_copy: Path, tmp_path: Path) -> None:
    doc = compiled(specs_copy)
    changed = copy.deepcopy(doc)
    op(changed, "POST /v1/recipes")["x-rate-limit"] = {"requests": 30, "perSeconds": 60, "scope": "user"}
    delete = op(changed, "DELETE /v1/recipes/{recipeId}")
    delete["responses"]["200"] = delete["responses"].pop("204")
    op(changed, "POST /v1/auth/register")["responses"]["202"] = {
        "description": "Accepted: confirm the email first"
    }
    del op(changed, "GET /v1/recipes/{recipeId}")["responses"]["404"]
    browse = op(changed, "GET /v1/recipes")
    browse["security"], browse["x-roles"] = [{"bearerAuth": []}], ["moderator", "admin"]
    result = sync_docs(specs_copy, str(write_openapi(changed, tmp_path / "backend.yaml")))
    text = result.after["API_SPEC.md"]
    before = result.before["API_SPEC.md"]

    assert "**Rate Limiting**: 30 requests per minute per user" in text
    delete_section = text[text.index("### DELETE /v1/recipes/{recipeId}") :][:600]
    assert "**Success Response** (200): No content" in delete_section and "(204)" not in delete_section
    assert "**Success Response** (202): Accepted: confirm the email first" in text
    assert "**Authentication Required**: Yes (`moderator`, `admin`)" in text  # the words the docs use for it
    # the only error of the endpoint went, and its label with it
    section = text[
        text.index("### GET /v1/recipes/{recipeId}") : text.index("### PATCH /v1/recipes/{recipeId}")
    ]
    assert "RECIPE_NOT_FOUND" not in section and "**Error Responses**" not in section
    assert len(before.split("\n")) - len(text.split("\n")) == 6 - 2  # 6 lines gone, 2 (the 202 block) added
    # errors stated once for every authenticated endpoint cannot go for one endpoint: said, with the line
    assert any(
        n.startswith("GET /v1/recipes: error 429 RATE_LIMIT is not in the OpenAPI; the docs state it once")
        and "API_SPEC.md:115" in n
        for n in result.notes
    )

    for rel, new in result.changed().items():
        (specs_copy / rel).write_text(new, encoding="utf-8")
    after = compiled(specs_copy)
    assert op(after, "POST /v1/recipes")["x-rate-limit"]["requests"] == 30
    assert sorted(op(after, "DELETE /v1/recipes/{recipeId}")["responses"]) == sorted(delete["responses"])
    assert "202" in op(after, "POST /v1/auth/register")["responses"]
    assert "404" not in op(after, "GET /v1/recipes/{recipeId}")["responses"]
    assert op(after, "GET /v1/recipes")["x-roles"] == ["moderator", "admin"]


def test_library_inline_lists_compact_rates_and_typescript_members(tmp_path: Path) -> None:
    docs = tmp_path / "library"
    shutil.copytree(example_dir("library"), docs)
    changed = compiled(docs)
    op(changed, "POST /auth/member-login")["x-rate-limit"] = {"requests": 20, "perSeconds": 60, "scope": "ip"}
    for status in ("404", "409"):
        del op(changed, "POST /books/{bookId}/copies")["responses"][status]
    fine = changed["components"]["schemas"]["Fine"]
    fine["properties"]["installments"] = {"type": "integer", "format": "int32", "minimum": 1}
    fine["properties"]["tags"] = {"type": "array", "items": {"$ref": "#/components/schemas/FineTag"}}
    changed["components"]["schemas"]["FineTag"] = {
        "type": "object",
        "properties": {"label": {"type": "string"}, "weight": {"type": "integer", "format": "int32"}},
        "required": ["label"],
    }
    result = sync_docs(docs, str(write_openapi(changed, tmp_path / "backend.yaml")))
    text = result.after["technical/backend-spec.md"]

    assert "Auth: public · Rate limit: 20/min per IP; 5 failed attempts per card → 15-minute lock" in text
    assert "**201 Created** — `Copy`\n" in text  # the inline list and its label went, the status stayed
    assert "  installments?: number; // integer, minimum 1\n  tags?: FineTag[];\n}" in text
    assert "interface FineTag {\n  label: string;\n  weight?: number; // integer\n}" in text
    # the library's common-error table still gives every authenticated endpoint a 404 and a 409: said
    assert sum("still give every authenticated endpoint" in n for n in result.notes) == 2

    for rel, new in result.changed().items():
        (docs / rel).write_text(new, encoding="utf-8")
    after = compiled(docs)
    assert meaning(after["components"]["schemas"]["FineTag"]) == changed["components"]["schemas"]["FineTag"]
    installments = after["components"]["schemas"]["Fine"]["properties"]["installments"]
    assert (installments["type"], installments["minimum"]) == ("integer", 1)  # an integer, not a number
    assert op(after, "POST /auth/member-login")["x-rate-limit"]["requests"] == 20


# ---------------------------------------------------------------- other docs' forms (the corpus)

_CORPUS_FORMS = [
    "07_webhook-delivery-engine_API_SPEC.md",  # `| Failure | Response |` tables, codes in the status cell
    "16_task-manager_API_SPEC.md",  # error lists without example fences
    "37_mvep_backend-spec.md",  # `**Public**` / `**Protected — vendor or admin**`, "Errors: `404` not found."
]


@pytest.mark.parametrize("name", _CORPUS_FORMS)
def test_corpus_forms_converge(name: str, tmp_path: Path) -> None:
    """Every operation's auth flipped, its first error status gone and a 418 added: one sync writes what
    the docs' forms can hold, a second finds nothing more to write."""
    src = CORPUS / name
    if not src.is_file():
        pytest.skip(f"corpus document {src} is absent")
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(src, docs / name)
    changed = compiled(docs)
    for item in changed["paths"].values():
        for o in item.values():
            o["security"] = [] if o.get("security") else [{"bearerAuth": []}]
            errors = [s for s in o["responses"] if s.startswith(("4", "5"))]
            if errors:
                del o["responses"][errors[0]]
            o["responses"]["418"] = {
                "description": "Teapot",
                "content": {"application/json": {"example": {"error": "TEAPOT", "message": "I am a teapot"}}},
            }
    source = write_openapi(changed, tmp_path / "backend.yaml")
    first = sync_docs(docs, str(source))
    assert len(first.applied) > 10
    for rel, new in first.changed().items():
        (docs / rel).write_text(new, encoding="utf-8")
    assert not [d for d in api.load(docs).diagnostics if d.code == "RT900"]
    again = sync_docs(docs, str(source))
    assert again.changed() == {}, again.unified_diff()
