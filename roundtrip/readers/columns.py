"""Markdown column tables (+ the key/index/FK bullets under them) → tables with origin COLUMN_TABLE.

A column table is a Markdown table whose header has a column-name column and a type column (any
order, vocabulary below), under a heading that names a table (`### users`, ``#### `tenants` ``,
`### 1. User` with ``**Table Name**: `users` ``). Each row is rewritten into
`CREATE TABLE t ("col" <placeholder> <constraints as SQL>)` and parsed by the SQL front ends, with
the Type cell mapped by the same `map_sql_type` as DDL: a column table and a CREATE TABLE that say
the same thing produce the same IR. Bullets after the table (`**Primary Key**:`, `**Indexes**:`,
`**Foreign Keys**:`, `**Constraints**:`) become keys, indexes and constraints the same way.
`**Sample Data**` sql fences in the section are read by the SQL reader, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts
from roundtrip.ir.data import UniqueConstraint
from roundtrip.ir.schema import Origin
from roundtrip.ir.types import Kind, TypeRef
from roundtrip.markdown import Document, ListBlock, Paragraph, Section, TableRow
from roundtrip.markdown import Table as MdTable
from roundtrip.readers.sql import fragment_index, fragment_table
from roundtrip.readers.sql_cells import (
    cell_text,
    constraint_bullet_sql,
    constraint_parts,
    default_cell_sql,
    enum_values_from_cell,
    fk_bullet_sql,
    index_bullet_sql,
    key_columns,
    normalize_constraints,
    prose_parts,
    pseudo_row_sql,
    required_cell_sql,
    strip_trailing_note,
    table_name_for,
)
from roundtrip.readers.sql_context import SqlContext
from roundtrip.readers.sql_table import ColumnDraft, TableDraft
from roundtrip.readers.sql_types import MappedType, map_sql_type, scan_type

# Header vocabulary (lower-case, as `Table.header_plain()` gives it). Data, not code.
NAME_HEADERS = {"column", "columns", "column name", "field", "fields", "field name", "name", "kolom", "nama kolom",
                "attribute", "attributes", "atribut"}
STRONG_NAME_HEADERS = {"column", "columns", "column name", "kolom", "nama kolom"}
TYPE_HEADERS = {"type", "data type", "datatype", "tipe", "tipe data", "sql type", "db type", "column type"}
CONSTRAINT_HEADERS = {"constraints", "constraint", "notes", "note", "keterangan", "modifiers", "key", "keys", "extra",
                      "options", "flags", "catatan", "pk/fk", "index", "rules"}
REQUIRED_HEADERS = {"required", "wajib", "not null", "mandatory"}
NULLABLE_HEADERS = {"nullable", "null", "null?"}
DEFAULT_HEADERS = {"default", "default value", "nilai default", "defaults"}
DESCRIPTION_HEADERS = {"description", "desc", "deskripsi", "purpose", "comment", "comments", "meaning", "details"}
# Headings that hold a table's columns but do not name it: the table is named by the parent heading.
GENERIC_HEADINGS = {"columns", "fields", "schema", "structure", "kolom", "attributes", "definition", "table definition"}
# Where a column table is a data model rather than a request-body table
DATA_MODEL_WORDS = ("data model", "data-model", "database", "schema", "tables", "table definition", "entities",
                    "entity", "models", "collections", "erd", "tabel", "db ")
DATA_MODEL_FILES = ("data_model", "data-model", "datamodel", "database", "schema", "models", "erd", "entities", "db")
API_LABELS = re.compile(r"request|response|body|param|query|header|payload|returns|input|output", re.I)
# Bold (or plain) labels of the paragraphs and lists under a column table
LABELS = {
    "primary key": "pk", "primary keys": "pk", "pk": "pk", "composite primary key": "pk", "composite key": "pk",
    "kunci utama": "pk",
    "indexes": "index", "indices": "index", "index": "index", "indeks": "index",
    "foreign keys": "fk", "foreign key": "fk",
    "constraints": "constraint", "table constraints": "constraint", "check constraints": "constraint",
    "unique constraints": "unique", "unique together": "unique", "unique": "unique",
    "table name": "name", "table": "name", "nama tabel": "name",
    "description": "description", "purpose": "description",
}
RELATION_TYPES = re.compile(r"^(FK|ForeignKey|OneToOneField|OneToOne|M2M|ManyToManyField|ManyToMany|GenericForeignKey)\b")
PLACEHOLDER = "__rt_type__"


@dataclass
class Layout:
    name: int
    type: int
    constraints: list[int] = field(default_factory=list)
    required: int = -1
    nullable: int = -1
    default: int = -1
    description: int = -1
    strong: bool = False  # the name column says "Column"/"Kolom": a database table for sure


def layout_of(tbl: MdTable) -> Layout | None:
    hdr = tbl.header_plain()
    name = next((i for i, h in enumerate(hdr) if h in NAME_HEADERS), -1)
    typ = next((i for i, h in enumerate(hdr) if h in TYPE_HEADERS), -1)
    if name < 0 or typ < 0:
        return None
    lay = Layout(name, typ, strong=hdr[name] in STRONG_NAME_HEADERS)
    for i, h in enumerate(hdr):
        if i in (name, typ):
            continue
        if h in CONSTRAINT_HEADERS:
            lay.constraints.append(i)
        elif h in REQUIRED_HEADERS and lay.required < 0:
            lay.required = i
        elif h in NULLABLE_HEADERS and lay.nullable < 0:
            lay.nullable = i
        elif h in DEFAULT_HEADERS and lay.default < 0:
            lay.default = i
        elif h in DESCRIPTION_HEADERS and lay.description < 0:
            lay.description = i
    return lay


# ---------------------------------------------------------------- which table does a column table describe


def _label(line: str) -> tuple[str, str] | None:
    """`**Primary Key**: `id`` → ("pk", "`id`"); `Indexes:` → ("index", ""); None if not a known label."""
    m = re.match(r"^\s*(?:[-*]\s+)?(?:\*\*|__)?(?P<label>[A-Za-z][A-Za-z /-]*?)\s*(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:|:)\s*(?P<rest>.*)$", line)
    if not m:
        return None
    kind = LABELS.get(m.group("label").strip().lower())
    return (kind, m.group("rest").strip()) if kind else None


def _clean_heading(text: str) -> list[str]:
    """`### 1. User` → ["users"]; ``#### `user_tokens` (refresh token & 2FA)`` → ["user_tokens"];
    `## 2. wallets ⭐ (most important table)` → ["wallets"]; `` `a` / `b` `` → ["a", "b"]; prose → []."""
    t = cell_text(text)
    t = re.sub(r"^\s*(\d+(\.\d+)*\.?|[A-Z]\.)\s+", "", t)
    t = re.sub(r"\s+[—–-]\s+.*$", "", t)
    t = re.sub(r"\s*:\s.*$", "", t)
    while True:
        body, note = strip_trailing_note(t)
        if not note:
            break
        t = body
    t = re.sub(r"[^\w\s./&,`\"-]", " ", t).strip()
    names = [n.strip().strip("`\"") for n in re.split(r"\s+/\s+|\s*[&,]\s*|\s+and\s+", t) if n.strip()]
    if not names or not all(re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)?", n) for n in names):
        return []
    return [table_name_for(n) for n in names]


def _explicit_name(sec: Section, tbl: MdTable) -> str:
    for b in sec.blocks:
        if b is tbl:
            break
        if isinstance(b, Paragraph):
            for _, ln in b.lines():
                lab = _label(ln)
                if lab and lab[0] == "name":
                    names = re.findall(r"`([^`]+)`", lab[1]) or [cell_text(lab[1]).split(" ")[0]]
                    n = names[0].strip() if names else ""
                    if re.fullmatch(r"[A-Za-z_][\w.]*", n):
                        return n.rsplit(".", 1)[-1]
    return ""


def table_names(sec: Section, tbl: MdTable) -> list[str]:
    explicit = _explicit_name(sec, tbl)
    if explicit:
        return [explicit]
    s: Section | None = sec
    while s is not None and s.heading is not None:
        heading = s.heading
        if s.title.lower().strip(" :") in GENERIC_HEADINGS:
            s = s.parent
            continue
        return _clean_heading(heading.text)
    return []


def _preceded_by_api_label(sec: Section, tbl: MdTable) -> bool:
    prev = None
    for b in sec.blocks:
        if b is tbl:
            break
        prev = b
    if isinstance(prev, Paragraph):
        last = prev.text.strip().split("\n")[-1]
        m = re.match(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)", last) or re.match(r"^\s*([^:]{1,40}):\s*$", last)
        if m and API_LABELS.search(m.group(1)) and not LABELS.get(m.group(1).strip(" :").lower()):
            return True
    return False


def _in_data_model(doc: Document, sec: Section) -> bool:
    stem = doc.file.lower().rsplit("/", 1)[-1]
    if any(w in stem for w in DATA_MODEL_FILES):
        return True
    for s in [sec, *sec.ancestors()]:
        title = (s.title or "").lower() + " "
        if any(w in title for w in DATA_MODEL_WORDS):
            return True
    return False


# ---------------------------------------------------------------- rows → columns


@dataclass
class _Reader:
    doc: Document
    facts: Facts
    sink: Sink
    ctx: SqlContext
    _routed: list[str] = field(default_factory=list)

    def rt110(self, line: int, msg: str) -> None:
        self.sink.add("RT110", self.ctx.span(line), msg)

    def parse_table_sql(self, sql: str, line: int) -> TableDraft | None:
        return fragment_table(sql, line, self.ctx)

    def read_table(self, sec: Section, tbl: MdTable, lay: Layout, names: list[str]) -> list[TableDraft]:
        line = sec.heading.span.line if sec.heading else tbl.span.line
        drafts = {n: TableDraft(n, self.ctx.span(line), Origin.COLUMN_TABLE, "") for n in names}
        # `#### \`currencies\` & \`exchange_rates\`` routes rows by `table.column`; a constraint row then
        # belongs to the table of the rows just above it. Otherwise every row is every named table's.
        self._routed: list[str] = []
        for row in tbl.rows:
            self.read_row(row, lay, drafts)
        return list(drafts.values())

    def read_row(self, row: TableRow, lay: Layout, drafts: dict[str, TableDraft]) -> None:
        cells = row.cells
        raw_name = cells[lay.name] if lay.name < len(cells) else ""
        name_text = cell_text(raw_name)
        if not name_text or set(name_text) <= set("-—–. "):
            return
        kind, sql = pseudo_row_sql(raw_name)
        if kind:
            for n in self._routed or list(drafts):
                self.table_element(drafts[n], kind, sql, row.line, f"constraint row {name_text!r}")
            return
        raw_type = cells[lay.type] if lay.type < len(cells) else ""
        type_text = cell_text(raw_type)
        if not type_text:
            self.rt110(row.line, f"{name_text}: the Type cell is empty, so this row is not read; state the column type")
            return
        if RELATION_TYPES.match(type_text):
            self.rt110(row.line, f"{name_text}: {type_text!r} names a relation, not a column type; write the key "
                                 "column with its type (e.g. school_id UUID REFERENCES schools(id))")
            return
        for col_name, targets, name_sql in self._column_names(name_text, row.line, drafts):
            for target in targets:
                self.read_column(col_name, name_sql, type_text, row, lay, drafts[target])

    def _column_names(self, text: str, line: int, drafts: dict[str, TableDraft]) -> list[tuple[str, list[str], str]]:
        """`created_at / updated_at` → two columns; `currencies.code (PK)` → column code of currencies."""
        body, note = strip_trailing_note(text)
        note_sql = normalize_constraints(note) if note else ""
        out: list[tuple[str, list[str], str]] = []
        for piece in re.split(r"\s*/\s*", body):
            name = piece.strip().strip("`\"").rstrip("?")
            targets = list(drafts)
            if "." in name:
                prefix, _, name = name.rpartition(".")
                if table_name_for(prefix) in drafts:
                    targets = [table_name_for(prefix)]
                    self._routed = targets
            if not re.fullmatch(r"[A-Za-z_][\w]*", name):
                self.rt110(line, f"{piece!r} is not a column name, so this row is not read; "
                                 "write one identifier per row (or a constraint such as UNIQUE (a, b))")
                continue
            extra = " NULL" if piece.strip().endswith("?") else ""
            out.append((name, targets, (note_sql + extra).strip()))
        return out

    def _type_and_rest(self, type_text: str, column: str) -> tuple[str, str, str]:
        """(type, SQL constraints written after it, prose note) from a Type cell. A parenthesized
        group after a space that is not a type parameter list is a note: `UUID (nullable)`, `text (PAID / PENDING)`."""
        note = ""
        m = re.match(r"^(?P<head>[A-Za-z_][\w ]*?)\s+\((?P<note>[^()']*)\)(?P<after>.*)$", type_text)
        if m and not re.fullmatch(r"[\d\s,]+", m.group("note")) and scan_type(m.group("head"))[1] == len(m.group("head")):
            note = m.group("note")
            type_text = m.group("head") + " " + m.group("after")
        typ, end = scan_type(type_text)
        rest = type_text[end:].strip()
        note_sql = normalize_constraints(note, column) if note else ""
        if note_sql:
            note = ""
        return typ, (normalize_constraints(rest, column) + " " + note_sql).strip(), note

    def read_column(self, name: str, name_sql: str, type_text: str, row: TableRow, lay: Layout, draft: TableDraft) -> None:
        cells = row.cells
        typ, type_sql, type_note = self._type_and_rest(type_text, name)
        if not typ:
            self.rt110(row.line, f"column {name}: no type could be read from {type_text!r}; state an SQL type")
            return
        mapped = map_sql_type(typ, "postgres", enums=self.ctx.enums)
        if mapped.type.kind is Kind.ENUM and not mapped.type.values:
            values = next((v for i in lay.constraints if i < len(cells) and (v := enum_values_from_cell(cells[i]))), ())
            if values:
                mapped = MappedType(TypeRef(Kind.ENUM, values=values, source=mapped.type.source), True)
        if not mapped.known:
            self.sink.add("RT111", self.ctx.span(row.line),
                          f"column {name}: type {typ!r} is not a known SQL type, so it is read as text; use a standard SQL type")
        parts: list[str] = [p for p in (name_sql, type_sql) if p]
        prose: list[str] = [type_note] if type_note else []
        for i in lay.constraints:
            if i < len(cells) and cells[i].strip():
                text = cell_text(cells[i])
                parts.extend(constraint_parts(text, name))
                prose.extend(prose_parts(text))
        if 0 <= lay.required < len(cells) and (req := required_cell_sql(cells[lay.required])):
            parts.append(req)
        if 0 <= lay.nullable < len(cells) and (req := required_cell_sql(cells[lay.nullable])):
            parts.append("NULL" if req == "NOT NULL" else "NOT NULL")
        if 0 <= lay.default < len(cells) and (dflt := default_cell_sql(cells[lay.default])):
            parts.append("DEFAULT " + dflt)
        description = cell_text(cells[lay.description]) if 0 <= lay.description < len(cells) else "; ".join(prose)
        col = self._parse_column(name, mapped, parts, row.line, draft)
        col.description = description
        draft.add_column(col)

    def _parse_column(self, name: str, mapped: MappedType, parts: list[str], line: int, draft: TableDraft) -> ColumnDraft:
        """Parse all constraint parts at once; if that fails, part by part, reporting the ones that do not parse."""
        self.ctx.override_type = mapped
        try:
            sql = f'CREATE TABLE "{draft.name}" ("{name}" {PLACEHOLDER} {" ".join(parts)})'
            got = self.parse_table_sql(sql, line)
            if got is None:
                kept: list[str] = []
                for p in parts:
                    if self.parse_table_sql(f'CREATE TABLE "{draft.name}" ("{name}" {PLACEHOLDER} {p})', line) is not None:
                        kept.append(p)
                    else:
                        self.rt110(line, f"column {name}: constraint {p!r} could not be read as SQL; it is ignored")
                got = self.parse_table_sql(f'CREATE TABLE "{draft.name}" ("{name}" {PLACEHOLDER} {" ".join(kept)})', line)
        finally:
            self.ctx.override_type = None
        if got is None or not got.columns:
            return ColumnDraft(name, mapped.type, self.ctx.span(line), autoincrement=mapped.autoincrement)
        col = got.columns[0]
        col.span = self.ctx.span(line)
        draft.checks.extend(got.checks)
        for fk in got.foreign_keys:
            draft.add_foreign_key(fk)
        return col

    # ------------------------------------------------------------ table-level facts

    def table_element(self, draft: TableDraft, kind: str, sql: str, line: int, what: str) -> bool:
        if kind == "index":
            got = fragment_index(f'CREATE UNIQUE INDEX ON "{draft.name}" {sql}', line, self.ctx)
            if got is None:
                self.rt110(line, f"{what} could not be read as a partial unique index; write it as UNIQUE (cols) WHERE ...")
                return False
            draft.indexes.append(got[1])
            return True
        got_t = self.parse_table_sql(f'CREATE TABLE "{draft.name}" ({sql})', line)
        if got_t is None:
            self.rt110(line, f"{what} could not be read as SQL; write it as a table constraint, e.g. UNIQUE (a, b)")
            return False
        merge_table_level(draft, got_t)
        return True

    def try_elements(self, draft: TableDraft, candidates: list[str], line: int) -> bool:
        for sql in candidates:
            got = self.parse_table_sql(f'CREATE TABLE "{draft.name}" ({sql})', line)
            if got is not None:
                merge_table_level(draft, got)
                return True
        return False

    def bullet(self, draft: TableDraft, label: str, text: str, line: int) -> None:
        plain = cell_text(text)
        if not plain or plain.lower().rstrip(".") in ("none", "-", "n/a", "tidak ada"):
            return
        if label == "pk":
            cols = key_columns(text)
            if cols:
                draft.set_primary_key(cols)
            else:
                self.rt110(line, f"primary key {plain!r} is not a column list; write `id` or (`a`, `b`)")
        elif label == "unique":
            if not self.try_elements(draft, constraint_bullet_sql(text), line):
                cols = key_columns(text)
                if cols:
                    draft.uniques.append(UniqueConstraint(cols, span=self.ctx.span(line)))
                else:
                    self.rt110(line, f"unique constraint {plain!r} is not a column list")
        elif label == "fk":
            # prose bullets ("Cascades to comments") are not FK statements: only report what looked like one
            candidates = fk_bullet_sql(text)
            if candidates and not self.try_elements(draft, candidates, line):
                self.rt110(line, f"foreign key bullet {plain!r} could not be read; "
                                 "write `col` REFERENCES `table(id)` ON DELETE ...")
        elif label == "constraint":
            candidates = constraint_bullet_sql(text)
            if candidates and not self.try_elements(draft, candidates, line):
                self.rt110(line, f"constraint bullet {plain!r} could not be read; write name UNIQUE (a, b) or CHECK (...)")
        elif label == "index":
            self.index_bullet(draft, text, line)

    def index_bullet(self, draft: TableDraft, text: str, line: int) -> None:
        candidates = index_bullet_sql(text, draft.name)
        plain = cell_text(text)
        # unnamed forms: `unique(channel_id, message_id)`, `(base, quote, observed_at desc)`
        m = re.match(r"^(unique\s*)?\((.+)\)$", plain, re.I)
        if not candidates and m:
            candidates = [f'CREATE {"UNIQUE " if m.group(1) else ""}INDEX ON "{draft.name}" ({m.group(2)})']
        for sql in candidates:
            got = fragment_index(sql, line, self.ctx)
            if got is not None:
                draft.indexes.append(got[1])
                return
        self.rt110(line, f"index bullet {plain!r} could not be read; write `name` [UNIQUE] ON (cols) [WHERE ...]")

    def read_labels(self, sec: Section, drafts: list[TableDraft], after: MdTable) -> None:
        """Paragraph labels and the bullet lists under them, after the column table, up to the next column table."""
        started = False
        label = ""
        for b in sec.blocks:
            if b is after:
                started = True
                continue
            if not started:
                continue
            if isinstance(b, MdTable) and layout_of(b) is not None:
                break
            if isinstance(b, Paragraph):
                label = ""
                for ln, text in b.lines():
                    lab = _label(text)
                    if not lab:
                        label = ""
                        continue
                    label = lab[0]
                    if lab[1] and label in ("pk", "unique", "fk", "constraint", "index"):
                        for d in drafts:
                            self.bullet(d, label, lab[1], ln)
                    elif lab[1] and label == "description":
                        for d in drafts:
                            d.description = d.description or cell_text(lab[1])
            elif isinstance(b, ListBlock) and label in ("pk", "unique", "fk", "constraint", "index"):
                for item in b.items:
                    for d in drafts:
                        self.bullet(d, label, item.text, item.line)
            else:
                label = ""


def merge_table_level(draft: TableDraft, got: TableDraft) -> None:
    draft.uniques.extend(got.uniques)
    draft.checks.extend(got.checks)
    draft.exclusions.extend(got.exclusions)
    draft.indexes.extend(got.indexes)
    for fk in got.foreign_keys:
        draft.add_foreign_key(fk)
    if got.primary_key:
        draft.set_primary_key(got.primary_key)


def _description_before(sec: Section, tbl: MdTable) -> str:
    for b in sec.blocks:
        if b is tbl:
            break
        if isinstance(b, Paragraph):
            for _, ln in b.lines():
                lab = _label(ln)
                if lab and lab[0] == "description":
                    return cell_text(lab[1])
    return ""


def read_column_tables(doc: Document, facts: Facts, sink: Sink) -> None:
    enums = {e.name.lower(): e.values for e in facts.enums if e.origin is Origin.SQL}
    ctx = SqlContext(doc.file, sink, "postgres", Origin.COLUMN_TABLE, enums=enums, report_unknown_types=False)
    reader = _Reader(doc, facts, sink, ctx)
    for sec in doc.sections():
        for b in sec.blocks:
            if not isinstance(b, MdTable):
                continue
            lay = layout_of(b)
            if lay is None:
                continue
            names = table_names(sec, b)
            if not names or _preceded_by_api_label(sec, b):
                continue
            if not (lay.strong or _in_data_model(doc, sec) or _has_sql_vocabulary(b, lay)):
                continue
            drafts = reader.read_table(sec, b, lay, names)
            reader.read_labels(sec, drafts, b)
            desc = _description_before(sec, b)
            for d in drafts:
                d.description = d.description or desc
                if not d.columns:
                    continue
                facts.tables.append(d.build())


def _has_sql_vocabulary(tbl: MdTable, lay: Layout) -> bool:
    for row in tbl.rows:
        for i in lay.constraints:
            if i < len(row.cells) and re.search(r"\b(PRIMARY KEY|PK|FK|REFERENCES|NOT NULL|FOREIGN KEY)\b", row.cells[i]):
                return True
        if lay.type < len(row.cells) and re.search(r"\b(VARCHAR|TIMESTAMPTZ|SERIAL|BIGSERIAL|NUMERIC|JSONB|UUID)\b",
                                                   row.cells[lay.type], re.I):
            return True
    return False


