"""The typed model every stage shares. Pure data: no parsing, no I/O, no frameworks."""

from roundtrip.ir.api import (
    HTTP_METHODS,
    Auth,
    Body,
    Endpoint,
    ErrorDoc,
    Parameter,
    ParamIn,
    RateLimit,
    Response,
    RoleFields,
    SchemeKind,
    SecurityScheme,
)
from roundtrip.ir.data import (
    CheckConstraint,
    Column,
    Default,
    DefaultKind,
    EnumType,
    ExclusionConstraint,
    FKAction,
    ForeignKey,
    Index,
    IndexElement,
    OpaqueSQL,
    SampleRow,
    Table,
    UniqueConstraint,
)
from roundtrip.ir.periods import Period, PeriodOption
from roundtrip.ir.schema import Field, Origin, Schema
from roundtrip.ir.spec import (
    ApiInfo,
    Convention,
    EndpointMention,
    Facts,
    FieldLink,
    FieldRule,
    ResourceLink,
    Spec,
)
from roundtrip.ir.types import ANY, NO_CONSTRAINTS, Constraints, Kind, TypeRef

__all__ = [
    "ANY", "HTTP_METHODS", "NO_CONSTRAINTS", "ApiInfo", "Auth", "Body", "CheckConstraint", "Column",
    "Constraints", "Convention", "Default", "DefaultKind", "Endpoint", "EndpointMention", "EnumType",
    "ErrorDoc", "ExclusionConstraint", "FKAction", "Facts", "Field", "FieldLink", "FieldRule", "ForeignKey",
    "Index", "IndexElement", "Kind", "OpaqueSQL", "Origin", "ParamIn", "Parameter", "Period", "PeriodOption", "RateLimit",
    "ResourceLink", "Response", "RoleFields", "SampleRow", "Schema", "SchemeKind", "SecurityScheme", "Spec", "Table",
    "TypeRef", "UniqueConstraint",
]
