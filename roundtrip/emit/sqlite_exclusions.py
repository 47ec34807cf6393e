"""Exclusion constraints on SQLite: two triggers that refuse what PostgreSQL's EXCLUDE refuses.

SQLite, the embedded default, has no EXCLUDE. Without a stand-in, the reference backend on SQLite
would accept the double booking the docs promise to refuse (`409 BOOKING_CONFLICT`). The common shape
of an exclusion constraint translates exactly:

    EXCLUDE USING gist (room_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&) WHERE (status = 'confirmed')

becomes a BEFORE INSERT and a BEFORE UPDATE trigger that abort when another row (the WHERE holding
for both) has equal `=` elements and an overlapping range, with PostgreSQL's range rules: a NULL
bound is unbounded, an empty range (`[a, a)`) overlaps nothing, and `[]` bounds touch where `[)` do
not. The abort is an integrity error whose message names the constraint, so the app answers it as
it answers PostgreSQL's exclusion violation (23P01): the documented 409.

Anything else (an operator other than `=`/`&&`, a range column, an element SQLite cannot evaluate)
gets no trigger and a reason, which the caller reports as an RT303 note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from roundtrip.emit.sa_dialect import translate

RANGE_CONSTRUCTORS = frozenset({"tstzrange", "tsrange", "daterange", "int4range", "int8range", "numrange"})
MESSAGE_PREFIX = "exclusion constraint"  # appkit.store.classify_integrity reads it: a conflict, like 23P01


@dataclass(frozen=True)
class SqliteExclusion:
    """The trigger statements of one exclusion constraint (empty with a reason when it has none)."""

    names: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()
    reason: str = ""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _qualified(sql: str, alias: str) -> str | None:
    """A SQLite expression with every bare column reference prefixed by `alias` (NEW, OLD, o)."""
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError):
        return None
    for col in tree.find_all(exp.Column):
        if not col.table:
            col.set("table", exp.to_identifier(alias))
    return tree.sql(dialect="sqlite")


def _scalar(expr: str, dialect: str, columns: Sequence[str]) -> tuple[str, str] | None:
    """(NEW form, other row's form) of one element, or None when SQLite cannot evaluate it."""
    lite = translate(expr, dialect, columns).sqlite
    if lite is None:
        return None
    new, other = _qualified(lite, "NEW"), _qualified(lite, "o")
    return (new, other) if new is not None and other is not None else None


def _range(expr: str, dialect: str, columns: Sequence[str]) -> str | None:
    """The overlap predicate between NEW's and o's range for a range constructor call, or None."""
    try:
        call = sqlglot.parse_one(expr, read="postgres")
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError):
        return None
    name = call.name.lower() if isinstance(call, exp.Anonymous) else ""
    args = list(call.expressions) if isinstance(call, exp.Anonymous) else []
    if name not in RANGE_CONSTRUCTORS or len(args) not in (2, 3):
        return None
    bounds = "[)"
    if len(args) == 3:
        if not (isinstance(args[2], exp.Literal) and args[2].is_string and args[2].this in ("[)", "[]", "(]", "()")):
            return None
        bounds = args[2].this
    ends = [_scalar(a.sql(dialect="postgres"), "postgres", columns) for a in args[:2]]
    if ends[0] is None or ends[1] is None:
        return None
    (lo_new, lo_o), (hi_new, hi_o) = ends[0], ends[1]
    closed = bounds == "[]"
    before = "<=" if closed else "<"

    def nonempty(lo: str, hi: str) -> str:
        return f"({lo} IS NULL OR {hi} IS NULL OR {lo} {'<=' if closed else '<'} {hi})"

    return " AND ".join(
        [
            f"({lo_new} IS NULL OR {hi_o} IS NULL OR {lo_new} {before} {hi_o})",
            f"({lo_o} IS NULL OR {hi_new} IS NULL OR {lo_o} {before} {hi_new})",
            nonempty(lo_new, hi_new),
            nonempty(lo_o, hi_o),
        ]
    )


def sqlite_exclusion(
    table: str,
    name: str,
    elements: Sequence[tuple[str, str]],
    where: str,
    dialect: str,
    columns: Sequence[str],
) -> SqliteExclusion:
    """The triggers standing in for `EXCLUDE (elements) WHERE (where)` on `table` (written in `dialect`)."""
    predicates: list[str] = []
    for expr, op in elements:
        op = op.strip()
        if op == "=":
            pair = _scalar(expr, dialect, columns)
            if pair is None:
                return SqliteExclusion(reason=f"SQLite cannot evaluate {expr!r}")
            predicates.append(f"{pair[0]} = {pair[1]}")
        elif op == "&&":
            overlap = _range(expr, dialect, columns)
            if overlap is None:
                return SqliteExclusion(reason=f"{expr!r} WITH && is not a range built from columns SQLite can compare")
            predicates.append(overlap)
        else:
            return SqliteExclusion(reason=f"operator {op!r} has no SQLite trigger form")
    if not predicates:
        return SqliteExclusion(reason="no elements")
    when_new = when_other = ""
    if where.strip():
        pair = _scalar(where, dialect, columns)
        if pair is None:
            return SqliteExclusion(reason=f"SQLite cannot evaluate WHERE ({where})")
        when_new, when_other = f" WHEN {pair[0]}", f" AND ({pair[1]})"
    message = f"{MESSAGE_PREFIX} {name} violated: a conflicting row exists in {table}"
    raise_sql = "RAISE(ABORT, '" + message.replace("'", "''") + "')"
    names, statements = [], []
    for event, itself in (("INSERT", ""), ("UPDATE", " AND o.rowid <> OLD.rowid")):
        trigger = f"{name}_{event.lower()}"
        names.append(trigger)
        statements.append(
            f"CREATE TRIGGER {_q(trigger)} BEFORE {event} ON {_q(table)} FOR EACH ROW{when_new} "
            f"BEGIN SELECT {raise_sql} WHERE EXISTS (SELECT 1 FROM {_q(table)} AS o WHERE "
            f"{' AND '.join(predicates)}{when_other}{itself}); END"
        )
    return SqliteExclusion(tuple(names), tuple(statements))


def drop_statement(trigger: str) -> str:
    return f"DROP TRIGGER IF EXISTS {_q(trigger)}"


def trigger_steps(old: Sequence[SqliteExclusion], new: Sequence[SqliteExclusion], *, old_dropped: bool) -> list[str]:
    """SQL taking one table's exclusion triggers from `old` to `new` (a migration between data models).
    `old_dropped`: the old table is gone (created now, or rebuilt: dropping a table drops its triggers)."""
    if not old_dropped and [o.statements for o in old] == [n.statements for n in new]:
        return []
    drops = [] if old_dropped else [drop_statement(t) for o in old for t in o.names]
    return drops + [s for n in new for s in n.statements]
