"""A soft delete follows the foreign keys declared ON DELETE CASCADE: deleting a project (setting its
`deleted_at`) soft-deletes its tasks, and their comments in turn, as the database would delete them on a hard
delete. "Soft-delete a project and all of its tasks" is what the docs then describe; without it the tasks stay
readable under a project that is gone.

Only child tables that soft-delete themselves are followed (a child without a `deleted_at` keeps its rows: its
parent row still exists, so its foreign key holds), each row once, to a bounded depth; ON DELETE SET NULL / RESTRICT
and undeclared actions are left alone (a hard delete would not remove those rows either).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .context import Context
from .store import TableInfo

MAX_DEPTH = 4


def soft_delete_children(ctx: Context, info: TableInfo, rows: list[dict[str, Any]], when: Any, depth: int = 0) -> None:
    """Soft-delete the live rows of cascading child tables that reference any of `rows` (the rows just deleted)."""
    if depth >= MAX_DEPTH or not rows:
        return
    for child, column, target in cascades(ctx, info):
        keys = list(dict.fromkeys(r[target] for r in rows if r.get(target) is not None))
        if not keys or child.soft_delete is None:
            continue
        t = child.table
        stmt = sa.update(t).where(t.c[column].in_(keys)).where(child.live()).values({child.soft_delete: when}).returning(*t.c)
        found = [dict(r) for r in ctx.conn.execute(stmt).mappings()]
        soft_delete_children(ctx, child, found, when, depth + 1)


def cascades(ctx: Context, info: TableInfo) -> list[tuple[TableInfo, str, str]]:
    """(child table, its column, the referenced column of `info`) for each ON DELETE CASCADE foreign key to `info`."""
    out: list[tuple[TableInfo, str, str]] = []
    for child in ctx.kit.tables.values():
        if child.name == info.name:
            continue
        for fk in child.table.foreign_keys:
            if fk.column.table.name == info.name and (fk.ondelete or "").upper() == "CASCADE":
                out.append((child, fk.parent.name, fk.column.name))
    return out
