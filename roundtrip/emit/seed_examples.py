"""Seed rows for tables the docs give no sample rows: the objects their GET response examples show.

The docs' `GET /books/{bookId}` example is book 4412 with its copies 90871 and 90872; `GET /members/me`
is member 58211. A backend that holds those rows answers the docs' other examples about them (checking
out copy 31234001047725 by barcode). So, for each table without sample rows:

- the app model decides which table a GET operation reads (emit.app_model: crud-get, crud-list and the
  caller's own record) and which column backs each field (the docs' field links, else snake_case): the
  get example is one row, a list example's items (inside its envelope, `data`…) are rows;
- an object is a row of that table only when most of its fields are columns (an example the docs share
  between `/members/{id}/loans` and `/fines` is the fines' row, not a loan); fields that are no column
  (`availability`, a copy summary's `dueAt`) are ignored;
- a nested array of objects whose table references the object's (`copies` of a book) gives child rows
  with the parent's key set (copies.book_id = 4412), the child table found as the app's shaping finds it;
- the same primary key in several examples is one row: the fuller object's values win, the others fill in;
- a create's documented request/response pair teaches a natural key: `POST /loans` sends `barcode` (a
  unique column of copies, through loans.copy_id: emit.app_lookups) and answers `copyId: 90871`, so copy
  90871 gets that barcode when no docs' value and no other row has it. Responses of non-GET operations
  are not rows themselves: they document the moment after their request.

A row whose reference names no row of the seed data (a fine for loan 731002, which no example shows), a
value its column cannot hold, a repeated unique value or a missing primary key leaves the row out with a
note at the example's line. Columns the example does not give are filled when the seed is loaded
(roundtrip.db.seeding), like generated accounts.

    rows, notes = example_rows(spec, sampled={"branches"})   # {"books": [ExampleRow(...)], ...}, [(span, text)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roundtrip.emit.app_model import build_model
from roundtrip.emit.openapi import build_openapi
from roundtrip.emit.sa_order import table_order
from roundtrip.emit.seed_accounts import GeneratedAccount
from roundtrip.emit.seed_values import BadValue, convert
from roundtrip.ir import Kind, SampleRow, Spec, Table
from roundtrip.ir.naming import plural, singular, snake
from roundtrip.source import Span

READ_KINDS = ("crud-get", "crud-list", "auth-me")
MAX_DEPTH = 3  # nested child arrays followed, as deep as the app shapes them
_JSONISH = (Kind.JSON, Kind.OBJECT, Kind.MAP, Kind.ANY, Kind.ARRAY, Kind.REF, Kind.UNION)

Notes = list[tuple[Span, str]]


@dataclass
class ExampleRow:
    table: str
    values: dict[str, Any]  # column → the example's value, as written
    typed: dict[str, Any]  # column → the canonical seed value (seed_values.convert)
    span: Span
    endpoint: str  # "GET /books/{bookId}": the operation whose example shows the row
    hashed: list[str] = field(default_factory=list)  # a generated account's password, hashed at load time

    def sample(self) -> SampleRow:
        return SampleRow(self.table, tuple(self.values.items()), tuple(self.hashed), span=self.span)

    def describe(self, table: Table) -> str:
        key = ", ".join(f"{c} {self.typed.get(c)}" for c in table.primary_key)
        return f"{self.table} ({key})" if key else self.table


def example_rows(spec: Spec, sampled: set[str]) -> tuple[dict[str, list[ExampleRow]], Notes]:
    """Rows from GET response examples for every table not in `sampled`, checked against each other."""
    wanted = {t.name for t in spec.tables if t.columns and t.name not in sampled}
    if not wanted:
        return {}, []  # every table has the docs' own rows: nothing to compile the app model for
    doc = build_openapi(spec)
    model = build_model(spec, doc)
    reader = _Reader(spec, doc, model, wanted)
    for op in model["operations"].values():
        if op.get("method") == "GET" and op.get("kind") in READ_KINDS and spec.table(op.get("table") or ""):
            reader.read(op)
    rows = reader.merged()
    _learn_natural_keys(spec, model, rows)
    return _checked(spec, rows, sampled, reader.notes)


# ---------------------------------------------------------------------------------------------
# reading examples
# ---------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, spec: Spec, doc: dict[str, Any], model: dict[str, Any], wanted: set[str]) -> None:
        self.spec, self.doc, self.wanted = spec, doc, wanted
        self.links: dict[str, Any] = model.get("schema_links") or {}
        # (example line, position in it) → (fit, rows, notes): an example two operations share (the docs show
        # one for `/members/{id}/loans`, `/holds` and `/fines`) is read as the table it fits best
        self._best: dict[tuple[str, int], tuple[float, list[ExampleRow], Notes]] = {}

    @property
    def notes(self) -> Notes:
        return [note for _, _, notes in self._best.values() for note in notes]

    def read(self, op: dict[str, Any]) -> None:
        ep = self.spec.endpoint(op["method"], op["path"])
        bodies = [r.body for r in (ep.responses if ep else ()) if r.status == op.get("success") and r.body is not None]
        if not bodies or not bodies[0].has_example:
            return
        body, table = bodies[0], self.spec.table(op["table"])
        assert table is not None  # example_rows only reads operations on the spec's tables
        ex = body.example
        if op["kind"] == "crud-list":
            lst = op.get("list") or {}
            items = ex if isinstance(ex, list) else ex.get(lst.get("items_key") or "data") if isinstance(ex, dict) else None
            objects, schema = (items if isinstance(items, list) else []), lst.get("item_schema")
        else:
            objects, schema = [ex], op.get("response")
        fields = {**self._link_fields(schema, table.name), **(op.get("fields") or {})}
        for i, obj in enumerate(objects):
            if not isinstance(obj, dict):
                continue
            rows: list[ExampleRow] = []
            notes: Notes = []
            fit, _ = self._object(table, obj, schema, fields, _Place(body.span, _op_key(op), rows, notes), 0)
            key = (str(body.span), i)
            if fit > self._best.get(key, (0.0, [], []))[0]:
                self._best[key] = (fit, rows, notes)

    def merged(self) -> dict[str, list[ExampleRow]]:
        """The rows of every example, one per primary key: the fullest object's values, filled in by the others."""
        by_key: dict[tuple[str, tuple[Any, ...]], list[ExampleRow]] = {}
        for _, rows, _ in self._best.values():
            for row in rows:
                table = self.spec.table(row.table)
                assert table is not None
                by_key.setdefault((row.table, tuple(row.typed.get(c) for c in table.primary_key)), []).append(row)
        out: dict[str, list[ExampleRow]] = {}
        for (name, _), group in by_key.items():
            fullest = sorted(group, key=lambda r: -len(r.values))  # stable: the first of equals stays first
            row = fullest[0]
            for other in fullest[1:]:
                for col, value in other.values.items():
                    if col not in row.values:
                        row.values[col], row.typed[col] = value, other.typed[col]
            out.setdefault(name, []).append(row)
        return out

    def _link_fields(self, schema: Any, table: str) -> dict[str, str]:
        """API field → column of the docs' schema link, when the schema is linked to this table."""
        link = self.links.get(_ref_name(schema) or "")
        return dict(link["fields"]) if link and link.get("table") == table else {}

    def _object(
        self, table: Table, obj: dict[str, Any], schema: Any, fields: dict[str, str], at: _Place, depth: int, fixed: dict[str, tuple[Any, Any]] | None = None
    ) -> tuple[float, ExampleRow | None]:
        """The object as a row of `table` (added to `at.rows` when the table wants rows) and its children's rows;
        with the share of the object's fields that are columns of `table` (0: it is not a row of it)."""
        values: dict[str, Any] = {}
        nested: list[tuple[str, list[Any]]] = []
        total = 0
        for name, value in obj.items():
            col = table.column(fields.get(name) or snake(name))
            if col is not None and col.name in (fixed or {}):
                continue  # the parent's key, set below
            if col is not None and not col.generated and (not _structured(value) or col.type.kind in _JSONISH):
                values[col.name] = value
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                nested.append((name, value))
                continue
            total += 1
        fit = len(values) / total if total else 0.0
        if fit <= 0.5:
            return 0.0, None  # mostly fields that are no column: not a row of this table
        typed: dict[str, Any] = {}
        for name, value in values.items():
            col = table.column(name)
            assert col is not None
            try:
                typed[name] = convert(value, col.type)
            except BadValue as bad:
                key = ", ".join(f"{c} {values[c]}" for c in table.primary_key if c in values)
                what = f"{table.name} ({key})" if key else table.name
                at.notes.append((at.span, f"example row for {what} left out of the seed data: column {name} ({col.type.describe()}): {bad}"))
                return fit, None
        for name, (value, canonical) in (fixed or {}).items():
            values[name], typed[name] = value, canonical
        if not table.primary_key or any(typed.get(c) is None for c in table.primary_key):
            if table.name in self.wanted:
                at.notes.append((at.span, f"example object for {table.name} gives no {', '.join(table.primary_key) or 'primary key'}; left out of the seed data"))
            return fit, None
        row = ExampleRow(table.name, values, typed, at.span, at.endpoint)
        if table.name in self.wanted:
            at.rows.append(row)
        if depth < MAX_DEPTH:
            for name, items in nested:
                self._children(table, row, name, items, _property(self.doc, schema, name), at, depth)
        return fit, row

    def _children(self, parent: Table, row: ExampleRow, name: str, items: list[Any], prop: Any, at: _Place, depth: int) -> None:
        """Rows of the child table an array of objects belongs to, their reference set to the parent row."""
        item_schema = _resolve(self.doc, prop).get("items") if prop is not None else None
        found = self._child_table(parent, name, item_schema)
        if found is None:
            return
        child, fk_col, ref_col = found
        col = child.column(fk_col)
        if col is None or row.typed.get(ref_col) is None:
            return
        try:
            fixed = {fk_col: (row.values[ref_col], convert(row.typed[ref_col], col.type))}
        except BadValue:
            return
        fields = self._link_fields(item_schema, child.name)
        for item in items:
            self._object(child, item, item_schema, fields, at, depth + 1, fixed)

    def _child_table(self, parent: Table, name: str, items: Any) -> tuple[Table, str, str] | None:
        """(child table, its foreign key column, the parent's column it references): the table the items' schema
        is linked to, else `<parent>_<name>`, `<name>` (as the app's shaping finds a child table, appkit.records)."""
        base = snake(name)
        linked = (self.links.get(_ref_name(items) or "") or {}).get("table")
        for cand in dict.fromkeys(c for c in (linked, f"{singular(parent.name)}_{base}", base, plural(base)) if c):
            child = self.spec.table(cand)
            if child is None or child.name == parent.name:
                continue
            for fk in child.foreign_keys:
                if fk.ref_table == parent.name and len(fk.columns) == 1:
                    ref = fk.ref_columns[0] if fk.ref_columns else (parent.primary_key[0] if parent.primary_key else "")
                    return (child, fk.columns[0], ref) if ref else None
        return None


@dataclass
class _Place:
    """Where the rows of one example object go: its line, its operation, the rows and notes it gives."""

    span: Span
    endpoint: str
    rows: list[ExampleRow]
    notes: Notes


def _op_key(op: dict[str, Any]) -> str:
    return f"{op['method']} {op['path']}"


def _structured(value: Any) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict | list) for v in value))


def _ref_name(schema: Any) -> str | None:
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    return None


def _resolve(doc: dict[str, Any], schema: Any) -> dict[str, Any]:
    for _ in range(16):
        name = _ref_name(schema)
        if name is None:
            break
        schema = doc.get("components", {}).get("schemas", {}).get(name, {})
    return schema if isinstance(schema, dict) else {}


def _property(doc: dict[str, Any], schema: Any, name: str) -> Any:
    return _resolve(doc, schema).get("properties", {}).get(name)


# ---------------------------------------------------------------------------------------------
# natural keys from a create's documented request and response
# ---------------------------------------------------------------------------------------------


def _learn_natural_keys(spec: Spec, model: dict[str, Any], rows: dict[str, list[ExampleRow]]) -> None:
    """`POST /loans {"barcode": …}` answered `{"copyId": 90871}`: copy 90871's barcode (app_lookups decides
    which fields are natural keys)."""
    for op in model["operations"].values():
        ep = spec.endpoint(op.get("method", ""), op.get("path", ""))
        if not op.get("natural_keys") or ep is None or ep.request is None or not isinstance(ep.request.example, dict):
            continue
        answer = next((r.body.example for r in ep.responses if r.status == op.get("success") and r.body is not None and r.body.has_example), None)
        if not isinstance(answer, dict):
            continue
        fields = op.get("fields") or {}
        for lookup in op["natural_keys"]:
            named = next((v for k, v in answer.items() if (fields.get(k) or snake(k)) == lookup["column"]), None)
            _set_natural_key(spec, rows.get(lookup["table"], []), lookup, named, ep.request.example.get(lookup["field"]))


def _set_natural_key(spec: Spec, rows: list[ExampleRow], lookup: dict[str, Any], ref_value: Any, key_value: Any) -> None:
    table = spec.table(lookup["table"])
    ref_col = table.column(lookup["ref"]) if table else None
    key_col = table.column(lookup["key"]) if table else None
    if ref_col is None or key_col is None or ref_value is None or key_value is None:
        return
    try:
        ref, key = convert(ref_value, ref_col.type), convert(key_value, key_col.type)
    except BadValue:
        return
    row = next((r for r in rows if r.typed.get(ref_col.name) == ref), None)
    if row is None or row.typed.get(key_col.name) is not None or any(r.typed.get(key_col.name) == key for r in rows):
        return  # no such example row, a value the docs give, or a value another row holds
    row.values[key_col.name], row.typed[key_col.name] = key_value, key


# ---------------------------------------------------------------------------------------------
# checks: references, unique values
# ---------------------------------------------------------------------------------------------


def _checked(spec: Spec, rows: dict[str, list[ExampleRow]], sampled: set[str], notes: Notes) -> tuple[dict[str, list[ExampleRow]], Notes]:
    """The rows whose references name seeded rows and whose unique values are their own, parents first
    (a row left out takes the rows that reference it along)."""
    kept: dict[str, list[ExampleRow]] = {}
    ordered, _ = table_order([t for t in spec.tables if t.columns])
    for i, table in enumerate(ordered):
        # a parent checked already: its kept rows; one later in a cycle of references: all its example rows
        known = {t.name: kept.get(t.name, []) for t in ordered[:i]} | {t.name: rows.get(t.name, []) for t in ordered[i:]}
        survivors: list[ExampleRow] = []
        seen: dict[tuple[str, ...], dict[tuple[Any, ...], ExampleRow]] = {}
        for row in rows.get(table.name, []):
            why = _dangling(spec, table, row, known, sampled)
            if not why:
                why = _repeated(table, row, seen)
            if why:
                notes.append((row.span, f"example row for {row.describe(table)} left out of the seed data: {why}"))
                continue
            survivors.append(row)
        if survivors:
            kept[table.name] = survivors
    return kept, notes


def _dangling(spec: Spec, table: Table, row: ExampleRow, rows: dict[str, list[ExampleRow]], sampled: set[str]) -> str:
    """Why the row cannot be seeded because a reference it gives names no row of the seed data, or ""."""
    for fk in table.foreign_keys:
        value = tuple(row.typed.get(c) for c in fk.columns)
        if any(v is None for v in value):
            continue  # not given: NULL, or filled when loading
        parent = spec.table(fk.ref_table)
        refs = fk.ref_columns or (parent.primary_key if parent else ())
        if parent is None or not refs:
            continue
        if fk.ref_table in sampled:
            known: set[tuple[Any, ...]] | None = sample_keys(spec, parent, refs)
        else:
            known = {tuple(r.typed.get(c) for c in refs) for r in rows.get(fk.ref_table, [])}
        if known is not None and value not in known:
            shown = ", ".join(str(v) for v in value)
            return f"its {', '.join(fk.columns)} {shown} names no {fk.ref_table} row (no sample row or example has it)"
    return ""


def sample_keys(spec: Spec, table: Table, refs: tuple[str, ...]) -> set[tuple[Any, ...]] | None:
    """The values of `refs` the docs' sample rows of `table` hold; None when they cannot be told. Rows without
    their generated integer key get 1, 2, … in load order, as a fresh database numbers them."""
    rows = [r.as_dict() for r in spec.samples if r.table == table.name]
    out: set[tuple[Any, ...]] = set()
    missing = 0
    for values in rows:
        if not all(c in values for c in refs):
            missing += 1
            continue
        try:
            out.add(tuple(convert(values[c], table.column(c).type) for c in refs))  # type: ignore[union-attr]
        except (BadValue, AttributeError):
            return None
    if not missing:
        return out
    col = table.column(refs[0]) if len(refs) == 1 else None
    numbered = col is not None and table.primary_key == refs and col.type.kind is Kind.INTEGER and (col.autoincrement or col.default is None)
    return {(i,) for i in range(1, len(rows) + 1)} if numbered and not out else None


def unique_keys(table: Table) -> list[tuple[str, ...]]:
    """The column sets whose values no two rows share (primary key, UNIQUE columns and keys, full unique indexes)."""
    keys = [table.primary_key] if table.primary_key else []
    keys += [(c.name,) for c in table.columns if c.unique]
    keys += [u.columns for u in table.uniques]
    for ix in table.indexes:
        if ix.unique and not ix.where and all(e.column and not e.expression for e in ix.elements):
            keys.append(tuple(e.column for e in ix.elements))
    return list(dict.fromkeys(k for k in keys if k))


def _repeated(table: Table, row: ExampleRow, seen: dict[tuple[str, ...], dict[tuple[Any, ...], ExampleRow]]) -> str:
    for key in unique_keys(table):
        value = tuple(row.typed.get(c) for c in key)
        if any(v is None for v in value):
            continue
        other = seen.setdefault(key, {}).get(value)
        if other is not None:
            return f"its {', '.join(key)} {', '.join(str(v) for v in value)} is the row's at {other.span} too"
    for key in unique_keys(table):
        value = tuple(row.typed.get(c) for c in key)
        if all(v is not None for v in value):
            seen[key][value] = row
    return ""


# ---------------------------------------------------------------------------------------------
# generated test accounts that are example rows
# ---------------------------------------------------------------------------------------------


def adopt_accounts(spec: Spec, accounts: list[GeneratedAccount], rows: dict[str, list[ExampleRow]]) -> dict[int, ExampleRow]:
    """{account index: the example row it becomes}: an example row already holding a generated account's login
    (member 58211 holds card 21234000582113, the docs' login example) is that account, with its password,
    instead of a second row with the same unique value."""
    out: dict[int, ExampleRow] = {}
    for i, account in enumerate(accounts):
        table = spec.table(account.table)
        col = table.column(account.login_column) if table is not None and account.login else None
        if col is None:
            continue
        try:
            login = convert(account.login, col.type)
        except BadValue:
            continue
        row = next((r for r in rows.get(account.table, []) if r.typed.get(col.name) == login), None)
        if row is None or row.hashed or i in out:
            continue
        role_col = account.role_column
        if role_col and row.typed.get(role_col) not in (None, account.role):
            account.notes.append(f"the docs' example row at {row.span} holds this login: it signs in as {row.typed[role_col]}")
        elif role_col:
            row.values[role_col] = row.typed[role_col] = account.role
        row.values[account.password_column] = row.typed[account.password_column] = account.password
        row.hashed = [account.password_column]
        out[i] = row
    return out
