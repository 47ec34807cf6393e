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


_SUMMARY_EDGES = " —–-:"


def _closing(text: str, start: int) -> int:
    """Index of the parenthesis that closes the one at `start` (-1 when it never closes)."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def trim_summary(text: str) -> str:
    """A heading trailer's summary without its separators: `— Create workspace (caller becomes admin)`
    keeps its closing parenthesis; `(authenticated)` and `(liveness, no checks)` lose the pair around
    them; a parenthesis left over from cutting the trailer (`Health (` / `) x`) is dropped."""
    s = text.strip(_SUMMARY_EDGES)
    while s:
        if s[0] == "(" and _closing(s, 0) == len(s) - 1:
            s = s[1:-1].strip(_SUMMARY_EDGES)
        elif s[0] == "(" and _closing(s, 0) == -1:
            s = s[1:].strip(_SUMMARY_EDGES)
        elif (s[-1] == ")" and s.count(")") > s.count("(")) or s[-1] == "(":
            s = s[:-1].strip(_SUMMARY_EDGES)
        elif s[0] == ")":
            s = s[1:].strip(_SUMMARY_EDGES)
        else:
            break
    return s
