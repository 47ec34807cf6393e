from pathlib import Path

from roundtrip.diagnostics import CODES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_readme_lists_every_diagnostic_code() -> None:
    assert [c for c in CODES if f"`{c}`" not in README] == []


def test_readme_shows_the_two_commands() -> None:
    assert "make spec2code" in README and "make test" in README
