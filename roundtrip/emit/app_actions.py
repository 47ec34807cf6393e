"""What the app model says about operations no table CRUD covers (`kind: example`).

Three decisions, made once at generation time:
- lookups: a path id that names a table row (`/exams/{id}/publish` → exams.id, `/attempts/{id}` →
  exam_attempts.id). The runtime loads those rows first (tenant/owner scoping as CRUD does) and answers
  the documented 404 when one is missing, before it answers anything else;
- action: an action endpoint named after a value of the row's status column (`publish` → status
  `published`, `cancel` → `cancelled`, `waive` → `waived`). The runtime sets the status (and the
  `<value>_at` / `<value>_by` columns when the table has them); a second call finds the row already
  in that state and answers the documented 409. Endpoints the docs do not make recognisable this way
  stay example-backed;
- samples: the docs' sample rows per table, for answers generated without an example (the docs' own
  data before values invented from a schema). Hashed and password columns are left out.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from typing import Any

from roundtrip.ir import Spec
from roundtrip.ir.data import Table

SAMPLES_PER_TABLE = 3
STATUS_COLUMNS = ("status", "state")
WRITE_METHODS = ("POST", "PATCH", "PUT")


def lookups_model(tables: dict[str, Table], path: str, table_named_by: Any) -> list[dict[str, Any]]:
    """One entry per path parameter that follows a literal naming a table: which row it must name."""
    segs = [s for s in path.strip("/").split("/") if s]
    out: list[dict[str, Any]] = []
    for i, seg in enumerate(segs):
        if not (seg.startswith("{") and seg.endswith("}")) or i == 0 or segs[i - 1].startswith("{"):
            continue
        table = table_named_by(tables, segs[:i])
        t = tables.get(table or "")
        if t is None:
            continue
        param = seg[1:-1]
        column = _key_column(t, param)
        if column is not None:
            out.append({"param": param, "table": t.name, "column": column})
    return out


def _key_column(t: Table, param: str) -> str | None:
    """`{isbn}` → books.isbn when that column exists; otherwise the single-column primary key."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", param).lower()
    if snake != "id" and snake in t.column_names and any(u.columns == (snake,) for u in t.uniques):
        return snake
    return t.primary_key[0] if len(t.primary_key) == 1 else None


def past_forms(verb: str) -> list[str]:
    """`publish` → published; `cancel` → cancelled, canceled; `archive` → archived; `submit` → submitted."""
    v = verb.lower()
    if v.endswith("e"):
        return [v + "d"]
    if re.search(r"[^aeiou]y$", v):
        return [v[:-1] + "ied"]
    forms = [v + "ed"]
    if re.search(r"[^aeiou][aeiou][bdgklmnprtz]$", v):
        forms.insert(0, v + v[-1] + "ed")  # British doubling first: cancelled, submitted
    return forms


def action_model(
    method: str, path: str, lookups: list[dict[str, Any]], tables: dict[str, Table], column_values: Any
) -> dict[str, Any] | None:
    """The status change an action endpoint names, when the docs make it recognisable (see module docstring)."""
    segs = [s for s in path.strip("/").split("/") if s]
    if (
        method not in WRITE_METHODS
        or len(segs) < 2
        or segs[-1].startswith("{")
        or not segs[-2].startswith("{")
    ):
        return None
    lookup = next((lk for lk in lookups if lk["param"] == segs[-2][1:-1]), None)
    t = tables.get(lookup["table"]) if lookup else None
    if lookup is None or t is None:
        return None
    words = [w for w in re.split(r"[-_]", segs[-1].lower()) if w]
    for column in [c for c in t.column_names if c in STATUS_COLUMNS or c.endswith("_status")]:
        values = column_values(t, column)
        for word in words:
            value = next((f for f in [*past_forms(word), word] if f in values), None)
            if value is None:
                continue
            stamp = next(
                (c for c in (f"{value}_at", f"{word}ed_at", f"{word}d_at") if c in t.column_names), None
            )
            actor = next((c for c in (f"{value}_by", f"{value}_by_id") if c in t.column_names), None)
            return {
                "param": lookup["param"],
                "table": t.name,
                "column": column,
                "value": value,
                "stamp": stamp,
                "actor": actor,
            }
    return None


def samples_model(spec: Spec, secret_columns: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for sample in spec.samples:
        rows = out.setdefault(sample.table, [])
        if len(rows) >= SAMPLES_PER_TABLE:
            continue
        hidden = set(sample.hashed) | set(secret_columns)
        rows.append({k: _json_safe(v) for k, v in sample.values if k not in hidden})
    return out


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return str(value)
