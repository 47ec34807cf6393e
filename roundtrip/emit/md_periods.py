"""The docs' periods → a `| Rule | Value |` table the period reader (readers.prose_periods) reads back.

    ## Date Rules

    | Rule | Value |
    |------|-------|
    | Loan period | 21 days (`book`, `large_print`, `audiobook`); 7 days (`dvd`, `magazine`) |
    | Hold pickup window | 7 days from `readyAt` |
"""

from __future__ import annotations

from roundtrip.emit.md_text import cell, code, duration, table
from roundtrip.ir import Period, Spec


def periods_section(spec: Spec) -> list[str]:
    if not spec.periods:
        return []
    rows = [[cell(p.name), _value(p)] for p in spec.periods]
    return ["## Date Rules", "", *table(["Rule", "Value"], rows), ""]


def _value(p: Period) -> str:
    parts = []
    for o in p.options:
        length = cell(o.text or duration(o.seconds))
        values = ", ".join(code(v, in_table=True) for v in o.values)
        parts.append(f"{length} ({values})" if values else length)
    text = "; ".join(parts)
    return f"{text} from {code(p.anchor, in_table=True)}" if p.anchor else text
