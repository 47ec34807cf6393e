"""The benchmark generator (bench/make_large.py) and harness (bench/run.py).

The generator must write exactly the requested numbers of endpoint and table sections, byte-identical
on every run, and the doc set must agree with itself (the benchmark measures a compiler that should
find nothing to report). The harness must run end to end on a small set and write its JSON.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
ENDPOINT_HEADING = re.compile(r"^### (GET|POST|PUT|PATCH|DELETE) (/v1/\S+)$")


def _load(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    # run.py imports make_large as a sibling, as it does under `python bench/run.py`
    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def make_large(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return _load("make_large", monkeypatch)


def _endpoint_headings(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for line in text.splitlines() if (m := ENDPOINT_HEADING.match(line))]


def _table_headings(text: str) -> list[str]:
    return [line[4:] for line in text.splitlines() if line.startswith("### ")]


def _fences(text: str, lang: str) -> list[str]:
    out: list[str] = []
    buf: list[str] = []
    inside = False
    for line in text.splitlines():
        stripped = line.strip()
        if not inside and stripped == "```" + lang:
            inside, buf = True, []
        elif inside and stripped == "```":
            inside = False
            out.append("\n".join(buf))
        elif inside:
            buf.append(line)
    return out


def _sections(text: str, level: str = "### ") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("#") and not line.startswith("####"):
            current = line[len(level) :] if line.startswith(level) else None
            if current is not None:
                out[current] = []
        elif current is not None:
            out[current].append(line)
    return out


def _rows(lines: list[str], first_header: str) -> list[list[str]]:
    """Cells of the rows of the first table in `lines` whose header starts with `first_header`."""
    rows: list[list[str]] = []
    inside = False
    for line in lines:
        if line.startswith(f"| {first_header} |"):
            inside = True
            continue
        if inside and line.startswith("|--"):
            continue
        if inside and line.startswith("|"):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
        elif inside:
            break
    return rows


def test_cli_writes_the_requested_counts(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "make_large.py"), str(out), "--endpoints", "10", "--tables", "5"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    api, data = out / "API_SPEC.md", out / "DATA_MODEL.md"
    assert api.is_file() and data.is_file()
    headings = _endpoint_headings(api.read_text(encoding="utf-8"))
    assert len(headings) == 10
    assert len(set(headings)) == 10
    assert len(_table_headings(data.read_text(encoding="utf-8"))) == 5


@pytest.mark.parametrize(("endpoints", "tables"), [(10, 5), (3, 5), (40, 3), (0, 1)])
def test_counts_hold_for_any_mix(make_large: ModuleType, tmp_path: Path, endpoints: int, tables: int) -> None:
    written = make_large.generate(tmp_path, endpoints, tables)
    headings = _endpoint_headings(written["API_SPEC.md"].read_text(encoding="utf-8"))
    assert len(headings) == endpoints
    assert len(set(headings)) == endpoints, "METHOD + path must be unique"
    assert len(_table_headings(written["DATA_MODEL.md"].read_text(encoding="utf-8"))) == tables


def test_output_is_byte_identical(make_large: ModuleType, tmp_path: Path) -> None:
    a = make_large.generate(tmp_path / "a", 30, 12)
    b = make_large.generate(tmp_path / "b", 30, 12)
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name


def test_too_many_tables_is_refused(make_large: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        make_large.generate(tmp_path, 1, 100_000)


def test_generated_docs_agree_with_themselves(make_large: ModuleType, tmp_path: Path) -> None:
    written = make_large.generate(tmp_path, 60, 12)
    api = written["API_SPEC.md"].read_text(encoding="utf-8")
    data = written["DATA_MODEL.md"].read_text(encoding="utf-8")

    for block in _fences(api, "json") + [
        b.strip() for b in re.findall(r"\n  ```json\n(.*?)\n  ```", api, re.S)
    ]:
        json.loads(block)  # strict JSON everywhere

    tables: dict[str, dict[str, list[str]]] = {}
    for name, lines in _sections(data).items():
        cols = {row[0]: row for row in _rows(lines, "Column")}
        assert cols, f"table {name} has no column table"
        tables[name] = cols
        inserts = _fences("\n".join(lines), "sql")
        assert len(inserts) == 1 and inserts[0].count("\n  (") == 3, f"{name}: 3 sample rows"
        for ref in re.findall(r"FK\((\w+)\.id\)", "\n".join(lines)):
            assert ref in tables, f"{name} references {ref}, defined later or never"

    def snake(camel: str) -> str:
        return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", camel).lower()

    checked = lengths = enums = 0
    for heading, lines in _sections(api).items():
        m = ENDPOINT_HEADING.match("### " + heading)
        if not m:
            continue
        table = m.group(2).split("/")[2].replace("-", "_")
        assert table in tables, f"{heading}: no table {table}"
        for field, typ, _req, _desc, validation in _rows(lines, "Field"):
            column = tables[table].get(snake(field))
            assert column is not None, f"{heading}: field {field} has no column in {table}"
            if length := re.search(r"1-(\d+) chars", validation):
                assert f"VARCHAR({length.group(1)})" == column[1], f"{heading}: {field} length"
                lengths += 1
            values = re.findall(r"`([a-z_]+)`", validation.split(";")[0])
            if len(values) > 1:  # an enum: the same values, in the same order, as the CHECK
                checked_values = re.search(r"IN \(([^)]*)\)", column[2])
                assert checked_values and re.findall(r"'([a-z_]+)'", checked_values.group(1)) == values
                enums += 1
            if typ.endswith("\\| null"):
                assert column[2].startswith("NULL"), f"{heading}: {field} nullable in the API only"
            checked += 1
    assert checked > 50 and lengths > 10 and enums > 0


def test_harness_runs_end_to_end(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _load("run", monkeypatch)
    assert {"markdown", "load", "compile"} <= set(run.REGISTRY)
    # only the compile suite: the rows against Node tools start servers and download from npm (minutes)
    sizes = ["--endpoints", "10", "--tables", "5", "--repeat", "1", "--no-memory"]
    run.main(["load", "compile", *sizes, "--results", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "x markdown-it" in printed
    payload = json.loads((tmp_path / "compile.json").read_text(encoding="utf-8"))
    rows = {r["stage"]: r for r in payload["rows"]}
    assert list(rows) == ["markdown", "load", "compile"]
    assert rows["markdown"]["endpoints_found"] == 10 and rows["markdown"]["tables_found"] == 5
    assert rows["markdown"]["ratio_to_markdown_it"] == 1.0
    assert rows["load"]["error"] == "" and rows["load"]["seconds"] > 0
    assert payload["input"] == {**payload["input"], "endpoints": 10, "tables": 5}


def test_harness_rejects_unknown_names(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _load("run", monkeypatch)
    assert run.main(["no-such-stage"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err


def test_generated_set_never_crashes_the_readers(make_large: ModuleType, tmp_path: Path) -> None:
    from roundtrip import api

    make_large.generate(tmp_path, 20, 6)
    result = api.load(tmp_path)
    crashes = [str(d) for d in result.diagnostics if d.code == "RT900"]
    assert crashes == []
