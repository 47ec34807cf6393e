"""Validation rules stated outside type definitions → facts.field_rules, and computed fields → facts.computed.

Constructs:
  (a) bullets `- name: 1-100 chars` / ``- `duration_minutes`: integer 5-480`` in a Validation section,
      the entity taken from the nearest entity heading (`### User`), or from a dotted name (`users.email`);
  (a') a sentence "<Entity> <field> matches \\`regex\\`" in a Validation section;
  (b) `| Field | Rule |` tables (several fields per cell: `` `firstName`, `lastName` ``);
  (c) `| Field | Values |` tables: allowed values of a field, entity from the section ("Tasks" → "Task");
  (d) "`queuePosition` is computed (…)", "`commentCount` and `taskCount` are computed with …".
Rules are turned into Constraints by `parse_phrase`; a rule that says nothing we can model is skipped.
"""

from __future__ import annotations

import re
from dataclasses import replace

from roundtrip.ir import NO_CONSTRAINTS, Constraints, Facts, FieldRule, Kind, Origin
from roundtrip.markdown import Document, Section, Table, code_spans, plain
from roundtrip.readers.constraints import parse_phrase
from roundtrip.readers.prose_walk import (
    clean_title,
    column,
    entity_of,
    in_endpoint,
    mask_code,
    own_blocks,
    prose_lines,
    row_text,
    sections,
    shorten,
    singular_entity,
    tables,
)
from roundtrip.source import Span

_VALIDATION = re.compile(r"\bvalidations?\b|\bvalidation rules\b|\bconstraints and rules\b", re.I)
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# `- name: rule`, ``- `name`: rule``, ``- `users.email`: rule``, `- name (optional): rule`
_BULLET = re.compile(rf"^\s*`?({_IDENT}(?:\.{_IDENT})?)`?\s*(?:\([^)]{{0,40}}\))?\s*[:—–]\s+(.+)$", re.S)
# "Project key matches `^[A-Z]{2,6}$` and …"
_MATCHES = re.compile(rf"^\s*(?:The\s+|A\s+|An\s+)?([A-Z][A-Za-z0-9]*)\s+`?({_IDENT})`?\s+(?:must\s+)?match(?:es)?\s+`([^`]+)`")
_CONDITIONAL = re.compile(r"\bfor\s+`|\bwhen\b|\bif\b|\bunless\b", re.I)
_FIELD_HEADERS = ("field", "fields", "property", "attribute", "name", "column", "parameter")
_RULE_HEADERS = ("rule", "rules", "validation", "validation rule", "validation rules", "constraint", "constraints")
_VALUE_HEADERS = ("values", "allowed values", "enum", "enum values", "options", "possible values")
_VALUES_LIST = re.compile(r"^\s*(?:(?:one of|enum|values?|allowed)\s*:?\s*)?`[^`]+`(?:\s*(?:,|\||/|or)\s*(?:or\s+)?`[^`]+`)+", re.I)
_COMPUTED = re.compile(r"((?:`[A-Za-z_]\w*`\s*(?:,|\band\b|&)?\s*)+)(?:fields?\s+)?(?:is|are)\s+(?:always\s+)?(?:computed|derived|calculated)\b", re.I)


def read_rules(doc: Document, facts: Facts) -> None:
    for sec in sections(doc):
        if in_endpoint(sec):
            continue
        vsec = _validation_ancestor(sec)
        if vsec is not None:
            _bullets(doc, sec, vsec, facts)
        for tbl in tables(sec):
            _rule_table(doc, sec, vsec, tbl, facts)
            _values_table(doc, sec, tbl, facts)
    _computed(doc, facts)


def _validation_ancestor(sec: Section) -> Section | None:
    s: Section | None = sec
    while s is not None and s.heading is not None:
        if _VALIDATION.search(s.heading.plain):
            return s
        s = s.parent
    return None


def _rule(entity: str, name: str, text: str, origin_text: str, file: str, line: int) -> FieldRule | None:
    """One FieldRule from a rule phrase, or None when the phrase states nothing we model."""
    if "." in name:
        entity, name = name.split(".", 1)
    # Later clauses ("…; text 1-500 chars") describe parts of the value, not the value itself.
    text = re.split(r";\s+", text, maxsplit=1)[0]
    if _CONDITIONAL.search(text):
        return None  # "exactly 1 option id for `single_choice`": holds for some rows only
    # "1-255 chars; `subtitle` max 255": the row's unit word also tells what a bare "max 255" bounds.
    kind = Kind.STRING if re.search(r"\b(?:chars?|characters|length)\b", origin_text, re.I) else None
    phrase = parse_phrase(text, kind=kind)
    values: tuple[str, ...] = ()
    # Enum values only from a phrase that is a list of code spans; "`student` on self-registration" is not an enum.
    if phrase.values and _VALUES_LIST.match(text):
        values = tuple(phrase.values)
    constraints = phrase.constraints
    # "age ≤ 120" bounds something else than the field itself.
    other = [w for w in re.findall(r"([A-Za-z_]\w*)\s*(?:≤|<=|≥|>=|<|>)\s*\d", text) if w.lower() not in (name.lower(), "value")]
    if other:
        constraints = replace(constraints, minimum=None, maximum=None, exclusive_minimum=None, exclusive_maximum=None)
    if constraints.is_empty() and not values:
        return None
    return FieldRule(entity, name, constraints, values, shorten(origin_text, 200), Origin.PROSE, Span(file, line))


def _bullets(doc: Document, sec: Section, vsec: Section, facts: Facts) -> None:
    entity = entity_of(sec, stop=vsec) if sec is not vsec else ""
    if sec is vsec:
        entity = ""
    for line in prose_lines(list(own_blocks(sec))):
        raw = line.text.strip()
        m = _MATCHES.match(raw)
        if m:
            ent, name, pattern = m.group(1), m.group(2), m.group(3)
            facts.field_rules.append(FieldRule(ent, name, Constraints(pattern=pattern), (), shorten(plain(raw), 200),
                                               Origin.PROSE, Span(doc.file, line.line)))
            continue
        b = _BULLET.match(raw)
        if not b:
            continue
        name, rule_text = b.group(1), b.group(2).strip()
        fr = _rule(entity, name, rule_text, plain(raw), doc.file, line.line)
        if fr is not None:
            facts.field_rules.append(fr)


def _rule_table(doc: Document, sec: Section, vsec: Section | None, tbl: Table, facts: Facts) -> None:
    hs = [h for h in tbl.header_plain()]
    if "type" in hs:
        return  # a field/column table: the schema and column readers own it
    f_col = column(tbl, *_FIELD_HEADERS)
    r_col = column(tbl, *_RULE_HEADERS)
    if f_col is None or r_col is None or f_col == r_col:
        return
    entity = entity_of(sec, stop=vsec) if vsec is not None and sec is not vsec else ""
    for row in tbl.rows:
        if max(f_col, r_col) >= len(row.cells):
            continue
        cell, rule = row.cells[f_col], row.cells[r_col]
        if re.match(r"^\s*(?:query|header|path|cookie)\b", plain(cell), re.I):
            continue  # request parameters are the API reader's
        names = [n for n in code_spans(cell) if re.fullmatch(rf"{_IDENT}(?:\.{_IDENT})?", n)]
        if not names and re.fullmatch(rf"\s*{_IDENT}(?:\.{_IDENT})?\s*", plain(cell)):
            names = [plain(cell).strip()]
        if not names:
            continue
        # "1-255 chars; `subtitle` max 255": a clause that starts with another field's name is that field's rule.
        clauses: list[tuple[list[str], str]] = []
        for part in re.split(r";\s*", rule):
            lead = re.match(rf"^\s*`({_IDENT})`\s+(.+)$", part)
            if lead and clauses:
                clauses.append(([lead.group(1)], lead.group(2)))
            elif not clauses:
                clauses.append((names, part))
        for field_names, text in clauses:
            for name in field_names:
                fr = _rule(entity, name, text, row_text(row.cells), doc.file, row.line)
                if fr is not None:
                    facts.field_rules.append(fr)


def _values_table(doc: Document, sec: Section, tbl: Table, facts: Facts) -> None:
    f_col = column(tbl, *_FIELD_HEADERS)
    v_col = column(tbl, *_VALUE_HEADERS)
    if f_col is None or v_col is None or f_col == v_col:
        return
    entity = singular_entity(clean_title(sec.heading.plain)) if sec.heading is not None else ""
    if entity and not re.fullmatch(r"[A-Z][A-Za-z0-9]*", entity):
        entity = ""
    for row in tbl.rows:
        if max(f_col, v_col) >= len(row.cells):
            continue
        name = plain(row.cells[f_col]).strip("`").strip()
        if not re.fullmatch(rf"{_IDENT}(?:\.{_IDENT})?", name):
            continue
        cell = row.cells[v_col]
        values = tuple(v for v in code_spans(cell) if v)
        if not values:
            values = tuple(v.strip() for v in re.split(r"\s*(?:,|\||/)\s*", plain(cell)) if re.fullmatch(r"[\w.-]+", v.strip()))
        if len(values) < 2:
            continue
        ent = entity
        if "." in name:
            ent, name = name.split(".", 1)
        facts.field_rules.append(FieldRule(ent, name, NO_CONSTRAINTS, values, shorten(row_text(row.cells), 200),
                                           Origin.PROSE, Span(doc.file, row.line)))


def _computed(doc: Document, facts: Facts) -> None:
    for sec in sections(doc):
        entity = entity_of(sec)  # own heading only: "### 1.8 Hold" → Hold
        for line in prose_lines(list(own_blocks(sec))):
            masked = mask_code(line.text)
            if not re.search(r"\b(?:computed|derived|calculated)\b", masked, re.I):
                continue
            for m in _COMPUTED.finditer(line.text):
                for name in re.findall(r"`([A-Za-z_]\w*)`", m.group(1)):
                    facts.computed.append((entity, name, Span(doc.file, line.line)))
