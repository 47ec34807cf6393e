"""JSON examples as docs write them: strict JSON, JSONC, several values in one fence, and schema inference.

Over a quarter of real `json` fences fail `json.loads` (comments, trailing commas, `...` placeholders,
a request and a response in one fence separated by `// 201`). `parse_examples` reads those with a
small lenient parser instead of regex surgery, so strings are never corrupted; what still fails
(bare identifiers, `<placeholder>`, `} | null`) is reported by the caller and the example is dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# Inference lives in the IR so the canonical-docs emitter uses the same rules; re-exported for readers.
from roundtrip.ir.infer import infer_type, merge_types, string_format, template_type  # noqa: F401

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

def object_example(value: Any) -> bool:
    return isinstance(value, (dict, list))
