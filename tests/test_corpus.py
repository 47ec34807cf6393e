"""Robustness: every real document in ../shared/corpus goes through lint and compile with no
traceback, no internal error (RT900) and a valid OpenAPI document (no RT301)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from roundtrip import api
from roundtrip.diagnostics import Severity
from tests.conftest import CORPUS, corpus_files

FILES = corpus_files()


def summarize(path: Path) -> dict[str, object]:
    result, doc = api.compile_path(path)
    by = {s: sum(1 for d in result.diagnostics if d.severity is s) for s in Severity}
    return {
        "doc": path.name,
        "endpoints": len(result.spec.endpoints),
        "tables": len(result.spec.tables),
        "errors": by[Severity.ERROR],
        "warnings": by[Severity.WARNING],
        "info": by[Severity.INFO],
        "internal": [str(d) for d in result.diagnostics if d.code in ("RT900", "RT301")],
        "paths": len(doc.get("paths", {})),
    }


@pytest.mark.skipif(not FILES, reason="../shared/corpus is absent")
@pytest.mark.parametrize("path", FILES, ids=[p.name[:40] for p in FILES])
def test_corpus_doc_compiles_cleanly(path: Path) -> None:
    row = summarize(path)
    assert row["internal"] == [], row["internal"]


@pytest.mark.skipif(not FILES, reason="../shared/corpus is absent")
def test_corpus_folder_through_the_cli() -> None:
    for cmd in ("lint", "compile"):
        proc = subprocess.run([sys.executable, "-m", "roundtrip", cmd, str(CORPUS)], capture_output=True, text=True, timeout=600)
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


if __name__ == "__main__":  # a table for the issue note: python -m tests.test_corpus
    print("| doc | endpoints | tables | errors | warnings | info |")
    print("|---|---|---|---|---|---|")
    for f in FILES:
        r = summarize(f)
        print(f"| {r['doc']} | {r['endpoints']} | {r['tables']} | {r['errors']} | {r['warnings']} | {r['info']} |")
