"""`db seed --fake N`: N generated rows per table that the database accepts.

Values come from Faker and a seeded `random.Random`, so a given seed and database state always
produce the same rows. Types, lengths and enums are read from the generated models; simple CHECK
constraints (IN lists, BETWEEN, comparisons with a number, length limits, regular expressions) are
read from their SQL text; foreign keys pick existing parent rows. Whatever a row still violates
(a cross-column CHECK, a unique key, an exclusion constraint) the database rejects inside a
savepoint, and another row is tried.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
import re
import string
import uuid
from dataclasses import dataclass, field
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import sqlalchemy as sa

ATTEMPTS = 25
_QUOTED = re.compile(r"'((?:[^']|'')*)'")


@dataclass
class ColumnRules:
    choices: list[str] = field(default_factory=list)
    low: float | None = None
    high: float | None = None
    min_len: int | None = None
    max_len: int | None = None
    pattern: str | None = None
    json_array: bool = False


def _bound(rules: ColumnRules, op: str, value: float) -> None:
    if op in (">", ">="):
        v = value + (1 if op == ">" else 0)
        rules.low = v if rules.low is None else max(rules.low, v)
    else:
        v = value - (1 if op == "<" else 0)
        rules.high = v if rules.high is None else min(rules.high, v)


def check_rules(table: sa.Table) -> dict[str, ColumnRules]:
    """What the table's CHECK constraints say about single columns (SQL text, one expression each)."""
    rules: dict[str, ColumnRules] = {}
    for cons in sorted((c for c in table.constraints if isinstance(c, sa.CheckConstraint)), key=lambda c: str(c.sqltext)):
        text = re.sub(r"(BETWEEN\s+\S+)\s+AND\s+", r"\1 __AND__ ", str(cons.sqltext), flags=re.I)
        for part in re.split(r"\s+AND\s+", text, flags=re.I):
            _one_rule(_strip_parens(part.replace("__AND__", "AND").strip()), rules)
    return rules


def _strip_parens(text: str) -> str:
    """`(a > 1)` → `a > 1`, but `x IN ('a')` stays whole."""
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def _one_rule(part: str, rules: dict[str, ColumnRules]) -> None:
    m = re.search(r"(\w+)\s+IN\s*\((.*)\)", part, re.I)
    if m:
        rules.setdefault(m.group(1), ColumnRules()).choices = [v.replace("''", "'") for v in _QUOTED.findall(m.group(2))]
        return
    m = re.search(r"(?:char_length|length)\s*\(\s*(\w+)\s*\)\s+BETWEEN\s+(\d+)\s+AND\s+(\d+)", part, re.I)
    if m:
        r = rules.setdefault(m.group(1), ColumnRules())
        r.min_len, r.max_len = int(m.group(2)), int(m.group(3))
        return
    m = re.search(r"(?:char_length|length)\s*\(\s*(\w+)\s*\)\s*(<=|<)\s*(\d+)", part, re.I)
    if m:
        rules.setdefault(m.group(1), ColumnRules()).max_len = int(m.group(3)) - (1 if m.group(2) == "<" else 0)
        return
    m = re.search(r"(\w+)\s+BETWEEN\s+([-\d.]+)\s+AND\s+([-\d.]+)", part, re.I)
    if m:
        r = rules.setdefault(m.group(1), ColumnRules())
        r.low, r.high = float(m.group(2)), float(m.group(3))
        return
    m = re.search(r"(\w+)\s+(?:~|REGEXP)\s+'((?:[^']|'')*)'", part, re.I)
    if m:
        rules.setdefault(m.group(1), ColumnRules()).pattern = m.group(2).replace("''", "'")
        return
    m = re.search(r"json_type\s*\(\s*(\w+)\s*\)|jsonb_typeof\s*\(\s*(\w+)\s*\)", part, re.I)
    if m:
        rules.setdefault(m.group(1) or m.group(2), ColumnRules()).json_array = True
        return
    m = re.fullmatch(r"(\w+)\s*(>=|>|<=|<)\s*([-\d.]+)", part)
    if m:
        _bound(rules.setdefault(m.group(1), ColumnRules()), m.group(2), float(m.group(3)))


# ---------------------------------------------------------------------------------------------
# strings matching a regular expression (the subset CHECKs use)
# ---------------------------------------------------------------------------------------------


def from_regex(pattern: str, rng: random.Random) -> str:
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return ""
    return _gen(parsed, rng)


def _gen(items: Any, rng: random.Random) -> str:
    out: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "ANY":
            out.append(rng.choice(string.ascii_letters))
        elif name == "IN":
            out.append(_pick_in(arg, rng))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            lo, hi, sub = arg
            hi = min(hi, lo + 3) if hi != sre_parse.MAXREPEAT else lo + 3
            out.extend(_gen(sub, rng) for _ in range(rng.randint(lo, hi)))
        elif name == "SUBPATTERN":
            out.append(_gen(arg[-1], rng))
        elif name == "BRANCH":
            out.append(_gen(rng.choice(arg[1]), rng))
        elif name == "CATEGORY":
            out.append(_category(str(arg), rng))
        elif name == "NOT_LITERAL":
            out.append("x" if chr(arg) != "x" else "y")
    return "".join(out)


def _category(name: str, rng: random.Random) -> str:
    if "DIGIT" in name:
        return rng.choice(string.digits)
    if "SPACE" in name:
        return " "
    return rng.choice(string.ascii_letters)


def _pick_in(arg: Any, rng: random.Random) -> str:
    options: list[str] = []
    negate = False
    for op, val in arg:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            options.append(chr(val))
        elif name == "RANGE":
            options.extend(chr(c) for c in range(val[0], val[1] + 1))
        elif name == "CATEGORY":
            options.append(_category(str(val), rng))
    if negate:
        pool = [c for c in string.ascii_letters + string.digits if c not in options]
        return rng.choice(pool or ["_"])
    return rng.choice(options or ["a"])


# ---------------------------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------------------------


_BY_NAME = (
    (r"email", lambda f: f.email()),
    (r"first_name", lambda f: f.first_name()),
    (r"last_name", lambda f: f.last_name()),
    (r"(full_|display_|^)name$", lambda f: f.name()),
    (r"url|avatar|website", lambda f: f.url()),
    (r"phone", lambda f: f.numerify("+1##########")),
    (r"address", lambda f: f.address().replace("\n", ", ")),
    (r"slug", lambda f: f.slug()),
    (r"title|subject", lambda f: f.sentence(nb_words=4).rstrip(".")),
    (r"description|body|notes?|comment|prompt|explanation|reason|text", lambda f: f.paragraph(nb_sentences=2)),
    (r"city", lambda f: f.city()),
    (r"country", lambda f: f.country_code()),
    (r"timezone", lambda f: f.timezone()),
    (r"language|locale", lambda f: f.language_code()),
)


def _unwrap(t: Any) -> Any:
    impl = getattr(t, "impl_instance", None) or getattr(t, "impl", None)
    if isinstance(t, sa.types.TypeDecorator) and impl is not None:
        return t, impl
    return t, t


def _length(t: Any) -> int | None:
    return getattr(t, "length", None)


def _string(col: sa.Column[Any], rules: ColumnRules, faker: Any, rng: random.Random) -> str:
    length = _length(col.type)
    fixed = isinstance(col.type, sa.CHAR)
    if rules.choices:
        return rng.choice(rules.choices)
    if rules.pattern:
        value = from_regex(rules.pattern, rng)
        if not length or len(value) <= length:
            return value
    value = ""
    for pat, fn in _BY_NAME:
        if re.search(pat, col.name):
            value = str(fn(faker))
            break
    if fixed and length:
        if "hash" in col.name or "token" in col.name:
            return "".join(rng.choice("0123456789abcdef") for _ in range(length))
        return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(length))
    if not value:
        value = faker.word() if (length or 50) < 20 else faker.sentence(nb_words=3).rstrip(".")
    hi = min(x for x in (length, rules.max_len, 200) if x is not None)
    lo = rules.min_len or 1
    if len(value) > hi:
        value = value[:hi].rstrip() or value[:hi]
    while len(value) < lo:
        value += rng.choice(string.ascii_lowercase)
    return value


def _number(rules: ColumnRules, default_high: float, rng: random.Random, integer: bool) -> float:
    lo = rules.low if rules.low is not None else (1 if integer else 0)
    hi = rules.high if rules.high is not None else max(lo, default_high)
    if integer:
        return rng.randint(int(lo), int(max(lo, hi)))
    return rng.uniform(lo, max(lo, hi))


def fake_value(col: sa.Column[Any], rules: ColumnRules, faker: Any, rng: random.Random) -> Any:
    outer, t = _unwrap(col.type)
    name = type(outer).__name__
    if isinstance(t, sa.Enum):
        return rng.choice(list(t.enums))
    if rules.choices and isinstance(t, sa.String):
        return rng.choice(rules.choices)
    if name == "Array":
        item = outer.item_type
        fake_item = sa.Column("item", item)
        return [fake_value(fake_item, ColumnRules(), faker, rng) for _ in range(rng.randint(0, 3))]
    if name == "IPAddress":
        return faker.ipv4()
    if name == "TZDateTime" or (isinstance(t, sa.DateTime) and t.timezone):
        return faker.date_time_between(dt.datetime(2024, 1, 1), dt.datetime(2026, 12, 31), tzinfo=dt.UTC)
    if isinstance(t, sa.DateTime):
        return faker.date_time_between(dt.datetime(2024, 1, 1), dt.datetime(2026, 12, 31))
    if isinstance(t, sa.Date):
        return faker.date_between(dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    if isinstance(t, sa.Time):
        return dt.time(rng.randint(0, 23), rng.choice((0, 15, 30, 45)))
    if isinstance(t, sa.Interval):
        return dt.timedelta(minutes=rng.randint(1, 600))
    if isinstance(t, sa.Boolean):
        return rng.random() < 0.5
    if isinstance(t, sa.Uuid):
        return uuid.UUID(int=rng.getrandbits(128), version=4)
    if isinstance(t, sa.SmallInteger):
        return _number(rules, 100, rng, True)
    if isinstance(t, sa.Integer):
        return _number(rules, 1000, rng, True)
    if isinstance(t, sa.Numeric) and not isinstance(t, sa.Float):
        scale = t.scale or 0
        limit = 10 ** ((t.precision or 10) - scale) - 1
        value = _number(rules, min(limit, 1000), rng, False)
        return decimal.Decimal(str(round(value, scale))).quantize(decimal.Decimal(1).scaleb(-scale))
    if isinstance(t, sa.Float):
        return round(_number(rules, 1000, rng, False), 3)
    if isinstance(t, sa.JSON):
        if rules.json_array or col.name.endswith("s"):
            return [faker.word() for _ in range(rng.randint(1, 3))]
        return {faker.word(): faker.word()}
    if isinstance(t, sa.LargeBinary):
        return rng.randbytes(16)
    if isinstance(t, sa.String):
        return _string(col, rules, faker, rng)
    return None


def _parent_keys(conn: sa.Connection, metadata: sa.MetaData, fk: sa.ForeignKeyConstraint) -> list[tuple[Any, ...]]:
    ref = metadata.tables.get(fk.referred_table.name)
    if ref is None:
        return []
    cols = [ref.c[e.column.name] for e in fk.elements]
    return [tuple(r) for r in conn.execute(sa.select(*cols).order_by(*cols).limit(500))]


def add_fake_rows(conn: sa.Connection, metadata: sa.MetaData, n: int, seed: int) -> dict[str, int]:
    """Insert up to `n` generated rows into every table, parents first; returns rows inserted per table."""
    from faker import Faker

    faker = Faker()
    faker.seed_instance(seed)
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    for table in metadata.sorted_tables:
        rules = check_rules(table)
        fks = sorted(table.foreign_key_constraints, key=lambda f: [c.name for c in f.columns])
        parents = {id(fk): _parent_keys(conn, metadata, fk) for fk in fks}
        counts[table.name] = 0
        for _ in range(n):
            for _attempt in range(ATTEMPTS):
                values = _row(table, rules, fks, parents, faker, rng)
                if values is None:
                    break
                try:
                    with conn.begin_nested():
                        conn.execute(table.insert().values(**values))
                except sa.exc.DBAPIError:
                    continue
                counts[table.name] += 1
                break
    return counts


def _row(
    table: sa.Table,
    rules: dict[str, ColumnRules],
    fks: list[sa.ForeignKeyConstraint],
    parents: dict[int, list[tuple[Any, ...]]],
    faker: Any,
    rng: random.Random,
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    for fk in fks:
        keys = parents[id(fk)]
        nullable = all(c.nullable for c in fk.columns)
        if not keys or (nullable and rng.random() < 0.2):
            if not nullable:
                return None  # no parent row to point at
            continue
        pick = rng.choice(keys)
        for col, val in zip(fk.columns, pick, strict=True):
            values[col.name] = val
    for col in table.columns:
        if col.name in values or col.computed is not None:
            continue
        if col is table.autoincrement_column:
            continue
        if not col.primary_key and (col.server_default is not None or col.default is not None) and rng.random() < 0.5:
            continue  # half the time the database's default, half the time a generated value
        if col.nullable and rng.random() < 0.2:
            continue
        value = fake_value(col, rules.get(col.name, ColumnRules()), faker, rng)
        if value is not None:
            values[col.name] = value
    return values
