"""`db seed`: load the docs' sample rows (OUT/seed/seed.json) into a migrated database.

Rows go in foreign-key order inside one transaction: a row the database rejects (a CHECK, a
foreign key, a unique key) stops the load with the table, the row's doc line and the database's
reason, and nothing stays inserted. Loading is idempotent: a row whose key (primary key, else a
unique key, else all its values) is already present is skipped. Columns the docs hash at seed
time are hashed here (bcrypt or argon2 via pwdlib, as the docs say).

Generated test accounts (seed.json `test_accounts`, when the docs hold no account to log in as) go
in after the docs' rows: the seed file gives their login, role and password; every other required
column is filled here the way `--fake` fills rows (values from the column's type and CHECKs, seeded
by the account so each load makes the same row), foreign keys pointing at the first parent row.
An account whose parent table is empty is left out, with a note in the report.

Rows the seed file marks `example` (taken from the docs' response examples, emit.seed_examples) get
the same filling: the example gives some columns, the others are generated, unique values that no row
holds yet, deterministically per row. Such a row is not the docs' own data: one the database refuses,
or whose parent table is empty, is left out with a note instead of stopping the load. A generated
account that is an example row (`row`) went in with the tables; it is only inserted when that row did not.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from roundtrip.db.runtime import DbError, connect, first_line, load_models, normalize_url, require_backend
from roundtrip.source import Span

SEED_FILE = Path("seed") / "seed.json"


@dataclass
class SeedReport:
    inserted: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    fake: dict[str, int] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)  # generated test accounts inserted per table
    examples: dict[str, int] = field(default_factory=dict)  # rows from the docs' response examples per table
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.inserted.values()) + sum(self.fake.values()) + sum(self.accounts.values()) + sum(self.examples.values())

    def __str__(self) -> str:
        def fmt(d: dict[str, int]) -> str:
            return ", ".join(f"{t} {n}" for t, n in d.items() if n) or "none"

        lines = [f"seeded: {fmt(self.inserted)}"]
        if any(self.examples.values()):
            lines.append(f"from the docs' response examples: {fmt(self.examples)}")
        if any(self.skipped.values()):
            lines.append(f"already present (skipped): {fmt(self.skipped)}")
        if self.fake:
            lines.append(f"fake rows: {fmt(self.fake)}")
        if any(self.accounts.values()):
            lines.append(f"generated test accounts: {fmt(self.accounts)}")
        lines += self.notes
        return "\n".join(lines)


def to_python(value: Any, kind: str) -> Any:
    """A seed.json value as the Python object the column type binds."""
    if value is None:
        return None
    if kind.startswith("array:"):
        return [to_python(v, kind[6:]) for v in value]
    if kind == "uuid":
        return uuid.UUID(str(value))
    if kind in ("datetime", "datetime-tz"):
        return dt.datetime.fromisoformat(str(value))
    if kind == "date":
        return dt.date.fromisoformat(str(value))
    if kind == "time":
        return dt.time.fromisoformat(str(value))
    if kind == "decimal":
        return decimal.Decimal(str(value))
    if kind == "integer":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "interval":
        return dt.timedelta(seconds=float(value)) if isinstance(value, int | float) else value
    if kind == "binary":
        return str(value).encode()
    return value


class _Hashers:
    def __init__(self) -> None:
        self._cache: dict[tuple[str, int | None], Any] = {}

    def hash(self, plain: str, algorithm: str, rounds: int | None) -> str:
        key = (algorithm, rounds)
        if key not in self._cache:
            from pwdlib import PasswordHash
            from pwdlib.hashers.argon2 import Argon2Hasher
            from pwdlib.hashers.bcrypt import BcryptHasher

            if algorithm == "bcrypt":
                self._cache[key] = PasswordHash((BcryptHasher(rounds=rounds) if rounds else BcryptHasher(),))
            else:
                self._cache[key] = PasswordHash((Argon2Hasher(),))
        return str(self._cache[key].hash(plain))


def _identity(table: sa.Table, values: dict[str, Any], key: list[str], hashed: set[str]) -> list[str]:
    """The columns that identify a row for the idempotency check."""
    if key and all(k in values for k in key):
        return key
    for cons in sorted(table.constraints, key=lambda c: str(c.name or "")):
        if isinstance(cons, sa.UniqueConstraint):
            cols = [c.name for c in cons.columns]
            if cols and all(c in values and values[c] is not None for c in cols):
                return cols
    for ix in sorted(table.indexes, key=lambda i: str(i.name or "")):
        cols = [c.name for c in ix.columns]
        if ix.unique and not ix.dialect_options["postgresql"].get("where") and cols and len(cols) == len(ix.expressions):
            if all(c in values and values[c] is not None for c in cols):
                return cols
    return [c for c, v in values.items() if c not in hashed and not isinstance(table.c[c].type, sa.JSON) and v is not None]


def _exists(conn: sa.Connection, table: sa.Table, values: dict[str, Any], cols: list[str]) -> bool:
    if not cols:
        return False
    cond = sa.and_(*[table.c[c] == values[c] for c in cols])
    return conn.execute(sa.select(sa.literal(1)).select_from(table).where(cond).limit(1)).first() is not None


def _span(source: str) -> Span | None:
    file, _, line = source.rpartition(":")
    return Span(file, int(line)) if file and line.isdigit() else None


def _reset_sequences(conn: sa.Connection, tables: list[sa.Table]) -> None:
    """After explicit integer keys were inserted, move PostgreSQL's sequences past them."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        col = table.autoincrement_column
        if col is None:
            continue
        seq = conn.execute(sa.select(sa.func.pg_get_serial_sequence(table.name, col.name))).scalar()
        if seq:
            top = conn.execute(sa.select(sa.func.max(col))).scalar()
            if top is not None:
                conn.execute(sa.select(sa.func.setval(seq, top)))


def load_seed_file(out_dir: Path) -> dict[str, Any]:
    path = require_backend(Path(out_dir)) / SEED_FILE
    if not path.is_file():
        raise DbError(f"{path} is missing; run `roundtrip generate SPECS -o {out_dir}` first")
    try:
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DbError(f"{path} is not valid JSON: {exc}") from None
    return doc


def seed(out_dir: Path, url: str | None = None, fake: int = 0, seed: int = 0) -> SeedReport:
    """Insert the docs' sample rows (and `fake` generated rows per table) into the database at `url`."""
    out = require_backend(Path(out_dir))
    target = normalize_url(url, out)
    doc = load_seed_file(out)
    metadata: sa.MetaData = load_models(out).Base.metadata
    report = SeedReport()
    hashers = _Hashers()
    with connect(target) as conn:
        with conn.begin():
            inspector = sa.inspect(conn)
            missing = [name for name in metadata.tables if not inspector.has_table(name)]
            if missing:
                raise DbError(f"the database has no table(s) {', '.join(missing)}; run `roundtrip db upgrade {out}` first")
            touched: list[sa.Table] = []
            for entry in doc.get("tables", []):
                _load_table(conn, metadata, entry, hashers, report)
                if entry["table"] in metadata.tables:
                    touched.append(metadata.tables[entry["table"]])
            accounts = doc.get("test_accounts", {}).get("accounts", [])
            for account in accounts:
                _load_account(conn, metadata, account, hashers, report)
            _reset_sequences(conn, touched)
            if fake > 0:
                from roundtrip.db.fake import add_fake_rows

                report.fake = add_fake_rows(conn, metadata, fake, seed)
    return report


def _load_table(conn: sa.Connection, metadata: sa.MetaData, entry: dict[str, Any], hashers: _Hashers, report: SeedReport) -> None:
    name = entry["table"]
    table = metadata.tables.get(name)
    if table is None:
        raise DbError(f"seed data names table {name}, which the generated models do not have; regenerate the backend", span=_span(entry.get("source", "")), table=name)
    kinds: dict[str, str] = entry.get("columns", {})
    hashing: dict[str, dict[str, Any]] = entry.get("hash", {})
    report.inserted.setdefault(name, 0)
    report.skipped.setdefault(name, 0)
    for row in entry.get("rows", []):
        source = row.get("source", "")
        hashed = set(row.get("hashed", []))
        try:
            values = {c: (v if c in hashed else to_python(v, kinds.get(c, "string"))) for c, v in row["values"].items()}
        except (TypeError, ValueError, decimal.InvalidOperation) as exc:
            raise DbError(f"sample row for {name} has a value its column cannot hold: {exc}", span=_span(source), table=name) from None
        unknown = [c for c in values if c not in table.c]
        if unknown:
            raise DbError(f"sample row for {name} sets unknown column(s) {', '.join(unknown)}", span=_span(source), table=name)
        if _exists(conn, table, values, _identity(table, values, list(entry.get("key", [])), hashed)):
            report.skipped[name] += 1
            continue
        example = row.get("example")
        if example:
            key = ",".join(str(values.get(c)) for c in entry.get("key", []))
            missing = _complete(conn, metadata, table, values, f"{name}:{source}:{key}")
            if missing:
                report.notes.append(f"example row for {name} ({source}, {example}) left out: no {missing} row to point at")
                continue
        for c in hashed:
            if values.get(c) is not None:
                opts = hashing.get(c, {})
                values[c] = hashers.hash(str(values[c]), str(opts.get("algorithm", "argon2")), opts.get("rounds"))
        if not example:
            _insert(conn, table, values, f"sample row for {name}", source)
            report.inserted[name] += 1
            continue
        refused = _try_insert(conn, table, values)
        if refused:
            report.notes.append(f"example row for {name} ({source}, {example}) left out: the database refused it: {refused}")
        else:
            report.examples[name] = report.examples.get(name, 0) + 1


def _try_insert(conn: sa.Connection, table: sa.Table, values: dict[str, Any]) -> str:
    """One row in its own savepoint; the database's reason when it refuses the row (or the driver cannot send
    a value), else ""."""
    try:
        with conn.begin_nested():
            conn.execute(table.insert().values(**values))
    except sa.exc.DBAPIError as exc:
        return first_line(exc.orig)
    except sa.exc.StatementError as exc:
        return f"a value could not be sent: {first_line(exc.orig)}"
    return ""


def _insert(conn: sa.Connection, table: sa.Table, values: dict[str, Any], what: str, source: str) -> None:
    """One row in its own savepoint; a row the database refuses is a DbError at its doc line."""
    refused = _try_insert(conn, table, values)
    if refused:
        raise DbError(f"{what} was rejected by the database, nothing was seeded: {refused}", span=_span(source), table=table.key)


def _load_account(conn: sa.Connection, metadata: sa.MetaData, account: dict[str, Any], hashers: _Hashers, report: SeedReport) -> None:
    """One generated test account: skipped when present (by its login), else completed and inserted."""
    name = account["table"]
    table = metadata.tables.get(name)
    source = account.get("source", "")
    if table is None:
        raise DbError(f"seed data names table {name}, which the generated models do not have; regenerate the backend", span=_span(source), table=name)
    kinds: dict[str, str] = account.get("columns", {})
    hashed = set(account.get("hashed", []))
    values = {c: (v if c in hashed else to_python(v, kinds.get(c, "string"))) for c, v in account.get("values", {}).items()}
    report.accounts.setdefault(name, 0)
    if _exists(conn, table, values, _identity(table, values, [], hashed)):
        return
    missing = _complete(conn, metadata, table, values, f"{name}:{account.get('role', '')}")
    if missing:
        report.notes.append(f"generated test account {name} ({account.get('role', '')}) left out: no {missing} row to point at")
        return
    for c in hashed:
        opts = account.get("hash", {}).get(c, {})
        values[c] = hashers.hash(str(values[c]), str(opts.get("algorithm", "argon2")), opts.get("rounds"))
    _insert(conn, table, values, f"the generated test account for {name} ({account.get('role', '')})", source)
    report.accounts[name] += 1


# Dates an account needs to be usable today and plausible: a birth date of an adult, an expiry far ahead.
_FAR_FUTURE = dt.date(2099, 12, 31)


# Draws of a generated value for a unique column before the row is tried with the last one.
_UNIQUE_ATTEMPTS = 20


def _unique_alone(table: sa.Table) -> set[str]:
    """Columns whose value alone must be unique: a generated one must be a value no row holds yet."""
    out = {c.name for c in table.columns if c.unique}
    out |= {cons.columns[0].name for cons in table.constraints if isinstance(cons, sa.UniqueConstraint) and len(cons.columns) == 1}
    out |= {ix.columns[0].name for ix in table.indexes if ix.unique and len(ix.expressions) == 1 and len(ix.columns) == 1 and not ix.dialect_options["postgresql"].get("where")}
    return out


def _complete(conn: sa.Connection, metadata: sa.MetaData, table: sa.Table, values: dict[str, Any], seed_key: str) -> str:
    """Fill the required columns an account row (or an example row) lacks, unique where the column is; returns
    the parent table it could not point at, or ""."""
    import random

    from faker import Faker

    from roundtrip.db.fake import ColumnRules, check_rules, fake_value

    rng = random.Random(seed_key)  # str seeds are hashed deterministically (not by PYTHONHASHSEED)
    faker = Faker()
    faker.seed_instance(rng.getrandbits(32))
    for fk in sorted(table.foreign_key_constraints, key=lambda f: [c.name for c in f.columns]):
        if all(c.name in values or c.nullable for c in fk.columns):
            continue
        parent = metadata.tables.get(fk.referred_table.name)
        cols = [parent.c[e.column.name] for e in fk.elements] if parent is not None else []
        first = conn.execute(sa.select(*cols).order_by(*cols).limit(1)).first() if cols else None
        if first is None:
            return fk.referred_table.name
        values.update({c.name: v for c, v in zip(fk.columns, first, strict=True)})
    rules = check_rules(table)
    unique = _unique_alone(table)
    for col in table.columns:
        if col.name in values or col.nullable or col.computed is not None or col is table.autoincrement_column:
            continue
        if not col.primary_key and (col.server_default is not None or col.default is not None):
            continue  # the database's default: an active account, the default role
        if isinstance(col.type, sa.Date) and re.search(r"expir|until|valid_to", col.name):
            values[col.name] = _FAR_FUTURE
        elif isinstance(col.type, sa.Date) and "birth" in col.name:
            values[col.name] = faker.date_between(dt.date(1965, 1, 1), dt.date(1999, 12, 31))
        else:
            values[col.name] = fake_value(col, rules.get(col.name, ColumnRules()), faker, rng)
            for _ in range(_UNIQUE_ATTEMPTS if col.name in unique else 0):
                if not _exists(conn, table, values, [col.name]):
                    break
                values[col.name] = fake_value(col, rules.get(col.name, ColumnRules()), faker, rng)
    return ""
