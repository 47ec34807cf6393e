"""What a create fills in from the docs' periods (resolve.periods tied each to the column it sets).

    periods_model(spec, loans)
    # [{"column": "due_at", "anchor": None, "seconds": 1814400, "date": False,
    #   "by": {"via": [["copy_id", "copies", "id"], ["book_id", "books", "id"]], "column": "format",
    #          "options": [{"values": ["book", "large_print", "audiobook"], "seconds": 1814400},
    #                      {"values": ["dvd", "magazine"], "seconds": 604800}]}}]

A period whose durations are for some values ("21 days (`book`, …); 7 days (`dvd`, …)") picks its duration
by the enum column holding those values: on the created row, or on a row it references, one or two hops
through single-column foreign keys (loans.copy_id → copies.book_id → books.format). The nearest such column
wins; two at the same distance, or none, and the period's general duration applies to every row (the
unqualified one where the docs give one, else the first). appkit.periods applies the model.
"""

from __future__ import annotations

import re
from typing import Any

from roundtrip.emit.app_enum_values import column_values
from roundtrip.ir import Kind, Period, Spec, Table

MAX_HOPS = 2


def periods_model(spec: Spec, table: Table) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in spec.periods:
        col = table.column(p.column) if p.table == table.name and p.column else None
        if col is None:
            continue
        entry: dict[str, Any] = {
            "column": col.name,
            "anchor": p.anchor_column or None,
            "seconds": _general(p),
            "date": col.type.kind is Kind.DATE,
        }
        by = _qualifier(spec, table, p)
        if by is not None:
            entry["by"] = by
        out.append(entry)
    return out


def _general(p: Period) -> int:
    plain = [o.seconds for o in p.options if not o.values]
    return plain[0] if plain else p.options[0].seconds


def _norm(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")


def _qualifier(spec: Spec, table: Table, p: Period) -> dict[str, Any] | None:
    wanted = {_norm(v) for o in p.options for v in o.values}
    if not wanted:
        return None
    found = _enum_column(spec, table, wanted)
    if found is None:
        return None
    via, target, column = found
    by_norm = {_norm(v): v for v in column_values(target, column)}
    options = [{"values": [by_norm[_norm(v)] for v in o.values], "seconds": o.seconds} for o in p.options if o.values]
    return {"via": via, "column": column, "options": options}


def _enum_column(spec: Spec, table: Table, wanted: set[str]) -> tuple[list[list[str]], Table, str] | None:
    """(foreign-key hops, the table at the end, its enum column) of the nearest column holding every value."""
    frontier: list[tuple[list[list[str]], Table]] = [([], table)]
    for _depth in range(MAX_HOPS + 1):
        hits = []
        for via, t in frontier:
            for col in t.columns:
                values = {_norm(v) for v in column_values(t, col.name)}
                if values and wanted <= values:
                    hits.append((via, t, col.name))
        if len(hits) == 1:
            return hits[0]
        if hits:
            return None  # two columns at the same distance hold the values: which one is meant is not said
        nxt: list[tuple[list[list[str]], Table]] = []
        for via, t in frontier:
            for fk in t.foreign_keys:
                target = spec.table(fk.ref_table)
                if len(fk.columns) != 1 or target is None or target.name == t.name:
                    continue
                key = fk.ref_columns[0] if fk.ref_columns else (target.primary_key[0] if len(target.primary_key) == 1 else "")
                if key:
                    nxt.append(([*via, [fk.columns[0], target.name, key]], target))
        frontier = nxt
    return None
