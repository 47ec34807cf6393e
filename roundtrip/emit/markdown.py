"""The IR → canonical Markdown docs in the autoflow style (API_SPEC.md, DATA_MODEL.md, SECURITY.md).

    files = render_docs(spec)      # {"API_SPEC.md": "...", "DATA_MODEL.md": "...", ...}

"Canonical" means: reading these files back with roundtrip.readers gives the same Spec (spans
aside, and the few provenance facts listed in tests/test_render_docs.py), and rendering that Spec
again gives the same bytes. Pure function: no I/O, no clock; the writer puts the files on disk.
"""

from __future__ import annotations

from roundtrip.emit.md_api import render_endpoints
from roundtrip.emit.md_data import render_data_model
from roundtrip.emit.md_hoist import hoist_cell_types
from roundtrip.emit.md_periods import periods_section
from roundtrip.emit.md_prose import (
    access_schemes,
    api_head,
    conventions,
    envelope_schema,
    error_section,
    rate_limits,
    render_security,
)
from roundtrip.emit.md_schemas import render_schemas, schema_form
from roundtrip.ir import Spec

API_FILE = "API_SPEC.md"
DATA_FILE = "DATA_MODEL.md"
SECURITY_FILE = "SECURITY.md"


def render_api(spec: Spec) -> str:
    tables = frozenset(s.name for s in spec.schemas if schema_form(s) == "table")
    spec, declared = hoist_cell_types(spec, tables)  # types no table cell can carry get a name (md_hoist)
    out = api_head(spec)
    out += access_schemes(spec)
    out += conventions(spec)
    out += rate_limits(spec)
    out += periods_section(spec)  # "Loan period: 21 days" as a rules table (md_periods)
    out += error_section(spec)
    skip = envelope_schema(spec)
    schemas = tuple(s for s in spec.schemas if s.name != skip) + declared
    if schemas:
        out += ["## Data Types", ""] + render_schemas(schemas)
    out += render_endpoints(spec)
    return "\n".join(out).rstrip() + "\n"


def render_docs(spec: Spec) -> dict[str, str]:
    """Every canonical document for a Spec: file name → Markdown text."""
    files = {API_FILE: render_api(spec), DATA_FILE: render_data_model(spec)}
    security = render_security(spec)
    if security is not None:
        files[SECURITY_FILE] = security
    return files
