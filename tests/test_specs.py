"""The project's own showcase doc set compiles without warnings, and generated/ is up to date."""

from __future__ import annotations

from pathlib import Path

from roundtrip import api
from roundtrip.diagnostics import Severity

REPO = Path(__file__).resolve().parent.parent


def test_specs_compile_without_warnings() -> None:
    result, _ = api.compile_path(REPO / "specs")
    noisy = [str(d) for d in result.diagnostics if d.severity >= Severity.WARNING]
    assert noisy == []
    assert len(result.spec.endpoints) >= 12 and len(result.spec.tables) >= 4
    assert result.spec.samples, "the showcase should carry sample rows"


def test_generated_tree_is_current() -> None:
    result = api.load(REPO / "specs")
    files = api.generated_files(result.spec)
    assert "openapi.yaml" in files and "app/db/models.py" in files
    stale = [rel for rel, text in files.items() if (REPO / "generated" / rel).read_text(encoding="utf-8") != text]
    assert stale == [], f"generated/ is stale ({stale}): run `make spec2code` and commit it"
