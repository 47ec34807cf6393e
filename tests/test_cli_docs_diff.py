"""`roundtrip docs` and `roundtrip diff` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def rt(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "roundtrip", *args], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_canonical_docs_read_back_to_the_same_spec(tmp_path: Path) -> None:
    out = tmp_path / "canon"
    assert rt("docs", "specs", "-o", str(out)).returncode == 0
    assert sorted(p.name for p in out.iterdir()) == ["API_SPEC.md", "DATA_MODEL.md", "SECURITY.md"]
    same = rt("diff", "specs", str(out))
    assert same.returncode == 0 and same.stdout == "no changes\n"
    again = rt("docs", str(out), "-o", str(tmp_path / "canon2"))
    assert again.returncode == 0
    for name in ("API_SPEC.md", "DATA_MODEL.md"):
        assert (out / name).read_text() == (tmp_path / "canon2" / name).read_text()


def test_diff_reports_rules_and_fails_on_breaking(tmp_path: Path) -> None:
    v1, v2 = REPO / "tests/fixtures/evolve/v1", REPO / "tests/fixtures/evolve/v2"
    proc = rt("diff", str(v1), str(v2), "--format", "json")
    rules = sorted(c["rule"] for c in json.loads(proc.stdout)["changes"])
    assert rules == ["RD202", "RD204", "RD205", "RD207", "RD215", "RD218"]
    assert proc.returncode == 0  # all additive / info
    back = rt("diff", str(v2), str(v1), "--fail-on", "warning")
    assert back.returncode == 1  # going back drops a table and a column


def test_docs_from_openapi_and_usage_errors(tmp_path: Path) -> None:
    src = next((REPO / "tests/fixtures/openapi").glob("*.json"), None) or next((REPO / "tests/fixtures/openapi").glob("*.yaml"))
    proc = rt("docs", "--from-openapi", str(src), "-o", str(tmp_path / "imported"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "imported" / "API_SPEC.md").is_file()
    assert rt("docs", "-o", str(tmp_path / "x")).returncode == 2
    assert rt("docs", "--from-openapi", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "y")).returncode == 2
    assert rt("diff", "no-such-rev", "specs").returncode == 2
