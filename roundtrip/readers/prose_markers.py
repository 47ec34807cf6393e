"""`[NEEDS CLARIFICATION: …]` → RT120 and `[ASSUMPTION: …]` → RT121, one per marker, at the marker's line.

Markers are found in any text a reader sees: headings, paragraphs (also quoted), list items and
table cells. Code fences and inline code are skipped: a marker quoted as code is an example of
the notation, not an open question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from roundtrip.diagnostics import Sink
from roundtrip.markdown import Block, Document, Heading, ListBlock, Paragraph, Table
from roundtrip.readers.prose_walk import mask_code, shorten
from roundtrip.source import Span

_KINDS = {"NEEDS CLARIFICATION": "RT120", "ASSUMPTION": "RT121"}
_OPEN = re.compile(r"\[\s*(NEEDS[ _-]+CLARIFICATION|ASSUMPTION)\s*(?::|\]|\s-\s)", re.I)


def read_markers(doc: Document, sink: Sink) -> None:
    for line, text in _texts(doc.blocks):
        for offset, kind, body in find_markers(text):
            at = line + text.count("\n", 0, offset)
            code = _KINDS[kind]
            what = "open question" if code == "RT120" else "assumption"
            msg = f"[{kind}: {shorten(body)}] is an unresolved {what}; resolve it or move it to an open-questions list"
            sink.add(code, Span(doc.file, at), msg)


def find_markers(text: str) -> list[tuple[int, str, str]]:
    """Markers in one block of text: (offset of `[`, kind, body). Brackets inside the body
    (links, `[x]`) are balanced; an unclosed marker runs to the end of its line."""
    masked = mask_code(text)
    out: list[tuple[int, str, str]] = []
    pos = 0
    while True:
        m = _OPEN.search(masked, pos)
        if m is None:
            return out
        kind = re.sub(r"[ _-]+", " ", m.group(1).upper())
        start = m.end() if not m.group(0).endswith("]") else m.end() - 1
        depth = 1
        i = start
        end = -1
        while i < len(masked):
            ch = masked[i]
            if ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
                if depth == 0:
                    end = i
                    break
            i += 1
        if end == -1:
            nl = text.find("\n", start)
            end = len(text) if nl == -1 else nl
        out.append((m.start(), kind, text[start:end].strip()))
        pos = max(end, m.end())


def _texts(blocks: list[Block]) -> Iterator[tuple[int, str]]:
    """(first line, raw text) of every non-code text in the blocks, recursively."""
    for b in blocks:
        if isinstance(b, Heading):
            yield b.span.line, b.text
        elif isinstance(b, Paragraph):
            yield b.span.line, b.text
        elif isinstance(b, Table):
            yield b.span.line, " | ".join(b.header)
            for row in b.rows:
                yield row.line, " | ".join(row.cells)
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield item.line, item.text
                yield from _texts(item.blocks)
