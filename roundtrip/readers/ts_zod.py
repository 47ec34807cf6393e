"""zod schemas (`z.object({...})` chains) → Schemas with typed, constrained fields.

A zod chain is read from the inside out: the base (`z.string()`, `z.enum([...])`, an identifier bound
earlier in the same fence) gives the type, each outer call (`.min(2)`, `.email()`, `.optional()`)
refines it. Custom code (`.refine`, `.transform`, `.superRefine`) cannot be modeled: it becomes an
RT110 info and the rest of the chain is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tree_sitter import Node

from roundtrip.ir.schema import Field, Origin, Schema
from roundtrip.ir.types import Constraints, Kind, TypeRef
from roundtrip.readers.ts_types import (
    NO_VALUE,
    TsContext,
    js_value,
    named,
    string_value,
    text,
    trailing_comment,
)

_FORMATS = {
    "email": "email", "url": "uri", "uuid": "uuid", "guid": "uuid", "cuid": "cuid", "cuid2": "cuid2", "ulid": "ulid",
    "datetime": "date-time", "date": "date", "time": "time", "ip": "ip", "ipv4": "ipv4", "ipv6": "ipv6",
    "emoji": "emoji", "base64": "byte", "jwt": "jwt", "nanoid": "nanoid", "e164": "e164", "hostname": "hostname",
}
_BASES = {
    "string": TypeRef(Kind.STRING), "number": TypeRef(Kind.FLOAT), "bigint": TypeRef(Kind.INTEGER, bits=64),
    "boolean": TypeRef(Kind.BOOLEAN), "date": TypeRef(Kind.DATETIME), "any": TypeRef(Kind.ANY),
    "unknown": TypeRef(Kind.ANY), "null": TypeRef(Kind.ANY, nullable=True), "undefined": TypeRef(Kind.ANY),
    "int": TypeRef(Kind.INTEGER), "int32": TypeRef(Kind.INTEGER, bits=32), "int64": TypeRef(Kind.INTEGER, bits=64),
    "float32": TypeRef(Kind.FLOAT), "float64": TypeRef(Kind.FLOAT), "object": TypeRef(Kind.OBJECT),
    "void": TypeRef(Kind.ANY), "never": TypeRef(Kind.ANY), "symbol": TypeRef(Kind.ANY), "nan": TypeRef(Kind.FLOAT),
    "instanceof": TypeRef(Kind.ANY), "lazy": TypeRef(Kind.ANY), "custom": TypeRef(Kind.ANY), "json": TypeRef(Kind.JSON),
}
# Calls that change nothing we model.
_TRANSPARENT = frozenset({"trim", "toLowerCase", "toUpperCase", "strict", "passthrough", "strip", "catch", "brand",
                          "readonly", "innerType", "unwrap", "sourceType", "openapi", "meta", "coerce", "finite", "safe"})
_CUSTOM = frozenset({"refine", "superRefine", "transform", "preprocess", "pipe", "check", "overwrite"})


@dataclass
class ZodValue:
    """What a zod expression says about one value."""

    type: TypeRef
    constraints: dict[str, Any] = field(default_factory=dict)
    required: bool = True
    default: Any = None
    has_default: bool = False
    description: str = ""
    is_object: bool = False  # a z.object(...) (or derived from one): worth a named Schema
    bases: tuple[TypeRef, ...] = ()  # `Other.extend({...})` / `.merge(Other)`: schemas whose fields it inherits


def is_zod(node: Node | None, bindings: dict[str, ZodValue]) -> bool:
    """Is this expression a zod chain (rooted at `z` or at an identifier bound to one)?"""
    root = _chain_root(node)
    return root is not None and root.type == "identifier" and (text(root) == "z" or text(root) in bindings)


def _chain_root(node: Node | None) -> Node | None:
    while node is not None:
        if node.type == "call_expression":
            node = node.child_by_field_name("function")
        elif node.type == "member_expression":
            node = node.child_by_field_name("object")
        elif node.type in ("parenthesized_expression", "await_expression"):
            inner = named(node)
            node = inner[0] if inner else None
        else:
            return node
    return None


class ZodReader:
    def __init__(self, ctx: TsContext) -> None:
        self.ctx = ctx
        self.bindings: dict[str, ZodValue] = {}  # `const password = z.string()...` earlier in the fence

    def schema(self, name: str, value_node: Node, decl_node: Node) -> Schema | None:
        """`const name = <zod chain>`: remember the binding; a z.object(...) also becomes a Schema."""
        v = self.value(value_node)
        self.bindings[name] = v
        if not v.is_object:
            return None
        return Schema(name, v.type, description=v.description, extends=v.bases, origin=Origin.ZOD, span=self.ctx.span(decl_node))

    # ------------------------------------------------------------------ chain walking
    def value(self, node: Node | None) -> ZodValue:
        if node is None:
            return ZodValue(TypeRef(Kind.ANY))
        calls = self._unwind(node)
        if not calls:
            return ZodValue(TypeRef(Kind.ANY))
        root, rest = calls[0], calls[1:]
        v = self._base(root, rest)
        for name, args, at in rest:
            self._apply(v, name, args, at)
        return v

    def _unwind(self, node: Node) -> list[tuple[str, list[Node], Node]]:
        """`z.string().min(1).max(9)` → [("z.string", []), ("min", [1]), ("max", [9])], innermost first.
        A chain rooted at an identifier starts with ("@name", [])."""
        out: list[tuple[str, list[Node], Node]] = []
        cur: Node | None = node
        pending_args: list[Node] | None = None
        while cur is not None:
            if cur.type == "call_expression":
                args_node = cur.child_by_field_name("arguments")
                pending_args = named(args_node) if args_node is not None else []
                cur = cur.child_by_field_name("function")
            elif cur.type == "member_expression":
                obj = cur.child_by_field_name("object")
                prop = text(cur.child_by_field_name("property"))
                if obj is not None and obj.type == "identifier" and text(obj) == "z":
                    out.append(("z." + prop, pending_args or [], cur))
                    break
                if obj is not None and obj.type == "member_expression" and text(obj) == "z.coerce":
                    out.append(("z." + prop, pending_args or [], cur))
                    break
                prop_node = cur.child_by_field_name("property")
                out.append((prop, pending_args or [], prop_node if prop_node is not None else cur))
                pending_args = None
                cur = obj
            elif cur.type == "identifier":
                # `helper()` is a call to code we cannot see; `password` names a binding or a schema.
                out.append(("@" + text(cur) + ("()" if pending_args is not None else ""), [], cur))
                break
            elif cur.type == "parenthesized_expression":
                inner = named(cur)
                cur = inner[0] if inner else None
            else:
                break
        out.reverse()
        return out

    def _base(self, root: tuple[str, list[Node], Node], rest: list[tuple[str, list[Node], Node]]) -> ZodValue:
        name, args, at = root
        if name.startswith("@") and name.endswith("()"):
            self.ctx.info(at, f"`{name[1:]}` is a function call, not a zod schema; the value is kept as `any`")
            return ZodValue(TypeRef(Kind.ANY))
        if name.startswith("@"):
            ident = name[1:]
            bound = self.bindings.get(ident)
            if bound is None:
                return ZodValue(TypeRef(Kind.REF, ref=ident))
            if bound.is_object:
                # Deriving from another object schema: `.omit/.pick/.partial/.extend` are applied as REF wrappers.
                return ZodValue(TypeRef(Kind.REF, ref=ident), is_object=any(r[0] in _OBJECT_DERIVERS for r in rest))
            return _copy(bound)
        base = name[2:]
        if base == "object" or base in ("strictObject", "looseObject"):
            return ZodValue(self._object(args[0] if args else None), is_object=True)
        if base in ("enum", "nativeEnum"):
            if base == "enum" and args and args[0].type == "array":
                values = tuple(str(x) for x in (literal_value_of(a) for a in named(args[0])) if x is not _UNKNOWN and x is not None)
                return ZodValue(TypeRef(Kind.ENUM, values=values))
            return ZodValue(TypeRef(Kind.REF, ref=text(args[0])) if args else TypeRef(Kind.ANY))
        if base == "literal":
            val: Any = literal_value_of(args[0]) if args else _UNKNOWN
            if val is _UNKNOWN or isinstance(val, (list, dict)):
                return ZodValue(TypeRef(Kind.ANY))
            return ZodValue(TypeRef(Kind.LITERAL, literal=val))
        if base == "array":
            inner = self.value(args[0]) if args else ZodValue(TypeRef(Kind.ANY))
            return ZodValue(TypeRef(Kind.ARRAY, items=inner.type), constraints=_item_constraints(inner))
        if base == "record" or base == "map":
            inner = self.value(args[-1]) if args else ZodValue(TypeRef(Kind.ANY))
            return ZodValue(TypeRef(Kind.MAP, items=_typed(inner)))
        if base in ("union", "discriminatedUnion"):
            arr = next((a for a in args if a.type == "array"), None)
            variants = tuple(_typed(self.value(a)) for a in named(arr)) if arr is not None else ()
            return ZodValue(TypeRef(Kind.UNION, variants=variants))
        if base in ("optional", "nullable") and args:
            v = self.value(args[0])
            self._apply(v, base, [], at)
            return v
        if base in _BASES:  # before formats: z.date() is a Date, "date" as a string check is `.date()`
            return ZodValue(_BASES[base])
        if base in _FORMATS:  # zod 4: z.email(), z.uuid() ...
            return ZodValue(TypeRef(Kind.STRING), constraints={"format": _FORMATS[base]})
        self.ctx.info(at, f"zod `z.{base}(...)` is not modeled; the value is kept as `any`")
        return ZodValue(TypeRef(Kind.ANY))

    def _apply(self, v: ZodValue, name: str, args: list[Node], at: Node) -> None:
        c = v.constraints
        kind = v.type.kind
        num = _num_arg(args)
        if name in ("min", "max", "length", "gte", "gt", "lte", "lt", "nonempty") and kind in (Kind.STRING, Kind.ARRAY):
            lo, hi = ("min_length", "max_length") if kind is Kind.STRING else ("min_items", "max_items")
            if name == "nonempty":
                c.setdefault(lo, 1)
            elif isinstance(num, int):
                if name in ("min", "gte"):
                    c[lo] = num
                elif name in ("max", "lte"):
                    c[hi] = num
                elif name == "length":
                    c[lo] = c[hi] = num
        elif name in ("min", "gte") and num is not None:
            c["minimum"] = num
        elif name in ("max", "lte") and num is not None:
            c["maximum"] = num
        elif name == "gt" and num is not None:
            c["exclusive_minimum"] = num
        elif name == "lt" and num is not None:
            c["exclusive_maximum"] = num
        elif name == "positive":
            c["exclusive_minimum"] = 0
        elif name == "nonnegative":
            c["minimum"] = 0
        elif name == "negative":
            c["exclusive_maximum"] = 0
        elif name == "nonpositive":
            c["maximum"] = 0
        elif name in ("multipleOf", "step") and num is not None:
            c["multiple_of"] = num
        elif name in ("int", "safe") and kind is Kind.FLOAT:
            v.type = replace(v.type, kind=Kind.INTEGER)
        elif name in _FORMATS and kind is Kind.STRING:
            c["format"] = _FORMATS[name]
        elif name == "regex" and args and args[0].type == "regex":
            c.setdefault("_patterns", []).append(text(args[0].child_by_field_name("pattern")))
        elif name == "optional":
            v.required = False
        elif name == "nullable":
            v.type = replace(v.type, nullable=True)
        elif name == "nullish":
            v.required = False
            v.type = replace(v.type, nullable=True)
        elif name == "default":
            v.required = False
            if args:
                val = literal_value_of(args[0])
                if val is not _UNKNOWN:
                    v.default, v.has_default = val, True
        elif name == "describe" and args and args[0].type == "string":
            v.description = string_value(args[0])
        elif name == "array":
            v.constraints = _item_constraints(v)
            v.type = TypeRef(Kind.ARRAY, items=v.type)
        elif name in ("extend", "merge", "augment", "safeExtend"):
            self._extend(v, args)
        elif name in ("omit", "pick"):
            keys = _object_keys(args[0]) if args else []
            arg = TypeRef(Kind.UNION, variants=tuple(TypeRef(Kind.LITERAL, literal=k) for k in keys)) if len(keys) != 1 else TypeRef(Kind.LITERAL, literal=keys[0])
            v.type = TypeRef(Kind.REF, ref=name.capitalize(), args=(_typed(v), arg))
        elif name in ("partial", "required", "deepPartial"):
            if args:
                self.ctx.info(at, f"zod `.{name}(...)` with a key mask is applied to every field")
            v.type = TypeRef(Kind.REF, ref="Partial" if name != "required" else "Required", args=(_typed(v),))
        elif name in _CUSTOM:
            self.ctx.info(at, f"zod `.{name}(...)` is custom validation code and is not modeled; state the rule in prose or a "
                          "field constraint if clients must know it (the other rules of this chain were kept)")
        elif name in ("or",):
            other = self.value(args[0]) if args else ZodValue(TypeRef(Kind.ANY))
            v.type = TypeRef(Kind.UNION, variants=(_typed(v), _typed(other)))
            v.constraints = {}
        elif name in _TRANSPARENT or name in ("startsWith", "endsWith", "includes", "uppercase", "lowercase"):
            return
        else:
            self.ctx.info(at, f"zod `.{name}(...)` is not modeled and was ignored")

    def _extend(self, v: ZodValue, args: list[Node]) -> None:
        """`.extend({...})` adds fields; `.merge(Other)` inherits Other's. An OBJECT gains them in place;
        a derived REF (`Base.omit(...)`) keeps the REF as a base and the new fields as its own."""
        added: list[Field] = []
        bases: list[TypeRef] = []
        for a in args:
            if a.type == "object":
                added.extend(self._object(a).fields)
            else:
                other = self.value(a)
                if other.type.kind is Kind.OBJECT:
                    added.extend(other.type.fields)
                else:
                    bases.append(_typed(other))
        if v.type.kind is Kind.OBJECT and not v.bases:
            own = [f for f in v.type.fields if f.name not in {x.name for x in added}]
            v.type = replace(v.type, fields=tuple(own + added))
        else:
            if v.type.kind is not Kind.OBJECT:
                v.bases = (*v.bases, v.type)
                v.type = TypeRef(Kind.OBJECT, fields=tuple(added))
            else:
                v.type = replace(v.type, fields=tuple(list(v.type.fields) + added))
        v.bases = (*v.bases, *bases)
        v.is_object = True

    def _object(self, node: Node | None) -> TypeRef:
        if node is None or node.type != "object":
            return TypeRef(Kind.OBJECT)
        fields: list[Field] = []
        for member in named(node):
            if member.type == "pair":
                key = member.child_by_field_name("key")
                name = string_value(key) if key is not None and key.type == "string" else text(key)
                val = self.value(member.child_by_field_name("value"))
                fields.append(self._field(name, val, member))
            elif member.type == "shorthand_property_identifier":
                name = text(member)
                bound = self.bindings.get(name)
                val = _copy(bound) if bound is not None and not bound.is_object else ZodValue(TypeRef(Kind.REF, ref=name))
                fields.append(self._field(name, val, member))
            elif member.type == "spread_element":
                self.ctx.info(member, f"spread `{text(member)[:60]}` in a zod object is not expanded")
        return TypeRef(Kind.OBJECT, fields=tuple(fields))

    def _field(self, name: str, v: ZodValue, node: Node) -> Field:
        comment = trailing_comment(node)
        return Field(
            name,
            _typed(v),
            required=v.required,
            description=v.description or comment,
            constraints=_constraints(v),
            default=v.default,
            has_default=v.has_default,
            span=self.ctx.span(node),
        )


_OBJECT_DERIVERS = frozenset({"extend", "merge", "omit", "pick", "partial", "required", "deepPartial", "augment", "safeExtend"})
_UNKNOWN = object()


def _copy(v: ZodValue) -> ZodValue:
    cons = {k: (list(val) if isinstance(val, list) else val) for k, val in v.constraints.items()}
    return ZodValue(v.type, cons, v.required, v.default, v.has_default, v.description, v.is_object, v.bases)


def _typed(v: ZodValue) -> TypeRef:
    return v.type


def _item_constraints(item: ZodValue) -> dict[str, Any]:
    """`z.array(z.string().max(30))`: the item's length bounds become the array's item_*_length."""
    if item.type.kind is not Kind.STRING:
        return {}
    out: dict[str, Any] = {}
    if "min_length" in item.constraints:
        out["item_min_length"] = item.constraints["min_length"]
    if "max_length" in item.constraints:
        out["item_max_length"] = item.constraints["max_length"]
    return out


def _constraints(v: ZodValue) -> Constraints:
    known = {k: val for k, val in v.constraints.items() if k in Constraints.__dataclass_fields__}
    patterns: list[str] = v.constraints.get("_patterns", [])
    if len(patterns) == 1:
        known["pattern"] = patterns[0]
    elif patterns:
        # Several .regex() checks must all match somewhere: one pattern of lookaheads says exactly that.
        known["pattern"] = "^" + "".join(f"(?=[\\s\\S]*?(?:{p}))" for p in patterns)
    return Constraints(**known)


def _num_arg(args: list[Node]) -> int | float | None:
    if not args:
        return None
    val = literal_value_of(args[0])
    return val if isinstance(val, (int, float)) and not isinstance(val, bool) else None


def literal_value_of(node: Node) -> Any:
    val = js_value(node)
    return _UNKNOWN if val is NO_VALUE else val


def _object_keys(node: Node) -> list[str]:
    if node.type != "object":
        return []
    keys: list[str] = []
    for m in named(node):
        if m.type == "pair":
            k = m.child_by_field_name("key")
            keys.append(string_value(k) if k is not None and k.type == "string" else text(k))
        elif m.type == "shorthand_property_identifier":
            keys.append(text(m))
    return keys
