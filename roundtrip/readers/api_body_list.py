"""Request bodies written as a list of field names: "Body: any of `branchId`, `callNumber`, `status`
(only `lost`, `withdrawn`)", "**Request body**: one or more of `title`, `dueDate`", "Body fields: `a`, `b`".

The names say which fields of the endpoint's resource the body carries; their types come from that
resource (the schema on the success line, else the table the path maps to), which may be defined in
another document, so the reader only records the names here and `roundtrip.resolve.body_fields`
types them. A "(only `a`, `b`)" right after a name narrows that field to those values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from roundtrip.ir import Field, Kind, TypeRef
from roundtrip.markdown.inline import code_spans
from roundtrip.readers.api_text import flat
from roundtrip.source import Span

# "any of" / "one or more of" / "at least one of": every field optional (PATCH semantics);
# "fields:" / "fields" just lists them.
_LEAD = re.compile(r"^\s*(?P<word>any of|one or more of|at least one of|some of|fields?\s*:?)\s*(?=`)", re.I)
_NAME = re.compile(r"^`(?P<name>[A-Za-z_][A-Za-z0-9_]*)`")
_SEPARATOR = re.compile(r"^\s*(?:,\s*(?:and|or)?|and|or|/)\s*(?=`)", re.I)
_ONLY = re.compile(r"^\s*\(\s*only\s+(?P<inner>[^)]*)\)", re.I)


@dataclass(frozen=True)
class ListedField:
    name: str
    values: tuple[str, ...] = ()  # "(only `lost`, `withdrawn`)": the values this body may set
    note: str = ""  # the rest of that parenthesis ("`on_loan` is set by circulation")


@dataclass(frozen=True)
class BodyFieldList:
    fields: tuple[ListedField, ...]
    any_of: bool  # "any of": each field optional
    span: Span


def read_body_field_list(text: str, span: Span) -> BodyFieldList | None:
    """The text after a body label → the listed fields, or None when it is not such a list."""
    m = _LEAD.match(text)
    if not m:
        return None
    any_of = not m.group("word").lower().startswith("field")
    rest = text[m.end():]
    fields: list[ListedField] = []
    while True:
        nm = _NAME.match(rest)
        if not nm:
            break
        rest = rest[nm.end():]
        values: tuple[str, ...] = ()
        note = ""
        om = _ONLY.match(rest)
        if om:
            allowed, _, tail = om.group("inner").partition(";")
            values = tuple(dict.fromkeys(c for c in code_spans(allowed) if re.fullmatch(r"[\w.-]+", c)))
            note = flat(tail).strip()
            rest = rest[om.end():]
        fields.append(ListedField(nm.group("name"), values, note))
        sm = _SEPARATOR.match(rest)
        if not sm:
            break
        rest = rest[sm.end():]
    if not fields:
        return None
    return BodyFieldList(tuple(fields), any_of, span)


def listed_body_type(listed: BodyFieldList, method: str) -> TypeRef:
    """The body as far as the reader knows it: the names, required or not, restricted values; the
    other types stay ANY until the resolver looks the names up in the endpoint's resource."""
    required = not listed.any_of and method != "PATCH"
    fields = tuple(
        Field(f.name, TypeRef(Kind.ENUM, values=f.values) if f.values else TypeRef(Kind.ANY), required=required,
              description=f.note, span=listed.span)
        for f in listed.fields
    )
    return TypeRef(Kind.OBJECT, fields=fields)
