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
- updates: what the success response's text says the action does to the row (`renew`: "`Loan` with new
  `dueAt` (today + loan period) and incremented `renewalCount`"): a date column set to now (or extended)
  by the entity's documented period, a counter incremented. Checks the docs make certain come with them:
  the row must still be in the state a create gives it (status default `active`) where an error code says
  so (`LOAN_NOT_ACTIVE`), and a counter with a documented maximum (`CHECK (renewal_count <= 2)`, `// 0-2`)
  stops at it with the error whose code names it (`RENEWAL_LIMIT_REACHED`). A code that cannot be tied
  this way leaves its check out (no guessing which of three 422s is meant);
- samples: the docs' sample rows per table, for answers generated without an example (the docs' own
  data before values invented from a schema). Hashed and password columns are left out.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from typing import Any

from roundtrip.emit.app_periods import periods_model
from roundtrip.ir import Endpoint, Kind, Period, Spec
from roundtrip.ir.data import DefaultKind, Table
from roundtrip.ir.naming import snake

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
    method: str,
    path: str,
    lookups: list[dict[str, Any]],
    tables: dict[str, Table],
    column_values: Any,
    spec: Spec | None = None,
) -> dict[str, Any] | None:
    """The status change an action endpoint names and the updates its response text states, when the docs make
    them recognisable (see module docstring)."""
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
    action = _status_action(segs[-1], lookup, t, column_values)
    ep = spec.endpoint(method, path) if spec is not None else None
    updates = updates_model(spec, ep, t) if spec is not None and ep is not None else []
    if not updates:
        return action
    action = action or {"param": lookup["param"], "table": t.name}
    action["updates"] = updates
    assert ep is not None  # updates come from its text
    require = _require(ep, t)
    if require:
        action["require"] = require
    limits = _limits(spec, ep, t, updates) if spec is not None else []
    if limits:
        action["limits"] = limits
    return action


def _status_action(verb: str, lookup: dict[str, Any], t: Table, column_values: Any) -> dict[str, Any] | None:
    words = [w for w in re.split(r"[-_]", verb.lower()) if w]
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

# ---------------------------------------------------------------------------------------------
# updates an action's response text states
# ---------------------------------------------------------------------------------------------

# A field as the text names it (a code span, or a bare camelCase/snake_case name); it must be a column of the row.
_F = r"`?(?P<f>[A-Za-z_][A-Za-z0-9_]*)`?"
# A period as the text names it ("loan period", "the rental term", "14 days"), up to a delimiter.
_P = r"(?:the\s+)?(?P<p>[A-Za-z0-9][A-Za-z0-9 _-]*?)"
_P_END = r"(?=\s*(?:[.;,)]|\band\b|\bwith\b|$))"
_NOW = r"(?:today|now|the\s+current\s+(?:date|time))"
# (pattern, how the period starts: "now" or "self" = the column's own value)
_SET_PATTERNS = (
    (re.compile(rf"\bnew\s+{_F}\s*\(\s*{_NOW}\s*\+\s*{_P}\s*\)", re.I), "now"),
    (re.compile(rf"{_F}\s+(?:is\s+)?(?:set\s+to|reset\s+to|becomes|=)\s*{_NOW}\s*\+\s*{_P}{_P_END}", re.I), "now"),
    (re.compile(rf"{_F}\s+(?:is\s+)?extended\s+by\s+{_P}{_P_END}", re.I), "self"),
    (re.compile(rf"\bextends?\s+{_F}\s+by\s+{_P}{_P_END}", re.I), "self"),
)
_INCREMENT_PATTERNS = (
    re.compile(rf"\bincrement(?:s|ed|ing)?\s+(?:the\s+)?{_F}", re.I),
    re.compile(rf"{_F}\s+(?:is\s+)?incremented\b", re.I),
    re.compile(rf"{_F}\s*(?:\+=?)\s*1\b", re.I),
)
_LITERAL_DURATION = re.compile(r"^(\d+)\s*(minutes?|mins?|hours?|hrs?|days?|weeks?)$", re.I)
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
# Words of a code that say "a maximum was reached" (RENEWAL_LIMIT_REACHED, MAX_EXTENSIONS_EXCEEDED).
_LIMIT_WORDS = frozenset(("LIMIT", "MAX", "MAXIMUM", "EXCEEDED", "EXCEEDS"))
# Words of a counter column that are not what it counts (renewal_count → renewal).
_COUNTER_WORDS = frozenset(("count", "counter", "total", "number", "num", "of", "times"))


def updates_model(spec: Spec, ep: Endpoint, t: Table) -> list[dict[str, Any]]:
    """[{"column": "due_at", "period": {...}}, {"column": "renewal_count", "add": 1}] from the success text."""
    text = "\n".join(_texts(ep))
    out: dict[str, dict[str, Any]] = {}
    for pattern, start in _SET_PATTERNS:
        for m in pattern.finditer(text):
            column = _column(t, m.group("f"))
            period = _period(spec, t, column, m.group("p"), start) if column else None
            if column and period and column not in out:
                out[column] = {"column": column, "period": period}
    for pattern in _INCREMENT_PATTERNS:
        for m in pattern.finditer(text):
            column = _column(t, m.group("f"))
            col = t.column(column) if column else None
            if column and col is not None and col.type.kind is Kind.INTEGER and column not in out:
                out[column] = {"column": column, "add": 1}
    return list(out.values())


def _texts(ep: Endpoint) -> list[str]:
    texts = [r.description for r in ep.responses if 200 <= r.status < 300]
    texts += [r.body.description for r in ep.responses if 200 <= r.status < 300 and r.body is not None]
    return [x for x in (*texts, ep.summary, ep.description) if x]


def _column(t: Table, name: str) -> str | None:
    for cand in (snake(name), name):
        col = t.column(cand)
        if col is not None and not col.primary_key and not col.generated:
            return cand
    return None


def _period(spec: Spec, t: Table, column: str, words: str, start: str) -> dict[str, Any] | None:
    """The named period of this row's entity ("loan period" → the docs' Loan period), or a literal duration; how
    it picks its duration is the create's (app_periods), its start is now or the column's own value."""
    col = t.column(column)
    if col is None or col.type.kind not in (Kind.DATETIME, Kind.DATE):
        return None
    words = re.sub(r"\s+", " ", words.strip()).lower()
    entry: dict[str, Any] | None = None
    m = _LITERAL_DURATION.match(words)
    if m:
        entry = {"seconds": int(m.group(1)) * _UNIT_SECONDS[m.group(2)[0].lower()]}
    else:
        named = [p for p in spec.periods if p.table == t.name and re.sub(r"\s+", " ", p.name).lower() == words]
        if len(named) != 1:
            return None  # a period of another entity, or none by that name: not this row's
        entry = _period_entry(spec, t, named[0])
    if entry is None:
        return None
    return {**entry, "column": column, "anchor": column if start == "self" else None, "date": col.type.kind is Kind.DATE}


def _period_entry(spec: Spec, t: Table, p: Period) -> dict[str, Any] | None:
    tied = next((e for e in periods_model(spec, t) if e["column"] == p.column), None) if p.column else None
    if tied is not None:
        return {k: v for k, v in tied.items() if k in ("seconds", "by")}
    plain = [o.seconds for o in p.options if not o.values]
    return {"seconds": plain[0] if plain else p.options[0].seconds} if p.options else None


def _status_column(t: Table) -> str | None:
    return next((c for c in t.column_names if c in STATUS_COLUMNS or c.endswith("_status")), None)


def _require(ep: Endpoint, t: Table) -> dict[str, Any] | None:
    """The row must be in the state a create gives it where a documented code says "not <that state>"."""
    column = _status_column(t)
    col = t.column(column) if column else None
    if col is None or col.default is None or col.default.kind is not DefaultKind.LITERAL or col.default.value is None:
        return None
    value = str(col.default.value)
    token = re.sub(r"[^A-Za-z0-9]+", "_", value).strip("_").upper()
    found = {(e.status, e.code): e for e in ep.errors if e.code and re.search(rf"(?:^|_)NOT_{token}$", e.code)}
    if len(found) != 1:
        return None
    (e,) = found.values()
    return {"column": column, "value": value, "status": e.status, "code": e.code, "message": e.message or _words(e.code)}


def _limits(spec: Spec, ep: Endpoint, t: Table, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A counter's documented maximum and the one error code naming it (RENEWAL_LIMIT_REACHED for renewal_count)."""
    out: list[dict[str, Any]] = []
    for u in updates:
        if "add" not in u:
            continue
        maximum = _maximum(spec, ep, t, u["column"])
        stem = [w.upper() for w in u["column"].split("_") if w and w not in _COUNTER_WORDS]
        if maximum is None or not stem:
            continue
        found = {}
        for e in ep.errors:
            tokens = set(e.code.upper().split("_")) if e.code else set()
            if tokens & _LIMIT_WORDS and all({w, w + "S", w + "ES"} & tokens for w in stem):
                found[(e.status, e.code)] = e
        if len(found) == 1:
            (e,) = found.values()
            out.append({"column": u["column"], "max": maximum, "status": e.status, "code": e.code,
                        "message": e.message or _words(e.code)})
    return out


def _maximum(spec: Spec, ep: Endpoint, t: Table, column: str) -> int | None:
    """`CHECK (c <= 2)` / `c < 3` / `c BETWEEN 0 AND 2`, or the response field's maximum (`// 0-2`)."""
    found: list[int] = []
    c = re.escape(column)
    for check in t.checks:
        expr = check.expression
        if re.search(r"\bor\b", expr, re.I):
            continue
        for pattern, less in ((rf"\b{c}\s*<=\s*(\d+)\b", 0), (rf"\b{c}\s*<\s*(\d+)\b", 1),
                              (rf"\b{c}\s+between\s+-?\d+\s+and\s+(\d+)\b", 0)):
            m = re.search(pattern, expr, re.I)
            if m:
                found.append(int(m.group(1)) - less)
    for r in ep.responses:
        ref = r.body.type.ref if 200 <= r.status < 300 and r.body is not None and r.body.type is not None else None
        schema = spec.schema(ref) if ref else None
        for f in schema.fields if schema is not None else ():
            if snake(f.name) == column and f.constraints.maximum is not None:
                found.append(int(f.constraints.maximum))
    return min(found) if found else None


def _words(code: str) -> str:
    return code.replace("_", " ").lower().capitalize()


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
