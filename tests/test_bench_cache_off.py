"""bench/mock_vs_prism.py says the compared mock runs with its read cache on, and shows reads without it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_bench_mock_workers import load_mock_vs_prism


def test_the_cache_off_rows_are_labelled_reference_rows_for_the_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    mp: Any = load_mock_vs_prism(monkeypatch)
    report = mp.Report(10, 5, cache_off=True, versions={"autocannon": "8.0.0"})
    for label, path in (("get by id", "GET /v1/recipes/1"), ("list", "GET /v1/recipes"), ("create", "POST /v1/recipes")):
        report.cells += [
            mp.Cell(mp.MOCK, label, path, rps=6000.0, p99_ms=3.0, requests=60_000),
            mp.Cell(mp.PRISM, label, path, rps=4000.0, p99_ms=6.0, requests=40_000),
        ]
        if label in mp.CACHE_OFF_ENDPOINTS:
            report.cells.append(mp.Cell(mp.MOCK_NO_CACHE, label, path, rps=2000.0, p99_ms=12.0, requests=20_000))
    assert mp.CACHE_OFF_ENDPOINTS == ("get by id", "list"), "a create is never cached: no reference row"
    assert report.ratios("list") == (1.5, 0.5), "the compared row is the cached mock's"
    assert report.ratios("list", mp.MOCK_NO_CACHE) == (0.5, 2.0)
    table = report.table()
    assert "read cache on, as users get it" in table and "READ_CACHE=false" in table
    rows = [line for line in table.splitlines() if "read cache off" in line and "READ_CACHE" not in line]
    assert [r.split(",")[0] for r in rows] == ["get by id", "list"]
    assert all("2000" in r and "0.50" in r for r in rows)
    assert report.summary().endswith("(read cache off: get by id x0.50, list x0.50)")
    assert report.as_dict()["ratios_cache_off"]["get by id"] == {"rps": 0.5, "p99": 2.0}
    plain = mp.Report(10, 5)
    plain.cells = [c for c in report.cells if c.server != mp.MOCK_NO_CACHE]
    assert "read cache off" not in plain.summary() and "ratios_cache_off" not in plain.as_dict()
    assert "read cache on" in plain.table(), "the compared row always says how it ran"
