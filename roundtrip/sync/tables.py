"""Field and parameter tables: change the cells that changed, in the table's own column layout.

A row is edited cell by cell on its raw text (escapes and code spans kept), so a changed `Required`
cell leaves the Description cell — the author's words — exactly as written. New rows follow the
table's columns and the conventions the other rows use (backticked names, `UUID` spelled in capitals,
enum values listed as code spans in the Validation cell with the Type cell saying `string`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from roundtrip.emit.md_schemas import default_text
from roundtrip.emit.md_text import cell, cell_type, code, constraint_phrase
from roundtrip.ir import Constraints, Kind, TypeRef
from roundtrip.markdown import Table, plain

_ROLE_WORDS = {
    "name": ("field", "name", "property", "parameter", "param", "query", "attribute", "key", "header"),
    "type": ("type",),
    "required": ("required", "req", "optional"),
    "description": ("description", "desc", "notes", "meaning"),
    "validation": ("validation", "constraints", "rules", "constraint", "validations"),
    "default": ("default",),
}


def raw_cells(line: str) -> tuple[str, list[str], str]:
    """(prefix, raw cell texts, suffix) of a table row: joining them with `|` gives the line back."""
    lead = line[: len(line) - len(line.lstrip())]
    s = line.strip()
    prefix = lead + ("|" if s.startswith("|") else "")
    body = s[1:] if s.startswith("|") else s
    suffix = ""
    if body.endswith("|") and not body.endswith("\\|"):
        body, suffix = body[:-1], "|"
    cells: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            buf.append(body[i : i + 2])
            i += 2
            continue
        if ch == "`":
            run = len(body[i:]) - len(body[i:].lstrip("`"))
            close = body.find("`" * run, i + run)
            if close != -1:
                buf.append(body[i : close + run])
                i = close + run
                continue
        if ch == "|":
            cells.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    cells.append("".join(buf))
    return prefix, cells, suffix


def with_cells(line: str, new: dict[int, str]) -> str:
    prefix, cells, suffix = raw_cells(line)
    for i, text in new.items():
        if i < len(cells):
            cells[i] = f" {text} "
    return prefix + "|".join(cells) + suffix


def roles(table: Table) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, h in enumerate(table.header_plain()):
        for role, words in _ROLE_WORDS.items():
            if role not in out and any(
                h == w or h.startswith(w + " ") or h.startswith(w + "/") for w in words
            ):
                out[role] = i
                break
    out.setdefault("name", 0)
    return out


def enum_list(values: tuple[str, ...]) -> str:
    return ", ".join(code(v, True) for v in values)


@dataclass
class TableStyle:
    """How this table writes what a new or changed row must say."""

    roles: dict[str, int]
    code_names: bool = False  # names written as `code`
    upper_uuid: bool = False  # `UUID` rather than `uuid`
    enums_in_validation: bool = False  # Type `string` + values in the Validation cell

    @classmethod
    def of(cls, table: Table, enum_rows: set[int]) -> TableStyle:
        r = roles(table)
        style = cls(r)
        for row in table.rows:
            name = row.cells[r["name"]].strip() if r["name"] < len(row.cells) else ""
            style.code_names = style.code_names or name.startswith("`")
            if "type" in r:
                t = plain(row.cells[r["type"]])
                style.upper_uuid = style.upper_uuid or t == "UUID"
                if row.line in enum_rows and t.lower() == "string" and "validation" in r:
                    style.enums_in_validation = True
        return style

    def type_text(self, t: TypeRef) -> str:
        if t.kind is Kind.ENUM and self.enums_in_validation:
            return "string \\| null" if t.nullable else "string"
        text = cell(cell_type(t))
        return text.replace("uuid", "UUID") if self.upper_uuid else text

    def validation_text(self, t: TypeRef, c: Constraints, has_default: bool, default: Any) -> str:
        parts: list[str] = []
        if t.kind is Kind.ENUM and self.enums_in_validation:
            parts.append(enum_list(t.values))
        phrase = constraint_phrase(c, t.kind)
        if phrase:
            parts.append(phrase)
        text = ", ".join(parts)
        if has_default and "default" not in self.roles:
            text = (text + "; " if text else "") + "default " + code(default_text(default), True)
        return text or " "

    def new_row(
        self,
        ncols: int,
        name: str,
        t: TypeRef,
        required: bool,
        description: str,
        c: Constraints,
        has_default: bool,
        default: Any,
    ) -> str:
        cells = [" "] * ncols
        r = self.roles
        cells[r["name"]] = code(name, True) if self.code_names else cell(name)
        if "type" in r:
            cells[r["type"]] = self.type_text(t)
        if "required" in r:
            cells[r["required"]] = "Yes" if required else "No"
        if "description" in r:
            cells[r["description"]] = cell(description)
        if "validation" in r:
            cells[r["validation"]] = self.validation_text(t, c, has_default, default)
        if "default" in r and has_default:
            cells[r["default"]] = cell(default_text(default))
        return "| " + " | ".join(cells) + " |"


def without_values(t: TypeRef) -> TypeRef:
    from dataclasses import replace

    return replace(t, values=(), source=None) if t.kind is Kind.ENUM else replace(t, source=None)


def changed_row(
    line: str,
    style: TableStyle,
    old_t: TypeRef,
    new_t: TypeRef,
    old_required: bool,
    new_required: bool,
    old_c: Constraints,
    new_c: Constraints,
    old_default: tuple[bool, Any],
    new_default: tuple[bool, Any],
    same_type: bool,
) -> str:
    """`line` with the cells that state what changed rewritten; `same_type` compares the types without
    enum values (the caller knows how to compare named types)."""
    r = style.roles
    _, cells, _ = raw_cells(line)
    new: dict[int, str] = {}
    enum_change = old_t.kind is Kind.ENUM and new_t.kind is Kind.ENUM and old_t.values != new_t.values
    rebuild_validation = old_c != new_c or old_default != new_default
    if not same_type:
        if "type" in r:
            new[r["type"]] = style.type_text(new_t)
        rebuild_validation = rebuild_validation or old_t.kind is Kind.ENUM or new_t.kind is Kind.ENUM
    elif enum_change:
        listed = [
            i
            for i in (r.get("validation"), r.get("type"))
            if i is not None
            and i < len(cells)
            and edit_value_list(cells[i], old_t.values, new_t.values) is not None
        ]
        if listed:
            new[listed[0]] = str(edit_value_list(cells[listed[0]], old_t.values, new_t.values)).strip()
        elif "type" in r and ("'" in cells[r["type"]] or "|" in plain(cells[r["type"]])):
            new[r["type"]] = style.type_text(new_t)
        else:
            rebuild_validation = True
    if old_required != new_required and "required" in r:
        new[r["required"]] = "Yes" if new_required else "No"
    if rebuild_validation and "validation" in r:
        new[r["validation"]] = style.validation_text(new_t, new_c, *new_default)
    if old_default != new_default and "default" in r:
        new[r["default"]] = cell(default_text(new_default[1])) if new_default[0] else " "
    return with_cells(line, new)


def edit_value_list(text: str, old: tuple[str, ...], new: tuple[str, ...]) -> str | None:
    """`text` (a cell listing enum values as code spans: `` `active` (default), `archived` ``) with the
    values gone from `new` taken out and the added ones appended after the last listed value, so the
    words around the list stay. None when the cell does not list every old value."""
    spans: dict[str, re.Match[str]] = {}
    for m in re.finditer(r"`([^`]+)`", text):
        spans.setdefault(m.group(1), m)  # the first mention is the list; a later one may be "default `a`"
    if not old or any(v not in spans for v in old):
        return None
    out = text
    for v in sorted((v for v in old if v not in new), key=lambda v: -spans[v].start()):
        m = spans[v]
        after = re.match(r"\s*(?:,|/|\bor\b)\s*", out[m.end() :])
        before = re.search(r"\s*(?:,|/|\bor\b)\s*$", out[: m.start()])
        if after:
            out = out[: m.start()] + out[m.end() + after.end() :]
        elif before:
            out = out[: before.start()] + out[m.end() :]
        else:
            out = out[: m.start()] + out[m.end() :]
    added = [v for v in new if v not in old]
    if added:
        first: dict[str, re.Match[str]] = {}
        for m in re.finditer(r"`([^`]+)`", out):
            if m.group(1) in new:
                first.setdefault(m.group(1), m)
        kept = sorted(first.values(), key=lambda m: m.end())
        at = kept[-1].end() if kept else len(out.rstrip())
        out = out[:at] + ("" if not kept else ", ") + enum_list(tuple(added)) + out[at:]
    return out
