"""An endpoint's documented errors, edited in the form the section already uses.

Three forms are written back: an error table (`| Status | Code | Description |`, columns in any order,
cells styled like the rows above), a bullet list (`- **409 Conflict**: message` with the example as a
nested JSON fence, as the other items have it) and an inline list (`` Errors: `404 NOT_FOUND` · `409 X` ``).
A new error joins the endpoint's own construct; an endpoint without one gets the construct the file
uses elsewhere (label, header and all), or the canonical `**Error Responses**:` block.

A removed error loses its row, item or code span. What is stated once for many endpoints (the
common-error table, a class error such as an invalid sort field), a row that also documents other
codes, and errors written inside a sentence are left and noted.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from roundtrip.emit.md_api import error_blocks, phrase
from roundtrip.emit.md_text import cell, code
from roundtrip.ir import Endpoint, ErrorDoc
from roundtrip.markdown import Fence, ListBlock, Table, plain
from roundtrip.sync.inline_errors import add_entries, entry_text, error_list, remove_entry
from roundtrip.sync.sections import EndpointSection, list_item_range, list_of
from roundtrip.sync.tables import raw_cells

if TYPE_CHECKING:
    from roundtrip.sync.plan import Planner

_STATUS_CELL = re.compile(r"^\s*`?([1-5]\d\d)\b")
_CODE_WORD = re.compile(r"^[A-Z][A-Z0-9_]+$")


def _what(e: ErrorDoc) -> str:
    return f"error {e.status} {e.code}".rstrip()


class ErrorWriter:
    def __init__(self, planner: Planner) -> None:
        self.p = planner

    def run(
        self, doc_e: Endpoint, added: list[ErrorDoc], removed: list[ErrorDoc], authenticated: bool
    ) -> None:
        df = self.p.files.get(doc_e.span.file)
        if df is None or doc_e.span.line <= 0:
            self.p.notes.extend(
                f"{doc_e.key}: {_what(e)} not synced (no section in the docs)" for e in added + removed
            )
            return
        sec = EndpointSection.of(df, doc_e)
        explicit = [e for e in doc_e.errors if e.span.file == df.name and sec.contains(e.span.line)]
        self.inline: dict[int, str] = {}  # inline lists being edited, by line: one edit each
        if added:  # first: a list whose every entry goes keeps its label for the new ones
            self.add(sec, explicit, added)
        self.remove(sec, explicit, removed, keep_construct=bool(added))
        if authenticated:
            self.common_fallback(sec, explicit, removed)
        for line, text in self.inline.items():
            self.p.edit(df.name, line, line, [text] if text.strip() else [])

    # ---------------------------------------------------------------- removing

    def remove(
        self, sec: EndpointSection, explicit: list[ErrorDoc], removed: list[ErrorDoc], keep_construct: bool
    ) -> None:
        key = sec.endpoint.key
        gone: dict[int, list[ErrorDoc]] = {}
        for r in removed:
            hits = [e for e in explicit if e.status == r.status and e.code == r.code]
            if not hits:
                self.p.notes.append(f"{key}: {_what(r)} is not in the OpenAPI; {self.stated_elsewhere(r)}")
                continue
            for e in hits:
                gone.setdefault(e.span.line, []).append(e)
        tables: dict[int, tuple[Table, list[int]]] = {}
        lists: dict[int, tuple[ListBlock, list[int]]] = {}
        for line, errs in sorted(gone.items()):
            where = f"{sec.df.name}:{line}"
            stated = {(e.status, e.code) for e in explicit if e.span.line == line}
            table, lst = sec.df.table_at(line), list_of(sec.df, line)
            if (table is not None or lst is not None) and stated != {(e.status, e.code) for e in errs}:
                self.p.notes.append(
                    f"{key}: {', '.join(_what(e) for e in errs)} is not in the OpenAPI, but its "
                    f"{'row' if table is not None else 'item'} at {where} also documents other codes (left in the docs)"
                )
            elif table is not None:
                tables.setdefault(table.span.line, (table, []))[1].append(line)
            elif lst is not None:
                lists.setdefault(lst.span.line, (lst, []))[1].append(line)
            else:
                self.drop_inline(sec, line, errs)
                continue
            if table is not None or lst is not None:
                self.p.applied.append(f"{key}: {', '.join(_what(e) for e in errs)} removed ({where})")
        for table, lines in tables.values():
            if len(lines) == len(table.rows) and not keep_construct:
                self.drop_construct(sec, table)
            else:
                for line in lines:
                    self.p.edit(sec.df.name, line, line, [])
        for lst, lines in lists.values():
            if len(lines) == len(lst.items) and not keep_construct:
                self.drop_construct(sec, lst)
                continue
            for line in lines:
                rng = list_item_range(lst, line, sec.df)
                if rng is not None:
                    self.p.edit(sec.df.name, rng[0], rng[1], [])

    def common_fallback(
        self, sec: EndpointSection, explicit: list[ErrorDoc], removed: list[ErrorDoc]
    ) -> None:
        """A status whose last own error goes falls back to the common errors of that status, if the docs
        have any: the endpoint keeps answering it in the docs."""
        gone = {(e.status, e.code) for e in removed}
        for status in sorted({e.status for e in removed}):
            own = [e for e in explicit if e.status == status]
            if not own or any((e.status, e.code) not in gone for e in own):
                continue
            common = [e for e in self.p.docs.common_errors if e.status == status]
            if common:
                c = common[0]
                self.p.notes.append(
                    f"{sec.endpoint.key}: the {status} response is not in the OpenAPI; its own errors were removed, but "
                    f"the docs' common errors ({c.span.file}:{c.span.line}) still give every authenticated endpoint a {status}"
                )

    def stated_elsewhere(self, r: ErrorDoc) -> str:
        """Why an error the OpenAPI dropped stays: where the docs state it for more than this endpoint."""
        docs = self.p.docs
        for e in docs.common_errors:
            if e.status == r.status and (e.code == r.code or not r.code):
                return (
                    f"the docs state it once for every authenticated endpoint ({e.span.file}:{e.span.line}); "
                    "left in the docs"
                )
        return "it is stated outside the endpoint's section (a convention or shared list); left in the docs"

    def drop_construct(self, sec: EndpointSection, block: Table | ListBlock) -> None:
        """A table or list whose every entry goes: the block and its label-only paragraph go with it."""
        label = sec.label_before(block)
        start = label.span.line if label is not None else block.span.line
        end = sec.block_end(block)
        if (
            not sec.df.line(end + 1).strip()
            and end + 1 <= len(sec.df.lines)
            and not sec.df.line(start - 1).strip()
        ):
            end += 1  # one of the two blank lines around it
        self.p.edit(sec.df.name, start, end, [])

    def drop_inline(self, sec: EndpointSection, line: int, errs: list[ErrorDoc]) -> None:
        text = self.inline.get(line, sec.df.line(line))
        for e in errs:
            out = remove_entry(text, e.status, e.code)
            if out is None:
                self.p.notes.append(
                    f"{sec.endpoint.key}: {_what(e)} is not in the OpenAPI; it is written in a sentence at "
                    f"{sec.df.name}:{line} (left in the docs)"
                )
                continue
            text = out
            self.p.applied.append(f"{sec.endpoint.key}: {_what(e)} removed ({sec.df.name}:{line})")
        if text != sec.df.line(line):
            self.inline[line] = text

    # ---------------------------------------------------------------- adding

    def add(self, sec: EndpointSection, explicit: list[ErrorDoc], added: list[ErrorDoc]) -> None:
        key = sec.endpoint.key
        df = sec.df
        for e in sorted(explicit, key=lambda x: -x.span.line):
            table, lst = df.table_at(e.span.line), list_of(df, e.span.line)
            if table is not None:
                last = table.rows[-1].line
                self.p.edit(
                    df.name, last + 1, last, [error_row(table, df.line(table.rows[0].line), x) for x in added]
                )
                self.applied(key, added, f"{df.name}:{last + 1}")
                return
            if lst is not None:
                last = sec.block_end(lst)
                template = next((x.example for x in explicit if isinstance(x.example, dict)), None)
                lines = [ln for x in added for ln in error_item(lst, df.lines, x, template)]
                self.p.edit(df.name, last + 1, last, lines)
                self.applied(key, added, f"{df.name}:{last + 1}")
                return
            raw = self.inline.get(e.span.line, df.line(e.span.line))
            lst_inline = error_list(raw)
            if lst_inline is not None and lst_inline.entries:
                words = lst_inline.has_words()
                new = add_entries(raw, [entry_text(x.status, x.code, x.message, words) for x in added])
                if new is not None:
                    self.inline[e.span.line] = new
                    self.applied(key, added, f"{df.name}:{e.span.line}")
                    return
        # No construct of its own: the form this file uses for other endpoints, after the bodies.
        sentence = next((e.span.line for e in explicit), None)  # "Errors: standard errors only (401 ...)"
        at = sec.construct_end(sentence) if sentence is not None else sec.body_end()
        lines = self.new_construct(df.name, added, with_label=sentence is None)
        self.p.edit(df.name, at + 1, at, ["", *lines])
        self.applied(key, added, f"{df.name}:{at + 2}")

    def applied(self, key: str, added: list[ErrorDoc], where: str) -> None:
        self.p.applied.append(f"{key}: {', '.join(_what(e) for e in added)} added ({where})")

    def new_construct(self, file: str, added: list[ErrorDoc], with_label: bool) -> list[str]:
        """The construct another endpoint of the docs uses, with `added` as its entries."""
        for doc_e in self.p.docs.endpoints:
            df = self.p.files.get(doc_e.span.file)
            if df is None or not doc_e.detailed or doc_e.span.line <= 0:
                continue
            sec = EndpointSection.of(df, doc_e)
            for e in doc_e.errors:
                if e.span.file != df.name or not sec.contains(e.span.line):
                    continue
                table, lst = df.table_at(e.span.line), list_of(df, e.span.line)
                block = table or lst
                label = sec.label_before(block) if block is not None else None
                head: list[str] = []
                if with_label and label is not None:
                    head = [df.line(label.span.line)] + (
                        [""] if block and label.span.line + 1 < block.span.line else []
                    )
                if table is not None:
                    rows = [error_row(table, df.line(table.rows[0].line), x) for x in added]
                    return head + [df.line(table.span.line), df.line(table.span.line + 1), *rows]
                if lst is not None:
                    template = e.example if isinstance(e.example, dict) else None
                    return head + [ln for x in added for ln in error_item(lst, df.lines, x, template)]
                raw = df.line(e.span.line)
                found = error_list(raw)
                if found is not None and found.entries:
                    words = found.has_words()
                    label_text = raw[found.label_start : found.label_end]
                    sep = found.separator(raw)
                    return [
                        label_text
                        + " "
                        + sep.join(entry_text(x.status, x.code, x.message, words) for x in added).strip()
                    ]
        lines = error_blocks(tuple(added))
        while lines and not lines[-1].strip():
            lines.pop()
        return (["**Error Responses**:", ""] if with_label else []) + lines


# ---------------------------------------------------------------- one entry, in the construct's style


def error_columns(table: Table) -> tuple[int | None, int | None, int | None]:
    """(status, code, message) column indexes: the status column by its values, the code column by its
    machine codes or header, the message column by header or as the one left."""
    header = table.header_plain()
    n = len(header)
    status = next(
        (
            i
            for i in range(n)
            if table.rows
            and sum(1 for r in table.rows if i < len(r.cells) and _STATUS_CELL.match(plain(r.cells[i]))) * 5
            >= len(table.rows) * 3
        ),
        None,
    )
    rest = [i for i in range(n) if i != status]
    code_i = next(
        (
            i
            for i in rest
            if any(_CODE_WORD.match(plain(r.cells[i]).strip("`")) for r in table.rows if i < len(r.cells))
        ),
        None,
    )
    if code_i is None:
        code_i = next((i for i in rest if "code" in header[i] or "error" in header[i]), None)
    rest = [i for i in rest if i != code_i]
    words = ("message", "description", "when", "meaning", "reason", "cause", "detail")
    msg = next((i for i in rest if any(w in header[i] for w in words)), rest[0] if rest else None)
    return status, code_i, msg


def error_row(table: Table, sample: str, e: ErrorDoc) -> str:
    """A row for `e` in the table's columns, status and code cells written like the `sample` row's."""
    si, ci, mi = error_columns(table)
    _, cells, _ = raw_cells(sample)
    out = [" "] * len(table.header)
    if si is not None:
        sample_status = cells[si].strip() if si < len(cells) else ""
        text = str(e.status)
        if re.search(r"\d{3}\s+[A-Za-z]", sample_status):
            text = f"{e.status} {phrase(e.status)}".strip()
        out[si] = f"`{text}`" if sample_status.startswith("`") else text
    if ci is not None and e.code:
        sample_code = cells[ci].strip() if ci < len(cells) else ""
        out[ci] = code(e.code, True) if sample_code.startswith("`") else e.code
    elif e.code and si is not None:
        out[si] += f" {code(e.code, True)}"  # no code column: `429 \`BACKPRESSURE\``, as the reader takes it
    if mi is not None:
        out[mi] = cell(e.message)
    return "| " + " | ".join(out) + " |"


def error_item(
    lst: ListBlock, lines: list[str], e: ErrorDoc, template: dict[str, object] | None
) -> list[str]:
    """`- **404 Not Found**: message` (+ the example fence, when the list's items carry one: shaped like
    the `template` example of a sibling, so the docs' envelope keeps its fields and their values' types)."""
    first = lines[lst.items[0].line - 1]
    bullet = re.match(r"^\s*(?:[-*+]|\d+[.)])\s+", first)
    lead = bullet.group(0) if bullet else "- "
    fence_line = next(
        (lines[b.span.line - 1] for item in lst.items for b in item.blocks if isinstance(b, Fence)),
        None,
    )
    example = None
    if fence_line is not None and e.example is not None:
        example = styled_example(template, e) if template is not None else e.example
    text = e.message if e.message != phrase(e.status) else ""
    if e.code and e.code != _code_in(example):  # the code goes in the text when no example carries it
        text = f"{code(e.code)} {text}".strip()
    out = [f"{lead}**{e.status} {phrase(e.status)}**:".replace(" **:", "**:") + (f" {text}" if text else "")]
    if fence_line is not None and example is not None:
        indent = re.match(r"^\s*", fence_line).group(0)  # type: ignore[union-attr]
        fence = re.match(r"^(`{3,}|~{3,})", fence_line.strip())
        mark = fence.group(1) if fence else "```"
        out += [f"{indent}{mark}json", indent + json.dumps(example, ensure_ascii=False), indent + mark]
    return out


def styled_example(template: dict[str, object], e: ErrorDoc) -> dict[str, object]:
    """A sibling's example with `e`'s code and message (what else the backend's example says stays out:
    its placeholders would change what the docs' examples imply about the envelope)."""
    out = dict(template)
    backend = e.example if isinstance(e.example, dict) else {}
    for key in out:
        low = key.lower()
        if low == "error" and isinstance(out[key], dict):  # {"error": {"code": ..., "message": ...}}
            inner = backend.get(key)
            nested = ErrorDoc(e.status, e.code, e.message, inner if isinstance(inner, dict) else None)
            out[key] = styled_example(out[key], nested)  # type: ignore[arg-type]
        elif low in ("error", "code", "errorcode") and isinstance(out[key], str) and e.code:
            out[key] = e.code
        elif low in ("message", "msg", "detail") and isinstance(out[key], str):
            value = backend.get(key)
            out[key] = value if isinstance(value, str) else e.message
    return out


def _code_in(example: object) -> str:
    if isinstance(example, dict):
        v = example.get("error", example.get("code"))
        if isinstance(v, str) and _CODE_WORD.match(v):
            return v
        if isinstance(v, dict):
            return _code_in(v)
    return ""
