"""Helpers for inline Markdown text inside one block (never across a document)."""

from __future__ import annotations

import re

_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# `*` emphasis may sit inside a word; `_` emphasis may not (CommonMark), so snake_case names survive.
_EMPH = re.compile(r"(\*\*|\*)(?=\S)(.+?)(?<=\S)\1|(?<![\w])(__|_)(?=\S)(.+?)(?<=\S)\3(?![\w])")


def code_spans(text: str) -> list[str]:
    """Contents of the `code spans` in an inline text, in order."""
    return [m.group(2).strip() for m in _CODE.finditer(text)]


def plain(text: str) -> str:
    """Inline Markdown → plain text: code spans unwrapped, links to their text, emphasis removed."""
    t = _CODE.sub(lambda m: m.group(2).strip(), text)
    t = _LINK.sub(lambda m: m.group(1), t)
    for _ in range(2):
        t = _EMPH.sub(lambda m: m.group(2) if m.group(1) else m.group(4), t)
    t = t.replace("\\|", "|").replace("\\*", "*").replace("\\_", "_")
    return re.sub(r"[ \t]+", " ", t).strip()


_BOLD_LABEL = re.compile(r"^\s*(?:\*\*|__)(?P<label>[^*_]+?)(?:\*\*|__)\s*(?P<rest>.*)$", re.S)


def strip_bold_label(text: str) -> tuple[str, str] | None:
    """`**Request Body** (all optional):` → ("Request Body", "(all optional):"). None when not bold-led."""
    m = _BOLD_LABEL.match(text)
    if not m:
        return None
    return m.group("label").strip(), m.group("rest").strip()


def split_cells(line: str) -> list[str]:
    """Split a raw table row into cells. Escaped pipes and pipes inside code spans do not split
    (more forgiving than GFM, which is what authors mean by `a | b` in backticks)."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells: list[str] = []
    buf: list[str] = []
    i = 0
    in_code = 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s) and s[i + 1] == "|":
            buf.append("|")
            i += 2
            continue
        if ch == "`":
            run = len(s[i:]) - len(s[i:].lstrip("`"))
            if in_code == 0:
                # only open a code span if it closes later on the line
                if s.find("`" * run, i + run) != -1:
                    in_code = run
            elif run == in_code:
                in_code = 0
            buf.append("`" * run)
            i += run
            continue
        if ch == "|" and in_code == 0:
            cells.append("".join(buf).strip())
            buf = []
            i += 1
            continue
        buf.append(ch)
        i += 1
    cells.append("".join(buf).strip())
    return cells
