"""The API half of the IR: endpoints, parameters, bodies, responses, documented errors, security."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from roundtrip.ir.schema import Origin
from roundtrip.ir.types import NO_CONSTRAINTS, Constraints, TypeRef
from roundtrip.source import NO_SPAN, Span

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class ParamIn(str, enum.Enum):
    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"


@dataclass(frozen=True)
class Parameter:
    name: str
    location: ParamIn
    type: TypeRef
    required: bool = False
    description: str = ""
    default: Any = None
    has_default: bool = False
    constraints: Constraints = NO_CONSTRAINTS
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class RoleFields:
    """The request fields some roles may send, stated per role in an auth sentence:
    "member (self: `email`, `password` with `currentPassword`) or librarian/admin (all fields plus `status`)".

    A role the sentence names without such a list may send any field of the body.
    """

    roles: tuple[str, ...]
    fields: tuple[str, ...]  # the names, in the docs' order ("all fields" already expanded in a Spec)
    self_only: bool = False  # "self:": only on the caller's own record
    # ("password", "currentPassword"): "`password` with `currentPassword`": sending the first needs the second,
    # which is checked (against the stored value), never stored
    requires: tuple[tuple[str, str], ...] = ()
    # "all fields plus ...": the resource's create-body fields come first. Only readers set it; the resolver
    # expands it into `fields` and clears it.
    all_fields: bool = False
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Body:
    """A request or response body: a type (usually a REF to a named schema) and the docs' example."""

    type: TypeRef | None
    example: Any = None
    has_example: bool = False
    content_type: str = "application/json"
    description: str = ""
    role_fields: tuple[RoleFields, ...] = ()  # request bodies only: which roles may send which fields
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Response:
    status: int
    description: str = ""
    body: Body | None = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class ErrorDoc:
    """A documented error: status plus the machine code and message the docs give."""

    status: int
    code: str = ""
    message: str = ""
    example: Any = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class RateLimit:
    requests: int
    per_seconds: int
    scope: str = ""  # "ip", "user", ...
    text: str = ""
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Auth:
    """Whether an endpoint needs a credential and which roles may call it.

    required=None means the docs did not say; the linker fills it from document defaults.
    """

    required: bool | None = None
    roles: tuple[str, ...] = ()
    text: str = ""
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # normalized: `{param}` style, leading slash, no trailing slash, without the base path
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    operation_id: str = ""
    auth: Auth = Auth()
    parameters: tuple[Parameter, ...] = ()
    request: Body | None = None
    responses: tuple[Response, ...] = ()
    errors: tuple[ErrorDoc, ...] = ()
    rate_limit: RateLimit | None = None
    caching: str = ""
    detailed: bool = True  # False: only named in a summary table / list, no section of its own
    origin: Origin = Origin.PROSE
    span: Span = field(default=NO_SPAN, compare=False)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


class SchemeKind(str, enum.Enum):
    BEARER = "bearer"
    API_KEY = "apiKey"
    BASIC = "basic"
    COOKIE = "cookie"
    OAUTH2 = "oauth2"


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    kind: SchemeKind
    bearer_format: str = ""  # "JWT"
    header: str = ""  # for apiKey
    description: str = ""
    span: Span = field(default=NO_SPAN, compare=False)
