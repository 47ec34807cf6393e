"""A tiny expression tree for the SQLAlchemy constructs we generate.

One `Code` value describes a construct once (`sa.String(255)`, `rt.TZDateTime()`,
`sa.JSON().with_variant(postgresql.JSONB(), "postgresql")`) and has two printers: `render()` writes
it into generated Python source, `build()` creates the live SQLAlchemy object the migration is
rendered from. The models file and the migration therefore cannot disagree about a type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from roundtrip.emit import sa_runtime_types as rt

# The module aliases generated code uses, and what they stand for when we build live objects.
NAMESPACE: dict[str, Any] = {"sa": sa, "postgresql": postgresql, "rt": rt}


@dataclass(frozen=True)
class Code:
    """`func(*args, **kwargs)` followed by method calls in `chain`; or a bare dotted `ref`."""

    func: str = ""
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    chain: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    ref: str = ""
    call: bool = True  # False: `func` is referenced, not called (a callable passed as a default)

    def with_variant(self, other: Code, dialect: str) -> Code:
        return Code(self.func, self.args, self.kwargs, self.chain + (("with_variant", (other, dialect)),), self.ref, self.call)


def call(func: str, *args: Any, **kwargs: Any) -> Code:
    return Code(func, tuple(args), tuple(kwargs.items()))


def ref(name: str) -> Code:
    return Code(ref=name)


def _lit(value: Any) -> str:
    if isinstance(value, Code):
        return render(value)
    if isinstance(value, str):
        return _pystr(value)
    if isinstance(value, tuple | list):
        inner = ", ".join(_lit(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _pystr(s: str) -> str:
    """A double-quoted Python string literal (JSON string syntax is valid Python)."""
    return json.dumps(s, ensure_ascii=False)


def pystr(s: str) -> str:
    return _pystr(s)


def render(code: Code) -> str:
    if code.ref:
        return code.ref
    if not code.call:
        return code.func
    parts = [_lit(a) for a in code.args] + [f"{k}={_lit(v)}" for k, v in code.kwargs]
    out = f"{code.func}({', '.join(parts)})"
    for method, margs in code.chain:
        out += f".{method}({', '.join(_lit(a) for a in margs)})"
    return out


def _resolve(dotted: str, namespace: dict[str, Any]) -> Any:
    head, *rest = dotted.split(".")
    obj = namespace[head]
    for part in rest:
        obj = getattr(obj, part)
    return obj


def build(code: Code, namespace: dict[str, Any] | None = None) -> Any:
    ns = NAMESPACE if namespace is None else namespace

    def value(v: Any) -> Any:
        if isinstance(v, Code):
            return build(v, ns)
        if isinstance(v, tuple):
            return tuple(value(x) for x in v)
        if isinstance(v, list):
            return [value(x) for x in v]
        if isinstance(v, dict):
            return {k: value(x) for k, x in v.items()}
        return v

    if code.ref:
        return _resolve(code.ref, ns)
    target = _resolve(code.func, ns)
    if not code.call:
        return target
    obj = target(*[value(a) for a in code.args], **{k: value(v) for k, v in code.kwargs})
    for method, margs in code.chain:
        obj = getattr(obj, method)(*[value(a) for a in margs])
    return obj
