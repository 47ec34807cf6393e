"""TypeScript type syntax (tree-sitter nodes) → TypeRef, and interface / object-type members → Fields.

Only the type language is handled here: declarations are dispatched by `typescript.py`, zod chains by
`ts_zod.py`. Anything we do not model becomes `Kind.ANY` with the source text kept, plus an RT110 info,
never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from tree_sitter import Node

from roundtrip.diagnostics import Sink
from roundtrip.ir.schema import Field
from roundtrip.ir.types import Kind, TypeRef
from roundtrip.readers.constraints import parse_phrase
from roundtrip.source import Span

# Generic wrappers the resolver expands once every document is read; we only record them.
UTILITY_TYPES = ("Omit", "Pick", "Partial", "Required", "Readonly")
_PREDEFINED: dict[str, TypeRef] = {
    "string": TypeRef(Kind.STRING),
    "number": TypeRef(Kind.FLOAT),
    "boolean": TypeRef(Kind.BOOLEAN),
    "bigint": TypeRef(Kind.INTEGER, bits=64),
    "any": TypeRef(Kind.ANY),
    "unknown": TypeRef(Kind.ANY),
    "object": TypeRef(Kind.OBJECT),
    "void": TypeRef(Kind.ANY),
    "never": TypeRef(Kind.ANY),
    "undefined": TypeRef(Kind.ANY),
    "symbol": TypeRef(Kind.ANY),
}
# Named types that mean a scalar, not a schema reference.
_NAMED_SCALARS: dict[str, TypeRef] = {
    "Date": TypeRef(Kind.DATETIME),
    "String": TypeRef(Kind.STRING),
    "Number": TypeRef(Kind.FLOAT),
    "Boolean": TypeRef(Kind.BOOLEAN),
    "Object": TypeRef(Kind.OBJECT),
    "Buffer": TypeRef(Kind.BINARY),
    "Uint8Array": TypeRef(Kind.BINARY),
    "Blob": TypeRef(Kind.BINARY),
    "File": TypeRef(Kind.BINARY),
}
# Predefined types the grammar reads as plain identifiers (valid TypeScript, so not references).
_PREDEFINED_BY_NAME: dict[str, TypeRef] = {"bigint": _PREDEFINED["bigint"]}
_NULLISH = ("null", "undefined")


@dataclass
class TsContext:
    """One fence being read: where its rows land in the Markdown file, and where diagnostics go."""

    file: str
    first_line: int  # document line of the fence's first content row
    sink: Sink

    def span(self, node: Node) -> Span:
        return Span(self.file, self.first_line + node.start_point.row)

    def info(self, node: Node, message: str) -> None:
        self.sink.add("RT110", self.span(node), message)


def text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


def squash(s: str) -> str:
    return " ".join(s.split())


def named(node: Node) -> list[Node]:
    """Named children without comments (comments are extras that may sit anywhere)."""
    return [c for c in node.named_children if c.type != "comment"]


def comment_text(node: Node) -> str:
    raw = text(node).strip()
    if raw.startswith("/*"):
        raw = raw[2:-2] if raw.endswith("*/") else raw[2:]
        lines = [re.sub(r"^\s*\*+ ?", "", ln).strip() for ln in raw.strip("*").split("\n")]
        return " ".join(ln for ln in lines if ln)
    return raw.lstrip("/").strip()


def is_jsdoc(node: Node) -> bool:
    return node.type == "comment" and text(node).startswith("/**")


def leading_jsdoc(node: Node) -> str:
    """The `/** … */` right above a declaration or member (a `//` line above is a section note, not a doc)."""
    prev = node.prev_sibling
    if prev is not None and is_jsdoc(prev) and prev.end_point.row >= node.start_point.row - 1:
        return comment_text(prev)
    return ""


def trailing_comment(node: Node) -> str:
    """The comment on the same row as the member's end, after an optional `;` or `,`."""
    sib = node.next_sibling
    while sib is not None and sib.type in (";", ","):
        sib = sib.next_sibling
    if sib is not None and sib.type == "comment" and sib.start_point.row == node.end_point.row:
        return comment_text(sib)
    return ""


def string_value(node: Node) -> str:
    """Content of a string / literal_type node without quotes."""
    frag = [text(c) for c in node.named_children if c.type in ("string_fragment", "escape_sequence")]
    if frag or text(node)[:1] in ("'", '"', "`"):
        return "".join(frag)
    return text(node)


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()  # "not a literal we can read" (None is a real value: null)


def js_value(node: Node | None) -> Any:
    """A JS/TS literal expression's Python value (strings, numbers, booleans, null, arrays, objects,
    `new Date('…')` → its string); NO_VALUE for anything computed."""
    if node is None:
        return NO_VALUE
    t = node.type
    if t == "literal_type":
        inner = named(node)
        return js_value(inner[0]) if inner else NO_VALUE
    if t == "string":
        return string_value(node)
    if t == "number":
        return _number(text(node))
    if t == "true":
        return True
    if t == "false":
        return False
    if t in ("null", "undefined"):
        return None
    if t == "unary_expression":
        arg = node.child_by_field_name("argument")
        op = text(node)[:1]
        val = js_value(arg)
        if op == "-" and isinstance(val, (int, float)) and not isinstance(val, bool):
            return -val
        if op == "+" and isinstance(val, (int, float)) and not isinstance(val, bool):
            return val
        return NO_VALUE
    if t == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            return NO_VALUE
        return text(node)[1:-1]
    if t in ("parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"):
        inner = named(node)
        return js_value(inner[0]) if inner else NO_VALUE
    if t == "array":
        items = [js_value(c) for c in named(node)]
        return NO_VALUE if any(i is NO_VALUE for i in items) else items
    if t == "object":
        out: dict[str, Any] = {}
        for m in named(node):
            if m.type != "pair":
                return NO_VALUE
            key = m.child_by_field_name("key")
            val = js_value(m.child_by_field_name("value"))
            if val is NO_VALUE or key is None:
                return NO_VALUE
            out[string_value(key) if key.type == "string" else text(key)] = val
        return out
    if t == "new_expression" and text(node.child_by_field_name("constructor")) == "Date":
        args = node.child_by_field_name("arguments")
        vals = [js_value(a) for a in named(args)] if args is not None else []
        if len(vals) == 1 and isinstance(vals[0], str):
            return vals[0]
    return NO_VALUE


def _number(raw: str) -> int | float:
    raw = raw.replace("_", "")
    try:
        if re.fullmatch(r"\d+", raw):
            return int(raw)
        if re.fullmatch(r"0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+", raw):
            return int(raw, 0)
        return float(raw)
    except ValueError:
        return NO_VALUE  # type: ignore[no-any-return]


def _keys_union(t: TypeRef) -> TypeRef:
    if t.kind is Kind.ENUM and t.enum_name is None:
        return TypeRef(Kind.UNION, variants=tuple(TypeRef(Kind.LITERAL, literal=v) for v in t.values), source=t.source)
    return t


class TypeReader:
    """Turns type nodes into TypeRefs. `ctx` is used for spans of nested fields and for RT110 notes."""

    def __init__(self, ctx: TsContext) -> None:
        self.ctx = ctx

    def type_of(self, node: Node | None) -> TypeRef:
        if node is None:
            return TypeRef(Kind.ANY)
        if node.type == "type_annotation":
            inner = named(node)
            return self.type_of(inner[0] if inner else None)
        t = self._type_of(node)
        if t.source is None:
            t = replace(t, source=squash(text(node)))
        return t

    def _type_of(self, node: Node) -> TypeRef:
        kind = node.type
        if kind == "predefined_type":
            return _PREDEFINED.get(text(node), TypeRef(Kind.ANY))
        if kind == "type_identifier":
            name = text(node)
            # tree-sitter-typescript 0.23 parses `bigint` as a type_identifier, not a predefined_type.
            return _NAMED_SCALARS.get(name) or _PREDEFINED_BY_NAME.get(name) or TypeRef(Kind.REF, ref=name)
        if kind == "nested_type_identifier":
            name_node = node.child_by_field_name("name")
            return TypeRef(Kind.REF, ref=text(name_node) if name_node else text(node).rsplit(".", 1)[-1])
        if kind == "generic_type":
            return self._generic(node)
        if kind in ("array_type", "readonly_type"):
            inner = named(node)
            item = self.type_of(inner[0] if inner else None)
            return item if kind == "readonly_type" else TypeRef(Kind.ARRAY, items=item)
        if kind == "parenthesized_type":
            inner = named(node)
            return self.type_of(inner[0] if inner else None)
        if kind == "union_type":
            return self.union(self.union_members(node))
        if kind == "literal_type":
            inner = named(node)
            if inner and inner[0].type in ("null", "undefined"):
                return TypeRef(Kind.ANY, nullable=True)
            value = js_value(node)
            if value is NO_VALUE or isinstance(value, (list, dict)):
                return TypeRef(Kind.ANY)
            return TypeRef(Kind.LITERAL, literal=value)
        if kind in ("null", "undefined"):
            return TypeRef(Kind.ANY, nullable=True)
        if kind == "object_type":
            return self.object_type(node)
        if kind == "tuple_type":
            items = [self.type_of(c) for c in named(node)]
            return TypeRef(Kind.ARRAY, items=items[0] if len(items) == 1 else self.union(items) if items else TypeRef(Kind.ANY))
        if kind == "template_literal_type":
            return TypeRef(Kind.STRING)
        if kind == "intersection_type":
            parts = [self.type_of(c) for c in self.intersection_members(node)]
            if parts and all(p.kind is Kind.OBJECT for p in parts):
                fields: list[Field] = []
                for p in parts:
                    fields.extend(p.fields)
                return TypeRef(Kind.OBJECT, fields=tuple(fields))
            self.ctx.info(node, f"intersection type `{squash(text(node))[:80]}` inside a field is kept as `any`; "
                          "declare a named interface that extends its parts instead")
            return TypeRef(Kind.ANY)
        if kind in ("function_type", "constructor_type"):
            return TypeRef(Kind.ANY)
        self.ctx.info(node, f"TypeScript type `{squash(text(node))[:80]}` ({kind}) is not modeled and is kept as `any`")
        return TypeRef(Kind.ANY)

    def _generic(self, node: Node) -> TypeRef:
        name_node = node.child_by_field_name("name")
        name = text(name_node)
        if name_node is not None and name_node.type == "nested_type_identifier":
            name = text(name_node.child_by_field_name("name")) or name.rsplit(".", 1)[-1]
        args_node = node.child_by_field_name("type_arguments")
        args = [self.type_of(a) for a in named(args_node)] if args_node is not None else []
        if name in UTILITY_TYPES:
            # Key lists stay a union of literals (`'a' | 'b'`), not an enum: the resolver reads them as names.
            args = [_keys_union(a) for a in args]
        if name in ("Array", "ReadonlyArray", "Set") and args:
            return TypeRef(Kind.ARRAY, items=args[0])
        if name in ("Record", "Map") and len(args) == 2:
            return TypeRef(Kind.MAP, items=args[1])
        if name in ("Promise", "Awaited", "NonNullable") and args:
            return args[0]
        return TypeRef(Kind.REF, ref=name, args=tuple(args))

    def union_members(self, node: Node) -> list[Node]:
        """Flatten nested union_type nodes (tree-sitter nests them left-deep)."""
        out: list[Node] = []
        for c in named(node):
            if c.type == "union_type":
                out.extend(self.union_members(c))
            else:
                out.append(c)
        return out

    def intersection_members(self, node: Node) -> list[Node]:
        out: list[Node] = []
        for c in named(node):
            if c.type == "intersection_type":
                out.extend(self.intersection_members(c))
            else:
                out.append(c)
        return out

    def union(self, members: list[Node] | list[TypeRef]) -> TypeRef:
        types = [m if isinstance(m, TypeRef) else self.type_of(m) for m in members]
        nullable = any(t.kind is Kind.ANY and t.nullable for t in types)
        rest = [t for t in types if not (t.kind is Kind.ANY and t.nullable)]
        if not rest:
            return TypeRef(Kind.ANY, nullable=True)
        if all(t.kind is Kind.LITERAL and isinstance(t.literal, str) for t in rest):
            if len(rest) == 1:
                return replace(rest[0], nullable=nullable)
            return TypeRef(Kind.ENUM, values=tuple(str(t.literal) for t in rest), nullable=nullable)
        # `true | false` is just boolean
        if all(t.kind is Kind.LITERAL and isinstance(t.literal, bool) for t in rest) and len(rest) == 2:
            return TypeRef(Kind.BOOLEAN, nullable=nullable)
        if len(rest) == 1:
            return replace(rest[0], nullable=nullable or rest[0].nullable)
        return TypeRef(Kind.UNION, variants=tuple(rest), nullable=nullable)

    def object_type(self, node: Node) -> TypeRef:
        """`{ a: T; b?: U }` (an object_type or interface_body) → OBJECT with fields."""
        fields: list[Field] = []
        index_value: TypeRef | None = None
        for member in named(node):
            if member.type == "property_signature":
                f = self.field(member)
                if f is not None:
                    fields.append(f)
            elif member.type == "index_signature":
                index_value = self._index_signature(member)
            elif member.type in ("method_signature", "call_signature", "construct_signature"):
                continue  # behaviour, not data
            else:
                self.ctx.info(member, f"member `{squash(text(member))[:60]}` is not a property and was skipped")
        if index_value is not None and not fields:
            return TypeRef(Kind.MAP, items=index_value)
        return TypeRef(Kind.OBJECT, fields=tuple(fields))

    def _index_signature(self, node: Node) -> TypeRef:
        ann = node.child_by_field_name("type")
        if ann is None:
            anns = [c for c in named(node) if c.type == "type_annotation"]
            ann = anns[-1] if anns else None
        return self.type_of(ann)

    def field(self, prop: Node) -> Field | None:
        name_node = prop.child_by_field_name("name")
        if name_node is None:
            return None
        name = string_value(name_node) if name_node.type == "string" else text(name_node)
        if name_node.type == "computed_property_name" or not name:
            return None
        optional = any(c.type == "?" for c in prop.children)
        readonly = any(c.type == "readonly" for c in prop.children)
        ftype = self.type_of(prop.child_by_field_name("type"))
        description = trailing_comment(prop) or leading_jsdoc(prop)
        return make_field(name, ftype, description, required=not optional, read_only=readonly, span=self.ctx.span(prop))


# What md_text.ts_member writes for an integer `number`: the whole comment, or after the author's words.
_INTEGER_MARK = re.compile(r"^\s*integer\s*$|\s+\(integer\)\s*$")


def make_field(name: str, ftype: TypeRef, description: str, *, required: bool, read_only: bool, span: Span) -> Field:
    """A Field whose comment has been read as a validation phrase (constraints, default, computed, integer)."""
    if not description:
        return Field(name, ftype, required=required, read_only=read_only, span=span)
    phrase = parse_phrase(description, kind=ftype.kind)
    if phrase.integer:
        if ftype.kind is Kind.FLOAT:
            ftype = replace(ftype, kind=Kind.INTEGER)
        elif ftype.kind is Kind.ARRAY and ftype.items is not None and ftype.items.kind is Kind.FLOAT:
            ftype = replace(ftype, items=replace(ftype.items, kind=Kind.INTEGER))
        description = _INTEGER_MARK.sub("", description)  # `// integer`: the type, not the member's words
    default, has_default = phrase.default, phrase.has_default
    if has_default and ftype.kind is Kind.INTEGER and isinstance(default, float) and default.is_integer():
        default = int(default)
    if has_default and not _default_fits(default, ftype):
        default, has_default = None, False  # "code scanning default setup": prose, not a default of 'enabled' | 'disabled'
    return Field(
        name,
        ftype,
        required=required,
        description=description,
        constraints=phrase.constraints,
        default=default,
        has_default=has_default,
        computed=phrase.computed,
        read_only=read_only,
        span=span,
    )


def _default_fits(value: Any, t: TypeRef) -> bool:
    """Whether a default read from a member's comment is a value of the member's type (a comment is prose first)."""
    k = t.kind
    if value is None:
        return True  # `default null` is read as before; only values of the wrong shape are prose
    if k is Kind.ENUM and t.values:
        return str(value) in t.values
    if k is Kind.LITERAL:
        return value == t.literal
    if k in (Kind.OBJECT, Kind.MAP):
        return isinstance(value, dict)
    if k is Kind.ARRAY:
        return isinstance(value, list)
    if k in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if k is Kind.BOOLEAN:
        return isinstance(value, bool)
    return True
