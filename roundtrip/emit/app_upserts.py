"""PUT on a two-id path as a create-or-replace of the row the two ids name (appkit.upserts runs it).

`PUT /attempts/{attemptId}/answers/{questionId}` does not name an answer by its own key: `answers` holds a
foreign key to the table `{attemptId}` names (exam_attempts) and one to the table `{questionId}` names
(questions), usually with a unique key on the pair. Such a PUT saves "the answer of this attempt to this
question": created when missing, replaced when present. Recognized from the path and the data model alone
(the docs' words "create or replace", "upsert", "idempotent" are not needed); any path whose last id is the
child's own key, or whose ids name no foreign key of the child, stays a plain crud-update.
"""

from __future__ import annotations

import re
from typing import Any

from roundtrip.ir.data import ForeignKey, Table
from roundtrip.ir.naming import singular, snake, table_candidates


def _param(seg: str) -> str | None:
    return seg[1:-1] if seg.startswith("{") and seg.endswith("}") else None


def _single_fks(child: Table) -> list[ForeignKey]:
    return [fk for fk in child.foreign_keys if len(fk.columns) == 1]


def _fk_to(child: Table, target: str, preferred: tuple[str, ...]) -> ForeignKey | None:
    """The child's one foreign key to `target`; with several (`author_id`, `editor_id` → users) the one the
    path parameter names, else none (ambiguous)."""
    found = [fk for fk in _single_fks(child) if fk.ref_table == target]
    if len(found) > 1:
        found = [fk for fk in found if fk.columns[0] in preferred]
    return found[0] if len(found) == 1 else None


def _param_stem(param: str) -> str:
    """`questionId` / `question_id` / `questionUuid` → `question`."""
    return re.sub(r"_?(id|uuid|key)$", "", snake(param)) or snake(param)


def _named_fk(child: Table, param: str, exclude: set[str]) -> ForeignKey | None:
    """The child's foreign key a path parameter names: the column of its name (`questionId` → question_id),
    else the one key into a table its stem names (`{questionId}` → questions), else the one key into a column
    of its name."""
    col = snake(param)
    fk = next((f for f in _single_fks(child) if f.columns[0] == col and f.ref_table not in exclude), None)
    if fk is not None:
        return fk
    for cand in table_candidates(_param_stem(param)):
        if cand in exclude:
            continue
        fk = _fk_to(child, cand, (col,))
        if fk is not None:
            return fk
    # a natural key the parameter is named after: `{sku}` → basket_lines.article_sku → articles(sku)
    by_key = [f for f in _single_fks(child) if f.ref_columns == (col,) and f.ref_table not in exclude]
    return by_key[0] if len(by_key) == 1 else None


def _siblings(tables: dict[str, Table], a: str, b: str, accounts: dict[str, Any], scope_cols: list[str]) -> list[list[str]]:
    """[a column, b column] pairs naming one shared parent: a question must belong to the attempt's exam
    (exam_attempts.exam_id = questions.exam_id). Accounts and tenant columns are left out (whose row it is,
    not what it belongs to), and so is a target either side references twice (ambiguous)."""
    ta, tb = tables.get(a), tables.get(b)
    if ta is None or tb is None or a == b:
        return []
    out: list[list[str]] = []
    for fa in _single_fks(ta):
        target = fa.ref_table
        if target in accounts or fa.columns[0] in scope_cols or target in (a, b):
            continue
        fb = [f for f in _single_fks(tb) if f.ref_table == target and f.ref_columns == fa.ref_columns]
        if len(fb) == 1 and sum(1 for f in _single_fks(ta) if f.ref_table == target) == 1:
            out.append([fa.columns[0], fb[0].columns[0]])
    return out


def _key_of(tables: dict[str, Table], fk: ForeignKey) -> str | None:
    if fk.ref_columns:
        return fk.ref_columns[0]
    target = tables.get(fk.ref_table)
    return target.primary_key[0] if target is not None and len(target.primary_key) == 1 else None


def upsert_model(
    tables: dict[str, Table],
    child: Table,
    segs: list[str],
    parent_table: str | None,
    accounts: dict[str, Any],
    scope_cols: list[str],
) -> dict[str, Any] | None:
    """For `PUT …/{a}/<children>/{b}`: the parent `{a}` names (as crud's `parent`, so the parent is checked as a
    nested collection's is) and the `upsert` keys, or None when the path is no such pair.
    `parent_table`: the table the collection before `{a}` names (`attempts` → exam_attempts)."""
    if len(segs) < 3:
        return None
    a_param, b_param = _param(segs[-3]), _param(segs[-1])
    if a_param is None or b_param is None or _param(segs[-2]) is not None:
        return None
    a_fk = _fk_to(child, parent_table, (snake(a_param), f"{singular(parent_table)}_id")) if parent_table else None
    if a_fk is None:
        a_fk = _named_fk(child, a_param, {child.name})
    if a_fk is None:
        return None
    b_fk = _named_fk(child, b_param, {child.name})
    if b_fk is None or b_fk.columns == a_fk.columns:
        return None  # `{b}` is the child's own key (`/projects/{id}/tasks/{taskId}`): a plain update
    a_key, b_key = _key_of(tables, a_fk), _key_of(tables, b_fk)
    if a_key is None or b_key is None:
        return None
    a_col, b_col = a_fk.columns[0], b_fk.columns[0]
    parent = {"param": a_param, "table": a_fk.ref_table, "key": a_key, "column": a_col}
    upsert: dict[str, Any] = {
        "param": b_param,
        "table": b_fk.ref_table,
        "key": b_key,
        "column": b_col,
        "scope_columns": [c for c in scope_cols if c in tables[b_fk.ref_table].column_names] if b_fk.ref_table in tables else [],
        "parent_scope_columns": [c for c in scope_cols if c in tables[a_fk.ref_table].column_names] if a_fk.ref_table in tables else [],
    }
    same = _siblings(tables, a_fk.ref_table, b_fk.ref_table, accounts, scope_cols)
    if same:
        upsert["same_parent"] = same
    return {"parent": parent, "upsert": upsert}


def link_parent_scopes(ops: dict[str, Any]) -> None:
    """The parent of an upsert is visible to the caller as the app's own GET of that parent shows it: where
    that GET keeps rows personal (`owner_scope`: a student reads only their own attempts), another caller's
    parent is not found here either."""
    owner_scopes = {
        op["table"]: op["owner_scope"]
        for op in ops.values()
        if op.get("kind") == "crud-get" and op.get("owner_scope") and op.get("table")
    }
    for op in ops.values():
        if op.get("kind") == "crud-upsert" and op.get("parent"):
            scope = owner_scopes.get(op["parent"]["table"])
            if scope:
                op["upsert"]["parent_owner_scope"] = scope
