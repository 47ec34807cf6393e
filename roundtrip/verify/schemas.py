"""JSON Schema plumbing for verify: normalizing two OpenAPI documents for a structural diff, and
validating JSON bodies against the compiled document.

Normalization (LIBRARY-NOTES §8) removes what FastAPI and hand-written specs differ in without
meaning anything: titles, descriptions, summaries, examples, `$ref` indirection (compared
structurally, never by component name), `anyOf [X, null]` vs `type: [t, null]` (one `nullable`
flag), `default: null`, the order of `required`, `additionalProperties: true`.

A property typed only by a JSON example (the compiled schema carries its `examples` but no
`description`) is weak evidence: the example shows one value, not a contract. Such properties are
marked `x-inferred`; diffs and body validation then accept null and any number for them.
"""

from __future__ import annotations

import copy
from typing import Any

from roundtrip.importers.openapi import json_pointer

NOISE = ("title", "description", "summary", "example", "examples", "deprecated", "externalDocs", "xml", "$comment")
MAX_DEPTH = 24


def is_inferred(schema: dict[str, Any]) -> bool:
    return isinstance(schema, dict) and "examples" in schema and "description" not in schema


def resolve_ref(doc: dict[str, Any], ref: str) -> Any:
    return json_pointer(doc, ref)


def normalize(schema: Any, doc: dict[str, Any], depth: int = 0, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """A dereferenced, de-noised copy of `schema` (see the module docstring)."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return {}
    if "$ref" in schema:
        ref = str(schema["$ref"])
        if ref in seen:
            return {"x-recursive": ref.rsplit("/", 1)[-1]}
        target = resolve_ref(doc, ref)
        merged = {**(target if isinstance(target, dict) else {}), **{k: v for k, v in schema.items() if k != "$ref"}}
        return normalize(merged, doc, depth + 1, (*seen, ref))
    inferred = is_inferred(schema)
    out: dict[str, Any] = {}
    nullable = bool(schema.get("nullable"))
    for key, value in schema.items():
        if key in NOISE or key == "nullable" or key.startswith("x-"):
            continue
        if key == "default" and value is None:
            continue
        if key == "additionalProperties" and value is True:
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: normalize(sub, doc, depth + 1, seen) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = normalize(value, doc, depth + 1, seen)
        elif key in ("anyOf", "oneOf", "allOf") and isinstance(value, list):
            out[key] = [normalize(v, doc, depth + 1, seen) for v in value]
        elif key == "required" and isinstance(value, list):
            out[key] = sorted(str(v) for v in value)
        else:
            out[key] = copy.deepcopy(value)
    t = out.get("type")
    if isinstance(t, list):
        kinds = [k for k in t if k != "null"]
        nullable = nullable or len(kinds) < len(t)
        if len(kinds) == 1:
            out["type"] = kinds[0]
        elif kinds:
            out["type"] = sorted(kinds)
        else:
            out.pop("type")
    for key in ("anyOf", "oneOf"):
        variants = out.get(key)
        if isinstance(variants, list):
            rest = [v for v in variants if v != {"type": "null"}]
            if len(rest) < len(variants):
                nullable = True
            if len(rest) == 1:
                out.pop(key)
                out = {**rest[0], **out}
                nullable = nullable or bool(rest[0].get("x-nullable"))
            else:
                out[key] = rest
    all_of = out.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1:
        out.pop("allOf")
        out = {**all_of[0], **out}
    if "enum" in out and isinstance(out["enum"], list) and None in out["enum"]:
        out["enum"] = [v for v in out["enum"] if v is not None]
        nullable = True
    if nullable:
        out["x-nullable"] = True
    if inferred:
        out["x-inferred"] = True
    return out


def relaxed_document(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of the compiled document whose example-typed properties accept null and any number, and
    whose `oneOf` alternatives (without a discriminator) read as `anyOf`."""
    out = copy.deepcopy(doc)
    _relax(out)
    return out


def _relax(node: Any) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("oneOf"), list) and "discriminator" not in node:
            # "`ExamDetail` or `Exam`": docs' alternatives overlap (one extends the other, objects stay
            # open), so a body that is both is still what the docs promise: either, not exactly one.
            node["anyOf"] = node.pop("oneOf")
        props = node.get("properties")
        if isinstance(props, dict):
            for name, sub in list(props.items()):
                if is_inferred(sub):
                    props[name] = _widen(sub)
        for value in node.values():
            _relax(value)
    elif isinstance(node, list):
        for value in node:
            _relax(value)


def _widen(schema: dict[str, Any]) -> dict[str, Any]:
    s = dict(schema)
    t = s.get("type")
    kinds = [t] if isinstance(t, str) else list(t) if isinstance(t, list) else []
    if kinds:
        kinds = ["number" if k == "integer" else k for k in kinds]
        if "null" not in kinds:
            kinds.append("null")
        s["type"] = kinds
    elif "$ref" in s or "anyOf" in s or "oneOf" in s:
        return {"anyOf": [{k: v for k, v in s.items() if k != "examples"}, {"type": "null"}], "examples": s.get("examples")}
    return s


class BodyValidator:
    """Validates JSON values against schemas inside one OpenAPI document (Draft 2020-12 + a registry)."""

    URI = "urn:roundtrip:openapi"

    def __init__(self, doc: dict[str, Any]) -> None:
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        self.doc = doc
        resource = Resource.from_contents(doc, default_specification=DRAFT202012)
        self.registry: Any = Registry().with_resource(self.URI, resource)
        self._cls = Draft202012Validator
        self._format_checker = Draft202012Validator.FORMAT_CHECKER
        self._cache: dict[str, Any] = {}

    def validator(self, pointer: str) -> Any:
        """A validator for the schema at JSON pointer `pointer` (e.g. /paths/~1x/get/...)."""
        if pointer not in self._cache:
            self._cache[pointer] = self._cls({"$ref": f"{self.URI}#{pointer}"}, registry=self.registry, format_checker=self._format_checker)
        return self._cache[pointer]

    def errors(self, pointer: str, value: Any, ignore: Any = None) -> list[tuple[list[str], str]]:
        """(property path, message) for every violation, best first, at most 5.
        `ignore(instance)` drops violations whose offending value it accepts (placeholders)."""
        return [(path, message) for path, message, _ in self.violations(pointer, value, ignore)[:5]]

    def violations(self, pointer: str, value: Any, ignore: Any = None) -> list[tuple[list[str], str, str]]:
        """Like `errors`, all of them, with the JSON Schema keyword each broke ("required", "type", "enum" …)."""
        try:
            found = sorted(self.validator(pointer).iter_errors(value), key=lambda e: (len(list(e.absolute_path)), str(e.message)))
            if ignore is not None:
                found = [e for e in found if not ignore(e.instance)]
        except Exception as exc:  # noqa: BLE001 - an unresolvable or invalid schema is reported, not raised
            return [([], f"schema cannot be used for validation: {type(exc).__name__}: {exc}", "schema")]
        out: list[tuple[list[str], str, str]] = []
        for e in found:
            path = [str(p) for p in e.absolute_path if not isinstance(p, int)]
            if e.validator == "required" and isinstance(e.message, str) and e.message.startswith("'"):
                path.append(e.message.split("'")[1])
            elif e.validator == "additionalProperties" and isinstance(e.message, str) and "'" in e.message:
                path.append(e.message.split("'")[1])
            out.append((path, _short(e), str(e.validator)))
        return out


def _short(e: Any) -> str:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path).lstrip(".") or "(body)"
    msg = str(e.message)
    if len(msg) > 200:
        msg = msg[:197] + "..."
    return f"{where}: {msg}"


def pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def media_schema_pointer(doc: dict[str, Any], path: str, method: str, status: int | str | None, content_type: str) -> str | None:
    """JSON pointer to a response (or, with status None, the request) body schema in `doc`."""
    op = doc.get("paths", {}).get(path, {}).get(method.lower())
    if not isinstance(op, dict):
        return None
    base: tuple[str, ...]
    if status is None:
        media = (op.get("requestBody") or {}).get("content", {})
        base = ("paths", path, method.lower(), "requestBody", "content")
    else:
        media = (op.get("responses", {}).get(str(status)) or {}).get("content", {})
        base = ("paths", path, method.lower(), "responses", str(status), "content")
    for ct, body in media.items():
        if ct.split(";")[0].strip() == content_type and isinstance(body, dict) and "schema" in body:
            return pointer(*base, ct, "schema")
    return None
