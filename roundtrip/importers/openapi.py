"""OpenAPI 3.0 / 3.1 document (a parsed dict) → Spec, so `roundtrip docs --from-openapi` can write
canonical docs for an API nobody documented in Markdown.

What maps where: paths × methods → Endpoints (first server's path is the base path); parameters
(path-level and operation-level, `$ref`s followed) → Parameters; the JSON (or first) request body
→ Body; 1xx–3xx responses → Responses, 4xx/5xx → ErrorDocs (`default` has no status and is left
out); components.schemas → Schemas (origin OPENAPI; `allOf` flattened, `oneOf`/`anyOf` → unions);
`http bearer` / `apiKey` / cookie schemes → SecuritySchemes; `security` → Auth.
Never raises on odd input: what cannot be read is skipped (a `$ref` to nowhere becomes `any`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from roundtrip.ir import (
    HTTP_METHODS,
    ApiInfo,
    Auth,
    Body,
    Constraints,
    Endpoint,
    ErrorDoc,
    Field,
    Kind,
    Origin,
    Parameter,
    ParamIn,
    Response,
    Schema,
    SchemeKind,
    SecurityScheme,
    Spec,
    TypeRef,
)

_MAX_DEPTH = 24
_FORMAT_KINDS = {
    "uuid": Kind.UUID,
    "date": Kind.DATE,
    "date-time": Kind.DATETIME,
    "time": Kind.TIME,
    "binary": Kind.BINARY,
}
_STRING_FORMATS = ("email", "uri", "url", "hostname", "ipv4", "ipv6", "byte", "password", "uri-reference")
_LOCATIONS = {
    "path": ParamIn.PATH,
    "query": ParamIn.QUERY,
    "header": ParamIn.HEADER,
    "cookie": ParamIn.COOKIE,
}


def schema_name(raw: str) -> str:
    """A component name as a type name the docs can write (`pet-tag` → `PetTag`, `Pet.Category` → `PetCategory`)."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", raw) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Schema"
    return name if name[0].isalpha() else "S" + name


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) else ""



def json_pointer(doc: Any, ref: str) -> Any:
    """The node a local `$ref` (`#/components/schemas/A~1B`) names in `doc`; None when it names nothing."""
    if not ref.startswith("#/"):
        return None
    node: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node

class _Reader:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        comps = doc.get("components") if isinstance(doc.get("components"), dict) else {}
        self.components: dict[str, Any] = comps or {}
        raw = self.components.get("schemas") if isinstance(self.components.get("schemas"), dict) else {}
        self.schema_names = {k: schema_name(k) for k in (raw or {})}

    # ---------------------------------------------------------------- $ref

    def deref(self, node: Any, depth: int = 0) -> Any:
        """Follow a non-schema `$ref` (`#/components/parameters/x`) to what it points at."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < _MAX_DEPTH:
            node = self.pointer(node["$ref"])
            depth += 1
        return node

    def pointer(self, ref: str) -> Any:
        return json_pointer(self.doc, ref)

    def example_value(self, value: Any, depth: int = 0, seen: frozenset[str] = frozenset()) -> Any:
        """An example value with every `{"$ref": "#/components/examples/x"}` inside it replaced by that
        Example's `value`. GitHub's description nests such refs in example values (a repository inside an
        event, a configuration inside a response); carried as data they would be an object with one
        `$ref` key, which every emitter then reads as a reference to nothing. A ref to anything else,
        a cycle, or one too deep is left as the data it is."""
        if depth > _MAX_DEPTH:
            return value
        if isinstance(value, list):
            return [self.example_value(v, depth + 1, seen) for v in value]
        if not isinstance(value, dict):
            return value
        ref = value.get("$ref")
        if (
            len(value) == 1
            and isinstance(ref, str)
            and ref.startswith("#/components/examples/")
            and ref not in seen
        ):
            target = self.pointer(ref)
            if isinstance(target, dict) and "value" in target:
                return self.example_value(target["value"], depth + 1, seen | {ref})
            return value
        return {k: self.example_value(v, depth + 1, seen) for k, v in value.items()}

    # ---------------------------------------------------------------- schemas → types

    def type_of(self, s: Any, depth: int = 0) -> tuple[TypeRef, Constraints]:
        if depth > _MAX_DEPTH or not isinstance(s, dict):
            return TypeRef(Kind.ANY), Constraints()
        ref = s.get("$ref")
        if isinstance(ref, str):
            m = re.match(r"^#/components/schemas/(.+)$", ref)
            if m:
                raw = m.group(1).replace("~1", "/").replace("~0", "~")
                return TypeRef(Kind.REF, ref=self.schema_names.get(raw, schema_name(raw))), Constraints()
            return self.type_of(self.deref(s), depth + 1)
        nullable = bool(s.get("nullable"))
        types = s.get("type")
        if isinstance(types, list):
            nullable = nullable or "null" in types
            rest = [t for t in types if t != "null"]
            types = rest[0] if len(rest) == 1 else None if not rest else rest
        t, c = self._base(s, types, depth)
        return (t.with_nullable(True) if nullable else t), c

    def _base(self, s: dict[str, Any], typ: Any, depth: int) -> tuple[TypeRef, Constraints]:
        c = _constraints(s)
        for key in ("allOf", "oneOf", "anyOf"):
            parts = s.get(key)
            if isinstance(parts, list) and parts:
                if key == "allOf":
                    return self._all_of(s, parts, depth), c
                variants = [self.type_of(p, depth + 1)[0] for p in parts]
                nulls = [v for v in variants if v.kind is Kind.ANY and v.nullable]
                rest = [v for v in variants if not (v.kind is Kind.ANY and v.nullable)]
                if len(rest) == 1:
                    return rest[0].with_nullable(bool(nulls) or rest[0].nullable), c
                merged = _string_choice(rest, bool(nulls))
                if merged is not None:
                    return merged, c
                return TypeRef(Kind.UNION, variants=tuple(rest), nullable=bool(nulls)), c
        if "const" in s:
            return TypeRef(
                Kind.LITERAL, literal=s["const"] if isinstance(s["const"], (str, int, float, bool)) else None
            ), c
        enum = s.get("enum")
        if isinstance(enum, list) and enum:
            if typ in ("integer", "number"):
                return TypeRef(Kind.INTEGER if typ == "integer" else Kind.FLOAT), c
            present = [v for v in enum if v is not None]
            if len(present) == 1 and isinstance(present[0], (str, int, float, bool)):
                # One allowed value is a constant (JSON Schema: `enum: [x]` ≡ `const: x`): the IR's LITERAL, which
                # TypeScript and a table's Type cell both spell `'x'` and read back as a LITERAL, not an ENUM.
                return TypeRef(Kind.LITERAL, literal=present[0], nullable=None in enum), c
            if typ == "boolean":
                return TypeRef(Kind.BOOLEAN, nullable=None in enum), c
            values = tuple(str(v) for v in present)
            return TypeRef(Kind.ENUM, values=tuple(dict.fromkeys(values)), nullable=None in enum), c
        if isinstance(typ, list):
            return TypeRef(Kind.UNION, variants=tuple(self._base(s, t, depth)[0] for t in typ)), c
        fmt = s.get("format") if isinstance(s.get("format"), str) else ""
        if typ == "string" or (typ is None and fmt in _FORMAT_KINDS):
            if fmt in _FORMAT_KINDS:
                return TypeRef(_FORMAT_KINDS[fmt]), Constraints(
                    **{k: v for k, v in vars(c).items() if k != "format"}
                )
            return TypeRef(Kind.STRING), c
        if typ == "integer":
            return TypeRef(Kind.INTEGER, bits=64 if fmt == "int64" else None), _without_format(c)
        if typ == "number":
            return TypeRef(Kind.FLOAT), _without_format(c)
        if typ == "boolean":
            return TypeRef(Kind.BOOLEAN), c
        if typ == "array":
            items, _ = (
                self.type_of(s.get("items"), depth + 1)
                if "items" in s
                else (TypeRef(Kind.ANY), Constraints())
            )
            return TypeRef(Kind.ARRAY, items=items), c
        if typ == "null":
            return TypeRef(Kind.ANY, nullable=True), c
        if typ == "object" or "properties" in s or "additionalProperties" in s:
            return self._object(s, depth), c
        return TypeRef(Kind.ANY), c

    def _object(self, s: dict[str, Any], depth: int) -> TypeRef:
        props = s.get("properties") if isinstance(s.get("properties"), dict) else {}
        extra = s.get("additionalProperties")
        if not props and isinstance(extra, dict):
            return TypeRef(Kind.MAP, items=self.type_of(extra, depth + 1)[0])
        return TypeRef(Kind.OBJECT, fields=self.fields(s, depth))

    def fields(self, s: dict[str, Any], depth: int) -> tuple[Field, ...]:
        props = s.get("properties") if isinstance(s.get("properties"), dict) else {}
        required = set(s.get("required") or []) if isinstance(s.get("required"), list) else set()
        out: list[Field] = []
        for name, p in (props or {}).items():
            t, c = self.type_of(p, depth + 1)
            p = p if isinstance(p, dict) else {}
            out.append(
                Field(
                    name=str(name),
                    type=t,
                    required=name in required,
                    description=_text(p.get("description", "")),
                    constraints=c,
                    default=p.get("default"),
                    has_default="default" in p,
                    read_only=bool(p.get("readOnly")),
                    example=self.example_value(p.get("example")),
                )
            )
        return tuple(out)

    def _all_of(self, s: dict[str, Any], parts: list[Any], depth: int) -> TypeRef:
        fields: list[Field] = []
        for part in [*parts, {k: v for k, v in s.items() if k != "allOf"}]:
            target = part
            seen = 0
            while isinstance(target, dict) and isinstance(target.get("$ref"), str) and seen < _MAX_DEPTH:
                target = self.pointer(target["$ref"])
                seen += 1
            if not isinstance(target, dict):
                continue
            t = (
                self._all_of(target, target["allOf"], depth + 1)
                if isinstance(target.get("allOf"), list)
                else self._object(target, depth + 1)
                if ("properties" in target or target.get("type") == "object")
                else None
            )
            if t is None or t.kind is not Kind.OBJECT:
                continue
            for f in t.fields:
                fields = [x for x in fields if x.name != f.name] + [f]
        return TypeRef(Kind.OBJECT, fields=tuple(fields))

    # ---------------------------------------------------------------- operations

    def body(self, node: Any, description: str = "") -> Body | None:
        node = self.deref(node)
        if not isinstance(node, dict):
            return None
        content = node.get("content") if isinstance(node.get("content"), dict) else {}
        if not content:
            return None
        ctype = next((k for k in content if "json" in k), next(iter(content)))
        media = content[ctype] if isinstance(content[ctype], dict) else {}
        t = self.type_of(media["schema"])[0] if "schema" in media else None
        example, has_example = _example(media, self)
        return Body(
            t,
            example,
            has_example,
            content_type="application/json" if "json" in ctype else ctype,
            description=description or _text(node.get("description", "")),
        )

    def parameters(self, item: dict[str, Any], op: dict[str, Any]) -> tuple[Parameter, ...]:
        out: dict[tuple[str, str], Parameter] = {}
        for raw in list(item.get("parameters") or []) + list(op.get("parameters") or []):
            p = self.deref(raw)
            if not isinstance(p, dict) or not isinstance(p.get("name"), str):
                continue
            loc = _LOCATIONS.get(str(p.get("in")))
            if loc is None:
                continue
            schema = p.get("schema")
            if schema is None and isinstance(p.get("content"), dict) and p["content"]:
                schema = (
                    next(iter(p["content"].values())).get("schema")
                    if isinstance(next(iter(p["content"].values())), dict)
                    else None
                )
            t, c = self.type_of(schema) if schema is not None else (TypeRef(Kind.STRING), Constraints())
            sd = self.deref(schema) if isinstance(schema, dict) else {}
            has_default = isinstance(sd, dict) and "default" in sd
            out[(p["name"], loc.value)] = Parameter(
                name=p["name"],
                location=loc,
                type=t,
                required=bool(p.get("required")) or loc is ParamIn.PATH,
                description=_text(p.get("description", "")),
                default=sd.get("default") if has_default else None,
                has_default=has_default,
                constraints=c,
            )
        return tuple(out.values())

    def auth(self, op: dict[str, Any], schemes: dict[str, SecurityScheme]) -> Auth:
        sec = op.get("security", self.doc.get("security"))
        if not isinstance(sec, list):
            return Auth()
        if not sec or any(isinstance(s, dict) and not s for s in sec):
            return Auth(False, (), "OpenAPI security: none")
        scopes = [
            sc for s in sec if isinstance(s, dict) for v in s.values() if isinstance(v, list) for sc in v
        ]
        roles = tuple(dict.fromkeys(str(x) for x in scopes if re.fullmatch(r"[a-z][a-z_-]*", str(x))))
        return Auth(
            True,
            roles,
            "OpenAPI security: " + ", ".join(sorted({k for s in sec if isinstance(s, dict) for k in s})),
        )

    def endpoint(
        self,
        method: str,
        path: str,
        item: dict[str, Any],
        op: dict[str, Any],
        schemes: dict[str, SecurityScheme],
    ) -> Endpoint:
        responses: list[Response] = []
        errors: list[ErrorDoc] = []
        raw = op.get("responses") if isinstance(op.get("responses"), dict) else {}
        for code, resp in sorted((raw or {}).items(), key=lambda kv: str(kv[0])):
            if not re.fullmatch(r"[1-5]\d\d", str(code)):
                continue  # `default`, `2XX`: no single status to document
            status = int(str(code))
            node = self.deref(resp)
            node = node if isinstance(node, dict) else {}
            desc = _text(node.get("description", ""))
            body = self.body(node)
            if status >= 400:
                example = body.example if body is not None and body.has_example else None
                errors.append(ErrorDoc(status, _code(example), desc, example))
            else:
                responses.append(
                    Response(
                        status,
                        desc,
                        body if body is not None and (body.type is not None or body.has_example) else None,
                    )
                )
        request = self.body(op["requestBody"]) if "requestBody" in op else None
        tags = tuple(str(t) for t in op.get("tags") or [] if isinstance(t, (str, int)))
        return Endpoint(
            method=method,
            path=_norm_path(path),
            summary=_text(op.get("summary", "")),
            description=_text(op.get("description", "")),
            tags=tags,
            operation_id=str(op.get("operationId") or ""),
            auth=self.auth(op, schemes),
            parameters=self.parameters(item, op),
            request=request,
            responses=tuple(responses),
            errors=tuple(errors),
            origin=Origin.OPENAPI,
        )

    # ---------------------------------------------------------------- document

    def security_schemes(self) -> dict[str, SecurityScheme]:
        raw = (
            self.components.get("securitySchemes")
            if isinstance(self.components.get("securitySchemes"), dict)
            else {}
        )
        out: dict[str, SecurityScheme] = {}
        for name, s in (raw or {}).items():
            s = self.deref(s)
            if not isinstance(s, dict):
                continue
            typ, scheme = str(s.get("type", "")).lower(), str(s.get("scheme", "")).lower()
            desc = _text(s.get("description", ""))
            if typ == "http" and scheme == "bearer":
                out[name] = SecurityScheme(
                    "bearerAuth",
                    SchemeKind.BEARER,
                    bearer_format=str(s.get("bearerFormat") or ""),
                    description=desc,
                )
            elif typ == "http" and scheme == "basic":
                out[name] = SecurityScheme(name, SchemeKind.BASIC, description=desc)
            elif typ == "apikey" and s.get("in") == "cookie":
                out[name] = SecurityScheme(
                    "cookieAuth", SchemeKind.COOKIE, header=str(s.get("name") or ""), description=desc
                )
            elif typ == "apikey":
                out[name] = SecurityScheme(
                    "apiKeyAuth", SchemeKind.API_KEY, header=str(s.get("name") or ""), description=desc
                )
            elif typ in ("oauth2", "openidconnect"):
                out[name] = SecurityScheme(name, SchemeKind.OAUTH2, description=desc)
        return out

    def spec(self) -> Spec:
        info: dict[str, Any] = self.doc["info"] if isinstance(self.doc.get("info"), dict) else {}
        servers = [
            str(s["url"]).rstrip("/")
            for s in self.doc.get("servers") or []
            if isinstance(s, dict) and isinstance(s.get("url"), str)
        ]
        servers = [s for s in servers if s and "{" not in urlsplit(s).netloc]
        base = (
            urlsplit(servers[0]).path.rstrip("/")
            if servers and "://" in servers[0]
            else (servers[0] if servers and servers[0].startswith("/") else "")
        )
        schemes = self.security_schemes()
        endpoints: list[Endpoint] = []
        paths = self.doc.get("paths") if isinstance(self.doc.get("paths"), dict) else {}
        for path, item in (paths or {}).items():
            item = self.deref(item)
            if not isinstance(item, dict) or not str(path).startswith("/"):
                continue
            for method in HTTP_METHODS:
                op = item.get(method.lower())
                if isinstance(op, dict):
                    endpoints.append(self.endpoint(method, str(path), item, op, schemes))
        raw = self.components.get("schemas") if isinstance(self.components.get("schemas"), dict) else {}
        named: list[Schema] = []
        for raw_name, s in (raw or {}).items():
            t, _ = (
                self.type_of(s)
                if not (isinstance(s, dict) and "$ref" in s)
                else (self.type_of(self.deref(s))[0], None)
            )
            if isinstance(s, dict) and isinstance(s.get("allOf"), list):
                t = self._all_of(s, s["allOf"], 0)
            named.append(
                Schema(
                    self.schema_names[raw_name],
                    t,
                    description=_text(s.get("description", "")) if isinstance(s, dict) else "",
                    origin=Origin.OPENAPI,
                    example=self.example_value(s.get("example")) if isinstance(s, dict) else None,
                )
            )
        schemes_out = tuple(dict((s.name, s) for s in schemes.values()).values())
        return Spec(
            info=ApiInfo(
                _text(info.get("title", "")),
                _text(info.get("version", "")),
                _text(info.get("description", "")),
                base if base != "/" else "",
                tuple(dict.fromkeys(servers)),
            ),
            security_schemes=schemes_out,
            endpoints=tuple(endpoints),
            schemas=tuple(named),
        )


def _constraints(s: dict[str, Any]) -> Constraints:
    def num(key: str) -> float | int | None:
        v = s.get(key)
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    def count(key: str) -> int | None:
        v = s.get(key)
        return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else None

    exmin, exmax = s.get("exclusiveMinimum"), s.get("exclusiveMaximum")
    minimum, maximum = num("minimum"), num("maximum")
    ex_min = num("exclusiveMinimum")
    ex_max = num("exclusiveMaximum")
    if exmin is True and minimum is not None:  # OpenAPI 3.0: a flag on minimum
        ex_min, minimum = minimum, None
    if exmax is True and maximum is not None:
        ex_max, maximum = maximum, None
    fmt = s.get("format") if isinstance(s.get("format"), str) and s.get("format") in _STRING_FORMATS else None
    return Constraints(
        min_length=count("minLength"),
        max_length=count("maxLength"),
        minimum=minimum,
        maximum=maximum,
        exclusive_minimum=ex_min,
        exclusive_maximum=ex_max,
        multiple_of=num("multipleOf"),
        pattern=s.get("pattern") if isinstance(s.get("pattern"), str) else None,
        format={"url": "uri"}.get(fmt or "", fmt),
        min_items=count("minItems"),
        max_items=count("maxItems"),
        unique_items=True if s.get("uniqueItems") is True else None,
    )


def _string_choice(variants: list[TypeRef], nullable: bool) -> TypeRef | None:
    """`oneOf` / `anyOf` of string constants and enums (`oneOf: [{enum: [a]}, {enum: [b]}]`) → one ENUM of
    every value, the type the docs' `'a' | 'b'` reads back as; None when any variant is something else."""
    values: list[str] = []
    for v in variants:
        if v.kind is Kind.LITERAL and isinstance(v.literal, str):
            values.append(v.literal)
        elif v.kind is Kind.ENUM and v.enum_name is None and v.values:
            values.extend(v.values)
        else:
            return None
        nullable = nullable or v.nullable
    return TypeRef(Kind.ENUM, values=tuple(dict.fromkeys(values)), nullable=nullable)


def _without_format(c: Constraints) -> Constraints:
    from dataclasses import replace

    return replace(c, format=None)


def _example(media: dict[str, Any], reader: _Reader) -> tuple[Any, bool]:
    if "example" in media:
        return reader.example_value(media["example"]), True
    examples = media.get("examples")
    if isinstance(examples, dict):
        for ex in examples.values():
            ex = reader.deref(ex)
            if isinstance(ex, dict) and "value" in ex:
                return reader.example_value(ex["value"]), True
    return None, False


def _code(example: Any) -> str:
    if isinstance(example, dict):
        for key in ("error", "code"):
            v = example.get(key)
            if isinstance(v, str) and re.fullmatch(r"[A-Z][A-Z0-9_]+", v):
                return v
    return ""


def _norm_path(path: str) -> str:
    p = path.split("?", 1)[0]
    return p.rstrip("/") if len(p) > 1 else p


def parse_openapi_text(text: str) -> dict[str, Any]:
    """An OpenAPI document's text (JSON or YAML) → the dict `from_openapi` takes; ValueError if it is neither."""
    import json

    import yaml

    try:
        doc = json.loads(text)
    except ValueError:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"not JSON or YAML: {exc}") from None
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3."):
        raise ValueError("not an OpenAPI 3.x document (no `openapi: 3.x` key)")
    return doc


def from_openapi(doc: dict[str, Any]) -> Spec:
    """An OpenAPI 3.0/3.1 document (already parsed from YAML or JSON) → Spec."""
    if not isinstance(doc, dict):
        return Spec()
    return _Reader(doc).spec()
