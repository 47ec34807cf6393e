"""Structural differences between two IR values, as readable paths (`endpoints[3].responses[0].status: 200 != 201`).

Dataclass fields that do not take part in equality (spans, `source`) are skipped, so the paths
name exactly why two values compare unequal. Used by the round-trip tests and for debugging.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any


def _label(obj: Any) -> str:
    for attr in ("name", "key", "status", "table"):
        v = getattr(obj, attr, None)
        if isinstance(v, (str, int)) and not isinstance(v, bool):
            return f"<{v}>"
    return ""


def tree_differences(a: Any, b: Any, path: str = "", limit: int = 50) -> list[str]:
    out: list[str] = []
    _walk(a, b, path or "$", out, limit)
    return out


def _short(v: Any) -> str:
    s = repr(v.value if isinstance(v, enum.Enum) else v)
    return s if len(s) <= 160 else s[:157] + "..."


def _walk(a: Any, b: Any, path: str, out: list[str], limit: int) -> None:
    if len(out) >= limit or a == b:
        return
    if dataclasses.is_dataclass(a) and not isinstance(a, type) and type(a) is type(b):
        for f in dataclasses.fields(a):
            if not f.compare:
                continue
            _walk(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}", out, limit)
        return
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        if len(a) != len(b):
            out.append(f"{path}: length {len(a)} != {len(b)}; only in first: "
                       f"{[_label(x) or _short(x) for x in a if x not in b][:8]}; only in second: "
                       f"{[_label(x) or _short(x) for x in b if x not in a][:8]}")
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _walk(x, y, f"{path}[{i}]{_label(x)}", out, limit)
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(dict.fromkeys([*a.keys(), *b.keys()])):
            if k not in a or k not in b:
                out.append(f"{path}[{k!r}]: only in {'second' if k not in a else 'first'}")
                continue
            _walk(a[k], b[k], f"{path}[{k!r}]", out, limit)
        return
    out.append(f"{path}: {_short(a)} != {_short(b)}")
