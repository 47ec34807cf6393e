"""The API reader: endpoints and everything inside them, plus summary tables, endpoint lists,
common errors, the error envelope and named example objects.

Where an endpoint is declared:
- a heading whose text starts with `METHOD /path` (any level, backticks, trailers such as 🔒,
  `(Public)`, `?query`, ``→ `200 {...}` ``); its section runs to the next heading of the same or
  higher level, minus sub-sections that are endpoints themselves;
- a paragraph that starts with several endpoint code spans (they share the rest of the section);
- a title section holding an `http` fence request line or an `**Endpoint**:` line;
- only when a document has none of those nor a summary table: FastAPI decorators and
  `// GET /x` comments inside code fences (origin CODE, see api_code).
Summary-table rows become EndpointMentions; compact endpoint lists become mentions AND undetailed
endpoints (health checks are real endpoints). Prose, curl lines, sequence diagrams and other
tables that merely name an endpoint are not declarations.
"""

from __future__ import annotations

import re
from dataclasses import replace

from roundtrip.diagnostics import Sink
from roundtrip.ir import Auth, Endpoint, EndpointMention, ErrorDoc, Facts, Kind, Origin, Schema, TypeRef
from roundtrip.ir.naming import pascal
from roundtrip.markdown import Block, Document, Fence, Heading, ListBlock, Paragraph, Section, Table
from roundtrip.markdown.inline import code_spans, strip_bold_label
from roundtrip.readers.api_code import code_endpoints
from roundtrip.readers.api_draft import Draft, finalize
from roundtrip.readers.api_errors import (
    error_item,
    errors_from_table,
    is_error_table,
    looks_like_error_item,
)
from roundtrip.readers.api_fields import fields_from_rows, read_rows
from roundtrip.readers.api_json import infer_type, parse_examples
from roundtrip.readers.api_labels import NUMBERING, Label, group_name, header_roles, match_label
from roundtrip.readers.api_meta import heading_auth, parse_auth
from roundtrip.readers.api_paths import Lead, RouteRef, parse_lead
from roundtrip.readers.api_section import JSON_LANGS, TS_LANGS, SectionReader, ts_decl
from roundtrip.readers.api_text import flat, trim_summary
from roundtrip.source import Span

_HTTP_LINE = re.compile(r"^\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\S+)(?:\s+HTTP/[\d.]+)?\s*$")
_TS_NAMES = re.compile(r"^\s*(?:export\s+)?(?:declare\s+)?(?:interface|type|enum|class)\s+([A-Z]\w*)", re.M)
_OBJECT_LABEL = re.compile(r"^([A-Za-z][A-Za-z0-9 ]{0,40}?)\s+object$", re.I)
_TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]+$")
_GROUP_AUTH = re.compile(r"^all\b[^.]*?\bendpoints?\b[^.]*?\b(?:are|require|requires|need)\s+(.+)$", re.I)
_ENVELOPE_WORDS = re.compile(r"\b(format|envelope|shape|structure|response|schema|body)\b", re.I)


def read_endpoints(doc: Document, facts: Facts, sink: Sink) -> None:
    _DocReader(doc, facts, sink).run()


def success_type(e: Endpoint) -> str:
    """The named type of the first success response (`**200 OK** — `Copy``), or ""."""
    for r in e.responses:
        t = r.body.type if 200 <= r.status < 300 and r.body is not None else None
        if t is not None and t.kind is Kind.REF and t.ref and not t.args:
            return t.ref
    return ""


def endpoint_lead(heading: Heading) -> Lead | None:
    return parse_lead(NUMBERING.sub("", heading.text.strip()))


class _DocReader:
    def __init__(self, doc: Document, facts: Facts, sink: Sink) -> None:
        self.doc = doc
        self.file = doc.file
        self.facts = facts
        self.sink = sink
        self.drafts: list[Draft] = []
        self.weak: set[int] = set()  # ids of drafts declared by http fences: examples if detailed elsewhere
        self.list_drafts: list[Draft] = []
        self.summary_rows = 0
        self.declared = 0

    # ---------------------------------------------------------------- driver

    def run(self) -> None:
        self.plain_blocks(self.doc.root, self.doc.root.blocks)  # text before the first heading
        for sec in self.doc.root.children:
            self.visit(sec)
        if self.declared == 0 and self.summary_rows == 0:
            self.drafts.extend(code_endpoints(self.doc, self.sink))
        self.finish()

    def visit(self, sec: Section) -> None:
        lead = endpoint_lead(sec.heading) if sec.heading else None
        if lead is not None:
            self.endpoint_section(sec, lead)
            return
        self.plain_section(sec)
        for child in sec.children:
            self.visit(child)

    def tags_for(self, sec: Section) -> tuple[str, ...]:
        for anc in sec.ancestors():
            if anc.heading is None or anc.heading.level == 1 or endpoint_lead(anc.heading) is not None:
                continue
            name = group_name(anc.heading.text)
            if name:
                return (name,)
        return ()

    def section_blocks(self, sec: Section) -> list[Block]:
        """A section's blocks plus those of sub-sections that are not endpoints (visited on their own)."""
        out: list[Block] = list(sec.blocks)
        for child in sec.children:
            if child.heading is not None and endpoint_lead(child.heading) is not None:
                self.visit(child)
                continue
            if child.heading is not None:
                out.append(child.heading)
            out.extend(self.section_blocks(child))
        return out

    # ---------------------------------------------------------------- endpoint sections

    def new_draft(self, ref: RouteRef, span: Span, tags: tuple[str, ...]) -> Draft | None:
        if ref.error:
            self.sink.add("RT109", span, f"{ref.method} {ref.raw_path}: {ref.error}; the endpoint was skipped")
            return None
        return Draft(ref.method, ref.path, span, tags=tags)

    def endpoint_section(self, sec: Section, lead: Lead) -> None:
        assert sec.heading is not None
        span = sec.heading.span.at(sec.heading.span.line)
        self.declared += 1
        tags = self.tags_for(sec)
        blocks = self.section_blocks(sec)
        group_auth = self.group_auth(sec)
        for ref in lead.refs:
            d = self.new_draft(ref, span, tags)
            if d is None:
                continue
            self.apply_trailer(d, lead.rest, span)
            SectionReader(d, self.file, self.sink).walk(blocks)
            if d.auth.required is None and group_auth is not None:
                d.set_auth(group_auth)
            self.drafts.append(d)

    def group_auth(self, sec: Section) -> Auth | None:
        """"All analytics endpoints are **Protected — vendor or admin**." in an enclosing group section."""
        for anc in sec.ancestors():
            for b in anc.blocks:
                if not isinstance(b, Paragraph):
                    continue
                text = flat(b.text.split("\n")[0])
                m = _GROUP_AUTH.match(text)
                if not m:
                    continue
                value = m.group(1)
                roles = tuple(dict.fromkeys(r.lower() for r in re.findall(r"'([a-z_]+)'", value)))
                auth = parse_auth(value, Span(self.file, b.span.line))
                if roles:
                    return Auth(True, roles, value, auth.span)
                if auth.required is not None:
                    return auth
        return None

    def apply_trailer(self, d: Draft, trailer: str, span: Span) -> None:
        """`🔒`, `(authenticated)`, ``→ `200 {"ok":true}` (liveness)`` after the path in a heading."""
        auth = heading_auth(trailer, span)
        if auth is not None:
            d.set_auth(auth)
        text = trailer
        m = re.search(r"(→|->|⇒)", text)
        if m:
            after = text[m.end():]
            codes = code_spans(after)
            for i, c in enumerate(codes):
                sm = re.match(r"^([1-5]\d\d)\b\s*(.*)$", c, re.S)
                if not sm:
                    continue
                status = int(sm.group(1))
                if status >= 400:
                    d.add_errors([ErrorDoc(status, "", "", None, span)])
                    continue
                rd = d.response(status, span)
                if sm.group(2).strip():
                    res = parse_examples(sm.group(2))
                    if not res.error and res.segments and res.segments[0].has_value:
                        rd.example, rd.has_example = res.segments[0].value, True
                if i == 0:
                    rd.description = flat(re.sub(r"`[^`]*`", "", after, count=1)).strip(" ()")
            note = re.search(r"\(([^)]*)\)\s*$", after)  # "(liveness, no dependency checks)" is the summary
            text = text[: m.start()] + (note.group(0) if note else "")
        summary = trim_summary(flat(text).replace("🔒", "").replace("🔐", ""))
        if auth is not None and auth.text and summary.lower() == auth.text.lower():
            summary = ""
        if summary and not re.fullmatch(r"(public|authenticated|protected|private)", summary, re.I):
            d.summary = summary

    # ---------------------------------------------------------------- everything outside endpoint sections

    def plain_section(self, sec: Section) -> None:
        if self.section_declared_endpoint(sec):
            return
        self.plain_blocks(sec, sec.blocks)

    def section_declared_endpoint(self, sec: Section) -> bool:
        """A title heading whose section holds an `http` request line or an `**Endpoint**:` line."""
        if sec.heading is None:
            return False
        for i, b in enumerate(sec.blocks):
            ref: RouteRef | None = None
            weak = False
            if isinstance(b, Fence) and b.lang == "http":
                first = next((ln for ln in b.content.split("\n") if ln.strip()), "")
                m = _HTTP_LINE.match(first)
                if m:
                    lead = parse_lead(f"{m.group(1)} {m.group(2)}")
                    ref = lead.refs[0] if lead else None
                    weak = True
            elif isinstance(b, Paragraph):
                ll = match_label(b.text.split("\n")[0])
                if ll is not None and ll.kind is Label.ENDPOINT:
                    lead = parse_lead(ll.rest)
                    ref = lead.refs[0] if lead else None
            if ref is None:
                continue
            span = Span(self.file, sec.heading.span.line)
            d = self.new_draft(ref, span, self.tags_for(sec))
            if d is None:
                return True
            self.declared += 1
            d.summary = group_name(sec.heading.text) or flat(sec.heading.text)
            rest = [x for j, x in enumerate(sec.blocks) if j != i]
            if isinstance(b, Fence):
                body = b.content.split("\n\n", 1)
                if len(body) == 2 and body[1].strip():
                    res = parse_examples(body[1])
                    if res.segments and res.segments[0].has_value:
                        d.set_request_example(res.segments[0].value, Span(self.file, b.span.line))
            elif isinstance(b, Paragraph) and "\n" in b.text:
                first, more = b.text.split("\n", 1)
                rest.insert(i, Paragraph(Span(self.file, b.span.line + 1), more))
            blocks = rest + [blk for c in sec.children for blk in ([c.heading] if c.heading else []) + list(c.all_blocks())]
            SectionReader(d, self.file, self.sink).walk(blocks)
            self.drafts.append(d)
            if weak:
                self.weak.add(id(d))
            return True
        return False

    def plain_blocks(self, sec: Section, blocks: list[Block]) -> None:
        i = 0
        while i < len(blocks):
            b = blocks[i]
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if isinstance(b, Paragraph):
                consumed = self.paragraph_endpoints(sec, blocks, i)
                if consumed:
                    i += consumed
                    continue
                if self.bare_lines(sec, b):
                    i += 1
                    continue
                if self.named_object(b, nxt):
                    i += 2
                    continue
            elif isinstance(b, Table):
                self.plain_table(sec, b)
            elif isinstance(b, ListBlock):
                self.plain_list(sec, b)
            elif isinstance(b, Fence):
                self.envelope(sec, b, blocks[i - 1] if i > 0 else None)
            i += 1

    # ---------------------------------------------------------------- paragraph-declared endpoints

    def paragraph_endpoints(self, sec: Section, blocks: list[Block], i: int) -> int:
        """"`GET /a`, `GET /b` and `GET /c` — Auth: ..." + the following blocks: three endpoints, one content."""
        p = blocks[i]
        assert isinstance(p, Paragraph)
        first, _, more = p.text.partition("\n")
        lead = parse_lead(first)
        if lead is None or len(lead.refs) < 2 or not all(r.in_code for r in lead.refs):
            return 0
        j = i + 1
        while j < len(blocks):
            q = blocks[j]
            if isinstance(q, Paragraph):
                ql = parse_lead(q.text.partition("\n")[0])
                if ql is not None and len(ql.refs) >= 2:
                    break
            j += 1
        content: list[Block] = [Paragraph(p.span, lead.rest + ("\n" + more if more else ""))] + blocks[i + 1:j]
        span = Span(self.file, p.span.line)
        self.declared += 1
        for ref in lead.refs:
            d = self.new_draft(ref, span, (group_name(sec.title),) if sec.heading and group_name(sec.title) else self.tags_for(sec))
            if d is None:
                continue
            SectionReader(d, self.file, self.sink).walk(blocks_for(content, ref, lead.refs))
            self.drafts.append(d)
        return j - i

    # ---------------------------------------------------------------- mentions

    def group_of(self, sec: Section) -> tuple[str, Span]:
        if sec.heading is None:
            return "", Span(self.file, 0)
        return (group_name(sec.heading.text) or flat(sec.heading.text)), Span(self.file, sec.heading.span.line)

    def mention(self, sec: Section, ref: RouteRef, span: Span, summary: str, auth: Auth, kind: str) -> None:
        if ref.error:
            self.sink.add("RT109", span, f"{ref.method} {ref.raw_path}: {ref.error}")
            return
        group, group_span = self.group_of(sec)
        self.facts.mentions.append(EndpointMention(ref.method, ref.path, summary, auth, kind, group, group_span, span))

    def plain_table(self, sec: Section, t: Table) -> None:
        roles = header_roles(t.header)
        if "method" in roles or "path" in roles:
            if self.summary_table(sec, t, roles):
                return
        if is_error_table(t):
            self.facts.common_errors.extend(errors_from_table(t, self.file))

    def summary_table(self, sec: Section, t: Table, roles: list[str]) -> bool:
        mi = roles.index("method") if "method" in roles else None
        pi = roles.index("path") if "path" in roles else None
        if pi is None:
            return False
        di = roles.index("description") if "description" in roles else None
        ai = roles.index("auth") if "auth" in roles else None
        rows: list[tuple[Lead, int, str, str]] = []
        for row in t.rows:

            def cell(k: int | None, cells: list[str] = row.cells) -> str:
                return cells[k] if k is not None and k < len(cells) else ""

            path_text = (code_spans(cell(pi)) or [flat(cell(pi))])[0]
            lead = parse_lead(f"{flat(cell(mi)).upper()} {path_text}" if mi is not None else path_text)
            if lead is None:
                if mi is None:
                    return False  # a `| Endpoint | Limit |` table of globs, not a summary
                continue
            rows.append((lead, row.line, flat(cell(di)), cell(ai)))
        if not rows:
            return False
        for lead, line, desc, auth_cell in rows:
            span = Span(self.file, line)
            auth = parse_auth(auth_cell, span) if auth_cell.strip() else Auth()
            for ref in lead.refs:
                self.mention(sec, ref, span, desc, auth, "summary-table")
        self.summary_rows += len(rows)
        return True

    def plain_list(self, sec: Section, lst: ListBlock) -> None:
        leads = [parse_lead(it.text) for it in lst.items]
        if lst.items and all(ld is not None for ld in leads):
            for it, lead in zip(lst.items, leads, strict=True):
                assert lead is not None
                self.list_endpoint(sec, lead, Span(self.file, it.line))
            return
        if lst.items and all(re.match(r"^\W*[1-5]\d\d\b", flat(it.text)) for it in lst.items) and any(
                looks_like_error_item(it.text) for it in lst.items):
            for it in lst.items:
                if looks_like_error_item(it.text):
                    self.facts.common_errors.extend(error_item(it, self.file, self.sink))

    def list_endpoint(self, sec: Section, lead: Lead, span: Span, group: str | None = None) -> None:
        summary = flat(lead.rest).lstrip(":—–-→ ").strip()
        if summary.startswith("(") and summary.endswith(")"):
            summary = summary[1:-1]
        auth = heading_auth(lead.rest, span) or Auth()
        own = group_name(sec.title) if sec.heading is not None else ""
        tags = (group,) if group else (own,) if own else self.tags_for(sec)
        for ref in lead.refs:
            self.mention(sec, ref, span, summary, auth, "list")
            if not ref.error:
                self.list_drafts.append(Draft(ref.method, ref.path, span, detailed=False, summary=summary, auth=auth, tags=tags))

    def bare_lines(self, sec: Section, p: Paragraph) -> bool:
        """Bare `POST /auth/login` lines, optionally under a one-line group label ("Auth")."""
        lines = [(n, t.strip()) for n, t in p.lines() if t.strip()]
        if not lines:
            return False
        group = None
        if parse_lead(lines[0][1]) is None and len(lines) > 1 and len(lines[0][1].split()) <= 4:
            group = flat(lines[0][1])
            lines = lines[1:]
        leads = [parse_lead(t) for _, t in lines]
        if not all(ld is not None and not ld.rest for ld in leads):
            return False
        for (n, _), lead in zip(lines, leads, strict=True):
            assert lead is not None
            self.list_endpoint(sec, lead, Span(self.file, n), group)
        return True

    # ---------------------------------------------------------------- schemas, envelope

    def named_object(self, p: Paragraph, nxt: Block | None) -> bool:
        """`**Project object**:` + JSON fence, or `**MemberResponse**` + a Property/Type table → a Schema."""
        bold = strip_bold_label(p.text.strip())
        if bold is None or "\n" in p.text.strip() or bold[1].strip(" :") != "":
            return False
        label = flat(bold[0]).strip().rstrip(":").strip()
        span = Span(self.file, p.span.line)
        om = _OBJECT_LABEL.match(label)
        if om and isinstance(nxt, Fence) and nxt.lang in JSON_LANGS:
            res = parse_examples(nxt.content)
            if res.error or not res.segments or not res.segments[0].has_value:
                self.sink.add("RT110", Span(self.file, nxt.span.line), f"the {label} example is not JSON ({res.error}); it was dropped")
                return False
            if not res.strict:
                self.sink.add("RT108", Span(self.file, nxt.span.line), f"the {label} example is not strict JSON; it was read leniently")
            value = res.segments[0].value
            self.facts.schemas.append(Schema(pascal(om.group(1).strip()), infer_type(value), origin=Origin.JSON_EXAMPLE,
                                             example=value, span=span))
            return True
        if _TYPE_NAME.match(label) and isinstance(nxt, Table) and bold[1].strip() == "":
            roles = header_roles(nxt.header)
            name_word = flat(nxt.header[roles.index("name")]).lower() if "name" in roles else ""
            if name_word in ("property", "field", "attribute", "name", "key") and "type" in roles and not is_error_table(nxt):
                fields = fields_from_rows(read_rows(nxt, self.file, self.sink))
                self.facts.schemas.append(Schema(label, TypeRef(Kind.OBJECT, fields=fields), origin=Origin.FIELD_TABLE, span=span))
                return True
        return False

    def envelope(self, sec: Section, f: Fence, prev: Block | None) -> None:
        """A JSON example or TS interface under "Error Format" / "Error Response Format" / "Error envelope"."""
        if f.lang not in JSON_LANGS + TS_LANGS:
            return
        label = ""
        if isinstance(prev, Paragraph):
            bold = strip_bold_label(prev.text.strip())
            label = flat(bold[0]) if bold else flat(prev.text) if len(prev.text) < 120 else ""
        titles = [flat(sec.title)] + [flat(a.title) for a in sec.ancestors() if a.heading and a.heading.level > 1][:2]
        context = " ".join([label] + titles).lower()
        own = f"{label} {titles[0]}".lower()
        if "error" not in context or re.search(r"\bsuccess\b", label, re.I):
            return
        if not (_ENVELOPE_WORDS.search(own) or re.fullmatch(r"errors?:?", label.strip().lower())):
            return
        if any(e.span.file == self.file and e.span.line == f.span.line for e in self.facts.error_envelopes):
            return
        span = Span(self.file, f.span.line)
        if f.lang in TS_LANGS:
            ref = ts_decl(f.content)
            if ref is not None and ref.ref:
                self.facts.error_envelopes.append(Schema(ref.ref, ref, origin=Origin.TYPESCRIPT, span=span))
            return
        res = parse_examples(f.content)
        if res.segments and res.segments[0].has_value and isinstance(res.segments[0].value, dict):
            value = res.segments[0].value
            self.facts.error_envelopes.append(Schema("ErrorResponse", infer_type(value), origin=Origin.JSON_EXAMPLE,
                                                     example=value, span=span))

    # ---------------------------------------------------------------- output

    def known_names(self) -> set[str]:
        names = {s.name for s in self.facts.schemas}
        for b in self.doc.blocks:
            if isinstance(b, Fence) and b.lang in TS_LANGS:
                names.update(_TS_NAMES.findall(b.content))
        return names

    def finish(self) -> None:
        drafts = sorted(self.drafts, key=lambda d: d.span.line)
        first: dict[str, Draft] = {}
        kept: list[Draft] = []
        for d in drafts:
            prev = first.get(d.key)
            if prev is None:
                first[d.key] = d
                kept.append(d)
            elif id(d) not in self.weak:
                self.sink.add("RT209", d.span, f"{d.key} is already documented at line {prev.span.line}; "
                              "keep one section and merge the two", related=[prev.span])
        known = self.known_names()
        names = [d.names_body() for d in kept]
        listed = [n is not None and d.req_type is None and not d.req_none for d, n in zip(kept, names, strict=True)]
        endpoints = finalize(kept, known)
        self.facts.endpoints.extend(endpoints)
        for e, n, is_listed in zip(endpoints, names, listed, strict=True):
            if is_listed and n is not None:
                self.facts.listed_bodies.append((e.method, e.path, success_type(e), n.span))
        detailed = {e.key for e in self.facts.endpoints if e.detailed}
        listed: set[str] = set()
        loose = [d for d in self.list_drafts if d.key not in detailed and d.key not in listed and not listed.add(d.key)]  # type: ignore[func-returns-value]
        self.facts.endpoints.extend(replace(e, detailed=False) for e in finalize(loose, known))


# "**200 OK** (`GET /members/me/fines?status=outstanding`)": a label that names the request it documents
_NAMED_REQUEST = re.compile(r"\(\s*`(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(/[^`\s?]*)[^`]*`\s*\)")


def blocks_for(content: list[Block], ref: RouteRef, refs: tuple[RouteRef, ...]) -> list[Block]:
    """The blocks of a section several endpoints (`refs`) share that describe `ref`: a paragraph whose label names
    another of them's request (the fines example of "`GET …/loans`, `GET …/holds` and `GET …/fines`"), and the
    fences and tables after it, describe that endpoint only. A request that names none of them changes nothing."""
    out: list[Block] = []
    skipping = False
    for b in content:
        if isinstance(b, Paragraph):
            m = _NAMED_REQUEST.search(b.text.partition("\n")[0])
            named = [r for r in refs if m is not None and same_route(m.group(1), m.group(2), r)]
            skipping = bool(named) and ref not in named
        if not skipping:
            out.append(b)
    return out


def same_route(method: str, path: str, ref: RouteRef) -> bool:
    """`GET /members/me/fines` is a request of `GET /members/{memberId}/fines`: literals equal, a parameter any segment."""
    if method.upper() != ref.method.upper():
        return False
    got, want = path.strip("/").split("/"), ref.path.strip("/").split("/")
    if len(got) != len(want):
        return False
    return all(w == g or (w.startswith("{") and w.endswith("}")) or w.startswith(":") for g, w in zip(got, want, strict=True))


__all__ = ["group_name", "read_endpoints"]
