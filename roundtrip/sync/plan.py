"""Turn a Comparison into line edits on the human docs, construct by construct.

Each change is located through the IR's spans (a parameter's or field's table row, a body's label
line, a named type's label or interface line, an endpoint's heading) and only that construct is
rewritten, in the style the docs already use: a table row cell by cell, a JSON example key by key, a
TypeScript member line by line; an endpoint's statuses, errors, auth and rate limit through
roundtrip.sync.access and roundtrip.sync.errors, new named types through roundtrip.sync.new_types.
What a construct cannot state (an optional key in a JSON example, an enum in an example) and what sync
does not rewrite (prose, removed endpoints, what the docs state once for many endpoints) is reported
as a note, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from roundtrip.diff.api_changes import json_type, route_key
from roundtrip.emit.md_api import endpoint_section
from roundtrip.emit.md_text import ts_member
from roundtrip.ir import Body, Endpoint, Field, Kind, Origin, Parameter, ParamIn, Response, Spec, TypeRef
from roundtrip.markdown import Fence, Table
from roundtrip.source import Span
from roundtrip.sync.access import AccessWriter
from roundtrip.sync.compare import Comparison, EndpointDelta, FieldEdit, ParamEdit, resolved, shape
from roundtrip.sync.contract import ContractDelta
from roundtrip.sync.docs import DocFile, LineEdit
from roundtrip.sync.errors import ErrorWriter
from roundtrip.sync.json_edit import JsonOp, apply_json_ops, sample_value
from roundtrip.sync.new_types import INLINE, NewTypes, typed_member
from roundtrip.sync.sections import EndpointSection
from roundtrip.sync.tables import TableStyle, changed_row, raw_cells, with_cells, without_values

_JSON_LANGS = ("json", "jsonc", "json5", "javascript", "js", "")
_PARAM_LABELS = {
    ParamIn.PATH: "Path Parameters",
    ParamIn.QUERY: "Query Parameters",
    ParamIn.HEADER: "Request Headers",
}


def _where(span: Span) -> str:
    return f"{span.file}:{span.line}"


class Planner:
    def __init__(
        self, files: dict[str, DocFile], docs: Spec, old: Spec, new: Spec, named: frozenset[str]
    ) -> None:
        self.files = files
        self.docs = docs  # the docs' own IR: spans
        self.old = old  # the docs through OpenAPI and back: what was compared
        self.new = new  # the backend's OpenAPI
        self.named = named
        self.edits: list[LineEdit] = []
        self.applied: list[str] = []
        self.notes: list[str] = []
        self.doc_endpoints = {route_key(e): e for e in docs.endpoints if e.detailed}
        self.types = NewTypes(self)
        self.new_groups: dict[str, tuple[str, int, list[str]]] = {}  # tag → (file, after line, lines)
        self.errors = ErrorWriter(self)
        self.access = AccessWriter(self)

    # ---------------------------------------------------------------- edits

    def edit(self, span_file: str, start: int, end: int, lines: list[str] | tuple[str, ...]) -> None:
        self.edits.append(LineEdit(span_file, start, end, tuple(lines), len(self.edits)))

    def file(self, span: Span) -> DocFile | None:
        return self.files.get(span.file)

    def refer(self, t: TypeRef, file: str, line: int) -> None:
        """`t` is about to be written at `file:line`: the new named types it uses get defined near there."""
        if self.types.names_in(t):
            self.types.refer(t, self.types.place_near(file, line))

    def writes_ref(self, name: str) -> bool:
        """Whether a reference to `name` reads back: a type the docs define or one sync defines."""
        return name in self.named or self.types.is_new(name)

    def run(self, cmp: Comparison) -> None:
        self.notes.extend(cmp.notes)
        for d in cmp.endpoints:
            self.endpoint(d)
        for s in cmp.schemas:
            schema = self.docs.schema(s.name)
            if schema is not None and s.edits:
                self.schema_edits(schema.name, schema.origin, schema.span, schema.type, s.edits)
        for e in cmp.added:
            self.add_endpoint(e)
        for e in cmp.removed:
            doc_e = self.doc_endpoints.get(route_key(e))
            where = f" ({_where(doc_e.span)})" if doc_e is not None else ""
            self.notes.append(
                f"{e.key} is not in the OpenAPI: left in the docs{where}; delete its section by hand if it is gone"
            )
        for tag, (file, at, lines) in self.new_groups.items():
            self.edit(file, at + 1, at, lines)
            self.applied.append(f"{tag} section added ({file}:{at + 2})")
        self.types.write()

    # ---------------------------------------------------------------- one endpoint

    def endpoint(self, d: EndpointDelta) -> None:
        self.notes.extend(d.notes)
        doc_e = self.doc_endpoints.get(route_key(d.new))
        if doc_e is None:
            listed = next(
                (e for e in self.docs.endpoints if not e.detailed and route_key(e) == route_key(d.new)), None
            )
            if listed is not None and d.contract.auth is not None:
                self.access.auth(listed, d.contract.auth)  # a summary table's Auth cell
                if not (
                    d.params or d.request or any(d.responses.values()) or d.notes
                ) and not _more_than_auth(d.contract):
                    return
            self.notes.append(f"{d.key}: no detailed section in the docs to update")
            return
        if d.params:
            self.params(doc_e, d.params)
        if d.request:
            self.body(doc_e, doc_e.request, d.request, f"{d.key} request")
        doc_r = {r.status: r for r in doc_e.responses}
        for status, edits in d.responses.items():
            r = doc_r.get(status)
            self.body(doc_e, r.body if r is not None else None, edits, f"{d.key} {status} response", r)
        self.contract(doc_e, d.contract)

    def contract(self, doc_e: Endpoint, c: ContractDelta) -> None:
        """Statuses, errors, auth and rate limit, in that order (what is inserted after the bodies keeps
        the canonical order: responses, errors, rate limit)."""
        if doc_e.origin is Origin.CODE and c.changed():
            self.notes.append(
                f"{doc_e.key}: statuses, errors, auth or rate limit differ in the OpenAPI, but the docs declare the "
                f"endpoint in code ({doc_e.span.file}:{doc_e.span.line}); not synced"
            )
            return
        if c.responses_added or c.responses_removed:
            self.access.statuses(doc_e, c.responses_added, c.responses_removed)
            for r in c.responses_added:
                if r.body is not None and r.body.type is not None:
                    self.refer(r.body.type, doc_e.span.file, doc_e.span.line)
        if c.errors_added or c.errors_removed:
            required = c.auth.required if c.auth is not None else doc_e.auth.required
            self.errors.run(doc_e, c.errors_added, c.errors_removed, bool(required))
        if c.auth is not None:
            self.access.auth(doc_e, c.auth)
        if c.rate_limit_changed:
            df = self.files.get(doc_e.span.file)
            after = 0
            if df is not None and doc_e.span.line > 0:
                sec = EndpointSection.of(df, doc_e)
                ends = [
                    sec.construct_end(e.span.line)
                    for e in doc_e.errors
                    if e.span.file == df.name and sec.contains(e.span.line)
                ]
                after = max(ends, default=0)
            self.access.rate_limit(doc_e, c.rate_limit, after)

    def params(self, doc_e: Endpoint, edits: list[ParamEdit]) -> None:
        by_key = {(p.location, p.name): p for p in doc_e.parameters}
        removed_by_line: dict[tuple[str, int], list[str]] = {}
        for pe in edits:
            p = pe.old or pe.new
            assert p is not None
            where = f"{doc_e.key}: {p.location.value} parameter `{p.name}`"
            doc_p = by_key.get((p.location, p.name))
            if pe.op == "add":
                self.add_param(doc_e, pe.new)  # type: ignore[arg-type]
                continue
            if doc_p is None or doc_p.span.line <= 0 or self.file(doc_p.span) is None:
                self.notes.append(f"{where}: not found in a table (not synced)")
                continue
            if pe.op == "remove":
                removed_by_line.setdefault((doc_p.span.file, doc_p.span.line), []).append(p.name)
                self.applied.append(f"{where} removed")
            else:
                assert pe.old is not None and pe.new is not None
                self.change_row(
                    doc_p.span, doc_p.name, pe.old, pe.new, where, self.enum_lines(doc_e.parameters)
                )
        for (file, line), names in removed_by_line.items():
            df = self.files[file]
            table = df.table_at(line)
            raw = df.line(line)
            if table is None:
                continue
            name_i = TableStyle.of(table, set()).roles["name"]
            _, cells, _ = raw_cells(raw)
            listed = [
                n.strip().strip("`")
                for n in re.split(r"\s*(?:/|,)\s*", re.sub(r"`", "", cells[name_i]).strip())
            ]
            left = [n for n in listed if n and n not in names]
            if not left:
                self.edit(file, line, line, [])
            else:
                self.edit(file, line, line, [with_cells(raw, {name_i: " / ".join(left)})])

    def enum_lines(self, items: tuple[Any, ...]) -> set[int]:
        return {x.span.line for x in items if x.type.kind is Kind.ENUM}

    def change_row(
        self,
        span: Span,
        name: str,
        old: Parameter | Field,
        new: Parameter | Field,
        where: str,
        enum_rows: set[int],
    ) -> None:
        df = self.files[span.file]
        table = df.table_at(span.line)
        if table is None:
            self.notes.append(f"{where}: not in a table at {_where(span)} (not synced)")
            return
        raw = df.line(span.line)
        style = TableStyle.of(table, enum_rows)
        _, cells, _ = raw_cells(raw)
        if len(re.split(r"\s*/\s*", re.sub(r"`", "", cells[style.roles["name"]]).strip())) > 1:
            self.notes.append(f"{where}: its row at {_where(span)} documents several names (not synced)")
            return
        same = shape(without_values(old.type), self.old, self.named) == shape(
            without_values(new.type), self.new, self.named
        )
        line = changed_row(
            raw,
            style,
            old.type,
            new.type,
            old.required,
            new.required,
            old.constraints,
            new.constraints,
            (old.has_default, old.default),
            (new.has_default, new.default),
            same,
        )
        if line != raw:
            self.edit(span.file, span.line, span.line, [line])
            self.applied.append(f"{where} updated ({_where(span)})")
            self.refer(new.type, span.file, span.line)
        else:
            self.notes.append(
                f"{where}: the change cannot be written in its row at {_where(span)} (not synced)"
            )

    def add_param(self, doc_e: Endpoint, p: Parameter) -> None:
        where = f"{doc_e.key}: {p.location.value} parameter `{p.name}`"
        same_loc = [q for q in doc_e.parameters if q.location is p.location and q.span.line > 0]
        if same_loc:
            df = self.files.get(same_loc[0].span.file)
            table = df.table_at(same_loc[0].span.line) if df is not None else None
            if df is not None and table is not None:
                style = TableStyle.of(table, self.enum_lines(doc_e.parameters))
                row = style.new_row(
                    len(table.header),
                    p.name,
                    p.type,
                    p.required,
                    p.description,
                    p.constraints,
                    p.has_default,
                    p.default,
                )
                last = table.rows[-1].line if table.rows else table.span.line + 1
                self.edit(df.name, last + 1, last, [row])
                self.applied.append(f"{where} added ({df.name}:{last + 1})")
                self.refer(p.type, df.name, last)
                return
        label = _PARAM_LABELS.get(p.location)
        anchor = self.first_body_label(doc_e)
        if label is None or anchor is None:
            self.notes.append(f"{where}: no table to add it to (not synced)")
            return
        from roundtrip.emit.md_api import parameter_table

        self.edit(anchor.file, anchor.line, anchor.line - 1, [f"**{label}**:", *parameter_table([p]), ""])
        self.applied.append(f"{where} added in a new table ({_where(anchor)})")
        self.refer(p.type, anchor.file, anchor.line)

    def first_body_label(self, e: Endpoint) -> Span | None:
        spans = [b.span for b in ([e.request] if e.request else []) if b.span.line > 0]
        spans += [r.span for r in e.responses if r.span.line > 0]
        return min(spans, key=lambda s: s.line) if spans else None

    # ---------------------------------------------------------------- bodies and named types

    def body(
        self, doc_e: Endpoint, b: Body | None, edits: list[FieldEdit], what: str, r: Response | None = None
    ) -> None:
        if b is None or b.type is None or b.span.line <= 0 or self.file(b.span) is None:
            self.notes.append(f"{what}: no body in the docs to update (not synced)")
            return
        t = b.type
        if t.kind is Kind.REF and t.ref in self.named:
            return  # compared and rewritten once, as the named type
        df = self.files[b.span.file]
        block = df.block_after_label(b.span.line)
        doc_fields = t.fields if t.kind is Kind.OBJECT else ()
        if isinstance(block, Table):
            self.table_edits(df, block, doc_fields, edits, what)
        elif isinstance(block, Fence) and block.lang in _JSON_LANGS:
            self.json_edits(df, block, edits, what)
        else:
            self.notes.append(f"{what}: no field table or JSON example after {_where(b.span)} (not synced)")

    def schema_edits(self, name: str, origin: Origin, span: Span, t: TypeRef, edits: list[FieldEdit]) -> None:
        what = f"type {name}"
        df = self.file(span)
        if df is None or span.line <= 0:
            self.notes.append(f"{what}: not found in the docs (not synced)")
            return
        if origin is Origin.TYPESCRIPT:
            self.ts_edits(df, span, t.fields, edits, what)
            return
        block = df.block_after_label(span.line)
        if isinstance(block, Table):
            self.table_edits(df, block, t.fields, edits, what)
        elif isinstance(block, Fence) and block.lang in _JSON_LANGS:
            self.json_edits(df, block, edits, what)
        else:
            self.notes.append(f"{what}: no table or JSON example at {_where(span)} (not synced)")

    def table_edits(
        self, df: DocFile, table: Table, doc_fields: tuple[Field, ...], edits: list[FieldEdit], what: str
    ) -> None:
        by_name = {f.name: f for f in doc_fields}
        enum_rows = self.enum_lines(doc_fields)
        style = TableStyle.of(table, enum_rows)
        for fe in edits:
            where = f"{what} field `{'.'.join((*fe.path, fe.name))}`"
            if fe.path:
                self.notes.append(f"{where}: nested fields in a table are not synced")
                continue
            doc_f = by_name.get(fe.name)
            if fe.op == "add":
                g = fe.new
                assert g is not None
                row = style.new_row(
                    len(table.header),
                    g.name,
                    g.type,
                    g.required,
                    g.description,
                    g.constraints,
                    g.has_default,
                    g.default,
                )
                last = table.rows[-1].line if table.rows else table.span.line + 1
                self.edit(df.name, last + 1, last, [row])
                self.applied.append(f"{where} added ({df.name}:{last + 1})")
                self.refer(g.type, df.name, last)
            elif doc_f is None or doc_f.span.line <= 0 or df.table_at(doc_f.span.line) is not table:
                self.notes.append(
                    f"{where}: no row for it in the table at {df.name}:{table.span.line} (not synced)"
                )
            elif fe.op == "remove":
                self.edit(df.name, doc_f.span.line, doc_f.span.line, [])
                self.applied.append(f"{where} removed ({_where(doc_f.span)})")
            else:
                assert fe.old is not None and fe.new is not None
                self.change_row(doc_f.span, fe.name, fe.old, fe.new, where, enum_rows)

    def json_edits(self, df: DocFile, fence: Fence, edits: list[FieldEdit], what: str) -> None:
        ops: list[JsonOp] = []
        for fe in edits:
            where = f"{what} field `{'.'.join((*fe.path, fe.name))}`"
            if fe.op == "remove":
                ops.append(JsonOp("remove", fe.path, fe.name))
                self.applied.append(f"{where} removed from the example ({df.name}:{fence.span.line})")
                continue
            g = fe.new
            assert g is not None
            if fe.op == "change":
                f = fe.old
                assert f is not None
                ot, nt = resolved(f.type, self.old, self.named), resolved(g.type, self.new, self.named)
                if json_type(ot) == json_type(nt) and ot.kind is nt.kind:
                    self.notes.append(f"{where}: changed in a way a JSON example cannot show (not synced)")
                    continue
            ops.append(
                JsonOp(
                    "add" if fe.op == "add" else "set", fe.path, fe.name, sample_value(g, g.type, self.new)
                )
            )
            self.applied.append(
                f"{where} {'added to' if fe.op == 'add' else 'retyped in'} the example ({df.name}:{fence.span.line})"
            )
            self.notes.extend(f"{where}: {n}" for n in _unshowable(g))
        if not ops:
            return
        start, end = df.fence_body(fence)
        text = "\n".join(df.lines[start - 1 : end])
        new_text = apply_json_ops(text, ops)
        if new_text is None:
            self.notes.append(
                f"{what}: the JSON example at {df.name}:{fence.span.line} could not be edited (not synced)"
            )
            return
        self.edit(df.name, start, end, new_text.split("\n"))

    def ts_edits(
        self, df: DocFile, span: Span, doc_fields: tuple[Field, ...], edits: list[FieldEdit], what: str
    ) -> None:
        by_name = {f.name: f for f in doc_fields}
        member_lines = [f.span.line for f in doc_fields if f.span.line > 0]
        indent = re.match(r"\s*", df.line(member_lines[0])).group(0) if member_lines else "  "  # type: ignore[union-attr]
        close = next(
            (
                n
                for n in range((max(member_lines) if member_lines else span.line) + 1, len(df.lines) + 1)
                if df.line(n).strip().startswith("}")
            ),
            None,
        )
        for fe in edits:
            where = f"{what} field `{'.'.join((*fe.path, fe.name))}`"
            doc_f = by_name.get(fe.name)
            if fe.path:
                self.notes.append(f"{where}: nested fields of an interface are not synced")
            elif fe.op == "add" and close is not None:
                assert fe.new is not None
                self.edit(df.name, close, close - 1, typed_member(fe.new, indent))
                self.applied.append(f"{where} added ({df.name}:{close})")
                self.refer(fe.new.type, df.name, close)
            elif doc_f is None or doc_f.span.line <= 0 or fe.op == "add":
                self.notes.append(f"{where}: no member line for it (not synced)")
            elif fe.op == "remove":
                self.edit(df.name, doc_f.span.line, doc_f.span.line, [])
                self.applied.append(f"{where} removed ({_where(doc_f.span)})")
            else:
                assert fe.new is not None
                kept = replace(fe.new, description=doc_f.description)  # the member's comment is the author's
                self.edit(df.name, doc_f.span.line, doc_f.span.line, ts_member(kept, indent))
                self.applied.append(f"{where} updated ({_where(doc_f.span)})")
                self.refer(fe.new.type, df.name, doc_f.span.line)

    # ---------------------------------------------------------------- new endpoints

    def add_endpoint(self, e: Endpoint) -> None:
        real = [d for d in self.docs.endpoints if d.detailed]
        if real and all(d.origin is Origin.CODE for d in real):
            self.notes.append(
                f"{e.key}: new in the OpenAPI, not added (the docs declare their endpoints in code; a Markdown "
                "section would make the readers ignore those)"
            )
            return
        inlined = self.inline_endpoint(e)
        bodies = _body_types(inlined)
        defined_here = frozenset(n for t, _ in bodies for n in self.types.names_in(t))
        undefined = sorted(
            {n for t, shown in bodies for n in _unreadable(t, self.named | defined_here, shown)}
        )
        if undefined:
            self.notes.append(
                f"{e.key}: its bodies use types the docs do not define ({', '.join(undefined)}); "
                "define them in the docs (the new section names or inlines them)"
            )
        tag = e.tags[:1]
        group = [
            d for d in self.docs.endpoints if d.detailed and d.span.line > 0 and d.tags[:1] == tag and tag
        ]
        if group:
            last = max(group, key=lambda d: d.span.line)
            df = self.files.get(last.span.file)
            if df is None:
                self.notes.append(
                    f"{e.key}: new in the OpenAPI, not added (its group's file is not readable)"
                )
                return
            level = next((h.level for h in df.headings() if h.span.line == last.span.line), 3)
            at = df.section_end(last.span.line)
            lines = ["", *_trim(endpoint_section(inlined, level, bool(self.docs.security_schemes)))]
            self.edit(df.name, at + 1, at, lines)
            self.applied.append(f"{e.key} added to the {tag[0]} section ({df.name}:{at + 2})")
            for t, _ in bodies:
                self.types.refer(t, self.types.group_place(df.name, last.span.line))
            return
        anchor = max(
            (d for d in self.docs.endpoints if d.detailed and d.span.line > 0 and d.span.file in self.files),
            key=lambda d: (d.span.file == self.main_file(), d.span.line),
            default=None,
        )
        if anchor is None:
            self.notes.append(
                f"{e.key}: new in the OpenAPI, not added (the docs have no endpoint section to put it after)"
            )
            return
        df = self.files[anchor.span.file]
        heads = df.headings()
        level = next((h.level for h in heads if h.span.line == anchor.span.line), 3)
        parent = max(
            (h for h in heads if h.span.line < anchor.span.line and h.level < level),
            key=lambda h: h.span.line,
            default=None,
        )
        section = _trim(endpoint_section(inlined, level, bool(self.docs.security_schemes)))
        name = tag[0] if tag else "Endpoints"
        if name in self.new_groups:  # a group this run already opened
            self.new_groups[name][2].extend(["", *section])
            self.applied.append(f"{e.key} added in the new {name} section")
            return
        at = df.section_end(parent.span.line if parent is not None else anchor.span.line)
        head = [
            f"{'#' * (parent.level if parent is not None else max(level - 1, 1))} {tag[0] if tag else 'Endpoints'}",
            "",
        ]
        defs = self.types.definitions([n for t, _ in bodies for n in self.types.refer(t, INLINE)])
        head += [*defs, ""] if defs else []  # the group's preamble: read as types, not as a body
        rule = (
            ["", "---"] if any(ln.strip() == "---" for ln in df.lines[at : at + 4]) else []
        )  # the docs' group separator
        self.new_groups[name] = (df.name, at, [*rule, "", *head, *section])
        self.applied.append(f"{e.key} added in a new {name} section")

    def main_file(self) -> str:
        counts: dict[str, int] = {}
        for d in self.docs.endpoints:
            counts[d.span.file] = counts.get(d.span.file, 0) + 1
        return max(counts, key=lambda f: counts[f]) if counts else ""

    def inline_type(self, t: TypeRef, depth: int = 0) -> TypeRef:
        """Types the docs do not name are written out where they are used (but for the backend's new named
        types, which sync defines)."""
        if depth > 8:
            return t
        keep = t.kind is Kind.REF and (t.ref in self.named or self.types.is_new(t.ref))
        t = t if keep else resolved(t, self.new, self.named)
        if t.kind is Kind.OBJECT:
            return replace(
                t, fields=tuple(replace(f, type=self.inline_type(f.type, depth + 1)) for f in t.fields)
            )
        if t.kind in (Kind.ARRAY, Kind.MAP) and t.items is not None:
            return replace(t, items=self.inline_type(t.items, depth + 1))
        return t

    def inline_endpoint(self, e: Endpoint) -> Endpoint:
        def body(b: Body | None) -> Body | None:
            return replace(b, type=self.inline_type(b.type)) if b is not None and b.type is not None else b

        params = tuple(replace(p, type=self.inline_type(p.type)) for p in e.parameters)
        responses = tuple(replace(r, body=body(r.body)) for r in e.responses)
        common = {(c.status, c.code) for c in self.docs.common_errors}
        errors = tuple(x for x in e.errors if (x.status, x.code) not in common)  # the docs state those once
        return replace(e, parameters=params, request=body(e.request), responses=responses, errors=errors)


def _more_than_auth(c: ContractDelta) -> bool:
    return bool(
        c.errors_added or c.errors_removed or c.responses_added or c.responses_removed or c.rate_limit_changed
    )


def _body_types(e: Endpoint) -> list[tuple[TypeRef, bool]]:
    """Each body's type, and whether an example shows it (then nested objects are written in the example)."""
    bodies = [e.request] + [r.body for r in e.responses]
    return [(b.type, b.has_example) for b in bodies if b is not None and b.type is not None]


def _unreadable(t: TypeRef, named: frozenset[str], shown: bool, depth: int = 0) -> set[str]:
    """Names of what a canonical section cannot write readably: types the docs do not define, and
    objects nested inside a body's fields (a table cell cannot hold an object)."""
    if depth > 8:
        return set()
    if t.kind is Kind.REF:
        return set() if t.ref in named else {t.ref or "?"}
    if t.kind is Kind.OBJECT:
        out = {"a nested object"} if depth > 0 and t.fields and not shown else set()
        for f in t.fields:
            out |= _unreadable(f.type, named, shown, depth + 1)
        return out
    inner = [*([t.items] if t.items is not None else []), *t.variants, *t.args]
    return set().union(*(_unreadable(x, named, shown, depth + 1) for x in inner)) if inner else set()


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _unshowable(f: Field) -> list[str]:
    """What the backend says about a field that a JSON example cannot say."""
    out: list[str] = []
    if not f.required:
        out.append("optional in the OpenAPI; a JSON example makes it look required")
    if f.type.nullable:
        out.append("nullable in the OpenAPI; the example shows a value")
    if f.type.kind is Kind.ENUM:
        out.append("an enum in the OpenAPI; the example shows one value")
    if any(v is not None for k, v in vars(f.constraints).items() if k != "format"):
        out.append("has constraints a JSON example cannot state")
    return out
