"""TypeRef → JSON Schema (OpenAPI 3.1 dialect) and the `components.schemas` registry.

Every type decision comes from `roundtrip.ir.typemap` (the one type table); this module only
fills the table's templates, adds constraints and nullability, and names components.

It is robust against an IR the resolver has not fully processed: `extends`, Omit/Pick/Partial
and generic references are flattened or instantiated here too, and a reference to a type that
does not exist becomes `{}` with a description instead of a dangling `$ref` (the validator
reports the undefined type as RT205; our job is to keep the document valid).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import math
import re
from typing import Any

from roundtrip.ir.data import Table
from roundtrip.ir.infer import Evidence, column_backed_object
from roundtrip.ir.matching import table_for_type
from roundtrip.ir.schema import Field, Origin, Schema
from roundtrip.ir.spec import Spec
from roundtrip.ir.typemap import integer_openapi_format, mapping
from roundtrip.ir.types import ANY, Constraints, Kind, TypeRef, literal_names

REF_PREFIX = "#/components/schemas/"
_NAME_OK = re.compile(r"[^A-Za-z0-9._-]+")
# Nesting deeper than this is pathological input (or a cycle the IR should not contain); stop, stay valid.
_MAX_DEPTH = 32

# TypeScript utility types a reader may leave as plain REFs when the resolver has not run.
_WRAPPERS = ("Promise", "NonNullable", "Readonly", "Awaited")
_ARRAYS = ("Array", "ReadonlyArray", "Set")
_FIELD_UTILS = ("Omit", "Pick", "Partial", "Required", "Readonly")

_CONSTRAINT_KEYS: tuple[tuple[str, str], ...] = (
    ("min_length", "minLength"),
    ("max_length", "maxLength"),
    ("minimum", "minimum"),
    ("maximum", "maximum"),
    ("exclusive_minimum", "exclusiveMinimum"),
    ("exclusive_maximum", "exclusiveMaximum"),
    ("multiple_of", "multipleOf"),
    ("pattern", "pattern"),
    ("format", "format"),
    ("min_items", "minItems"),
    ("max_items", "maxItems"),
    ("unique_items", "uniqueItems"),
)


def component_name(name: str) -> str:
    """A component key that matches `^[a-zA-Z0-9._-]+$` (OpenAPI's rule for component names)."""
    cleaned = _NAME_OK.sub("_", name.strip()).strip("_")
    return cleaned or "Schema"


def pascal_id(text: str) -> str:
    """`getTasksById` → `GetTasksById`; anything outside [A-Za-z0-9] splits words."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", text) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or "Operation"


def jsonable(value: Any) -> Any:
    """A value YAML's safe dumper and JSON both accept, whatever Python object the readers kept."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in value), key=repr)
    return str(value)


def _number(value: float) -> int | float:
    # `maximum: 100` reads better than `maximum: 100.0`; JSON Schema treats both the same.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def substitute(t: TypeRef, bindings: dict[str, TypeRef], depth: int = 0) -> TypeRef:
    """Replace generic parameters (`T`) by their arguments everywhere inside `t`."""
    if not bindings or depth > _MAX_DEPTH:
        return t
    if t.kind is Kind.REF and not t.args and t.ref in bindings:
        bound = bindings[t.ref or ""]
        return bound.with_nullable(True) if t.nullable else bound
    changes: dict[str, Any] = {}
    if t.items is not None:
        changes["items"] = substitute(t.items, bindings, depth + 1)
    if t.args:
        changes["args"] = tuple(substitute(a, bindings, depth + 1) for a in t.args)
    if t.variants:
        changes["variants"] = tuple(substitute(v, bindings, depth + 1) for v in t.variants)
    if t.fields:
        changes["fields"] = tuple(
            dataclasses.replace(f, type=substitute(f.type, bindings, depth + 1)) if isinstance(f, Field) else f for f in t.fields
        )
    return dataclasses.replace(t, **changes) if changes else t


def nullable_schema(s: dict[str, Any]) -> dict[str, Any]:
    """Add null to a schema: `type: [t, "null"]` where a type is stated, else `anyOf [X, null]`."""
    if not s:
        return s  # {} already accepts null
    t = s.get("type")
    if isinstance(t, str):
        s["type"] = [t, "null"]
        if "enum" in s and None not in s["enum"]:
            s["enum"] = [*s["enum"], None]
        return s
    if isinstance(t, list):
        if "null" not in t:
            s["type"] = [*t, "null"]
        return s
    if set(s) == {"oneOf"}:
        if {"type": "null"} not in s["oneOf"]:
            s["oneOf"] = [*s["oneOf"], {"type": "null"}]
        return s
    if "$ref" in s or "oneOf" in s or "anyOf" in s or "allOf" in s or "const" in s:
        return {"anyOf": [s, {"type": "null"}]}
    return s  # no type keyword (an unresolved type): accepts null already


class SchemaBuilder:
    """Turns TypeRefs into JSON Schema and collects the components they need."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.by_name: dict[str, Schema] = {}
        for s in spec.schemas:
            if isinstance(s, Schema) and s.name and s.name not in self.by_name:
                self.by_name[s.name] = s
        self._used: set[str] = set()  # component names already taken (membership only, never iterated)
        self.names: dict[str, str] = {}  # schema name -> component name, for non-generic schemas
        for name, s in self.by_name.items():
            if not s.params:
                self.names[name] = self.claim(component_name(name))
        self.named: dict[str, dict[str, Any]] = {}  # component name -> schema, in spec order
        self.generated: dict[str, dict[str, Any]] = {}  # instances, inline bodies, error envelope
        self._instances: dict[tuple[str, str], str] = {}
        self._flattening: list[str] = []
        self.evidence = Evidence(spec)
        self.links = {link.subject: link for link in spec.links}

    # ----- names
    def claim(self, base: str) -> str:
        """Reserve a unique component name: `Base`, `Base2`, `Base3` ..."""
        name = component_name(base)
        candidate, n = name, 1
        while candidate in self._used:
            n += 1
            candidate = f"{name}{n}"
        self._used.add(candidate)
        return candidate

    def lookup(self, name: str | None) -> Schema | None:
        if not name:
            return None
        found = self.by_name.get(name)
        if found is None and "." in name:  # `Models.Task` (TS namespace) → Task
            found = self.by_name.get(name.rsplit(".", 1)[1])
        return found

    def ref_to(self, component: str) -> dict[str, Any]:
        return {"$ref": REF_PREFIX + component}

    # ----- components
    def build_named(self) -> None:
        """Emit every non-generic schema of the spec, in spec order."""
        for name, s in self.by_name.items():
            if s.params:
                continue  # a template: only its instances (ListResponseExam) become components
            comp = self.names[name]
            t = self.schema_type(s, ())
            if t.kind is Kind.REF and self.lookup(t.ref) is s:
                t = ANY  # `type A = A`: a self-alias would make a $ref cycle with no content
            if s.origin is Origin.JSON_EXAMPLE:
                # "**Recipe object**:" + JSON is a representation the API answers with: one example's
                # values are widened by the other statements (columns, other examples, typed objects).
                t = self.evidence.refine(t, response=True, hint=table_for_type(s.name, self.spec.tables))
            t = self.column_backed(t, f"schema:{s.name}")
            body = self.schema_for(t)
            self.named[comp] = self._decorate_schema(body, s)

    def column_backed(self, t: TypeRef, subject: str, table: Table | None = None) -> TypeRef:
        """`t` with each number field as the column that stores it can hold it: typed as an integer column,
        bounded by the column's CHECK range (see roundtrip.ir.infer.column_backed_object). The column comes
        from the link of `subject` (`schema:Name`, `endpoint:POST /x`), else from `table`."""
        link = self.links.get(subject)
        linked = self.spec.table(link.table) if link is not None else None
        columns = {f.field: f.column for f in link.fields} if link is not None and linked is not None else {}
        return column_backed_object(t, linked or table, columns)

    def _decorate_schema(self, body: dict[str, Any], s: Schema) -> dict[str, Any]:
        if s.description:
            body = self._with_annotation(body, "description", s.description)
        if s.example is not None:
            body = self._with_annotation(body, "examples", [jsonable(s.example)])
        return body

    @staticmethod
    def _with_annotation(body: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
        out = dict(body)
        out[key] = value
        return out

    def add_generated(self, base: str, schema: dict[str, Any]) -> dict[str, Any]:
        name = self.claim(base)
        self.generated[name] = schema
        return self.ref_to(name)

    def components(self) -> dict[str, dict[str, Any]]:
        out = dict(self.named)
        for name in sorted(self.generated):
            out[name] = self.generated[name]
        return out

    # ----- flattening (extends, generics, utility types)
    def schema_type(self, s: Schema, args: tuple[TypeRef, ...], depth: int = 0) -> TypeRef:
        """The schema's type with generic parameters bound and `extends` bases merged in."""
        bindings = {p: (args[i] if i < len(args) else ANY) for i, p in enumerate(s.params)}
        t = substitute(s.type, bindings)
        if not s.extends or s.name in self._flattening or depth > _MAX_DEPTH:
            return t
        if t.kind not in (Kind.OBJECT, Kind.ANY):
            return t
        self._flattening.append(s.name)
        try:
            inherited: list[Field] = []
            for base in s.extends:
                inherited.extend(self.object_fields(substitute(base, bindings), depth + 1) or [])
            own = [f for f in t.fields if isinstance(f, Field)]
            own_names = [f.name for f in own]
            merged = [f for f in _dedupe_fields(inherited) if f.name not in own_names] + own
            return dataclasses.replace(t, kind=Kind.OBJECT, fields=tuple(merged))
        finally:
            self._flattening.pop()

    def object_fields(self, t: TypeRef, depth: int = 0) -> list[Field] | None:
        """The fields an object-like type has (OBJECT, REF to an object schema, Omit/Pick/...), else None."""
        if depth > _MAX_DEPTH:
            return None
        if t.kind is Kind.OBJECT:
            return [f for f in t.fields if isinstance(f, Field)]
        if t.kind is not Kind.REF:
            return None
        s = self.lookup(t.ref)
        if s is not None:
            if s.name in self._flattening:
                return None
            self._flattening.append(s.name)
            try:
                inner = self.schema_type(s, t.args, depth + 1)
                return self.object_fields(inner, depth + 1)
            finally:
                self._flattening.pop()
        name = t.ref or ""
        if name in _FIELD_UTILS and t.args:
            base = self.object_fields(t.args[0], depth + 1)
            if base is None:
                return None
            if name in ("Omit", "Pick"):
                keys = literal_names(t.args[1]) if len(t.args) > 1 else []
                keep = (lambda f: f.name not in keys) if name == "Omit" else (lambda f: f.name in keys)
                return [f for f in base if keep(f)]
            if name == "Partial":
                return [dataclasses.replace(f, required=False) for f in base]
            if name == "Required":
                return [dataclasses.replace(f, required=True) for f in base]
            return [dataclasses.replace(f, read_only=True) for f in base]
        return None

    def instance(self, s: Schema, args: tuple[TypeRef, ...]) -> str:
        """The component for a generic instance (`ListResponse<Exam>` → `ListResponseExam`)."""
        # Missing arguments are `any`, and say so in the name: a bare `ListResponse` is `ListResponseAny`.
        padded = list(args[: len(s.params)]) + [ANY] * (len(s.params) - len(args))
        key = (s.name, "|".join(_arg_key(a) for a in padded))
        if key in self._instances:
            return self._instances[key]
        name = self.claim(s.name + "".join(_arg_name(a) for a in padded))
        self._instances[key] = name  # registered before building, so recursive generics terminate
        self.generated[name] = {}
        body = self.schema_for(self.schema_type(s, tuple(padded)))
        self.generated[name] = self._decorate_schema(body, s)
        return name

    # ----- TypeRef → JSON Schema
    def schema_for(self, t: TypeRef, constraints: Constraints | None = None, depth: int = 0) -> dict[str, Any]:
        if depth > _MAX_DEPTH:
            return {}
        s = self._raw(t, depth)
        if constraints is not None and not constraints.is_empty():
            s = self._constrain(s, constraints)
        return nullable_schema(s) if t.nullable else s

    def template(self, kind: Kind, fills: dict[str, Any]) -> dict[str, Any]:
        """Fill the type table's openapi template (`{"type": "array", "items": "{items}"}`)."""

        def fill(v: Any) -> Any:
            if isinstance(v, str) and v.startswith("{") and v.endswith("}") and v[1:-1] in fills:
                return fills[v[1:-1]]
            if isinstance(v, str) and "{" in v:
                return v.format(**{k: x for k, x in fills.items() if isinstance(x, str)})
            if isinstance(v, dict):
                return {k: fill(x) for k, x in v.items()}
            if isinstance(v, list):
                return [fill(x) for x in v]
            return v

        return fill(mapping(kind, "openapi"))

    def _raw(self, t: TypeRef, depth: int) -> dict[str, Any]:
        k = t.kind
        if k is Kind.REF:
            return self._ref(t, depth)
        if k is Kind.OBJECT:
            return self.object_schema([f for f in t.fields if isinstance(f, Field)], depth)
        if k is Kind.ENUM:
            values = list(dict.fromkeys(jsonable(v) for v in t.values))
            s = self.template(k, {"values": values})
            if not values:
                s.pop("enum", None)  # an empty enum admits nothing; "some string" is the honest reading
            elif not all(isinstance(v, str) for v in values):
                s.pop("type", None)
            return s
        if k is Kind.ARRAY:
            return self.template(k, {"items": self.schema_for(t.items or ANY, depth=depth + 1)})
        if k is Kind.MAP:
            return self.template(k, {"items": self.schema_for(t.items or ANY, depth=depth + 1)})
        if k is Kind.UNION:
            return self._union(t, depth)
        if k is Kind.LITERAL:
            return self.template(k, {"literal": jsonable(t.literal)})
        s = self.template(k, {})
        if k is Kind.INTEGER:
            fmt = integer_openapi_format(t)
            if fmt:
                s["format"] = fmt
            if t.unsigned:
                s["minimum"] = 0
        if k is Kind.STRING and t.length:
            s["maxLength"] = t.length
        return s

    def _union(self, t: TypeRef, depth: int) -> dict[str, Any]:
        variants = list(t.variants)
        # `X | null` written as a union with a null literal: that is nullability, not a variant.
        has_null = any(v.kind is Kind.LITERAL and v.literal is None for v in variants)
        variants = [v for v in variants if not (v.kind is Kind.LITERAL and v.literal is None)]
        if variants and all(v.kind is Kind.LITERAL for v in variants):
            values = list(dict.fromkeys(jsonable(v.literal) for v in variants))
            out: dict[str, Any] = {"enum": values}
            if all(isinstance(v, str) for v in values):
                out = {"type": "string", "enum": values}
        elif len(variants) == 1:
            out = self.schema_for(variants[0], depth=depth + 1)
        elif not variants:
            out = {}
        else:
            out = self.template(Kind.UNION, {"variants": [self.schema_for(v, depth=depth + 1) for v in variants]})
        return nullable_schema(out) if has_null else out

    def _ref(self, t: TypeRef, depth: int) -> dict[str, Any]:
        s = self.lookup(t.ref)
        if s is not None:
            if s.params:
                return self.template(Kind.REF, {"ref": self.instance(s, t.args)})
            return self.template(Kind.REF, {"ref": self.names[s.name]})
        name = t.ref or ""
        if name in _WRAPPERS and len(t.args) == 1 and name != "Readonly":
            return self.schema_for(t.args[0], depth=depth + 1)
        if name in _ARRAYS and len(t.args) == 1:
            items = self.schema_for(t.args[0], depth=depth + 1)
            out = self.template(Kind.ARRAY, {"items": items})
            if name == "Set":
                out["uniqueItems"] = True
            return out
        if name == "Record" and t.args:
            return self.template(Kind.MAP, {"items": self.schema_for(t.args[-1], depth=depth + 1)})
        fields = self.object_fields(t, depth + 1) if name in _FIELD_UTILS else None
        if fields is not None:
            return self.object_schema(fields, depth)
        return {"description": f"unresolved type {t.with_nullable(False).describe()}"}

    def object_schema(self, fields: list[Field], depth: int = 0) -> dict[str, Any]:
        s = self.template(Kind.OBJECT, {})
        props: dict[str, Any] = {}
        required: list[str] = []
        for f in _dedupe_fields(fields):
            props[f.name] = self.field_schema(f, depth + 1)
            if f.required:
                required.append(f.name)
        if props:
            s["properties"] = props
        if required:
            s["required"] = required
        return s

    def field_schema(self, f: Field, depth: int = 0) -> dict[str, Any]:
        s = self.schema_for(f.type, f.constraints, depth)
        s = dict(s)
        if f.description:
            s["description"] = f.description
        if f.computed or f.read_only:
            s["readOnly"] = True
        if f.has_default:
            s["default"] = jsonable(f.default)
        if f.example is not None:
            s["examples"] = [jsonable(f.example)]
        return s

    def _constrain(self, s: dict[str, Any], c: Constraints) -> dict[str, Any]:
        out = dict(s)
        for attr, key in _CONSTRAINT_KEYS:
            value = getattr(c, attr)
            if value is None:
                continue
            if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
                value = _number(value)
            out[key] = value
        if (c.item_min_length is not None or c.item_max_length is not None) and isinstance(out.get("items"), dict):
            items = dict(out["items"])
            if c.item_min_length is not None:
                items["minLength"] = c.item_min_length
            if c.item_max_length is not None:
                items["maxLength"] = c.item_max_length
            out["items"] = items
        return out


def _dedupe_fields(fields: list[Field]) -> list[Field]:
    seen: dict[str, Field] = {}
    for f in fields:
        if isinstance(f, Field) and f.name and f.name not in seen:
            seen[f.name] = f
    return list(seen.values())


def _arg_name(t: TypeRef) -> str:
    """The part a generic argument contributes to an instance name (`Exam`, `ExamArray`, `String`)."""
    if t.kind is Kind.REF:
        return component_name(pascal_id((t.ref or "Any").rsplit(".", 1)[-1])) + "".join(_arg_name(a) for a in t.args)
    if t.kind is Kind.ARRAY:
        return _arg_name(t.items or ANY) + "Array"
    if t.kind is Kind.MAP:
        return _arg_name(t.items or ANY) + "Map"
    if t.kind is Kind.ENUM and t.enum_name:
        return pascal_id(t.enum_name)
    if t.kind is Kind.LITERAL:
        return pascal_id(str(t.literal))
    return pascal_id(t.kind.value)


def _arg_key(t: TypeRef) -> str:
    # describe() covers every structural difference that matters for naming and content.
    fields = ",".join(f"{f.name}:{_arg_key(f.type)}:{f.required}" for f in t.fields if isinstance(f, Field))
    return f"{t.describe()}{{{fields}}}" if fields else t.describe()


def resolve_schema(doc: dict[str, Any], schema: Any) -> dict[str, Any]:
    """A schema of the compiled OpenAPI `doc` with its `$ref`s followed (a bounded chain); {} when it names nothing."""
    for _ in range(16):
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            schema = doc.get("components", {}).get("schemas", {}).get(schema["$ref"].rsplit("/", 1)[-1], {})
        else:
            break
    return schema if isinstance(schema, dict) else {}
