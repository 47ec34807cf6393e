"""The root of the IR (`Spec`) and the readers' raw output (`Facts`).

Readers append everything they recognize to a mutable `Facts`, every statement kept
separately with its span (the same table may be stated by SQL, a column table and a
mermaid diagram). The resolver turns Facts into one frozen `Spec`, choosing a primary
statement per fact; the validator compares the statements and reports disagreements.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from roundtrip.ir.api import Auth, Endpoint, ErrorDoc, RateLimit, SecurityScheme
from roundtrip.ir.data import EnumType, OpaqueSQL, SampleRow, Table
from roundtrip.ir.periods import Period
from roundtrip.ir.schema import Origin, Schema
from roundtrip.ir.types import Constraints, TypeRef
from roundtrip.source import NO_SPAN, Span

# Which construct wins when the same fact is stated several times (lower is stronger).
TABLE_PRIORITY = {Origin.SQL: 0, Origin.COLUMN_TABLE: 1, Origin.CODE: 2, Origin.TYPESCRIPT: 3, Origin.MERMAID: 4, Origin.PROSE: 5}
SCHEMA_PRIORITY = {Origin.TYPESCRIPT: 0, Origin.OPENAPI: 1, Origin.FIELD_TABLE: 2, Origin.ZOD: 3, Origin.JSON_EXAMPLE: 4, Origin.CODE: 5}


@dataclass(frozen=True)
class Convention:
    """A document-wide fact stated in prose or a conventions table.

    Keys in use: pagination.default_limit, pagination.min_limit, pagination.max_limit, pagination.style
    (offset|page|cursor), pagination.envelope (data+meta|data+pagination|flat), sort.syntax, sort.error
    ("400 INVALID_SORT_FIELD": what an unknown sort field answers), auth.access_ttl_seconds,
    auth.refresh_ttl_seconds, auth.password_min_length, auth.password_max_length, auth.password_rules,
    auth.lockout_attempts, auth.lockout_seconds, auth.password_hash (bcrypt|argon2), auth.token_format (jwt|opaque),
    caching.default, rate_limit.default.
    """

    key: str
    value: Any
    text: str = ""
    span: Span = dc_field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class FieldRule:
    """A validation rule stated for an entity's field outside any type definition
    (a "Validation Rules" bullet, a `| Field | Values |` table)."""

    entity: str  # as written: "User", "Task", "exams"
    field: str  # as written: "name", "priority", "duration_minutes"
    constraints: Constraints = Constraints()
    values: tuple[str, ...] = ()  # enum values, if the rule lists them
    text: str = ""
    origin: Origin = Origin.PROSE
    span: Span = dc_field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EndpointMention:
    """An endpoint named without a section of its own: a summary-table row or an endpoint list item."""

    method: str
    path: str
    summary: str = ""
    auth: Auth = Auth()
    kind: str = "summary-table"  # summary-table | list | paragraph | code
    group: str = ""  # heading text of the enclosing section (the summary table's scope)
    group_span: Span = dc_field(default=NO_SPAN, compare=False)
    span: Span = dc_field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class ApiInfo:
    title: str = ""
    version: str = ""
    description: str = ""
    base_path: str = ""
    servers: tuple[str, ...] = ()
    span: Span = dc_field(default=NO_SPAN, compare=False)


@dataclass
class Facts:
    """Everything the readers recognized, one entry per statement, in document order."""

    files: list[str] = dc_field(default_factory=list)
    info: list[tuple[str, str, Span]] = dc_field(default_factory=list)  # (key, value, span): title, version, base_path, server, description
    endpoints: list[Endpoint] = dc_field(default_factory=list)
    mentions: list[EndpointMention] = dc_field(default_factory=list)
    schemas: list[Schema] = dc_field(default_factory=list)
    tables: list[Table] = dc_field(default_factory=list)
    enums: list[EnumType] = dc_field(default_factory=list)
    samples: list[SampleRow] = dc_field(default_factory=list)
    opaque_sql: list[OpaqueSQL] = dc_field(default_factory=list)
    extensions: list[tuple[str, Span]] = dc_field(default_factory=list)
    conventions: list[Convention] = dc_field(default_factory=list)
    field_rules: list[FieldRule] = dc_field(default_factory=list)
    security_schemes: list[SecurityScheme] = dc_field(default_factory=list)
    error_envelopes: list[Schema] = dc_field(default_factory=list)
    common_errors: list[ErrorDoc] = dc_field(default_factory=list)
    rate_limits: list[RateLimit] = dc_field(default_factory=list)
    # Fields that prose marks as derived: (entity or schema name, field name, span)
    computed: list[tuple[str, str, Span]] = dc_field(default_factory=list)
    # Request bodies written as field names ("Body: any of `a`, `b`"): (method, path, the type named on the
    # success line or "", span). The names are the endpoint's request fields; the resolver types them.
    listed_bodies: list[tuple[str, str, str, Span]] = dc_field(default_factory=list)
    periods: list[Period] = dc_field(default_factory=list)  # "Loan period: 21 days" (readers.prose_periods)


@dataclass(frozen=True)
class FieldLink:
    field: str  # API name (camelCase)
    column: str  # column name (snake_case)


@dataclass(frozen=True)
class ResourceLink:
    """Which table backs a schema or an endpoint, and which column backs each field."""

    subject: str  # "schema:Task" or "endpoint:POST /tasks"
    table: str
    fields: tuple[FieldLink, ...] = ()


@dataclass(frozen=True)
class Spec:
    info: ApiInfo = ApiInfo()
    security_schemes: tuple[SecurityScheme, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    schemas: tuple[Schema, ...] = ()
    tables: tuple[Table, ...] = ()
    enums: tuple[EnumType, ...] = ()
    extensions: tuple[str, ...] = ()
    opaque_sql: tuple[OpaqueSQL, ...] = ()
    samples: tuple[SampleRow, ...] = ()
    conventions: tuple[Convention, ...] = ()
    error_envelope: TypeRef | None = None
    common_errors: tuple[ErrorDoc, ...] = ()
    rate_limits: tuple[RateLimit, ...] = ()
    periods: tuple[Period, ...] = ()  # tied to the columns they set by resolve.periods
    links: tuple[ResourceLink, ...] = ()
    files: tuple[str, ...] = ()

    def schema(self, name: str) -> Schema | None:
        for s in self.schemas:
            if s.name == name:
                return s
        return None

    def table(self, name: str) -> Table | None:
        for t in self.tables:
            if t.name == name:
                return t
        return None

    def endpoint(self, method: str, path: str) -> Endpoint | None:
        for e in self.endpoints:
            if e.method == method and e.path == path:
                return e
        return None

    def convention(self, key: str) -> Any:
        for c in self.conventions:
            if c.key == key:
                return c.value
        return None
