"""IR → plain JSON-able data (for `roundtrip ir`, goldens and diffs). Deterministic."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from roundtrip.source import Span


def to_data(obj: Any) -> Any:
    """Dataclasses become dicts without empty/default noise; spans become "file:line"."""
    if isinstance(obj, Span):
        return f"{obj.file}:{obj.line}"
    if isinstance(obj, enum.Enum):
        return obj.value
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if f.name == "source" and f.compare is False:
                continue
            default = f.default if f.default is not dataclasses.MISSING else (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else dataclasses.MISSING  # type: ignore[misc]
            )
            if default is not dataclasses.MISSING and value == default and f.name != "span":
                continue
            if f.name == "span" and isinstance(value, Span) and value.line == 0:
                continue
            out[f.name] = to_data(value)
        return out
    if isinstance(obj, (list, tuple)):
        return [to_data(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, float) and obj.is_integer():
        return obj
    return obj
