"""The benchmarks against Node tools (bench/mock_vs_prism.py, bench/octokit_import.py, bench/node_tools.py)
without the network or servers: the round-trip counting, which mock/Prism figures get compared, the skip
when npm is missing, and the harness support they use (one run, skipped rows, details in the JSON).
The real runs are `make bench` (minutes, npm downloads)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> dict[str, ModuleType]:
    """Fresh copies of the bench modules, importing each other as siblings the way `python bench/run.py` does."""
    monkeypatch.syspath_prepend(str(BENCH))
    loaded: dict[str, ModuleType] = {}
    for name in ("node_tools", "mock_vs_prism", "octokit_import", "run"):
        spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, name, module)  # siblings and dataclasses look it up by this name
        spec.loader.exec_module(module)
        loaded[name] = module
    return loaded


def _op(*statuses: str, params: list[dict[str, object]] | None = None) -> dict[str, object]:
    return {"parameters": params or [], "responses": {s: {"description": s} for s in statuses}}


def test_survival_counts_paths_operations_statuses_and_parameters(bench: dict[str, ModuleType]) -> None:
    oi = bench["octokit_import"]
    original = {
        "paths": {
            "/repos/{owner}": {
                "parameters": [{"$ref": "#/components/parameters/owner"}],
                "get": _op("200", "404", "default", params=[{"in": "cookie", "name": "session"}]),
                "delete": _op("204", params=[{"in": "query", "name": "force"}]),
            },
            "/meta/": {"get": {"responses": {"200": {"$ref": "#/components/responses/ok"}, "304": {}}}},
        },
        "components": {
            "parameters": {"owner": {"in": "path", "name": "owner"}},
            "responses": {"ok": {"description": "ok"}},
            "schemas": {"repo-owner": {"type": "object"}, "Meta": {"type": "object"}},
        },
    }
    back = {
        "paths": {
            "/repos/{owner}": {
                "get": _op("200", params=[{"in": "path", "name": "owner", "required": True}]),
                "post": {"responses": {"201": {"description": "added", "x-roundtrip-undocumented": True}}},
            },
            "/meta": {"get": _op("200", "304")},
        },
        "components": {"schemas": {"RepoOwner": {"type": "object"}}},
    }
    got = oi.survival(original, back)
    counts = {kind: (s.original, s.back, s.kept) for kind, s in got.items()}
    assert counts == {
        "paths": (2, 2, 2),  # `/meta/` and `/meta` are one path
        "operations": (3, 3, 2),  # DELETE lost, POST is new
        "statuses": (5, 3, 3),  # `default` and the undocumented 201 are not counted; a $ref'd 200 is
        "parameters": (3, 1, 1),  # owner (path-level, by $ref) on GET and DELETE, force; not the cookie
        "schemas": (2, 1, 1),  # `repo-owner` comes back as `RepoOwner`
    }
    assert got["operations"].lost == ["DELETE /repos/{owner}"]
    assert got["statuses"].lost == ["DELETE /repos/{owner} 204", "GET /repos/{owner} 404"]
    assert got["parameters"].lost == [
        "DELETE /repos/{owner} path:owner",
        "DELETE /repos/{owner} query:force?",
    ]


def test_only_clean_runs_are_compared(bench: dict[str, ModuleType]) -> None:
    mp = bench["mock_vs_prism"]
    report = mp.Report(10, 5, versions={"autocannon": "8.0.0"})
    report.cells = [
        mp.Cell("mock", "get by id", "GET /v1/recipes/1", rps=200.0, p99_ms=50.0, requests=1000),
        mp.Cell("prism", "get by id", "GET /v1/recipes/1", rps=400.0, p99_ms=25.0, requests=2000, failed=20),
        mp.Cell("mock", "list", "GET /v1/recipes", rps=100.0, p99_ms=90.0, requests=500, failed=6),
        mp.Cell("prism", "list", "GET /v1/recipes", rps=300.0, p99_ms=30.0, requests=1500),
        mp.Cell("mock", "create", "POST /v1/recipes", note="probe answered 401 (expected 201)"),
        mp.Cell("prism", "create", "POST /v1/recipes", rps=800.0, p99_ms=10.0, requests=4000),
    ]
    assert report.ratios("get by id") == (0.5, 2.0)  # 1 % failed is still comparable
    assert report.ratios("list") == (None, None)  # 1.2 % failed
    assert report.ratios("create") == (None, None)  # no figures on one side
    assert report.summary() == "mock/Prism: get by id x0.50 rps, list not compared, create not compared"
    table = report.table()
    assert "probe answered 401" in table and "0.50" in table and "2.00" in table
    assert json.loads(json.dumps(report.as_dict()))["ratios"]["list"] == {"rps": None, "p99": None}


def test_without_npm_both_benchmarks_are_skipped(
    bench: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    nt = bench["node_tools"]
    monkeypatch.setattr(nt, "NODE_DIR", tmp_path / "node")  # nothing installed yet
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    with pytest.raises(nt.Unavailable, match="npm/node not found"):
        nt.ensure_packages({"autocannon": "8.0.0"})
    for module in (bench["mock_vs_prism"], bench["octokit_import"]):
        report = module.run()
        assert report.skipped and "skipped" in report.table()
    assert bench["mock_vs_prism"].run().cells == []
    assert bench["octokit_import"].run().seconds == {}


def test_harness_runs_self_timed_benchmarks_once_and_reports_skips(
    bench: dict[str, ModuleType], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = bench["run"]
    assert {"mock-vs-prism", "octokit"} <= set(run.REGISTRY)
    calls: list[str] = []

    @run.benchmark("fake-tool", suite="faketools", description="measures itself", once=True)
    def fake_tool(ctx: object) -> object:
        calls.append("tool")
        return run.Outcome(3, None, "ran", {"rps": 1.5}, "fake tool table")

    @run.benchmark("fake-skip", suite="faketools", description="needs npm", once=True)
    def fake_skip(ctx: object) -> object:
        calls.append("skip")
        return run.Outcome(skipped="npm/node not found on PATH")

    code = run.main(
        [
            "fake-tool",
            "fake-skip",
            "--endpoints",
            "4",
            "--tables",
            "2",
            "--repeat",
            "3",
            "--results",
            str(tmp_path),
        ]
    )
    assert code == 0  # a skip is not a failure
    assert calls == ["tool", "skip"]  # once each: no repeats, no tracemalloc run
    rows = {r["stage"]: r for r in json.loads((tmp_path / "faketools.json").read_text())["rows"]}
    assert rows["fake-tool"]["details"] == {"rps": 1.5} and len(rows["fake-tool"]["runs"]) == 1
    assert rows["fake-tool"]["peak_bytes"] is None
    assert (
        rows["fake-skip"]["seconds"] is None
        and rows["fake-skip"]["note"] == "skipped: npm/node not found on PATH"
    )
    assert "fake tool table" in capsys.readouterr().out
