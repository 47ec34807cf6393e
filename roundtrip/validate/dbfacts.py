"""What a column accepts, gathered from its type AND its CHECK constraints.

`VARCHAR(20) CHECK (role IN ('a','b'))` is how most docs write an enum; `TEXT CHECK
(char_length(body) BETWEEN 1 AND 5000)` is a length limit; `CHECK (key ~ '^[A-Z]{2,6}$')` is a
pattern (and, when the pattern is one character class with a {m,n} count, a length limit too).
Regexes here read one CHECK expression, never a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from roundtrip.ir import Column, Kind, Table

_IN = re.compile(r"^\s*\(*\s*\"?(?P<col>\w+)\"?(?:::\w+)?\s*\)*\s+IN\s*\((?P<vals>[^)]*)\)", re.I)
_ANY = re.compile(r"\"?(?P<col>\w+)\"?(?:::\w+)?\s*=\s*ANY\s*\(\s*(?:ARRAY\s*)?\[(?P<vals>[^\]]*)\]", re.I)
_LEN_CMP = re.compile(r"(?:char_length|length|character_length|octet_length)\s*\(\s*\"?(?P<col>\w+)\"?(?:::\w+)?\s*\)\s*(?P<op><=|<|>=|>|=)\s*(?P<n>\d+)", re.I)
_LEN_BETWEEN = re.compile(r"(?:char_length|length|character_length)\s*\(\s*\"?(?P<col>\w+)\"?(?:::\w+)?\s*\)\s+BETWEEN\s+(?P<lo>\d+)\s+AND\s+(?P<hi>\d+)", re.I)
_NUM_BETWEEN = re.compile(r"(?<![\w(])\"?(?P<col>\w+)\"?\s+BETWEEN\s+(?P<lo>-?[\d.]+)\s+AND\s+(?P<hi>-?[\d.]+)", re.I)
_NUM_CMP = re.compile(r"(?<![\w(])\"?(?P<col>\w+)\"?\s*(?P<op><=|<|>=|>)\s*(?P<n>-?[\d.]+)(?!\s*\w)", re.I)
_REGEX = re.compile(r"\"?(?P<col>\w+)\"?\s*(?:~\*?|REGEXP|RLIKE|SIMILAR TO)\s*'(?P<re>(?:[^']|'')*)'", re.I)
_SINGLE_CLASS_COUNT = re.compile(r"^\^?(\[[^\]]+\]|\\d|\\w|\.)\{(\d+)(?:,(\d+))?\}\$?$")


@dataclass(frozen=True)
class Accepts:
    values: tuple[str, ...] = ()
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    length_from: str = ""  # "type" or "check": words the message uses


def _quoted(vals: str) -> tuple[str, ...]:
    return tuple(v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", vals))


def regex_length(pattern: str) -> tuple[int | None, int | None]:
    """`^[A-Z]{2,6}$` → (2, 6); anything more complex → (None, None)."""
    m = _SINGLE_CLASS_COUNT.match(pattern.strip())
    if not m:
        return None, None
    lo = int(m.group(2))
    hi = int(m.group(3)) if m.group(3) else lo
    return lo, hi


def column_accepts(table: Table, col: Column) -> Accepts:
    name = col.name
    values: tuple[str, ...] = tuple(col.type.values) if col.type.kind is Kind.ENUM else ()
    max_len: int | None = col.type.length if col.type.kind is Kind.STRING else None
    length_from = "type" if max_len is not None else ""
    min_len: int | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    for chk in table.checks:
        expr = chk.expression
        if chk.columns and name not in chk.columns:
            continue
        for rx in (_IN, _ANY):
            for m in rx.finditer(expr):
                if m.group("col") == name and not values:
                    values = _quoted(m.group("vals"))
        for m in _LEN_CMP.finditer(expr):
            if m.group("col") != name:
                continue
            n, op = int(m.group("n")), m.group("op")
            if op in ("<=", "<", "="):
                limit = n if op != "<" else n - 1
                if max_len is None or limit < max_len:
                    max_len, length_from = limit, "check"
            if op in (">=", ">", "="):
                min_len = n if op != ">" else n + 1
        for m in _LEN_BETWEEN.finditer(expr):
            if m.group("col") == name:
                lo, hi = int(m.group("lo")), int(m.group("hi"))
                min_len = lo
                if max_len is None or hi < max_len:
                    max_len, length_from = hi, "check"
        for m in _REGEX.finditer(expr):
            if m.group("col") == name:
                pattern = m.group("re").replace("''", "'")
                rlo, rhi = regex_length(pattern)
                if rhi is not None and (max_len is None or rhi < max_len):
                    max_len, length_from = rhi, "check"
                if rlo is not None:
                    min_len = max(min_len or 0, rlo)
        if col.type.kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
            for m in _NUM_BETWEEN.finditer(expr):
                if m.group("col") == name:
                    minimum, maximum = float(m.group("lo")), float(m.group("hi"))
            for m in _NUM_CMP.finditer(expr):
                if m.group("col") != name:
                    continue
                try:
                    bound = float(m.group("n"))
                except ValueError:
                    continue
                if m.group("op") in (">=", ">"):
                    minimum = bound
                else:
                    maximum = bound
    return Accepts(values, max_len, min_len, pattern, minimum, maximum, length_from)
