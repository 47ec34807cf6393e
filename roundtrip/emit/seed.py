"""Emit the docs' sample rows as seed data: one JSON file, tables in foreign-key order.

    files = emit_seed(spec)   # {"seed/seed.json": ...}

Values are converted to the column's type at generation time into a canonical JSON spelling
(UUIDs lower-case, timestamps ISO 8601, decimals as strings, JSON documents parsed), so a value
the column cannot hold is reported with its doc line now (`seed_notes`) instead of at load time.
Columns the docs hash at seed time (a TypeScript seed's `password` → `password_hash`) keep their
plain text plus the algorithm to hash it with; `roundtrip db seed` hashes while loading.

When a credential table holds no account to log in as, `test_accounts` lists generated development
accounts (emit.seed_accounts), loaded after the docs' rows with their other required columns filled.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from roundtrip.diagnostics import Diagnostic, make
from roundtrip.emit.sa_order import row_order, table_order
from roundtrip.emit.seed_accounts import GeneratedAccount, describe, generated_accounts
from roundtrip.ir import Column, Kind, SampleRow, Spec, Table, TypeRef
from roundtrip.source import Span

SEED_PATH = "seed/seed.json"


class _Bad(ValueError):
    """A sample value the column cannot hold."""


@dataclass
class _Notes:
    items: list[tuple[str, Span, str]] = field(default_factory=list)

    def add(self, code: str, span: Span, message: str) -> None:
        self.items.append((code, span, message))


def column_kind(t: TypeRef) -> str:
    """The conversion family the loader applies to a JSON value of this column."""
    k = t.kind
    if k is Kind.ARRAY:
        return "array:" + column_kind(t.items or TypeRef(Kind.STRING))
    if k is Kind.DATETIME:
        return "datetime-tz" if t.timezone else "datetime"
    if k in (Kind.OBJECT, Kind.MAP, Kind.REF, Kind.UNION, Kind.ANY):
        return "json"
    if k in (Kind.LITERAL, Kind.INET):
        return "string"
    return k.value


def _parse_datetime(text: str) -> dt.datetime:
    s = text.strip().replace(" ", "T", 1)
    s = re.sub(r"Z$", "+00:00", s)
    s = re.sub(r"([+-]\d{2})$", r"\1:00", s)  # PostgreSQL's short offset: +00
    try:
        return dt.datetime.fromisoformat(s)
    except ValueError as exc:
        raise _Bad(f"{text!r} is not a timestamp") from exc


def convert(value: Any, t: TypeRef) -> Any:
    """A sample value as the canonical JSON value for a column of type `t` (raises _Bad)."""
    if value is None:
        return None
    k = t.kind
    if k is Kind.UUID:
        try:
            return str(uuid.UUID(str(value)))
        except ValueError as exc:
            raise _Bad(f"{value!r} is not a UUID") from exc
    if k is Kind.INTEGER:
        if isinstance(value, bool) or not re.fullmatch(r"[-+]?\d+", str(value).strip()):
            raise _Bad(f"{value!r} is not an integer")
        return int(str(value).strip())
    if k is Kind.FLOAT:
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise _Bad(f"{value!r} is not a number") from exc
    if k is Kind.DECIMAL:
        try:
            d = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation as exc:
            raise _Bad(f"{value!r} is not a decimal number") from exc
        if t.precision is not None and t.scale is not None and d == d.quantize(decimal.Decimal(1).scaleb(-t.scale)):
            d = d.quantize(decimal.Decimal(1).scaleb(-t.scale))
        return str(d)
    if k is Kind.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "t", "yes", "y", "on"):
            return True
        if text in ("0", "false", "f", "no", "n", "off"):
            return False
        raise _Bad(f"{value!r} is not a boolean")
    if k is Kind.DATETIME:
        parsed = _parse_datetime(str(value))
        if t.timezone and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)  # the docs' naive timestamps are UTC
        if not t.timezone and parsed.tzinfo is not None:
            parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
        return parsed.isoformat()
    if k is Kind.DATE:
        try:
            return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError as exc:
            raise _Bad(f"{value!r} is not a date") from exc
    if k is Kind.TIME:
        try:
            return dt.time.fromisoformat(str(value).strip()).isoformat()
        except ValueError as exc:
            raise _Bad(f"{value!r} is not a time of day") from exc
    if k is Kind.ARRAY:
        items = value
        if isinstance(value, str):
            items = _parse_array_text(value)
        if not isinstance(items, list):
            raise _Bad(f"{value!r} is not an array")
        return [convert(v, t.items or TypeRef(Kind.STRING)) for v in items]
    if k in (Kind.JSON, Kind.OBJECT, Kind.MAP, Kind.REF, Kind.UNION, Kind.ANY):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value  # a JSON string scalar
        return value
    if k is Kind.ENUM and t.values and str(value) not in t.values:
        raise _Bad(f"{value!r} is not one of {', '.join(t.values)}")
    if k is Kind.STRING and t.length is not None and len(str(value)) > t.length:
        raise _Bad(f"{str(value)[:40]!r} is {len(str(value))} characters; the column holds {t.length}")
    if isinstance(value, bool | int | float | str):
        return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    return json.dumps(value, sort_keys=True)


def _parse_array_text(text: str) -> Any:
    s = text.strip()
    if s.startswith("["):
        try:
            return json.loads(s)
        except ValueError as exc:
            raise _Bad(f"{text!r} is not a JSON array") from exc
    if s.startswith("{") and s.endswith("}"):  # PostgreSQL array literal: {a,b,"c d"}
        inner = s[1:-1].strip()
        if not inner:
            return []
        return [p.strip().strip('"') for p in re.findall(r'"(?:[^"\\]|\\.)*"|[^,]+', inner)]
    raise _Bad(f"{text!r} is not an array")


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


def _table_entry(spec: Spec, table: Table, rows: list[SampleRow], notes: _Notes) -> dict[str, Any]:
    used: list[str] = []
    out_rows: list[dict[str, Any]] = []
    hashed_cols: list[str] = []
    for row in rows:
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
                except _Bad as bad:
                    notes.add("RT215", row.span, f"sample row for {table.name}: column {name} ({col.type.describe()}): {bad}")
                    values[name] = raw
            if name not in used:
                used.append(name)
        entry: dict[str, Any] = {"source": str(row.span), "values": values}
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
    tables, _ = table_order([t for t in spec.tables if t.columns])
    entries = [_table_entry(spec, t, by_table[t.name], notes) for t in tables if t.name in by_table]
    sources = ", ".join(spec.files) or "(no documents)"
    doc: dict[str, Any] = {
        "x-generated-by": "roundtrip",
        "description": f"Sample rows from the docs: generated by roundtrip from {sources}. Load with `roundtrip db seed OUT`.",
        "tables": entries,
    }
    accounts = generated_accounts(spec)
    if accounts:
        doc["test_accounts"] = {"description": describe(accounts), "accounts": [_account_entry(spec, a) for a in accounts]}
    diags = [make(code, span, msg) for code, span, msg in notes.items]
    return doc, sorted(diags, key=lambda d: (d.span.file, d.span.line))


def _account_entry(spec: Spec, account: GeneratedAccount) -> dict[str, Any]:
    """A generated account as the loader inserts it: plain password to hash, the rest filled at load time."""
    table = spec.table(account.table)
    assert table is not None  # generated_accounts only names tables of the spec
    values = {c: (v if c == account.password_column else convert(v, table.column(c).type)) for c, v in account.values.items()}  # type: ignore[union-attr]
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
    """RT215 for sample values the docs' own columns cannot hold."""
    return build_seed(spec)[1]
