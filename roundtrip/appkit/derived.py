"""Response fields composed from the row's own values and the rows its foreign keys name.

api_model.json `derived` holds, per table and property, the composition the docs' examples agree on
(decided at generation time by emit/app_derived.py): a task's `key` is its project's `key`, `-`, and the
task's `number`, so task 4 of project WEB answers `WEB-4` rather than the example's `WEB-3`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from .records import Records
    from .store import TableInfo


def composed(
    records: Records, conn: sa.Connection, info: TableInfo, row: Mapping[str, Any], name: str
) -> tuple[bool, Any]:
    """(True, text) when the model composes `name` for this table and the row has every value it needs."""
    parts = ((records.kit.model.get("derived") or {}).get(info.name) or {}).get(name)
    if not parts:
        return False, None
    out: list[str] = []
    for part in parts:
        if "literal" in part:
            out.append(str(part["literal"]))
            continue
        if "via" in part:
            target = records.kit.tables.get(part["table"])
            ref = row.get(part["via"])
            if target is None or ref is None:
                return False, None
            referenced = records.fetch(conn, target, part["target"], ref, live=False)
            value = referenced.get(part["column"]) if referenced is not None else None
        else:
            value = row.get(part["column"])
        text = text_of(value)
        if text is None:
            return False, None
        out.append(text)
    return True, "".join(out)


def text_of(value: Any) -> str | None:
    """How a value reads inside a composed string: `3`, not `3.0`; ISO dates. emit/app_derived learns the
    compositions from the docs' values with this same function."""
    if value is None or isinstance(value, (bool, dict, list, tuple)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)
