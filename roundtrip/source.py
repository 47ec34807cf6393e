"""Source files and spans: where every fact and every diagnostic points.

A Span is (file, line) with 1-based lines, as editors and CI annotations expect.
Files are named by their path relative to the spec root so output never depends
on where the checkout lives (deterministic output, goldens that work anywhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")


@dataclass(frozen=True, order=True)
class Span:
    file: str
    line: int
    end_line: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def at(self, line: int) -> Span:
        return Span(self.file, line)


NO_SPAN = Span("<none>", 0)


@dataclass(frozen=True)
class SourceFile:
    name: str  # relative to the spec root, POSIX separators
    path: Path
    text: str

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


class SourceError(Exception):
    """A file could not be read as text. Carries a span for the diagnostic."""

    def __init__(self, span: Span, message: str) -> None:
        super().__init__(message)
        self.span = span
        self.message = message


def decode_text(name: str, data: bytes) -> str:
    """Decode a file's bytes as UTF-8 text or raise SourceError.

    NUL bytes mean binary; we refuse rather than feed garbage to the parsers.
    """
    if b"\x00" in data[:8192]:
        raise SourceError(Span(name, 1), "file is binary (contains NUL bytes), not Markdown text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(Span(name, line), f"file is not valid UTF-8 text (byte {exc.start})") from None
    # Normalize newlines so line numbers agree with what editors show.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def discover(root: Path) -> tuple[Path, list[Path]]:
    """Return (base directory for relative names, markdown files in stable order).

    A file path compiles that one file (whatever its suffix: the caller said so);
    a folder compiles every Markdown file below it, recursively, sorted by path.
    """
    if root.is_file():
        return root.parent, [root]
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in MARKDOWN_SUFFIXES and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    return root, files


def relative_name(base: Path, path: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()
