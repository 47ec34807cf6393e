"""Foreign-key order: tables before the tables that reference them, rows before the rows that do.

Ties keep document order, so the output is deterministic and reads like the docs. A cycle is
broken at the first table (in document order) still waiting: its foreign keys into the cycle are
marked *deferred* and created once every table exists.
"""

from __future__ import annotations

from collections.abc import Sequence

from roundtrip.ir import Table


def table_order(tables: Sequence[Table]) -> tuple[list[Table], set[tuple[str, int]]]:
    """(tables in creation order, {(table name, foreign key index)} that must be added afterwards)."""
    names = {t.name for t in tables}
    waiting = list(tables)
    done: list[Table] = []
    created: set[str] = set()
    deferred: set[tuple[str, int]] = set()

    def ready(t: Table) -> bool:
        return all(
            fk.ref_table in created or fk.ref_table == t.name or fk.ref_table not in names or (t.name, i) in deferred
            for i, fk in enumerate(t.foreign_keys)
        )

    while waiting:
        pick = next((t for t in waiting if ready(t)), None)
        if pick is None:
            pick = waiting[0]
            for i, fk in enumerate(pick.foreign_keys):
                if fk.ref_table in names and fk.ref_table not in created and fk.ref_table != pick.name:
                    deferred.add((pick.name, i))
        waiting.remove(pick)
        done.append(pick)
        created.add(pick.name)
    return done, deferred


def row_order(rows: Sequence[dict[str, object]], key: Sequence[str], ref: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[int]:
    """Order rows of one self-referencing table so a parent row precedes its children.

    `ref` lists (referencing columns, referenced columns) pairs inside the same table. Rows whose
    parent is not among the rows (or is NULL) come first; a cycle keeps document order.
    """
    if not ref:
        return list(range(len(rows)))
    remaining = list(range(len(rows)))
    placed: list[int] = []
    all_keys = [{tuple(r.get(c) for c in to) for r in rows} for _, to in ref]
    while remaining:
        progressed = False
        for i in list(remaining):
            row = rows[i]
            ok = True
            for n, (frm, to) in enumerate(ref):
                val = tuple(row.get(c) for c in frm)
                if any(v is None for v in val) or val not in all_keys[n]:
                    continue
                if not any(val == tuple(rows[j].get(c) for c in to) for j in placed) and val != tuple(row.get(c) for c in to):
                    ok = False
            if ok:
                placed.append(i)
                remaining.remove(i)
                progressed = True
        if not progressed:
            placed.extend(remaining)
            break
    return placed
