"""The human docs as sync sees them: each file's lines and block tree, and line edits applied to them.

Edits are whole-line replacements (`start`..`end`, 1-based, inclusive; `end = start - 1` inserts
before `start`). Every line no edit touches is carried over byte for byte: that is the promise
`roundtrip sync` makes about the authors' prose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roundtrip.markdown import Block, Fence, Heading, ListBlock, Paragraph, Table, parse_document


@dataclass(frozen=True)
class LineEdit:
    file: str
    start: int
    end: int
    lines: tuple[str, ...]
    seq: int = 0


@dataclass
class DocFile:
    name: str  # relative to the spec root, as spans name it
    text: str
    lines: list[str] = field(init=False)
    blocks: list[Block] = field(init=False)

    def __post_init__(self) -> None:
        self.lines = self.text.split("\n")
        doc, _ = parse_document(self.name, self.text)
        self.blocks = doc.blocks

    def line(self, n: int) -> str:
        return self.lines[n - 1] if 0 < n <= len(self.lines) else ""

    def table_at(self, line: int) -> Table | None:
        for b in self.blocks:
            if isinstance(b, Table) and b.span.line <= line <= max(b.span.end_line, b.span.line):
                return b
        return None

    def block_after_label(self, line: int) -> Table | Fence | None:
        """The table or code fence that a label paragraph (`**Request Body**:`) at `line` introduces:
        the first one before the next label or heading. A table or fence at `line` itself is its own block."""
        started = False
        for b in self.blocks:
            if not started:
                if b.span.line == line or (b.span.line <= line <= b.span.end_line):
                    started = True
                    if isinstance(b, (Table, Fence)):
                        return b
                continue
            if isinstance(b, (Table, Fence)):
                return b
            if isinstance(b, (Heading, ListBlock)) or (
                isinstance(b, Paragraph) and b.text.lstrip().startswith(("**", "__"))
            ):
                return None
        return None

    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]

    def section_end(self, heading_line: int) -> int:
        """Last line of the section whose heading is at `heading_line`, without trailing blank lines and
        thematic breaks (`---`), so that text inserted after it lands inside the section."""
        heads = self.headings()
        level = next((h.level for h in heads if h.span.line == heading_line), 6)
        end = len(self.lines)
        for h in heads:
            if h.span.line > heading_line and h.level <= level:
                end = h.span.line - 1
                break
        while end > heading_line and self.line(end).strip() in ("", "---", "***", "___"):
            end -= 1
        return end

    def fence_body(self, fence: Fence) -> tuple[int, int]:
        """First and last line of a closed fence's content (last < first when it is empty)."""
        return fence.content_line, fence.span.end_line - 1


def apply_edits(lines: list[str], edits: list[LineEdit]) -> tuple[list[str], list[LineEdit]]:
    """`lines` with `edits` applied; edits whose replaced lines overlap an earlier edit are returned unapplied."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end, e.seq))
    kept: list[LineEdit] = []
    dropped: list[LineEdit] = []
    last_end = 0
    for e in ordered:
        if e.end >= e.start and e.start <= last_end:
            dropped.append(e)
            continue
        kept.append(e)
        last_end = max(last_end, e.end)
    out = list(lines)
    for e in reversed(kept):
        out[e.start - 1 : e.end] = list(e.lines)
    return out, dropped
