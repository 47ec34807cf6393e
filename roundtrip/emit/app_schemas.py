"""app/schemas.py of the generated app: pydantic models from the compiled OpenAPI (datamodel-code-generator).

    shaped = shape_for_codegen(doc)                 # what the routes and codegen see
    code = pydantic_schemas(shaped.components, head)
    classes = schema_classes(code, shaped.components)

The app's own /openapi.json must equal the compiled document (app_normalize), so the compiled
components are reshaped before codegen, without changing what they mean:

- Inline objects (a property's object, array items, map values, union variants) become components
  named after their place (`AttemptDetailExam`, `AnswerKeyVariant1`). Left inline, codegen names them
  after the property, and an inline `exam` took the name `Exam` from the component `Exam` (which became
  `Exam1`, so every route declaring `schemas.Exam` published the wrong model). Named, every generated
  class has a known schema, which `skip_schema_none` needs to tell optional from nullable.
- A request or response body that is not a plain `$ref` but refers to components (`oneOf` of two
  components) becomes a component of its own (`GetExamsById200Response`), and the operation refers to
  it: FastAPI publishes only the components some model uses, so a raw schema's `$ref`s would dangle.
- `uniqueItems`, which codegen drops, is passed as `x-uniqueItems`, published via `json_schema_extra`
  and enforced by a validator (`enforce_unique_items`).

Codegen only reads `components` here (paths are not modelled), so it gets no paths at all.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

REF = "#/components/schemas/"
JSON = "application/json"
# Options that change the meaning of a schema are not moved onto the type by skip_schema_none.
CONSTRAINT_KWARGS = (
    "ge",
    "le",
    "gt",
    "lt",
    "min_length",
    "max_length",
    "pattern",
    "multiple_of",
    "max_digits",
    "decimal_places",
)


@dataclass(frozen=True)
class Shaped:
    doc: dict[str, Any]  # the compiled document, its composite bodies replaced by `$ref`s to `components`
    components: dict[str, Any]  # every schema codegen models, inline objects lifted into named ones


def pascal(text: str) -> str:
    words = [w for w in re.split(r"[^0-9A-Za-z]+", text) if w]
    name = "".join(w[0].upper() + w[1:] for w in words) or "Model"
    return name if name[0].isalpha() else f"M{name}"


class _Names:
    """Component names handed out so far: a new one never shadows a documented one."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)

    def new(self, wanted: str) -> str:
        name, n = wanted, 2
        while name in self.taken:
            name, n = f"{wanted}{n}", n + 1
        self.taken.add(name)
        return name


def shape_for_codegen(doc: dict[str, Any]) -> Shaped:
    """The reshaped view; `doc` itself is not modified (what changes is copied, the rest shared)."""
    components: dict[str, Any] = dict(doc.get("components", {}).get("schemas", {}))
    names = _Names(set(components))
    paths: dict[str, Any] = {}
    for path, item in doc.get("paths", {}).items():
        paths[path] = dict(item) if isinstance(item, dict) else item
        for method, op in item.items() if isinstance(item, dict) else ():
            if not isinstance(op, dict):
                continue
            base = pascal(str(op.get("operationId") or f"{method} {path}"))
            op = paths[path][method] = dict(op)
            if isinstance(op.get("requestBody"), dict):
                op["requestBody"] = _lift_body(op["requestBody"], f"{base}Request", components, names)
            if isinstance(op.get("responses"), dict):
                op["responses"] = {
                    status: _lift_body(
                        resp, f"{base}{re.sub(r'[^0-9A-Za-z]', '', str(status))}Response", components, names
                    )
                    if isinstance(resp, dict)
                    else resp
                    for status, resp in op["responses"].items()
                }
    lifted: dict[str, Any] = {}
    for name, schema in components.items():
        lifted[name] = _lift_inline(schema, name, lifted, names, top=True)
    # documented components first, in their order, then the ones lifted out of them
    ordered = {name: lifted[name] for name in components} | {
        k: v for k, v in lifted.items() if k not in components
    }
    return Shaped({**doc, "paths": paths}, ordered)


def _lift_body(
    holder: dict[str, Any], wanted: str, components: dict[str, Any], names: _Names
) -> dict[str, Any]:
    """`holder` (a request body or response), its JSON schema replaced by a `$ref` to a new component when
    it is a composite that refers to components."""
    content = holder.get("content")
    media = content.get(JSON) if isinstance(content, dict) else None
    if not isinstance(content, dict) or not isinstance(media, dict):
        return holder
    schema = media.get("schema")
    if not isinstance(schema, dict) or set(schema) == {"$ref"} or '"$ref"' not in json.dumps(schema):
        return holder  # a plain reference is a model already; a self-contained schema is published as written
    name = names.new(wanted)
    components[name] = schema
    return {**holder, "content": {**content, JSON: {**media, "schema": {"$ref": REF + name}}}}


def _is_null(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") == "null"


def _is_inline_object(node: dict[str, Any]) -> bool:
    t = node.get("type", "object")
    kinds = set(t) if isinstance(t, list) else {t}
    return isinstance(node.get("properties"), dict) and kinds <= {"object", "null"} and "$ref" not in node


def _lift_inline(node: Any, place: str, out: dict[str, Any], names: _Names, top: bool = False) -> Any:
    """`node` with every nested inline object replaced by a `$ref` to a component added to `out`."""
    if isinstance(node, list):
        return [_lift_inline(v, place, out, names) for v in node]
    if not isinstance(node, dict):
        return node
    s = dict(node)
    if isinstance(s.get("properties"), dict):
        s["properties"] = {
            k: _lift_inline(v, place + pascal(k), out, names) for k, v in s["properties"].items()
        }
    for key, suffix in (("items", "Item"), ("additionalProperties", "Value"), ("not", "Not")):
        if isinstance(s.get(key), dict):
            s[key] = _lift_inline(s[key], place + suffix, out, names)
    for key in ("oneOf", "anyOf"):
        variants = s.get(key)
        if isinstance(variants, list):
            real = sum(1 for v in variants if not _is_null(v))
            lifted, n = [], 0
            for v in variants:
                if not _is_null(v):
                    n += 1
                    v = _lift_inline(v, place if real == 1 else f"{place}Variant{n}", out, names)
                lifted.append(v)
            s[key] = lifted
    # allOf members stay members (codegen composes them); only their insides are lifted
    if isinstance(s.get("allOf"), list):
        s["allOf"] = [_lift_inline(v, place, out, names, top=True) for v in s["allOf"]]
    if s.get("uniqueItems") is True:
        del s["uniqueItems"]
        s["x-uniqueItems"] = True
    if top or not _is_inline_object(s):
        return s
    name = names.new(place)
    t = s.get("type")
    nullable = isinstance(t, list) and "null" in t
    if isinstance(t, list):
        s["type"] = "object"
    out[name] = s
    ref = {"$ref": REF + name}
    return {"anyOf": [ref, {"type": "null"}]} if nullable else ref


def pydantic_schemas(components: dict[str, Any], head: str, openapi: str = "3.1.0") -> str:
    """datamodel-code-generator over the components (formatters=[BUILTIN]: deterministic, no black/isort)."""
    import warnings

    from datamodel_code_generator import DataModelType, InputFileType, NamingStrategy, PythonVersion, generate
    from datamodel_code_generator.format import Formatter

    if not components:
        return f'"""Request and response models: {head}"""\n'
    document = {
        "openapi": openapi,
        "info": {"title": "API", "version": "0"},
        "paths": {},
        "components": {"schemas": components},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = generate(
            json.dumps(document, sort_keys=True),
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            use_annotated=True,
            field_constraints=True,
            use_standard_collections=True,
            use_union_operator=True,
            snake_case_field=True,
            strict_nullable=True,
            disable_timestamp=True,
            use_schema_description=False,
            # a component keeps its own name; codegen's names for inline enums give way to it
            naming_strategy=NamingStrategy.PrimaryFirst,
            field_extra_keys_without_x_prefix={"x-uniqueItems"},
            formatters=[Formatter.BUILTIN],
        )
    text = enforce_unique_items(skip_schema_none(str(code), components), components)
    lines = text.split("\n")
    # datamodel-codegen's own header names a temp input; ours names the docs.
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    body = "\n".join(lines).strip("\n")
    # Enum members named like `l` and enum-typed fields with a plain-string default are codegen idioms.
    return (
        f'# Request and response models: {head}\n# ruff: noqa: E741\n# mypy: disable-error-code="assignment"\n'
        + body
        + "\n"
    )


def schema_classes(code: str, components: dict[str, Any]) -> set[str]:
    """Component names that became a class of the same name in app/schemas.py."""
    defined = set(re.findall(r"^class (\w+)\(", code, flags=re.MULTILINE))
    return {n for n in components if n in defined}


class _Source:
    """Character offsets of AST positions, computed once: `ast.get_source_segment` splits the whole
    source on every call, which made skip_schema_none quadratic (minutes on a 1,000-endpoint set)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.lines = code.split("\n")
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1]
        # AST columns count UTF-8 bytes; most lines are ASCII, where bytes are characters
        return self.starts[lineno - 1] + (col if line.isascii() else len(line.encode()[:col].decode()))

    def span(self, node: ast.stmt | ast.expr | ast.keyword) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)
        return start, self.offset(node.end_lineno or node.lineno, node.end_col_offset or 0)

    def segment(self, node: ast.expr | ast.keyword) -> str:
        start, end = self.span(node)
        return self.code[start:end]


def component_fields(tree: ast.Module, components: dict[str, Any]) -> Iterator[tuple[ast.AnnAssign, dict[str, Any]]]:
    """(field statement, its property schema) for every annotated field of a generated class that is a component."""
    for cls in tree.body:
        comp = components.get(cls.name) if isinstance(cls, ast.ClassDef) else None
        if not isinstance(cls, ast.ClassDef) or not isinstance(comp, dict):
            continue
        props = comp.get("properties", {})
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                prop = props.get(_alias(stmt) or stmt.target.id)
                if isinstance(prop, dict):
                    yield stmt, prop


def skip_schema_none(code: str, components: dict[str, Any]) -> str:
    """Optional but not nullable fields: `T | None = None` → `T | SkipJsonSchema[None] = None`.

    datamodel-codegen types an optional field as `T | None`, which pydantic publishes as nullable
    (`anyOf [T, null]`); the docs say optional, not nullable (LIBRARY-NOTES §8 item 9). Constraints
    move onto `T` itself (`Annotated[Annotated[T, Field(ge=0)] | SkipJsonSchema[None], Field(alias=...)]`),
    because pydantic cannot apply them to a union. The model still accepts None; only the published
    schema changes."""
    tree = ast.parse(code)
    src = _Source(code)
    edits: list[tuple[int, int, str]] = []
    for stmt, prop in component_fields(tree, components):
        if stmt.value is None or _nullable(prop):
            continue
        ann = stmt.annotation
        field_call = None
        union = ann
        if isinstance(ann, ast.Subscript) and isinstance(ann.slice, ast.Tuple) and ann.slice.elts:
            union = ann.slice.elts[0]
            field_call = next((e for e in ann.slice.elts[1:] if isinstance(e, ast.Call)), None)
        if not (
            isinstance(union, ast.BinOp)
            and isinstance(union.right, ast.Constant)
            and union.right.value is None
        ):
            continue
        inner = src.segment(union.left)
        if field_call is None:
            text = f"{inner} | SkipJsonSchema[None]"
        else:
            cons = [k for k in field_call.keywords if k.arg in CONSTRAINT_KWARGS]
            rest = [k for k in field_call.keywords if k.arg not in CONSTRAINT_KWARGS]
            typ = f"Annotated[{inner}, Field({', '.join(map(src.segment, cons))})]" if cons else inner
            text = f"Annotated[{typ} | SkipJsonSchema[None], Field({', '.join(map(src.segment, rest))})]"
        edits.append((*src.span(ann), text))
    if not edits:
        return code
    lines = _apply(code, edits).split("\n")
    at = next((i for i, line in enumerate(lines) if line.startswith("from pydantic import ")), 0)
    while at < len(lines) and lines[at].rstrip().endswith(("(", ",")):  # a wrapped import
        at += 1
    lines.insert(at + 1, "from pydantic.json_schema import SkipJsonSchema")
    return "\n".join(lines)


UNIQUE_ITEMS = '''


def unique_items(value: object) -> object:
    """uniqueItems: a repeated item is invalid (pydantic has no such constraint on lists; a set would reorder)."""
    if isinstance(value, list):
        seen = [repr(v) for v in value]
        if len(set(seen)) != len(seen):
            raise ValueError("items must be unique")
    return value'''


def enforce_unique_items(code: str, components: dict[str, Any]) -> str:
    """Fields whose schema says `uniqueItems` (published through `json_schema_extra`) also reject repeats:
    `Annotated[list[T], Field(...)]` → `Annotated[list[T], Field(...), AfterValidator(unique_items)]`, the
    validator defined once after the imports. A repeated item is then the docs' validation error."""
    tree = ast.parse(code)
    src = _Source(code)
    edits: list[tuple[int, int, str]] = []
    for stmt, prop in component_fields(tree, components):
        if prop.get("x-uniqueItems") is not True:
            continue
        ann = stmt.annotation
        annotated = (
            isinstance(ann, ast.Subscript)
            and isinstance(ann.value, ast.Name)
            and ann.value.id == "Annotated"
        )
        if annotated and isinstance(ann, ast.Subscript) and isinstance(ann.slice, ast.Tuple):
            parts = ", ".join(src.segment(e) for e in ann.slice.elts)
        else:
            parts = src.segment(ann)
        edits.append((*src.span(ann), f"Annotated[{parts}, AfterValidator(unique_items)]"))
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    pydantic = next(
        (n for n in imports if isinstance(n, ast.ImportFrom) and n.module == "pydantic" and not n.level), None
    )
    if not edits or pydantic is None:
        return code
    names = sorted({a.name for a in pydantic.names} | {"AfterValidator"})
    one = f"from pydantic import {', '.join(names)}"
    # as ruff's isort would write it (the generated app is linted with it)
    text = (
        one if len(one) <= 120 else "from pydantic import (\n" + "".join(f"    {n},\n" for n in names) + ")"
    )
    edits.append((*src.span(pydantic), text))
    end = src.span(imports[-1])[1]
    edits.append((end, end, UNIQUE_ITEMS))
    return _apply(code, edits)


def _apply(code: str, edits: list[tuple[int, int, str]]) -> str:
    """Replace each (start, end) range by its text, in one pass (slicing per edit would be quadratic again)."""
    parts: list[str] = []
    at = 0
    for start, end, text in sorted(edits):
        parts += [code[at:start], text]
        at = end
    return "".join(parts) + code[at:]


def _alias(stmt: ast.AnnAssign) -> str | None:
    ann = stmt.annotation
    if isinstance(ann, ast.Subscript) and isinstance(ann.slice, ast.Tuple):
        for elt in ann.slice.elts[1:]:
            if isinstance(elt, ast.Call):
                for kw in elt.keywords:
                    if kw.arg == "alias" and isinstance(kw.value, ast.Constant):
                        return str(kw.value.value)
    return None


def _nullable(prop: dict[str, Any]) -> bool:
    t = prop.get("type")
    if t == "null" or (isinstance(t, list) and "null" in t):
        return True
    return any(
        isinstance(v, dict) and v.get("type") == "null" for v in prop.get("anyOf", []) + prop.get("oneOf", [])
    )
