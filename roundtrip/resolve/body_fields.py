"""Type request bodies the docs wrote as field names ("Body: any of `branchId`, `status` (only `lost`)").

The reader records the names (readers/api_body_list); their types belong to the endpoint's resource,
which may be defined in another document: the schema named on the success line (`**200 OK** — `Copy``),
else the table the path maps to. A name the resource does not have is a dangling reference (RT206),
and a "(only ...)" restriction must be a subset of the resource field's values (RT201).

A body stated per role in the auth sentence ("librarian/admin (all fields plus `status`)") is typed the
same way, with the resource's create body first (the POST to its collection: it holds write-only fields
such as `password` that the success type leaves out); "all fields" is that create body's field names.
A companion named with "`password` with `currentPassword`" is no resource field: it is typed as its
partner's kind, without the partner's constraints (it is checked against the stored value, never stored).

A body field whose Required cell names who may send it ("staff only", "only for admins"; Field.sent_by holds the
docs' words) gets the roles those words name, the way the app matches a caller (roundtrip.appkit.context
`Principal.has_role`): a role the docs use (an auth statement, a role column's values) is itself, and a kind of
account (a table: "staff" → staff) is the roles of its role column (librarian, admin), or that kind when the table
has none. A word naming neither is an RT110 and the field stays open to every caller (no guessed roles).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from roundtrip.diagnostics import Sink
from roundtrip.ir import Endpoint, Field, Kind, RoleFields, Schema, Table, TypeRef
from roundtrip.ir.matching import Match, match_in_table, table_for_endpoint, table_for_type
from roundtrip.ir.naming import plural, singular
from roundtrip.source import Span

# (method, path without the base path, type named on the success line or "", span of the body label)
ListedBody = tuple[str, str, str, Span]

# "default 2500", ", default 'available'" inside a description: one clause up to the next `;` or `,`
_DEFAULT_CLAUSE = re.compile(r"(?:^|[;,]\s*)default\s+(?:'[^']*'|\"[^\"]*\"|`[^`]*`|[^;,]+)", re.IGNORECASE)


def type_listed_bodies(endpoints: tuple[Endpoint, ...], listed: Sequence[ListedBody], schemas: Sequence[Schema],
                       tables: Sequence[Table], sink: Sink) -> tuple[Endpoint, ...]:
    endpoints = name_senders(endpoints, tables, sink)
    if not listed and not any(e.request is not None and e.request.role_fields for e in endpoints):
        return endpoints
    by_name = {s.name: s for s in schemas}
    wanted = {(method, path): (resource, span) for method, path, resource, span in listed}
    out: list[Endpoint] = []
    for e in endpoints:
        hit = wanted.get((e.method, e.path))
        body = e.request
        shape = _object_of(body.type, by_name) if body is not None else None  # a named body (`UpdateMemberDto`) too
        if body is None or body.type is None or shape is None or (hit is None and not body.role_fields) or (
                hit is not None and body.type.kind is not Kind.OBJECT):
            out.append(e)
            continue
        create = _create_fields(e, endpoints, by_name) if body.role_fields else None
        roles = tuple(_expand_all_fields(rf, create, e, sink) for rf in body.role_fields)
        t = body.type
        if hit is not None and roles:
            # the roles' names in their order ("all fields" now expanded), then anything else the body lists
            stated = {f.name: f for f in t.fields}
            order = dict.fromkeys([*(n for rf in roles for n in rf.fields), *stated])
            t = replace(t, fields=tuple(stated.get(n) or Field(n, TypeRef(Kind.ANY), required=False, span=hit[1]) for n in order))
        if hit is not None:
            companions = {second: first for rf in roles for first, second in rf.requires}
            t = _Typer(e, hit[0], by_name, tables, sink, hit[1], create or {}, companions).body(t)
        _check_role_names(e, roles, t if hit is not None else shape, sink)
        out.append(replace(e, request=replace(body, type=t, role_fields=roles)))
    return tuple(out)


def _object_of(t: TypeRef | None, schemas: dict[str, Schema]) -> TypeRef | None:
    """The object type a body is, directly or through the schema it names."""
    if t is not None and t.kind is Kind.REF and t.ref in schemas and not t.args:
        t = schemas[t.ref].type
    return t if t is not None and t.kind is Kind.OBJECT else None


def _create_fields(e: Endpoint, endpoints: Sequence[Endpoint], schemas: dict[str, Schema]) -> dict[str, Field]:
    """The fields of the resource's create body: the POST to the collection the item path belongs to
    (`PATCH /members/{memberId}` → `POST /members`), else a POST answering the same success type."""
    parent = re.sub(r"/\{[^/}]+\}$", "", e.path)
    mine = _success_ref(e)
    posts = [p for p in endpoints if p.method == "POST" and p.request is not None and p.request.type is not None]
    post = next((p for p in posts if p.path == parent), None) or next(
        (p for p in posts if mine and _success_ref(p) == mine), None)
    t = _object_of(post.request.type if post is not None and post.request is not None else None, schemas)
    return {f.name: f for f in t.fields} if t is not None else {}


def _success_ref(e: Endpoint) -> str:
    for r in e.responses:
        if 200 <= r.status < 300 and r.body is not None and r.body.type is not None and r.body.type.kind is Kind.REF:
            return r.body.type.ref or ""
    return ""


def _expand_all_fields(rf: RoleFields, create: dict[str, Field] | None, e: Endpoint, sink: Sink) -> RoleFields:
    """"all fields plus `status`" → the create body's names, then the listed ones."""
    if not rf.all_fields:
        return rf
    if not create:
        sink.add("RT206", rf.span, f"the auth sentence of {e.key} gives {'/'.join(rf.roles)} \"all fields\", but no "
                 "POST creates this resource with a body to take them from; list the fields")
    names = tuple(dict.fromkeys((*(create or {}), *rf.fields)))
    return replace(rf, fields=names, all_fields=False)


def _check_role_names(e: Endpoint, roles: tuple[RoleFields, ...], t: TypeRef, sink: Sink) -> None:
    """A role may only be allowed fields the body has (a body typed by its own table must list them)."""
    have = {f.name for f in t.fields}
    for rf in roles:
        for name in rf.fields:
            if name not in have:
                sink.add("RT206", rf.span, f"the auth sentence of {e.key} lets {'/'.join(rf.roles)} send `{name}`, "
                         "which the request body does not have; fix the name or add the field to the body")


class _Typer:
    def __init__(self, e: Endpoint, resource: str, schemas: dict[str, Schema], tables: Sequence[Table], sink: Sink,
                 span: Span, create: dict[str, Field] | None = None, companions: dict[str, str] | None = None) -> None:
        self.e = e
        self.schemas = schemas
        self.sink = sink
        self.span = span
        self.create = create or {}  # the create body's fields, tried first (per-role bodies)
        self.companions = companions or {}  # "`password` with `currentPassword`": currentPassword → password
        schema = schemas.get(resource) if resource else None
        self.fields = {f.name: f for f in schema.type.fields} if schema is not None and schema.type.kind is Kind.OBJECT else None
        self.table = None
        if self.fields is None:
            self.table = table_for_type(resource, tables) if resource else table_for_endpoint(e, tables)
        self.where = f"`{resource}`" if self.fields is not None else f"table {self.table.name}" if self.table is not None else ""

    def body(self, t: TypeRef) -> TypeRef:
        if not self.where:
            self.sink.add("RT110", self.span, f"the request body of {self.e.key} lists fields, but no success type or "
                          "table names its resource; the fields were left untyped")
            return t
        return replace(t, fields=tuple(self.field(f) for f in t.fields))

    def field(self, f: Field) -> Field:
        found = self.resource_field(f.name)
        if found is None and f.name in self.companions:
            return self.companion(f)
        if found is None:
            self.sink.add("RT206", self.span, f"the request body of {self.e.key} lists `{f.name}`, which {self.where} "
                          "does not have; fix the name or document the field")
            return f
        narrowed = f.type.values if f.type.kind is Kind.ENUM else ()
        typ = found.type
        if narrowed:
            typ = self.narrow(f.name, found.type, narrowed)
        # the resource's words minus its default ("replacement cost, default 2500"): read back, they would state one
        description = "; ".join(d for d in (_DEFAULT_CLAUSE.sub("", found.description).strip(" ;,"), f.description) if d)
        # No default: a field the caller leaves out of "any of" keeps its stored value rather than being reset.
        return replace(found, type=typ, required=f.required, description=description, default=None, has_default=False,
                       span=f.span)

    def companion(self, f: Field) -> Field:
        """`currentPassword` beside `password`: the partner's kind, none of its rules (an old value may predate them)."""
        partner = self.companions[f.name]
        found = self.resource_field(partner)
        kind = found.type.kind if found is not None and found.type.kind in (Kind.STRING, Kind.INTEGER) else Kind.STRING
        return replace(f, type=TypeRef(kind), description=f"sent with {partner}; checked against the stored value, never stored")

    def resource_field(self, name: str) -> Field | None:
        if name in self.create:
            return self.create[name]
        if self.fields is not None:
            return self.fields.get(name)
        assert self.table is not None
        m = match_in_table(name, self.table)
        if m.kind is not Match.EXACT or m.column is None:
            return None
        col = m.column
        return Field(name, replace(col.type, nullable=col.nullable), description=col.description, span=col.span)

    def values_of(self, t: TypeRef) -> tuple[str, ...]:
        if t.kind is Kind.ENUM:
            return t.values
        if t.kind is Kind.REF and t.ref in self.schemas and not t.args:
            return self.values_of(self.schemas[t.ref].type)
        if t.kind is Kind.UNION and all(v.kind is Kind.LITERAL for v in t.variants):
            return tuple(str(v.literal) for v in t.variants)
        return ()

    def narrow(self, name: str, base: TypeRef, values: tuple[str, ...]) -> TypeRef:
        """"`status` (only `lost`, `withdrawn`)": the field's own values, a subset of the resource's."""
        allowed = self.values_of(base)
        stray = [v for v in values if allowed and v not in allowed]
        if stray:
            self.sink.add("RT201", self.span, f"the request body of {self.e.key} allows `{name}` to be "
                          f"{', '.join(stray)}, which {self.where} does not ({', '.join(allowed)})")
        return TypeRef(Kind.ENUM, nullable=base.nullable, values=values)


# ---------------------------------------------------------------- "staff only": who may send a field


def name_senders(endpoints: tuple[Endpoint, ...], tables: Sequence[Table], sink: Sink) -> tuple[Endpoint, ...]:
    """Each request field's sender words ("staff") → the roles they name (librarian, admin)."""
    if not any(f.sent_by for e in endpoints if e.request is not None and e.request.type is not None
               for f in e.request.type.fields):
        return endpoints
    roles = _RoleWords(endpoints, tables)
    out: list[Endpoint] = []
    for e in endpoints:
        t = e.request.type if e.request is not None else None
        if e.request is None or t is None or not any(f.sent_by for f in t.fields):
            out.append(e)
            continue
        fields = tuple(replace(f, sent_by=roles.name(e, f, sink)) if f.sent_by else f for f in t.fields)
        out.append(replace(e, request=replace(e.request, type=replace(t, fields=fields))))
    return tuple(out)


class _RoleWords:
    def __init__(self, endpoints: Sequence[Endpoint], tables: Sequence[Table]) -> None:
        self.known: dict[str, None] = {}  # every role word the docs use, in first-use order
        for e in endpoints:
            self.known.update(dict.fromkeys(e.auth.roles))
            for rf in e.request.role_fields if e.request is not None else ():
                self.known.update(dict.fromkeys(rf.roles))
        self.kinds: dict[str, tuple[str, ...]] = {}  # account kind ("staff", "member") → the roles its table holds
        for t in tables:
            values = _role_values(t)
            self.known.update(dict.fromkeys(values))
            account = any("password" in c or c in ("pin_hash", "passwd") for c in t.column_names)
            if values or account:  # an account table without roles: the app's caller is of its kind ("member")
                for word in (t.name, singular(t.name)):
                    self.kinds.setdefault(word, values or (singular(t.name),))

    def one(self, word: str) -> tuple[str, ...]:
        for w in dict.fromkeys((word, singular(word))):
            if w in self.kinds:
                return self.kinds[w]  # "staff" → the staff table's roles
            if w in self.known or plural(w) in self.known:
                return (w,)  # "admin", "admins"; "member" (the members table, a kind of account with no role column)
        return ()

    def name(self, e: Endpoint, f: Field, sink: Sink) -> tuple[str, ...]:
        named = [self.one(w) for w in f.sent_by]
        if all(named):
            return tuple(dict.fromkeys(r for group in named for r in group))
        unknown = ", ".join(f"`{w}`" for w, n in zip(f.sent_by, named, strict=True) if not n)
        have = ", ".join(self.known) or "none"
        sink.add("RT110", f.span, f"the request body of {e.key} lets only {unknown} send `{f.name}`, which names no role or "
                 f"kind of account the docs define (roles: {have}); the field was left open to every caller")
        return ()


def _role_values(t: Table) -> tuple[str, ...]:
    """The values of a table's role column (an ENUM, or a CHECK ... IN (...) list)."""
    col = next((c for c in t.columns if c.name in ("role", "roles", "user_role", "account_role")), None)
    if col is None:
        return ()
    if col.type.kind is Kind.ENUM and col.type.values:
        return tuple(col.type.values)
    for check in t.checks:
        m = re.match(rf"^\s*\(?\s*{re.escape(col.name)}\s+IN\s*\((.*)\)\s*\)?\s*$", check.expression, re.I)
        if m:
            return tuple(re.findall(r"'([^']*)'", m.group(1)))
    return ()
