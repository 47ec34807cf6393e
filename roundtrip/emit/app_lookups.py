"""Create bodies that name a referenced row by its natural key: decided once, at generation time.

`POST /loans` takes `{"barcode": "31234001047725", "cardNumber": "21234000582113"}`; neither is a column
of loans, but `barcode` is a UNIQUE column of copies (referenced by loans.copy_id) and `cardNumber` one of
members (loans.member_id). Each such field is a lookup: the app finds the row by that column and sets
the foreign key to it (appkit.lookups), answering the operation's documented 404 for that table when no
row has the value:

    natural_keys(spec, loans, "POST", "/loans", fields)
    # [{"field": "barcode", "column": "copy_id", "table": "copies", "key": "barcode", "ref": "id",
    #   "code": "COPY_NOT_FOUND", "message": "..."}, ...]

A field matches a referenced table's column by name (`barcode` → copies.barcode) or qualified by the
reference (`copyBarcode` → copies.barcode through copy_id). The column must be unique on its own, and the
field must name exactly one reference: a name two references could mean is left alone.
The seed data reads the same decision (emit.seed_examples) to learn which example row a documented
request named.
"""

from __future__ import annotations

from typing import Any

from roundtrip.ir import Endpoint, Kind, Spec
from roundtrip.ir.data import Table
from roundtrip.ir.matching import Match, match_in_table
from roundtrip.ir.naming import singular, snake


def request_fields(spec: Spec, ep: Endpoint | None) -> list[str]:
    """The top-level field names of an endpoint's request body (a named schema is looked up)."""
    t = ep.request.type if ep is not None and ep.request is not None else None
    if t is not None and t.kind is Kind.REF and t.ref:
        schema = spec.schema(t.ref)
        t = schema.type if schema is not None else None
    return [f.name for f in t.fields] if t is not None else []


def unique_alone(table: Table, column: str) -> bool:
    """Whether a column identifies one row by itself (UNIQUE, a one-column unique key or full unique index)."""
    col = table.column(column)
    if col is None:
        return False
    if col.unique or table.primary_key == (column,):
        return True
    if any(u.columns == (column,) for u in table.uniques):
        return True
    return any(
        ix.unique and not ix.where and len(ix.elements) == 1 and ix.elements[0].column == column for ix in table.indexes
    )


def _column_of(field: str, target: Table, fk_column: str) -> str | None:
    """The target's column a field names: `barcode` itself, or qualified by the reference (`copyBarcode`)."""
    found = match_in_table(field, target)
    if found.kind is Match.EXACT and found.column is not None:
        return found.column.name
    name = snake(field)
    for prefix in dict.fromkeys((fk_column.removesuffix("_id") + "_", singular(target.name) + "_")):
        rest = name.removeprefix(prefix)
        if rest != name and target.column(rest) is not None:
            return rest
    return None


def not_found_error(ep: Endpoint | None, target: Table) -> tuple[str, str]:
    """(code, message) of the endpoint's documented 404 that names `target` (COPY_NOT_FOUND for copies),
    else its only 404 code, else NOT_FOUND."""
    errors = [e for e in (ep.errors if ep is not None else ()) if e.status == 404 and e.code]
    words = {singular(target.name).upper(), target.name.upper()}
    named = [e for e in errors if words & set(e.code.upper().split("_")) or e.code.upper().startswith(tuple(words))]
    pick = named[0] if named else errors[0] if len(errors) == 1 else None
    default = f"{singular(target.name).replace('_', ' ').capitalize()} not found"
    if pick is None:
        return "NOT_FOUND", default
    return pick.code, pick.message or default


def natural_keys(spec: Spec, table: Table, method: str, path: str, fields: dict[str, str]) -> list[dict[str, Any]]:
    """The lookups of a create operation on `table`: request fields that are no column of it but name a
    unique column of a table one of its foreign keys references."""
    ep = spec.endpoint(method, path)
    out: list[dict[str, Any]] = []
    for name in request_fields(spec, ep):
        if (fields.get(name) or snake(name)) in table.column_names:
            continue
        found = []
        for fk in table.foreign_keys:
            target = spec.table(fk.ref_table)
            if len(fk.columns) != 1 or target is None or target.name == table.name:
                continue
            key = _column_of(name, target, fk.columns[0])
            if key is not None and unique_alone(target, key):
                ref = fk.ref_columns[0] if fk.ref_columns else (target.primary_key[0] if target.primary_key else "")
                if ref:
                    found.append((fk.columns[0], target, key, ref))
        if len(found) != 1:
            continue  # no reference, or several a reader could not tell apart
        column, target, key, ref = found[0]
        code, message = not_found_error(ep, target)
        out.append({"field": name, "column": column, "table": target.name, "key": key, "ref": ref, "code": code, "message": message})
    return out
