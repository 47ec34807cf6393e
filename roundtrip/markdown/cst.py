"""Markdown → blocks with line spans, grouped into a section tree.

markdown-it-py does the tokenizing (CommonMark + GFM tables); this module only turns its
token stream into a small, typed block tree that readers can walk. Lines are 1-based.
Problems in the text itself (ragged tables, unclosed fences) become diagnostics here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from roundtrip.diagnostics import Diagnostic, make
from roundtrip.markdown.inline import plain, split_cells
from roundtrip.source import Span

# Readers only need each inline token's raw `.content`, never its parsed children: skipping the
# inline pass halves parse time on large doc sets (inline helpers in inline.py work on raw text).
_MD = MarkdownIt("commonmark", {"html": True}).enable("table").disable(["inline", "text_join"])


@dataclass
class Block:
    span: Span


@dataclass
class Heading(Block):
    level: int
    text: str  # raw inline markdown

    @property
    def plain(self) -> str:
        return plain(self.text)


@dataclass
class Paragraph(Block):
    text: str  # raw inline markdown, may span lines
    quoted: bool = False

    def lines(self) -> Iterator[tuple[int, str]]:
        for i, ln in enumerate(self.text.split("\n")):
            yield self.span.line + i, ln


@dataclass
class TableRow:
    cells: list[str]
    line: int


@dataclass
class Table(Block):
    header: list[str]
    rows: list[TableRow]

    def header_plain(self) -> list[str]:
        return [plain(h).lower() for h in self.header]


@dataclass
class Fence(Block):
    lang: str  # first word of the info string, lower-cased ("" for none / indented code)
    info: str
    content: str
    content_line: int  # line of the first content line
    closed: bool = True


@dataclass
class ListItem:
    text: str  # the item's first paragraph (raw inline markdown)
    line: int
    blocks: list[Block] = field(default_factory=list)  # everything in the item after the first paragraph


@dataclass
class ListBlock(Block):
    items: list[ListItem]
    ordered: bool = False


@dataclass
class Section:
    heading: Heading | None
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    parent: Section | None = field(default=None, repr=False)

    @property
    def level(self) -> int:
        return self.heading.level if self.heading else 0

    @property
    def title(self) -> str:
        return self.heading.plain if self.heading else ""

    def walk(self) -> Iterator[Section]:
        yield self
        for c in self.children:
            yield from c.walk()

    def all_blocks(self) -> Iterator[Block]:
        """Blocks of this section and all its subsections, in document order."""
        yield from self.blocks
        for c in self.children:
            yield from c.all_blocks()

    def ancestors(self) -> Iterator[Section]:
        s = self.parent
        while s is not None:
            yield s
            s = s.parent

    @property
    def path(self) -> str:
        titles = [self.title] + [a.title for a in self.ancestors() if a.heading]
        return " / ".join(reversed([t for t in titles if t]))


@dataclass
class Document:
    file: str
    text: str
    blocks: list[Block]
    root: Section
    front_matter: dict[str, str] = field(default_factory=dict)

    def sections(self) -> Iterator[Section]:
        return self.root.walk()


class _Builder:
    def __init__(self, file: str, text: str, diags: list[Diagnostic]) -> None:
        self.file = file
        self.lines = text.split("\n")
        self.diags = diags

    def span(self, tok: Token) -> Span:
        if tok.map:
            return Span(self.file, tok.map[0] + 1, tok.map[1])
        return Span(self.file, 0)

    def blocks(self, toks: list[Token], i: int, stop: str | None, quoted: bool = False) -> tuple[list[Block], int]:
        out: list[Block] = []
        while i < len(toks):
            t = toks[i]
            if stop and t.type == stop:
                return out, i + 1
            if t.type == "heading_open":
                out.append(Heading(self.span(t), int(t.tag[1:]), toks[i + 1].content))
                i += 3
            elif t.type == "paragraph_open":
                out.append(Paragraph(self.span(t), toks[i + 1].content, quoted))
                i += 3
            elif t.type in ("fence", "code_block"):
                out.append(self.fence(t))
                i += 1
            elif t.type == "table_open":
                tbl, i = self.table(toks, i)
                out.append(tbl)
            elif t.type in ("bullet_list_open", "ordered_list_open"):
                lst, i = self.list_block(toks, i)
                out.append(lst)
            elif t.type == "blockquote_open":
                inner, i = self.blocks(toks, i + 1, "blockquote_close", quoted=True)
                out.extend(inner)
            elif t.type == "html_block":
                out.append(Paragraph(self.span(t), t.content.rstrip("\n"), quoted))
                i += 1
            else:
                i += 1
        return out, i

    def fence(self, t: Token) -> Fence:
        sp = self.span(t)
        if t.type == "code_block":
            return Fence(sp, "", "", t.content, sp.line)
        info = t.info.strip()
        lang = info.split()[0].lower().strip("{}.") if info else ""
        closed = True
        assert t.map is not None
        end = t.map[1]  # exclusive, 0-based: the closing fence is at end-1 when closed
        last = self.lines[end - 1].strip() if 0 < end <= len(self.lines) else ""
        if end >= len(self.lines) or end - 1 == t.map[0] or not last.startswith(t.markup[0] * len(t.markup)):
            # markdown-it runs an unclosed fence to the end of the document
            closed = end - 1 > t.map[0] and last.startswith(t.markup[0] * len(t.markup)) and last.strip(t.markup[0]) == ""
        if not closed:
            self.diags.append(
                make("RT105", sp, f"the {t.markup} fence opened here is never closed, so the rest of the file is read as code; add a closing {t.markup}")
            )
        return Fence(sp, lang, info, t.content, sp.line + 1, closed)

    def table(self, toks: list[Token], i: int) -> tuple[Table, int]:
        open_tok = toks[i]
        header: list[str] = []
        rows: list[TableRow] = []
        i += 1
        current: list[str] | None = None
        row_line = 0
        in_head = False
        while toks[i].type != "table_close":
            t = toks[i]
            if t.type == "thead_open":
                in_head = True
            elif t.type == "thead_close":
                in_head = False
            elif t.type == "tr_open":
                current = []
                row_line = (t.map[0] + 1) if t.map else 0
            elif t.type == "tr_close" and current is not None:
                raw = self.lines[row_line - 1] if 0 < row_line <= len(self.lines) else ""
                cells = split_cells(raw) if raw.strip() else current
                if in_head:
                    header = cells
                else:
                    rows.append(TableRow(cells, row_line))
                current = None
            elif t.type == "inline" and current is not None:
                current.append(t.content)
            i += 1
        tbl = Table(self.span(open_tok), header, rows)
        for r in rows:
            if len(r.cells) != len(header):
                self.diags.append(
                    make("RT104", Span(self.file, r.line), f"row has {len(r.cells)} cells but the header has {len(header)}; "
                         "escape literal pipes as \\| or fix the row")
                )
                # pad or trim so readers can index by header position
                r.cells = (r.cells + [""] * len(header))[: len(header)]
        return tbl, i + 1

    def list_block(self, toks: list[Token], i: int) -> tuple[ListBlock, int]:
        open_tok = toks[i]
        close = "bullet_list_close" if open_tok.type == "bullet_list_open" else "ordered_list_close"
        items: list[ListItem] = []
        i += 1
        while toks[i].type != close:
            if toks[i].type == "list_item_open":
                item_map = toks[i].map
                line = (item_map[0] + 1) if item_map else 0
                inner, i = self.blocks(toks, i + 1, "list_item_close")
                text = ""
                if inner and isinstance(inner[0], Paragraph) and inner[0].span.line == line:
                    text = inner[0].text
                    inner = inner[1:]
                items.append(ListItem(text, line, inner))
            else:
                i += 1
        return ListBlock(self.span(open_tok), items, ordered=open_tok.type == "ordered_list_open"), i + 1


def _front_matter(text: str) -> tuple[dict[str, str], str, int]:
    """YAML-ish front matter (`---` … `---`) → flat dict; the body keeps its line numbers."""
    if not text.startswith("---\n"):
        return {}, text, 0
    end = text.find("\n---", 4)
    if end == -1:
        return {}, text, 0
    fm: dict[str, str] = {}
    block = text[4:end]
    for ln in block.split("\n"):
        if ":" in ln and not ln.startswith((" ", "\t")):
            k, _, v = ln.partition(":")
            fm[k.strip()] = v.strip().strip("'\"")
    nlines = block.count("\n") + 3  # opening ---, the block lines, closing ---
    # blank the front matter so markdown-it does not read it as a heading / hr, keeping line numbers
    body = "\n" * nlines + text[end + 4 :].lstrip("-").split("\n", 1)[-1] if "\n" in text[end + 4 :] else "\n" * nlines
    return fm, body, nlines


def parse_document(file: str, text: str) -> tuple[Document, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    fm, body, _ = _front_matter(text)
    toks = _MD.parse(body)
    b = _Builder(file, body, diags)
    blocks, _ = b.blocks(toks, 0, None)
    root = Section(None)
    stack = [root]
    for blk in blocks:
        if isinstance(blk, Heading):
            while stack[-1].heading is not None and stack[-1].level >= blk.level:
                stack.pop()
            sec = Section(blk, parent=stack[-1])
            stack[-1].children.append(sec)
            stack.append(sec)
        else:
            stack[-1].blocks.append(blk)
    return Document(file, text, blocks, root, fm), diags
