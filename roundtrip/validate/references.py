"""Dangling references and endpoint bookkeeping: undefined types (RT205), undefined tables or
columns (RT206), summary rows without sections and sections without summary rows (RT207/RT208)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts, Kind, Spec, TypeRef
from roundtrip.source import Span

# Names TypeScript (and docs) use that are not schemas of the API.
_BUILTIN = {"Date", "Record", "Array", "Promise", "Omit", "Pick", "Partial", "Required", "Readonly", "Object", "Function",
            "Blob", "File", "Buffer", "Map", "Set", "unknown", "any", "object", "never", "void", "JSON"}


def _refs(t: TypeRef | None, scope: tuple[str, ...]) -> Iterator[str]:
    if t is None:
        return
    if t.kind is Kind.REF and t.ref and t.ref not in scope:
        yield t.ref
    for sub in (t.items,) + tuple(t.args) + tuple(t.variants):
        yield from _refs(sub, scope)
    for f in t.fields:
        yield from _refs(f.type, scope)


def check_type_refs(spec: Spec, sink: Sink) -> None:
    known = {s.name for s in spec.schemas} | _BUILTIN | {e.name for e in spec.enums}
    seen: set[tuple[str, Span]] = set()

    def report(name: str, span: Span, where: str) -> None:
        if name in known or (name, span) in seen:
            return
        seen.add((name, span))
        sink.add("RT205", span, f"{where} refers to type `{name}`, which no document defines; define it or fix the name")

    for s in spec.schemas:
        if s.type.kind is Kind.OBJECT:
            for f in s.type.fields:
                for name in _refs(f.type, s.params):
                    report(name, f.span if f.span.line else s.span, f"{s.name}.{f.name}")
        else:
            for name in _refs(s.type, s.params):
                report(name, s.span, s.name)
    for e in spec.endpoints:
        bodies = ([("request body", e.request)] if e.request else []) + [(f"response {r.status}", r.body) for r in e.responses if r.body]
        for label, body in bodies:
            for name in _refs(body.type, ()):  # type: ignore[union-attr]
                report(name, body.span if body.span.line else e.span, f"the {label} of {e.key}")  # type: ignore[union-attr]


def check_table_refs(spec: Spec, sink: Sink) -> None:
    tables = {t.name: t for t in spec.tables}
    for t in spec.tables:
        for fk in t.foreign_keys:
            target = tables.get(fk.ref_table)
            span = fk.span if fk.span.line else t.span
            if target is None:
                sink.add("RT206", span, f"{t.name}({', '.join(fk.columns)}) references table {fk.ref_table}, which no document defines")
                continue
            for col in fk.ref_columns:
                # a target with no primary key was read only in part (RT110 said so): don't pile on
                if target.columns and target.primary_key and target.column(col) is None:
                    sink.add("RT206", span, f"{t.name}({', '.join(fk.columns)}) references {fk.ref_table}.{col}, which does not exist")
            for col in fk.columns:
                if t.columns and t.column(col) is None:
                    sink.add("RT206", span, f"foreign key column {t.name}.{col} does not exist in table {t.name}")
        for idx in t.indexes:
            for el in idx.elements:
                if el.column and t.columns and t.column(el.column) is None:
                    sink.add("RT206", idx.span if idx.span.line else t.span, f"index {idx.name or '(unnamed)'} on {t.name} names column {el.column}, which the table does not have")
    for row in spec.samples:
        target = tables.get(row.table)
        if target is None:
            sink.add("RT215", row.span, f"sample row for table {row.table}, which no document defines")
            continue
        unknown = [k for k, _ in row.values if target.columns and target.column(k) is None]
        if unknown:
            sink.add("RT215", row.span, f"sample row for {row.table} sets {', '.join(unknown)}, which the table does not have")


def _group_key(title: str) -> str:
    t = re.sub(r"^[\d.\s]+", "", title).lower()
    t = re.sub(r"\b(endpoints?|api|routes?)\b", "", t)
    return re.sub(r"[^a-z0-9]+", " ", t).strip()


def check_summaries(facts: Facts, spec: Spec, sink: Sink) -> None:
    base = spec.info.base_path

    def norm(p: str) -> str:
        return p[len(base):] or "/" if base and p.startswith(base + "/") else p

    detailed = {e.key: e for e in spec.endpoints if e.detailed}
    tables = [m for m in facts.mentions if m.kind == "summary-table"]
    listed: dict[tuple[str, str], set[str]] = {}
    for m in tables:
        key = f"{m.method} {norm(m.path)}"
        listed.setdefault((m.group_span.file, _group_key(m.group)), set()).add(key)
        if key not in detailed:
            sink.add("RT207", m.span, f"{key} is listed in the {m.group or 'summary'} table but no section documents it; "
                     "add a detailed section or remove the row")
    for e in spec.endpoints:
        if not e.detailed or not e.tags:
            continue
        group = (e.span.file, _group_key(e.tags[0]))
        keys = listed.get(group)
        if keys is not None and e.key not in keys:
            sink.add("RT208", e.span, f"{e.key} has a section but is missing from the {e.tags[0]} summary table; add a row for it")
