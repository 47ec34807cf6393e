"""Timestamps the docs tie to a status value: `completed_at` is "Set when status becomes `done`".

    stamps_model(spec, tasks)
    # [{"column": "status", "value": "done", "stamp": "completed_at", "clear": True}]

Two constructs say it, for a table's timestamp column:
- the column's own description: "Set when status becomes `done`", "stamped when `state` changes to `closed`",
  "recorded once status is `paid`"; "cleared when it leaves `done`" (or "…, cleared otherwise") adds the clearing;
- an endpoint's description: "Setting `status` to `done` sets `completedAt`; moving out of `done` clears it".
The status column must allow the value (an enum or `IN (...)` CHECK); anything else is left alone. appkit.stamps
applies it on create and update: the stamp is set when the row comes to that value (unless the request sets the
stamp itself) and, where the docs say so, cleared when it moves away from it.
"""

from __future__ import annotations

import re
from typing import Any

from roundtrip.emit.app_enum_values import column_values
from roundtrip.ir import Kind, Spec, Table
from roundtrip.ir.naming import snake

_NAME = r"`?([A-Za-z_][A-Za-z0-9_]*)`?"
_VALUE = r"`?([A-Za-z0-9_-]+)`?"
# "Set when status becomes `done`"
_COLUMN_NOTE = re.compile(
    rf"\b(?:set|stamped|filled|recorded|written)\s+(?:when|once|as\s+soon\s+as)\s+(?:the\s+)?{_NAME}\s+"
    rf"(?:becomes|is\s+set\s+to|changes\s+to|moves\s+to|turns(?:\s+to)?|is)\s+{_VALUE}",
    re.I,
)
_CLEARED = re.compile(r"\b(?:cleared|clears|reset|unset|nulled)\b", re.I)
# "Setting `status` to `done` sets `completedAt`; moving out of `done` clears it"
_ENDPOINT_NOTE = re.compile(
    rf"\bsetting\s+{_NAME}\s+to\s+{_VALUE}\s+(?:sets|stamps|fills)\s+{_NAME}"
    rf"(?P<rest>[;,]\s*(?:moving|changing|switching|setting\s+it)\s+(?:out\s+of|away\s+from|back\s+from|from)\s+"
    rf"`?(?P<again>[A-Za-z0-9_-]+)`?\s+(?:clears|resets|unsets)\s+it)?",
    re.I,
)
_STAMP_KINDS = (Kind.DATETIME, Kind.DATE)


def stamps_model(spec: Spec, table: Table) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for col in table.columns:
        m = _COLUMN_NOTE.search(col.description or "")
        if m:
            _add(found, table, snake(m.group(1)), m.group(2), col.name, bool(_CLEARED.search(col.description[m.end():])))
    for ep in spec.endpoints:
        for m in _ENDPOINT_NOTE.finditer(ep.description or ""):
            clear = bool(m.group("rest")) and m.group("again") == m.group(2)
            _add(found, table, snake(m.group(1)), m.group(2), snake(m.group(3)), clear, endpoint_path=ep.path)
    return list(found.values())


def _add(found: dict[str, dict[str, Any]], table: Table, column: str, value: str, stamp: str, clear: bool,
         endpoint_path: str | None = None) -> None:
    status, target = table.column(column), table.column(stamp)
    if status is None or target is None or target.type.kind not in _STAMP_KINDS or value not in column_values(table, column):
        return
    if endpoint_path is not None and table.name.replace("_", "") not in endpoint_path.replace("-", "").replace("_", ""):
        return  # another resource's endpoint: its `status` is not this table's
    entry = found.setdefault(stamp, {"column": column, "value": value, "stamp": stamp, "clear": False})
    if entry["column"] == column and entry["value"] == value:
        entry["clear"] = entry["clear"] or clear
