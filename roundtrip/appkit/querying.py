"""List queries: filters, free-text search and sorting as the docs describe them, over SQLAlchemy Core.

Building a SELECT and its cache key costs several times more than running it on SQLite, so a list
query is described first as `Criteria`: a shape (which columns are compared how: hashable) and the
request's values. The statement is built once per shape, with bound parameters, and every request of
that shape runs it with its own values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from .context import Context
from .enum_values import check_filter_values, order_expression
from .errors import ApiError
from .records import snake
from .store import TableInfo, coerce


class Criteria:
    """The WHERE clause of a list query: its shape and its values (see the module docstring)."""

    def __init__(self) -> None:
        self.shape: list[tuple[Any, ...]] = []
        self.params: dict[str, Any] = {}
        self._builders: list[Callable[[sa.Table], Any]] = []

    def add(
        self, shape: tuple[Any, ...], build: Callable[..., Any], *values: Any, expanding: bool = False
    ) -> None:
        """`build(table, *bound parameters)` gives the clause; `values` are this request's values for them."""
        if any(_holds_nul(v) for v in values):
            # PostgreSQL text cannot hold NUL, so no stored value equals or contains it: the clause selects
            # nothing (on SQLite too, so both databases answer alike) instead of a database error
            self.shape.append(("never",))
            self._builders.append(lambda t: sa.false())
            return
        names = [f"w{len(self.params) + i}" for i in range(len(values))]
        self.params.update(zip(names, values, strict=True))
        self.shape.append((*shape, expanding))
        self._builders.append(lambda t: build(t, *[sa.bindparam(n, expanding=expanding) for n in names]))

    def equals(self, column: str, value: Any) -> None:
        if value is None:
            self.add(("null", column), lambda t: t.c[column].is_(None))
        else:
            self.add(("eq", column), lambda t, v: t.c[column] == v, value)  # `column` is this call's own

    def key(self) -> tuple[Any, ...]:
        return tuple(self.shape)

    def apply(self, stmt: Any, table: sa.Table) -> Any:
        for build in self._builders:
            stmt = stmt.where(build(table))
        return stmt


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    return isinstance(value, (list, tuple)) and any(isinstance(v, str) and "\x00" in v for v in value)


COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "gte": lambda c, v: c >= v,
    "lte": lambda c, v: c <= v,
    "gt": lambda c, v: c > v,
    "lt": lambda c, v: c < v,
}


def add_filters(ctx: Context, info: TableInfo, where: Criteria) -> None:
    """The documented filters and search the request uses (comma-separated values are OR)."""
    t = info.table
    for param, spec in (ctx.op.get("filters") or {}).items():
        value = ctx.params.get(param)
        if value is None or value == "":
            continue
        column = spec["column"]
        alias = (spec.get("aliases") or {}).get(value) if isinstance(value, str) else None
        if alias == "null":  # `assigneeId=none`: rows without one
            where.equals(column, None)
            continue
        if alias == "caller":  # `assigneeId=me`: the caller's own id
            if ctx.principal is None:
                raise ctx.kit.validation_error(
                    ctx.op, [{"field": param, "issue": f"'{value}' needs a signed-in caller"}]
                )
            value = ctx.principal.id
        if spec.get("op") == "mine":
            if value in (True, "true", "1") and ctx.principal is not None and column in t.c:
                where.equals(column, ctx.principal.id)
            continue
        via = spec.get("via")
        if via:
            child = ctx.kit.tables.get(via["table"])
            if child is None:
                continue
            ct, key, fk = child.table, via["key"], via["fk"]
            value = coerce(value, ct.c[column])
            where.add(
                ("via", child.name, fk, column, key),
                lambda t, v, ct=ct, key=key, fk=fk, column=column: t.c[key].in_(
                    sa.select(ct.c[fk]).where(ct.c[column] == v)
                ),
                value,
            )
            continue
        col = t.c[column]
        op = spec.get("op", "eq")
        check_filter_values(ctx, param, spec, value)  # `?status=doing` on an enum column: 400, not []
        try:
            if op in COMPARISONS:
                where.add(
                    ("cmp", column, op),
                    lambda t, v, c=column, f=COMPARISONS[op]: f(t.c[c], v),
                    coerce(value, col),
                )
            elif isinstance(value, str) and "," in value and spec.get("multi", True):
                values = [coerce(v.strip(), col) for v in value.split(",") if v.strip()]
                where.add(("in", column), lambda t, v, c=column: t.c[c].in_(v), values, expanding=True)
            elif isinstance(value, list):
                values = [coerce(v, col) for v in value]
                where.add(("in", column), lambda t, v, c=column: t.c[c].in_(v), values, expanding=True)
            else:
                where.equals(column, coerce(value, col))
        except (ValueError, TypeError):
            if value == spec.get("default"):
                continue  # a default the docs wrote in prose ("from + 7 days"): not a value to filter by
            raise ctx.kit.validation_error(ctx.op, [{"field": param, "issue": "invalid value"}]) from None
    search = ctx.op.get("search")
    if search and ctx.params.get(search["param"]):
        term = (
            str(ctx.params[search["param"]])
            .lower()
            .replace("\\", "\\\\")
            .replace("%", "\\%")
            .replace("_", "\\_")
        )
        pattern = term + "%" if search.get("mode") == "prefix" else f"%{term}%"
        cols = tuple(c for c in search.get("columns", []) if c in t.c)
        if cols:
            where.add(
                ("search", cols),
                lambda t, v, cols=cols: sa.or_(*[sa.func.lower(t.c[c]).like(v, escape="\\") for c in cols]),
                pattern,
            )


def sort_order(ctx: Context, info: TableInfo) -> tuple[tuple[str, bool], ...]:
    """(column, descending) from the sort parameter (`-createdAt,title`, `createdAt:desc`) over the documented
    allow-list, then the primary key, so pages never overlap. An unknown field is the documented 400."""
    t = info.table
    spec = ctx.op.get("sort") or {}
    raw = ctx.params.get(spec.get("param") or "") or spec.get("default") or ""
    order: list[tuple[str, bool]] = []
    fields: dict[str, str | None] = spec.get("fields") or {}
    for part in [p.strip() for p in str(raw).split(",") if p.strip()]:
        desc = part.startswith("-")
        name = part.lstrip("-+")
        if ":" in name:  # `createdAt:desc`
            name, _, direction = name.partition(":")
            desc = direction.lower() == "desc"
        if name not in fields and snake(name) not in t.c:
            raise ApiError(
                ctx.kit.validation_status(ctx.op),
                spec.get("error_code") or ctx.op.get("validation_code") or ctx.kit.validation_code,
                f"Unknown sort field '{name}'",
                [{"field": spec.get("param") or "sort", "issue": f"unknown field '{name}'"}],
            )
        column = fields.get(name) if name in fields else snake(name)
        if column and column in t.c:
            order.append((column, desc))
    order += [(c, False) for c in info.pk]
    return tuple(order)


def list_statements(
    ctx: Context, info: TableInfo, where: Criteria, order: tuple[tuple[str, bool], ...]
) -> tuple[Any, Any]:
    """(SELECT count(*), SELECT the page with bound `limit`/`offset`) for the live rows `where` selects."""
    t = info.table
    ranks = (ctx.op.get("sort") or {}).get("ranks") or {}  # enum columns sort by declared order (enum_values)

    def build() -> tuple[Any, Any]:
        stmt = where.apply(sa.select(t).where(info.live()), t)
        count = sa.select(sa.func.count()).select_from(stmt.subquery())
        by = [order_expression(t, c, desc, ranks) for c, desc in order]
        page = (
            stmt.order_by(*by)
            .limit(sa.bindparam("limit", type_=sa.Integer))
            .offset(sa.bindparam("offset", type_=sa.Integer))
        )
        return count, page

    ranked = tuple(c for c, _ in order if c in ranks)
    return ctx.kit.records.statement(("list", info.name, where.key(), order, ranked), build)  # type: ignore[no-any-return]
