"""SQL text and names the migration planner writes: PostgreSQL's names for unnamed constraints, column
references and renames inside SQL expressions, quoting, enum values added in place.

Split from migration_plan (which decides *what* to do) so both stay readable; the planner re-exports
nothing, callers import these from here.
"""

from __future__ import annotations

import re
from typing import Any

from roundtrip.emit.sa_code import pystr
from roundtrip.emit.sa_view import CheckView, TableView


def pg_name(table: str, columns: tuple[str, ...] | list[str], label: str) -> str:
    """What PostgreSQL calls an unnamed constraint (makeObjectName: shorten the longer part to 63 bytes)."""
    name1, name2 = table, "_".join(columns)
    room = 63 - len(label) - 1 - (1 if name2 else 0)
    while len(name1) + len(name2) > room:
        if len(name1) > len(name2):
            name1 = name1[:-1]
        else:
            name2 = name2[:-1]
    return f"{name1}_{name2}_{label}" if name2 else f"{name1}_{label}"


def referenced_columns(sql: str, columns: list[str]) -> list[str]:
    text = re.sub(r"'(?:[^']|'')*'", "''", sql)
    found: list[str] = []
    for ident in re.findall(r'"([^"]+)"|\b([A-Za-z_]\w*)\b', text):
        name = ident[0] or ident[1]
        if name in columns and name not in found:
            found.append(name)
    return found


def check_names(tv: TableView, checks: list[CheckView]) -> list[str]:
    """Single-column checks are `table_col_check`, others `table_check`; repeats get 1, 2 … (heap.c)."""
    cols = [c.name for c in tv.columns]
    taken: set[str] = {ck.name for ck in checks if ck.name}
    out: list[str] = []
    for ck in checks:
        if ck.name:
            out.append(ck.name)
            continue
        refs = referenced_columns(ck.sql, cols)
        base_cols = refs if len(refs) == 1 else []
        name, n = pg_name(tv.name, base_cols, "check"), 0
        while name in taken:
            n += 1
            name = pg_name(tv.name, base_cols, f"check{n}")
        taken.add(name)
        out.append(name)
    return out



def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_fk_code(name: str, table: str, fk: Any) -> str:
    kw = [pystr(name), pystr(table), pystr(fk.ref_table), repr(list(fk.columns)), repr(list(fk.ref_columns))]
    if fk.ondelete:
        kw.append(f"ondelete={pystr(fk.ondelete)}")
    if fk.onupdate:
        kw.append(f"onupdate={pystr(fk.onupdate)}")
    return f"op.create_foreign_key({', '.join(kw)})"


def added_values(old: tuple[str, ...], new: tuple[str, ...]) -> list[tuple[str, str]] | None:
    """Values to add, each with its position ("BEFORE 'x'" / "AFTER 'y'" / ""), when `new` only adds
    to `old` (same relative order); None when values were removed or reordered."""
    if [v for v in new if v in old] != list(old):
        return None
    present = list(old)
    out: list[tuple[str, str]] = []
    for i, v in enumerate(new):
        if v in present:
            continue
        following = next((w for w in new[i + 1 :] if w in present), None)
        if following is not None:
            out.append((v, f"BEFORE {sql_literal(following)}"))
            present.insert(present.index(following), v)
        else:
            out.append((v, ""))
            present.append(v)
    return out


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def add_value_sql(enum_name: str, value: str, position: str) -> str:
    return f"ALTER TYPE {quote_ident(enum_name)} ADD VALUE IF NOT EXISTS {sql_literal(value)}" + (
        f" {position}" if position else ""
    )
