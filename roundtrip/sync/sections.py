"""One endpoint's section in the human docs: its lines, its blocks and where new constructs go.

Sync inserts a construct (an error table, an auth line, a response block) where the canonical docs
would have it: after the blocks that state the endpoint's parameters, request and responses, and
before what follows them (notes, examples). Those blocks are found through the IR's spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from roundtrip.ir import Endpoint
from roundtrip.markdown import Block, Fence, ListBlock, Paragraph
from roundtrip.sync.docs import DocFile

# A paragraph that is only a label (`**Errors**:`, `**Error Responses**:`): it belongs to the block after it.
_LABEL_ONLY = re.compile(
    r"^\s*(?:\*\*|__)[^*_]{1,60}(?:\*\*|__)\s*:?\s*$|^\s*(?:\*\*|__)[^*_]{1,60}:(?:\*\*|__)\s*$"
)


_DESCRIPTION = re.compile(r"^\s*(?:\*\*|__)?(?:description|summary|purpose|overview)\b", re.I)


def is_label_only(text: str) -> bool:
    return bool(_LABEL_ONLY.match(text.strip()))


@dataclass
class EndpointSection:
    df: DocFile
    endpoint: Endpoint  # the docs' IR endpoint (spans)
    start: int  # the heading (or declaring paragraph) line
    end: int  # the last content line

    @classmethod
    def of(cls, df: DocFile, e: Endpoint) -> EndpointSection:
        return cls(df, e, e.span.line, df.section_end(e.span.line))

    def contains(self, line: int) -> bool:
        return self.start <= line <= self.end

    def blocks(self) -> list[Block]:
        return [b for b in self.df.blocks if self.start <= b.span.line <= self.end]

    def block_at(self, line: int) -> Block | None:
        for b in self.blocks():
            if b.span.line <= line <= max(b.span.line, b.span.end_line):
                return b
        return None

    def block_end(self, b: Block) -> int:
        """Last non-blank line of a block (list spans include the blank line after them)."""
        end = max(b.span.line, b.span.end_line)
        while end > b.span.line and not self.df.line(end).strip():
            end -= 1
        return end

    def construct_end(self, line: int) -> int:
        """Last line of what a statement at `line` belongs to: its table, list or fence, and for a label
        paragraph the table or fence it introduces."""
        b = self.block_at(line)
        if b is None:
            return line
        end = self.block_end(b)
        if isinstance(b, Paragraph):
            nxt = self.df.block_after_label(b.span.line)
            if nxt is not None and self.contains(nxt.span.line) and nxt.span.line > b.span.line:
                between = [x for x in self.blocks() if b.span.line < x.span.line < nxt.span.line]
                if not between:
                    end = max(end, self.block_end(nxt))
        return end

    def body_end(self) -> int:
        """Last line of the blocks stating parameters, request body and responses (or of the description)."""
        e = self.endpoint
        lines = [p.span.line for p in e.parameters] + [r.span.line for r in e.responses]
        if e.request is not None:
            lines.append(e.request.span.line)
        if e.auth.span.file == self.df.name:
            lines.append(e.auth.span.line)
        lines = [ln for ln in lines if ln > 0 and self.contains(ln) and ln != self.start]
        if not lines:
            return self.intro_end()
        return max(self.construct_end(ln) for ln in lines)

    def intro_end(self) -> int:
        """The heading line, or the end of the description right under it (plain or `**Description**:`)."""
        first = next((b for b in self.blocks() if b.span.line > self.start), None)
        if isinstance(first, Paragraph) and not is_label_only(first.text):
            if not _starts_with_label(first.text) or _DESCRIPTION.match(first.text):
                return self.block_end(first)
        return self.start

    def label_before(self, b: Block) -> Paragraph | None:
        """The label-only paragraph right before a table or list (`**Errors**:`)."""
        prev = None
        for x in self.blocks():
            if x is b:
                break
            prev = x
        if (
            isinstance(prev, Paragraph)
            and is_label_only(prev.text)
            and self.block_end(prev) >= b.span.line - 2
        ):
            return prev
        return None


def _starts_with_label(text: str) -> bool:
    t = text.strip()
    return t.startswith(("**", "__")) or bool(re.match(r"^[A-Z][A-Za-z /-]{0,30}:\s", t))


def list_item_range(lst: ListBlock, line: int, df: DocFile) -> tuple[int, int] | None:
    """First and last line of the item of `lst` starting at `line` (nested fence included, blank tail not)."""
    for i, item in enumerate(lst.items):
        if item.line != line:
            continue
        end = lst.items[i + 1].line - 1 if i + 1 < len(lst.items) else max(lst.span.end_line, item.line)
        while end > item.line and not df.line(end).strip():
            end -= 1
        return item.line, end
    return None


def fence_of(df: DocFile, line: int) -> Fence | None:
    for b in df.blocks:
        if isinstance(b, Fence) and b.span.line <= line <= b.span.end_line:
            return b
    return None


def list_of(df: DocFile, line: int) -> ListBlock | None:
    for b in df.blocks:
        if isinstance(b, ListBlock) and any(item.line == line for item in b.items):
            return b
    return None
