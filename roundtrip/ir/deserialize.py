"""Plain JSON data (as `serialize.to_data` writes it) → IR objects again.

    spec = from_data(Spec, json.loads(text))

The inverse of `to_data` for everything it writes: dataclasses (fields it left out because they
held their default get the default again), enums by value, spans from "file:line", tuples, unions
with None. `generate` uses it to read back the data model it last generated migrations from.
Values typed `Any` (a default's literal, an object type's fields) come back as the JSON gave them.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from typing import Any

from roundtrip.source import Span


class DecodeError(ValueError):
    """The data does not fit the type: `path` says where (`tables[2].columns[0].type.kind`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or '(root)'}: {message}")
        self.path = path


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_data(tp: Any, data: Any, path: str = "") -> Any:
    """Decode `data` as type `tp` (a dataclass, an enum, a tuple/union/primitive annotation)."""
    if tp is Any or tp is object:
        return data
    if tp is Span:
        return _span(data, path)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return _union(typing.get_args(tp), data, path)
    if origin is tuple:
        return _tuple(typing.get_args(tp), data, path)
    if origin is dict:
        if not isinstance(data, dict):
            raise DecodeError(path, f"expected an object, found {type(data).__name__}")
        _, value_tp = typing.get_args(tp) or (str, Any)
        return {k: from_data(value_tp, v, f"{path}.{k}") for k, v in data.items()}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(data)
        except ValueError:
            raise DecodeError(path, f"{data!r} is not a {tp.__name__}") from None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass(tp, data, path)
    if tp in (str, int, float, bool):
        if tp is float and isinstance(data, int) and not isinstance(data, bool):
            return float(data)
        if not isinstance(data, tp) or (tp is int and isinstance(data, bool)):
            raise DecodeError(path, f"expected {tp.__name__}, found {type(data).__name__}")
        return data
    if tp is type(None):
        if data is not None:
            raise DecodeError(path, "expected null")
        return None
    return data


def _span(data: Any, path: str) -> Span:
    if not isinstance(data, str) or ":" not in data:
        raise DecodeError(path, f'expected a span "file:line", found {data!r}')
    file, _, line = data.rpartition(":")
    if not line.isdigit():
        raise DecodeError(path, f'expected a span "file:line", found {data!r}')
    return Span(file, int(line))


def _union(options: tuple[Any, ...], data: Any, path: str) -> Any:
    if data is None and type(None) in options:
        return None
    rest = [o for o in options if o is not type(None)]
    if len(rest) == 1:
        return from_data(rest[0], data, path)
    for option in rest:  # str | int | float | bool: the JSON value already has the right type
        try:
            return from_data(option, data, path)
        except DecodeError:
            continue
    raise DecodeError(
        path, f"{data!r} fits none of {', '.join(getattr(o, '__name__', str(o)) for o in rest)}"
    )


def _tuple(args: tuple[Any, ...], data: Any, path: str) -> tuple[Any, ...]:
    if not isinstance(data, list):
        raise DecodeError(path, f"expected a list, found {type(data).__name__}")
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(from_data(args[0], item, f"{path}[{i}]") for i, item in enumerate(data))
    if args and len(args) != len(data):
        raise DecodeError(path, f"expected {len(args)} items, found {len(data)}")
    return (
        tuple(from_data(a, item, f"{path}[{i}]") for i, (a, item) in enumerate(zip(args, data, strict=False)))
        if args
        else tuple(data)
    )


def _dataclass(cls: type, data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise DecodeError(path, f"expected an object for {cls.__name__}, found {type(data).__name__}")
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise DecodeError(path, f"unknown field(s) {', '.join(unknown)} for {cls.__name__}")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        kwargs[name] = from_data(hints[name], value, f"{path}.{name}" if path else name)
    missing = [
        n
        for n, f in fields.items()
        if n not in kwargs and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise DecodeError(path, f"missing field(s) {', '.join(missing)} for {cls.__name__}")
    return cls(**kwargs)
