"""Field and parameter tables, parameter bullets and type expressions → Field / Parameter / TypeRef.

Request bodies, query/path/header parameters and response schemas are all written as the same kind of
table (`| Field | Type | Required | Description | Validation |`, `| Param | Type | Default | ... |`,
`| Property | Type | Required | Constraints |`), in any column order; the header vocabulary lives in
api_labels.HEADER_ROLES. Validation phrases go through constraints.parse_phrase, the one vocabulary
the whole project shares.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from roundtrip.diagnostics import Sink
from roundtrip.ir import Constraints, Field, Kind, Parameter, ParamIn, TypeRef
from roundtrip.ir.listing import COUNT_PARAMS, SORT_PARAMS, sort_pattern
from roundtrip.markdown import Table
from roundtrip.markdown.cst import ListItem
from roundtrip.markdown.inline import code_spans
from roundtrip.readers.api_labels import header_roles
from roundtrip.readers.api_text import flat
from roundtrip.readers.constraints import Phrase, parse_phrase
from roundtrip.source import Span

PRIMITIVES: dict[str, TypeRef] = {
    "string": TypeRef(Kind.STRING), "str": TypeRef(Kind.STRING), "text": TypeRef(Kind.STRING),
    "number": TypeRef(Kind.FLOAT), "float": TypeRef(Kind.FLOAT), "double": TypeRef(Kind.FLOAT),
    "decimal": TypeRef(Kind.DECIMAL), "integer": TypeRef(Kind.INTEGER), "int": TypeRef(Kind.INTEGER),
    "bigint": TypeRef(Kind.INTEGER, bits=64), "long": TypeRef(Kind.INTEGER, bits=64),
    "boolean": TypeRef(Kind.BOOLEAN), "bool": TypeRef(Kind.BOOLEAN),
    "uuid": TypeRef(Kind.UUID), "guid": TypeRef(Kind.UUID),
    "date": TypeRef(Kind.DATE), "datetime": TypeRef(Kind.DATETIME), "date-time": TypeRef(Kind.DATETIME),
    "timestamp": TypeRef(Kind.DATETIME), "timestamptz": TypeRef(Kind.DATETIME, timezone=True), "time": TypeRef(Kind.TIME),
    "object": TypeRef(Kind.OBJECT), "dict": TypeRef(Kind.OBJECT), "map": TypeRef(Kind.MAP, items=TypeRef(Kind.ANY)),
    "any": TypeRef(Kind.ANY), "unknown": TypeRef(Kind.ANY), "json": TypeRef(Kind.JSON), "jsonb": TypeRef(Kind.JSON),
    "email": TypeRef(Kind.STRING), "url": TypeRef(Kind.STRING), "uri": TypeRef(Kind.STRING),
    "binary": TypeRef(Kind.BINARY), "file": TypeRef(Kind.BINARY), "bytes": TypeRef(Kind.BINARY),
    "array": TypeRef(Kind.ARRAY, items=TypeRef(Kind.ANY)), "list": TypeRef(Kind.ARRAY, items=TypeRef(Kind.ANY)),
    "enum": TypeRef(Kind.ENUM), "null": TypeRef(Kind.ANY, nullable=True), "none": TypeRef(Kind.ANY, nullable=True),
}
# Hints in parentheses after a base type: "string (UUID)", "string (date-time)", "string (email)".
_HINT_KIND = {"uuid": Kind.UUID, "date": Kind.DATE, "date-time": Kind.DATETIME, "datetime": Kind.DATETIME,
              "iso 8601": Kind.DATETIME, "timestamp": Kind.DATETIME, "time": Kind.TIME}
_HINT_FORMAT = {"email": "email", "url": "uri", "uri": "uri"}
_GENERIC_ARRAY = {"array", "list", "sequence", "set", "tuple", "iterable"}
_GENERIC_MAP = {"record", "dict", "mapping", "map"}
_IDENT = re.compile(r"^[A-Za-z_][\w.]*$")
# A type name has a lower-case letter: `DLQ`, `PENDING` and `GHS` are values, not types.
_PASCAL = re.compile(r"^(?=[A-Z][\w.]*[a-z])[A-Z][A-Za-z0-9_]*(?:\.[A-Z][A-Za-z0-9_]*)*$")
_SKIP_HEADERS = {"authorization", "content-type", "cookie", "accept", "content-length", "host", "user-agent"}


def _split_top(s: str, sep: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    buf: list[str] = []
    quote = ""
    for ch in s:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"`":
            quote = ch
        elif ch in "<[({":
            depth += 1
        elif ch in ">])}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return [p.strip() for p in parts]


def parse_type_expr(expr: str) -> TypeRef | None:
    """A TS/Python-style type expression → TypeRef, or None when the text is not a type.

    `ListResponse<Exam>` → REF ListResponse (REF Exam); `Review[]`, `List[UserResponse]` → ARRAY;
    `'a' | 'b'` → ENUM; `string | null` → nullable; `{ id: string }` → OBJECT; `{ Property }` → REF.
    """
    s = expr.strip().strip("`").strip().rstrip(";").strip()
    if not s or len(s) > 400:
        return None
    parts = _split_top(s, "|")
    if len(parts) > 1:
        return _union(parts, s)
    inter = _split_top(s, "&")
    if len(inter) > 1:
        return parse_type_expr(inter[0])  # `Booking & { tickets: Ticket[] }`: the named part carries the shape
    if s.endswith("[]"):
        inner = parse_type_expr(s[:-2])
        return TypeRef(Kind.ARRAY, items=inner, source=s) if inner else None
    if s.startswith("(") and s.endswith(")"):
        return parse_type_expr(s[1:-1])
    if s.startswith("{") and s.endswith("}"):
        return _object_literal(s[1:-1], s)
    lit = re.fullmatch(r"'([^']*)'|\"([^\"]*)\"", s)
    if lit:
        return TypeRef(Kind.LITERAL, literal=lit.group(1) if lit.group(1) is not None else lit.group(2), source=s)
    if re.fullmatch(r"-?\d+(\.\d+)?", s):
        return TypeRef(Kind.LITERAL, literal=float(s) if "." in s else int(s), source=s)
    g = re.fullmatch(r"([A-Za-z_][\w.]*)\s*([<\[])(.*)([>\]])", s, re.S)
    if g and ((g.group(2) == "<") == (g.group(4) == ">")):
        name, args_text = g.group(1), g.group(3)
        args = [parse_type_expr(a) for a in _split_top(args_text, ",")]
        if any(a is None for a in args):
            return None
        targs = [a for a in args if a is not None]
        low = name.lower()
        if low in _GENERIC_ARRAY and targs:
            return TypeRef(Kind.ARRAY, items=targs[0], source=s)
        if low in _GENERIC_MAP and targs:
            return TypeRef(Kind.MAP, items=targs[-1], source=s)
        if low == "optional" and targs:
            return targs[0].with_nullable(True)
        return TypeRef(Kind.REF, ref=name, args=tuple(targs), source=s)
    low = s.lower()
    if low in PRIMITIVES:
        base = PRIMITIVES[low]
        return replace(base, source=s)
    if s == "Date":
        return TypeRef(Kind.DATETIME, source=s)
    if _PASCAL.match(s):
        return TypeRef(Kind.REF, ref=s, source=s)
    return None


def _union(parts: list[str], source: str) -> TypeRef | None:
    nullable = any(p.strip().lower() in ("null", "undefined", "none") for p in parts)
    rest = [p for p in parts if p.strip().lower() not in ("null", "undefined", "none") and p.strip()]
    if not rest:
        return TypeRef(Kind.ANY, nullable=True, source=source)
    lits = [re.fullmatch(r"'([^']*)'|\"([^\"]*)\"", p) for p in rest]
    if all(lits):
        vals = tuple(m.group(1) if m.group(1) is not None else m.group(2) for m in lits if m)
        return TypeRef(Kind.ENUM, values=vals, nullable=nullable, source=source)
    if len(rest) >= 2 and all(re.fullmatch(r"[a-z_][a-z0-9_-]*|[A-Z][A-Z0-9_]+", p) and p.lower() not in PRIMITIVES for p in rest):
        return TypeRef(Kind.ENUM, values=tuple(rest), nullable=nullable, source=source)  # `asc|desc`, `TODO | DONE`
    types = [parse_type_expr(p) for p in rest]
    if any(t is None for t in types):
        return None
    ts = [t for t in types if t is not None]
    if len(ts) == 1:
        return ts[0].with_nullable(nullable) if nullable else ts[0]
    return TypeRef(Kind.UNION, variants=tuple(ts), nullable=nullable, source=source)


def _object_literal(body: str, source: str) -> TypeRef | None:
    inner = body.strip()
    if not inner:
        return TypeRef(Kind.OBJECT, source=source)
    if _PASCAL.match(inner):
        return TypeRef(Kind.REF, ref=inner, source=source)  # `{ Property }`: "a Property object"
    fields: list[Field] = []
    for member in [m for p in _split_top(inner, ";") for m in _split_top(p, ",")]:
        member = member.strip()
        if not member:
            continue
        m = re.fullmatch(r"(?:readonly\s+)?[\"']?([A-Za-z_$][\w$]*)[\"']?(\?)?\s*:\s*(.+)", member, re.S)
        if not m:
            return None
        t = parse_type_expr(m.group(3))
        if t is None:
            return None
        fields.append(Field(name=m.group(1), type=t, required=m.group(2) is None))
    return TypeRef(Kind.OBJECT, fields=tuple(fields), source=source)


def parse_type_cell(cell: str, span: Span, sink: Sink | None = None) -> TypeRef | None:
    """A table's Type cell → TypeRef; None when empty. Unknown names → ANY plus an RT111 warning."""
    raw = flat(cell).strip()
    if not raw or raw in ("-", "—"):
        return None
    s = raw
    nullable = False
    if re.search(r"\bnullable\b|\(optional\)|\bor null\b", s, re.I):
        nullable = True
        s = re.sub(r"\s*(,?\s*nullable|\(nullable\)|\bor null\b)", "", s, flags=re.I).strip()
    em = re.fullmatch(r"enum\s*[:(]?\s*(.*?)\)?", s, re.I)
    if em and em.group(1):
        arg = em.group(1).strip()
        if _PASCAL.match(arg):
            return TypeRef(Kind.REF, ref=arg, nullable=nullable, source=raw)
        vals = tuple(v.strip(" '\"`") for v in re.split(r"\s*[|,/]\s*", arg) if v.strip(" '\"`"))
        if vals:
            return TypeRef(Kind.ENUM, values=vals, nullable=nullable, source=raw)
    am = re.fullmatch(r"(?:array|list) of (\w+?)s?", s, re.I)
    if am:
        inner = parse_type_expr(am.group(1)) or TypeRef(Kind.ANY)
        return TypeRef(Kind.ARRAY, items=inner, nullable=nullable, source=raw)
    hm = re.fullmatch(r"([A-Za-z][\w\[\]<>]*)\s*\(([^)]*)\)", s)
    if hm:
        base = parse_type_expr(hm.group(1))
        hint = hm.group(2).strip().lower()
        if base is not None:
            if hint in _HINT_KIND and base.kind in (Kind.STRING, Kind.ANY):
                return TypeRef(_HINT_KIND[hint], nullable=nullable, source=raw)
            return base.with_nullable(nullable or base.nullable)
    if re.fullmatch(r"iso[ -]?8601( date[- ]?time| datetime| timestamp)?|iso datetime", s, re.I):
        return TypeRef(Kind.DATETIME, nullable=nullable, source=raw)
    t = parse_type_expr(s)
    if t is not None:
        return replace(t, nullable=t.nullable or nullable, source=raw)
    if sink is not None:
        sink.add("RT111", span, f"type `{raw}` is not a known type; use string, integer, number, boolean, UUID, date, "
                 "an array `T[]` or a type name defined in the docs")
    return TypeRef(Kind.ANY, nullable=nullable, source=raw)


def type_format(cell: str) -> str | None:
    m = re.search(r"\(([^)]*)\)", flat(cell))
    return _HINT_FORMAT.get(m.group(1).strip().lower()) if m else None


def parse_required(cell: str) -> bool | None:
    """Yes / No / required / optional / "Yes*" / "no*" / "staff only" / ✓ → bool; None if blank or unclear."""
    t = flat(cell).strip().lower().rstrip("*").strip()
    if not t or t in ("-", "—"):
        return None
    if re.match(r"^(yes|y|true|required|req|mandatory|always|✓|✔|x)\b", t):
        return True
    if re.match(r"^(no|n|false|optional|opt|conditional|sometimes|-)\b", t) or "only" in t or "optional" in t:
        return False
    return None


# A Required cell naming who may send the field: "staff only", "admin-only", "only for admins", "librarian/admin",
# "No (admin only)". The words are the docs' own; the resolver maps them to the roles the docs define.
_ONLY_AFTER = re.compile(r"^(?:(?:no|optional)\s*[,;:(\-–—]?\s*)?(?P<words>.+?)[\s-]+only\)?$")
_ONLY_BEFORE = re.compile(r"^(?:(?:no|optional)\s*[,;:(\-–—]?\s*)?only\s+(?:(?:for|by|to)\s+)?(?P<words>.+?)\)?$")
_ROLE_LIST = re.compile(r"^[a-z][\w-]*(?:\s*(?:/|,|&|\bor\b|\band\b)\s*[a-z][\w-]*)+$")
_ROLE_SPLIT = re.compile(r"\s*(?:/|,|&|\bor\b|\band\b)\s*")
_ROLE_ARTICLE = re.compile(r"^(?:the|an?|any)\s+")
# Words such a cell may hold that are not roles: "yes/no", "required, unique", "read-only", "response only", "create only"
_NOT_ROLE_WORDS = {"yes", "no", "y", "n", "true", "false", "required", "optional", "mandatory", "conditional", "sometimes",
                   "null", "nullable", "none", "unique", "if", "when", "once", "first", "self", "own", "owner's", "caller",
                   "callers", "authenticated", "signed-in", "logged-in", "read", "write", "create", "creation", "update",
                   "updates", "insert", "post", "put", "patch", "get", "response", "request", "output", "input", "server",
                   "internal", "system", "computed", "generated", "query", "body", "header", "path", "test", "dev"}


def sender_words(cell: str) -> tuple[str, ...]:
    """The role words of a Required cell that says who may send the field; () when it says no such thing."""
    t = flat(cell).strip().strip("*").strip().lower().replace("`", "")
    m = _ONLY_AFTER.match(t) or _ONLY_BEFORE.match(t)
    words = m.group("words") if m else t if _ROLE_LIST.match(t) else ""
    out: list[str] = []
    for w in _ROLE_SPLIT.split(words):
        w = _ROLE_ARTICLE.sub("", w.strip(" .()")).strip()
        if not re.fullmatch(r"[a-z][a-z_-]*", w) or w in _NOT_ROLE_WORDS:
            return ()  # one word that is no role word: a sentence ("only if `type` is card"), not a list of roles
        out.append(w)
    return tuple(dict.fromkeys(out))


# "defaults to caller", "defaults to the current user", "default: the signed-in member", "the caller's own id": the app
# fills the field with the caller's id when the request leaves it out (never a literal default value).
_CALLER = re.compile(
    r"\bdefault(?:s|ing)?\s*(?:to|:|=|is)?\s*(?:the\s+)?(?:"
    r"caller(?:'s)?|requester|yourself|you|me|"
    r"(?:current(?:ly)?|authenticated|signed[\s-]in|logged[\s-]in|requesting|calling)\s+"
    r"(?:(?:authenticated|signed[\s-]in|logged[\s-]in)\s+)?(?:user|member|account|caller|principal)(?:'s)?"
    r")(?:\s+(?:own\s+)?id)?\b|\b(?:the\s+)?caller'?s\s+own\s+id\b",
    re.I,
)


def says_caller_default(text: str) -> bool:
    return bool(_CALLER.search(flat(text)))


def without_caller_clause(text: str) -> str:
    """The description without its "defaults to caller" clause (held as Field.caller_default instead):
    "Assignee; defaults to the current user" → "Assignee", "Owner (defaults to caller)" → "Owner"."""
    m = _CALLER.search(text)
    if not m:
        return text
    before = max(text.rfind(c, 0, m.start()) for c in ",;.(")  # the separator opening the clause, -1 at the start
    if before != -1 and text[before] == "(":
        close = text.find(")", m.end())
        end = close + 1 if close != -1 else len(text)  # the whole parenthesis goes
    else:
        after = [i for i in (text.find(c, m.end()) for c in ",;.)") if i != -1]
        end = min(after) if after else len(text)
    head, tail = text[: max(before, 0)].rstrip(), text[end:]
    return (head + tail).strip() if head else tail.lstrip(" ,;.").strip()


def coerce_default(text: str, t: TypeRef | None) -> tuple[Any, bool]:
    """A Default cell → (value, has_default). "-", "none", "" mean no default."""
    s = flat(text).strip().strip("`'\"").strip()
    if not s or s.lower() in ("-", "—", "none", "n/a", "null"):
        return None, False
    kind = t.kind if t else None
    raw = flat(text).strip().strip("`").strip()
    if kind in (Kind.ARRAY, Kind.OBJECT, Kind.MAP, Kind.JSON) and raw[:1] in ("[", "{"):
        try:  # `["push"]`, `{}`: a list or object default is written as JSON
            return json.loads(raw), True
        except ValueError:
            pass
    if kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
        try:
            return (int(s) if re.fullmatch(r"-?\d+", s) else float(s)), True
        except ValueError:
            return s, True
    if kind is Kind.BOOLEAN and s.lower() in ("true", "false"):
        return s.lower() == "true", True
    return s, True


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def default_fits(value: Any, t: TypeRef | None, cons: Constraints) -> bool:
    """Whether a documented default is a literal value of the type (so an emitter may publish it)."""
    kind = t.kind if t is not None else None
    fmt = cons.format or {Kind.DATE: "date", Kind.DATETIME: "date-time"}.get(kind) if kind else cons.format
    if kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is Kind.BOOLEAN:
        return isinstance(value, bool)
    if kind is Kind.ENUM and t is not None and t.values:
        return str(value) in t.values
    if fmt == "date":
        return isinstance(value, str) and bool(_DATE.match(value))
    if fmt == "date-time":
        return isinstance(value, str) and bool(_DATETIME.match(value))
    if fmt == "uuid":
        return isinstance(value, str) and bool(re.fullmatch(r"[0-9a-fA-F-]{36}", value))
    if kind is Kind.UUID:
        return isinstance(value, str) and bool(re.fullmatch(r"[0-9a-fA-F-]{36}", value))
    return True


@dataclass
class RowSpec:
    """One documented name from a table row or bullet, before it becomes a Field or a Parameter."""

    name: str
    type: TypeRef | None
    required: bool | None
    description: str
    constraints: Constraints
    values: tuple[str, ...]
    default: Any
    has_default: bool
    computed: bool
    span: Span
    senders: tuple[str, ...] = ()  # "staff only": the docs' words for who may send it
    caller_default: bool = False  # "defaults to caller"


def _names(cell: str) -> list[str]:
    text = flat(cell).strip()
    out: list[str] = []
    for part in re.split(r"\s*(?:,|/|\band\b|&)\s*", text):
        p = part.strip().strip("`*").strip()
        p = re.sub(r"\s*\((optional|required)\)$", "", p, flags=re.I)
        if _IDENT.match(p.rstrip("?")) or re.fullmatch(r"[A-Za-z][\w-]*", p):
            out.append(p)
    return out


def _phrase(cell: str, kind: Kind | None) -> Phrase:
    text = cell.strip()
    if not text:
        return Phrase()
    return parse_phrase(text, kind=kind)


def _default_marker(cell: str) -> str | None:
    """"`active` (default), `archived`": the value the docs mark as the default."""
    m = re.search(r"`([^`]+)`\s*\(default\)", cell, re.I)
    return m.group(1) if m else None


def read_rows(table: Table, file: str, sink: Sink | None) -> list[RowSpec]:
    """Every documented name in a field/parameter table, in order (rows naming several give several)."""
    roles = header_roles(table.header)
    col = {r: i for i, r in reversed(list(enumerate(roles))) if r}
    name_i = col.get("name", 0)
    out: list[RowSpec] = []
    for row in table.rows:
        cells = row.cells

        def get(role: str, cells: list[str] = cells) -> str:
            return cells[col[role]] if role in col and col[role] < len(cells) else ""

        names = _names(cells[name_i] if name_i < len(cells) else "")
        if not names:
            continue
        span = Span(file, row.line)
        t = parse_type_cell(get("type"), span, sink)
        kind = t.kind if t is not None else None
        fmt = type_format(get("type"))
        constraint_cells = [get("constraints"), get("notes"), get("values")]
        phrases = [_phrase(c, kind) for c in constraint_cells if c]
        desc_phrase = _phrase(get("description"), kind) if get("description") else Phrase()
        cons = Constraints(format=fmt) if fmt else Constraints()
        values: tuple[str, ...] = ()
        default: Any = None
        has_default = False
        computed = False
        integer = False
        for ph in [*phrases, desc_phrase]:
            cons = cons.merged(ph.constraints)
            computed = computed or ph.computed
            integer = integer or ph.integer
            if not has_default and ph.has_default:
                default, has_default = ph.default, True
        for ph in phrases:
            if ph.values and not values:
                values = ph.values
        if not values and not phrases and desc_phrase.values and _only_codes(get("description")):
            values = desc_phrase.values
        if not has_default:
            marked = next((m for m in (_default_marker(c) for c in constraint_cells + [get("description")]) if m), None)
            if marked is not None:
                default, has_default = marked, True
        if "default" in col and get("default").strip():
            d, hd = coerce_default(get("default"), t)
            if hd:
                default, has_default = d, True
        t = _refine(t, values, integer)
        aliases = next((ph.aliases for ph in phrases if ph.aliases), ())
        if aliases and cons.format in _ALIASED_FORMATS and (t is None or t.kind in (Kind.STRING, _ALIASED_FORMATS[cons.format])):
            # "UUID, `me` or `none`": a value of the format or one of the listed words, each a variant
            variant = TypeRef(_ALIASED_FORMATS[cons.format])
            t = TypeRef(Kind.UNION, nullable=t is not None and t.nullable, variants=(variant, TypeRef(Kind.ENUM, values=aliases)))
            cons = replace(cons, format=None)
        if t is not None and t.kind in (Kind.INTEGER, Kind.FLOAT) and isinstance(default, str):
            default, _ = coerce_default(default, t)
        if has_default and not default_fits(default, t, cons):
            has_default, default = False, None  # "now", "today", "from + 7 days": described, not a literal value
        req_cell = get("required")
        required = parse_required(req_cell) if "required" in col else None
        senders = sender_words(req_cell) if "required" in col else ()
        if senders:
            required = False  # a field some callers may send is not required of everyone
        caller = any(says_caller_default(c) for c in [*constraint_cells, get("description")] if c)
        if caller:
            has_default, default = False, None  # "defaults to the current user" names no literal value
        if required is None and "optional" in col:
            opt = parse_required(get("optional"))
            required = None if opt is None else not opt
        description = flat(get("description") or ("" if phrases else get("notes")))
        if caller:
            description = without_caller_clause(description)
        # "| page, limit, sort | | sort: `lastName` (default) |": the phrase is about `sort` alone
        only = None
        if len(names) > 1:
            pm = re.match(r"^\s*`?([\w-]+)`?\s*:", next((c for c in constraint_cells + [get("description")] if c.strip()), ""))
            only = pm.group(1) if pm and pm.group(1) in names else None
        several = any(_SEVERAL.search(flat(c)) for c in constraint_cells + [get("description")] if c)
        for n in names:
            nm, req = n, required
            if nm.endswith("?"):
                nm, req = nm[:-1], False
            if only is not None and nm != only:
                out.append(RowSpec(nm, parse_type_cell(get("type"), span), req, "", Constraints(), (), None, False, False, span))
                continue
            nt, ncons = t, cons
            if nm.lower() in SORT_PARAMS and ncons.pattern is None:
                nt, ncons = _sort_list(nt, ncons, [get("description"), *constraint_cells])
            if several and nt is not None and nt.kind is Kind.ENUM and nt.values and nm.lower() not in _NO_ENUM_PARAMS and ncons.pattern is None:
                nt, ncons = _value_list(nt, ncons)
            out.append(RowSpec(nm, nt, req, description, ncons, values, default, has_default, computed, span, senders, caller))
    return out


# Formats a type of their own states, so that "UUID, `me` or `none`" can be a union of it and the words.
_ALIASED_FORMATS = {"uuid": Kind.UUID, "date": Kind.DATE, "date-time": Kind.DATETIME}

# "`easy`, `medium`, `hard` (comma-separated)": the value is a list of those values in one string.
_SEVERAL = re.compile(r"\bcomma[\s-]*separated\b|\bcomma[\s-]*delimited\b", re.I)


def _value_list(t: TypeRef, cons: Constraints) -> tuple[TypeRef, Constraints]:
    """A comma-separated list of enum values: a string whose pattern admits one value or several joined
    by commas (`easy,medium`), not a single-value enum that would reject the list."""
    one = "|".join(re.escape(v) for v in t.values)
    pattern = f"^(?:{one})(?:,(?:{one}))*$"
    return TypeRef(Kind.STRING, nullable=t.nullable), replace(cons, pattern=pattern)


# "Sort field (- for desc): `title`, `createdAt`", "Sort fields: `name`, `createdAt`", "`createdAt` or
# `-createdAt`": the fields a sort parameter may name, as code spans after a lead-in that says so (or none).
_SORT_LEAD = re.compile(
    r"^\s*(?:(?:sort(?:able)?|order(?:ing)?)\s+)?(?:(?:fields?|by|keys?|columns?|one\s+of)\s*)?"
    r"(?:\((?P<note>[^()]*)\)\s*)?:?\s*$",
    re.I,
)
_SORT_BETWEEN = re.compile(r"^\s*(?:,|\bor\b|\band\b|\|)?\s*(?:\bor\b|\band\b)?\s*$", re.I)
_DEFAULT_NOTE = re.compile(r"\(\s*default\b[^()]*\)", re.I)
# "(- for desc)", "(prefix - for descending)": the lead-in says each field may be prefixed with `-`
_DESC_PREFIX = re.compile(r"(?:^|\s)`?-`?\s+(?:for|=|means)\s+desc|\bprefix\w*\b[^()]{0,20}?`?-`?", re.I)
_CODE_SPAN = re.compile(r"`([^`]+)`")


def _listed_sort_fields(cell: str) -> tuple[list[str], bool] | None:
    """(fields, signed) a sort parameter's cell lists; None when the cell is no such list."""
    spans = list(_CODE_SPAN.finditer(cell))
    if not spans:
        return None
    lead = _SORT_LEAD.match(cell[: spans[0].start()])
    gaps = [cell[a.end() : b.start()] for a, b in zip(spans, spans[1:], strict=False)]
    trail = _DEFAULT_NOTE.sub("", cell[spans[-1].end() :])
    if lead is None or not all(_SORT_BETWEEN.match(_DEFAULT_NOTE.sub("", g)) for g in gaps) or trail.strip(" .;"):
        return None
    return [m.group(1).strip() for m in spans], bool(lead.group("note") and _DESC_PREFIX.search(lead.group("note")))


def _sort_list(t: TypeRef | None, cons: Constraints, cells: list[str]) -> tuple[TypeRef | None, Constraints]:
    """A sort parameter whose cells list its fields: a string matching one of them (the pattern every stage
    reads, roundtrip.ir.listing), not an enum of the values as written."""
    listed = next((x for x in map(_listed_sort_fields, cells) if x), None)
    pattern = sort_pattern(listed[0], signed=listed[1]) if listed else None
    if pattern is None:
        return t, cons
    if t is not None and t.kind is Kind.ENUM:
        t = TypeRef(Kind.STRING, nullable=t.nullable)
    return t, replace(cons, pattern=pattern)


def _only_codes(cell: str) -> bool:
    rest = re.sub(r"`[^`]*`", "", cell)
    return len(code_spans(cell)) >= 2 and not re.search(r"[A-Za-z]{3,}", rest.replace("or", ""))


def _refine(t: TypeRef | None, values: tuple[str, ...], integer: bool) -> TypeRef | None:
    if t is None:
        return TypeRef(Kind.ENUM, values=values) if values else None
    if integer and t.kind is Kind.FLOAT:
        t = replace(t, kind=Kind.INTEGER)
    if values and t.kind in (Kind.STRING, Kind.ANY):
        t = replace(t, kind=Kind.ENUM, values=values)
    elif values and t.kind is Kind.ENUM and not t.values:
        t = replace(t, values=values)
    elif values and t.kind is Kind.ARRAY and t.items is not None and t.items.kind is Kind.STRING:
        t = replace(t, items=TypeRef(Kind.ENUM, values=values))
    return t


def fields_from_rows(rows: list[RowSpec], *, required_default: bool = True) -> tuple[Field, ...]:
    out: list[Field] = []
    seen: set[str] = set()
    for r in rows:
        if r.name in seen:
            continue
        seen.add(r.name)
        out.append(Field(
            name=r.name, type=r.type or TypeRef(Kind.ANY), required=required_default if r.required is None else r.required,
            description=r.description, constraints=r.constraints, default=r.default, has_default=r.has_default,
            computed=r.computed, span=r.span, sent_by=r.senders, caller_default=r.caller_default,
        ))
    return tuple(out)


_NO_ENUM_PARAMS = {"sort", "sortby", "sort_by", "order", "orderby", "order_by", "fields", "include", "expand"}


def params_from_rows(rows: list[RowSpec], location: ParamIn) -> list[Parameter]:
    out: list[Parameter] = []
    for r in rows:
        if location is ParamIn.HEADER and r.name.lower() in _SKIP_HEADERS:
            continue
        t, cons = r.type, r.constraints
        if t is not None and t.kind is Kind.ENUM and r.name.lower() in _NO_ENUM_PARAMS and t.source is None:
            # listed sort fields are what `sort` may name, not an enum: a pattern admitting exactly them, which
            # the resolver widens to `-field` when the Sorting convention says so
            pattern = sort_pattern(t.values, signed=False) if r.name.lower() in SORT_PARAMS and cons.pattern is None else None
            t = TypeRef(Kind.STRING, nullable=t.nullable)
            if pattern is not None:
                cons = replace(cons, pattern=pattern)
        if t is None and location is ParamIn.QUERY and r.name.lower() in COUNT_PARAMS:
            t = TypeRef(Kind.INTEGER)  # "| page, limit, sort | |": a page number or size is a count, though untyped
        required = r.required if r.required is not None else location is ParamIn.PATH
        out.append(Parameter(
            name=r.name, location=location, type=t or TypeRef(Kind.STRING), required=required,
            description=r.description, default=r.default, has_default=r.has_default, constraints=cons, span=r.span,
        ))
    return out


# ---------------------------------------------------------------- bullets and inline lists

_BULLET_PARAM = re.compile(r"^\s*`([^`]+)`\s*(?:\(((?:[^()]|\([^()]*\))*)\))?")


def specs_from_text(text: str, span: Span, *, required_default: bool | None = None) -> list[RowSpec]:
    """"`q` (string, optional): Search", "`page` (int, default: `0`), `size` (int)", "`a`, `b`" → specs."""
    s = text.strip()
    out: list[RowSpec] = []
    while True:
        m = _BULLET_PARAM.match(s)
        if not m:
            break
        name = m.group(1).strip()
        if ":" in name:  # `If-Match: W/"<etag>"` — a header with an example value
            name = name.split(":", 1)[0].strip()
        name = name.split("=", 1)[0].strip()
        if not re.fullmatch(r"[A-Za-z_][\w.\-\[\]]*\??", name):
            break
        paren = m.group(2) or ""
        s = s[m.end():]
        t: TypeRef | None = None
        required = required_default
        default: Any = None
        has_default = False
        for tok in _split_top(paren, ","):
            low = flat(tok).lower().strip()
            if low in ("optional", "opt"):
                required = False
            elif low in ("required", "req", "mandatory"):
                required = True
            elif low.startswith("default"):
                default, has_default = coerce_default(re.sub(r"^defaults?(?:\s+to)?[:\s]*", "", flat(tok), flags=re.I), t)
            elif t is None and tok.strip():
                cand = parse_type_expr(flat(tok)) if not re.search(r"\s", flat(tok).strip()) or "|" in tok else None
                if cand is None and re.fullmatch(r"(array|list) of \w+", low):
                    cand = parse_type_cell(tok, span)
                t = cand
        sep = re.match(r"^\s*(?:,|/|\band\b|\bor\b)\s*(?=`)", s)
        desc = ""
        if not sep:
            desc = s.strip().lstrip(":—–-=").strip()
        values: tuple[str, ...] = ()
        codes = code_spans(desc)
        if codes and "|" in codes[0] and desc.strip().startswith("`"):
            et = parse_type_expr(codes[0])
            if et is not None and et.kind is Kind.ENUM:
                values = et.values
        if re.search(r"\brequired\b", flat(desc), re.I) and not re.search(r"\bnot required\b", flat(desc), re.I):
            required = True if required is None else required
        ph = parse_phrase(flat(desc), kind=t.kind if t else None) if desc else Phrase()
        if not has_default and ph.has_default:
            default, has_default = ph.default, True
        if name.endswith("?"):
            name, required = name[:-1], False
        if t is None and isinstance(default, str) and re.fullmatch(r"-?\d+", default):
            t, default = TypeRef(Kind.INTEGER), int(default)  # `limit` (default 50): a number, though untyped
        if has_default and not default_fits(default, t, ph.constraints):
            has_default, default = False, None
        out.append(RowSpec(name, _refine(t, values, ph.integer), required, flat(desc), ph.constraints, values, default, has_default,
                           ph.computed, span))
        if not sep:
            break
        s = s[sep.end():]
    return out


def specs_from_items(items: list[ListItem], file: str, *, required_default: bool | None = None) -> list[RowSpec]:
    out: list[RowSpec] = []
    for it in items:
        out.extend(specs_from_text(it.text, Span(file, it.line), required_default=required_default))
    return out
