"""Database extensions named in prose: `**Extensions**: ``pgcrypto`` (…), ``pg_trgm`` (…)`.

SQL `CREATE EXTENSION` statements are the SQL reader's; this covers docs that only name them,
which the generated migration still needs (a `gin_trgm_ops` index fails without pg_trgm).
"""

from __future__ import annotations

import re

from roundtrip.ir import Facts
from roundtrip.markdown import Document, code_spans
from roundtrip.readers.prose_walk import prose_lines, sections
from roundtrip.source import Span

_LABEL = re.compile(r"^(?:postgres(?:ql)?\s+)?extensions?(?:\s+required)?$")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,40}$")


def read_extensions(doc: Document, facts: Facts) -> None:
    for section in sections(doc):
        for line in prose_lines(section.blocks):
            if not _LABEL.match(line.label):
                continue
            for name in code_spans(line.rest):
                name = name.strip().strip('"')
                if _NAME.match(name):
                    facts.extensions.append((name, Span(doc.file, line.line)))
