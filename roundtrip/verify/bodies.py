"""Request data built from the docs: valid bodies, one-constraint-broken variants, path values.

A valid body prefers the docs' own example request (when it validates), else values derived from
the schema: an enum's first value, a documented default or example, strings sized to the length
limits, numbers inside the range, ids that exist (taken from the docs' sample rows). Strings are
made unique per request where the limits allow, so two runs of the same check do not collide on
a unique column unless the check wants them to.
"""

from __future__ import annotations

import copy
import random
import uuid
from dataclasses import dataclass
from typing import Any

from roundtrip.ir import Endpoint, Spec
from roundtrip.ir.naming import plural, snake
from roundtrip.verify.schemas import normalize

MISSING_UUID = "7f1c0d3e-5a2b-4c6d-8e9f-00000000beef"


@dataclass
class Invalid:
    field: list[str]  # property path in the body, or ["<query>", name]
    body: Any
    why: str  # "maxLength 80" ...


class Builder:
    def __init__(self, spec: Spec, doc: dict[str, Any]) -> None:
        self.spec = spec
        self.doc = doc
        self.n = 0
        self._samples: dict[str, list[dict[str, Any]]] = {}
        for row in spec.samples:
            self._samples.setdefault(row.table, []).append(row.as_dict())

    # ------------------------------------------------------------------ schemas
    def request_schema(self, ep: Endpoint) -> dict[str, Any]:
        op = self.doc.get("paths", {}).get(ep.path, {}).get(ep.method.lower()) or {}
        content = (op.get("requestBody") or {}).get("content") or {}
        for ct, media in content.items():
            if "json" in ct and isinstance(media, dict):
                return normalize(media.get("schema") or {}, self.doc)
        return {}

    def parameters(self, ep: Endpoint) -> list[dict[str, Any]]:
        op = self.doc.get("paths", {}).get(ep.path, {}).get(ep.method.lower()) or {}
        return [p for p in op.get("parameters") or [] if isinstance(p, dict)]

    # ------------------------------------------------------------------ values
    def fresh(self) -> int:
        self.n += 1
        return self.n

    def value(self, schema: dict[str, Any], name: str = "", depth: int = 0, unique: bool = True) -> Any:
        if depth > 8:
            return None
        if "enum" in schema and schema["enum"]:
            return copy.deepcopy(schema["enum"][0])
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        if "default" in schema and schema["default"] is not None:
            return copy.deepcopy(schema["default"])
        for key in ("oneOf", "anyOf"):
            variants = [v for v in schema.get(key) or [] if isinstance(v, dict) and v.get("type") != "null"]
            if variants:  # a union: a value of its first branch (the rest of the schema still applies)
                rest = {k: v for k, v in schema.items() if k != key}
                return self.value({**rest, **variants[0]}, name, depth + 1, unique)
        parts = [v for v in schema.get("allOf") or [] if isinstance(v, dict)]
        if parts:  # an intersection: one object with every part's properties and required names
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for part in parts:
                merged["properties"] = {**(merged.get("properties") or {}), **(part.get("properties") or {})}
                merged["required"] = sorted({*(merged.get("required") or []), *(part.get("required") or [])})
                merged.update({k: v for k, v in part.items() if k not in ("properties", "required")})
            return self.value(merged, name, depth + 1, unique)
        t = schema.get("type")
        t = t[0] if isinstance(t, list) and t else t
        if t == "object" or "properties" in schema:
            props = schema.get("properties") or {}
            required = set(schema.get("required") or [])
            return {k: self.value(v, k, depth + 1, unique) for k, v in props.items()
                    if k in required and not (isinstance(v, dict) and v.get("readOnly"))}
        if t == "array":
            count = max(1, int(schema.get("minItems") or 0)) if schema.get("minItems") != 0 else 1
            return [self.value(schema.get("items") or {}, name, depth + 1, unique) for _ in range(count)]
        if t == "integer":
            return int(_number(schema, 1))
        if t == "number":
            return _number(schema, 1)
        if t == "boolean":
            return True
        if t == "string" or not t:
            return self.string(schema, name, unique)
        return None

    def string(self, schema: dict[str, Any], name: str, unique: bool = True) -> str:
        fmt = schema.get("format", "")
        examples = schema.get("examples")
        if fmt == "uuid" or name.endswith(("Id", "_id")) and fmt in ("", "uuid"):
            return self.existing_id(name) or str(uuid.UUID(int=0x5EED_0000_0000_4000_8000_0000_0000_0000 + self.fresh()))
        if fmt == "email":
            return f"verify{self.fresh()}@example.com"
        if fmt == "date-time":
            return "2025-03-12T08:00:00Z"
        if fmt == "date":
            return "2025-03-12"
        low, high = int(schema.get("minLength") or 0), schema.get("maxLength")
        if schema.get("pattern"):
            from roundtrip.db.fake import from_regex

            for _ in range(5):
                text = from_regex(str(schema["pattern"]), random.Random(self.fresh()))
                if len(text) >= low and (high is None or len(text) <= int(high)):
                    return text
        base = str(examples[0]) if isinstance(examples, list) and examples and isinstance(examples[0], str) else ("Verify " + (name or "value"))
        if "password" in name.lower():
            base = "Verify2025pw"
        if unique:
            base = f"{base} {self.fresh()}" if "password" not in name.lower() else base
        if len(base) < low:
            base = base + "x" * (low - len(base))
        if high is not None and len(base) > int(high):
            base = base[-int(high):] if unique else base[: int(high)]
            base = base.strip() or "x" * max(1, low)
            if len(base) < low:
                base = base + "x" * (low - len(base))
        return base

    def existing_id(self, name: str) -> str | None:
        """An id of a sample row the field refers to (`ingredientId` → a row of `ingredients`)."""
        stem = snake(name)
        for suffix in ("_id", "id"):
            if stem.endswith(suffix) and len(stem) > len(suffix):
                stem = stem[: -len(suffix)].rstrip("_")
                break
        for table in (plural(stem), stem, stem + "s"):
            rows = self._samples.get(table)
            if rows:
                value = rows[self.fresh() % len(rows)].get("id")
                if value is not None:
                    return str(value)
        return None

    def candidates(self, ep: Endpoint, param: str) -> list[str]:
        """Values for a path parameter: ids of the sample rows of the table the endpoint's path names."""
        segs = ep.path.strip("/").split("/")
        token = "{" + param + "}"
        table = ""
        if token in segs:
            i = segs.index(token)
            if i > 0:
                table = snake(segs[i - 1])
        stem = snake(param)[:-3] if snake(param).endswith("_id") else snake(param)
        out: list[str] = []
        for name in (table, plural(stem), stem):
            for row in self._samples.get(name, []):
                for key in ("id", snake(param)):
                    if row.get(key) is not None and str(row[key]) not in out:
                        out.append(str(row[key]))
                        break
            if out:
                break
        return out

    def missing_value(self, schema: dict[str, Any]) -> str:
        t = schema.get("type")
        if t == "integer":
            return "987654321"
        if schema.get("format") == "uuid" or not t or t == "string":
            return MISSING_UUID if schema.get("format") == "uuid" or not schema.get("pattern") else "verify-missing"
        return MISSING_UUID

    # ------------------------------------------------------------------ invalid variants
    def invalid_variants(self, schema: dict[str, Any], valid: Any, limit: int = 12) -> list[Invalid]:
        """One variant per top-level field that breaks exactly one documented constraint."""
        out: list[Invalid] = []
        props = schema.get("properties") or {}
        if not isinstance(valid, dict):
            return out
        required = list(schema.get("required") or [])
        for name, sub in props.items():
            if not isinstance(sub, dict) or sub.get("readOnly"):
                continue
            bad = broken_value(sub)
            if bad is None:
                continue
            value, why = bad
            body = copy.deepcopy(valid)
            body[name] = value
            out.append(Invalid([name], body, why))
            if len(out) >= limit:
                break
        if required and len(out) < limit:
            body = copy.deepcopy(valid)
            body.pop(required[0], None)
            out.append(Invalid([required[0]], body, "required"))
        return out


def broken_value(s: dict[str, Any]) -> tuple[Any, str] | None:
    """A value that breaks one constraint of `s` (and only that one, as far as possible)."""
    t = s.get("type")
    if isinstance(s.get("enum"), list) and s["enum"] and all(isinstance(v, str) for v in s["enum"]):
        return "not-a-documented-value", f"one of {', '.join(s['enum'])}"
    if t == "string":
        if s.get("maxLength") is not None:
            n = int(s["maxLength"]) + 1
            return ("v" * n if s.get("format") != "email" else "v" * (n - 12) + "@example.com"), f"maxLength {s['maxLength']}"
        if s.get("minLength"):
            return "v" * (int(s["minLength"]) - 1), f"minLength {s['minLength']}"
        if s.get("format") == "uuid":
            return "not-a-uuid", "format uuid"
        if s.get("format") == "email":
            return "not-an-email", "format email"
        return None
    if t in ("integer", "number"):
        if s.get("maximum") is not None:
            return _bump(s["maximum"], 1, t), f"maximum {s['maximum']}"
        if s.get("exclusiveMaximum") is not None:
            return s["exclusiveMaximum"], f"exclusiveMaximum {s['exclusiveMaximum']}"
        if s.get("minimum") is not None:
            return _bump(s["minimum"], -1, t), f"minimum {s['minimum']}"
        if s.get("exclusiveMinimum") is not None:
            return s["exclusiveMinimum"], f"exclusiveMinimum {s['exclusiveMinimum']}"
        return "not-a-number", f"type {t}"
    if t == "array":
        if s.get("maxItems") is not None:
            return None  # building maxItems+1 distinct valid items is rarely possible from the docs alone
        if s.get("minItems"):
            return [], f"minItems {s['minItems']}"
    return None


def _bump(v: Any, direction: int, t: Any) -> Any:
    if t == "integer":
        return int(v) + direction
    return float(v) + direction


def _number(s: dict[str, Any], fallback: float) -> float:
    low = s.get("minimum", s.get("exclusiveMinimum"))
    high = s.get("maximum", s.get("exclusiveMaximum"))
    examples = s.get("examples")
    if isinstance(examples, list) and examples and isinstance(examples[0], int | float):
        v = float(examples[0])
        if (low is None or v >= low) and (high is None or v <= high):
            return v
    if low is not None and high is not None:
        v = float(low) + max(1.0, (float(high) - float(low)) // 2) if high - low >= 2 else float(high)
    elif low is not None:
        v = float(low) + 1
    elif high is not None:
        v = min(float(high), fallback)
    else:
        v = fallback
    return v
