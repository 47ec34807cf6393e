"""All cross-document checks, in one order (the output is sorted by file:line anyway)."""

from __future__ import annotations

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts, Spec
from roundtrip.validate.api_db import check_api_vs_db
from roundtrip.validate.references import check_summaries, check_table_refs, check_type_refs
from roundtrip.validate.statements import check_conventions, check_tables, check_zod_vs_types


def check_consistency(facts: Facts, spec: Spec, sink: Sink) -> None:
    check_summaries(facts, spec, sink)
    check_type_refs(spec, sink)
    check_table_refs(spec, sink)
    check_tables(facts, sink)
    check_zod_vs_types(facts, spec, sink)
    check_conventions(facts, sink)
    check_api_vs_db(facts, spec, sink)
    if not spec.endpoints and not spec.tables and spec.files:
        from roundtrip.source import Span

        sink.add("RT113", Span(spec.files[0], 1), "no endpoints and no tables were recognized; see the README for the conventions roundtrip reads")
