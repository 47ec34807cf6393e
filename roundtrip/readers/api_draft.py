"""Mutable drafts of endpoints while their section is read; frozen into ir.Endpoint at the end of a document.

A draft collects statements in document order; the first statement of a fact wins (a TS interface
or field table types a body before a JSON example is used to infer one). "Same as GET" and
"Project object" references are resolved once the whole document has been read.
"""

from __future__ import annotations

import http
import re
from dataclasses import dataclass, field, replace
from typing import Any

from roundtrip.ir import (
    Auth,
    Body,
    Constraints,
    Endpoint,
    ErrorDoc,
    Kind,
    Origin,
    Parameter,
    ParamIn,
    RateLimit,
    Response,
    RoleFields,
    TypeRef,
)
from roundtrip.ir.naming import pascal, singular
from roundtrip.readers.api_body_list import BodyFieldList, listed_body_type, role_body_list
from roundtrip.readers.api_json import infer_type
from roundtrip.readers.api_paths import operation_id, parse_lead, path_params
from roundtrip.source import Span

BODY_METHODS = ("POST", "PUT", "PATCH")


@dataclass
class ResponseDraft:
    status: int
    span: Span
    description: str = ""
    type: TypeRef | None = None
    example: Any = None
    has_example: bool = False
    no_body: bool = False
    same_as: str = ""  # "GET", "signup", "GET /api/workspaces", "array item in GET /api/workspaces"
    object_name: str = ""  # "Project" from "Project object (see above)"


@dataclass
class Draft:
    method: str
    path: str
    span: Span
    origin: Origin = Origin.PROSE
    detailed: bool = True
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    auth: Auth = field(default_factory=Auth)
    params: list[Parameter] = field(default_factory=list)
    req_type: TypeRef | None = None
    req_example: Any = None
    req_has_example: bool = False
    req_span: Span | None = None
    req_none: bool = False
    req_description: str = ""
    req_list: BodyFieldList | None = None  # "Body: any of `a`, `b`": typed from the resource by the resolver
    # "Auth: member (self: `a`, `b`) or admin (all fields plus `c`)": which fields each role may send
    role_fields: tuple[RoleFields, ...] = ()
    responses: dict[int, ResponseDraft] = field(default_factory=dict)
    errors: list[ErrorDoc] = field(default_factory=list)
    rate_limit: RateLimit | None = None
    caching: str = ""
    # `**Validation**:` bullets (`- \`name\`: Required, 1-100 chars`): applied to the request body's fields
    rules: dict[str, tuple[bool | None, Constraints]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def response(self, status: int, span: Span) -> ResponseDraft:
        if status not in self.responses:
            self.responses[status] = ResponseDraft(status, span)
        return self.responses[status]

    def set_auth(self, auth: Auth) -> None:
        """First definite statement wins; a later one may add roles to a bare "Yes"."""
        if self.auth.required is None:
            self.auth = auth
        elif auth.required == self.auth.required and auth.roles and not self.auth.roles:
            self.auth = Auth(self.auth.required, auth.roles, self.auth.text, self.auth.span)

    def names_body(self) -> BodyFieldList | None:
        """The body as names only: "Body: any of ...", else every name the roles' lists give."""
        if self.req_list is None and self.role_fields:
            return role_body_list(self.role_fields, self.role_fields[0].span)
        return self.req_list

    def set_request_type(self, t: TypeRef, span: Span) -> None:
        if self.req_type is None:
            self.req_type = t
            self.req_span = self.req_span or span

    def set_request_example(self, value: Any, span: Span) -> None:
        if not self.req_has_example:
            self.req_example, self.req_has_example = value, True
            self.req_span = self.req_span or span

    def add_params(self, params: list[Parameter]) -> None:
        have = {(p.name, p.location) for p in self.params}
        for p in params:
            if (p.name, p.location) not in have:
                self.params.append(p)
                have.add((p.name, p.location))

    def add_errors(self, errors: list[ErrorDoc]) -> None:
        have = {(e.status, e.code, e.message) for e in self.errors}
        for e in errors:
            if (e.status, e.code, e.message) not in have:
                self.errors.append(e)
                have.add((e.status, e.code, e.message))

    def add_description(self, text: str) -> None:
        t = text.strip()
        if t:
            self.description = f"{self.description} {t}".strip() if self.description else t


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _first_sentence(text: str) -> str:
    m = re.search(r"(?<=[.!?])\s", text)
    s = text[: m.start()] if m else text
    return s.strip()[:200]


def _find_target(phrase: str, me: Draft, drafts: list[Draft]) -> Draft | None:
    """"GET" / "signup" / "member login" / "GET /api/workspaces" → the draft the docs point at."""
    lead = parse_lead(re.sub(r"^.*?\b(?=(GET|POST|PUT|PATCH|DELETE)\s+/)", "", phrase))
    if lead is not None:
        key = f"{lead.refs[0].method} {lead.refs[0].path}"
        return next((d for d in drafts if d.key == key), None)
    words = [w for w in re.split(r"[^a-z0-9]+", phrase.lower()) if w and w not in ("response", "the", "endpoint", "array", "item", "in")]
    if not words:
        return None
    if words[0] in ("get", "read", "fetch"):
        return next((d for d in drafts if d.method == "GET" and d.path == me.path), None) or next(
            (d for d in drafts if d.method == "GET" and me.path.startswith(d.path) and d is not me), None)
    joined = "-".join(words)
    for d in drafts:
        if d is me:
            continue
        last = [s for s in d.path.split("/") if s and not s.startswith("{")]
        tail = last[-1].lower() if last else ""
        if tail in (joined, "".join(words), "_".join(words)) or (len(words) == 1 and tail == words[0]):
            return d
    return None


def _resolve_response(rd: ResponseDraft, me: Draft, drafts: list[Draft], known: set[str]) -> None:
    if rd.type is None and rd.same_as:
        target = _find_target(rd.same_as, me, drafts)
        if target is not None and target is not me:
            src = next((target.responses[s] for s in sorted(target.responses) if 200 <= s < 300 and
                        (target.responses[s].type is not None or target.responses[s].has_example)), None)
            if src is not None:
                t = src.type if src.type is not None else (infer_type(src.example) if src.has_example else None)
                ex, has = src.example, src.has_example
                if "array item" in rd.same_as.lower() or "item in" in rd.same_as.lower():
                    if t is not None and t.kind is Kind.ARRAY:
                        t = t.items
                    if isinstance(ex, list):
                        ex, has = (ex[0], True) if ex else (None, False)
                rd.type = t
                if not rd.has_example and has:
                    rd.example, rd.has_example = ex, True
    if rd.type is None and rd.object_name:
        name = pascal(rd.object_name)
        if name in known:
            rd.type = TypeRef(Kind.REF, ref=name)
        else:
            _list_item(rd, me, drafts, name)


def _list_item(rd: ResponseDraft, me: Draft, drafts: list[Draft], name: str) -> None:
    """"Comment object (as in the list above)" where no schema is named Comment: an item of the list the same path's
    GET answers, when the path's resource is that name (`…/comments` → Comment)."""
    segments = [s for s in me.path.split("/") if s and not s.startswith(("{", ":"))]
    if not segments or pascal(singular(segments[-1])) != name:
        return
    lister = next((d for d in drafts if d is not me and d.method == "GET" and d.path == me.path), None)
    src = lister.responses.get(200) if lister is not None else None
    if src is None:
        return
    t = src.type if src.type is not None else (infer_type(src.example) if src.has_example else None)
    if t is not None and t.kind is Kind.OBJECT:  # an envelope: its one array of objects (`data`)
        arrays = [f.type for f in t.fields if f.type.kind is Kind.ARRAY and f.type.items is not None]
        t = arrays[0] if len(arrays) == 1 else None
    if t is None or t.kind is not Kind.ARRAY or t.items is None or t.items.kind not in (Kind.OBJECT, Kind.REF):
        return
    rd.type = t.items
    ex = src.example
    if isinstance(ex, dict):
        lists = [v for v in ex.values() if isinstance(v, list)]
        ex = lists[0] if len(lists) == 1 else None
    if not rd.has_example and isinstance(ex, list) and ex and isinstance(ex[0], dict):
        rd.example, rd.has_example = ex[0], True
    if src.type is None and rd.has_example and isinstance(rd.example, dict):
        # the list was typed by its example: the item is typed by its own example, as if it were written here (the
        # canonical docs write it here, and read back the same)
        rd.type = infer_type(rd.example)


def finalize(drafts: list[Draft], known: set[str]) -> list[Endpoint]:
    """Resolve cross-references and freeze every draft, in the order given."""
    for d in drafts:
        for rd in d.responses.values():
            _resolve_response(rd, d, drafts, known)
    return [freeze(d) for d in drafts]


def _apply_rule(f: Any, rule: tuple[bool | None, Constraints] | None) -> Any:
    if rule is None:
        return f
    required, cons = rule
    return replace(f, required=f.required if required is None else required, constraints=f.constraints.merged(cons))


def freeze(d: Draft) -> Endpoint:
    params = list(d.params)
    documented = {p.name for p in params if p.location is ParamIn.PATH}
    for name in path_params(d.path):
        if name not in documented:
            moved = next((p for p in params if p.name == name and p.location is ParamIn.QUERY), None)
            if moved is not None:  # a path parameter listed in an untitled parameter table
                params[params.index(moved)] = Parameter(name, ParamIn.PATH, moved.type, True, moved.description,
                                                        moved.default, moved.has_default, moved.constraints, moved.span)
            else:
                params.append(Parameter(name, ParamIn.PATH, TypeRef(Kind.STRING), True, span=d.span))
    request: Body | None = None
    names = d.names_body()
    if names is not None and d.req_type is None:
        d.req_type = listed_body_type(names, d.method)
    if not d.req_none and (d.req_type is not None or d.req_has_example):
        t = d.req_type if d.req_type is not None else infer_type(d.req_example)
        if d.rules and t.kind is Kind.OBJECT:
            t = replace(t, fields=tuple(_apply_rule(f, d.rules.get(f.name)) for f in t.fields))
        request = Body(t, d.req_example, d.req_has_example, description=d.req_description, role_fields=d.role_fields,
                       span=d.req_span or d.span)
    responses: list[Response] = []
    for status in sorted(d.responses):
        rd = d.responses[status]
        body: Body | None = None
        if not rd.no_body and (rd.type is not None or rd.has_example):
            t = rd.type if rd.type is not None else infer_type(rd.example)
            body = Body(t, rd.example, rd.has_example, span=rd.span)
        responses.append(Response(status, rd.description or _phrase(status), body, rd.span))
    summary = d.summary or _first_sentence(d.description)
    return Endpoint(
        method=d.method, path=d.path, summary=summary, description=d.description, tags=d.tags,
        operation_id=operation_id(d.method, d.path), auth=d.auth, parameters=tuple(params), request=request,
        responses=tuple(responses), errors=tuple(d.errors), rate_limit=d.rate_limit, caching=d.caching,
        detailed=d.detailed, origin=d.origin, span=d.span,
    )
