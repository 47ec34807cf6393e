"""Periods stated as rules: "Loan period: 21 days", "| Hold pickup window | 7 days from `readyAt` |".

A period is a fact about an entity's lifecycle: a row's end date is its start (`anchor`, default the
moment of creation) plus a duration. The reader (readers.prose_periods) records what the docs say; the
resolver (resolve.periods) ties the period to the column it sets (`loans.due_at`, `holds.pickup_by`)
and to the column it starts from (`holds.ready_at`); the app model (emit.app_periods) turns a tied
period into what a create fills in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roundtrip.source import NO_SPAN, Span


@dataclass(frozen=True)
class PeriodOption:
    """One duration of a period, for the rows whose qualifier is one of `values` ("21 days (`book`, `dvd`)");
    `values` empty: for any row."""

    seconds: int
    values: tuple[str, ...] = ()
    text: str = ""  # "21 days", as written


@dataclass(frozen=True)
class Period:
    entity: str  # the words the rule names its subject by, as written: "Loan", "Hold pickup", "Session"
    name: str  # the rule's whole label: "Loan period", "Hold pickup window"
    options: tuple[PeriodOption, ...]
    anchor: str = ""  # the field it starts from, as written ("readyAt"); "" = when the row is created
    text: str = ""
    # Filled by the resolver; "" when no column could be tied (an RT110 note says so).
    table: str = ""
    column: str = ""  # the column the period sets: loans.due_at
    anchor_column: str = ""  # the column it starts from: holds.ready_at
    span: Span = field(default=NO_SPAN, compare=False)
