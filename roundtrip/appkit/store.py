"""Tables as the kit sees them: keys, soft delete, foreign keys, owner columns; values bound to columns.

The generated SQLAlchemy models (app/db/models.py) are the source of truth for tables; the kit
works on their `Table` objects with SQLAlchemy Core (no ORM session state, cheap per request).
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

SOFT_DELETE_COLUMNS = ("deleted_at", "archived_at", "removed_at")
# Columns that name the user a row belongs to, strongest first.
OWNER_COLUMNS = ("owner_id", "author_id", "user_id", "created_by", "creator_id", "member_id", "student_id", "reporter_id", "uploaded_by")
POSITION_COLUMNS = ("position", "sort_order", "ordinal", "idx")


@dataclass
class TableInfo:
    table: sa.Table
    pk: tuple[str, ...]
    soft_delete: str | None
    fks: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (table, column)

    @classmethod
    def of(cls, table: sa.Table) -> TableInfo:
        fks: dict[str, tuple[str, str]] = {}
        for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
            fks[fk.parent.name] = (fk.column.table.name, fk.column.name)
        soft = next((c for c in SOFT_DELETE_COLUMNS if c in table.c), None)
        return cls(table, tuple(c.name for c in table.primary_key.columns), soft, fks)

    @property
    def name(self) -> str:
        return self.table.name

    def has(self, column: str) -> bool:
        return column in self.table.c

    def live(self) -> Any:
        """The WHERE clause that hides soft-deleted rows (true when the table has no soft delete)."""
        if self.soft_delete:
            return self.table.c[self.soft_delete].is_(None)
        return sa.true()

    def owner_column(self, users_table: str) -> str | None:
        for name in OWNER_COLUMNS:
            if name in self.fks and self.fks[name][0] == users_table:
                return name
        return None

    def fk_to(self, table: str, exclude: tuple[str, ...] = ()) -> str | None:
        for col, (target, _) in self.fks.items():
            if target == table and col not in exclude:
                return col
        return None

    def position_column(self) -> str | None:
        return next((c for c in POSITION_COLUMNS if c in self.table.c), None)


# id(column) → (column, its python_type): asked for every value bound or compared, and a column's type never
# changes; the entry holds the column, so its id is not reused while cached (Column's == builds SQL, so the
# columns themselves cannot be dict keys). Bounded by the columns of the app's tables.
_PYTHON_TYPES: dict[int, tuple[sa.Column[Any], type | None]] = {}


def python_type(column: sa.Column[Any]) -> type | None:
    """The Python type a column binds; a TypeDecorator (TZDateTime) answers `object`, so ask its impl."""
    hit = _PYTHON_TYPES.get(id(column))
    if hit is not None and hit[0] is column:
        return hit[1]
    found = _python_type(column)
    if len(_PYTHON_TYPES) > 65536:
        _PYTHON_TYPES.clear()  # columns of tables built at run time (tests build many apps): stay bounded
    _PYTHON_TYPES[id(column)] = (column, found)
    return found


def _python_type(column: sa.Column[Any]) -> type | None:
    for typ in (column.type, getattr(column.type, "impl", None)):
        if typ is None:
            continue
        try:
            found = typ.python_type
        except NotImplementedError:
            continue
        if found is not object:
            return found
    return None


def stored_value(value: Any) -> Any:
    """A column value as stored: a Python enum member's value (SQLAlchemy hands back Enum members for enum
    columns), anything else as it is. What status comparisons with the docs' values read."""
    return getattr(value, "value", value)


def coerce(value: Any, column: sa.Column[Any]) -> Any:
    """A validated API value as the Python object the column binds (raises ValueError when it cannot be)."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    pt = python_type(column)
    if pt is None or isinstance(value, pt):
        return value
    if pt is uuid.UUID:
        return uuid.UUID(str(value))
    if pt is dt.datetime:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if pt is dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        return dt.date.fromisoformat(str(value)[:10])
    if pt is dt.time:
        return dt.time.fromisoformat(str(value))
    if pt is decimal.Decimal:
        return decimal.Decimal(str(value))
    if pt is bool:
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes", "on")
        return bool(value)
    if pt is int:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{value} is not an integer")
        return int(value)
    if pt is float:
        return float(value)
    if pt is str:
        return str(value)
    return value


def fake_column_value(column: sa.Column[Any], hint: str = "") -> Any:
    """A value for a NOT NULL column nobody supplied (the docs' API does not carry it)."""
    if isinstance(column.type, sa.ARRAY) or getattr(column.type, "item_type", None) is not None:
        return []  # an array column (a native ARRAY, or the generated Array type stored as JSON on SQLite)
    pt = python_type(column)
    if pt is None and isinstance(getattr(column.type, "impl", column.type), sa.JSON):
        return {}
    if pt is uuid.UUID:
        return uuid.uuid4()
    if pt is dt.datetime:
        return dt.datetime.now(dt.UTC)
    if pt is dt.date:
        return dt.date.today()
    if pt in (int, float, decimal.Decimal):
        return pt(0)
    if pt is bool:
        return False
    if pt is list:
        return []
    if pt is dict:
        return {}
    pattern = checked_pattern(column)
    if pattern is not None:
        value = matching_text(pattern)
        if value is not None:
            return value  # a server-assigned code the docs constrain (`card_number ~ '^2[0-9]{13}$'`)
    length = getattr(column.type, "length", None) or 32
    text = (hint or column.name)[:length]
    return text


def checked_pattern(column: sa.Column[Any]) -> str | None:
    """The regular expression a CHECK constraint of the column's table holds it to (PostgreSQL `~`, SQLite REGEXP)."""
    table = getattr(column, "table", None)
    for constraint in getattr(table, "constraints", ()) or ():
        if not isinstance(constraint, sa.CheckConstraint):
            continue
        m = re.search(rf"\b{re.escape(column.name)}\s+(?:~\*?|REGEXP)\s+'((?:[^']|'')*)'", str(constraint.sqltext), re.I)
        if m:
            return m.group(1).replace("''", "'")
    return None


def matching_text(pattern: str) -> str | None:
    """A random string the pattern matches, for the simple patterns docs put on codes (`^[A-Z]{3}$`,
    `^2[0-9]{13}$`), built from Python's own parse of the pattern; None when it uses anything else."""
    try:
        import re._parser as sre  # the stdlib regex parser (public as sre_parse before 3.11)

        text = "".join(_generate(sre.parse(pattern), sre))
    except Exception:  # noqa: BLE001 - an unsupported pattern just means no generated value
        return None
    return text if re.fullmatch(pattern, text) else None


def _generate(tokens: Any, sre: Any) -> list[str]:
    out: list[str] = []
    for op, arg in tokens:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "AT":
            continue
        elif name == "IN":
            chars = [chr(v) for kind, v in arg if str(kind) == "LITERAL"]
            for kind, v in arg:
                if str(kind) == "RANGE":
                    chars += [chr(x) for x in range(v[0], v[1] + 1)]
                elif str(kind) == "CATEGORY" and "DIGIT" in str(v):
                    chars += list("0123456789")
            if not chars or any(str(kind) == "NEGATE" for kind, _ in arg):
                raise ValueError("unsupported character class")
            out.append(secrets.choice(chars))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, sub = arg
            for _ in range(min(max(low, 1), high)):  # the fewest repeats, but at least one
                out += _generate(sub, sre)
        elif name == "SUBPATTERN":
            out += _generate(arg[-1], sre)
        elif name == "BRANCH":
            out += _generate(arg[1][0], sre)
        else:
            raise ValueError(f"unsupported regex construct {name}")
    return out


def typed_value(column: sa.Column[Any]) -> Any:
    """A plausible value of the column's type for generated answers (None for free text: the schema and the
    field name say more about text than the column does)."""
    pt = python_type(column)
    if pt is uuid.UUID:
        return uuid.uuid4()
    if pt is dt.datetime:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    if pt is dt.date:
        return dt.date.today()
    if pt in (int, float, decimal.Decimal):
        return 1
    return None


def insert_may_omit(col: sa.Column[Any]) -> bool:
    """A column an insert may leave out: nullable, or the database fills it (default, generated)."""
    return bool(col.nullable or col.default is not None or col.server_default is not None or col.computed is not None)


def classify_integrity(exc: BaseException) -> str:
    """unique | foreign_key | check | not_null | other, for PostgreSQL (SQLSTATE) and SQLite (message)."""
    orig = getattr(exc, "orig", exc)
    state = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    by_state = {"23505": "unique", "23503": "foreign_key", "23514": "check", "23502": "not_null", "23P01": "unique"}
    if state in by_state:
        return by_state[state]
    text = str(orig).upper()
    # "EXCLUSION CONSTRAINT": the SQLite triggers standing in for EXCLUDE abort with it (a conflict, as 23P01)
    markers = (("UNIQUE", "unique"), ("EXCLUSION CONSTRAINT", "unique"), ("FOREIGN KEY", "foreign_key"), ("CHECK", "check"), ("NOT NULL", "not_null"))
    for marker, kind in markers:
        if marker in text:
            return kind
    return "other"
