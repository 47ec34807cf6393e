"""SQL type text → logical TypeRef, and SQL DEFAULT → Default: the one mapping every data-model reader uses.

SQL DDL (pglast and sqlglot front ends), Markdown column tables and mermaid ER diagrams all
hand the type *as written* (`VARCHAR(255)`, `TIMESTAMP WITH TIME ZONE`, `uuid[]`, `ENUM('a','b')`,
`BIGINT UNSIGNED`) to `map_sql_type`, so the same words mean the same logical type everywhere.
The vocabulary is data (dicts below); adding a word is a one-line change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from roundtrip.ir.data import Default, DefaultKind
from roundtrip.ir.types import Kind, TypeRef

# Words that continue a type name after its first word (`DOUBLE PRECISION`, `TIMESTAMP(3) WITH TIME ZONE`,
# `CHARACTER VARYING(20)`, `INT UNSIGNED`). Anything else ends the type: it is a constraint or a comment.
_CONTINUATION = {"varying", "precision", "with", "without", "time", "zone", "unsigned", "signed", "zerofill", "local"}

# name -> (kind, bits or length default); bits for INTEGER/FLOAT.
_INTEGERS: dict[str, int] = {
    "tinyint": 8, "smallint": 16, "int2": 16, "int": 32, "integer": 32, "int4": 32, "mediumint": 32,
    "bigint": 64, "int8": 64, "year": 16, "int64": 64, "int32": 32,
    # Django / Prisma / generic spellings seen in column tables
    "integerfield": 32, "positiveintegerfield": 32, "smallintegerfield": 16, "positivesmallintegerfield": 16,
    "bigintegerfield": 64, "positivebigintegerfield": 64,
}
_SERIALS: dict[str, int] = {
    "smallserial": 16, "serial2": 16, "serial": 32, "serial4": 32, "bigserial": 64, "serial8": 64,
    "autofield": 32, "bigautofield": 64, "smallautofield": 16,
}
_FLOATS: dict[str, int] = {
    "real": 32, "float4": 32, "float8": 64, "double precision": 64, "double": 64, "floatfield": 64,
}
_DECIMALS = {"numeric", "decimal", "dec", "decimalfield", "money"}
_FIXED_CHARS = {"char", "character", "bpchar", "nchar", "national character"}
_VAR_CHARS = {"varchar", "character varying", "nvarchar", "varchar2", "nvarchar2", "charfield", "slugfield",
              "emailfield", "urlfield"}
_TEXTS = {"text", "citext", "tinytext", "mediumtext", "longtext", "clob", "string", "str", "textfield", "name"}
_BOOLEANS = {"boolean", "bool", "booleanfield"}
_DATES = {"date", "datefield"}
_TIMES = {"time": False, "time without time zone": False, "timetz": True, "time with time zone": True, "timefield": False}
# timestamp-like: value is the timezone flag (None = the notation does not say)
_DATETIMES: dict[str, bool | None] = {
    "timestamp": False, "timestamp without time zone": False, "timestamptz": True, "timestamp with time zone": True,
    "timestamp with local time zone": True, "datetime": False, "datetime2": False, "smalldatetime": False,
    "datetimefield": True,  # Django stores aware datetimes when USE_TZ (the default)
}
_SIMPLE: dict[str, Kind] = {
    "interval": Kind.INTERVAL, "durationfield": Kind.INTERVAL,
    "uuid": Kind.UUID, "uniqueidentifier": Kind.UUID, "uuidfield": Kind.UUID,
    "inet": Kind.INET, "cidr": Kind.INET, "genericipaddressfield": Kind.INET, "ipaddressfield": Kind.INET,
    "json": Kind.JSON, "jsonb": Kind.JSON, "jsonfield": Kind.JSON,
    "bytea": Kind.BINARY, "blob": Kind.BINARY, "tinyblob": Kind.BINARY, "mediumblob": Kind.BINARY,
    "longblob": Kind.BINARY, "binary": Kind.BINARY, "varbinary": Kind.BINARY, "bytes": Kind.BINARY,
    "binaryfield": Kind.BINARY,
}

NOW_FUNCTIONS = {"now", "current_timestamp", "localtimestamp", "transaction_timestamp", "statement_timestamp",
                 "clock_timestamp", "getdate", "sysdate", "utc_timestamp", "sysdatetime"}
UUID_FUNCTIONS = {"gen_random_uuid", "uuid_generate_v4", "uuid_generate_v1", "uuid_generate_v7", "uuidv4", "uuidv7",
                  "uuid", "newid", "uuid_generate_v1mc"}
EMPTY_ARRAY_FUNCTIONS = {"json_array", "jsonb_build_array", "json_build_array"}


@dataclass(frozen=True)
class MappedType:
    type: TypeRef
    known: bool = True  # False: the name is not in the vocabulary (STRING with source kept; caller reports RT111)
    autoincrement: bool = False  # SERIAL / BIGSERIAL / AutoField


# ---------------------------------------------------------------- scanning the type out of a column definition


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def balanced(text: str, i: int, open_ch: str, close_ch: str) -> int:
    """Index just past the group opened at text[i]; quotes inside do not count. len(text) if never closed."""
    depth = 0
    quote = ""
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch == open_ch:
            depth += 1
        elif ch == close_ch:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


_WORD = re.compile(r'"[^"]+"|`[^`]+`|[A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)*')


def scan_type(text: str, pos: int = 0) -> tuple[str, int]:
    """Read the type expression that starts at `pos` (`TIMESTAMP(3) WITH TIME ZONE`, `uuid[]`,
    `ENUM('a','b')`, `BIGINT UNSIGNED`). Returns (type text with whitespace collapsed, end index);
    ("", pos) when no type starts there."""
    i = _skip_ws(text, pos)
    m = _WORD.match(text, i)
    if not m:
        return "", pos
    out = m.group(0)
    i = m.end()
    while i < len(text):
        j = _skip_ws(text, i)
        if j >= len(text):
            break
        ch = text[j]
        if ch == "(":
            end = balanced(text, j, "(", ")")
            out += text[j:end]
        elif ch == "[":
            end = text.find("]", j)
            end = len(text) if end == -1 else end + 1
            out += text[j:end]
        else:
            w = _WORD.match(text, j)
            if not (w and w.group(0).lower() in _CONTINUATION):
                break
            end = w.end()
            out += " " + w.group(0)
        i = end
    return re.sub(r"\s+", " ", out).strip(), i


def string_list(params: str) -> tuple[str, ...]:
    """`'a', 'b''s'` → ("a", "b's"); bare words are accepted too (`a, b`)."""
    out: list[str] = []
    i = 0
    while i < len(params):
        ch = params[i]
        if ch in "'\"":
            j = i + 1
            buf: list[str] = []
            while j < len(params):
                if params[j] == ch:
                    if j + 1 < len(params) and params[j + 1] == ch:
                        buf.append(ch)
                        j += 2
                        continue
                    break
                buf.append(params[j])
                j += 1
            out.append("".join(buf))
            i = j + 1
        elif ch.isalnum() or ch == "_":
            m = re.match(r"[\w.-]+", params[i:])
            assert m is not None
            out.append(m.group(0))
            i += m.end()
        else:
            i += 1
    return tuple(out)


# ---------------------------------------------------------------- type text → TypeRef

_ARRAY_SUFFIX = re.compile(r"(\s*\[\s*\d*\s*\]|\s+array)\s*$", re.I)
_PARAMS = re.compile(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)")


def _split_type(text: str) -> tuple[str, list[str], str, bool, bool]:
    """'timestamp(3) with time zone' → ('timestamp with time zone', ['3'], raw params, unsigned, array)."""
    t = text.strip()
    stripped = _ARRAY_SUFFIX.sub("", t)  # one level of array is all the IR can say
    array = stripped != t
    t = stripped
    raw_params = ""
    params: list[str] = []
    m = _PARAMS.search(t)
    if m:
        raw_params = m.group(1)
        params = [p.strip() for p in raw_params.split(",")]
        t = (t[: m.start()] + " " + t[m.end():]).strip()
    words = [w.strip('"`') for w in t.lower().split()]
    unsigned = any(w == "unsigned" for w in words)
    words = [w for w in words if w not in ("unsigned", "signed", "zerofill")]
    base = " ".join(words)
    return base, params, raw_params, unsigned, array


def _int(s: str) -> int | None:
    try:
        return int(s)
    except ValueError:
        return None


def map_sql_type(
    text: str,
    dialect: str = "postgres",
    *,
    enums: Mapping[str, tuple[str, ...]] | None = None,
    coarse: bool = False,
) -> MappedType:
    """Map one type as written to the closed logical type system.

    `dialect` is "postgres" or "mysql" (TINYINT(1) is a MySQL boolean). `enums` maps lower-cased
    names of CREATE TYPE ... AS ENUM types to their values. `coarse` is for notations that do not
    distinguish TIMESTAMP from TIMESTAMPTZ (mermaid): the timezone stays unknown (None).
    """
    source = re.sub(r"\s+", " ", text.strip())
    base, params, raw_params, unsigned, array = _split_type(source)
    if array:
        inner = map_sql_type(_ARRAY_SUFFIX.sub("", source), dialect, enums=enums, coarse=coarse)
        return MappedType(TypeRef(Kind.ARRAY, items=inner.type, source=source), inner.known, False)
    return _map_scalar(source, base, params, raw_params, unsigned, dialect, enums or {}, coarse)


def _map_scalar(
    source: str, base: str, params: list[str], raw_params: str, unsigned: bool, dialect: str,
    enums: Mapping[str, tuple[str, ...]], coarse: bool,
) -> MappedType:
    short = base.rsplit(".", 1)[-1]  # pg_catalog.varchar, public.user_role
    first = _int(params[0]) if params else None
    if short == "tinyint" and first == 1 and dialect == "mysql":
        return MappedType(TypeRef(Kind.BOOLEAN, source=source))
    if short in _INTEGERS:
        return MappedType(TypeRef(Kind.INTEGER, bits=_INTEGERS[short], unsigned=unsigned, source=source))
    if short in _SERIALS:
        return MappedType(TypeRef(Kind.INTEGER, bits=_SERIALS[short], unsigned=unsigned, source=source), autoincrement=True)
    if short == "float":
        # PG float = double precision (float(p) with p <= 24 is real); MySQL FLOAT is single precision
        bits = 64 if dialect != "mysql" else 32
        if first is not None:
            bits = 32 if first <= 24 else 64
        return MappedType(TypeRef(Kind.FLOAT, bits=bits, source=source))
    if short in _FLOATS:
        return MappedType(TypeRef(Kind.FLOAT, bits=_FLOATS[short], source=source))
    if short in _DECIMALS:
        precision = first
        scale = _int(params[1]) if len(params) > 1 else (0 if precision is not None else None)
        return MappedType(TypeRef(Kind.DECIMAL, precision=precision, scale=scale, source=source))
    if short in _FIXED_CHARS:
        return MappedType(TypeRef(Kind.STRING, length=first if params else 1, fixed=True, source=source))
    if short in _VAR_CHARS:
        return MappedType(TypeRef(Kind.STRING, length=first, source=source))
    if short in _TEXTS:
        return MappedType(TypeRef(Kind.STRING, source=source))
    if short in _BOOLEANS:
        return MappedType(TypeRef(Kind.BOOLEAN, source=source))
    if short in _DATES:
        return MappedType(TypeRef(Kind.DATE, source=source))
    if short in _TIMES:
        return MappedType(TypeRef(Kind.TIME, timezone=None if coarse and short == "time" else _TIMES[short], source=source))
    if short in _DATETIMES:
        tz = _DATETIMES[short]
        if coarse and short in ("timestamp", "datetime"):
            tz = None
        return MappedType(TypeRef(Kind.DATETIME, timezone=tz, source=source))
    if short in _SIMPLE:
        return MappedType(TypeRef(_SIMPLE[short], source=source))
    if short == "enum":
        return MappedType(TypeRef(Kind.ENUM, values=string_list(raw_params), source=source))
    if short in enums:
        return MappedType(TypeRef(Kind.ENUM, enum_name=short, values=enums[short], source=source))
    return MappedType(TypeRef(Kind.STRING, source=source), known=False)


# ---------------------------------------------------------------- DEFAULT → Default

NO_VALUE: Any = object()


def literal_value(text: str) -> Any:
    """A SQL constant as written → Python (`'free'` → "free", `0` → 0, `TRUE` → True, `NULL` → None);
    NO_VALUE when the text is not a constant. Casts (`'x'::text`) are unwrapped."""
    t = text.strip()
    while t.startswith("(") and t.endswith(")") and balanced(t, 0, "(", ")") == len(t):
        t = t[1:-1].strip()
    t = re.sub(r"::\s*[\w .\[\]()]+$", "", t).strip()
    m = re.fullmatch(r"CAST\s*\((.*)\s+AS\s+[\w .\[\]()]+\)", t, flags=re.I | re.S)
    if m:
        t = m.group(1).strip()
    if len(t) >= 2 and t[0] == t[-1] == "'" and "'" not in t[1:-1].replace("''", ""):
        return t[1:-1].replace("''", "'")
    low = t.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?|[+-]?\d+[eE][+-]?\d+", t):
        return float(t)
    return NO_VALUE


def classify_default(sql: str, col_type: TypeRef, *, func: str | None = None, value: Any = NO_VALUE) -> Default | None:
    """Decide what a DEFAULT means. Front ends pass the rendered SQL and, when they know it, the called
    function's name (lower case) or the constant's Python value. Returns None for DEFAULT NULL."""
    text = re.sub(r"\s+", " ", sql.strip())
    if value is NO_VALUE and func is None:
        value = literal_value(text)
        if value is NO_VALUE:
            inner = text
            while inner.startswith("(") and balanced(inner, 0, "(", ")") == len(inner):
                inner = inner[1:-1].strip()
            m = re.fullmatch(r"([A-Za-z_][\w.]*)\s*(\((.*)\))?", inner, flags=re.S)
            if m:
                name = m.group(1).rsplit(".", 1)[-1].lower()
                args = (m.group(3) or "").strip()
                if m.group(2) is not None or name in NOW_FUNCTIONS:
                    func = name
                    if name in EMPTY_ARRAY_FUNCTIONS and args:
                        func = name + "(...)"
    if func is not None:
        if func in NOW_FUNCTIONS:
            return Default(DefaultKind.NOW, sql=text)
        if func in UUID_FUNCTIONS:
            return Default(DefaultKind.UUID, sql=text)
        if func in EMPTY_ARRAY_FUNCTIONS:
            return Default(DefaultKind.EMPTY_ARRAY, sql=text)
        return Default(DefaultKind.EXPRESSION, sql=text)
    if value is NO_VALUE:
        return Default(DefaultKind.EXPRESSION, sql=text)
    if value is None:
        return None
    if col_type.kind is Kind.ARRAY and value in ("{}", "[]"):
        return Default(DefaultKind.EMPTY_ARRAY, sql=text)
    if col_type.kind is Kind.BOOLEAN and isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        value = bool(value)  # MySQL TINYINT(1) DEFAULT 1
    if col_type.kind is Kind.BOOLEAN and isinstance(value, str) and value.lower() in ("t", "f", "true", "false"):
        value = value.lower() in ("t", "true")
    return Default(DefaultKind.LITERAL, value=value, sql=text)
