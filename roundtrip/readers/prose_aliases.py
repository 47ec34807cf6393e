"""Words a path parameter accepts in place of an id: "`me` is accepted as `{memberId}`".

Docs let the signed-in caller name themself in a path (`GET /members/me/fines`). The statement is
one sentence naming the word and the parameter, both in inline code, in either order:

    `me` is accepted as `{memberId}`          `{memberId}` also accepts `me`
    `me` may be used for `{memberId}`         `{memberId}` can be `me` (the signed-in member)

Each becomes the convention `path_alias.<param>` = word, which the resolver turns into the type of
every path parameter of that name ("id or word": roundtrip.resolve.path_aliases) and then drops: the
Spec states the alias once, in the parameters. Only words that mean the caller are read
(`me`, `self`, `current`, `mine`); a sentence merely mentioning `me` next to a parameter, such as
"routes compare `memberId` (or `me`) with `sub`", states no alias and is left alone.
"""

from __future__ import annotations

import re

from roundtrip.ir import Convention, Facts
from roundtrip.markdown import Document, plain
from roundtrip.readers.prose_walk import prose_lines, sections, tables
from roundtrip.source import Span

CALLER_WORDS = ("me", "self", "current", "mine")
_WORD = r"`(?P<word>" + "|".join(CALLER_WORDS) + r")`"
_PARAM = r"`\{?(?P<param>[A-Za-z_][A-Za-z0-9_]*)\}?`"
_ACCEPTED = (
    r"(?:is|are)\s+(?:also\s+)?(?:accepted|allowed|valid|supported)\s+(?:as|for|in\s+place\s+of|instead\s+of)"
)
_USED = r"(?:may|can)\s+(?:also\s+)?(?:be\s+used|stand|be\s+given|be\s+passed)\s+(?:as|for|in\s+place\s+of|instead\s+of)"
_ACCEPTS = r"(?:also\s+)?(?:accepts?|takes?|allows?|(?:may|can)\s+(?:also\s+)?be)"
_STATEMENTS = (
    re.compile(rf"{_WORD}\s+(?:{_ACCEPTED}|{_USED})\s+(?:the\s+)?{_PARAM}", re.I),
    re.compile(rf"{_PARAM}\s+(?:parameter\s+)?{_ACCEPTS}\s+(?:the\s+(?:value|word)\s+)?{_WORD}", re.I),
)


def read_path_aliases(doc: Document, facts: Facts) -> None:
    for section in sections(doc):
        texts = [(line.line, line.text) for line in prose_lines(section.blocks)]
        # a parameter table's Description cell says it as well (`| memberId | … | `me` is accepted as … |`)
        texts += [(row.line, cell) for table in tables(section) for row in table.rows for cell in row.cells]
        for line, text in texts:
            for pattern in _STATEMENTS:
                for m in pattern.finditer(text):
                    param, word = m.group("param"), m.group("word").lower()
                    said = plain(m.group(0))  # the parameter's description, as a table cell reads back
                    facts.conventions.append(
                        Convention(f"path_alias.{param}", word, said, Span(doc.file, line))
                    )
