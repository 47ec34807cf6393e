"""The Markdown CST keeps exact line numbers; that is what every diagnostic stands on."""

from roundtrip.markdown import Fence, Heading, ListBlock, Paragraph, Table, parse_document


def test_front_matter_keeps_line_numbers() -> None:
    doc, diags = parse_document("a.md", "---\nproduct: x\nversion: 1.0\n---\n\n# Title\n\ntext\n")
    assert diags == []
    assert doc.front_matter == {"product": "x", "version": "1.0"}
    assert [(type(b).__name__, b.span.line) for b in doc.blocks] == [("Heading", 6), ("Paragraph", 8)]


def test_blocks_tables_fences_lists_and_sections() -> None:
    src = (
        "# API\n\n## Users\n\n### GET /v1/users\n\n| Field | Type |\n|---|---|\n| a \\| b | `x|y` |\n\n"
        "```json\n{\"a\": 1}\n```\n\n- item one\n  ```json\n  {}\n  ```\n- item two\n"
    )
    doc, diags = parse_document("a.md", src)
    assert diags == []
    kinds = [type(b) for b in doc.blocks]
    assert kinds == [Heading, Heading, Heading, Table, Fence, ListBlock]
    table = doc.blocks[3]
    assert isinstance(table, Table) and table.rows[0].cells == ["a | b", "`x|y`"] and table.rows[0].line == 9
    fence = doc.blocks[4]
    assert isinstance(fence, Fence) and fence.lang == "json" and fence.content_line == 12 and fence.closed
    lst = doc.blocks[5]
    assert isinstance(lst, ListBlock) and [i.line for i in lst.items] == [15, 19]
    assert isinstance(lst.items[0].blocks[0], Fence)
    sec = [s for s in doc.sections() if s.title == "GET /v1/users"][0]
    assert sec.path == "API / Users / GET /v1/users" and sec.level == 3


def test_ragged_rows_and_unclosed_fences_are_diagnostics() -> None:
    doc, diags = parse_document("a.md", "| a | b |\n|---|---|\n| 1 | 2 | 3 |\n\n```sql\nSELECT 1;\n")
    assert [(d.code, d.span.line) for d in diags] == [("RT104", 3), ("RT105", 5)]
    fence = [b for b in doc.blocks if isinstance(b, Fence)][0]
    assert not fence.closed


def test_blockquote_markers_stay_paragraphs() -> None:
    doc, _ = parse_document("a.md", "> [NEEDS CLARIFICATION: x]\n")
    assert isinstance(doc.blocks[0], Paragraph) and doc.blocks[0].quoted
