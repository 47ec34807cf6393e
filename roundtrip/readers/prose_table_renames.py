"""A table's documented rename in its section's prose: "renamed from `users`".

Runs after the table readers (SQL, column tables, mermaid), since it annotates the tables they
found: a table section's heading prose (the paragraphs before its first table, code block or list)
saying "renamed from `users`" is added to the description of the table the section defines, where
`roundtrip diff` reads table renames (a column table's `**Description**:` line carries it already).
The rename itself is decided by the differ: only a name that the old docs had and the new ones do
not is a rename.
"""

from __future__ import annotations

import re
from dataclasses import replace

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts
from roundtrip.markdown import Document, Paragraph, Section

_TABLE_RENAMED = re.compile(r"\brenamed from\s+[`\"']?[A-Za-z_]\w*[`\"']?", re.I)


def read_table_renames(doc: Document, facts: Facts, sink: Sink) -> None:
    """The sentence joins the description of the one table defined under the heading, or of the one
    the heading names. A sentence about a column ("the `name` column was renamed from `fullname`")
    is the column's business and is left alone."""
    headings = [s for s in doc.sections() if s.heading is not None]
    for k, sec in enumerate(headings):
        sentence = _rename_sentence(sec)
        if not sentence or sec.heading is None:
            continue
        start = sec.heading.span.line
        end = next(
            (h.heading.span.line for h in headings[k + 1 :] if h.heading and h.level <= sec.level), None
        )
        inside = [
            i
            for i, t in enumerate(facts.tables)
            if t.columns
            and t.span.file == doc.file
            and start <= t.span.line
            and (end is None or t.span.line < end)
        ]
        names = {facts.tables[i].name for i in inside}
        if len(names) > 1:
            words = set(re.findall(r"\w+", sec.title.lower()))
            names = {n for n in names if n.lower() in words or n.lower().removesuffix("s") in words}
        if len(names) != 1:
            continue
        for i in inside:
            t = facts.tables[i]
            if t.name in names and not _TABLE_RENAMED.search(t.description):
                facts.tables[i] = replace(t, description=f"{t.description} {sentence}".strip())


def _rename_sentence(sec: Section) -> str:
    for block in sec.blocks:
        if not isinstance(block, Paragraph):
            return ""
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(block.text.split())):
            if _TABLE_RENAMED.search(sentence) and not re.search(r"\bcolumns?\b", sentence, re.I):
                return sentence
    return ""
