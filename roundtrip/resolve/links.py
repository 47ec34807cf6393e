"""Spec.links: which table backs each named schema and each endpoint, field by field.
Later stages persist what the API receives through these links (camelCase ↔ snake_case)."""

from __future__ import annotations

from roundtrip.ir import FieldLink, Kind, ResourceLink, Spec
from roundtrip.ir.matching import Match, match_in_table, table_for_endpoint, table_for_type


def build_links(spec: Spec) -> tuple[ResourceLink, ...]:
    links: list[ResourceLink] = []
    tables = spec.tables
    for s in spec.schemas:
        if s.type.kind is not Kind.OBJECT:
            continue
        t = table_for_type(s.name, tables)
        if t is None:
            continue
        fields = []
        for f in s.type.fields:
            m = match_in_table(f.name, t)
            if m.kind in (Match.EXACT, Match.CREDENTIAL, Match.AFFIX) and m.column is not None:
                fields.append(FieldLink(f.name, m.column.name))
        links.append(ResourceLink(f"schema:{s.name}", t.name, tuple(fields)))
    for e in spec.endpoints:
        body_fields: list[str] = []
        if e.request and e.request.type is not None:
            bt = e.request.type
            if bt.kind is Kind.REF and bt.ref:
                sch = spec.schema(bt.ref)
                bt = sch.type if sch else bt
            body_fields = [f.name for f in bt.fields] if bt.kind is Kind.OBJECT else []
        t = table_for_endpoint(e, tables, body_fields)
        if t is None:
            continue
        fields = []
        for name in body_fields:
            m = match_in_table(name, t)
            if m.column is not None and m.kind is not Match.UNIT:
                fields.append(FieldLink(name, m.column.name))
        links.append(ResourceLink(f"endpoint:{e.key}", t.name, tuple(fields)))
    return tuple(links)
