"""Emit the docs' sample rows as seed data: one JSON file, tables in foreign-key order.

    files = emit_seed(spec)   # {"seed/seed.json": ...}

Values are converted to the column's type at generation time into a canonical JSON spelling
(UUIDs lower-case, timestamps ISO 8601, decimals as strings, JSON documents parsed), so a value
the column cannot hold is reported with its doc line now (`seed_notes`) instead of at load time.
Columns the docs hash at seed time (a TypeScript seed's `password` → `password_hash`) keep their
plain text plus the algorithm to hash it with; `roundtrip db seed` hashes while loading.

Tables the docs give no sample rows get the rows their GET response examples show (emit.seed_examples),
each marked `"example": "GET /books/{bookId}"`; `roundtrip db seed` fills the columns an example lacks.

When a credential table holds no account to log in as, `test_accounts` lists generated development
accounts (emit.seed_accounts), loaded after the docs' rows with their other required columns filled.
An account whose login an example row already holds is that row (`"row"`: it carries the password).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from roundtrip.diagnostics import Diagnostic, Severity, make
from roundtrip.emit.sa_order import row_order, table_order
from roundtrip.emit.seed_accounts import GeneratedAccount, describe, generated_accounts
from roundtrip.emit.seed_examples import ExampleRow, adopt_accounts, example_rows
from roundtrip.emit.seed_values import BadValue, column_kind, convert
from roundtrip.ir import Column, SampleRow, Spec, Table
from roundtrip.source import Span

SEED_PATH = "seed/seed.json"


@dataclass
class _Notes:
    items: list[tuple[str, Span, str, Severity | None]] = field(default_factory=list)

    def add(self, code: str, span: Span, message: str, severity: Severity | None = None) -> None:
        self.items.append((code, span, message, severity))


def hash_algorithm(spec: Spec, column: Column | None) -> tuple[str, int | None]:
    """(bcrypt | argon2, bcrypt rounds) for a column the docs hash at seed time."""
    texts = [str(spec.convention("auth.password_hash") or "")]
    texts += [c.text for c in spec.conventions if c.key.startswith("auth.password")]
    if column is not None:
        texts.append(column.description)
    joined = " ".join(t for t in texts if t).lower()
    algo = "bcrypt" if "bcrypt" in joined else "argon2"
    rounds = None
    if algo == "bcrypt":
        m = re.search(r"(?:cost|rounds?)\s*(?:factor\s*)?(?:of\s*)?(\d{1,2})|(\d{1,2})\s*rounds", joined)
        if m:
            rounds = int(m.group(1) or m.group(2))
    return algo, rounds


def _table_entry(spec: Spec, table: Table, rows: list[SampleRow], notes: _Notes, examples: list[str] | None = None) -> dict[str, Any]:
    """The table's rows as the loader reads them; `examples[i]` names the operation whose response example
    rows[i] comes from (emit.seed_examples), marking it so the loader fills the columns it lacks."""
    used: list[str] = []
    out_rows: list[dict[str, Any]] = []
    hashed_cols: list[str] = []
    for i, row in enumerate(rows):
        values: dict[str, Any] = {}
        for name, raw in row.values:
            col = table.column(name)
            if col is None:
                notes.add("RT215", row.span, f"sample row for {table.name} sets {name!r}, which is not a column of {table.name} ({table.span}); the value is left out of the seed data")
                continue
            if name in row.hashed:
                values[name] = raw if raw is None else str(raw)
                if name not in hashed_cols:
                    hashed_cols.append(name)
            else:
                try:
                    values[name] = convert(raw, col.type)
                except BadValue as bad:
                    notes.add("RT215", row.span, f"sample row for {table.name}: column {name} ({col.type.describe()}): {bad}")
                    values[name] = raw
            if name not in used:
                used.append(name)
        entry: dict[str, Any] = {"source": str(row.span), **({"example": examples[i]} if examples and examples[i] else {}), "values": values}
        if row.hashed:
            entry["hashed"] = [h for h in row.hashed if h in values]
        out_rows.append(entry)
    self_refs = [(fk.columns, fk.ref_columns or table.primary_key) for fk in table.foreign_keys if fk.ref_table == table.name]
    order = row_order([r["values"] for r in out_rows], table.primary_key, self_refs)
    hashing = {}
    for name in hashed_cols:
        algo, rounds = hash_algorithm(spec, table.column(name))
        hashing[name] = {"algorithm": algo, **({"rounds": rounds} if rounds else {})}
    ordered_cols = [c.name for c in table.columns if c.name in used]
    return {
        "table": table.name,
        "source": str(table.span),
        "key": list(table.primary_key),
        "columns": {c: column_kind(table.column(c).type) for c in ordered_cols if table.column(c) is not None},  # type: ignore[union-attr]
        **({"hash": hashing} if hashing else {}),
        "rows": [out_rows[i] for i in order],
    }


def build_seed(spec: Spec) -> tuple[dict[str, Any], list[Diagnostic]]:
    notes = _Notes()
    by_table: dict[str, list[SampleRow]] = {}
    for row in spec.samples:
        if spec.table(row.table) is None:
            notes.add("RT215", row.span, f"sample row for table {row.table}, which the docs never define; left out of the seed data")
            continue
        by_table.setdefault(row.table, []).append(row)
    # tables the docs give no sample rows: the rows their GET response examples show
    examples, left_out = example_rows(spec, set(by_table))
    for span, message in left_out:
        notes.add("RT215", span, message, Severity.INFO)
    accounts = generated_accounts(spec)
    adopted = adopt_accounts(spec, accounts, examples)
    tables, _ = table_order([t for t in spec.tables if t.columns])
    entries = []
    for t in tables:
        if t.name in by_table:
            entries.append(_table_entry(spec, t, by_table[t.name], notes))
        elif t.name in examples:
            rows = examples[t.name]
            entries.append(_table_entry(spec, t, [r.sample() for r in rows], notes, [r.endpoint for r in rows]))
    sources = ", ".join(spec.files) or "(no documents)"
    description = f"Sample rows from the docs: generated by roundtrip from {sources}. Load with `roundtrip db seed OUT`."
    if examples:
        description += (
            " Tables the docs give no sample rows hold the rows their GET response examples show (marked `example`:"
            " the operation; the columns an example does not give are filled when loading)."
        )
    doc: dict[str, Any] = {"x-generated-by": "roundtrip", "description": description, "tables": entries}
    if accounts:
        entries_ = [_account_entry(spec, a, adopted.get(i)) for i, a in enumerate(accounts)]
        doc["test_accounts"] = {"description": describe(accounts), "accounts": entries_}
    diags = [make(code, span, msg, severity=sev) for code, span, msg, sev in notes.items]
    return doc, sorted(diags, key=lambda d: (d.span.file, d.span.line))


def _account_entry(spec: Spec, account: GeneratedAccount, row: ExampleRow | None = None) -> dict[str, Any]:
    """A generated account as the loader inserts it: plain password to hash, the rest filled at load time.
    An account that is an example row (`row`: that row holds its login and password) names the row; the
    loader only inserts it when that row did not go in."""
    table = spec.table(account.table)
    assert table is not None  # generated_accounts only names tables of the spec
    values = dict(account.values)
    if row is not None:  # the row's values are the account's; only what identifies and signs it in stays here
        kept = (account.login_column, account.role_column, account.password_column)
        values = {c: v for c, v in values.items() if c in kept and c}
    values = {c: (v if c == account.password_column else convert(v, table.column(c).type)) for c, v in values.items()}  # type: ignore[union-attr]
    algo, rounds = hash_algorithm(spec, table.column(account.password_column))
    entry: dict[str, Any] = {
        "table": account.table,
        "role": account.role,
        "source": account.source,
        "login": {"method": account.method, "path": account.path, "body": account.body},
        "columns": {c: column_kind(table.column(c).type) for c in values},  # type: ignore[union-attr]
        "values": values,
        "hashed": [account.password_column],
        "hash": {account.password_column: {"algorithm": algo, **({"rounds": rounds} if rounds else {})}},
    }
    if row is not None:
        entry["row"] = str(row.span)
    if account.from_example:
        entry["credentials_from"] = account.from_example
    if account.notes:
        entry["notes"] = account.notes
    return entry


def emit_seed(spec: Spec) -> dict[str, str]:
    """Relative path → content of the seed data file."""
    doc, _ = build_seed(spec)
    return {SEED_PATH: json.dumps(doc, indent=2, ensure_ascii=False) + "\n"}


def seed_notes(spec: Spec) -> list[Diagnostic]:
    """RT215 for sample values the docs' own columns cannot hold, and (info) for example rows left out."""
    return build_seed(spec)[1]
