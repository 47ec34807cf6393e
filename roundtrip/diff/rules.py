"""The breaking-change rules, as data: id → (name, severity, what it means for clients or data).

RD1xx are API rules (what a client of the old API may stop being able to do), RD2xx database rules
(what an existing database or its data may not survive). Severities:
  breaking: an existing client or existing data can fail;  warning: may fail, depending on use or data;
  info: additive or neutral, listed so a reviewer sees every change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from roundtrip.source import Span


class ChangeSeverity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    BREAKING = 3

    def __str__(self) -> str:
        return self.name.lower()


RULES: dict[str, tuple[str, ChangeSeverity, str]] = {
    # ---- API
    "RD101": ("endpoint-removed", ChangeSeverity.BREAKING, "an endpoint clients call is gone"),
    "RD102": ("endpoint-added", ChangeSeverity.INFO, "a new endpoint"),
    "RD103": ("response-field-removed", ChangeSeverity.BREAKING, "clients reading the field get nothing"),
    "RD104": ("response-field-retyped", ChangeSeverity.BREAKING, "clients parse the field as the old type"),
    "RD105": (
        "response-field-optional",
        ChangeSeverity.WARNING,
        "a field clients rely on may now be missing or null",
    ),
    "RD106": ("response-field-added", ChangeSeverity.INFO, "a new field in a response"),
    "RD107": (
        "request-field-newly-required",
        ChangeSeverity.BREAKING,
        "requests without the field are now rejected",
    ),
    "RD108": ("request-field-retyped", ChangeSeverity.BREAKING, "values clients send are now rejected"),
    "RD109": (
        "request-field-removed",
        ChangeSeverity.WARNING,
        "the server no longer reads a field clients send",
    ),
    "RD110": ("request-field-added", ChangeSeverity.INFO, "a new optional field in a request"),
    "RD111": (
        "request-constraint-tightened",
        ChangeSeverity.BREAKING,
        "values that were valid are now rejected",
    ),
    "RD112": ("enum-value-removed", ChangeSeverity.BREAKING, "a value clients send or handle is gone"),
    "RD113": ("response-enum-value-added", ChangeSeverity.WARNING, "clients may not handle the new value"),
    "RD114": ("request-enum-value-added", ChangeSeverity.INFO, "a new accepted value"),
    "RD115": ("status-code-removed", ChangeSeverity.BREAKING, "clients expecting this status get another"),
    "RD116": ("status-code-added", ChangeSeverity.INFO, "a new success status"),
    "RD117": ("auth-added", ChangeSeverity.BREAKING, "anonymous callers are now rejected"),
    "RD118": (
        "auth-roles-narrowed",
        ChangeSeverity.BREAKING,
        "callers with a role that was allowed are now rejected",
    ),
    "RD119": ("auth-removed", ChangeSeverity.WARNING, "the endpoint no longer needs a credential"),
    "RD120": (
        "parameter-moved",
        ChangeSeverity.BREAKING,
        "a parameter is read from another place (query, path, header)",
    ),
    "RD121": (
        "parameter-newly-required",
        ChangeSeverity.BREAKING,
        "requests without the parameter are now rejected",
    ),
    "RD122": ("parameter-retyped", ChangeSeverity.BREAKING, "values clients send are now rejected"),
    "RD123": ("parameter-removed", ChangeSeverity.WARNING, "the server ignores a parameter clients send"),
    "RD124": ("parameter-added", ChangeSeverity.INFO, "a new optional parameter"),
    "RD125": ("request-body-added", ChangeSeverity.BREAKING, "requests without a body are now rejected"),
    "RD126": ("response-body-removed", ChangeSeverity.BREAKING, "clients reading the body get nothing"),
    # ---- database
    "RD201": ("table-dropped", ChangeSeverity.BREAKING, "the table and its rows are gone"),
    "RD202": ("table-added", ChangeSeverity.INFO, "a new table"),
    "RD203": ("column-dropped", ChangeSeverity.BREAKING, "the column's data is gone"),
    "RD204": ("column-added", ChangeSeverity.INFO, "a new nullable column"),
    "RD205": (
        "column-added-with-default",
        ChangeSeverity.INFO,
        "a new NOT NULL column existing rows get the default of",
    ),
    "RD206": (
        "column-added-not-null",
        ChangeSeverity.BREAKING,
        "a NOT NULL column without default cannot be added to a filled table",
    ),
    "RD207": (
        "column-renamed",
        ChangeSeverity.INFO,
        "a column renamed as the docs say (migrate with a rename, not drop and add)",
    ),
    "RD208": ("column-type-narrowed", ChangeSeverity.BREAKING, "existing values may not fit the new type"),
    "RD209": (
        "column-type-changed",
        ChangeSeverity.BREAKING,
        "existing values must be converted to another kind of type",
    ),
    "RD210": ("column-type-widened", ChangeSeverity.INFO, "every existing value still fits"),
    "RD211": ("column-made-not-null", ChangeSeverity.BREAKING, "existing NULLs violate the new constraint"),
    "RD212": ("column-made-nullable", ChangeSeverity.INFO, "NULL is now allowed"),
    "RD213": ("column-default-changed", ChangeSeverity.INFO, "new rows get another default"),
    "RD214": (
        "enum-value-removed",
        ChangeSeverity.BREAKING,
        "rows holding the value violate the new type or check",
    ),
    "RD215": ("enum-value-added", ChangeSeverity.INFO, "a new allowed value"),
    "RD216": (
        "unique-constraint-added",
        ChangeSeverity.BREAKING,
        "existing duplicates make the migration fail",
    ),
    "RD217": ("unique-constraint-removed", ChangeSeverity.INFO, "duplicates are now allowed"),
    "RD218": ("index-dropped", ChangeSeverity.INFO, "queries that used the index may slow down"),
    "RD219": ("index-added", ChangeSeverity.INFO, "a new index"),
    "RD220": ("foreign-key-added", ChangeSeverity.WARNING, "existing rows may violate the new reference"),
    "RD221": ("foreign-key-removed", ChangeSeverity.INFO, "a reference is no longer enforced"),
    "RD222": (
        "foreign-key-changed",
        ChangeSeverity.WARNING,
        "the reference or its ON DELETE/ON UPDATE action changed",
    ),
    "RD223": ("check-added", ChangeSeverity.WARNING, "existing rows may violate the new check"),
    "RD224": ("check-removed", ChangeSeverity.INFO, "a check is no longer enforced"),
    "RD225": ("primary-key-changed", ChangeSeverity.BREAKING, "rows are identified by other columns"),
    "RD226": ("enum-type-dropped", ChangeSeverity.WARNING, "a database enum type is gone"),
    "RD227": ("enum-type-added", ChangeSeverity.INFO, "a new database enum type"),
    "RD228": (
        "table-renamed",
        ChangeSeverity.INFO,
        "a table renamed as the docs say (migrate with a rename, not drop and create)",
    ),
    "RD229": (
        "index-redefined",
        ChangeSeverity.INFO,
        "an index kept its name with other columns, order, predicate or uniqueness "
        "(dropped and created again); breaking when it is unique and stricter: existing duplicates make the migration fail",
    ),
    "RD230": (
        "constraint-redefined",
        ChangeSeverity.WARNING,
        "a unique, check or exclusion constraint kept its name with a new "
        "definition (existing rows may violate it)",
    ),
    "RD231": (
        "exclusion-constraint-added",
        ChangeSeverity.WARNING,
        "existing rows may overlap and make the migration fail",
    ),
    "RD232": ("exclusion-constraint-removed", ChangeSeverity.INFO, "overlapping rows are now allowed"),
    "RD233": (
        "generated-column-changed",
        ChangeSeverity.WARNING,
        "the column's values are computed from another expression, "
        "or are now computed or stored (a column that becomes generated loses its stored values)",
    ),
}


@dataclass(frozen=True)
class Change:
    """One classified difference between two specs, pointing at the doc line in each."""

    rule: str
    subject: str  # stable key: "endpoint:GET /tasks/{}", "table:tasks/column:due_date"
    message: str
    old: Span | None = None
    new: Span | None = None
    severity: ChangeSeverity = field(default=ChangeSeverity.INFO)

    @property
    def name(self) -> str:
        return RULES[self.rule][0]

    def to_json(self) -> dict[str, object]:
        def loc(s: Span | None) -> dict[str, object] | None:
            return {"file": s.file, "line": s.line} if s is not None and s.line > 0 else None

        return {
            "rule": self.rule,
            "name": self.name,
            "severity": str(self.severity),
            "subject": self.subject,
            "message": self.message,
            "old": loc(self.old),
            "new": loc(self.new),
        }


def change(
    rule: str,
    subject: str,
    message: str,
    old: Span | None,
    new: Span | None,
    severity: ChangeSeverity | None = None,
) -> Change:
    """A Change with the rule's severity, or another where the rule says "depends": RD206 on an empty table is
    a warning, a redefined index or unique constraint is breaking when it rejects rows the old one allowed."""
    if rule not in RULES:
        raise KeyError(f"unregistered diff rule {rule}")
    return Change(rule, subject, message, old, new, severity if severity is not None else RULES[rule][1])
