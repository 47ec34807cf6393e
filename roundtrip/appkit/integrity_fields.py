"""The request field behind a constraint the database refused, for the validation error's details.

A CHECK, NOT NULL or foreign key the database enforces answers `{"field": "", ...}` unless the field is
named from what the database says:
- PostgreSQL: `diag.column_name` (NOT NULL), `diag.constraint_name` (`tasks_status_check`, a name of the
  models' own constraints), the detail's `Key (assignee_id)=(...)`;
- SQLite: `CHECK constraint failed: status IN ('a', 'b')` (an unnamed check's expression) or `...: ck_name`,
  `NOT NULL constraint failed: tasks.title`.
A named constraint of the table gives its columns; otherwise the first column of the table the text names
(a constraint name loses the table prefix first: `tasks_due_date_check` → due_date). The column becomes the
operation's API field for it (camelCase when the operation maps none). Nothing recognized: "" as before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sqlalchemy as sa

from .records import camel

_KEY = re.compile(r"Key \(([^)]+)\)=")
_SQLITE = re.compile(r"constraint failed:\s*(.+)$", re.I | re.S)


def violated_field(exc: BaseException, table: sa.Table | None, fields: Mapping[str, str]) -> str:
    """The API field whose column the refused constraint constrains, or "" when the message names none."""
    if table is None:
        return ""
    column = violated_column(exc, table)
    if column is None:
        return ""
    return next((f for f, c in fields.items() if c == column), camel(column))


def violated_column(exc: BaseException, table: sa.Table) -> str | None:
    orig = getattr(exc, "orig", exc)
    diag = getattr(orig, "diag", None)
    named = getattr(diag, "column_name", None)
    if named and named in table.c:
        return str(named)
    text = str(orig)
    key = _KEY.search(getattr(diag, "message_detail", None) or text)
    if key:
        first = key.group(1).split(",")[0].strip().strip('"')
        if first in table.c:
            return first
    constraint = getattr(diag, "constraint_name", None)
    m = _SQLITE.search(text)
    subject = str(constraint or (m.group(1) if m else "")).strip()
    if not subject:
        return None
    for c in table.constraints:
        if c.name and str(c.name) == subject:
            return _first_column(_constraint_text(c), table)
    dotted = re.fullmatch(r"[\"`]?\w+[\"`]?\.[\"`]?(\w+)[\"`]?", subject.split(",")[0].strip())  # tasks.title
    if dotted and dotted.group(1) in table.c:
        return dotted.group(1)
    if subject.lower().startswith(table.name.lower() + "_"):
        subject = subject[len(table.name) + 1:]  # `tasks_status_check`: the table's name is not a column
    found = _first_column(subject, table)
    if found is None and re.fullmatch(r"check\d*", subject, re.I):
        # PostgreSQL names an unnamed check over several columns `<table>_check`: the table's one such check
        several = [c for c in table.constraints if isinstance(c, sa.CheckConstraint) and _columns_in(str(c.sqltext), table) > 1]
        if len(several) == 1:
            found = _first_column(str(several[0].sqltext), table)
    return found


def _constraint_text(c: sa.Constraint) -> str:
    if isinstance(c, sa.CheckConstraint):
        return str(c.sqltext)
    return " ".join(col.name for col in getattr(c, "columns", ()))


def _mentions(text: str, column: str) -> re.Match[str] | None:
    """Where `text` names `column`: as an SQL identifier in an expression (`hi >= lo`), as a word between
    underscores in a constraint name (`tasks_due_date_check`)."""
    edge = r"\w" if re.search(r"[^\w]", text.strip()) else r"A-Za-z0-9"
    return re.search(rf"(?<![{edge}]){re.escape(column)}(?![{edge}])", text, re.I)


def _columns_in(text: str, table: sa.Table) -> int:
    return sum(1 for col in table.c if _mentions(text, col.name))


def _first_column(text: str, table: sa.Table) -> str | None:
    """The column of `table` named earliest in `text` (the longest at one place: due_date before date)."""
    best: tuple[int, int, str] | None = None
    for col in table.c:
        m = _mentions(text, col.name)
        if m and (best is None or (m.start(), -len(col.name)) < (best[0], best[1])):
            best = (m.start(), -len(col.name), col.name)
    return best[2] if best else None
