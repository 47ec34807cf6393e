"""Request bodies written as a list of field names: "Body: any of `branchId`, `callNumber`, `status`
(only `lost`, `withdrawn`)", "**Request body**: one or more of `title`, `dueDate`", "Body fields: `a`, `b`".

The names say which fields of the endpoint's resource the body carries; their types come from that
resource (the schema on the success line, else the table the path maps to), which may be defined in
another document, so the reader only records the names here and `roundtrip.resolve.body_fields`
types them. A "(only `a`, `b`)" right after a name narrows that field to those values.

The same names may be stated per role inside the auth sentence ("Auth: member (self: `email`, `phone`,
`password` with `currentPassword`) or librarian/admin (all fields plus `status`)"): `read_role_fields`
reads those lists; the body is then every name any role may send, each optional, and the allowance
per role is kept on the body (`ir.RoleFields`) for the app to enforce.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from roundtrip.ir import Field, Kind, RoleFields, TypeRef
from roundtrip.markdown.inline import code_spans
from roundtrip.readers.api_meta import roles_in
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


# ---------------------------------------------------------------- per role, in the auth sentence

# "self:" — the role edits only its own record; "all fields plus" / "all fields and" / "all fields," / "all fields"
_SELF = re.compile(r"^\s*(?:self|own)\s*:\s*", re.I)
_ALL_FIELDS = re.compile(r"^\s*all(?: the)? fields\b\s*(?:(?:plus|and|,)\s*)?", re.I)
# "`password` with `currentPassword`": the second accompanies (confirms) the first
_WITH = re.compile(r"^\s*with\s+(?=`)", re.I)
_LIST_END = re.compile(r"^\s*\.?\s*$")


def read_role_fields(text: str, roles: tuple[str, ...], span: Span) -> tuple[RoleFields, ...]:
    """"member (self: `a`, `b` with `c`) or librarian/admin (all fields plus `d`)" → one RoleFields per
    parenthesis that is such a list, for roles the auth statement names (`roles`). A parenthesis that is
    prose ("(own loan)", "(with `memberId`)") is not a list; the roles before it then state no fields."""
    out: list[RoleFields] = []
    start = 0
    for open_at, close_at in _top_level_parens(text):
        before = text[start:open_at]
        start = close_at + 1
        group = tuple(r for r in roles_in(before) if r in roles)
        listed = _role_list(text[open_at + 1:close_at])
        if group and listed is not None:
            fields, self_only, requires, all_fields = listed
            out.append(RoleFields(group, fields, self_only, requires, all_fields, span))
    return tuple(out)


def _top_level_parens(text: str) -> list[tuple[int, int]]:
    """(index of "(", index of its ")") for each outermost parenthesis outside code spans."""
    out: list[tuple[int, int]] = []
    depth, opened, in_code = 0, -1, False
    for i, ch in enumerate(text):
        if ch == "`":
            in_code = not in_code
        elif in_code:
            continue
        elif ch == "(":
            if depth == 0:
                opened = i
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                out.append((opened, i))
    return out


def _role_list(inner: str) -> tuple[tuple[str, ...], bool, tuple[tuple[str, str], ...], bool] | None:
    """The inside of one role's parenthesis → (names, self only, (field, companion) pairs, "all fields"),
    or None unless the whole parenthesis is such a list."""
    rest = inner
    sm = _SELF.match(rest)
    self_only = sm is not None
    if sm:
        rest = rest[sm.end():]
    am = _ALL_FIELDS.match(rest)
    all_fields = am is not None
    if am:
        rest = rest[am.end():]
    names: list[str] = []
    requires: list[tuple[str, str]] = []
    while True:
        nm = _NAME.match(rest.lstrip())
        if not nm:
            break
        rest = rest.lstrip()[nm.end():]
        name = nm.group("name")
        names.append(name)
        wm = _WITH.match(rest)
        if wm:
            cm = _NAME.match(rest[wm.end():])
            if not cm:
                return None
            rest = rest[wm.end() + cm.end():]
            names.append(cm.group("name"))
            requires.append((name, cm.group("name")))
        sep = _SEPARATOR.match(rest)
        if not sep:
            break
        rest = rest[sep.end():]
    if not _LIST_END.match(rest) or not (names or all_fields):
        return None
    return tuple(dict.fromkeys(names)), self_only, tuple(requires), all_fields


def role_body_list(role_fields: tuple[RoleFields, ...], span: Span) -> BodyFieldList:
    """The body the roles' lists make together: every name any role may send, each optional."""
    names = dict.fromkeys(n for rf in role_fields for n in rf.fields)
    return BodyFieldList(tuple(ListedField(n) for n in names), True, span)
