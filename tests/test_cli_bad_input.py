"""Bad input gets diagnostics with file:line and a clean exit code, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "roundtrip", *args], capture_output=True, text=True, cwd=cwd or REPO, timeout=120)


def lint_json(path: Path) -> tuple[int, list[dict[str, object]]]:
    proc = run("lint", str(path), "--format", "json")
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def codes(items: list[dict[str, object]]) -> list[str]:
    return [str(i["code"]) for i in items]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    proc = run("lint", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert "RT101" in proc.stdout and "does not exist" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    proc = run("compile", str(tmp_path))
    assert proc.returncode == 2
    assert "RT102" in proc.stderr


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    proc = run("lint", str(tmp_path), "--format", "xml")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_binary_file_is_reported_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "blob.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    (tmp_path / "ok.md").write_text("# API\n\n### GET /v1/ping\n**Success Response** (200):\n```json\n{\"ok\": true}\n```\n")
    rc, items = lint_json(tmp_path)
    assert rc == 1
    assert [(i["code"], i["file"]) for i in items if i["code"] == "RT103"] == [("RT103", f"{tmp_path.as_posix()}/blob.md")]


def test_bad_utf8_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "latin1.md").write_bytes("# Title\n\nline two\ncaf\xe9\n".encode("latin-1"))
    rc, items = lint_json(tmp_path)
    assert rc == 1
    hit = [i for i in items if i["code"] == "RT103"]
    assert hit and hit[0]["line"] == 4


def test_non_markdown_file_given_explicitly(tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("just some words\n")
    rc, items = lint_json(f)
    assert rc == 0
    assert codes(items) == ["RT113"]


def test_ragged_table_row(tmp_path: Path) -> None:
    (tmp_path / "API.md").write_text(
        "# API\n\n### POST /v1/items\n\n**Request Body**:\n| Field | Type | Required |\n|---|---|---|\n"
        "| name | string | Yes |\n| extra | string | No | surplus |\n"
    )
    _, items = lint_json(tmp_path)
    ragged = [i for i in items if i["code"] == "RT104"]
    assert [(i["line"]) for i in ragged] == [9]


def test_unterminated_fence(tmp_path: Path) -> None:
    (tmp_path / "API.md").write_text("# API\n\n### GET /v1/items\n\n**Success Response** (200):\n```json\n{\"data\": []}\n")
    rc, items = lint_json(tmp_path)
    assert rc == 1
    assert [(i["code"], i["line"]) for i in items if i["code"] == "RT105"] == [("RT105", 6)]


def test_sql_that_does_not_parse(tmp_path: Path) -> None:
    (tmp_path / "DATA_MODEL.md").write_text(
        "# Data Model\n\n```sql\nCREATE TABLE users (\n  id UUID PRIMARY KEY,\n  email VARCHAR(255) NOT NULL\n);\n\n"
        "CREATE TABLE broken (id INT PRIMARY KEY, name VARCHAR(10) NOT NULL DEFAULT\n);\n```\n"
    )
    _, items = lint_json(tmp_path)
    sql = [i for i in items if i["code"] == "RT106"]
    assert sql and sql[0]["line"] == 9, items


def test_typescript_that_does_not_parse(tmp_path: Path) -> None:
    (tmp_path / "API.md").write_text(
        "# API\n\n```typescript\ninterface User {\n  id: string;\n  name: string\n}\n\ninterface Broken {\n  a: string;;; }}\n  b: \n```\n"
    )
    _, items = lint_json(tmp_path)
    assert any(i["code"] == "RT107" for i in items), items


def test_path_with_unbalanced_braces(tmp_path: Path) -> None:
    (tmp_path / "API.md").write_text("# API\n\n### GET /v1/items/{itemId\n\n**Success Response** (200): No content\n")
    rc, items = lint_json(tmp_path)
    assert rc == 1
    assert [(i["code"], i["line"]) for i in items if i["code"] == "RT109"] == [("RT109", 3)]


def test_compile_refuses_to_overwrite_a_user_file(tmp_path: Path) -> None:
    (tmp_path / "API.md").write_text("# API\n\n### GET /v1/ping\n**Success Response** (200): No content\n")
    target = tmp_path / "openapi.yaml"
    target.write_text("# my hand-written spec\nopenapi: 3.1.0\n")
    proc = run("compile", str(tmp_path / "API.md"), "-o", str(target))
    assert proc.returncode == 2
    assert target.read_text() == "# my hand-written spec\nopenapi: 3.1.0\n"
    proc = run("compile", str(tmp_path / "API.md"), "-o", str(tmp_path / "gen.yaml"))
    assert proc.returncode == 0, proc.stderr
    proc2 = run("compile", str(tmp_path / "API.md"), "-o", str(tmp_path / "gen.yaml"))
    assert proc2.returncode == 0 and "unchanged" in proc2.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_lint_formats(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "API.md").write_text("# API\n\n> [NEEDS CLARIFICATION: who may delete?]\n\n### GET /v1/ping\n**Success Response** (200): No content\n")
    proc = run("lint", str(tmp_path), "--format", fmt)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if fmt == "json":
        items = json.loads(proc.stdout)
        assert {"code", "severity", "message", "file", "line"} <= set(items[0])
        assert items[0]["code"] == "RT120" and items[0]["line"] == 3
    elif fmt == "github":
        assert proc.stdout.startswith("::warning file=") and ",line=3,title=RT120::" in proc.stdout
    else:
        assert "API.md:3: warning RT120:" in proc.stdout
