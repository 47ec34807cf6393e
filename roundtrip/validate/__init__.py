"""Validators: compare the statements in Facts and the resolved Spec; report, never fix."""

from __future__ import annotations

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts, Spec


def validate(facts: Facts, spec: Spec, sink: Sink) -> None:
    from roundtrip.validate.consistency import check_consistency

    check_consistency(facts, spec, sink)
