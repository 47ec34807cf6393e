"""Rows in, documented JSON out (and nested JSON in, child rows out).

A response is shaped by its schema, property by property:
1. a column backs the property (the docs' field↔column link, else the snake_case name);
2. an object property whose `<name>_id` column is a foreign key: the referenced row, shaped by the
   nested schema (`author` from `author_id` → users);
3. an array property whose items are a linked schema of a child table (`ingredients` →
   recipe_ingredients, with fields missing from the child row looked up through the child's other
   foreign keys: `name` from ingredients), or reached through a join table (`labelIds`, `labels`);
4. `<child>Count` and `average<Column>` over a child table's live rows (`reviewCount`, `averageRating`);
5. otherwise, when the schema requires it, a value generated from the schema.
"""

from __future__ import annotations

import contextvars
import functools
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .derived import composed
from .store import TableInfo, coerce, typed_value

if TYPE_CHECKING:
    from .runtime import Kit

# Rows fetched by key during one request (authors, ingredients shared by the rows of a list page).
request_rows: contextvars.ContextVar[dict[tuple[Any, ...], Any] | None] = contextvars.ContextVar("request_rows", default=None)
# Child rows and aggregates of a whole list page, read with one query per property (`shape_many`), by the
# query's key and the parent's key: what would otherwise be one query per row of the page.
page_batch: contextvars.ContextVar[dict[tuple[Any, ...], dict[Any, Any]] | None] = contextvars.ContextVar("page_batch", default=None)

# The tables the current write request has written so far (INSERT/UPDATE/DELETE targets, "*" for a statement
# that may write anything: text SQL, DDL), noted by `note_writes` on every statement; None outside writes.
request_writes: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("request_writes", default=None)

MAX_STATEMENTS = 4096
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


@functools.lru_cache(maxsize=4096)
def snake(name: str) -> str:
    return _CAMEL.sub(r"_\1", name).replace("-", "_").lower()


def note_writes(conn: Any, clause: Any, *args: Any) -> None:
    """SQLAlchemy's `before_execute` hook: the target table of a write into `request_writes`."""
    written = request_writes.get()
    if written is None:
        return
    if getattr(clause, "is_dml", False) and isinstance(getattr(clause, "table", None), sa.Table):
        written.add(clause.table.name)
    elif not getattr(clause, "is_select", False):
        written.add("*")


@dataclass(frozen=True)
class Fresh:
    """A row the request has just inserted: what shaping it may take as known instead of reading it.
    - `written`: the tables the request wrote (`request_writes`); any other table holds no row referencing
      the new one (its key did not exist before): its child arrays are empty, its aggregates those of none;
    - `known`: rows the request read before writing (the caller's account row), still current where their
      table is not among `written`: an `author` that is the caller is not read again."""

    written: frozenset[str]
    known: tuple[tuple[TableInfo, Mapping[str, Any]], ...] = ()

    def untouched(self, *tables: str | None) -> bool:
        return "*" not in self.written and not any(t in self.written for t in tables if t)


def camel(name: str) -> str:
    """`due_date` → `dueDate`: the API name of a column the docs link no field to."""
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if re.search(r"(sses|xes|zes|ches|shes)$", word):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def id_column_for(name: str, child: TableInfo, parent_fk: str) -> str | None:
    """The child column behind an array of scalars: `labelIds` → task_labels.label_id."""
    base = snake(name)
    if base.endswith("_ids") and base[:-1] in child.table.c:
        return base[:-1]
    others = [c for c in child.fks if c != parent_fk]
    return others[0] if len(others) == 1 else None


@dataclass(frozen=True, slots=True)
class Step:
    """How `Records.shape` fills one property of an object schema."""

    name: str
    prop: Any
    kind: str  # Schemas.kind of the property
    column: str  # the column that backs it (the docs' field link, else the snake_case name)
    required: bool
    nullable: bool
    from_column: bool  # the row's `column` value is the property's value, when the row has that column
    composed: bool  # derived.py composes it from the row and the rows it references


@dataclass(frozen=True, slots=True)
class Widening:
    """A child row's foreign key whose referenced row's columns `_widen` adds to it, read by a LEFT JOIN: in
    the joined row, the referenced table's columns follow the child's own (and those of earlier joins)."""

    column: str  # the child's foreign key column
    table: str  # the referenced table
    target_column: str  # the referenced column
    names: tuple[str, ...]  # the referenced table's columns, in the joined row's order
    key_index: int  # the referenced column's place among `names` (NULL there: no referenced row)


@dataclass(frozen=True, slots=True)
class ShapePlan:
    steps: tuple[Step, ...]
    fields: Mapping[str, str]  # the field links the steps were decided with


class Records:
    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.schemas = kit.schemas
        # Statements built once and executed with bound values: building a SELECT costs more than running it.
        self._stmts: dict[tuple[Any, ...], Any] = {}
        # (table, property) → how a child table computes it, or None (the tables never change)
        self._aggregate_plans: dict[tuple[str, str], tuple[str, TableInfo, str, str | None] | None] = {}
        # (table, property, linked table) → the child table behind an array property (see child_table)
        self._child_tables: dict[tuple[str, str, str | None], tuple[TableInfo, str, str | None] | None] = {}
        # (child table, its fk to the parent) → the joins that widen its rows (see _widening)
        self._widenings: dict[tuple[str, str], tuple[Widening, ...]] = {}
        # (table, id(schema), id(fields)) → (schema, fields, ShapePlan): how `shape` fills each property
        self._plans: dict[tuple[Any, ...], tuple[Any, Any, ShapePlan | None]] = {}

    def statement(self, key: tuple[Any, ...], build: Any) -> Any:
        """The statement built for `key` (once; SQLAlchemy then reuses its compiled form as well)."""
        stmt = self._stmts.get(key)
        if stmt is None:
            if len(self._stmts) >= MAX_STATEMENTS:
                self._stmts.clear()  # list queries are keyed by what the request filters and sorts by: bound them
            stmt = self._stmts[key] = build()
        return stmt

    # -----------------------------------------------------------------------------------------
    # reading
    # -----------------------------------------------------------------------------------------

    def fetch(self, conn: sa.Connection, info: TableInfo, column: str, value: Any, live: bool = True) -> dict[str, Any] | None:
        t = info.table
        try:
            key = coerce(value, t.c[column])
        except (ValueError, TypeError):
            return None
        cache = request_rows.get()
        ckey = (info.name, column, live, key)
        if cache is not None and ckey in cache:
            return dict(cache[ckey]) if cache[ckey] is not None else None
        stmt = self.statement(
            ("fetch", info.name, column, live),
            lambda: sa.select(t).where(t.c[column] == sa.bindparam("key")).where(info.live() if live else sa.true()).limit(1),
        )
        row = conn.execute(stmt, {"key": key}).mappings().first()
        found = dict(row) if row is not None else None
        if cache is not None and not live:  # only rows read for display; live reads guard writes
            cache[ckey] = found
        return dict(found) if found is not None else None

    def fetch_many(self, conn: sa.Connection, info: TableInfo, column: str, values: list[Any], live: bool = True) -> dict[Any, dict[str, Any] | None]:
        """`fetch` for many values with one query: {the value as the column binds it: row or None}. None and
        values the column cannot bind are left out (fetch finds nothing for them either)."""
        t = info.table
        cache = request_rows.get()
        found: dict[Any, dict[str, Any] | None] = {}
        missing: dict[Any, None] = {}  # in order, once each
        col = t.c[column]
        for value in values:
            key = _bound(value, col)
            if key is None or key in found or key in missing:
                continue
            ckey = (info.name, column, live, key)
            if cache is not None and ckey in cache:
                found[key] = dict(cache[ckey]) if cache[ckey] is not None else None
            else:
                missing[key] = None
        if len(missing) == 1:
            key = next(iter(missing))
            found[key] = self.fetch(conn, info, column, key, live)
        elif missing:
            count = len(missing)
            stmt = self.statement(
                ("fetch_many", info.name, column, live, _slots(count)),
                lambda: sa.select(t).where(_keys_clause(t.c[column], count)).where(info.live() if live else sa.true()),
            )
            got: dict[Any, dict[str, Any]] = {}
            for r in conn.execute(stmt, _keys_params(missing)).mappings():
                got.setdefault(r[column], dict(r))
            for key in missing:
                # a key the database answers with a differently typed value is looked up on its own
                found[key] = dict(got[key]) if key in got else self.fetch(conn, info, column, key, live)
                if cache is not None and not live:
                    cache[(info.name, column, live, key)] = found[key]
        return found

    def first_where(self, conn: sa.Connection, info: TableInfo, conditions: list[tuple[str, Any]]) -> dict[str, Any] | None:
        """The first live row where every (column, value) holds (a None value: IS NULL), with a statement
        built once per table and set of columns."""
        t = info.table
        shape = tuple((column, value is None) for column, value in conditions)

        def build() -> Any:
            stmt = sa.select(t).where(info.live())
            for i, (column, is_null) in enumerate(shape):
                stmt = stmt.where(t.c[column].is_(None) if is_null else t.c[column] == sa.bindparam(f"w{i}"))
            return stmt.limit(1)

        stmt = self.statement(("first_where", info.name, shape), build)
        params = {f"w{i}": value for i, (_, value) in enumerate(conditions) if value is not None}
        row = conn.execute(stmt, params).mappings().first()
        return dict(row) if row is not None else None

    def shape(
        self,
        conn: sa.Connection,
        info: TableInfo | None,
        row: Mapping[str, Any],
        schema: Any,
        fields: Mapping[str, str] | None = None,
        depth: int = 0,
    ) -> Any:
        plan = self.plan(info, schema, fields)
        if plan is None:  # not an object: a union of object variants, or a scalar / free-form value
            s = self.schemas
            kind = s.kind(schema)
            variant = self._best_variant(schema, row, fields or {})
            if variant is not None:
                return self.shape(conn, info, row, variant, fields, depth)
            return s.to_json(dict(row), schema) if kind == "any" else s.fake(schema)
        out: dict[str, Any] = {}
        for step in plan.steps:
            if step.composed:
                assert info is not None
                found, value = composed(self, conn, info, row, step.name)  # `key` of a task: `WEB-4` (derived.py)
                if found:
                    out[step.name] = value
                    continue
            if step.from_column and step.column in row:
                # what the database holds (None too, even where an example-inferred schema says non-null)
                out[step.name] = self._json(row[step.column], step)
                continue
            if info is not None and depth <= 3 and step.kind in ("object", "array", "integer", "number"):
                found, value = self._related(conn, info, row, step, depth)
                if found:
                    out[step.name] = value
                    continue
            if step.required:
                out[step.name] = None if step.nullable else self.generated(info, step.name, step.prop, plan.fields)
        return out

    def plan(self, info: TableInfo | None, schema: Any, fields: Mapping[str, str] | None) -> ShapePlan | None:
        """How `shape` fills each property of an object schema for rows of `info` (None: not an object schema).
        Decided once per table, schema and field links: per row only the values are looked at."""
        key = (info.name if info is not None else None, id(schema), id(fields) if fields else 0)
        hit = self._plans.get(key)
        if hit is not None and hit[0] is schema and hit[1] is (fields or None):
            return hit[2]
        s = self.schemas
        plan = None
        if s.kind(schema) == "object":
            used = fields or self.kit.schema_fields(schema)
            props, required = s.properties(schema)
            derived = ((self.kit.model.get("derived") or {}).get(info.name) or {}) if info is not None else {}
            steps = []
            for name, prop in props.items():
                kind = s.kind(prop)
                column = used.get(name) or snake(name)
                steps.append(
                    Step(
                        name,
                        prop,
                        kind,
                        column,
                        name in required,
                        s.nullable(prop),
                        # an object property over a foreign key column is the referenced row, not the key
                        not (kind == "object" and info is not None and column in info.fks),
                        kind == "string" and bool(derived.get(name)),
                    )
                )
            plan = ShapePlan(tuple(steps), used)
        if len(self._plans) >= MAX_STATEMENTS:
            self._plans.clear()  # schemas handed in by overrides could be new objects every request: bound them
        self._plans[key] = (schema, fields or None, plan)  # holds both objects: their ids stay theirs
        return plan

    def _json(self, value: Any, step: Step) -> Any:
        """`Schemas.to_json` for a column value, with the common types (text, integers, UUIDs) answered inline."""
        t = type(value)
        if t is str or value is None:
            return value
        if t is int:
            return str(value) if step.kind == "string" else bool(value) if step.kind == "boolean" else value
        if t is uuid.UUID:
            return str(value)
        if step.kind == "object" and isinstance(value, Mapping):
            return self.schemas.to_json(dict(value), step.prop)
        return self.schemas.to_json(value, step.prop)

    def generated(self, info: TableInfo | None, name: str, prop: Any, fields: Mapping[str, str] | None = None) -> Any:
        """A value for a required property nothing filled: typed by its backing column where there is one
        (a uuid column gives a UUID, a timestamp column a timestamp, even where the docs' schema only says
        `string` or `number`), else generated from the schema and the property's name."""
        s = self.schemas
        column = info.table.c.get((fields or {}).get(name) or snake(name)) if info is not None else None
        kind = s.kind(prop)
        if column is not None and kind in ("string", "integer", "number") and not s.non_null(prop).get("enum"):
            value = s.to_json(typed_value(column), prop)
            if value is not None and (kind == "string") == isinstance(value, str) and not isinstance(value, bool):
                return value
        return s.fake(prop, name)

    def _best_variant(self, schema: Any, row: Mapping[str, Any], fields: Mapping[str, str]) -> Any:
        """For a union response (`oneOf` of an instructor's and a student's view), the object variant whose
        properties the row fills best. Ties: for `anyOf` the first, as the docs list them; for `oneOf` the
        smaller variant, since a body shaped by a variant that extends another also matches that other one,
        and `oneOf` wants exactly one match."""
        s = self.schemas.non_null(schema)
        exclusive = bool(s.get("oneOf"))
        variants = [v for v in (s.get("oneOf") or s.get("anyOf") or []) if self.schemas.kind(v) == "object"]
        best, best_score = None, (-1, 0)
        for v in variants:
            props, _ = self.schemas.properties(v)
            filled = sum(1 for p in props if (fields.get(p) or snake(p)) in row)
            score = (filled, -len(props) if exclusive else 0)
            if score > best_score:
                best, best_score = v, score
        return best

    def _related(self, conn: sa.Connection, info: TableInfo, row: Mapping[str, Any], step: Step, depth: int) -> tuple[bool, Any]:
        """A property no column of the row backs: the referenced row, the child rows, or an aggregate over them."""
        if step.kind == "object":
            return self._parent_object(conn, info, row, step.name, step.prop, depth)
        if step.kind == "array":
            return self._children(conn, info, row, step.name, step.prop, depth)
        return self._aggregate(conn, info, row, step.name, step.prop)

    def _parent_object(self, conn: sa.Connection, info: TableInfo, row: Mapping[str, Any], name: str, prop: Any, depth: int) -> tuple[bool, Any]:
        col = snake(name) + "_id"
        if col not in info.fks or row.get(col) is None:
            return (True, None) if col in info.fks and self.schemas.nullable(prop) else (False, None)
        target, target_col = info.fks[col]
        tinfo = self.kit.tables.get(target)
        if tinfo is None:
            return False, None
        parent = self.fetch(conn, tinfo, target_col, row[col], live=False)
        if parent is None:
            return False, None
        return True, self.shape(conn, tinfo, parent, prop, None, depth + 1)

    def child_table(self, info: TableInfo, name: str, items: Any) -> tuple[TableInfo, str, str | None] | None:
        """(table, fk column to the parent, other fk column through a join table) for an array property."""
        linked = self.kit.schema_table(items)
        key = (info.name, name, linked)
        if key not in self._child_tables:  # the tables never change: found once per property
            self._child_tables[key] = self._find_child_table(info, name, linked)
        return self._child_tables[key]

    def _find_child_table(self, info: TableInfo, name: str, linked: str | None) -> tuple[TableInfo, str, str | None] | None:
        candidates: list[str] = []
        if linked:
            candidates.append(linked)
        base = snake(name)
        if base.endswith("_ids"):
            base = plural(base[:-4])
        # the parent-prefixed child first: `ingredients` of a recipe are recipe_ingredients rows
        candidates += [f"{singular(info.name)}_{base}", base, plural(base)]
        for cand in candidates:
            child = self.kit.tables.get(cand)
            if child is None or child.name == info.name:
                continue
            fk = child.fk_to(info.name)
            if fk:
                return child, fk, None
            # reached through a join table that references both (task_labels: task_id, label_id)
            for join in self.kit.tables.values():
                parent_fk = join.fk_to(info.name)
                other_fk = join.fk_to(child.name, exclude=(parent_fk or "",))
                if parent_fk and other_fk and join.name not in (info.name, child.name):
                    return join, parent_fk, other_fk
        return None

    def _children(self, conn: sa.Connection, info: TableInfo, row: Mapping[str, Any], name: str, prop: Any, depth: int) -> tuple[bool, Any]:
        s = self.schemas
        items = s.non_null(prop).get("items", {})
        found = self.child_table(info, name, items)
        if found is None:
            return False, None
        child, fk, through = found
        parent_key = row.get(child.fks[fk][1])
        if parent_key is None:
            return False, None
        rows = self._child_rows(conn, child, fk, parent_key)
        if through:
            target_name, target_col = child.fks[through]
            target = self.kit.tables[target_name]
            if s.kind(items) != "object":
                return True, [s.to_json(r[through], items) for r in rows]
            others = self.fetch_many(conn, target, target_col, [r[through] for r in rows])
            out = []
            for r in rows:
                other = others.get(_bound(r[through], target.table.c[target_col]))
                if other is not None:
                    out.append(self.shape(conn, target, other, items, None, depth + 1))
            return True, out
        if s.kind(items) != "object":
            column = id_column_for(name, child, fk)
            return (True, [s.to_json(r[column], items) for r in rows]) if column else (False, None)
        widened = self._batched(("widened", child.name, fk), parent_key)
        if widened is None:
            widened = self._widen(conn, child, rows, exclude=fk)
        return True, [self.shape(conn, child, r, items, None, depth + 1) for r in widened]

    def _children_stmt(self, child: TableInfo, fk: str, count: int, joins: tuple[Widening, ...] = ()) -> Any:
        """The live child rows of `count` parents (`_keys_params`), in their order; with `joins`, each row also
        carries the columns of the rows its other foreign keys reference (LEFT JOINs, see `_widening`)."""
        t = child.table
        pos = child.position_column()
        order = [t.c[pos]] if pos else [t.c[c] for c in child.pk]

        def build() -> Any:
            source: Any = t
            extra = []
            for i, w in enumerate(joins):
                target = self.kit.tables[w.table].table.alias()
                source = source.outerjoin(target, t.c[w.column] == target.c[w.target_column])
                # short labels by position (the rows are read by position): no clash with the child's names,
                # no identifier beyond PostgreSQL's 63 characters
                extra += [target.c[name].label(f"_w{i}_{j}") for j, name in enumerate(w.names)]
            key = _keys_clause(t.c[fk], count)
            return sa.select(t, *extra).select_from(source).where(key).where(child.live()).order_by(*order)

        return self.statement(("children", child.name, fk, _slots(count), bool(joins)), build)

    def _widening(self, child: TableInfo, exclude: str) -> tuple[Widening, ...]:
        """What `_widen` adds to the rows of `child`, as joins: per other foreign key, in `_widen`'s order."""
        key = (child.name, exclude)
        found = self._widenings.get(key)
        if found is None:
            out = []
            for col, (target, target_col) in child.fks.items():
                tinfo = self.kit.tables.get(target)
                if col == exclude or tinfo is None:
                    continue
                names = tuple(c.name for c in tinfo.table.c)
                out.append(Widening(col, target, target_col, names, names.index(target_col)))
            found = self._widenings[key] = tuple(out)
        return found

    def _child_rows(self, conn: sa.Connection, child: TableInfo, fk: str, parent_key: Any) -> list[dict[str, Any]]:
        pre = self._batched(("children", child.name, fk), parent_key)
        if pre is not None:
            return pre
        return [dict(r) for r in conn.execute(self._children_stmt(child, fk, 1), _keys_params([parent_key])).mappings()]

    @staticmethod
    def _batched(key: tuple[Any, ...], parent_key: Any) -> list[dict[str, Any]] | None:
        """Copies of the rows read for the page (`shape_many`) under `key` for one parent, or None."""
        batch = page_batch.get()
        pre = batch.get(key) if batch is not None else None
        if pre is not None and _hashable(parent_key) and parent_key in pre:
            return [dict(r) for r in pre[parent_key]]
        return None

    def _widen(self, conn: sa.Connection, info: TableInfo, rows: list[dict[str, Any]], exclude: str) -> list[dict[str, Any]]:
        """The rows plus the columns of the rows their other foreign keys reference (missing names only),
        one query per foreign key for all the rows."""
        out = [dict(r) for r in rows]
        for col, (target, target_col) in info.fks.items():
            tinfo = self.kit.tables.get(target)
            if col == exclude or tinfo is None:
                continue
            values = [r[col] for r in rows if r.get(col) is not None]
            if not values:
                continue
            others = self.fetch_many(conn, tinfo, target_col, values, live=False)
            for widened, r in zip(out, rows, strict=True):
                if r.get(col) is None:
                    continue
                for key, value in (others.get(_bound(r[col], tinfo.table.c[target_col])) or {}).items():
                    widened.setdefault(key, value)
        return out

    def _aggregate(self, conn: sa.Connection, info: TableInfo, row: Mapping[str, Any], name: str, prop: Any) -> tuple[bool, Any]:
        plan = self._aggregate_plan(info, name)
        if plan is None:
            return False, None
        fname, child, fk, _ = plan
        key = row.get(child.fks[fk][1])
        batch = page_batch.get()
        pre = batch.get(("aggregate", info.name, name)) if batch is not None else None
        if pre is not None and _hashable(key) and key in pre:
            value = pre[key]
        else:
            value = conn.execute(self._aggregates_stmt((plan,), 1), _keys_params([key])).scalar()
        if fname == "count":
            return True, int(value or 0)
        if value is None:
            # no rows: an average is null (as the docs' own examples show), a total is zero
            return True, (0 if fname == "sum" else None)
        number = round(float(value), 2)
        return True, int(number) if number.is_integer() and self.schemas.kind(prop) != "number" else number

    def _aggregate_plan(self, info: TableInfo, name: str) -> tuple[str, TableInfo, str, str | None] | None:
        """(count | sum | avg, child table, its fk to the row's table, summed column) for `<child>Count`,
        `average<Column>`, `total<Column>`; None when no child table can compute it (remembered)."""
        key = (info.name, name)
        if key not in self._aggregate_plans:
            self._aggregate_plans[key] = self._find_aggregate(info, name)
        return self._aggregate_plans[key]

    def _find_aggregate(self, info: TableInfo, name: str) -> tuple[str, TableInfo, str, str | None] | None:
        m = re.match(r"^(.+?)(Count|_count)$", name)
        if m:
            # the parent-prefixed child first, as for arrays: a workspace's `memberCount` counts workspace_members
            base = plural(snake(m.group(1)))
            for cand in (f"{singular(info.name)}_{base}", base):
                child = self.kit.tables.get(cand)
                fk = child.fk_to(info.name) if child is not None and child.name != info.name else None
                if child is not None and fk is not None:
                    return "count", child, fk, None
            return None
        m = re.match(r"^(average|avg|total|sum)_?([A-Za-z].*)$", name)
        if m:
            fname = "sum" if m.group(1) in ("total", "sum") else "avg"  # `totalPoints`: sum of questions.points
            column = snake(m.group(2))
            for child in self.kit.tables.values():
                fk = child.fk_to(info.name)
                if fk and column in child.table.c:
                    return fname, child, fk, column
        return None

    def _aggregates_stmt(self, plans: tuple[tuple[str, TableInfo, str, str | None], ...], count: int) -> Any:
        """Aggregates over the live rows of one child table for `count` parents (`_keys_params`), one column per
        plan: for one parent one row (no child rows: count 0, sum/avg NULL), for more one row per parent that has
        child rows, its key first."""
        _, child, fk, _ = plans[0]
        ct = child.table

        def build() -> Any:
            values = [
                sa.func.count() if fname == "count" or column is None else getattr(sa.func, fname)(ct.c[column])
                for fname, _, _, column in plans
            ]
            keys = _keys_clause(ct.c[fk], count)
            if count > 1:
                return sa.select(ct.c[fk], *values).select_from(ct).where(keys).where(child.live()).group_by(ct.c[fk])
            return sa.select(*values).select_from(ct).where(keys).where(child.live())

        key = ("aggregates", child.name, fk, tuple((fname, column) for fname, _, _, column in plans), _slots(count))
        return self.statement(key, build)

    # -----------------------------------------------------------------------------------------
    # a page of rows: child rows and aggregates read once for all of them
    # -----------------------------------------------------------------------------------------

    def shape_many(
        self, conn: sa.Connection, info: TableInfo, rows: list[dict[str, Any]], schema: Any, fields: Mapping[str, str] | None = None, fresh: Fresh | None = None
    ) -> list[Any]:
        """`shape` for every row of a list page (or for one row), with what the rows' properties need from other
        tables read for all of them first: one query per property instead of one per row and property, and one
        per child table for all the aggregates over it (`reviewCount` and `averageRating` read together).
        `fresh`: the rows were just inserted by this request (see `Fresh`)."""
        plan = self.plan(info, schema, fields) if rows else None
        if plan is None:
            return [self.shape(conn, info, r, schema, fields) for r in rows]
        rows_token = request_rows.set(self._known_rows(fresh)) if fresh is not None and request_rows.get() is None else None
        try:
            batch = self._prefetch(conn, info, rows, plan, fresh)
            token = page_batch.set(batch)
            try:
                return [self.shape(conn, info, r, schema, fields) for r in rows]
            finally:
                page_batch.reset(token)
        finally:
            if rows_token is not None:
                request_rows.reset(rows_token)

    @staticmethod
    def _known_rows(fresh: Fresh) -> dict[tuple[Any, ...], Any]:
        """A row cache for shaping what a write request returns (its writes are done), holding the rows it read
        before that it did not change, by their key."""
        cache: dict[tuple[Any, ...], Any] = {}
        for tinfo, row in fresh.known:
            if len(tinfo.pk) == 1 and fresh.untouched(tinfo.name):
                key = _bound(row.get(tinfo.pk[0]), tinfo.table.c[tinfo.pk[0]])
                if key is not None:
                    cache[(tinfo.name, tinfo.pk[0], False, key)] = dict(row)
        return cache

    def _prefetch(
        self, conn: sa.Connection, info: TableInfo, rows: list[dict[str, Any]], plan: ShapePlan, fresh: Fresh | None = None
    ) -> dict[tuple[Any, ...], dict[Any, Any]]:
        """The properties `shape` would fill from other tables (no column of the row backs them), read for all rows."""
        s = self.schemas
        batch: dict[tuple[Any, ...], dict[Any, Any]] = {}
        aggregates: list[str] = []
        for step in plan.steps:
            if step.from_column and all(step.column in r for r in rows):
                continue
            if step.kind == "object":
                self._prefetch_parents(conn, info, rows, step.name)
            elif step.kind == "array":
                self._prefetch_children(conn, info, rows, s.non_null(step.prop).get("items", {}), step.name, batch, fresh)
            elif step.kind in ("integer", "number"):
                aggregates.append(step.name)
        if aggregates:
            self._prefetch_aggregates(conn, info, rows, aggregates, batch, fresh)
        return batch

    def _prefetch_parents(self, conn: sa.Connection, info: TableInfo, rows: list[dict[str, Any]], name: str) -> None:
        """Referenced rows (`author` from author_id) into the request's row cache, where `fetch` finds them."""
        col = snake(name) + "_id"
        if request_rows.get() is None or col not in info.fks or info.fks[col][0] not in self.kit.tables:
            return
        target, target_col = info.fks[col]
        self.fetch_many(conn, self.kit.tables[target], target_col, [r[col] for r in rows if r.get(col) is not None], live=False)

    def _prefetch_children(
        self, conn: sa.Connection, info: TableInfo, rows: list[dict[str, Any]], items: Any, name: str, batch: dict[tuple[Any, ...], dict[Any, Any]], fresh: Fresh | None
    ) -> None:
        found = self.child_table(info, name, items)
        if found is None:
            return
        child, fk, through = found
        keys = _distinct(r.get(child.fks[fk][1]) for r in rows)
        if keys is None or not keys:
            return
        by_parent: dict[Any, list[dict[str, Any]]] = {k: [] for k in keys}
        # the children of objects also carry the rows `_widen` adds (ingredients of recipe_ingredients): joined
        objects = through is None and self.schemas.kind(items) == "object"
        if fresh is not None and fresh.untouched(child.name):
            batch[("children", child.name, fk)] = by_parent  # new rows: no child row can reference them yet
            if objects:
                batch[("widened", child.name, fk)] = by_parent
            return
        joins = self._widening(child, fk) if objects else ()
        widened: dict[Any, list[dict[str, Any]]] = {k: [] for k in keys}
        own = [c.name for c in child.table.c]
        width = len(own)
        for r in conn.execute(self._children_stmt(child, fk, len(keys), joins), _keys_params(keys)):
            row = dict(zip(own, r[:width], strict=True))
            parent_key = row[fk]
            if not _hashable(parent_key) or parent_key not in by_parent:
                return  # the child's key does not compare equal to the parent's: per-row queries instead
            by_parent[parent_key].append(row)
            if joins:
                wide, at = dict(row), width
                for w in joins:
                    values = r[at : at + len(w.names)]
                    at += len(w.names)
                    if row[w.column] is not None and values[w.key_index] is not None:  # a referenced row was found
                        for name, value in zip(w.names, values, strict=True):
                            wide.setdefault(name, value)
                widened[parent_key].append(wide)
        batch[("children", child.name, fk)] = by_parent
        if objects:
            batch[("widened", child.name, fk)] = widened if joins else by_parent

    def _prefetch_aggregates(
        self, conn: sa.Connection, info: TableInfo, rows: list[dict[str, Any]], names: list[str], batch: dict[tuple[Any, ...], dict[Any, Any]], fresh: Fresh | None
    ) -> None:
        """Aggregate properties over child rows, one query per child table for all of them and all the rows."""
        groups: dict[tuple[str, str], list[tuple[str, tuple[str, TableInfo, str, str | None]]]] = {}
        for name in names:
            plan = self._aggregate_plan(info, name)
            if plan is not None:
                groups.setdefault((plan[1].name, plan[2]), []).append((name, plan))
        for members in groups.values():
            _, child, fk, _ = members[0][1]
            keys = _distinct(r.get(child.fks[fk][1]) for r in rows)
            if keys is None or not keys:
                continue
            plans = tuple(plan for _, plan in members)
            # a parent without child rows: what the aggregate gives for none
            values: list[dict[Any, Any]] = [dict.fromkeys(keys) for _ in members]
            if fresh is not None and fresh.untouched(child.name):
                # new rows without child rows: what `_aggregates_stmt` answers for none (count 0, sum/avg NULL)
                values = [dict.fromkeys(keys, 0 if fname == "count" or column is None else None) for fname, _, _, column in plans]
            elif len(keys) == 1:
                one = conn.execute(self._aggregates_stmt(plans, 1), _keys_params(keys)).one()
                for i, value in enumerate(one):
                    values[i][keys[0]] = value
            else:
                for key, *found in conn.execute(self._aggregates_stmt(plans, len(keys)), _keys_params(keys)):
                    if not _hashable(key) or key not in values[0]:
                        values = []  # the child's key does not compare equal to the parent's: per-row queries
                        break
                    for i, value in enumerate(found):
                        values[i][key] = value
            for (name, _), by_parent in zip(members, values, strict=False):
                batch[("aggregate", info.name, name)] = by_parent


def _slots(count: int) -> int:
    """The number of key parameters a statement for `count` keys has: 1, or the next power of two (a few
    statements per shape of query, whatever the page sizes)."""
    return 1 if count <= 1 else 1 << (count - 1).bit_length()


def _keys_clause(column: Any, count: int) -> Any:
    """`column = :k0`, or `column IN (:k0, …)` with `_slots(count)` parameters: compiled once per size, where an
    expanding IN is re-rendered by SQLAlchemy on every execution."""
    slots = _slots(count)
    if slots == 1:
        return column == sa.bindparam("k0", type_=column.type)
    return column.in_([sa.bindparam(f"k{i}", type_=column.type) for i in range(slots)])  # typed: bound as the column


def _keys_params(keys: Any) -> dict[str, Any]:
    """The parameters of `_keys_clause` for these keys, the spare slots filled with the first key again (a key
    twice in an IN list selects nothing twice)."""
    keys = list(keys)
    return {f"k{i}": keys[i] if i < len(keys) else keys[0] for i in range(_slots(len(keys)))}


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _distinct(values: Any) -> list[Any] | None:
    """The distinct non-None values in order; None when one of them cannot be a dict key."""
    out: dict[Any, None] = {}
    for value in values:
        if value is None:
            continue
        if not _hashable(value):
            return None
        out.setdefault(value)
    return list(out)


def _bound(value: Any, column: sa.Column[Any]) -> Any:
    """The value as `column` binds it (the key `Records.fetch_many` answers under), None when it cannot be."""
    try:
        key = coerce(value, column)
    except (ValueError, TypeError):
        return None
    return key if _hashable(key) else None
