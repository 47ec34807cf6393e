"""Errors as the docs document them: one envelope for every error the app raises.

The docs define the envelope (flat `{"error": "CODE", "message": ..., "details": [...], "requestId": ...}`
or nested `{"error": {"code": ..., "message": ...}}`); `Envelope` is that shape, read from
api_model.json. Validation errors become the docs' status (usually 400) and code, never
FastAPI's default 422 body, and unknown routes, wrong methods and crashes use the envelope too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """An error the app answers with: status, the docs' machine code, a message and optional details."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}


@dataclass(frozen=True)
class Envelope:
    """Where each part of an error goes in the documented error body."""

    path: tuple[str, ...] = ()  # () flat; ("error",) when the error object is nested
    code_key: str = "error"
    message_key: str | None = "message"
    details_key: str | None = "details"
    details_kind: str = "array"  # array | object | any
    detail_field_key: str = "field"
    detail_message_key: str = "issue"
    request_id_key: str | None = "requestId"
    status_key: str | None = None
    timestamp_key: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)  # other required keys, with placeholder values

    @classmethod
    def from_model(cls, data: dict[str, Any] | None) -> Envelope:
        if not data:
            return cls()
        return cls(
            path=tuple(data.get("path", ())),
            code_key=data.get("code", "error"),
            message_key=data.get("message"),
            details_key=data.get("details"),
            details_kind=data.get("details_kind", "array"),
            detail_field_key=data.get("detail_field", "field"),
            detail_message_key=data.get("detail_message", "message"),
            request_id_key=data.get("request_id"),
            status_key=data.get("status"),
            timestamp_key=data.get("timestamp"),
            extras=dict(data.get("extras", {})),
        )

    def body(self, status: int, code: str, message: str, details: Sequence[dict[str, str]] = (), request_id: str = "") -> dict[str, Any]:
        inner: dict[str, Any] = {self.code_key: code}
        if self.message_key:
            inner[self.message_key] = message
        if self.details_key:
            inner[self.details_key] = self._details(details)
        if self.request_id_key:
            inner[self.request_id_key] = request_id
        if self.status_key:
            inner[self.status_key] = status
        if self.timestamp_key:
            inner[self.timestamp_key] = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
        for key, value in self.extras.items():
            inner.setdefault(key, value)
        body: dict[str, Any] = inner
        for key in reversed(self.path):
            body = {key: body}
        return body

    def _details(self, details: Sequence[dict[str, str]]) -> Any:
        items = [{self.detail_field_key: d.get("field", ""), self.detail_message_key: d.get("issue", "")} for d in details]
        if self.details_kind == "array":
            return items
        if self.details_kind == "object":
            # Docs whose details is an object get the field problems keyed by field name.
            return {d.get("field", "") or "request": d.get("issue", "") for d in details}
        return items or None

    def code_of(self, body: Any) -> str | None:
        """The machine code inside an error body (None when the body is not an error)."""
        node = body
        for key in self.path:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        if isinstance(node, dict):
            code = node.get(self.code_key)
            return code if isinstance(code, str) else None
        return None


# Names pydantic adds to a location for the member of a union that failed (`("limit", "int")`).
UNION_TAGS = frozenset(
    "none str int float bool bytes uuid date datetime time timedelta decimal url enum literal model dict any "
    "constrained-str constrained-int constrained-float constrained-bytes constrained-decimal".split()
)


def _is_union_tag(part: str | int, previous: str | int | None) -> bool:
    if not isinstance(part, str) or not isinstance(previous, str):
        return False
    return part in UNION_TAGS or ("[" in part and part.endswith("]"))


def location(loc: Sequence[str | int]) -> str:
    """A pydantic error location as the docs write field paths: `ingredients[2].ingredientId`."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    parts = [p for i, p in enumerate(parts) if not _is_union_tag(p, parts[i - 1] if i else None)]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def validation_details(errors: Sequence[Any]) -> list[dict[str, str]]:
    """pydantic/FastAPI validation errors as `{field, issue}` pairs (input values are never echoed)."""
    out: list[dict[str, str]] = []
    for err in errors:
        if not isinstance(err, dict):
            continue
        loc = err.get("loc", ())
        if isinstance(loc, (list, tuple)) and len(loc) > 1 and loc[-1] == "none" and err.get("type") == "none_required":
            continue  # "should be None": the optional branch of a union, noise next to the real error
        msg = str(err.get("msg", "invalid value"))
        if err.get("type") == "missing":
            msg = "is required"
        elif err.get("type") == "json_invalid":
            msg = "request body is not valid JSON"
        item = {"field": location(loc) if isinstance(loc, (list, tuple)) else str(loc), "issue": msg}
        if item not in out:
            out.append(item)
    return out
