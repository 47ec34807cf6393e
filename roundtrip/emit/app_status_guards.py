"""Status preconditions an endpoint's error rows state, as guards the app checks before it writes.

Docs state a precondition on a row's status in the error row that answers it:

    | 409 | PROJECT_NOT_ARCHIVED | Only archived projects can be deleted |       → the project must be `archived`
    | 409 | PROJECT_ARCHIVED     | Cannot add tasks to an archived project |     → the parent must not be `archived`
    | 409 | BOOKING_CANCELLED    | Cancelled bookings cannot be modified |       → the booking must not be `cancelled`
    | 409 | EXAM_NOT_EDITABLE    | Exam is not in `draft` |                      → the exam must be `draft`

A guard is kept only when a mentioned word is exactly a value of a status-like column (enum or `CHECK … IN`)
of the row the operation writes (update/delete) or of a row it attaches to (a create: the path's parent;
an update/delete: any row a foreign key of the written row names), and the words say which way: "only …", "not …", "unless …" and
"while …" (without a negation) require the value; "is/already/still …", a negation elsewhere in the sentence
("cannot be modified", "cannot add … to a …") and a code ending in the value refuse it. A row of another
table must be named in the sentence (or the code); the written row itself may go unnamed when no table is.
Anything else (no value, two readings, both ways at once, a transition row) is left alone: no guess.

Each guard: {"table", "column", "via" (None: the written row; else its foreign key column), "key" (the
referenced column), "allowed" | "refused" (values), "status", "code", "message"}; appkit/status_guards.py
checks them in crud create/update/delete.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from roundtrip.emit.app_lookups import request_fields
from roundtrip.ir import Spec
from roundtrip.ir.api import ErrorDoc
from roundtrip.ir.data import Table
from roundtrip.ir.naming import singular, snake

# Statuses that answer a refused precondition; 401/403/404/429 are about who asks and what exists, not state.
GUARD_STATUSES = frozenset({400, 409, 410, 412, 422, 423})
STATUS_NAMES = frozenset({"status", "state", "stage", "phase", "lifecycle"})
KINDS = ("crud-create", "crud-update", "crud-delete")

NEGATION = re.compile(
    r"\b(?:cannot|can't|can not|could not|may not|must not|should not|not allowed|not permitted|never|forbidden)\b", re.I
)
# "cannot be cancelled": the value names what the operation would do, not the state the row is in
NEGATED_BE = re.compile(r"\b(?:cannot|can't|can not|could not|may not|must not|should not|shall not)\s+(?:be|been|become)\s+`?$", re.I)
FILLER = r"(?:(?:yet|been|be|in|the|an?|status|state|of|its|their)\s+)*`?"
NOT_BEFORE = re.compile(rf"\b(?:not|isn't|aren't|wasn't|no longer)\s+{FILLER}$", re.I)
ONLY_BEFORE = re.compile(r"\bonly\b(?:[\s`]+[\w-]+){0,6}[\s`]*$", re.I)
ONLY_AFTER = re.compile(r"^`?\s+only\b", re.I)
UNLESS_BEFORE = re.compile(r"\bunless\b(?:[\s`]+[\w-]+){0,4}[\s`]*$", re.I)
WHILE_BEFORE = re.compile(r"\b(?:while|when|whilst)\b(?:[\s`]+[\w-]+){0,4}[\s`]*$", re.I)
IS_BEFORE = re.compile(r"\b(?:is|are|was|were|has been|have been|already|still)\s+(?:(?:already|still|now|been|in|the|an?)\s+)*`?$", re.I)


@dataclass(frozen=True)
class Candidate:
    """A row whose status an operation may depend on: the written row (via None) or one a foreign key names."""

    table: Table
    via: str | None
    key: str | None
    columns: dict[str, list[str]]  # status-like column → its values


def status_guards(spec: Spec, model: dict[str, Any], tables: dict[str, Table], column_values: Callable[[Table, str], list[str]]) -> list[dict[str, Any]]:
    kind = model.get("kind")
    t = tables.get(model.get("table") or "")
    ep = spec.endpoint(str(model.get("method")), str(model.get("path")))
    if kind not in KINDS or t is None or ep is None:
        return []
    candidates = _candidates(t, kind, model.get("parent"), tables, column_values)
    if not candidates:
        return []
    fields = model.get("fields") or {}
    sent = {fields.get(f) or snake(f) for f in request_fields(spec, ep)} if kind == "crud-update" else set()
    out: list[dict[str, Any]] = []
    for err in ep.errors:
        guard = _guard(err, candidates, tables, sent)
        if guard is not None and guard not in out:
            out.append(guard)
    return out


def _status_columns(t: Table, column_values: Callable[[Table, str], list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in t.column_names:
        if name in STATUS_NAMES or name.endswith(("_status", "_state")):
            values = [v for v in column_values(t, name) if v]
            if values:
                out[name] = values
    return out


def _candidates(t: Table, kind: str, parent: Any, tables: dict[str, Table], column_values: Callable[[Table, str], list[str]]) -> list[Candidate]:
    out: list[Candidate] = []
    if kind != "crud-create":  # a create has no row yet: only the rows it attaches to
        cols = _status_columns(t, column_values)
        if cols:
            out.append(Candidate(t, None, None, cols))
    by_table: dict[str, list[tuple[str, str]]] = {}
    parent_column = parent.get("column") if isinstance(parent, dict) else None
    for fk in t.foreign_keys:
        target = tables.get(fk.ref_table)
        if len(fk.columns) != 1 or target is None or (fk.ref_table == t.name and kind != "crud-create"):
            continue
        if kind == "crud-create" and fk.columns[0] != parent_column:
            # a create attaches to the row its path names (`/projects/{id}/tasks`); a row its body names (the copy
            # a loan checks out) is the body's business, and sample rows often show it after the documented create
            continue
        key = fk.ref_columns[0] if fk.ref_columns else (target.primary_key[0] if target.primary_key else None)
        if key:
            by_table.setdefault(target.name, []).append((fk.columns[0], key))
    for name, links in by_table.items():
        if len(links) > 1 and isinstance(parent, dict) and parent.get("table") == name:
            links = [link for link in links if link[0] == parent.get("column")]
        if len(links) != 1:
            continue  # two references to one table (assignee, reporter): which one the words mean is unknown
        cols = _status_columns(tables[name], column_values)
        if cols:
            out.append(Candidate(tables[name], links[0][0], links[0][1], cols))
    return out


# ---------------------------------------------------------------------------------------------
# reading one error row
# ---------------------------------------------------------------------------------------------


def _guard(err: ErrorDoc, candidates: list[Candidate], tables: dict[str, Table], sent: set[str]) -> dict[str, Any] | None:
    """The guard one error row states; `sent`: the columns an update's body may set."""
    if err.status not in GUARD_STATUSES or not err.code or "TRANSITION" in err.code.upper():
        return None  # a transition row depends on the status asked for, not on the stored one
    example = _example_message(err.example)
    worded: list[tuple[int, str, str, bool]] = []  # (candidate, column, value, required)
    for text in (err.message, example):
        for clause in re.split(r"(?<=[.;!?])\s+|\n", text or ""):
            worded += _text_mentions(clause, candidates, tables)
    found = _code_mentions(err.code, candidates, tables) + worded
    if not found or len({(i, col) for i, col, _, _ in found}) != 1:
        return None
    index, column = found[0][0], found[0][1]
    if not worded and candidates[index].via is None and column in sent:
        # the body may set this status itself (`COPY_ON_LOAN`: "cannot withdraw a copy with an active loan"):
        # a code alone may be about that change, not about every change of the row
        return None
    required = {v for _, _, v, req in found if req}
    refused = {v for _, _, v, req in found if not req}
    if required & refused:
        return None
    cand = candidates[index]
    values = cand.columns[column]
    guard: dict[str, Any] = {"table": cand.table.name, "column": column, "via": cand.via, "key": cand.key}
    if required:
        guard["allowed"] = [v for v in values if v in required]
    else:
        guard["refused"] = [v for v in values if v in refused]
    guard.update(status=err.status, code=err.code, message=example or err.message or _words(err.code))
    return guard


def _example_message(example: Any) -> str:
    """The message of a documented error body (`{"error": "X", "message": "…"}` or nested under `error`)."""
    for _ in range(3):
        if not isinstance(example, dict):
            return ""
        for key in ("message", "detail", "error_description"):
            if isinstance(example.get(key), str):
                return str(example[key])
        example = example.get("error")
    return ""


def _words(code: str) -> str:
    return code.replace("_", " ").capitalize()


def _tokens(text: str) -> list[str]:
    return [singular(w.lower()) for w in re.findall(r"[A-Za-z]+", text)]


def _named(text: str, tables: dict[str, Table]) -> set[str]:
    """Tables a text names by a noun: `projects`, `Project`, `exam attempt` (exam_attempts), `attempt`."""
    words = _tokens(text.replace("_", " "))
    joined = f" {' '.join(words)} "
    out: set[str] = set()
    for name in tables:
        parts = [singular(p) for p in name.split("_") if p]
        if parts and (f" {' '.join(parts)} " in joined or parts[-1] in words):
            out.add(name)
    return out


def _tied(cand: Candidate, named: set[str]) -> bool:
    """A row of another table must be named; the written row may also go unnamed when no table is."""
    return cand.table.name in named or (cand.via is None and not named)


def _matches(value: str, candidates: list[Candidate], named: set[str]) -> list[tuple[int, str]]:
    hits = [(i, col) for i, c in enumerate(candidates) if _tied(c, named) for col, values in c.columns.items() if value in values]
    return hits if len(hits) == 1 else []  # the value of two tied columns: which row is meant is unknown


def _code_mentions(code: str, candidates: list[Candidate], tables: dict[str, Table]) -> list[tuple[int, str, str, bool]]:
    """`PROJECT_NOT_ARCHIVED` requires `archived`; `BOOKING_CANCELLED`, `ALREADY_CANCELLED` refuse `cancelled`."""
    tokens = [t for t in code.upper().split("_") if t]
    named = _named(code, tables)
    out: list[tuple[int, str, str, bool]] = []
    for value in {v for c in candidates for vs in c.columns.values() for v in vs}:
        vt = [t for t in re.split(r"[^A-Za-z0-9]+", value.upper()) if t]
        for i in range(len(tokens) - len(vt) + 1):
            if not vt or tokens[i : i + len(vt)] != vt:
                continue
            before = tokens[i - 1] if i else ""
            if before == "NOT":
                required = True
            elif before in ("ALREADY", "IS", "STILL") or i + len(vt) == len(tokens):
                required = False
            else:
                continue
            out += [(idx, col, value, required) for idx, col in _matches(value, candidates, named)]
    return out


def _text_mentions(clause: str, candidates: list[Candidate], tables: dict[str, Table]) -> list[tuple[int, str, str, bool]]:
    named = _named(clause, tables)
    out: list[tuple[int, str, str, bool]] = []
    for value in {v for c in candidates for vs in c.columns.values() for v in vs}:
        spelled = r"[\s_-]".join(re.escape(p) for p in re.split(r"[\s_-]+", value) if p)
        if not spelled:
            continue
        for m in re.finditer(rf"(?<![\w-])`?{spelled}`?(?![\w-])", clause, re.I):
            required = _polarity(clause, clause[: m.start()], clause[m.end() :])
            if required is not None:
                out += [(idx, col, value, required) for idx, col in _matches(value, candidates, named)]
    return out


def _polarity(clause: str, before: str, after: str) -> bool | None:
    """True: the words require the value; False: they refuse it; None: they say neither."""
    before = before.rstrip("`")
    if NEGATED_BE.search(before):
        return None  # "cannot be cancelled": the operation's effect, not the row's state
    if NOT_BEFORE.search(before) or ONLY_BEFORE.search(before) or ONLY_AFTER.search(after) or UNLESS_BEFORE.search(before):
        return True
    if WHILE_BEFORE.search(before):
        return not NEGATION.search(clause)  # "editable while draft" requires; "cannot change while published" refuses
    if IS_BEFORE.search(before) or NEGATION.search(clause):
        return False
    return None
