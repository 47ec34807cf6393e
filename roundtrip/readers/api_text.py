"""Inline Markdown → plain text that keeps identifiers intact.

`markdown.inline.plain` reads the underscores of `created_at` or `LOAN_LIMIT_REACHED` as emphasis
(even inside code spans); CommonMark never treats intraword `_` as emphasis, and API names are full of
them, so the API reader uses this stricter version.
"""

from __future__ import annotations

import re

_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_STRONG_STAR = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.S)
_STRONG_UNDER = re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)", re.S)
_EM_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])", re.S)
_EM_UNDER = re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)", re.S)
_HOLE = re.compile("\x00(\\d+)\x00")


def flat(text: str) -> str:
    spans: list[str] = []

    def keep(m: re.Match[str]) -> str:
        spans.append(m.group(2).strip())
        return f"\x00{len(spans) - 1}\x00"

    t = _CODE.sub(keep, text)
    t = _LINK.sub(lambda m: m.group(1), t)
    for rx in (_STRONG_STAR, _STRONG_UNDER, _EM_STAR, _EM_UNDER):
        t = rx.sub(lambda m: m.group(1), t)
    t = t.replace("\\|", "|").replace("\\*", "*").replace("\\_", "_")
    t = _HOLE.sub(lambda m: spans[int(m.group(1))], t)
    return re.sub(r"[ \t]+", " ", t).strip()
