"""Tie each period the docs state ("Loan period: 21 days") to the column it sets (`loans.due_at`).

A period sets the end of something about a row: the table is named by the rule's subject ("Loan" →
loans, "Refresh token" → refresh_tokens, "Token" → the one table ending in `_tokens`, or the table whose
column the period is counted from); the column is one of that table's date/time columns that

  - nobody sends on create (no POST body linked to the table names it),
  - the database does not fill (no default, not generated, not ON UPDATE) and is not the anchor itself,
  - holds every word of the subject that did not name the table ("Hold pickup window" → `pickup_by`),
  - and says it is an end: its name (`due_at`, `expires_at`, `pickup_by`, `ends_at`, `valid_until`), or its
    comment ("readyAt + 7 days", "end of the loan period").

The best such column wins; none, or two equally good, leaves the period untied (an RT110 note at the
rule's line) and the app fills nothing for it. Periods counted from a field (`from \\`readyAt\\``) also
get the anchor's column (`holds.ready_at`); an anchor the table lacks leaves the period untied.
"""

from __future__ import annotations

import re
from dataclasses import replace

from roundtrip.diagnostics import Sink
from roundtrip.ir import Kind, Period, Spec, Table
from roundtrip.ir.data import Column
from roundtrip.ir.naming import plural, singular, snake

# Words of a column name that say it is the end of a span of time.
_END_WORDS = frozenset(("due", "expires", "expiry", "expiration", "expire", "end", "ends", "until", "deadline",
                        "by", "closes", "close", "valid", "lapses", "return"))
# Words of a rule's subject that name neither a table nor a column ("Default loan period").
_FILLER = frozenset(("default", "standard", "normal", "regular", "base", "the", "a", "an"))
_TIME_KINDS = (Kind.DATETIME, Kind.DATE)


def tie_periods(spec: Spec, sink: Sink) -> Spec:
    out: list[Period] = []
    seen: set[tuple[str, tuple[object, ...], str]] = set()
    for p in spec.periods:
        key = (p.name.lower(), tuple(p.options), p.anchor)
        if key in seen:
            continue  # the same rule stated twice (a table and a bullet)
        seen.add(key)
        tied = tie(spec, p)
        if tied is None:
            sink.add("RT110", p.span, f"period rule '{p.name}' ties to no column (no table named by "
                     f"'{p.entity}' with one date column nobody sends that ends it); the app fills nothing for it")
            out.append(p)
        else:
            out.append(tied)
    return replace(spec, periods=tuple(out))


def tie(spec: Spec, p: Period) -> Period | None:
    words = [w for w in snake(p.entity).split("_") if w and w not in _FILLER]
    found = _table(spec, words, p.anchor)
    if found is None:
        return None
    table, rest = found
    anchor_col = ""
    if p.anchor:
        anchor_col = _column_of(spec, table, p.anchor) or ""
        if not anchor_col:
            return None
    sent = _sent_columns(spec, table)
    scored: list[tuple[int, str]] = []
    for col in table.columns:
        if not _candidate(col, table, anchor_col, sent):
            continue
        score = _score(spec, table, col, rest, p)
        if score > 0:
            scored.append((score, col.name))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return replace(p, table=table.name, column=scored[0][1], anchor_column=anchor_col)


def _table(spec: Spec, words: list[str], anchor: str) -> tuple[Table, list[str]] | None:
    """The table the subject names and the subject's words left over (those a column must hold)."""
    names = {t.name: t for t in spec.tables}
    schema_tables = {lk.subject[len("schema:"):]: lk.table for lk in spec.links if lk.subject.startswith("schema:")}
    # longest run of words first: "refresh token" before "token"
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            name = "_".join(words[start : start + size])
            rest = words[:start] + words[start + size :]
            for cand in dict.fromkeys((plural(name), name, singular(name))):
                if cand in names:
                    return names[cand], rest
            linked = schema_tables.get("".join(w.capitalize() for w in words[start : start + size]))
            if linked in names:
                return names[linked], rest
            ending = [t for t in spec.tables if t.name.endswith("_" + plural(name))]
            if len(ending) == 1:
                return ending[0], rest
    if anchor:
        # "Pickup window: 7 days from `readyAt`": the one table with the anchor column
        owners = [t for t in spec.tables if _column_of(spec, t, anchor)]
        if len(owners) == 1:
            return owners[0], words
    return None


def _column_of(spec: Spec, table: Table, field: str) -> str | None:
    """A field name as written (`readyAt`, `ready_at`) → the table's column."""
    for lk in spec.links:
        if lk.table == table.name:
            for f in lk.fields:
                if f.field == field:
                    return f.column
    col = snake(field)
    return col if table.column(col) is not None else None


def _sent_columns(spec: Spec, table: Table) -> set[str]:
    """Columns some POST body linked to the table names: the client sets those, no rule fills them."""
    sent: set[str] = set()
    for lk in spec.links:
        if lk.table != table.name or not lk.subject.startswith("endpoint:POST "):
            continue
        ep = spec.endpoint("POST", lk.subject[len("endpoint:POST "):])
        fields = {f.field: f.column for f in lk.fields}
        for name in _request_fields(spec, ep):
            sent.add(fields.get(name) or snake(name))
    return sent


def _request_fields(spec: Spec, ep: object) -> list[str]:
    req = getattr(ep, "request", None)
    t = req.type if req is not None else None
    if t is not None and t.kind is Kind.REF and t.ref:
        schema = spec.schema(t.ref)
        t = schema.type if schema is not None else None
    return [f.name for f in t.fields] if t is not None else []


def _candidate(col: Column, table: Table, anchor_col: str, sent: set[str]) -> bool:
    if col.type.kind not in _TIME_KINDS or col.name == anchor_col or col.name in sent:
        return False
    if col.default is not None or col.generated or col.on_update or col.name in table.primary_key:
        return False  # the database fills it: a start (created_at), not an end
    return True


def _score(spec: Spec, table: Table, col: Column, rest: list[str], p: Period) -> int:
    tokens = set(col.name.split("_"))
    stems = tokens | {singular(t) for t in tokens}
    if rest and not all(w in stems or singular(w) in stems for w in rest):
        return 0  # "Hold pickup window": only a column about pickup
    score = 2 * len(rest)
    if tokens & _END_WORDS:
        score += 1
    note = " ".join(d for d in _descriptions(spec, table, col) if d)
    if note and _says_period(note, p):
        score += 2
    return score


def _descriptions(spec: Spec, table: Table, col: Column) -> list[str]:
    """The column's comment and the comments of the API fields linked to it."""
    out = [col.description]
    for lk in spec.links:
        if lk.table != table.name or not lk.subject.startswith("schema:"):
            continue
        schema = spec.schema(lk.subject[len("schema:"):])
        for f in lk.fields:
            if f.column == col.name and schema is not None:
                field = schema.field(f.field)
                if field is not None:
                    out.append(field.description)
    return out


def _says_period(note: str, p: Period) -> bool:
    """"readyAt + 7 days", "today + loan period", "end of the hold pickup window"."""
    low = re.sub(r"\s+", " ", note.lower())
    if p.name.lower() in low:
        return True
    for o in p.options:
        if o.text and re.search(r"\+\s*" + re.escape(o.text.lower()), low):
            return True
    return False
