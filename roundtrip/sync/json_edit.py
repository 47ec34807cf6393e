"""Edit a JSON example in place: add, remove or retype keys without reformatting the rest.

The docs' examples are hand-formatted (one key per line at the top, nested objects on one line,
JSONC comments), so re-dumping them would rewrite every line. Instead the text is parsed with
tree-sitter (a JSON object is a TypeScript object literal, and the TypeScript grammar is already a
dependency), each edit becomes a byte-range replacement, and everything outside those ranges is
kept byte for byte. A new key copies the separator its siblings use (newline + indent, or a space).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import tree_sitter_typescript as tst
from tree_sitter import Language, Node, Parser

from roundtrip.ir import Field, Kind, Spec, TypeRef

_PARSER: list[Parser] = []
_SKIP = {"comment", ",", "{", "}", "[", "]"}


def _parser() -> Parser:
    if not _PARSER:
        _PARSER.append(Parser(Language(tst.language_typescript())))
    return _PARSER[0]


@dataclass(frozen=True)
class JsonOp:
    op: str  # add | remove | set
    path: tuple[str, ...]  # keys from the root to the object holding `name`; "[]" = every array item
    name: str
    value: Any = None


def apply_json_ops(text: str, ops: list[JsonOp]) -> str | None:
    """`text` with `ops` applied, or None when the text is not an object/array literal we can edit."""
    raw = ("(" + text + "\n)").encode("utf-8")  # the newline keeps a trailing // comment off the paren
    tree = _parser().parse(raw)
    expr = tree.root_node.named_children[0] if tree.root_node.named_children else None
    root = (
        expr.named_children[0]
        if expr is not None and expr.type == "expression_statement" and expr.named_children
        else None
    )
    while root is not None and root.type == "parenthesized_expression" and root.named_children:
        root = root.named_children[0]
    if root is None or root.type not in ("object", "array") or tree.root_node.has_error:
        return None
    changes: list[tuple[int, int, bytes]] = []
    for op in ops:
        for obj in _objects_at(root, op.path, raw):
            change = _edit(obj, op, raw)
            if change is not None:
                changes.append(change)
    changes.sort(key=lambda c: (c[0], c[1]))
    for (_, e1, _), (s2, _, _) in zip(changes, changes[1:], strict=False):
        if s2 < e1:
            return None  # overlapping edits: let the caller re-render the block instead
    out = raw
    for start, end, new in reversed(changes):
        out = out[:start] + new + out[end:]
    return out[1:-2].decode("utf-8")


def _elements(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type not in _SKIP]


def _key(pair: Node, raw: bytes) -> str | None:
    k = pair.child_by_field_name("key")
    if k is None:
        return None
    text = raw[k.start_byte : k.end_byte].decode("utf-8")
    if k.type == "string":
        try:
            return str(json.loads(text)) if text.startswith('"') else text[1:-1]
        except ValueError:
            return text[1:-1]
    return text


def _pair(obj: Node, name: str, raw: bytes) -> Node | None:
    for p in _elements(obj):
        if p.type == "pair" and _key(p, raw) == name:
            return p
    return None


def _objects_at(node: Node, path: tuple[str, ...], raw: bytes) -> list[Node]:
    if not path:
        return [node] if node.type == "object" else []
    head, rest = path[0], path[1:]
    if head == "[]":
        if node.type != "array":
            return []
        return [o for item in _elements(node) for o in _objects_at(item, rest, raw)]
    if node.type != "object":
        return []
    p = _pair(node, head, raw)
    value = p.child_by_field_name("value") if p is not None else None
    return _objects_at(value, rest, raw) if value is not None else []


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _edit(obj: Node, op: JsonOp, raw: bytes) -> tuple[int, int, bytes] | None:
    elems = _elements(obj)
    pair = _pair(obj, op.name, raw)
    if op.op == "set":
        value = pair.child_by_field_name("value") if pair is not None else None
        if value is None:
            return None
        return value.start_byte, value.end_byte, dump(op.value).encode("utf-8")
    if op.op == "remove":
        if pair is None:
            return None
        i = elems.index(pair)
        if len(elems) == 1:
            return obj.start_byte + 1, obj.end_byte - 1, b""
        if i > 0:  # from the end of the previous member: takes the comma between them along
            return elems[i - 1].end_byte, pair.end_byte, b""
        return pair.start_byte, elems[1].start_byte, b""
    if pair is not None:  # add of a key that is already there: set it
        return _edit(obj, JsonOp("set", op.path, op.name, op.value), raw)
    member = (dump(op.name) + ": " + dump(op.value)).encode("utf-8")
    if not elems:
        return obj.start_byte + 1, obj.start_byte + 1, member
    last = elems[-1]
    sep = b" "
    if len(elems) >= 2:
        between = raw[elems[-2].end_byte : last.start_byte]
        gap = between.split(b",", 1)[-1]
        if gap.strip() == b"":
            sep = gap
    elif b"\n" in raw[obj.start_byte : last.start_byte]:
        sep = raw[obj.start_byte + 1 : last.start_byte]
    return last.end_byte, last.end_byte, b"," + sep + member


# ---------------------------------------------------------------- example values for a type

_UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def sample_value(f: Field | None, t: TypeRef, spec: Spec, depth: int = 0) -> Any:
    """A JSON value the docs' example inference reads back as `t` (the field's own example when it has one).
    Plain strings avoid the words the inference takes for type templates ("string", "uuid" ...)."""
    if f is not None and f.example is not None:
        return f.example
    k = t.kind
    fmt = f.constraints.format if f is not None else None
    if depth > 6:
        return None
    if k is Kind.REF:
        s = spec.schema(t.ref or "")
        return sample_value(None, s.type, spec, depth + 1) if s is not None else {}
    if k is Kind.OBJECT:
        return {g.name: sample_value(g, g.type, spec, depth + 1) for g in t.fields}
    if k is Kind.ARRAY:
        return [sample_value(None, t.items, spec, depth + 1)] if t.items is not None else []
    if k is Kind.MAP:
        return {"key": sample_value(None, t.items, spec, depth + 1)} if t.items is not None else {}
    if k is Kind.ENUM:
        return t.values[0] if t.values else "value"
    if k is Kind.LITERAL:
        return t.literal
    simple: dict[Kind, Any] = {
        Kind.UUID: _UUID,
        Kind.DATETIME: "2025-01-01T00:00:00Z",
        Kind.DATE: "2025-01-01",
        Kind.TIME: "12:00:00",
        Kind.INTEGER: 1,
        Kind.FLOAT: 1.5,
        Kind.DECIMAL: 1.5,
        Kind.BOOLEAN: True,
    }
    if k in simple:
        return simple[k]
    if k is Kind.STRING:
        return "user@example.com" if fmt == "email" else "example"
    return {}
