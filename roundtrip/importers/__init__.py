"""Importers: specs that did not come from Markdown docs — an OpenAPI document, a live database.

    spec = from_openapi(yaml.safe_load(text))          # OpenAPI 3.0 / 3.1
    spec = from_database("sqlite:///app.db")            # PostgreSQL or SQLite, reflected
    files = roundtrip.emit.markdown.render_docs(spec)   # canonical docs for it
"""

from __future__ import annotations

from roundtrip.importers.database import from_database
from roundtrip.importers.openapi import from_openapi, parse_openapi_text

__all__ = ["from_database", "from_openapi", "parse_openapi_text"]
