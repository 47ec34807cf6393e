"""Readers: recognize constructs in Markdown documents and record them as IR facts.

Each recognizer is a function `(doc, facts, sink) -> None` that looks for one family of
constructs anywhere in a document. Recognizers never raise on bad input: what they cannot
understand becomes a diagnostic. A crash inside one recognizer is caught here, reported
as RT900 with the file, and the other recognizers still run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts
from roundtrip.markdown import Document, parse_document
from roundtrip.source import SourceError, Span, decode_text, discover, relative_name

Recognizer = Callable[[Document, Facts, Sink], None]


def _recognizers() -> list[Recognizer]:
    # Imported lazily so a missing optional parser only disables its construct.
    from roundtrip.readers.columns import read_column_tables
    from roundtrip.readers.endpoints import read_endpoints
    from roundtrip.readers.mermaid import read_mermaid
    from roundtrip.readers.prose import read_prose
    from roundtrip.readers.prose_table_renames import read_table_renames
    from roundtrip.readers.samples_json import read_json_samples
    from roundtrip.readers.sql import read_sql
    from roundtrip.readers.typescript import read_typescript

    # read_table_renames annotates the tables the three table readers before it found.
    return [read_prose, read_typescript, read_sql, read_column_tables, read_mermaid, read_table_renames,
            read_json_samples, read_endpoints]


def read_document(doc: Document, facts: Facts, sink: Sink) -> None:
    for rec in _recognizers():
        try:
            rec(doc, facts, sink)
        except Exception as exc:  # noqa: BLE001 - one broken recognizer must not lose the others' work
            sink.add("RT900", Span(doc.file, 1), f"{rec.__name__} crashed on this file: {type(exc).__name__}: {exc}")


def read_text(name: str, text: str, facts: Facts, sink: Sink) -> Document:
    doc, diags = parse_document(name, text)
    sink.extend(diags)
    facts.files.append(name)
    read_document(doc, facts, sink)
    return doc


def read_path(path: Path, sink: Sink) -> Facts:
    """Read a spec folder (every Markdown file below it) or one file into Facts."""
    facts = Facts()
    if not path.exists():
        sink.add("RT101", Span(str(path), 0), f"{path} does not exist; pass a spec folder or a Markdown file")
        return facts
    base, files = discover(path)
    if not files:
        sink.add("RT102", Span(str(path), 0), f"{path} holds no Markdown (.md) files")
        return facts
    for f in files:
        name = relative_name(base, f)
        try:
            text = decode_text(name, f.read_bytes())
        except SourceError as err:
            sink.add("RT103", err.span, err.message)
            continue
        except OSError as err:
            sink.add("RT103", Span(name, 0), f"cannot read file: {err.strerror or err}")
            continue
        read_text(name, text, facts, sink)
    return facts
