"""Reading the backend's OpenAPI document for `roundtrip sync`: a file path or an http(s) URL.

Every way this can fail (missing file, unreachable URL, a 404, text that is not an OpenAPI 3.x
document) is a `SyncError` with one line that says what to fix; the CLI turns it into exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class SyncError(Exception):
    """Bad input for sync (usage error, exit 2): the message is shown as is."""


def read_openapi(source: str) -> dict[str, Any]:
    """The parsed OpenAPI document at `source` (file or URL)."""
    from roundtrip.importers import parse_openapi_text

    text = _fetch(source)
    try:
        doc = parse_openapi_text(text)
    except ValueError as err:
        raise SyncError(f"{source} is not a usable OpenAPI document: {err}") from None
    if not isinstance(doc.get("paths", {}), dict):
        raise SyncError(f"{source} is not a usable OpenAPI document: `paths` is not a mapping")
    return doc


def _fetch(source: str) -> str:
    if source.startswith(("http://", "https://")):
        import httpx

        try:
            resp = httpx.get(source, timeout=30, follow_redirects=True)
        except httpx.HTTPError as err:
            raise SyncError(f"cannot fetch {source}: {type(err).__name__}: {err}") from None
        if resp.status_code >= 400:
            raise SyncError(f"cannot fetch {source}: the server answered {resp.status_code}")
        return resp.text
    path = Path(source)
    if not path.is_file():
        raise SyncError(f"{source}: no such file (give an OpenAPI file or an http(s) URL)")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SyncError(f"cannot read {source}: {err}") from None
