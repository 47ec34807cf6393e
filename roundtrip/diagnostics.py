"""Diagnostics: stable codes, severities, file:line, and a message that says what to change.

Codes are data (CODES) so the README, the JSON output and the tests all agree on them.
RT1xx reading, RT2xx consistency, RT3xx emitting, RT4xx verifying, RT9xx internal.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from roundtrip.source import NO_SPAN, Span


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


# code -> (default severity, short title). The title is what README lists.
CODES: dict[str, tuple[Severity, str]] = {
    # --- reading: input that could not be (fully) understood
    "RT101": (Severity.ERROR, "path does not exist"),
    "RT102": (Severity.ERROR, "no Markdown files found"),
    "RT103": (Severity.ERROR, "file is not readable text (binary or bad encoding)"),
    "RT104": (Severity.WARNING, "table row has a different number of cells than its header"),
    "RT105": (Severity.ERROR, "code fence is never closed"),
    "RT106": (Severity.WARNING, "SQL statement could not be parsed"),
    "RT107": (Severity.WARNING, "TypeScript block has syntax errors"),
    "RT108": (Severity.INFO, "JSON example is not strict JSON"),
    "RT109": (Severity.ERROR, "endpoint path is malformed"),
    "RT110": (Severity.INFO, "construct recognized only in part"),
    "RT111": (Severity.WARNING, "unknown type name"),
    "RT112": (Severity.INFO, "SQL statement kept as opaque text"),
    "RT113": (Severity.WARNING, "no endpoints and no tables found"),
    "RT120": (Severity.WARNING, "[NEEDS CLARIFICATION] marker"),
    "RT121": (Severity.INFO, "[ASSUMPTION] marker"),
    # --- consistency: two places state the same fact differently, or a reference dangles
    "RT201": (Severity.ERROR, "enum values disagree"),
    "RT202": (Severity.ERROR, "length or range limits disagree"),
    "RT203": (Severity.WARNING, "patterns disagree"),
    "RT204": (Severity.ERROR, "API field has no column to store it"),
    "RT205": (Severity.ERROR, "reference to an undefined type"),
    "RT206": (Severity.ERROR, "reference to an undefined table or column"),
    "RT207": (Severity.ERROR, "endpoint listed in a summary table has no detailed section"),
    "RT208": (Severity.WARNING, "detailed endpoint missing from its summary table"),
    "RT209": (Severity.ERROR, "endpoint documented twice"),
    "RT210": (Severity.ERROR, "field name or unit does not match its column"),
    "RT211": (Severity.ERROR, "convention stated with different values"),
    "RT212": (Severity.ERROR, "nullability disagrees"),
    "RT213": (Severity.ERROR, "types disagree"),
    "RT214": (Severity.WARNING, "table definitions disagree"),
    "RT215": (Severity.WARNING, "sample row violates its table"),
    "RT216": (Severity.WARNING, "table defined with no columns"),
    # --- emitting
    "RT301": (Severity.ERROR, "generated OpenAPI document is invalid"),
    "RT302": (Severity.WARNING, "response has no documented schema or example"),
    "RT303": (Severity.INFO, "database construct approximated or created on PostgreSQL only"),
    "RT304": (Severity.WARNING, "validation error added to an endpoint whose error table omits it"),
    # --- verify, stage 1 (docs): the docs' own examples and sample rows
    "RT400": (Severity.ERROR, "documented example does not match its schema"),
    "RT401": (Severity.ERROR, "sample row violates its table's types or constraints"),
    "RT402": (Severity.ERROR, "verify cannot reach or understand the backend (usage)"),
    # --- verify, stage 2 (interface): the backend's OpenAPI vs the compiled docs
    "RT410": (Severity.ERROR, "documented endpoint missing from the backend"),
    "RT411": (Severity.ERROR, "backend endpoint the docs do not describe"),
    "RT412": (Severity.ERROR, "parameter differs from the docs"),
    "RT413": (Severity.WARNING, "backend parameter the docs do not describe"),
    "RT414": (Severity.ERROR, "documented success status differs from the backend's"),
    "RT415": (Severity.WARNING, "backend declares a status the docs do not document"),
    "RT416": (Severity.INFO, "documented status not declared in the backend's OpenAPI"),
    "RT417": (Severity.ERROR, "request or response field differs from the docs"),
    "RT418": (Severity.ERROR, "validation constraint differs from the docs"),
    "RT419": (Severity.INFO, "documented constraint not declared by the backend (behaviour checks it)"),
    "RT420": (Severity.WARNING, "security requirement differs from the docs"),
    "RT421": (Severity.ERROR, "content type differs from the docs"),
    "RT422": (Severity.WARNING, "backend field the docs do not describe"),
    # --- verify, stage 4 (behaviour): requests built from the docs
    "RT430": (Severity.ERROR, "response status differs from the docs"),
    "RT431": (Severity.ERROR, "response body does not match the documented schema"),
    "RT432": (Severity.ERROR, "documented error not produced when its precondition holds"),
    "RT433": (Severity.ERROR, "error response does not follow the documented error envelope"),
    "RT434": (Severity.ERROR, "protected endpoint answers without valid credentials"),
    "RT435": (Severity.ERROR, "invalid input accepted (documented validation not enforced)"),
    "RT436": (Severity.ERROR, "stateful chain broken (create, read, list, update, delete)"),
    "RT437": (Severity.ERROR, "pagination convention not followed"),
    "RT438": (Severity.ERROR, "server error (5xx)"),
    "RT439": (Severity.INFO, "undocumented client-error status for generated input"),
    "RT440": (Severity.ERROR, "documented-status coverage below the threshold"),
    "RT441": (Severity.INFO, "documented status not exercised"),
    # --- `check`: the committed generated tree vs the docs
    "RT445": (Severity.ERROR, "generated file is stale or was edited"),
    "RT446": (Severity.ERROR, "generated file is missing"),
    "RT447": (Severity.WARNING, "generated file the docs no longer produce"),
    "RT448": (Severity.ERROR, "migration state in OUT cannot be read"),
    # --- verifying a live database against the docs (`db check`)
    "RT450": (Severity.ERROR, "table missing from the database"),
    "RT451": (Severity.ERROR, "database table the docs do not describe"),
    "RT452": (Severity.ERROR, "column missing from the database"),
    "RT453": (Severity.ERROR, "database column the docs do not describe"),
    "RT454": (Severity.ERROR, "column type differs from the docs"),
    "RT455": (Severity.ERROR, "column nullability differs from the docs"),
    "RT456": (Severity.ERROR, "column default differs from the docs"),
    "RT457": (Severity.ERROR, "primary key differs from the docs"),
    "RT458": (Severity.ERROR, "index or unique constraint differs from the docs"),
    "RT459": (Severity.ERROR, "foreign key differs from the docs"),
    "RT460": (Severity.ERROR, "enum type differs from the docs"),
    # --- internal
    "RT900": (Severity.ERROR, "internal error while reading (please report)"),
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    span: Span
    code: str
    message: str = field(compare=True)
    severity: Severity = field(default=Severity.ERROR, compare=False)
    related: tuple[Span, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.span.file,
            "line": self.span.line,
        }
        if self.related:
            out["related"] = [{"file": s.file, "line": s.line} for s in self.related]
        return out

    def __str__(self) -> str:
        return f"{self.span}: {self.severity} {self.code}: {self.message}"


def make(code: str, span: Span | None, message: str, *, related: Iterable[Span] = (), severity: Severity | None = None) -> Diagnostic:
    if code not in CODES:
        raise KeyError(f"unregistered diagnostic code {code}")
    sev = severity if severity is not None else CODES[code][0]
    return Diagnostic(span or NO_SPAN, code, message, sev, tuple(related))


class Sink:
    """Collects diagnostics from every stage; de-duplicates and sorts on the way out."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []

    def add(self, code: str, span: Span | None, message: str, *, related: Iterable[Span] = (), severity: Severity | None = None) -> None:
        self._items.append(make(code, span, message, related=related, severity=severity))

    def extend(self, items: Iterable[Diagnostic]) -> None:
        self._items.extend(items)

    def sorted(self) -> list[Diagnostic]:
        seen: set[tuple[object, ...]] = set()
        out: list[Diagnostic] = []
        for d in sorted(self._items, key=lambda d: (d.span.file, d.span.line, d.code, d.message)):
            key = (d.span.file, d.span.line, d.code, d.message)
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out

    def __len__(self) -> int:
        return len(self._items)


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.severity >= Severity.ERROR for d in diags)
