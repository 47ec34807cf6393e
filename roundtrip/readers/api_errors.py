"""Documented errors: tables, bullet lists with JSON examples, and inline `400 VALIDATION_ERROR · 401 X` lists.

Column order and vocabulary vary (`| Status | Code | Message |`, `| Code | Status | Message |`,
`| Code | Meaning |` where Code is the HTTP status, `| Failure | Response |`), so the status column is
found by its values (three-digit numbers), not only by its header.
"""

from __future__ import annotations

import http
import re
from typing import Any

from roundtrip.diagnostics import Sink
from roundtrip.ir import ErrorDoc
from roundtrip.ir.infer import error_code_of
from roundtrip.markdown import Fence, Table
from roundtrip.markdown.cst import ListItem
from roundtrip.markdown.inline import code_spans
from roundtrip.readers.api_json import parse_examples
from roundtrip.readers.api_labels import header_roles
from roundtrip.readers.api_text import flat
from roundtrip.source import Span

_STATUS_START = re.compile(r"^\s*([1-5]\d\d)\b")
_ERR_STATUS = re.compile(r"(?<![\w.$/#-])([45]\d\d)(?![\w.%/-])")
_MACHINE_CODE = re.compile(r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b")
_WORD_CODE = re.compile(r"^\s*`?([A-Z]{4,})`?\b")
# "`422 MEMBER_BLOCKED` (`details.blockReasons`)": a parenthesis that only names where the error's details
# carry something is a note on the details, not the error's message
_DETAILS_NOTE = re.compile(r"\(\s*`(?:error\.)?details(?:\.[A-Za-z_][\w\[\]]*)*`\s*\)")
# "`Borrowing is blocked` (`details.blockReasons`: `["FINES_OVER_LIMIT"]`)": a message cell that quotes the example
# message in code and adds a parenthetical note (what details carry, a header, "no stack traces"): the message is the quote
_QUOTED_MESSAGE = re.compile(r"^\s*`([^`]+)`\s*\(.*\)\s*$", re.S)
_LIST_ITEM = re.compile(r"^\s*([1-5]\d\d)\b(?P<reason>[^:—–]*?)\s*(?::|—|–|\s-\s|$)\s*(?P<rest>.*)$", re.S)


def _flat(text: str) -> str:
    """Inline markdown → text without touching underscores (flat() would read `_LIMIT_` as emphasis)."""
    t = re.sub(r"\*\*|__(?=\w)|`", "", text).replace("\\|", "|")
    return re.sub(r"\s+", " ", t).strip()


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _codes_in(text: str) -> list[str]:
    found: list[str] = []
    for c in code_spans(text) + [m.group(1) for m in _MACHINE_CODE.finditer(_flat(text))]:
        for m in _MACHINE_CODE.finditer(c):
            if m.group(1) not in found:
                found.append(m.group(1))
        if re.fullmatch(r"[A-Z]{4,}", c) and c not in found:
            found.append(c)
    return found


code_from_example = error_code_of  # the shared reading of an error example (roundtrip.ir.infer)

def status_column(table: Table) -> int | None:
    """The column whose cells are (mostly) HTTP statuses."""
    best: int | None = None
    for i in range(len(table.header)):
        cells = [flat(r.cells[i]) for r in table.rows if i < len(r.cells) and flat(r.cells[i]).strip()]
        if not cells:
            continue
        hits = sum(1 for c in cells if _STATUS_START.match(c))
        if hits * 5 >= len(cells) * 3:
            return i
    return best


def is_error_table(table: Table) -> bool:
    roles = header_roles(table.header)
    if len(table.header) < 2 or not table.rows or {"type", "method", "path", "required"} & set(roles):
        return False
    return status_column(table) is not None


def errors_from_table(table: Table, file: str) -> list[ErrorDoc]:
    roles = header_roles(table.header)
    si = status_column(table)
    if si is None:
        return []
    code_i = next((i for i, r in enumerate(roles) if r == "code" and i != si), None)
    msg_i = next((i for i, r in enumerate(roles) if r in ("message", "description") and i != si), None)
    out: list[ErrorDoc] = []
    for row in table.rows:
        cells = row.cells
        status_cell = cells[si] if si < len(cells) else ""
        m = _STATUS_START.match(flat(status_cell))
        if not m or int(m.group(1)) < 400:
            continue
        status = int(m.group(1))
        code_cell = cells[code_i] if code_i is not None and code_i < len(cells) else status_cell
        codes = _codes_in(code_cell)
        if not codes and code_i is not None and re.fullmatch(r"[A-Z][A-Z0-9_]+", _flat(code_cell)):
            codes = [_flat(code_cell)]  # a dedicated code column: UNAUTHORIZED needs no underscore
        if msg_i is not None and msg_i < len(cells):
            quoted = _QUOTED_MESSAGE.match(cells[msg_i])
            message = quoted.group(1).strip() if quoted else _flat(cells[msg_i])
        else:
            others = [_flat(c) for j, c in enumerate(cells) if j not in (si, code_i)]
            message = next((o for o in others if o), "")
        span = Span(file, row.line)
        for code in codes or [""]:
            out.append(ErrorDoc(status, code, message, None, span))
    return out


def error_item(item: ListItem, file: str, sink: Sink) -> list[ErrorDoc]:
    """`- **409 Conflict**: Email already registered` (+ a JSON fence), `` - `400` - Validation error ``."""
    text = _flat(item.text)
    m = _LIST_ITEM.match(text)
    if not m:
        return []
    status = int(m.group(1))
    reason = m.group("reason").strip()
    rest = m.group("rest").strip()
    codes = _codes_in(item.text.split(":", 1)[1] if ":" in item.text else item.text)
    message = rest
    if codes and rest.replace("/", " ").split() and all(w in codes for w in rest.replace("/", " ").split()):
        message = ""
    if not message and reason and reason.lower() != _reason(status).lower():
        message = reason
    example: Any = None
    for blk in item.blocks:
        if isinstance(blk, Fence) and blk.lang in ("json", "jsonc", "json5", ""):
            res = parse_examples(blk.content)
            if res.error:
                sink.add("RT110", Span(file, blk.span.line), f"error example is not JSON ({res.error}); it was dropped — "
                         "write a JSON object such as {\"error\": \"CODE\", \"message\": \"...\"}")
            elif not res.strict:
                sink.add("RT108", Span(file, blk.span.line), "error example is not strict JSON (comments, trailing commas or `...`); "
                         "it was read leniently")
            if res.segments and res.segments[0].has_value:
                example = res.segments[0].value
                c = code_from_example(example)
                if c and c not in codes:
                    codes = [c] + codes
            break
    span = Span(file, item.line)
    return [ErrorDoc(status, code, message, example, span) for code in (codes or [""])]


def looks_like_error_item(text: str) -> bool:
    m = _LIST_ITEM.match(_flat(text))
    return bool(m) and int(m.group(1)) >= 400 if m else False


def errors_inline(text: str, span: Span) -> list[ErrorDoc]:
    """`` `400 VALIDATION_ERROR` · `401 X` ``, "401 (Not authenticated), 404", "`409` email already in use."."""
    hits = list(_ERR_STATUS.finditer(text))
    out: list[ErrorDoc] = []
    for i, m in enumerate(hits):
        chunk = _DETAILS_NOTE.sub(" ", text[m.end(): hits[i + 1].start() if i + 1 < len(hits) else len(text)])
        flat = _flat(chunk.replace("`", " "))
        codes = [c.group(1) for c in _MACHINE_CODE.finditer(flat)]
        if not codes:
            wm = _WORD_CODE.match(chunk.lstrip("` "))
            if wm and wm.group(1) not in ("HTTP", "JSON", "HMAC", "UUID"):
                codes = [wm.group(1)]
        message = flat
        for c in codes:
            message = message.replace(c, " ")
        message = re.sub(r"\s+", " ", message).strip(" ,;·:—–-()`.")
        message = re.sub(r"^\(|\)$", "", message).strip()
        status = int(m.group(1))
        for code in codes[:1] or [""]:
            out.append(ErrorDoc(status, code, message, None, span))
    return out
