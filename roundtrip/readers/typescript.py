"""TypeScript / JavaScript fences → Schemas (interfaces, aliases, zod objects), EnumTypes and seed SampleRows.

Each fence is parsed on its own with tree-sitter (docs show fragments; a type used in one fence is often
declared in another, even another document: references stay REF and the resolver links them).
Only declarations are read, and an error catalog (`new AppError('CODE', 'message', 401)` calls: ts_errors).
Classes, functions, tests and config blocks are otherwise ignored silently. A fence with
syntax errors gets one RT107 naming the first bad line, and the declarations that did parse are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import tree_sitter_typescript as tst
from tree_sitter import Language, Node, Parser

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts
from roundtrip.ir.data import EnumType
from roundtrip.ir.schema import Field, Origin, Schema
from roundtrip.ir.types import Kind, TypeRef
from roundtrip.markdown import Document
from roundtrip.markdown.cst import Block, Fence, ListBlock, Paragraph, Section
from roundtrip.readers.ts_errors import error_catalog
from roundtrip.readers.ts_seed import SeedReader
from roundtrip.readers.ts_types import TsContext, TypeReader, leading_jsdoc, named, squash, string_value, text
from roundtrip.readers.ts_zod import ZodReader, is_zod

_TS_LANGS = frozenset({"typescript", "ts", "mts", "cts", "javascript", "js", "mjs", "cjs", "jsx", "tsx", "typescriptreact"})
_TSX_LANGS = frozenset({"tsx", "jsx", "typescriptreact"})
_RE_SEED_HEADING = re.compile(r"\bseed|\bsample[\s_-]*data\b|\bfixtures?\b|\bdemo\s+data\b", re.I)
_RE_SEED_FILE = re.compile(r"[\w./-]*seed[\w.-]*\.(?:ts|js|mjs|cjs|mts)\b", re.I)
# Statements that hold declarations one level down.
_CONTAINERS = frozenset({"export_statement", "ambient_declaration", "statement_block", "ERROR"})

_PARSERS: dict[str, Parser] = {}


def _parser(tsx: bool) -> Parser:
    key = "tsx" if tsx else "ts"
    if key not in _PARSERS:
        lang = Language(tst.language_tsx() if tsx else tst.language_typescript())
        _PARSERS[key] = Parser(lang)
    return _PARSERS[key]


def read_typescript(doc: Document, facts: Facts, sink: Sink) -> None:
    for fence, section, before in _fences(doc):
        if fence.lang not in _TS_LANGS or not fence.content.strip():
            continue
        seed = _is_seed_fence(doc, fence, section, before)
        _FenceReader(doc, fence, facts, sink, seed).read()


def _fences(doc: Document) -> Iterator[tuple[Fence, Section, Block | None]]:
    """Every fence in document order with its section and the block just before it (list items included)."""

    def walk(blocks: list[Block], section: Section) -> Iterator[tuple[Fence, Section, Block | None]]:
        prev: Block | None = None
        for b in blocks:
            if isinstance(b, Fence):
                yield b, section, prev
            elif isinstance(b, ListBlock):
                for item in b.items:
                    yield from walk(item.blocks, section)
            prev = b

    for section in doc.sections():
        yield from walk(section.blocks, section)


def _is_seed_fence(doc: Document, fence: Fence, section: Section, before: Block | None) -> bool:
    titles = [section.title] + [a.title for a in section.ancestors()]
    if any(_RE_SEED_HEADING.search(t) for t in titles if t):
        return True
    if _RE_SEED_FILE.search(fence.info) or "seed" in doc.file.rsplit("/", 1)[-1].lower():
        return True
    if isinstance(before, Paragraph) and _RE_SEED_FILE.search(before.text):
        return True
    first = fence.content.lstrip().split("\n", 1)[0]
    return first.startswith("//") and bool(_RE_SEED_FILE.search(first))


class _FenceReader:
    def __init__(self, doc: Document, fence: Fence, facts: Facts, sink: Sink, seed: bool) -> None:
        self.fence = fence
        self.facts = facts
        self.ctx = TsContext(doc.file, fence.content_line, sink)
        self.types = TypeReader(self.ctx)
        self.zod = ZodReader(self.ctx)
        self.seed = SeedReader(self.ctx, fence.content) if seed else None

    def read(self) -> None:
        src = self.fence.content.encode("utf-8")
        tree = _parser(self.fence.lang in _TSX_LANGS).parse(src)
        root = tree.root_node
        if root.has_error:
            self._report_syntax_error(root)
        self._statements(root)
        self.facts.common_errors.extend(error_catalog(root, self.ctx))
        if self.seed is not None:
            self.seed.calls(root)
            self.facts.samples.extend(self.seed.rows)

    def _report_syntax_error(self, root: Node) -> None:
        bad = _first_error(root)
        where = bad if bad is not None else root
        if _in_prisma_block(self.fence.content, where.start_point.row):
            return  # a Prisma schema block shown in a TS fence is config, not broken TypeScript
        snippet = squash(self.fence.content.split("\n")[where.start_point.row] if where.start_point.row < len(self.fence.content.split("\n")) else "")
        what = "a missing " + bad.type if bad is not None and bad.is_missing else "a syntax error"
        self.ctx.sink.add(
            "RT107", self.ctx.span(where),
            f"this {self.fence.lang} block has {what} here (`{snippet[:60]}`); declarations before and after it were still read — "
            "fix the line, or mark pseudo-code fences as ```text",
        )

    def _statements(self, node: Node) -> None:
        for child in node.named_children:
            t = child.type
            if t == "interface_declaration":
                self._interface(child)
            elif t == "type_alias_declaration":
                self._alias(child)
            elif t == "enum_declaration":
                self._enum(child)
            elif t in ("lexical_declaration", "variable_declaration"):
                self._variables(child)
            elif t in _CONTAINERS:
                self._statements(child)
            elif t in ("internal_module", "module"):
                body = child.child_by_field_name("body")
                if body is not None:
                    self._statements(body)
            # classes, functions, imports, tests, `datasource` blocks: not declarations of data

    # ------------------------------------------------------------------ declarations
    def _doc_comment(self, node: Node) -> str:
        own = leading_jsdoc(node)
        if own or node.parent is None or node.parent.type != "export_statement":
            return own
        return leading_jsdoc(node.parent)

    def _params(self, node: Node) -> tuple[str, ...]:
        tp = node.child_by_field_name("type_parameters")
        if tp is None:
            return ()
        out: list[str] = []
        for p in named(tp):
            name = p.child_by_field_name("name")
            out.append(text(name) if name is not None else text(p))
        return tuple(out)

    def _interface(self, node: Node) -> None:
        name = text(node.child_by_field_name("name"))
        if not name:
            return
        extends: list[TypeRef] = []
        for c in node.children:
            if c.type in ("extends_type_clause", "extends_clause"):
                extends.extend(self.types.type_of(t) for t in named(c))
        body = node.child_by_field_name("body")
        typ = self.types.object_type(body) if body is not None else TypeRef(Kind.OBJECT)
        self.facts.schemas.append(
            Schema(name, typ, description=self._doc_comment(node), params=self._params(node), extends=tuple(extends),
                   origin=Origin.TYPESCRIPT, span=self.ctx.span(node))
        )

    def _alias(self, node: Node) -> None:
        name = text(node.child_by_field_name("name"))
        value = node.child_by_field_name("value")
        if not name or value is None:
            return
        span = self.ctx.span(node)
        extends: tuple[TypeRef, ...] = ()
        if value.type == "intersection_type":
            fields: list[Field] = []
            bases: list[TypeRef] = []
            for part in self.types.intersection_members(value):
                t = self.types.type_of(part)
                if t.kind is Kind.OBJECT:
                    fields.extend(t.fields)
                else:
                    bases.append(t)
            typ = TypeRef(Kind.OBJECT, fields=tuple(fields), source=squash(text(value)))
            extends = tuple(bases)
        else:
            typ = self.types.type_of(value)
            if _says_integer(_trailing_comment(node)):
                typ = _as_integer(typ)  # `type Count = number; // integer`, as a member's comment says it
        if typ.kind is Kind.ENUM:
            typ = replace(typ, enum_name=name)
            self.facts.enums.append(EnumType(name, typ.values, origin=Origin.TYPESCRIPT, span=span))
        self.facts.schemas.append(
            Schema(name, typ, description=self._doc_comment(node), params=self._params(node), extends=extends,
                   origin=Origin.TYPESCRIPT, span=span)
        )

    def _enum(self, node: Node) -> None:
        """`enum Role { Admin = 'admin', Member = 'member' }` → the string values (member names when unassigned)."""
        name = text(node.child_by_field_name("name"))
        body = node.child_by_field_name("body")
        if not name or body is None:
            return
        values: list[str] = []
        for m in named(body):
            if m.type == "enum_assignment":
                val = m.child_by_field_name("value")
                key = m.child_by_field_name("name")
                values.append(string_value(val) if val is not None and val.type == "string" else text(key))
            elif m.type in ("property_identifier", "string"):
                values.append(string_value(m) if m.type == "string" else text(m))
        span = self.ctx.span(node)
        self.facts.enums.append(EnumType(name, tuple(values), origin=Origin.TYPESCRIPT, span=span))
        self.facts.schemas.append(Schema(name, TypeRef(Kind.ENUM, values=tuple(values), enum_name=name), description=self._doc_comment(node),
                                         origin=Origin.TYPESCRIPT, span=span))

    def _variables(self, node: Node) -> None:
        for decl in named(node):
            if decl.type != "variable_declarator":
                continue
            name_node = decl.child_by_field_name("name")
            value = decl.child_by_field_name("value")
            if name_node is None or value is None or name_node.type != "identifier":
                continue
            name = text(name_node)
            if is_zod(value, self.zod.bindings):
                schema = self.zod.schema(name, value, decl)
                if schema is not None:
                    self.facts.schemas.append(schema)
            elif self.seed is not None:
                self.seed.declaration(name, value)


_RE_PRISMA_BLOCK = re.compile(r"^\s*(?:datasource|generator|model|view)\s+\w+\s*\{\s*$")


def _in_prisma_block(content: str, row: int) -> bool:
    lines = content.split("\n")
    start = None
    for i, ln in enumerate(lines):
        if start is None and _RE_PRISMA_BLOCK.match(ln):
            start = i
        elif start is not None and ln.strip() == "}":
            if start <= row <= i:
                return True
            start = None
    return start is not None and row >= start


def _first_error(node: Node) -> Node | None:
    """The first ERROR or MISSING node in document order."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            return n
        if n.has_error:
            stack.extend(reversed(n.children))
    return None


_INTEGER_COMMENT = re.compile(r"^//\s*integer\s*$", re.I)


def _trailing_comment(node: Node) -> str:
    """The `// …` comment on the same line right after a declaration (or after its `export`)."""
    if node.parent is not None and node.parent.type == "export_statement":
        node = node.parent
    nxt = node.next_sibling
    if nxt is not None and nxt.type == "comment" and nxt.start_point.row == node.end_point.row:
        return text(nxt).strip()
    return ""


def _says_integer(comment: str) -> bool:
    return bool(_INTEGER_COMMENT.match(comment))


def _as_integer(t: TypeRef) -> TypeRef:
    if t.kind is Kind.FLOAT:
        return replace(t, kind=Kind.INTEGER)
    if t.kind is Kind.ARRAY and t.items is not None and t.items.kind is Kind.FLOAT:
        return replace(t, items=replace(t.items, kind=Kind.INTEGER))
    return t
