"""Nested arrays of a request body written as child rows (`ingredients` → recipe_ingredients, `labelIds` →
task_labels through a join table): what `Records.shape` reads back, written the other way."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .records import id_column_for, snake
from .store import TableInfo, coerce

if TYPE_CHECKING:
    from .records import Records


def write_children(
    records: Records, conn: sa.Connection, info: TableInfo, row: Mapping[str, Any], name: str, prop: Any, values: list[Any], replace: bool = True
) -> bool:
    """Replace the child rows behind an array property (`ingredients`, `labelIds`). False: no child table.
    `replace=False`: the row was just inserted, it has no child rows to delete."""
    s = records.schemas
    items = s.non_null(prop).get("items", {})
    found = records.child_table(info, name, items)
    if found is None:
        return False
    child, fk, through = found
    parent_key = row.get(child.fks[fk][1])
    t = child.table
    if replace:
        delete = records.statement(("delete_children", child.name, fk), lambda: sa.delete(t).where(t.c[fk] == sa.bindparam("parent_key_")))
        conn.execute(delete, {"parent_key_": parent_key})
    pos = child.position_column()
    item_fields = records.kit.schema_fields(items)
    # A denormalized reference (task_labels.tenant_id) is the parent's own: same column, same target.
    inherited = {
        col: row[col]
        for col, target in child.fks.items()
        if col not in (fk, through) and col in row and info.fks.get(col) == target
    }
    new_rows: list[dict[str, Any]] = []
    for index, value in enumerate(values):
        record: dict[str, Any] = {**inherited, fk: parent_key}
        scalar_col = id_column_for(name, child, fk)
        if through:
            record[through] = coerce(value.get("id") if isinstance(value, dict) else value, t.c[through])
        elif not isinstance(value, dict) and scalar_col:
            record[scalar_col] = coerce(value, t.c[scalar_col])
        elif isinstance(value, dict):
            for key, v in value.items():
                col = item_fields.get(key) or snake(key)
                if col in t.c and col != fk:
                    record[col] = coerce(v, t.c[col])
        else:
            continue
        if pos and pos not in record:
            record[pos] = index
        new_rows.append(record)
    insert = records.statement(("insert", child.name), lambda: sa.insert(t))
    _fill_plain_nulls(t, new_rows)
    # one executemany per run of rows that set the same columns (a column left out gets its default), in order
    for _, run in itertools.groupby(new_rows, key=_columns_set):
        same = list(run)
        conn.execute(insert, same if len(same) > 1 else same[0])
    return True


def _columns_set(record: dict[str, Any]) -> frozenset[str]:
    return frozenset(record)


def _fill_plain_nulls(table: sa.Table, records: list[dict[str, Any]]) -> None:
    """Rows that leave out a column another row sets, where leaving it out means NULL anyway (nullable, no
    default of any kind): that column set to None, so the rows share one column set and one executemany
    (`note` sent on one ingredient line of two)."""
    if len(records) < 2:
        return
    named: dict[str, None] = {}
    for record in records:
        named.update(dict.fromkeys(record))
    plain = [
        c
        for c in named
        if c in table.c
        and table.c[c].nullable
        and not table.c[c].primary_key
        and table.c[c].default is None
        and table.c[c].server_default is None
        and table.c[c].computed is None
        and table.c[c].identity is None
    ]
    for record in records:
        for c in plain:
            record.setdefault(c)
