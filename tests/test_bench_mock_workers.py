"""bench/mock_vs_prism.py's extra line: the mock under several uvicorn workers, labelled, never the compared row."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load_mock_vs_prism(monkeypatch: pytest.MonkeyPatch) -> object:
    """A fresh copy of bench/mock_vs_prism.py, importing its siblings the way `python bench/run.py` does."""
    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location("mock_vs_prism", BENCH / "mock_vs_prism.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "mock_vs_prism", module)  # its dataclasses look it up by this name
    spec.loader.exec_module(module)
    return module


def test_the_workers_line_is_labelled_and_leaves_the_compared_ratios_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mp: Any = load_mock_vs_prism(monkeypatch)
    report = mp.Report(10, 5, workers=2, versions={"autocannon": "8.0.0"})
    for label, path in (
        ("get by id", "GET /v1/recipes/1"),
        ("list", "GET /v1/recipes"),
        ("create", "POST /v1/recipes"),
    ):
        report.cells += [
            mp.Cell(mp.MOCK, label, path, rps=1000.0, p99_ms=10.0, requests=10_000),
            mp.Cell(mp.MOCK_WORKERS, label, path, rps=1500.0, p99_ms=8.0, requests=15_000),
            mp.Cell(mp.PRISM, label, path, rps=4000.0, p99_ms=2.0, requests=40_000),
        ]
    assert report.ratios("list") == (0.25, 5.0), "the one-worker mock against Prism"
    assert report.ratios("list", mp.MOCK_WORKERS) == (0.375, 4.0)
    table = report.table()
    assert "mock 2w rps" in table and "rps mock 2w/Prism" in table and "for reference only" in table
    assert "0.25" in table and "0.38" in table
    assert report.summary() == (
        "mock/Prism: get by id x0.25 rps, list x0.25 rps, create x0.25 rps (2 workers: x0.38, x0.38, x0.38)"
    )
    data = report.as_dict()
    assert data["ratios"]["create"]["rps"] == 0.25 and data["ratios_workers"]["create"]["rps"] == 0.375
    plain = mp.Report(10, 5)
    plain.cells = [c for c in report.cells if c.server != mp.MOCK_WORKERS]
    assert (
        "2w" not in plain.table()
        and "workers" not in plain.summary()
        and "ratios_workers" not in plain.as_dict()
    )
