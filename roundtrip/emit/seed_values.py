"""Sample values as the canonical JSON the seed file holds, per column type.

    convert("2024-03-01 16:44:09", TypeRef(Kind.DATETIME, timezone=True))   # '2024-03-01T16:44:09+00:00'

Shared by the docs' sample rows (emit.seed) and the rows taken from response examples
(emit.seed_examples): a value the column cannot hold raises BadValue with the reason.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import uuid
from typing import Any

from roundtrip.ir import Kind, TypeRef


class BadValue(ValueError):
    """A sample value the column cannot hold."""


def column_kind(t: TypeRef) -> str:
    """The conversion family the loader applies to a JSON value of this column."""
    k = t.kind
    if k is Kind.ARRAY:
        return "array:" + column_kind(t.items or TypeRef(Kind.STRING))
    if k is Kind.DATETIME:
        return "datetime-tz" if t.timezone else "datetime"
    if k in (Kind.OBJECT, Kind.MAP, Kind.REF, Kind.UNION, Kind.ANY):
        return "json"
    if k in (Kind.LITERAL, Kind.INET):
        return "string"
    return k.value


def _parse_datetime(text: str) -> dt.datetime:
    s = text.strip().replace(" ", "T", 1)
    s = re.sub(r"Z$", "+00:00", s)
    s = re.sub(r"([+-]\d{2})$", r"\1:00", s)  # PostgreSQL's short offset: +00
    try:
        return dt.datetime.fromisoformat(s)
    except ValueError as exc:
        raise BadValue(f"{text!r} is not a timestamp") from exc


def convert(value: Any, t: TypeRef) -> Any:
    """A sample value as the canonical JSON value for a column of type `t` (raises BadValue)."""
    if value is None:
        return None
    k = t.kind
    if k is Kind.UUID:
        try:
            return str(uuid.UUID(str(value)))
        except ValueError as exc:
            raise BadValue(f"{value!r} is not a UUID") from exc
    if k is Kind.INTEGER:
        if isinstance(value, bool) or not re.fullmatch(r"[-+]?\d+", str(value).strip()):
            raise BadValue(f"{value!r} is not an integer")
        return int(str(value).strip())
    if k is Kind.FLOAT:
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise BadValue(f"{value!r} is not a number") from exc
    if k is Kind.DECIMAL:
        try:
            d = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation as exc:
            raise BadValue(f"{value!r} is not a decimal number") from exc
        if t.precision is not None and t.scale is not None and d == d.quantize(decimal.Decimal(1).scaleb(-t.scale)):
            d = d.quantize(decimal.Decimal(1).scaleb(-t.scale))
        return str(d)
    if k is Kind.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "t", "yes", "y", "on"):
            return True
        if text in ("0", "false", "f", "no", "n", "off"):
            return False
        raise BadValue(f"{value!r} is not a boolean")
    if k is Kind.DATETIME:
        parsed = _parse_datetime(str(value))
        if t.timezone and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)  # the docs' naive timestamps are UTC
        if not t.timezone and parsed.tzinfo is not None:
            parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
        return parsed.isoformat()
    if k is Kind.DATE:
        try:
            return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError as exc:
            raise BadValue(f"{value!r} is not a date") from exc
    if k is Kind.TIME:
        try:
            return dt.time.fromisoformat(str(value).strip()).isoformat()
        except ValueError as exc:
            raise BadValue(f"{value!r} is not a time of day") from exc
    if k is Kind.ARRAY:
        items = value
        if isinstance(value, str):
            items = _parse_array_text(value)
        if not isinstance(items, list):
            raise BadValue(f"{value!r} is not an array")
        return [convert(v, t.items or TypeRef(Kind.STRING)) for v in items]
    if k in (Kind.JSON, Kind.OBJECT, Kind.MAP, Kind.REF, Kind.UNION, Kind.ANY):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value  # a JSON string scalar
        return value
    if k is Kind.ENUM and t.values and str(value) not in t.values:
        raise BadValue(f"{value!r} is not one of {', '.join(t.values)}")
    if k is Kind.STRING and t.length is not None and len(str(value)) > t.length:
        raise BadValue(f"{str(value)[:40]!r} is {len(str(value))} characters; the column holds {t.length}")
    if isinstance(value, bool | int | float | str):
        return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    return json.dumps(value, sort_keys=True)


def _parse_array_text(text: str) -> Any:
    s = text.strip()
    if s.startswith("["):
        try:
            return json.loads(s)
        except ValueError as exc:
            raise BadValue(f"{text!r} is not a JSON array") from exc
    if s.startswith("{") and s.endswith("}"):  # PostgreSQL array literal: {a,b,"c d"}
        inner = s[1:-1].strip()
        if not inner:
            return []
        return [p.strip().strip('"') for p in re.findall(r'"(?:[^"\\]|\\.)*"|[^,]+', inner)]
    raise BadValue(f"{text!r} is not an array")
