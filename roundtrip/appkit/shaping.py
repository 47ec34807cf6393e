"""JSON Schema helpers: follow `$ref`s, convert database values to the documented JSON, generate data.

The compiled OpenAPI's component schemas travel in api_model.json; every response the kit builds
is shaped by the documented schema (a field the schema does not list is never sent, so columns such
as `password_hash` cannot leak), and a required field the database cannot fill gets a value
generated from its schema, deterministically (examples first, then type and format).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import enum
import re
import uuid
from typing import Any

REF_PREFIX = "#/components/schemas/"
PLACEHOLDER_UUID = "00000000-0000-4000-8000-000000000000"


def _memoized(fn: Any) -> Any:
    """Cache a schema query per schema object. The schemas are the app model's own dicts, never mutated,
    and every derived dict comes from a memoized call too, so the cache stays bounded; the entry keeps a
    reference to its key object, so an id is never reused while cached."""
    name = fn.__name__

    def wrapper(self: Schemas, schema: Any) -> Any:
        cache = self._memo.setdefault(name, {})
        hit = cache.get(id(schema))
        if hit is not None and hit[0] is schema:
            return hit[1]
        value = fn(self, schema)
        if isinstance(schema, dict):
            cache[id(schema)] = (schema, value)
        return value

    wrapper.__name__ = name
    wrapper.__doc__ = fn.__doc__
    return wrapper


class Schemas:
    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components
        self._memo: dict[str, dict[int, tuple[Any, Any]]] = {}

    @_memoized
    def resolve(self, schema: Any) -> dict[str, Any]:
        """The schema with its top-level `$ref` (and single-entry allOf) followed."""
        _depth = 0
        while isinstance(schema, dict) and _depth < 32:
            ref = schema.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF_PREFIX):
                schema = self.components.get(ref[len(REF_PREFIX):], {})
                _depth += 1
                continue
            if "allOf" in schema and len(schema) == 1 and len(schema["allOf"]) == 1:
                schema = schema["allOf"][0]
                _depth += 1
                continue
            return schema
        return schema if isinstance(schema, dict) else {}

    def ref_name(self, schema: Any) -> str:
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith(REF_PREFIX):
            return str(schema["$ref"][len(REF_PREFIX):])
        return ""

    @_memoized
    def properties(self, schema: Any) -> tuple[dict[str, Any], list[str]]:
        """(properties, required) of an object schema, allOf parts merged."""
        s = self.resolve(schema)
        props: dict[str, Any] = dict(s.get("properties", {}) or {})
        required: list[str] = list(s.get("required", []) or [])
        for part in s.get("allOf", []) or []:
            p, r = self.properties(part)
            props.update(p)
            required.extend(x for x in r if x not in required)
        return props, required

    @_memoized
    def non_null(self, schema: Any) -> dict[str, Any]:
        """The schema without its null alternative (anyOf/oneOf [X, null], type [t, null])."""
        s = self.resolve(schema)
        for key in ("anyOf", "oneOf"):
            variants = s.get(key)
            if isinstance(variants, list):
                rest = [v for v in variants if self.resolve(v).get("type") != "null"]
                if len(rest) == 1:
                    return self.non_null(rest[0])
        t = s.get("type")
        if isinstance(t, list):
            rest_t = [x for x in t if x != "null"]
            if len(rest_t) == 1:
                return {**s, "type": rest_t[0]}
        return s

    @_memoized
    def nullable(self, schema: Any) -> bool:
        s = self.resolve(schema)
        t = s.get("type")
        if t == "null" or (isinstance(t, list) and "null" in t):
            return True
        for key in ("anyOf", "oneOf"):
            if any(self.resolve(v).get("type") == "null" for v in s.get(key, []) or []):
                return True
        return bool(s.get("nullable"))

    @_memoized
    def kind(self, schema: Any) -> str:
        """object | array | string | integer | number | boolean | any."""
        s = self.non_null(schema)
        t = s.get("type")
        if isinstance(t, str):
            return t
        if "properties" in s or "allOf" in s:
            return "object"
        if "items" in s:
            return "array"
        if "enum" in s and s["enum"]:
            first = s["enum"][0]
            return "string" if isinstance(first, str) else "integer" if isinstance(first, int) else "any"
        return "any"

    # -----------------------------------------------------------------------------------------
    # values
    # -----------------------------------------------------------------------------------------

    def to_json(self, value: Any, schema: Any = None) -> Any:
        """A database/Python value as the JSON the schema documents."""
        if value is None:
            return None
        kind = self.kind(schema) if schema is not None else "any"
        if isinstance(value, enum.Enum):
            value = value.value
        if isinstance(value, bool):
            return value
        if isinstance(value, decimal.Decimal):
            if value == value.to_integral_value() and kind in ("integer", "any"):
                return int(value)
            if kind == "string":
                return str(value)
            return float(value)
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)
            if kind == "string" and self.non_null(schema).get("format") == "date":
                return value.date().isoformat()
            return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        if isinstance(value, (dt.date, dt.time)):
            return value.isoformat()
        if isinstance(value, dt.timedelta):
            return value.total_seconds() if kind in ("number", "integer") else f"PT{int(value.total_seconds())}S"
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            return base64.b64encode(bytes(value)).decode("ascii")
        if isinstance(value, (list, tuple)):
            item = self.non_null(schema).get("items") if schema is not None else None
            return [self.to_json(v, item) for v in value]
        if isinstance(value, dict):
            props, _ = self.properties(schema) if schema is not None else ({}, [])
            return {str(k): self.to_json(v, props.get(str(k))) for k, v in value.items()}
        if kind == "integer" and isinstance(value, float) and value.is_integer():
            return int(value)
        if kind == "string" and isinstance(value, (int, float)):
            return str(value)
        if kind == "boolean" and isinstance(value, int):
            return bool(value)
        return value

    def fake(self, schema: Any, name: str = "", depth: int = 0) -> Any:
        """A value valid for the schema, deterministic: example, default, enum, then by type/format."""
        s = self.resolve(schema)
        for key in ("const",):
            if key in s:
                return s[key]
        if isinstance(s.get("examples"), list) and s["examples"]:
            return s["examples"][0]
        if "example" in s:
            return s["example"]
        if "default" in s:
            return s["default"]
        if isinstance(s.get("enum"), list) and s["enum"]:
            return s["enum"][0]
        for key in ("oneOf", "anyOf"):
            variants = [v for v in s.get(key, []) or [] if self.resolve(v).get("type") != "null"]
            if variants:
                return self.fake(variants[0], name, depth + 1)
        kind = self.kind(s)
        base = self.non_null(s)
        if kind == "object":
            if depth > 6:
                return {}
            props, required = self.properties(base)
            return {p: self.fake(props[p], p, depth + 1) for p in required if p in props}
        if kind == "array":
            if depth > 6:
                return []
            n = int(base.get("minItems", 0) or 0)
            return [self.fake(base.get("items", {}), name, depth + 1) for _ in range(n)]
        if kind == "integer":
            return int(_number_in_range(base, 1))
        if kind == "number":
            value = _number_in_range(base, 1)
            # a whole number where one fits (`durationMinutes: 1`, not 1.0): still a valid JSON number
            return int(value) if float(value).is_integer() and "multipleOf" not in base else float(value)
        if kind == "boolean":
            return False
        if kind == "string":
            return _fake_string(base, name)
        if s.get("type") == "null":
            return None
        return None


def _number_in_range(s: dict[str, Any], fallback: float) -> float:
    lo = s.get("minimum")
    if lo is None and s.get("exclusiveMinimum") is not None:
        lo = float(s["exclusiveMinimum"]) + 1
    hi = s.get("maximum")
    if hi is None and s.get("exclusiveMaximum") is not None:
        hi = float(s["exclusiveMaximum"]) - 1
    value = fallback
    if lo is not None and value < lo:
        value = lo
    if hi is not None and value > hi:
        value = hi
    return value


def _fake_string(s: dict[str, Any], name: str) -> str:
    fmt = s.get("format", "")
    by_format = {
        "uuid": PLACEHOLDER_UUID,
        "date-time": "2025-01-01T00:00:00Z",
        "date": "2025-01-01",
        "time": "00:00:00",
        "email": "user@example.com",
        "uri": "https://example.com/",
        "url": "https://example.com/",
        "ipv4": "192.0.2.1",
        "ipv6": "2001:db8::1",
        "hostname": "example.com",
    }
    if fmt in by_format:
        return by_format[fmt]
    hinted = _by_name(name)
    if hinted is not None and _fits(s, hinted):
        return hinted
    text = name or "string"
    lo = int(s.get("minLength", 0) or 0)
    hi = s.get("maxLength")
    if len(text) < lo:
        text = text + "x" * (lo - len(text))
    if hi is not None:
        text = text[: int(hi)]
    return text


# Docs often type ids and timestamps as plain `string` (TypeScript has no uuid or date type); the field's
# name says what it holds, so a generated value looks like what a real backend sends.
_ID_NAME = re.compile(r"(^id$|Id$|_id$|^uuid$|Uuid$)")
_TIMESTAMP_NAME = re.compile(r"(At$|_at$|^timestamp$|Timestamp$)")
_DATE_NAME = re.compile(r"(^date$|Date$|_date$|^dateOfBirth$)")
_TIME_NAME = re.compile(r"(^time$|Time$|_time$)")


def _by_name(name: str) -> str | None:
    if not name:
        return None
    if _ID_NAME.search(name):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "roundtrip:" + name))  # deterministic, and a real UUID
    if _TIMESTAMP_NAME.search(name):
        return "2025-01-01T09:00:00Z"
    if _DATE_NAME.search(name):
        return "2025-01-01"
    if _TIME_NAME.search(name):
        return "09:00"
    lower = name.lower()
    if "email" in lower:
        return "user@example.com"
    if lower.endswith(("url", "uri", "href", "link")):
        return "https://example.com/"
    if lower in ("timezone", "tz"):
        return "UTC"
    return None


def _fits(s: dict[str, Any], text: str) -> bool:
    """A name-based value only where the schema's own limits allow it (a pattern always wins)."""
    if s.get("pattern") or s.get("enum"):
        return False
    lo = int(s.get("minLength", 0) or 0)
    hi = s.get("maxLength")
    return len(text) >= lo and (hi is None or len(text) <= int(hi))
