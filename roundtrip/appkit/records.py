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
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .store import TableInfo, coerce, typed_value

if TYPE_CHECKING:
    from .runtime import Kit

# Rows fetched by key during one request (authors, ingredients shared by the rows of a list page).
request_rows: contextvars.ContextVar[dict[tuple[Any, ...], Any] | None] = contextvars.ContextVar("request_rows", default=None)
# Child rows and aggregates of a whole list page, read with one query per property (`shape_many`), by the
# query's key and the parent's key: what would otherwise be one query per row of the page.
page_batch: contextvars.ContextVar[dict[tuple[Any, ...], dict[Any, Any]] | None] = contextvars.ContextVar("page_batch", default=None)

MAX_STATEMENTS = 4096
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


@functools.lru_cache(maxsize=4096)
def snake(name: str) -> str:
    return _CAMEL.sub(r"_\1", name).replace("-", "_").lower()


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


class Records:
    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.schemas = kit.schemas
        # Statements built once and executed with bound values: building a SELECT costs more than running it.
        self._stmts: dict[tuple[Any, ...], Any] = {}
        # (table, property) → how a child table computes it, or None (the tables never change)
        self._aggregate_plans: dict[tuple[str, str], tuple[str, TableInfo, str, str | None] | None] = {}

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
        missing: list[Any] = []
        for value in values:
            key = _bound(value, t.c[column])
            if key is None or key in found or key in missing:
                continue
            ckey = (info.name, column, live, key)
            if cache is not None and ckey in cache:
                found[key] = dict(cache[ckey]) if cache[ckey] is not None else None
            else:
                missing.append(key)
        if len(missing) == 1:
            found[missing[0]] = self.fetch(conn, info, column, missing[0], live)
        elif missing:
            stmt = self.statement(
                ("fetch_many", info.name, column, live),
                lambda: sa.select(t).where(t.c[column].in_(sa.bindparam("keys", expanding=True))).where(info.live() if live else sa.true()),
            )
            got: dict[Any, dict[str, Any]] = {}
            for r in conn.execute(stmt, {"keys": missing}).mappings():
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
        s = self.schemas
        kind = s.kind(schema)
        if kind != "object":
            variant = self._best_variant(schema, row, fields or {})
            if variant is not None:
                return self.shape(conn, info, row, variant, fields, depth)
            return s.to_json(dict(row), schema) if kind == "any" else s.fake(schema)
        fields = fields or self.kit.schema_fields(schema)
        props, required = s.properties(schema)
        out: dict[str, Any] = {}
        for name, prop in props.items():
            found, value = self._value(conn, info, row, name, prop, fields, depth)
            if found:
                out[name] = value
            elif name in required:
                out[name] = None if s.nullable(prop) else self.generated(info, name, prop, fields)
        return out

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

    def _value(
        self,
        conn: sa.Connection,
        info: TableInfo | None,
        row: Mapping[str, Any],
        name: str,
        prop: Any,
        fields: Mapping[str, str],
        depth: int,
    ) -> tuple[bool, Any]:
        s = self.schemas
        kind = s.kind(prop)
        column = fields.get(name) or snake(name)
        if column in row and not (kind == "object" and column in (info.fks if info else {})):
            value = row[column]
            if value is None:
                return True, None  # what the database holds, even where an example-inferred schema says non-null
            if kind == "object" and isinstance(value, Mapping):
                return True, s.to_json(dict(value), prop)
            return True, s.to_json(value, prop)
        if info is None or depth > 3:
            return False, None
        if kind == "object":
            return self._parent_object(conn, info, row, name, prop, depth)
        if kind == "array":
            return self._children(conn, info, row, name, prop, depth)
        if kind in ("integer", "number"):
            return self._aggregate(conn, info, row, name, prop)
        return False, None

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
        return True, [self.shape(conn, child, r, items, None, depth + 1) for r in self._widen(conn, child, rows, exclude=fk)]

    def _children_stmt(self, child: TableInfo, fk: str, many: bool) -> Any:
        t = child.table
        pos = child.position_column()
        order = [t.c[pos]] if pos else [t.c[c] for c in child.pk]
        if many:
            return self.statement(
                ("children_of", child.name, fk),
                lambda: sa.select(t).where(t.c[fk].in_(sa.bindparam("keys", expanding=True))).where(child.live()).order_by(*order),
            )
        return self.statement(("children", child.name, fk), lambda: sa.select(t).where(t.c[fk] == sa.bindparam("key")).where(child.live()).order_by(*order))

    def _child_rows(self, conn: sa.Connection, child: TableInfo, fk: str, parent_key: Any) -> list[dict[str, Any]]:
        batch = page_batch.get()
        pre = batch.get(("children", child.name, fk)) if batch is not None else None
        if pre is not None and _hashable(parent_key) and parent_key in pre:
            return [dict(r) for r in pre[parent_key]]
        return [dict(r) for r in conn.execute(self._children_stmt(child, fk, many=False), {"key": parent_key}).mappings()]

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
            value = conn.execute(self._aggregate_stmt(plan, many=False), {"key": key}).scalar()
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
            child = self.kit.tables.get(plural(snake(m.group(1))))
            fk = child.fk_to(info.name) if child else None
            return ("count", child, fk, None) if child is not None and fk is not None else None
        m = re.match(r"^(average|avg|total|sum)_?([A-Za-z].*)$", name)
        if m:
            fname = "sum" if m.group(1) in ("total", "sum") else "avg"  # `totalPoints`: sum of questions.points
            column = snake(m.group(2))
            for child in self.kit.tables.values():
                fk = child.fk_to(info.name)
                if fk and column in child.table.c:
                    return fname, child, fk, column
        return None

    def _aggregate_stmt(self, plan: tuple[str, TableInfo, str, str | None], many: bool) -> Any:
        """The aggregate over one parent's live child rows (`key`), or grouped by parent for many (`keys`)."""
        fname, child, fk, column = plan
        ct = child.table

        def build() -> Any:
            value = sa.func.count() if fname == "count" or column is None else getattr(sa.func, fname)(ct.c[column])
            if many:
                stmt = sa.select(ct.c[fk], value).select_from(ct).where(ct.c[fk].in_(sa.bindparam("keys", expanding=True)))
                return stmt.where(child.live()).group_by(ct.c[fk])
            return sa.select(value).select_from(ct).where(ct.c[fk] == sa.bindparam("key")).where(child.live())

        return self.statement((fname, child.name, fk, column, many), build)

    # -----------------------------------------------------------------------------------------
    # a page of rows: child rows and aggregates read once for all of them
    # -----------------------------------------------------------------------------------------

    def shape_many(self, conn: sa.Connection, info: TableInfo, rows: list[dict[str, Any]], schema: Any, fields: Mapping[str, str] | None = None) -> list[Any]:
        """`shape` for every row of a list page, with what the rows' properties need from other tables
        read for the whole page first (one query per property instead of one per row and property)."""
        if len(rows) < 2 or self.schemas.kind(schema) != "object":
            return [self.shape(conn, info, r, schema, fields) for r in rows]
        batch = self._prefetch(conn, info, rows, schema, fields or self.kit.schema_fields(schema))
        token = page_batch.set(batch)
        try:
            return [self.shape(conn, info, r, schema, fields) for r in rows]
        finally:
            page_batch.reset(token)

    def _prefetch(self, conn: sa.Connection, info: TableInfo, rows: list[dict[str, Any]], schema: Any, fields: Mapping[str, str]) -> dict[tuple[Any, ...], dict[Any, Any]]:
        """The properties `_value` would fill from other tables (no column of the row backs them), read for all rows."""
        s = self.schemas
        batch: dict[tuple[Any, ...], dict[Any, Any]] = {}
        props, _ = s.properties(schema)
        for name, prop in props.items():
            kind = s.kind(prop)
            column = fields.get(name) or snake(name)
            if all(column in r for r in rows) and not (kind == "object" and column in info.fks):
                continue
            if kind == "object":
                self._prefetch_parents(conn, info, rows, name)
            elif kind == "array":
                self._prefetch_children(conn, info, rows, s.non_null(prop).get("items", {}), name, batch)
            elif kind in ("integer", "number"):
                self._prefetch_aggregate(conn, info, rows, name, batch)
        return batch

    def _prefetch_parents(self, conn: sa.Connection, info: TableInfo, rows: list[dict[str, Any]], name: str) -> None:
        """Referenced rows (`author` from author_id) into the request's row cache, where `fetch` finds them."""
        col = snake(name) + "_id"
        if request_rows.get() is None or col not in info.fks or info.fks[col][0] not in self.kit.tables:
            return
        target, target_col = info.fks[col]
        self.fetch_many(conn, self.kit.tables[target], target_col, [r[col] for r in rows if r.get(col) is not None], live=False)

    def _prefetch_children(self, conn: sa.Connection, info: TableInfo, rows: list[dict[str, Any]], items: Any, name: str, batch: dict[tuple[Any, ...], dict[Any, Any]]) -> None:
        found = self.child_table(info, name, items)
        if found is None:
            return
        child, fk, through = found
        keys = _distinct(r.get(child.fks[fk][1]) for r in rows)
        if keys is None or not keys:
            return
        by_parent: dict[Any, list[dict[str, Any]]] = {k: [] for k in keys}
        for r in conn.execute(self._children_stmt(child, fk, many=True), {"keys": keys}).mappings():
            if not _hashable(r[fk]) or r[fk] not in by_parent:
                return  # the child's key does not compare equal to the parent's: per-row queries instead
            by_parent[r[fk]].append(dict(r))
        batch[("children", child.name, fk)] = by_parent
        if request_rows.get() is None or through is not None:
            return
        # the rows `_widen` adds to the children (ingredients of recipe_ingredients), for the whole page at once
        children = [r for group in by_parent.values() for r in group]
        for col, (target, target_col) in child.fks.items():
            if col != fk and target in self.kit.tables:
                values = [r[col] for r in children if r.get(col) is not None]
                self.fetch_many(conn, self.kit.tables[target], target_col, values, live=False)

    def _prefetch_aggregate(self, conn: sa.Connection, info: TableInfo, rows: list[dict[str, Any]], name: str, batch: dict[tuple[Any, ...], dict[Any, Any]]) -> None:
        plan = self._aggregate_plan(info, name)
        if plan is None:
            return
        _, child, fk, _ = plan
        keys = _distinct(r.get(child.fks[fk][1]) for r in rows)
        if keys is None or not keys:
            return
        values: dict[Any, Any] = dict.fromkeys(keys)  # a parent without child rows: what the aggregate gives for none
        for key, value in conn.execute(self._aggregate_stmt(plan, many=True), {"keys": keys}):
            if not _hashable(key) or key not in values:
                return
            values[key] = value
        batch[("aggregate", info.name, name)] = values

    # -----------------------------------------------------------------------------------------
    # writing nested arrays
    # -----------------------------------------------------------------------------------------

    def write_children(self, conn: sa.Connection, info: TableInfo, row: Mapping[str, Any], name: str, prop: Any, values: list[Any]) -> bool:
        """Replace the child rows behind an array property (`ingredients`, `labelIds`). False: no child table."""
        s = self.schemas
        items = s.non_null(prop).get("items", {})
        found = self.child_table(info, name, items)
        if found is None:
            return False
        child, fk, through = found
        parent_key = row.get(child.fks[fk][1])
        t = child.table
        conn.execute(sa.delete(t).where(t.c[fk] == parent_key))
        pos = child.position_column()
        item_fields = self.kit.schema_fields(items)
        # A denormalized reference (task_labels.tenant_id) is the parent's own: same column, same target.
        inherited = {
            col: row[col]
            for col, target in child.fks.items()
            if col not in (fk, through) and col in row and info.fks.get(col) == target
        }
        for index, value in enumerate(values):
            record: dict[str, Any] = {**inherited, fk: parent_key}
            scalar_col = id_column_for(name, child, fk)
            if through:
                record[through] = coerce(value.get("id") if isinstance(value, dict) else value, t.c[through])
            elif not isinstance(value, dict) and scalar_col:
                record[scalar_col] = coerce(value, t.c[scalar_col])
            elif isinstance(value, dict):
                for key, v in value.items():
                    col = item_fields.get(key) or snake(key)
                    if col in t.c and col != fk:
                        record[col] = coerce(v, t.c[col])
            else:
                continue
            if pos and pos not in record:
                record[pos] = index
            conn.execute(sa.insert(t).values(**record))
        return True


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
