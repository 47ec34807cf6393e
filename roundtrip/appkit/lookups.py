"""Create bodies that name a referenced row by a unique column instead of its key.

`POST /loans {"barcode": "31234001047725", "cardNumber": "21234000582113"}`: the operation's
`natural_keys` (decided at generation time, emit.app_lookups) say `barcode` is copies.barcode behind
loans.copy_id and `cardNumber` is members.card_number behind loans.member_id. Each is one query for the
row with that value (live rows, within the caller's tenant); its referenced column becomes the new row's
foreign key, and no such row is the operation's documented 404 for that table (`COPY_NOT_FOUND`).
"""

from __future__ import annotations

from typing import Any

from .access import scope_conditions
from .context import Context
from .errors import ApiError
from .store import TableInfo, coerce


def resolve_natural_keys(ctx: Context, body: dict[str, Any], values: dict[str, Any]) -> None:
    """Set each looked-up foreign key in `values` (a key the body also sent as a column is left as sent)."""
    for lookup in ctx.op.get("natural_keys") or []:
        value = body.get(lookup["field"])
        target: TableInfo | None = ctx.kit.tables.get(lookup["table"])
        if value is None or lookup["column"] in values or target is None:
            continue
        missing = ApiError(404, lookup["code"], lookup["message"])
        try:
            key = coerce(value, target.table.c[lookup["key"]])
        except (ValueError, TypeError):
            raise missing from None  # a value the column cannot hold names no row
        # another tenant's row is not there for this caller
        row = ctx.kit.records.first_where(ctx.conn, target, [(lookup["key"], key), *scope_conditions(ctx, target, owner=False)])
        if row is None:
            raise missing
        values[lookup["column"]] = row[lookup["ref"]]
