"""The prose reader: document-wide facts stated in text rather than in code or schema tables.

`read_prose` runs one small recognizer per family of facts, each reading one line, row or
fence at a time:
  - markers `[NEEDS CLARIFICATION: …]` / `[ASSUMPTION: …]` → RT120 / RT121   (prose_markers)
  - API info: title, version, description, base path, servers → facts.info   (prose_info)
  - pagination and sort conventions → facts.conventions                      (prose_conventions)
  - auth.* conventions and security schemes                                   (prose_auth)
  - global rate limits → facts.rate_limits                                    (prose_limits)
  - validation rules and computed fields → facts.field_rules / facts.computed (prose_rules)
  - database extensions named in prose → facts.extensions                    (prose_extensions)
  - words a path parameter accepts for the caller (`me` for `{memberId}`)   (prose_aliases)
  - periods: "Loan period: 21 days", "Hold pickup window | 7 days from `readyAt`" → facts.periods (prose_periods)
Endpoint sections (`### POST /tasks`) are left to the API reader, except for alias sentences, which
name a path parameter wherever they stand.
"""

from __future__ import annotations

from collections.abc import Callable

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts
from roundtrip.markdown import Document
from roundtrip.readers.prose_aliases import read_path_aliases
from roundtrip.readers.prose_auth import read_auth
from roundtrip.readers.prose_conventions import read_conventions
from roundtrip.readers.prose_extensions import read_extensions
from roundtrip.readers.prose_info import read_info
from roundtrip.readers.prose_limits import read_rate_limits
from roundtrip.readers.prose_markers import read_markers
from roundtrip.readers.prose_periods import read_periods
from roundtrip.readers.prose_rules import read_rules
from roundtrip.source import Span

_STEPS: tuple[tuple[str, Callable[[Document, Facts], None]], ...] = (
    ("API info", read_info),
    ("conventions", read_conventions),
    ("security facts", read_auth),
    ("rate limits", read_rate_limits),
    ("validation rules", read_rules),
    ("extensions", read_extensions),
    ("path aliases", read_path_aliases),
    ("periods", read_periods),
)


def read_prose(doc: Document, facts: Facts, sink: Sink) -> None:
    _guard(doc, sink, "markers", lambda: read_markers(doc, sink))
    for name, step in _STEPS:
        _guard(doc, sink, name, lambda step=step: step(doc, facts))  # type: ignore[misc]


def _guard(doc: Document, sink: Sink, name: str, run: Callable[[], None]) -> None:
    # One family failing on odd input must not lose the others; the failure is still reported.
    try:
        run()
    except Exception as exc:  # noqa: BLE001
        sink.add("RT900", Span(doc.file, 1), f"prose reader ({name}) crashed on this file: {type(exc).__name__}: {exc}")
