"""Periods stated as rules → facts.periods.

Constructs (outside endpoint sections):
  (a) a rules table: a label column and a value column (`| Rule | Value |`, `| Policy | Value |`,
      `| Setting | Duration |`), one row per rule;
  (b) a labelled line: `- Loan period: 21 days`, `**Session lifetime**: 12 hours`.
A rule is a period when its label is "<subject> period / duration / window / term / expiry / expiration /
lifetime / TTL / validity" ("Loan period", "Hold pickup window", "Rental term") and its value is nothing
but durations, each optionally for some values of the row and the whole optionally counted from a field:

    21 days (`book`, `large_print`, `audiobook`); 7 days (`dvd`, `magazine`)
    7 days from `readyAt`          2 weeks          48 hours          30 min
    7 days for `dvd`, `magazine`; 21 days otherwise

A value with anything else in it ("90 days after the member leaves", "25¢/day (max $5.00)") is not
understood and left alone: a period read wrongly would fill wrong dates into every new row.
"""

from __future__ import annotations

import re

from roundtrip.ir import Facts, Period, PeriodOption
from roundtrip.markdown import Document, Table, code_spans, plain
from roundtrip.readers.prose_walk import (
    DURATION,
    column,
    headers,
    in_endpoint,
    own_blocks,
    prose_lines,
    sections,
    shorten,
    unit_seconds,
)
from roundtrip.source import Span

# "Loan period", "Hold pickup window", "Access token TTL": a subject of one to four words, then the period word.
_LABEL = re.compile(
    r"^(?P<subject>[A-Za-z][A-Za-z0-9_-]*(?:\s+[A-Za-z0-9_-]+){0,3})\s+"
    r"(?P<kind>periods?|durations?|windows?|terms?|expiry|expiration|lifetimes?|ttl|validity)$",
    re.I,
)
_BOUND = re.compile(r"^(?:max|maximum|min|minimum|longest|shortest)\b", re.I)
_AUTH_TOKEN = re.compile(r"\b(?:access|refresh|id|bearer|auth\w*|jwt|session|api)[\s_-]*tokens?\b|\bjwts?\b", re.I)
# Anchors that mean the moment the row is created, not a field ("30 days from creation").
_CREATION = frozenset(("creation", "create", "created", "creating", "now", "today", "signup", "insert", "insertion"))
_LABEL_HEADERS = ("rule", "rules", "policy", "policies", "setting", "settings", "parameter", "name", "item",
                  "term", "limit", "limits", "key", "what")
_VALUE_HEADERS = ("value", "values", "duration", "period", "default", "setting", "length", "ttl", "lifetime")
# One duration and the values of the row it is for: "21 days (`book`, `dvd`)" / "7 days for `dvd`, `magazine`".
_QUALIFIED = re.compile(
    rf"(?P<duration>{DURATION.pattern})\s*"
    r"(?:\((?P<paren>[^()]*)\)|\bfor\s+(?P<for>(?:`[^`]+`|[\w-]+)(?:\s*(?:,|/|\bor\b|\band\b)\s*(?:`[^`]+`|[\w-]+))*))?",
    re.I,
)
# "from `readyAt`", "after ready_at", "from the `readyAt` time", "from creation": the field a period is counted
# from. A bare English word is no field ("after the due date"): only a code span, a camelCase or snake_case
# name, or a word for the moment of creation.
_ANCHOR = re.compile(
    r"\b(?i:from|after|since)\s+(?i:the\s+)?(?:`(?P<code>[A-Za-z_][A-Za-z0-9_]*)`|(?P<name>[a-z]+(?:_[a-z0-9]+)+|[a-z]+(?:[A-Z][a-z0-9]*)+)"
    r"|(?P<word>[A-Za-z]+))(?i:\s+(?:time|timestamp|date))?\s*$",  # case matters: camelCase tells a field
)
# Words a value may hold besides durations, qualifiers and its anchor ("21 days otherwise", "48 hours each").
_FILLER = re.compile(r"\b(?:otherwise|else|default|by default|each|calendar|all others|others|other|any|and|or|per row)\b", re.I)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10,
                 "twelve": 12, "fourteen": 14, "thirty": 30}


def read_periods(doc: Document, facts: Facts) -> None:
    for sec in sections(doc):
        if in_endpoint(sec):
            continue  # an endpoint's own text is the API reader's
        blocks = list(own_blocks(sec))
        for b in blocks:
            if isinstance(b, Table):
                _table(doc, b, facts)
        for line in prose_lines(blocks):
            if line.label:
                text = plain(line.text)
                at = text.lower().find(line.label)  # the label as written: split_label lower-cases it
                label = text[at : at + len(line.label)] if at >= 0 else line.label
                _rule(doc, label, line.rest, line.line, facts)


def _table(doc: Document, tbl: Table, facts: Facts) -> None:
    hs = headers(tbl)
    if "type" in hs:
        return  # a column or field table: its rows are columns, not rules
    label_col = column(tbl, *_LABEL_HEADERS)
    value_col = next((i for i, h in enumerate(hs) if h in _VALUE_HEADERS and i != label_col), None)
    if label_col is None or value_col is None:
        return
    for row in tbl.rows:
        if max(label_col, value_col) >= len(row.cells):
            continue
        raw = row.cells[value_col]
        _rule(doc, plain(row.cells[label_col]), raw, row.line, facts)


def _rule(doc: Document, label: str, value: str, line: int, facts: Facts) -> None:
    """One period from a label and its value (raw Markdown: code spans mark the row values and the anchor)."""
    m = _LABEL.match(label.strip().strip("*`").strip())
    if not m:
        return
    if _BOUND.match(m.group("subject")):
        return  # "Max task duration: 30 days": a limit on what a client may ask for, not a date to fill
    if _AUTH_TOKEN.search(m.group("subject")):
        return  # "Access token lifetime": an auth convention (prose_auth), applied by the auth flows
    parsed = parse_period_value(value)
    if parsed is None:
        return  # not only durations: not understood, left alone
    options, anchor = parsed
    subject = m.group("subject").strip()
    name = f"{subject} {m.group('kind')}"
    # The text is the rule in one canonical wording (the same for a table row and a labelled line), so
    # the canonical docs (emit.md_periods) read back to the same fact.
    text = shorten(f"{name}: {plain(value)}", 200)
    facts.periods.append(Period(subject, name, options, anchor, text, span=Span(doc.file, line)))


def parse_period_value(raw: str) -> tuple[tuple[PeriodOption, ...], str] | None:
    """`21 days (`book`); 7 days (`dvd`)` → ((21 days for book), (7 days for dvd)), "";
    `7 days from `readyAt`` → ((7 days,), "readyAt"); None for a value that says more than that."""
    text = _words_to_digits(raw.strip())
    anchor = ""
    am = _ANCHOR.search(text)
    if am:
        field = am.group("code") or am.group("name")
        if field is None and am.group("word").lower() not in _CREATION:
            return None  # "3 days after the due date": counted from something this reader cannot name
        anchor = "" if field is None or field.lower() in _CREATION else field
        text = text[: am.start()] + " " + text[am.end():]
    options: list[PeriodOption] = []
    rest = text
    for qm in _QUALIFIED.finditer(text):
        dm = DURATION.match(qm.group("duration"))
        secs = unit_seconds(dm.group(2)) if dm else None
        if dm is None or secs is None:
            return None
        seconds = int(float(dm.group(1)) * secs)
        qualifier = qm.group("paren") if qm.group("paren") is not None else qm.group("for") or ""
        values = _values(qualifier)
        if values is None:
            return None  # "(max $5.00)", "(business days)": a remark, not the rows it is for
        options.append(PeriodOption(seconds, values, plain(dm.group(0)).strip()))
        rest = rest.replace(qm.group(0), " ", 1)
    if not options or any(o.seconds <= 0 for o in options):
        return None
    leftover = _FILLER.sub(" ", plain(rest))
    if re.search(r"[A-Za-z0-9$%¢€£]", leftover):
        return None
    # An unqualified duration among qualified ones is the fallback: keep it last, so the first duration
    # answers for "any other value" only when every duration is qualified.
    options.sort(key=lambda o: not o.values)
    return tuple(options), anchor


def _values(qualifier: str) -> tuple[str, ...] | None:
    """The row values a qualifier lists (`book`, `large_print` / book, large print); () for none; None when
    the parenthesis is a remark rather than a list of values."""
    q = qualifier.strip()
    if not q:
        return ()
    spans = code_spans(q)
    if spans:
        rest = re.sub(r"`[^`]*`", " ", q)
        if re.search(r"[^\s,/;]", re.sub(r"\b(?:or|and)\b", " ", rest)):
            return None
        return tuple(s.strip() for s in spans if s.strip())
    parts = [p.strip() for p in re.split(r"\s*(?:,|/|;|\bor\b|\band\b)\s*", q) if p.strip()]
    if not parts or not all(re.fullmatch(r"[A-Za-z][\w-]*(?:\s[A-Za-z][\w-]*)?", p) for p in parts):
        return None
    if any(DURATION.search(p) or re.search(r"\b(?:max|min|maximum|minimum|up to|at most|business)\b", p, re.I) for p in parts):
        return None
    return tuple(parts)


def _words_to_digits(text: str) -> str:
    """"two weeks" → "2 weeks", so the duration pattern reads it."""
    return re.sub(
        r"\b(" + "|".join(_NUMBER_WORDS) + r")(?=[\s-]+(?:seconds?|minutes?|hours?|days?|weeks?)\b)",
        lambda m: str(_NUMBER_WORDS[m.group(1).lower()]),
        text,
        flags=re.I,
    )
