"""Alembic operation objects → Python source for a revision, printing our own column/CHECK code.

Alembic renders copies of our SQLAlchemy objects, so the `render_item` hook finds the source we
built them from by (table, column) or (table, CHECK text) in `Built` (LIBRARY-NOTES §6, gotchas
2-4): columns and defaults appear as `rt.TZDateTime()` / `rt.gen_random_uuid()` exactly as in the
models file. A table being rebuilt under a temporary name (SQLite) looks its sources up under
its real name.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import render_python_code
from alembic.autogenerate.api import AutogenContext
from alembic.migration import MigrationContext
from alembic.operations import ops

from roundtrip.emit.sa_build import Built

# Prefix of the copy a SQLite table is rebuilt into before it takes the original's name.
REBUILD_PREFIX = "_roundtrip_new_"


def _render_item(built: Built) -> Any:
    def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
        table = getattr(getattr(obj, "table", None), "name", "").removeprefix(REBUILD_PREFIX)
        if type_ == "column":
            return built.column_code.get((table, obj.name), False)
        if type_ == "check":
            return built.check_code.get((table, str(obj.sqltext)), False)
        if type_ == "exclude":
            return built.exclusion_code.get((table, obj.name), False)
        if type_ == "foreign_key":
            return built.deferred_fks.get((table, tuple(obj.column_keys)), False)
        return False

    return render_item


def render_ops(op_list: list[Any], built: Built, indent: int) -> str:
    """The operations as source lines, indented by `indent` spaces ("" for no operations)."""
    if not op_list:
        return ""
    ctx = MigrationContext.configure(dialect_name="postgresql", opts={"user_module_prefix": "rt."})
    code = render_python_code(
        ops.UpgradeOps(ops=op_list), migration_context=ctx, render_item=_render_item(built)
    )
    lines = [ln for ln in code.splitlines() if ln.strip() and not ln.strip().startswith("# ###")]
    # render_python_code indents by 4; re-indent to the block's depth.
    pad = " " * indent
    return "\n".join(pad + ln[4:] if ln.startswith("    ") else pad + ln for ln in lines)
