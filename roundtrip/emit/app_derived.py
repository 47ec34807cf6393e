"""Response fields composed from other values (app/api_model.json `derived`), learnt from the docs' examples.

A task's `key` is `WEB-3`: no column holds it; the docs show it in every task example next to
`"number": 3` and a `projectId` whose sample row has `key = 'WEB'` (DATA_MODEL.md says the same in prose:
"Identified to humans as `<project.key>-<number>`"). Without a rule the app would answer the example's
`WEB-3` for every task. Here, once at generation time:

1. every JSON object in the docs' examples (schema examples, response examples, nested ones) is read as a
   row of the table whose columns its keys match best;
2. a string property of such an object that no column of that table backs is split into values the row
   knows: its own columns (`number`) and the columns of the sample rows its foreign keys name
   (`project_id` → projects `key`), joined by short separators (`-`, `/`, `#`, `.`, `_`, `:`, space);
3. a composition is kept only when every example object of that table showing the property agrees with it
   (`WEB-2` next to `"number": 2` rules out the project's `task_seq = 3`) and it uses at least two values,
   so a plain copy of one column or a coincidence in a single character is never a rule.

The runtime (appkit/derived.py) fills the property from the stored row the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# the runtime composes values with the same rule the composition was learnt with (appkit imports nothing of ours)
from roundtrip.appkit.derived import text_of
from roundtrip.ir import Spec
from roundtrip.ir.data import Table
from roundtrip.ir.naming import snake

# A response object is a row of a table when at least this share of its keys are the table's columns.
ROW_SHARE = 0.5
SEPARATOR = re.compile(r"[-/#._: ]{1,3}")
# A part is one of: {"literal": "-"}, {"column": "number"}, {"via": "project_id", "table": "projects",
# "target": "id", "column": "key"}.
Part = dict[str, str]


def derived_model(
    spec: Spec, doc: dict[str, Any], secret_columns: tuple[str, ...]
) -> dict[str, dict[str, list[Part]]]:
    """{table: {property: parts}} for the composed properties the examples agree on."""
    tables = {t.name: t for t in spec.tables}
    backed = _linked_fields(spec)
    samples = _sample_index(spec, secret_columns)
    shown: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for obj in _example_objects(doc):
        t = _table_of(obj, tables, backed)
        if t is None:
            continue
        for name, value in obj.items():
            if isinstance(value, str) and value and _column_of(t, name, backed) is None:
                shown.setdefault((t.name, name), []).append((value, obj))
    out: dict[str, dict[str, list[Part]]] = {}
    for (table, name), seen in sorted(shown.items()):
        t = tables[table]
        rule = _agreed_composition(t, name, seen, tables, backed, samples)
        if rule is not None:
            out.setdefault(table, {})[name] = rule
    return out


def _linked_fields(spec: Spec) -> dict[str, dict[str, str]]:
    """{table: {API field: column}} from the resolver's schema links (`assignee` → assignee_id)."""
    out: dict[str, dict[str, str]] = {}
    for link in spec.links:
        for f in link.fields:
            out.setdefault(link.table, {}).setdefault(f.field, f.column)
    return out


def _column_of(t: Table, name: str, backed: dict[str, dict[str, str]]) -> str | None:
    column = (backed.get(t.name) or {}).get(name) or snake(name)
    return column if column in t.column_names else None


def _sample_index(spec: Spec, secret_columns: tuple[str, ...]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """{(table, column, value text): sample row} for looking up the row a foreign key value names."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for sample in spec.samples:
        hidden = set(sample.hashed) | set(secret_columns)
        row = {k: v for k, v in sample.values if k not in hidden}
        for column, value in row.items():
            text = text_of(value)
            if text is not None:
                out.setdefault((sample.table, column, text), row)
    return out


def _example_objects(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every JSON object in the document's examples, nested ones included."""
    for schema in (doc.get("components", {}).get("schemas") or {}).values():
        if isinstance(schema, dict):
            yield from _objects_in(schema.get("examples") or [])
    for item in (doc.get("paths") or {}).values():
        for op in item.values() if isinstance(item, dict) else ():
            if not isinstance(op, dict):
                continue
            for resp in (op.get("responses") or {}).values():
                for media in ((resp or {}).get("content") or {}).values():
                    if isinstance(media, dict):
                        yield from _objects_in(media.get("example"))
                        for ex in (media.get("examples") or {}).values():
                            yield from _objects_in(ex.get("value") if isinstance(ex, dict) else None)


def _objects_in(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _objects_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects_in(value)


def _table_of(
    obj: dict[str, Any], tables: dict[str, Table], backed: dict[str, dict[str, str]]
) -> Table | None:
    """The table whose columns the object's keys match best; None when none matches enough or two tie."""
    scored = sorted(
        ((sum(1 for k in obj if _column_of(t, k, backed)), t.name) for t in tables.values()),
        reverse=True,
    )
    if not scored:
        return None
    hits, name = scored[0]
    if hits < max(2, ROW_SHARE * len(obj)) or (len(scored) > 1 and scored[1][0] == hits):
        return None
    return tables[name]


def _values_known(
    t: Table,
    obj: dict[str, Any],
    name: str,
    tables: dict[str, Table],
    backed: dict[str, dict[str, str]],
    samples: dict[tuple[str, str, str], dict[str, Any]],
) -> list[tuple[Part, str]]:
    """(part, its text) for every value the row behind `obj` knows: own columns first, then the columns of
    the sample rows its foreign keys name."""
    own: list[tuple[Part, str]] = []
    columns: dict[str, Any] = {}
    for key, value in obj.items():
        column = _column_of(t, key, backed)
        text = text_of(value)
        if key == name or column is None or text is None:
            continue
        columns[column] = value
        own.append(({"column": column}, text))
    via: list[tuple[Part, str]] = []
    for fk in t.foreign_keys:
        if len(fk.columns) != 1 or fk.ref_table not in tables:
            continue
        text = text_of(columns.get(fk.columns[0]))
        row = samples.get((fk.ref_table, fk.ref_columns[0], text)) if text is not None else None
        for column, value in (row or {}).items():
            vt = text_of(value)
            if vt is not None and column != fk.ref_columns[0]:
                part = {
                    "via": fk.columns[0],
                    "table": fk.ref_table,
                    "target": fk.ref_columns[0],
                    "column": column,
                }
                via.append((part, vt))
    return own + via


def _compositions(value: str, known: list[tuple[Part, str]]) -> list[list[Part]]:
    """Every way to write `value` as known values (each a whole token) joined by separators, best first:
    fewer parts, then earlier-listed (own-column) values."""
    found: list[tuple[tuple[int, ...], list[Part]]] = []

    def walk(pos: int, parts: list[Part], ranks: list[int]) -> None:
        if pos == len(value):
            found.append(((len(parts), *ranks), list(parts)))
            return
        if len(found) > 64:
            return  # enough candidates: the examples decide between them
        sep = SEPARATOR.match(value, pos) if parts and "literal" not in parts[-1] else None
        if sep is not None:
            walk(sep.end(), [*parts, {"literal": sep.group(0)}], ranks)
        for rank, (part, text) in enumerate(known):
            end = pos + len(text)
            if not text or not value.startswith(text, pos):
                continue
            if end < len(value) and value[end].isalnum() and text[-1].isalnum():
                continue  # `3` is not the start of `31`
            if parts and "literal" not in parts[-1]:
                continue  # two values always have a separator between them
            walk(end, [*parts, part], [*ranks, rank])

    walk(0, [], [])
    found.sort(key=lambda f: f[0])
    return [
        parts
        for _, parts in found
        if sum(1 for p in parts if "literal" not in p) >= 2 and "literal" not in parts[-1]
    ]


def _agreed_composition(
    t: Table,
    name: str,
    seen: list[tuple[str, dict[str, Any]]],
    tables: dict[str, Table],
    backed: dict[str, dict[str, str]],
    samples: dict[tuple[str, str, str], dict[str, Any]],
) -> list[Part] | None:
    """The best composition of the first example that every other example showing the property agrees with."""
    per_example = [
        (value, dict(_part_texts(_values_known(t, obj, name, tables, backed, samples))))
        for value, obj in seen
    ]
    first_value, _ = seen[0]
    first_known = _values_known(t, seen[0][1], name, tables, backed, samples)
    for candidate in _compositions(first_value, first_known):
        if all(_rendered(candidate, texts) in (None, value) for value, texts in per_example):
            return candidate
    return None


def _part_texts(known: list[tuple[Part, str]]) -> list[tuple[str, str]]:
    return [(_part_key(part), text) for part, text in known]


def _part_key(part: Part) -> str:
    return "|".join(f"{k}={part[k]}" for k in sorted(part))


def _rendered(parts: list[Part], texts: dict[str, str]) -> str | None:
    """The composition written with one example's values; None when that example lacks one of them."""
    out: list[str] = []
    for part in parts:
        if "literal" in part:
            out.append(part["literal"])
            continue
        text = texts.get(_part_key(part))
        if text is None:
            return None
        out.append(text)
    return "".join(out)
