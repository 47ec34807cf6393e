"""JSON examples as docs write them: strict JSON, JSONC, several values in one fence, and schema inference.

Over a quarter of real `json` fences fail `json.loads` (comments, trailing commas, `...` placeholders,
a request and a response in one fence separated by `// 201`). `parse_examples` reads those with a
small lenient parser instead of regex surgery, so strings are never corrupted; what still fails
(bare identifiers, `<placeholder>`, `} | null`) is reported by the caller and the example is dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from roundtrip.ir import Constraints, Field, Kind, TypeRef

_ELLIPSIS = object()  # `...` / `…` standing for "more of the same"


class LenientError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line  # 0-based line inside the parsed text


@dataclass(frozen=True)
class Segment:
    """One value in a fence, with the comment that labels it (`// request`, `// 201 — created`)."""

    label: str  # text of the nearest preceding comment ("" if none)
    value: Any
    has_value: bool  # False for a trailing comment with no value (`// 200 — same shape as login`)
    line: int  # 0-based line of the value (or of the comment when there is no value)


@dataclass
class ParseResult:
    segments: list[Segment] = field(default_factory=list)
    strict: bool = False  # plain json.loads accepted the whole text
    error: str = ""  # non-empty: not even lenient JSON; segments may hold what parsed before the error
    error_line: int = 0


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.last_comment = ""

    def line(self, pos: int | None = None) -> int:
        return self.s.count("\n", 0, self.i if pos is None else pos)

    def fail(self, msg: str) -> LenientError:
        return LenientError(msg, self.line())

    def skip(self) -> None:
        """Whitespace and comments; remembers the last comment so it can label the next value."""
        s = self.s
        while self.i < len(s):
            ch = s[self.i]
            if ch in " \t\r\n":
                self.i += 1
            elif s.startswith("//", self.i) or (ch == "#" and self._line_start()):
                end = s.find("\n", self.i)
                end = len(s) if end == -1 else end
                self.last_comment = s[self.i:end].lstrip("/#").strip()
                self.i = end
            elif s.startswith("/*", self.i):
                end = s.find("*/", self.i + 2)
                if end == -1:
                    raise self.fail("unclosed /* comment")
                self.last_comment = s[self.i + 2:end].strip(" *\n")
                self.i = end + 2
            else:
                return

    def _line_start(self) -> bool:
        j = self.s.rfind("\n", 0, self.i) + 1
        return self.s[j:self.i].strip() == ""

    def value(self) -> Any:
        self.skip()
        s = self.s
        if self.i >= len(s):
            raise self.fail("unexpected end of text")
        ch = s[self.i]
        if ch == "{":
            return self.obj()
        if ch == "[":
            return self.arr()
        if ch == '"':
            return self.string()
        if s.startswith("...", self.i):
            self.i += 3
            return _ELLIPSIS
        if ch == "…":
            self.i += 1
            return _ELLIPSIS
        m = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?").match(s, self.i)
        if m and m.group(0) not in ("", "-"):
            self.i = m.end()
            txt = m.group(0)
            return float(txt) if any(c in txt for c in ".eE") else int(txt)
        for word, val in (("true", True), ("false", False), ("null", None)):
            if s.startswith(word, self.i) and not (s[self.i + len(word):self.i + len(word) + 1].isalnum()):
                self.i += len(word)
                return val
        snippet = s[self.i:self.i + 20].split("\n")[0]
        raise self.fail(f"unexpected `{snippet}`")

    def string(self) -> str:
        m = re.compile(r'"(?:[^"\\\n]|\\.)*"').match(self.s, self.i)
        if not m:
            raise self.fail("unterminated string")
        self.i = m.end()
        try:
            return str(json.loads(m.group(0)))
        except json.JSONDecodeError as exc:
            raise self.fail(f"bad string escape: {exc.msg}") from None

    def obj(self) -> dict[str, Any]:
        self.i += 1
        out: dict[str, Any] = {}
        while True:
            self.skip()
            if self.i < len(self.s) and self.s[self.i] == "}":
                self.i += 1
                return out
            if self.s.startswith("...", self.i) or self.s.startswith("…", self.i):
                self.i += 3 if self.s.startswith("...", self.i) else 1
            else:
                if self.i >= len(self.s) or self.s[self.i] != '"':
                    raise self.fail("expected a quoted property name")
                key = self.string()
                self.skip()
                if self.i >= len(self.s) or self.s[self.i] != ":":
                    raise self.fail(f"expected `:` after \"{key}\"")
                self.i += 1
                val = self.value()
                out[key] = None if val is _ELLIPSIS else val
            self.skip()
            if self.i < len(self.s) and self.s[self.i] == ",":
                self.i += 1
                continue
            if self.i < len(self.s) and self.s[self.i] == "}":
                self.i += 1
                return out
            raise self.fail("expected `,` or `}`")

    def arr(self) -> list[Any]:
        self.i += 1
        out: list[Any] = []
        while True:
            self.skip()
            if self.i < len(self.s) and self.s[self.i] == "]":
                self.i += 1
                return out
            val = self.value()
            if val is not _ELLIPSIS:
                out.append(val)
            self.skip()
            if self.i < len(self.s) and self.s[self.i] == ",":
                self.i += 1
                continue
            if self.i < len(self.s) and self.s[self.i] == "]":
                self.i += 1
                return out
            raise self.fail("expected `,` or `]`")


def parse_examples(text: str) -> ParseResult:
    """Every value in a fence, in order, each with its labelling comment. Never raises."""
    try:
        value = json.loads(text)
        return ParseResult([Segment("", value, True, _first_content_line(text))], strict=True)
    except (json.JSONDecodeError, RecursionError, ValueError):
        pass
    p = _Parser(text)
    res = ParseResult()
    try:
        while True:
            p.last_comment = ""
            p.skip()
            label = p.last_comment
            if p.i >= len(p.s):
                if label:
                    res.segments.append(Segment(label, None, False, p.line(p.s.rfind(label) if label in p.s else p.i)))
                break
            start_line = p.line()
            val = p.value()
            if val is _ELLIPSIS:
                continue
            res.segments.append(Segment(label, val, True, start_line))
    except LenientError as err:
        res.error, res.error_line = str(err), err.line
    except RecursionError:
        res.error, res.error_line = "nesting too deep", 0
    return res


def parse_inline(text: str) -> Any:
    """A one-line example from a code span (`{ "email": "..." }`); raises ValueError if not JSON-ish."""
    res = parse_examples(text)
    if res.error or len(res.segments) != 1 or not res.segments[0].has_value:
        raise ValueError(res.error or "not a single JSON value")
    return res.segments[0].value


def _first_content_line(text: str) -> int:
    for i, ln in enumerate(text.split("\n")):
        if ln.strip():
            return i
    return 0


# ---------------------------------------------------------------- schema inference

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
# Type templates inside valid JSON: "string (email format)", "uuid | null", "buyer | owner (default: buyer)".
_TEMPLATE = re.compile(
    r"^(?P<base>string|number|integer|int|boolean|bool|uuid|datetime|date-time|timestamp|iso 8601(?: date| datetime| timestamp)?|iso date)"
    r"(?P<rest>\s*(?:\(.*\))?\s*(?:\|\s*null)?)$",
    re.I,
)
_ENUM_TEMPLATE = re.compile(r"^(?P<vals>[A-Za-z][\w-]*(?:\s*\|\s*[A-Za-z][\w-]*)+)\s*(?:\((?P<note>[^)]*)\))?$")
_TEMPLATE_KIND = {
    "string": Kind.STRING, "number": Kind.FLOAT, "integer": Kind.INTEGER, "int": Kind.INTEGER, "boolean": Kind.BOOLEAN,
    "bool": Kind.BOOLEAN, "uuid": Kind.UUID, "date": Kind.DATE, "datetime": Kind.DATETIME, "date-time": Kind.DATETIME,
    "timestamp": Kind.DATETIME, "iso 8601": Kind.DATETIME, "iso 8601 date": Kind.DATE, "iso 8601 datetime": Kind.DATETIME,
    "iso 8601 timestamp": Kind.DATETIME, "iso date": Kind.DATE,
}


def string_format(value: str) -> str | None:
    if _DATETIME.match(value):
        return "date-time"
    if _DATE.match(value):
        return "date"
    if _UUID.match(value):
        return "uuid"
    if _EMAIL.match(value):
        return "email"
    return None


def template_type(value: str) -> tuple[TypeRef, bool | None] | None:
    """A string value that is a type description, not data → (type, required-or-None)."""
    v = value.strip()
    m = _TEMPLATE.match(v)
    if m:
        base = m.group("base").lower()
        rest = m.group("rest").lower()
        t = TypeRef(_TEMPLATE_KIND.get(base, Kind.STRING), nullable="null" in rest, source=v)
        required = False if "optional" in rest else True if "required" in rest else None
        return t, required
    m = _ENUM_TEMPLATE.match(v)
    if m:
        vals = tuple(x.strip() for x in m.group("vals").split("|"))
        nullable = "null" in vals
        vals = tuple(x for x in vals if x != "null")
        if len(vals) >= 2 or (nullable and vals):
            note = (m.group("note") or "").lower()
            required = False if "optional" in note else None
            if len(vals) == 1:
                inner = template_type(vals[0])
                base_t = inner[0] if inner else TypeRef(Kind.STRING)
                return base_t.with_nullable(True), required
            return TypeRef(Kind.ENUM, values=vals, nullable=nullable, source=v), required
    return None


_MAX_DEPTH = 48  # deeper examples are described as ANY rather than recursed into


def infer_type(value: Any, _depth: int = 0) -> TypeRef:
    """Type of one example value; deterministic (dict order is document order)."""
    if _depth > _MAX_DEPTH:
        return TypeRef(Kind.ANY)
    if value is None:
        return TypeRef(Kind.ANY, nullable=True)
    if isinstance(value, bool):
        return TypeRef(Kind.BOOLEAN)
    if isinstance(value, int):
        return TypeRef(Kind.INTEGER)
    if isinstance(value, float):
        return TypeRef(Kind.FLOAT)
    if isinstance(value, str):
        tmpl = template_type(value)
        if tmpl is not None:
            return tmpl[0]
        return TypeRef(Kind.STRING)
    if isinstance(value, list):
        items: TypeRef | None = None
        for v in value:
            t = infer_type(v, _depth + 1)
            items = t if items is None else merge_types(items, t)
        return TypeRef(Kind.ARRAY, items=items or TypeRef(Kind.ANY))
    if isinstance(value, dict):
        return TypeRef(Kind.OBJECT, fields=tuple(_field(k, v, _depth + 1) for k, v in value.items()))
    return TypeRef(Kind.ANY)


def _field(name: str, value: Any, depth: int = 0) -> Field:
    t = infer_type(value, depth)
    required = True
    constraints = Constraints()
    if isinstance(value, str):
        tmpl = template_type(value)
        if tmpl is not None and tmpl[1] is not None:
            required = tmpl[1]
        elif tmpl is None:
            fmt = string_format(value)
            if fmt:
                constraints = Constraints(format=fmt)
        if tmpl is not None and "email" in value.lower():
            constraints = Constraints(format="email")
    return Field(name=name, type=t, required=required, constraints=constraints, example=value)


def merge_types(a: TypeRef, b: TypeRef, _depth: int = 0) -> TypeRef:
    """Join two observed types: null widens to nullable, int+float → float, objects merge their fields."""
    if _depth > _MAX_DEPTH:
        return TypeRef(Kind.ANY)
    if a.kind is Kind.ANY and a.nullable and b.kind is not Kind.ANY:
        return b.with_nullable(True)
    if b.kind is Kind.ANY and b.nullable and a.kind is not Kind.ANY:
        return a.with_nullable(True)
    nullable = a.nullable or b.nullable
    if a.kind is b.kind:
        if a.kind is Kind.OBJECT:
            return TypeRef(Kind.OBJECT, fields=_merge_fields(a.fields, b.fields, _depth + 1), nullable=nullable)
        if a.kind is Kind.ARRAY:
            ia, ib = a.items or TypeRef(Kind.ANY), b.items or TypeRef(Kind.ANY)
            if not a.items or (ia.kind is Kind.ANY and not ia.nullable):
                return TypeRef(Kind.ARRAY, items=ib, nullable=nullable)
            if not b.items or (ib.kind is Kind.ANY and not ib.nullable):
                return TypeRef(Kind.ARRAY, items=ia, nullable=nullable)
            return TypeRef(Kind.ARRAY, items=merge_types(ia, ib, _depth + 1), nullable=nullable)
        return a.with_nullable(nullable)
    if {a.kind, b.kind} == {Kind.INTEGER, Kind.FLOAT}:
        return TypeRef(Kind.FLOAT, nullable=nullable)
    return TypeRef(Kind.ANY, nullable=nullable)


def _merge_fields(a: tuple[Any, ...], b: tuple[Any, ...], depth: int) -> tuple[Field, ...]:
    bmap = {f.name: f for f in b}
    amap = {f.name: f for f in a}
    out: list[Field] = []
    for f in a:
        g = bmap.get(f.name)
        if g is None:
            out.append(replace(f, required=False))
        else:
            fmt = f.constraints if f.constraints == g.constraints else Constraints()
            out.append(replace(f, type=merge_types(f.type, g.type, depth), required=f.required and g.required, constraints=fmt))
    for g in b:
        if g.name not in amap:
            out.append(replace(g, required=False))
    return tuple(out)


def object_example(value: Any) -> bool:
    return isinstance(value, (dict, list))
