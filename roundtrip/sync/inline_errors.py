"""Inline error lists: `` Errors: `404 NOT_FOUND` · `409 X` `` or "Errors: `400` invalid code, `404` not found.".

An entry is a code span holding a 4xx/5xx status (and maybe a code) plus the words after it up to the
next entry, as the API reader takes them. Entries are added after the last one with the separator
the list already uses, and removed with their words and one separator, so the rest of the line stays
byte for byte. Only lines with an errors label are lists: a status inside a sentence is prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPAN = re.compile(r"`\s*([45]\d\d)\b([^`]*)`")
_LABEL = re.compile(r"(?:\*\*|__)?\b(?:errors?|error responses?|failures?)(?:\*\*|__)?\s*:(?:\*\*|__)?", re.I)
_NEXT_LABEL = re.compile(r"\s+·\s+(?=(?:\*\*)?[A-Za-z][\w -]{1,30}(?:\*\*)?\s*:)")
_TRAILING_SEP = re.compile(r"\s*(?:[,;·|/]|\bor\b|\band\b)\s*$")


@dataclass(frozen=True)
class Entry:
    start: int
    end: int  # end of its words (before the separator or a closing period)
    status: int
    code: str
    words: str  # what follows the span, parentheticals left out


@dataclass(frozen=True)
class ErrorList:
    label_start: int
    label_end: int
    entries: tuple[Entry, ...]
    end: int  # where the list ends in the line

    def separator(self, text: str) -> str:
        if len(self.entries) >= 2:
            gap = text[self.entries[0].end : self.entries[1].start]
            if gap.strip() in ("·", ",", ";", "|", "/") or not gap.strip():
                return gap
        return " · "

    def has_words(self) -> bool:
        return any(re.search(r"[A-Za-z]{2}", e.words) for e in self.entries)


def error_list(text: str) -> ErrorList | None:
    label = _LABEL.search(text)
    if label is None:
        return None
    spans = list(_SPAN.finditer(text, label.end()))
    if not spans:
        return ErrorList(label.start(), label.end(), (), len(text))
    nxt = _NEXT_LABEL.search(text, spans[-1].end())
    limit = nxt.start() if nxt else len(text)
    entries: list[Entry] = []
    for i, m in enumerate(spans):
        raw_end = spans[i + 1].start() if i + 1 < len(spans) else limit
        content = text[m.start() : raw_end]
        sep = _TRAILING_SEP.search(content) if i + 1 < len(spans) else None
        end = m.start() + (sep.start() if sep else len(content.rstrip().rstrip(".").rstrip()))
        words = re.sub(r"\([^()]*\)", "", text[m.end() : end]).strip(" ,;·.—–-")
        code = next((w for w in m.group(2).split() if re.fullmatch(r"[A-Z][A-Z0-9_]+", w)), "")
        entries.append(Entry(m.start(), end, int(m.group(1)), code, words))
    return ErrorList(label.start(), label.end(), tuple(entries), limit)


def add_entries(text: str, rendered: list[str]) -> str | None:
    """`text` with `rendered` entries after the last one; None when the line is not an error list."""
    lst = error_list(text)
    if lst is None or not lst.entries:
        return None
    at = lst.entries[-1].end
    sep = lst.separator(text)
    return text[:at] + "".join(sep + r for r in rendered) + text[at:]


def remove_entry(text: str, status: int, code: str) -> str | None:
    """`text` without the entry for (status, code) and its words; None when there is no such entry.
    The list's label goes with its last entry; "" when nothing else was on the line."""
    lst = error_list(text)
    if lst is None:
        return None
    es = lst.entries
    i = next((k for k, e in enumerate(es) if e.status == status and (e.code == code or not code)), None)
    if i is None:
        return None
    if i > 0:
        out = text[: es[i - 1].end] + text[es[i].end :]
    elif len(es) > 1:
        out = text[: es[0].start] + text[es[1].start :]
    else:
        start = lst.label_start
        before = re.search(r"\s*·\s*$", text[:start])
        if before:
            start = before.start()
        tail = text[lst.end :]
        if not text[:start].strip():
            tail = re.sub(r"^\s*[·.]?\s*", "", tail)
        out = text[:start] + tail
    return out if out.strip() else ""


def entry_text(status: int, code: str, message: str, with_words: bool) -> str:
    span = f"`{status} {code}`" if code else f"`{status}`"
    return f"{span} {message}" if with_words and message else span
