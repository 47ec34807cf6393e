"""The library API: every CLI command is one call here. Usable without the CLI.

    result = roundtrip.api.load(Path("specs"))      # read + resolve + validate
    doc = roundtrip.api.openapi(result.spec)          # OpenAPI 3.1 as a dict
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from roundtrip.diagnostics import Diagnostic, Sink, has_errors
from roundtrip.ir import Facts, Spec


@dataclass
class CompileResult:
    spec: Spec
    facts: Facts
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def load(path: Path) -> CompileResult:
    """Read every Markdown file under `path`, resolve one Spec, and check it for contradictions."""
    from roundtrip.readers import read_path
    from roundtrip.resolve import resolve
    from roundtrip.validate import validate

    sink = Sink()
    facts = read_path(Path(path), sink)
    spec = resolve(facts, sink)
    validate(facts, spec, sink)
    return CompileResult(spec, facts, sink.sorted())


def openapi(spec: Spec) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The OpenAPI 3.1 document for a Spec, plus RT3xx diagnostics from validating it."""
    from roundtrip.emit.openapi import build_openapi, validate_openapi

    doc = build_openapi(spec)
    return doc, validate_openapi(doc)


def compile_path(path: Path) -> tuple[CompileResult, dict[str, Any]]:
    """load() + openapi(): what `roundtrip compile` runs."""
    result = load(path)
    doc, diags = openapi(result.spec)
    result.diagnostics = sorted(result.diagnostics + diags, key=lambda d: (d.span.file, d.span.line, d.code))
    return result, doc
