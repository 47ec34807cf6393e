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
        self._no_aggregate: set[tuple[str, str]] = set()  # (table, property) that no child table can count

    def _stmt(self, key: tuple[Any, ...], build: Any) -> Any:
        stmt = self._stmts.get(key)
        if stmt is None:
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
        stmt = self._stmt(
            ("fetch", info.name, column, live),
            lambda: sa.select(t).where(t.c[column] == sa.bindparam("key")).where(info.live() if live else sa.true()).limit(1),
        )
        row = conn.execute(stmt, {"key": key}).mappings().first()
        found = dict(row) if row is not None else None
        if cache is not None and not live:  # only rows read for display; live reads guard writes
            cache[ckey] = found
        return dict(found) if found is not None else None

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
        t = child.table
        pos = child.position_column()
        order = [t.c[pos]] if pos else [t.c[c] for c in child.pk]
        stmt = self._stmt(("children", child.name, fk), lambda: sa.select(t).where(t.c[fk] == sa.bindparam("key")).where(child.live()).order_by(*order))
        rows = [dict(r) for r in conn.execute(stmt, {"key": parent_key}).mappings()]
        if through:
            target_name, target_col = child.fks[through]
            target = self.kit.tables[target_name]
            if s.kind(items) != "object":
                return True, [s.to_json(r[through], items) for r in rows]
            out = []
            for r in rows:
                other = self.fetch(conn, target, target_col, r[through])
                if other is not None:
                    out.append(self.shape(conn, target, other, items, None, depth + 1))
            return True, out
        if s.kind(items) != "object":
            column = id_column_for(name, child, fk)
            return (True, [s.to_json(r[column], items) for r in rows]) if column else (False, None)
        return True, [self.shape(conn, child, self._widen(conn, child, r, exclude=fk), items, None, depth + 1) for r in rows]

    def _widen(self, conn: sa.Connection, info: TableInfo, row: dict[str, Any], exclude: str) -> dict[str, Any]:
        """The row plus the columns of the rows its other foreign keys reference (missing names only)."""
        out = dict(row)
        for col, (target, target_col) in info.fks.items():
            if col == exclude or row.get(col) is None or target not in self.kit.tables:
                continue
            other = self.fetch(conn, self.kit.tables[target], target_col, row[col], live=False)
            for key, value in (other or {}).items():
                out.setdefault(key, value)
        return out

    def _aggregate(self, conn: sa.Connection, info: TableInfo, row: Mapping[str, Any], name: str, prop: Any) -> tuple[bool, Any]:
        if (info.name, name) in self._no_aggregate:
            return False, None
        found = self._aggregate_value(conn, info, row, name, prop)
        if not found[0]:
            self._no_aggregate.add((info.name, name))
        return found

    def _aggregate_value(self, conn: sa.Connection, info: TableInfo, row: Mapping[str, Any], name: str, prop: Any) -> tuple[bool, Any]:
        m = re.match(r"^(.+?)(Count|_count)$", name)
        if m:
            child = self.kit.tables.get(plural(snake(m.group(1))))
            fk = child.fk_to(info.name) if child else None
            if child is None or fk is None:
                return False, None
            key = row.get(child.fks[fk][1])
            ct, fkc = child.table, fk
            stmt = self._stmt(("count", child.name, fk), lambda: sa.select(sa.func.count()).select_from(ct).where(ct.c[fkc] == sa.bindparam("key")).where(child.live()))
            n = conn.execute(stmt, {"key": key}).scalar()
            return True, int(n or 0)
        m = re.match(r"^(average|avg|total|sum)_?([A-Za-z].*)$", name)
        if m:
            fname = "sum" if m.group(1) in ("total", "sum") else "avg"  # `totalPoints`: sum of questions.points
            column = snake(m.group(2))
            for child in self.kit.tables.values():
                fk = child.fk_to(info.name)
                if fk and column in child.table.c:
                    key = row.get(child.fks[fk][1])
                    ct, fkc, col = child.table, fk, column
                    stmt = self._stmt(
                        (fname, child.name, fk, column),
                        lambda: sa.select(getattr(sa.func, fname)(ct.c[col])).where(ct.c[fkc] == sa.bindparam("key")).where(child.live()),  # noqa: B023
                    )
                    value = conn.execute(stmt, {"key": key}).scalar()
                    if value is None:
                        # no rows: an average is null (as the docs' own examples show), a total is zero
                        return True, (0 if fname == "sum" else None)
                    number = round(float(value), 2)
                    return True, int(number) if number.is_integer() and self.schemas.kind(prop) != "number" else number
        return False, None

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
        for index, value in enumerate(values):
            record: dict[str, Any] = {fk: parent_key}
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
