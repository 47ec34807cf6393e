"""Markdown → concrete syntax tree of blocks with line spans (the first compiler stage)."""

from roundtrip.markdown.cst import (
    Block,
    Document,
    Fence,
    Heading,
    ListBlock,
    ListItem,
    Paragraph,
    Section,
    Table,
    TableRow,
    parse_document,
)
from roundtrip.markdown.inline import code_spans, plain, strip_bold_label

__all__ = [
    "Block", "Document", "Fence", "Heading", "ListBlock", "ListItem", "Paragraph", "Section", "Table",
    "TableRow", "code_spans", "parse_document", "plain", "strip_bold_label",
]
