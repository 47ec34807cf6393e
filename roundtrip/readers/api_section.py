"""Read the blocks of one endpoint section into a Draft, driven by labels.

A label line (`**Request Body**:`, `Success \\`201\\`:`, `Auth: public · Rate limit: 10/min`) sets what the
following tables, fences and lists describe, until the next label. Lines are read one at a time and
split on ` · `, because docs pack several labels into one paragraph line or join lines without a blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from roundtrip.diagnostics import Sink
from roundtrip.ir import Auth, ErrorDoc, Kind, ParamIn, TypeRef
from roundtrip.ir.naming import pascal
from roundtrip.markdown import Block, Fence, Heading, ListBlock, Paragraph, Table
from roundtrip.markdown.inline import code_spans
from roundtrip.readers.api_body_list import read_body_field_list, read_role_fields
from roundtrip.readers.api_draft import BODY_METHODS, Draft
from roundtrip.readers.api_errors import (
    code_from_example,
    error_item,
    errors_from_table,
    errors_inline,
    is_error_table,
    looks_like_error_item,
)
from roundtrip.readers.api_fields import (
    fields_from_rows,
    params_from_rows,
    parse_type_expr,
    read_rows,
    specs_from_items,
    specs_from_text,
)
from roundtrip.readers.api_json import Segment, parse_examples, parse_inline
from roundtrip.readers.api_labels import (
    SINGLE_VALUE,
    Label,
    LabelLine,
    classify,
    header_roles,
    match_label,
    split_mid_bold_status,
    split_segments,
)
from roundtrip.readers.api_meta import parse_auth, parse_rate_limit
from roundtrip.readers.api_text import flat
from roundtrip.readers.constraints import parse_phrase
from roundtrip.source import Span

JSON_LANGS = ("json", "jsonc", "json5", "javascript", "js", "")
TS_LANGS = ("typescript", "ts", "tsx")
_TS_DECL = re.compile(r"^\s*(?:export\s+)?(?:declare\s+)?(?:interface|type)\s+([A-Z]\w*)\s*(<[^>{=]*>)?")
_TS_GENERIC_ARG = re.compile(r"//\s*([A-Z])\s*=\s*([A-Z]\w*)")
_PARAM_LABELS = {Label.QUERY: ParamIn.QUERY, Label.PATH: ParamIn.PATH, Label.HEADERS: ParamIn.HEADER}
_AUTH_VALUE_LABEL = re.compile(r"^(public|protected|private|authenticated|auth(entication)? required)\b", re.I)
_NO_BODY = re.compile(r"^(no content|no body|none|empty|n/a|nothing|no request body|no response body)\b", re.I)
_SAME_AS = re.compile(r"\bsame(?: shape| response| body)? as\s+(.+?)(?:[.;]\s|[.;]?$|,\s*(?:plus|with|but)\b|\s+with\b)", re.I)
_OBJECT = re.compile(r"\b(?:(?:updated|created|new|the|a|an|full|single)\s+)?([A-Za-z][A-Za-z0-9]*)\s+object\b", re.I)
_RETURNS = re.compile(r"^returns?\b", re.I)


@dataclass
class InlineBody:
    type: TypeRef | None = None
    example: Any = None
    has_example: bool = False
    no_body: bool = False
    same_as: str = ""
    object_name: str = ""


def inline_body(text: str) -> InlineBody:
    """What a label's own line says about a body: `User`, `ListResponse<Exam>`, "`A` (x) or `B` (y)",
    "No content", "Same as GET", "Project object (see above)", `` `{ "token": "..." }` ``."""
    out = InlineBody()
    t = text.strip().lstrip(":—–-").strip()
    if not t:
        return out
    low = flat(t).lower()
    if _NO_BODY.match(low):
        out.no_body = True
        return out
    sm = _SAME_AS.search(flat(t))
    if sm:
        out.same_as = sm.group(1).strip()
    codes = code_spans(t)
    om = _OBJECT.search(flat(t))
    if om and om.group(1).lower() not in ("json", "response", "this", "same", "an", "a") and (
            not codes or flat(t).find(om.group(0)) < flat(t).find(codes[0])):
        out.object_name = pascal(om.group(1))  # "Task object. Response includes `ETag`": the phrase comes first
        return out
    types: list[TypeRef] = []
    for i, c in enumerate(codes):
        if c.startswith(("{", "[")):
            try:
                out.example, out.has_example = parse_inline(c), True
                break
            except ValueError:
                pass
        te = parse_type_expr(c)
        if te is None or te.kind in (Kind.LITERAL,):
            if types:
                break
            continue
        if te.kind not in (Kind.REF, Kind.ARRAY, Kind.UNION, Kind.OBJECT, Kind.MAP) and not c.startswith("{"):
            if types:
                break
            continue
        types.append(te)
        # `A` (x) or `B` (y): a union only when the text between the spans is just "or"
        between = t.split(f"`{c}`", 1)[1] if f"`{c}`" in t else ""
        nxt = codes[i + 1] if i + 1 < len(codes) else None
        gap = between.split(f"`{nxt}`", 1)[0] if nxt else ""
        if not (nxt and re.fullmatch(r"\s*(\([^)]*\))?\s*or\s*", gap)):
            break
    if len(types) == 1:
        out.type = types[0]
    elif len(types) > 1:
        out.type = TypeRef(Kind.UNION, variants=tuple(types))
    if out.type is None and not out.has_example and om and om.group(1).lower() not in ("json", "response", "this", "same", "an", "a"):
        out.object_name = pascal(om.group(1))
    return out


def ts_decl(content: str) -> TypeRef | None:
    """The first interface/type a TS fence declares, as a REF (`// T = X` fills a generic parameter)."""
    for ln in content.split("\n"):
        m = _TS_DECL.match(ln)
        if m:
            args: tuple[TypeRef, ...] = ()
            if m.group(2):
                gm = _TS_GENERIC_ARG.search(content)
                if gm:
                    args = (TypeRef(Kind.REF, ref=gm.group(2)),)
            return TypeRef(Kind.REF, ref=m.group(1), args=args)
    return None


_TRAILING_LABEL = re.compile(r"(?<=[.!?)])\s+(?=(?:Errors?|Error responses?|Rate limit|Auth|Returns|Response|Body)\s*:\s)")


def split_trailing_label(segment: str) -> list[str]:
    """"Fines are marked paid later. Errors: `404 X`" → the sentence, then the label."""
    m = _TRAILING_LABEL.search(segment)
    if not m or segment[: m.start()].count("**") % 2 == 1 or segment[: m.start()].count("`") % 2 == 1:
        return [segment]  # inside bold or code: one statement ("**Auth required. Rate limit: 5/hr.**")
    return [segment[: m.start()].strip(), segment[m.end():].strip()]


class SectionReader:
    """Applies one endpoint section's blocks to a draft."""

    def __init__(self, draft: Draft, file: str, sink: Sink) -> None:
        self.d = draft
        self.file = file
        self.sink = sink
        self.label: LabelLine | None = None
        self.status: int | None = None  # response status the current label describes
        self.error_status: int | None = None  # `**Error Response (404)**`: a fence after it is that error's example
        self.seen_label = False
        self.seen_content = False  # a table, fence or list was read: loose text after it is a note, not the description
        self.block: Block | None = None  # the block being read
        self.label_block: Block | None = None  # the block whose line set the current label

    # ---------------------------------------------------------------- dispatch

    def walk(self, blocks: list[Block]) -> None:
        for b in blocks:
            self.block = b
            if isinstance(b, (Table, Fence, ListBlock)):
                self.seen_content = True
            if isinstance(b, Paragraph):
                for line_no, text in b.lines():
                    self.line(text, line_no)
            elif isinstance(b, Heading):
                self.heading(b)
            elif isinstance(b, Table):
                self.table(b)
            elif isinstance(b, Fence):
                self.fence(b)
            elif isinstance(b, ListBlock):
                self.list_block(b)

    @property
    def kind(self) -> Label | None:
        return self.label.kind if self.label else None

    def heading(self, h: Heading) -> None:
        kind = classify(h.text, bold=True)
        ll = match_label(f"**{flat(h.text)}**")
        if kind is not None and ll is not None:
            self.set_label(ll, h.span.line)
        else:
            self.label = LabelLine(Label.OTHER, flat(h.text), None, "", True)

    def line(self, text: str, line_no: int) -> None:
        for seg in (p for s in split_segments(text) for p in split_trailing_label(s)):
            if seg.startswith(("—", "–")) and not self.seen_label:
                seg = seg.lstrip("—– ").strip()
            mid = split_mid_bold_status(seg)
            parts = [mid[0], mid[1]] if mid and not match_label(seg) else [seg]
            for part in parts:
                ll = match_label(part)
                if ll is not None:
                    self.set_label(ll, line_no)
                else:
                    self.content(part, line_no)

    # ---------------------------------------------------------------- labels

    def set_label(self, ll: LabelLine, line_no: int) -> None:
        span = Span(self.file, line_no)
        if ll.kind is Label.QUERY and ll.label.lower() == "optional" and self.kind is not Label.QUERY:
            ll = LabelLine(Label.NOTE, ll.label, None, ll.rest, ll.bold)  # "Optional: `date`" in prose about a body
        self.label, self.status, self.error_status = ll, None, None
        self.label_block = self.block
        self.seen_label = True
        k, rest = ll.kind, ll.rest
        d = self.d
        if k is Label.DESCRIPTION:
            d.add_description(flat(rest))
        elif k is Label.AUTH:
            label_is_value = ll.bold and _AUTH_VALUE_LABEL.match(ll.label) and (not rest or rest.startswith(("(", "—", "–")))
            value = f"{ll.label} {rest}".strip() if label_is_value else rest
            auth = parse_auth(value, span)
            d.set_auth(auth)
            d.role_fields = d.role_fields or read_role_fields(value, auth.roles, span)
            if re.search(r"rate[ -]?limit", value, re.I) and d.rate_limit is None:
                d.rate_limit = parse_rate_limit(re.split(r"rate[ -]?limit", value, flags=re.I)[1], span)
        elif k is Label.RATE:
            if d.rate_limit is None:
                d.rate_limit = parse_rate_limit(rest, span)
        elif k is Label.CACHING:
            d.caching = d.caching or flat(rest)
        elif k is Label.REQUEST:
            d.req_span = d.req_span or span
            listing = f"fields: {rest}" if ll.label.lower().rstrip(" :").endswith("fields") else rest
            if self.request_list(listing, span):
                return  # the names are the body; the rest of the line notes on them, not its description
            if re.search(r"[A-Za-z]{2}", flat(re.sub(r"`[^`]*`", "", rest))):
                d.req_description = d.req_description or flat(rest).strip("():").strip()
            self.request_inline(rest, span)
        elif k is Label.RESPONSE:
            status = ll.status or 200
            if status >= 400:
                self.error_status = status
                d.add_errors(errors_inline(f"{status} {rest}", span) or [])
                return
            self.status = status
            rd = d.response(status, span)
            ib = inline_body(rest)
            if not rd.description and re.search(r"[A-Za-z]{2}", flat(re.sub(r"`[^`]*`", "", rest))):
                rd.description = flat(rest)[:300]
            self.apply_inline(rd, ib)
        elif k is Label.ERRORS:
            if ll.status is not None:
                self.error_status = ll.status
                d.add_errors(errors_inline(f"{ll.status} {rest}", span))
            elif rest:
                d.add_errors(errors_inline(rest, span))
        elif k in _PARAM_LABELS:
            req = True if ll.label.lower().startswith("required") else False if ll.label.lower().startswith("optional") else None
            if rest.strip().startswith("`"):
                specs = specs_from_text(rest, span, required_default=req)
                d.add_params(params_from_rows(specs, _PARAM_LABELS[k]))
                self.header_auth(rest)

    def header_auth(self, text: str) -> None:
        """A documented `Authorization` or session `Cookie` header means the endpoint needs a credential."""
        if self.d.auth.required is None and re.search(r"`(authorization|cookie)\s*:", text, re.I):
            self.d.set_auth(Auth(True, (), flat(text), Span(self.file, self.d.span.line)))

    def inline_status(self, status: int, body: str, tail: str, span: Span) -> None:
        if status >= 400:
            self.d.add_errors(errors_inline(f"{status} {body} {tail}", span))
            return
        rd = self.d.response(status, span)
        if body.strip():
            res = parse_examples(body)
            if not res.error and res.segments and res.segments[0].has_value:
                if not rd.has_example:
                    rd.example, rd.has_example = res.segments[0].value, True
            elif re.fullmatch(r"\s*<[\w-]+>\s*", body) and rd.object_name == "":
                rd.object_name = pascal(body.strip(" <>"))  # `200 <endpoint>`: one endpoint object
        if not rd.description:
            rd.description = flat(tail).strip(" .—–-")[:300]

    def apply_inline(self, rd: Any, ib: InlineBody) -> None:
        if ib.no_body:
            rd.no_body = True
        if ib.type is not None and rd.type is None:
            rd.type = ib.type
        if ib.has_example and not rd.has_example:
            rd.example, rd.has_example = ib.example, True
        rd.same_as = rd.same_as or ib.same_as
        rd.object_name = rd.object_name or ib.object_name

    def request_list(self, text: str, span: Span) -> bool:
        """"any of `a`, `b` (only `x`)" after a body label, or alone on the line after it."""
        listed = read_body_field_list(text, span)
        if listed is None:
            return False
        self.d.req_list = self.d.req_list or listed
        return True

    def request_inline(self, rest: str, span: Span) -> None:
        if self.request_list(rest, span):
            return
        ib = inline_body(rest)
        if ib.no_body:
            self.d.req_none = True
            return
        if ib.type is not None:
            self.d.set_request_type(ib.type, span)
        if ib.has_example:
            self.d.set_request_example(ib.example, span)

    # ---------------------------------------------------------------- loose text

    def content(self, text: str, line_no: int) -> None:
        span = Span(self.file, line_no)
        k = self.kind
        d = self.d
        t = text.strip()
        if not t:
            return
        same_para = self.block is self.label_block
        sm = re.match(r"^`([1-5]\d\d)\b\s*([^`]*)`(.*)$", t)
        if sm and (k is None or k in SINGLE_VALUE or k is Label.RESPONSE):
            self.inline_status(int(sm.group(1)), sm.group(2), sm.group(3), span)  # `200 { "data": [...] }` — text
            return
        if k in (None, Label.DESCRIPTION) or k in SINGLE_VALUE:
            if k in SINGLE_VALUE:
                self.label = None
            if _RETURNS.match(flat(t)):
                ib = inline_body(re.sub(r"^returns?\s*", "", t, flags=re.I))
                if ib.type is not None or ib.has_example:
                    status = 201 if d.method == "POST" and 200 not in d.responses else 200
                    if not d.responses:
                        self.apply_inline(d.response(status, span), ib)
                    return
            if re.fullmatch(r"no (request )?body( required)?\.?", flat(t), re.I):
                d.req_none = True
                return
            if re.fullmatch(r"(no auth(entication)?( required)?|public endpoint|auth(entication)? required|requires auth(entication)?)\.?", flat(t), re.I):
                d.set_auth(parse_auth(flat(t), span))
                return
            if re.match(r"^(cached|cacheable|not cached|no cache)\b", flat(t), re.I):
                d.caching = d.caching or flat(t)
                return
            if t.startswith(("*", "\\*", "†")) or (self.seen_content and k is not Label.DESCRIPTION):
                return  # footnotes and notes after the body tables are not the description
            if k is Label.DESCRIPTION or not d.description or not self.seen_label:
                d.add_description(flat(t))
        elif k is Label.ERRORS or (self.error_status is not None):
            if same_para or re.match(r"^\W*[45]\d\d\b", t):
                d.add_errors(errors_inline(t, span))
        elif k is Label.RESPONSE:
            if re.match(r"^`?[45]\d\d\b", t):
                d.add_errors(errors_inline(t, span))
                return
            if self.status is not None:
                rd = d.response(self.status, span)
                if rd.type is None and not rd.has_example and not rd.no_body:
                    self.apply_inline(rd, inline_body(t))
        elif k in _PARAM_LABELS and t.startswith("`") and same_para:
            req = True if self.label and self.label.label.lower().startswith("required") else None
            d.add_params(params_from_rows(specs_from_text(t, span, required_default=req), _PARAM_LABELS[k]))
        elif k is Label.REQUEST:
            self.request_inline(t, span)

    # ---------------------------------------------------------------- tables

    def table(self, t: Table) -> None:
        d = self.d
        if is_error_table(t):
            d.add_errors(errors_from_table(t, self.file))
            return
        roles = header_roles(t.header)
        if "name" not in roles or not ({"type", "required", "default", "description", "constraints", "notes"} & set(roles)):
            return
        if {"method", "path"} & set(roles):
            return
        k = self.kind
        head = flat(t.header[roles.index("name")]).lower()
        if k not in (Label.REQUEST, Label.RESPONSE) and k not in _PARAM_LABELS:
            if "header" in head:
                k = Label.HEADERS
            elif "query" in head:
                k = Label.QUERY
            elif "path" in head:
                k = Label.PATH
            elif head in ("field", "property", "attribute", "name", "key") and d.method in BODY_METHODS:
                k = Label.REQUEST
            elif head in ("parameter", "param", "name", "field", "property") and d.method not in BODY_METHODS:
                k = Label.QUERY
            elif head in ("parameter", "param"):
                k = Label.QUERY
            else:
                return
        rows = read_rows(t, self.file, self.sink)
        span = Span(self.file, t.span.line)
        if k is Label.REQUEST:
            d.set_request_type(TypeRef(Kind.OBJECT, fields=fields_from_rows(rows)), span)
        elif k is Label.RESPONSE and self.status is not None:
            rd = d.response(self.status, span)
            if rd.type is None:
                rd.type = TypeRef(Kind.OBJECT, fields=fields_from_rows(rows))
        elif k in _PARAM_LABELS:
            d.add_params(params_from_rows(rows, _PARAM_LABELS[k]))

    # ---------------------------------------------------------------- fences

    def fence(self, f: Fence) -> None:
        content = f.content
        if f.lang in TS_LANGS:
            self.ts_fence(f)
            return
        if f.lang not in JSON_LANGS:
            return
        head = content.lstrip()
        if f.lang in ("", "javascript", "js") and not head.startswith(("{", "[", "//")):
            return
        res = parse_examples(content)
        span = Span(self.file, f.span.line)
        if res.error:
            what = "could not be read" if not res.segments else "could only be read in part"
            self.sink.add("RT110", span, f"JSON example {what} ({res.error} on line {f.content_line + res.error_line}); "
                          "the unreadable part was dropped — replace placeholders such as `<value>` or bare names with sample values")
        elif not res.strict and res.segments:
            self.sink.add("RT108", span, "JSON example is not strict JSON (comments, trailing commas, `...` or several values); "
                          "it was read leniently — write strict JSON so tools can reuse it")
        for seg in res.segments:
            self.route(seg, Span(self.file, f.content_line + seg.line))

    def route(self, seg: Segment, span: Span) -> None:
        """Send one JSON value where its comment or the current label says it belongs."""
        d = self.d
        label = seg.label.strip().lower()
        if label:
            sm = re.search(r"\bsame (?:shape )?as\s+(.+)$", label)
            st = re.search(r"(?<!\d)([1-5]\d\d)(?!\d)", label)
            if re.match(r"^(request|req|body|payload)\b", label):
                if seg.has_value:
                    d.set_request_example(seg.value, span)
                return
            if st or label.startswith(("response", "res")):
                status = int(st.group(1)) if st else 200
                if status >= 400:
                    if seg.has_value:
                        self.attach_error_example(status, seg.value, span)
                    return
                rd = d.response(status, span)
                if seg.has_value and not rd.has_example:
                    rd.example, rd.has_example = seg.value, True
                if sm and not rd.same_as:
                    rd.same_as = sm.group(1).strip(" —-")
                return
        if not seg.has_value:
            return
        k = self.kind
        if self.error_status is not None:
            self.attach_error_example(self.error_status, seg.value, span)
        elif k is Label.REQUEST:
            d.set_request_example(seg.value, span)
        elif k is Label.RESPONSE and self.status is not None:
            rd = d.response(self.status, span)
            if not rd.has_example:
                rd.example, rd.has_example = seg.value, True
        elif k is None or k in SINGLE_VALUE or k is Label.DESCRIPTION:
            if d.method in BODY_METHODS and not d.responses and not d.req_has_example:
                d.set_request_example(seg.value, span)
            elif not d.responses:
                rd = d.response(200, span)
                rd.example, rd.has_example = seg.value, True

    def attach_error_example(self, status: int, value: Any, span: Span) -> None:
        code = code_from_example(value)
        for i, e in enumerate(self.d.errors):
            if e.status == status and e.example is None:
                self.d.errors[i] = replace(e, example=value, code=e.code or code)
                return
        self.d.add_errors([ErrorDoc(status, code, "", value, span)])

    def ts_fence(self, f: Fence) -> None:
        ref = ts_decl(f.content)
        if ref is None:
            return
        span = Span(self.file, f.span.line)
        if self.kind is Label.REQUEST:
            self.d.set_request_type(ref, span)
        elif self.kind is Label.RESPONSE and self.status is not None:
            rd = self.d.response(self.status, span)
            if rd.type is None:
                rd.type = ref

    # ---------------------------------------------------------------- lists

    def validation_rule(self, text: str) -> None:
        """`` `name`: Required, 1-100 chars `` → required flag and constraints for that body field."""
        m = re.match(r"^\s*`([A-Za-z_][\w]*)`\s*:\s*(.+)$", text, re.S)
        if not m:
            return  # "Must satisfy: `a <= b`" and nested names (`risk_profile.x`) are not field rules
        rule = flat(m.group(2))
        required = True if re.match(r"^required\b", rule, re.I) else False if re.match(r"^optional\b", rule, re.I) else None
        phrase = parse_phrase(re.sub(r"^(required|optional)\s*,?\s*", "", rule, flags=re.I), kind=None)
        self.d.rules.setdefault(m.group(1), (required, phrase.constraints))

    def list_block(self, lst: ListBlock) -> None:
        d = self.d
        k = self.kind
        if k in _PARAM_LABELS:
            req = True if self.label and self.label.label.lower().startswith("required") else None
            d.add_params(params_from_rows(specs_from_items(lst.items, self.file, required_default=req), _PARAM_LABELS[k]))
            return
        if k is Label.VALIDATION:
            for item in lst.items:
                self.validation_rule(item.text)
            return
        for item in lst.items:
            k = self.kind
            if (k is Label.ERRORS or self.error_status is not None) and looks_like_error_item(item.text):
                d.add_errors(error_item(item, self.file, self.sink))
                continue
            ll = match_label(item.text)
            if ll is not None:
                self.set_label(ll, item.line)
                if self.kind in _PARAM_LABELS and not item.blocks:
                    continue
                self.walk(item.blocks)
            elif k is Label.ERRORS:
                d.add_errors(errors_inline(item.text, Span(self.file, item.line)))
            elif k in (Label.REQUEST, Label.RESPONSE):
                self.walk(item.blocks)
