"""What a handler works with: the operation's description, the request's values, the caller, a connection.

A user override in OUT/custom/ receives the same `Context` as the generated handlers, and may call
`ctx.default()` to run the generated behaviour and adjust its result.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .errors import ApiError

if TYPE_CHECKING:
    from fastapi import Request

    from .runtime import Kit


@dataclass(frozen=True)
class Operation:
    """One documented operation, as api_model.json describes it."""

    id: str
    method: str
    path: str
    kind: str
    raw: dict[str, Any]

    @classmethod
    def from_model(cls, op_id: str, data: dict[str, Any]) -> Operation:
        return cls(op_id, str(data.get("method", "GET")), str(data.get("path", "/")), str(data.get("kind", "example")), data)

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    @property
    def table(self) -> str | None:
        return self.raw.get("table") or None

    @functools.cached_property
    def fields(self) -> Mapping[str, str]:
        """API field → column (read-only, one object per operation: the shaping plans are cached by it)."""
        return types.MappingProxyType(dict(self.raw.get("fields") or {}))

    @property
    def success(self) -> int:
        return int(self.raw.get("success", 200))

    @property
    def auth_required(self) -> bool:
        return self.raw.get("auth") == "required"

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(self.raw.get("roles") or ())

    def error(self, status: int, fallback_code: str, fallback_message: str) -> tuple[str, str]:
        """The documented (code, message) for a status on this operation, else the fallback."""
        doc = (self.raw.get("errors") or {}).get(str(status))
        if doc and doc.get("code"):
            return str(doc["code"]), str(doc.get("message") or fallback_message)
        return fallback_code, fallback_message

    def documents(self, status: int) -> bool:
        return str(status) in (self.raw.get("statuses") or [])

    def fail(self, status: int, fallback_code: str, fallback_message: str, details: list[dict[str, str]] | None = None) -> ApiError:
        code, message = self.error(status, fallback_code, fallback_message)
        return ApiError(status, code, message, details)


@dataclass
class Principal:
    """The authenticated caller: their row in the accounts table, id, role and scope values (tenant...)."""

    id: Any
    role: str
    table: str
    row: dict[str, Any]
    claims: dict[str, Any] = field(default_factory=dict)

    def has_role(self, roles: tuple[str, ...]) -> bool:
        if not roles:
            return True
        # Docs name roles ("admin") or kinds of account ("staff", "member" for a members table).
        singular = self.table[:-1] if self.table.endswith("s") else self.table
        return self.role in roles or self.table in roles or singular in roles


@dataclass
class Reply:
    """A handler's answer before it becomes an HTTP response."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    empty: bool = False  # 204 / 202 without a body


class Context:
    def __init__(self, kit: Kit, request: Request, op: Operation, params: dict[str, Any], body: Any) -> None:
        self.kit = kit
        self.request = request
        self.op = op
        self.params = params
        self.body = body  # the request body as a dict with the API's (camelCase) names, unset fields omitted
        self.principal: Principal | None = None
        self._conn: sa.Connection | None = None
        self._default: Callable[[Context], Reply] | None = None

    @property
    def conn(self) -> sa.Connection:
        if self._conn is None:
            self._conn = self.kit.engine.connect()
            self._conn.begin()
        return self._conn

    def close(self, commit: bool) -> None:
        if self._conn is None:
            return
        try:
            if commit:
                self._conn.commit()
            else:
                self._conn.rollback()
        finally:
            self._conn.close()
            self._conn = None

    def default(self) -> Reply:
        """The generated behaviour for this operation (for overrides that wrap it)."""
        if self._default is None:
            raise RuntimeError("no generated handler for this operation")
        return self._default(self)

    @property
    def client_ip(self) -> str:
        client = self.request.client
        return client.host if client else "unknown"
