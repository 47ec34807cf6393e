"""Named types the backend has and the docs do not: defined in the docs when sync refers to one.

A reference is written when sync puts a type name into the docs (a TypeScript member `tags: Tag[]`, a
Type cell `Tag[]`, a new endpoint's `Tag` body); everything else about a backend's schema names is
followed, not copied (an inline body the backend happens to name stays inline). Each new type is
defined once, in the docs' form: a TypeScript `interface` (or `type`) when the docs declare types in
TypeScript or have no table-defined type, else a `**Name**` + property table in the columns the
docs' own named tables use. It goes next to the first place that uses it: in the preamble of the
endpoint group (before its first endpoint heading, where the readers take it as a type and not as a
body), or right after the named type that refers to it.

Members are written so the readers get the type back: TypeScript cannot spell integer, uuid or a
constraint, so a member's comment carries them (`// integer, max 40`, `// uuid`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from roundtrip.emit.md_text import constraint_phrase, ts_member, ts_type
from roundtrip.ir import Field, Kind, Origin, TypeRef
from roundtrip.markdown import Table
from roundtrip.sync.sections import fence_of
from roundtrip.sync.tables import TableStyle

if TYPE_CHECKING:
    from roundtrip.sync.plan import Planner

_HINTS = {Kind.UUID: "uuid", Kind.DATE: "date"}  # what `string` loses in TypeScript


@dataclass(frozen=True)
class Place:
    """Insert before `line` of `file` (`after` = the lines go after a block: a blank line leads)."""

    file: str
    line: int
    after: bool = False


INLINE = Place("", 0)  # defined inside lines sync writes itself (a new endpoint group)


def member_note(f: Field) -> str:
    """A member comment the TS reader turns back into `f`: the description, then what the type cannot say."""
    parts = [f.description] if f.description else []
    core = f.type.items if f.type.kind is Kind.ARRAY and f.type.items is not None else f.type
    hint = _HINTS.get(core.kind) or ("integer" if core.kind is Kind.INTEGER and core.bits != 64 else None)
    if hint and hint not in f.description.lower():
        parts.append(hint)
    phrase = constraint_phrase(f.constraints, f.type.kind)
    if phrase:
        parts.append(phrase)
    if f.has_default:
        parts.append(
            f"default {ts_type(TypeRef(Kind.LITERAL, literal=f.default)) if f.default is not None else 'null'}"
        )
    return ", ".join(parts)


def typed_member(f: Field, indent: str) -> list[str]:
    return ts_member(replace(f, description=member_note(f)), indent)


class NewTypes:
    def __init__(self, planner: Planner) -> None:
        self.p = planner
        self.docs_names = {s.name for s in planner.old.schemas} | set(planner.named)
        self.pending: dict[str, Place | None] = {}  # name → where (None: nowhere found)
        self.ts_form = any(s.origin is Origin.TYPESCRIPT for s in planner.docs.schemas) or not any(
            s.origin is Origin.FIELD_TABLE for s in planner.docs.schemas
        )

    def is_new(self, name: str | None) -> bool:
        return bool(name) and name not in self.docs_names and self.p.new.schema(name or "") is not None

    def names_in(self, t: TypeRef, depth: int = 0) -> list[str]:
        """The new type names `t` refers to, directly or through other new types."""
        if depth > 12:
            return []
        out: list[str] = []
        if t.kind is Kind.REF and self.is_new(t.ref):
            out.append(t.ref or "")
        for f in t.fields:
            out += self.names_in(f.type, depth + 1)
        for x in [*([t.items] if t.items is not None else []), *t.variants, *t.args]:
            out += self.names_in(x, depth + 1)
        return list(dict.fromkeys(out))

    def refer(self, t: TypeRef, place: Place | None) -> list[str]:
        """Record the new types `t` names (and those they name) to be defined at `place`; returns the
        ones first recorded now."""
        first: list[str] = []
        todo = self.names_in(t)
        while todo:
            name = todo.pop(0)
            if name in self.pending:
                continue
            self.pending[name] = place
            first.append(name)
            schema = self.p.new.schema(name)
            if schema is not None:
                todo += [n for n in self.names_in(schema.type) if n not in self.pending]
        return first

    def place_near(self, file: str, line: int, group: bool = True) -> Place | None:
        """Where a type used at `file:line` is defined: the preamble of the endpoint group when the line is
        in an endpoint section (and `group`), else right after the block at that line."""
        for e in self.p.docs.endpoints if group else ():
            if e.detailed and e.span.file == file and e.span.line > 0:
                df = self.p.files.get(file)
                if df is not None and e.span.line <= line <= df.section_end(e.span.line):
                    return self.group_place(file, e.span.line)
        df = self.p.files.get(file)
        if df is None:
            return None
        fence = fence_of(df, line)
        table = df.table_at(line)
        block = fence or table
        if block is None:
            nxt = df.block_after_label(line)
            block = nxt if nxt is not None and nxt.span.line > line else None
        end = block.span.end_line if block is not None else line
        if isinstance(block, Table):
            end = max(r.line for r in block.rows) if block.rows else block.span.line + 1
        return Place(file, end + 1, after=True)

    def group_place(self, file: str, endpoint_line: int) -> Place | None:
        """Before the first endpoint heading of the group holding the endpoint at `endpoint_line`."""
        df = self.p.files.get(file)
        if df is None:
            return None
        heads = df.headings()
        own = next((h for h in heads if h.span.line == endpoint_line), None)
        level = own.level if own is not None else 7
        parent = max(
            (h for h in heads if h.span.line < endpoint_line and h.level < level),
            key=lambda h: h.span.line,
            default=None,
        )
        if parent is None or parent.level < 2:
            return self.types_area()
        first = next((h for h in heads if h.span.line > parent.span.line), None)
        return Place(file, first.span.line if first is not None else endpoint_line)

    def types_area(self) -> Place | None:
        """After the last type the docs define in the form new types are written in."""
        form = Origin.TYPESCRIPT if self.ts_form else Origin.FIELD_TABLE
        defined = [
            s
            for s in self.p.docs.schemas
            if s.origin is form and s.span.line > 0 and s.span.file in self.p.files
        ]
        if not defined:
            return None
        last = max(defined, key=lambda s: (s.span.file == self.p.main_file(), s.span.line))
        return self.place_near(last.span.file, last.span.line, group=False)

    # ---------------------------------------------------------------- writing

    def definitions(self, names: list[str]) -> list[str]:
        """The docs' lines defining `names` (TypeScript in one fence, or one property table each)."""
        ts: list[str] = []
        tables: list[str] = []
        template = self.table_template()
        for name in names:
            schema = self.p.new.schema(name)
            if schema is None:
                continue
            t = schema.type
            if (
                not self.ts_form
                and template is not None
                and t.kind is Kind.OBJECT
                and t.fields
                and not t.nullable
            ):
                tables += [*([""] if tables else []), *self.table_definition(name, t, template)]
                continue
            if ts:
                ts.append("")
            if schema.description:
                ts.append(f"/** {schema.description} */")
            if t.kind is Kind.OBJECT and not t.nullable:
                ts.append(f"interface {name} {{")
                for f in t.fields:
                    ts += typed_member(f, "  ")
                ts.append("}")
            else:
                ts.append(f"type {name} = {ts_type(t)};")
        out = ["```typescript", *ts, "```"] if ts else []
        return out + ([""] if out and tables else []) + tables

    def table_template(self) -> tuple[Table, str, str, bool] | None:
        """A table the docs define a named type with: (table, header line, separator line, blank after label)."""
        for s in self.p.docs.schemas:
            df = self.p.files.get(s.span.file)
            if s.origin is not Origin.FIELD_TABLE or df is None:
                continue
            table = df.block_after_label(s.span.line)
            if isinstance(table, Table):
                gap = table.span.line > s.span.line + 1
                return table, df.line(table.span.line), df.line(table.span.line + 1), gap
        return None

    def table_definition(self, name: str, t: TypeRef, template: tuple[Table, str, str, bool]) -> list[str]:
        table, header, sep, gap = template
        style = TableStyle.of(table, set())
        rows = [
            style.new_row(
                len(table.header),
                f.name,
                f.type,
                f.required,
                f.description,
                f.constraints,
                f.has_default,
                f.default,
            )
            for f in t.fields
        ]
        return [f"**{name}**", *([""] if gap else []), header, sep, *rows]

    def write(self) -> None:
        """One edit per place, holding every type recorded for it (in the order they were first used)."""
        by_place: dict[Place, list[str]] = {}
        for name, place in self.pending.items():
            if place is None:
                self.p.notes.append(
                    f"type {name} is new in the OpenAPI; no place found for it in the docs (define it by hand)"
                )
            elif place != INLINE:
                by_place.setdefault(place, []).append(name)
        for place, names in by_place.items():
            lines = self.definitions(names)
            if not lines:
                continue
            if place.after:
                self.p.edit(place.file, place.line, place.line - 1, ["", *lines])
            else:
                self.p.edit(place.file, place.line, place.line - 1, [*lines, ""])
            self.p.applied.append(f"type {', '.join(names)} defined ({place.file}:{place.line})")
