"""Validation phrases → Constraints. One vocabulary for TS comments, field-table cells and prose rules.

Examples it must understand (all case-insensitive, inside ONE cell/comment/line):
  "2-100 chars", "1–200 characters", "Min 8 chars, 1 upper, 1 number", "max 255", "Max 10000 chars",
  "minLength 1, maxLength 128", "pattern `^2[0-9]{13}$`", "`^[A-Z]{2,10}$`", "format email",
  "Valid email format, max 255 chars", "1-100, default 1", "Integer, 5-480", "Percentage 0-100",
  "0.5-100, multiples of 0.5", "minItems 1, maxItems 10", "Max 10" (on an array: max_items),
  "enum `a`, `b`", "`low`, `medium`, `high`; default `medium`", "Exactly 64 hex chars",
  "14 digits", "3 uppercase letters", "1-10 entries, each max 120 chars", "≥ 0", "> 0",
  "default 25 (juvenile cards: 10)", "// Computed", "Computed: sum of ...".

How a number is read: the unit word after it decides first (chars/characters/letters/digits → length,
entries/items → item count), then the value's `kind` (STRING → length, ARRAY → item count, numbers → value
range). Without a kind, a bare number is a value bound ("1-100, default 1", "Percentage 0-100").
A phrase we cannot read yields nothing: a missing constraint is a gap the validator can report, a wrong
number is a false contradiction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from roundtrip.ir.types import NO_CONSTRAINTS, Constraints, Kind
from roundtrip.readers.composition import composition_pattern


@dataclass(frozen=True)
class Phrase:
    """What one validation phrase says about a value."""

    constraints: Constraints = NO_CONSTRAINTS
    values: tuple[str, ...] = ()  # enum values listed in the phrase
    default: Any = None
    has_default: bool = False
    computed: bool = False  # "Computed", "derived", "read-only"
    unique: bool = False
    integer: bool = False  # "Integer", "int"
    notes: tuple[str, ...] = field(default=())
    # "UUID, `me` or `none`": words the value may be instead of one of its format (`me` = the caller)
    aliases: tuple[str, ...] = ()


# A phrase is one table cell or one comment; anything longer is prose we should not mine for numbers.
_MAX_TEXT = 4000

_NUMERIC_KINDS = (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL)
# Kinds whose "max N" without a unit we can place; for DATE, BOOLEAN … a bare number means nothing we model.
_VALUE_KINDS = (None, *_NUMERIC_KINDS)
_BOUNDED_KINDS = (*_NUMERIC_KINDS, Kind.STRING, Kind.UUID, Kind.ENUM, Kind.ARRAY)

_LENGTH_UNITS = frozenset({"char", "chars", "character", "characters", "letter", "letters", "digit", "digits", "symbol", "symbols"})
_PLAIN_LENGTH_UNITS = frozenset({"char", "chars", "character", "characters"})
_EXACT_UNITS = frozenset({"chars", "characters", "letters", "digits", "symbols"})
_ITEM_UNITS = frozenset({"item", "items", "entry", "entries", "element", "elements", "value", "values", "tag", "tags"})
# Units that count something other than characters: on a string they are not a length we can express.
_NON_LENGTH_UNITS = frozenset({"word", "words", "line", "lines", "sentence", "sentences", "paragraph", "paragraphs",
                               "byte", "bytes", "kb", "mb", "gb", "emoji", "emojis"})
# Units of a measured value (time, size, money): never a length or an item count.
_MEASURE_UNITS = frozenset({"min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours", "s", "sec", "secs",
                            "second", "seconds", "ms", "day", "days", "week", "weeks", "month", "months", "year", "years",
                            "%", "percent", "px", "cm", "mm", "m", "km", "kg", "g", "usd", "eur", "cents"})
# Words that make "at least 1 X" a composition rule (password strength), not a length.
_COMPOSITION_WORDS = frozenset({"letter", "letters", "digit", "digits", "number", "numbers", "symbol", "symbols",
                                "special", "uppercase", "lowercase", "upper", "lower", "capital", "capitals",
                                "numeral", "numerals", "upper-case", "lower-case", "non-alphanumeric"})
_ADJECTIVES = ("uppercase", "lowercase", "upper-case", "lower-case", "hex", "hexadecimal", "alphanumeric", "numeric",
               "ascii", "unicode", "alphabetic", "latin", "printable", "decimal", "special")

_NUM = r"(-?\d+(?:\.\d+)?)"
# Optional adjectives then one unit word; group(1) adjectives, group(2) the unit.
_UNIT = r"\s*((?:(?:" + "|".join(re.escape(a) for a in _ADJECTIVES) + r")\s+){0,2})([a-z%][a-z-]*)?"

_RE_CODE = re.compile(r"`([^`]*)`")
_RE_QUOTE = re.compile(r"(?<![\w])'([^'\n]*)'(?![\w])|\"([^\"\n]*)\"|“([^”\n]*)”|‘([^’\n]*)’")
_RE_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
_RE_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_RE_SLASH_REGEX = re.compile(r"(?<!\S)/(\^[^/\s]*|[^/\s]*\$)/[a-z]*(?!\S)")

_KEYWORD_BOUNDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b{kw}\s*[:=]?\s*{_NUM}"), attr)
    for kw, attr in (
        (r"(?:minlength|min_length|min\s+length|minimum\s+length)", "min_length"),
        (r"(?:maxlength|max_length|max\s+length|maximum\s+length)", "max_length"),
        (r"(?:minitems|min_items|min\s+items)", "min_items"),
        (r"(?:maxitems|max_items|max\s+items)", "max_items"),
        (r"(?:exclusiveminimum|exclusive_minimum)", "exclusive_minimum"),
        (r"(?:exclusivemaximum|exclusive_maximum)", "exclusive_maximum"),
        (r"(?:multipleof|multiple_of|multiples?\s+of|in\s+steps\s+of|step)", "multiple_of"),
    )
)
_RE_BETWEEN = re.compile(rf"\bbetween\s+{_NUM}\s+and\s+{_NUM}{_UNIT}")
_RE_RANGE = re.compile(rf"(?<![\w.+/:#-]){_NUM}\s*(?:-|\s+to\s+|\.\.)\s*{_NUM}(?![\w.\-/:]){_UNIT}")
_RE_MAX = re.compile(rf"(?:\bmaximum|\bmax|\bat\s+most|\bup\s+to|\bno\s+more\s+than|\bless\s+than|\bfewer\s+than|<=|≤|<)\s*[:=]?\s*{_NUM}(?![\w.\-/:]){_UNIT}")
_RE_MIN = re.compile(rf"(?:\bminimum|\bmin|\bat\s+least|\bno\s+less\s+than|\bmore\s+than|\bgreater\s+than|>=|≥|>)\s*[:=]?\s*{_NUM}(?![\w.\-/:]){_UNIT}")
_RE_TRAILING = re.compile(rf"(?<![\w.+/:#-]){_NUM}(\+)?(?![\w.\-/:]){_UNIT}\s*(max|maximum|or\s+less|or\s+fewer|min|minimum|or\s+more)?\b")
_RE_EXACT = re.compile(rf"^(?:exactly\s+|length\s*[:=]?\s*)?{_NUM}(?![\w.\-/:]){_UNIT}\s*$")
_RE_EXACT_KW = re.compile(rf"\b(?:exactly|length\s*[:=]?)\s*{_NUM}(?![\w.\-/:]){_UNIT}")

_EXCLUSIVE_MAX = ("less than", "fewer than", "<")
_EXCLUSIVE_MIN = ("more than", "greater than", ">")

_RE_DEFAULT = re.compile(r"\bdefault(?:s)?(?:\s+(?:to|is|value|of)\b)?\s*[:=]?\s*")
_RE_ENUM_KW = re.compile(r"^(?:enum|one\s+of|values?|allowed(?:\s+values)?|either)\b\s*[:=]?\s*")
_NOT_VALUES = frozenset({"unique", "required", "optional", "nullable", "indexed", "immutable", "computed", "etc"})
_RE_IDENT = re.compile(r"^[A-Za-z0-9_][\w.\-]*$")
_RE_BARE_DEFAULT = re.compile(r"^([A-Za-z_][\w.\-]*(?:\x01)?|-?\d+(?:\.\d+)?)\s*\.?$")
_FORMAT_SHAPES = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "date-time": re.compile(r"^\d{4}-\d{2}-\d{2}[T ]"),
    "uuid": re.compile(r"^[0-9a-fA-F-]{36}$"),
    "email": re.compile(r"^[^@\s]+@[^@\s]+$"),
}
_SQL_NOW = frozenset({"now", "current_timestamp", "current_date", "current_time", "localtimestamp", "localtime"})
_CALL_MARK = "\x01"  # stands for "()" so `now()` is not split at its parentheses
# SQL-ish length checks inside a phrase: CHECK (char_length(name) <= 100), length(x) BETWEEN 1 AND 50
_RE_SQL_LENGTH_CMP = re.compile(r"\b(?:char_length|character_length|length)\s*\(\s*[\w.\"]+\s*\)\s*(<=|<|>=|>|=)\s*(\d+)", re.I)
_RE_SQL_LENGTH_BETWEEN = re.compile(r"\b(?:char_length|character_length|length)\s*\(\s*[\w.\"]+\s*\)\s+between\s+(\d+)\s+and\s+(\d+)", re.I)


def parse_phrase(text: str, *, kind: Kind | None = None) -> Phrase:
    """Parse one validation phrase. `kind` is the value's type when known (STRING, INTEGER, ARRAY …):
    it decides whether "max 10" is a length, a maximum or an item count."""
    if not isinstance(text, str) or not text.strip():
        return Phrase()
    return _PhraseParser(text[:_MAX_TEXT], kind).parse()


class _PhraseParser:
    def __init__(self, text: str, kind: Kind | None) -> None:
        self.text = text
        self.kind = kind
        self.c: dict[str, Any] = {}  # constraint values; the first statement wins
        self.exact: list[tuple[str, int]] = []  # ("length"|"items", n) from "14 digits": applied only if nothing else bounds it
        self.enum_candidates: list[tuple[str, bool]] = []  # (value, was quoted)
        self.last_value: str | None = None
        self.enum_keyword = False
        self.masked = ""
        self.default: Any = None
        self.has_default = False
        self.computed = False
        self.unique = False
        self.integer = False
        self.notes: list[str] = []
        self.aliases: tuple[str, ...] = ()
        self.slots: list[tuple[str, str]] = []  # placeholder index -> ("code"|"quote", content)

    # ---------------------------------------------------------------- driver
    def parse(self) -> Phrase:
        masked = self.masked = self._mask(self._normalize(self.text))
        clauses = [c.strip() for c in re.split(r"[,;()\[\]\n]|\.(?:\s|$)", masked)]
        plain_all = self._unmask(masked).lower()
        self.integer = bool(re.search(r"\b(?:integer|int(?:32|64)?|whole\s+number)\b", plain_all))
        self.kind = self._effective_kind()
        self._formats(plain_all)
        in_enum = False
        for clause in clauses:
            if not clause:
                continue
            in_enum = self._clause(clause, in_enum)
        self._patterns_from_slots()
        if "pattern" not in self.c and self.kind in (None, Kind.STRING):
            # "1 upper, 1 lower, 1 number": a composition rule is a pattern (an explicit one wins)
            composed = composition_pattern(self._unmask(masked))
            if composed:
                self.c["pattern"] = composed
        self._apply_exact()
        return self._result()

    def _normalize(self, text: str) -> str:
        t = text.replace("\u00a0", " ").replace("–", "-").replace("—", "-").replace("−", "-")
        t = re.sub(r"<br\s*/?>", ";", t, flags=re.I)
        t = t.replace("**", "").replace("__", "")
        t = re.sub(r"\be\.g\.?(?=\s|,|:|$)", "eg", t, flags=re.I)
        t = re.sub(r"\bi\.e\.?(?=\s|,|:|$)", "ie", t, flags=re.I)
        t = re.sub(r"\b(max|min|approx)\.", r"\1", t, flags=re.I)
        t = re.sub(r"(\w)\(\s*\)", lambda m: m.group(1) + _CALL_MARK, t)
        return self._sql_lengths(t)

    def _sql_lengths(self, t: str) -> str:
        """Read `char_length(x) <= N` checks before parentheses split the phrase; blank them out."""
        for m in _RE_SQL_LENGTH_BETWEEN.finditer(t):
            self.c.setdefault("min_length", int(m.group(1)))
            self.c.setdefault("max_length", int(m.group(2)))
        t = _RE_SQL_LENGTH_BETWEEN.sub(" ", t)
        for m in _RE_SQL_LENGTH_CMP.finditer(t):
            op, n = m.group(1), int(m.group(2))
            if op in ("<=", "<"):
                self.c.setdefault("max_length", n - 1 if op == "<" else n)
            elif op in (">=", ">"):
                self.c.setdefault("min_length", n + 1 if op == ">" else n)
            else:
                self.c.setdefault("min_length", n)
                self.c.setdefault("max_length", n)
        return _RE_SQL_LENGTH_CMP.sub(" ", t)

    def _mask(self, text: str) -> str:
        """Hide backtick spans and quoted strings so their commas and digits are not read as phrase syntax."""

        def keep(kind: str, content: str) -> str:
            self.slots.append((kind, content))
            return f" \x00{len(self.slots) - 1}\x00 "

        t = _RE_CODE.sub(lambda m: keep("code", m.group(1)), text)
        t = _RE_SLASH_REGEX.sub(lambda m: keep("regex", m.group(1)), t)
        t = _RE_QUOTE.sub(lambda m: keep("quote", next(g for g in m.groups() if g is not None)), t)
        return _RE_THOUSANDS.sub("", t)

    def _unmask(self, text: str) -> str:
        return _RE_PLACEHOLDER.sub(lambda m: self.slots[int(m.group(1))][1], text).replace(_CALL_MARK, "()")

    def _effective_kind(self) -> Kind | None:
        if self.kind is not None:
            return self.kind
        if self.integer:
            return Kind.INTEGER
        return None

    # ---------------------------------------------------------------- one clause
    def _clause(self, clause: str, in_enum: bool) -> bool:
        """Read one comma/semicolon-separated clause; returns whether an enum list continues after it."""
        low = clause.lower().strip()
        if re.match(r"^(?:eg|ie|example|examples|for\s+example|such\s+as|like)\b", low):
            self.notes.append(self._unmask(clause).strip())
            return False
        if re.match(r"^(?:computed|derived|calculated|auto-?calculated)\b", low):
            self.computed = True
            return False
        if low == "default" and self.last_value is not None:
            self._set_default(self.last_value)  # "`active` (default), `archived`"
            return in_enum
        if in_enum and self._enum_item(clause):
            return True
        m = _RE_ENUM_KW.match(low)
        if m and self._enum_list(clause[m.end():], keyword=True):
            return True
        if self._enum_list(clause, keyword=False):
            return False
        label = re.match(r"^[^:\x00]{0,40}:\s*(?=\x00)", clause)  # "Sort fields: `a`, `b`"
        if label and self._enum_list(clause[label.end():], keyword=False):
            return False
        d = _RE_DEFAULT.search(low)
        if d:
            self._default(clause[d.end():])
            low = low[: d.start()]
            if not low.strip():
                return False
        if (re.search(r"(?<!not )(?<!non-)\bunique\b", low) and not re.search(r"\bnon-?unique\b", low)
                and not re.search(r"\bunique\s+(?:identifier|id|key|name)\b", low)):
            if self.kind is Kind.ARRAY:
                self.c.setdefault("unique_items", True)
            else:
                self.unique = True
        if re.search(r"\buniqueitems\b", low):
            self.c.setdefault("unique_items", True)
        if re.search(r"\bnon-?negative\b", low):
            self.c.setdefault("minimum", 0)
        elif re.search(r"\bpositive\b", low):
            self.c.setdefault("exclusive_minimum", 0)
        self._numbers(low)
        return False

    # ---------------------------------------------------------------- numbers
    def _numbers(self, low: str) -> None:
        each = bool(re.search(r"\beach\b|\bper\s+(?:item|entry|element)\b", low))
        work = _RE_PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), low)
        for rx, attr in _KEYWORD_BOUNDS:
            for m in rx.finditer(work):
                key = attr
                if attr in ("min_length", "max_length") and (each or self.kind is Kind.ARRAY or re.search(r"\bitems?\s*$", work[: m.start()])):
                    key = "item_" + attr  # "items maxLength 120": arrays have no length of their own
                self._set_number(key, m.group(1))
                work = _blank(work, m)
        for m in list(_RE_BETWEEN.finditer(work)) + list(_RE_RANGE.finditer(work)):
            lo, hi, adj, unit = m.group(1), m.group(2), m.group(3), m.group(4)
            if _num(lo) is None or _num(hi) is None or _num(lo) > _num(hi):  # type: ignore[operator]
                continue
            target = self._target(unit, adj, "range", each)
            self._bound(target, "min", lo, unit)
            self._bound(target, "max", hi, unit)
            work = _blank(work, m)
        for rx, side in ((_RE_MAX, "max"), (_RE_MIN, "min")):
            for m in rx.finditer(work):
                op = m.group(0)[: m.start(1) - m.start(0)].strip()
                target = self._target(m.group(3), m.group(2), side, each)
                exclusive = op.startswith(_EXCLUSIVE_MAX if side == "max" else _EXCLUSIVE_MIN) and not op.startswith(("<=", ">="))
                if exclusive and target == "value":
                    self._set_number("exclusive_maximum" if side == "max" else "exclusive_minimum", m.group(1))
                elif exclusive and target is not None:
                    n = _int(m.group(1))
                    if n is not None:
                        self._bound(target, side, str(n - 1 if side == "max" else n + 1), m.group(3))
                else:
                    self._bound(target, side, m.group(1), m.group(3))
                work = _blank(work, m)
        m_exact = _RE_EXACT.match(work.strip()) or _RE_EXACT_KW.search(work)
        if m_exact:
            explicit = bool(re.match(r"\s*(?:exactly|length)\b", m_exact.group(0)))
            unit = m_exact.group(3)
            target = self._target(unit, m_exact.group(2), "exact", each)
            n = _int(m_exact.group(1))
            if n is not None and target in ("length", "items", "item_length") and (explicit or (unit or "") in _EXACT_UNITS or (unit or "") in _ITEM_UNITS):
                self.exact.append((target, n))
                work = _blank(work, m_exact)
        for m in _RE_TRAILING.finditer(work):
            word = (m.group(5) or "").strip()
            if not word and not m.group(2):
                continue
            side = "min" if m.group(2) or word in ("min", "minimum", "or more") else "max"
            target = self._target(m.group(4), m.group(3), side, each)
            self._bound(target, side, m.group(1), m.group(4))

    def _target(self, unit: str | None, adjectives: str | None, side: str, each: bool) -> str | None:
        """Which constraint a number belongs to: "length", "items", "item_length", "value", or None (unknown)."""
        unit = (unit or "").strip()
        adjectives = (adjectives or "").strip()
        if self.kind is not None and self.kind not in _BOUNDED_KINDS:
            return None  # "text (max 1000 chars)" on an object-typed field describes a part of it, not the field
        if side == "min" and (unit in _COMPOSITION_WORDS or any(a in _COMPOSITION_WORDS for a in adjectives.split())):
            return None  # "at least 1 uppercase letter": a password composition rule
        if side == "min" and adjectives and unit not in _PLAIN_LENGTH_UNITS:
            return None
        if unit in _LENGTH_UNITS:
            if self.kind in _NUMERIC_KINDS:
                return None
            return "item_length" if (each or self.kind is Kind.ARRAY) else "length"
        if unit in _ITEM_UNITS:
            return "items"
        if self.kind is Kind.ARRAY:
            # "max 10 labels" counts items; "≥ 15 min" measures something else.
            if unit in _MEASURE_UNITS or unit in _NON_LENGTH_UNITS:
                return None
            return "item_length" if each else "items"
        if self.kind in (Kind.STRING, Kind.UUID, Kind.ENUM):
            # On a string only a bare number or a character unit is a length ("max 12 h after startAt" is not).
            return "length" if not unit else None
        if self.kind in _VALUE_KINDS:
            return "value"
        return None

    def _bound(self, target: str | None, side: str, raw: str, unit: str | None) -> None:
        if target is None:
            return
        if target == "value":
            self._set_number("minimum" if side == "min" else "maximum", raw)
            return
        n = _int(raw)
        if n is None or n < 0:
            return
        attr = {"length": "{}_length", "items": "{}_items", "item_length": "item_{}_length"}[target].format(side)
        self.c.setdefault(attr, n)

    def _set_number(self, attr: str, raw: str) -> None:
        n = _num(raw)
        if n is None:
            return
        if attr.endswith(("_length", "_items")):
            if not isinstance(n, int) or n < 0:
                return
        self.c.setdefault(attr, n)

    def _apply_exact(self) -> None:
        for target, n in self.exact:
            lo, hi = {"length": ("min_length", "max_length"), "items": ("min_items", "max_items"),
                      "item_length": ("item_min_length", "item_max_length")}[target]
            # "Min 8 chars, 2 digits": an explicit bound already says what the count means; don't contradict it.
            if lo in self.c or hi in self.c:
                continue
            self.c[lo] = n
            self.c[hi] = n

    # ---------------------------------------------------------------- enums, defaults, patterns, formats
    def _enum_list(self, clause: str, *, keyword: bool) -> bool:
        """`a`, `b` | `c` (or, after an enum keyword, bare words) as the whole clause: collect enum values.
        Without a keyword they only count if the phrase lists at least two (see _result)."""
        parts = [p.strip() for p in re.split(r"\s*(?:\||/|\bor\b|\band\b)\s*", clause.strip()) if p.strip()]
        if not parts:
            return False
        items: list[tuple[str, bool]] = []
        for p in parts:
            m = _RE_PLACEHOLDER.fullmatch(p)
            if m:
                kind, content = self.slots[int(m.group(1))]
                if kind == "regex" or (kind == "code" and _looks_like_regex(content)):
                    return False
                if kind == "quote" and not keyword:
                    return False
                items.append((content.strip(), True))
            elif keyword and _RE_IDENT.match(p) and p.lower() not in _NOT_VALUES:
                items.append((p, False))
            else:
                return False
        if keyword:
            self.enum_keyword = True
        for value, quoted in items:
            if value and value not in [v for v, _ in self.enum_candidates]:
                self.enum_candidates.append((value, quoted))
        self.last_value = items[-1][0] if items else None
        return True

    def _enum_item(self, clause: str) -> bool:
        return self._enum_list(clause, keyword=True)

    def _default(self, rest: str) -> None:
        rest = rest.strip()
        m = _RE_PLACEHOLDER.match(rest)
        if m:
            kind, content = self.slots[int(m.group(1))]
            value: Any = content if kind == "quote" else _literal(content)
            self._set_default(value)
            return
        b = _RE_BARE_DEFAULT.match(rest)
        if b and not b.group(1).endswith(_CALL_MARK) and b.group(1).lower() not in _SQL_NOW:
            self._set_default(_literal(b.group(1)))
            return
        # `DEFAULT now()` / `gen_random_uuid()`: computed by the server, not a value a client could send.
        self.notes.append("default " + self._unmask(rest).strip())

    def _set_default(self, value: Any) -> None:
        if self.has_default:
            return
        if isinstance(value, str):
            value = value.replace(_CALL_MARK, "()")
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if self.kind in _NUMERIC_KINDS and not (is_number or value is None):
            self.notes.append(f"default {value}")
            return  # "defaults to caller" on a number is a rule, not a value
        if self.kind is Kind.BOOLEAN and not isinstance(value, bool) and value is not None:
            self.notes.append(f"default {value}")
            return
        if self.kind is Kind.STRING and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        self.default = value
        self.has_default = True

    def _patterns_from_slots(self) -> None:
        for kind, content in self.slots:
            if kind == "regex" or (kind == "code" and _looks_like_regex(content)):
                self.c.setdefault("pattern", content)
        if "pattern" not in self.c:
            # "pattern `[A-Z]+`" / "regex: `…`" names a pattern even without anchors.
            m = re.search(r"\b(?:pattern|regex|regexp|matches)\s*[:=]?\s*\x00(\d+)\x00", self.masked.lower())
            if m:
                self.c["pattern"] = self.slots[int(m.group(1))][1]

    def _formats(self, plain: str) -> None:
        if self.kind in _NUMERIC_KINDS or self.kind is Kind.BOOLEAN:
            return
        fmt = None
        m = re.search(r"\bformat\s*[:=]?\s*([a-z][a-z0-9-]*)", plain)
        if m and m.group(1) in ("email", "uri", "url", "uuid", "date", "date-time", "datetime", "time", "ipv4", "ipv6", "hostname", "byte", "binary", "password"):
            fmt = {"url": "uri", "datetime": "date-time"}.get(m.group(1), m.group(1))
        elif re.search(r"\bvalid\s+e-?mail\b|\be-?mail\s+(?:format|address)\b|^\s*e-?mail\s*$|\brfc\s*5322\b", plain):
            fmt = "email"
        elif re.search(r"\byyyy-mm-dd\b(?!\s*[t ]\s*hh)(?!t)", plain) and "hh" not in plain:
            fmt = "date"
        elif re.search(r"\biso[\s-]?8601\b|\biso\s+(?:date|datetime|timestamp)\b|\brfc\s*3339\b|\bdate-time\b", plain):
            fmt = "date-time"
        elif re.search(r"\buuid(?:\s*v?4|v\d)?\b", plain):
            fmt = "uuid"
        elif re.search(r"\bvalid\s+(?:url|uri)\b|\b(?:url|uri)\s+format\b|^\s*(?:https?\s+)?(?:url|uri)\s*$", plain):
            fmt = "uri"
        elif re.search(r"\bipv4\b", plain):
            fmt = "ipv4"
        elif re.search(r"\bipv6\b", plain):
            fmt = "ipv6"
        if fmt:
            self.c.setdefault("format", fmt)
            if self.kind is None:
                self.kind = Kind.STRING  # "Valid email, max 255" bounds a length

    # ---------------------------------------------------------------- result
    def _values(self) -> tuple[str, ...]:
        values = [v for v, _ in self.enum_candidates]
        quoted = any(q for _, q in self.enum_candidates)
        if self.computed:
            return ()  # "Computed: `a`, `b`" names the inputs, not allowed values
        if "format" in self.c and values:
            # "UUID, `me` or `none`": special words beside a format, not a closed list
            self.notes.append("also accepts " + ", ".join(values))
            # words (`me`, `none`), not a spelling of the format itself (`YYYY-MM-DD`)
            self.aliases = tuple(v for v in values if re.fullmatch(r"[a-z][a-z0-9_]*", v) and v != self.c["format"])
            return ()
        if self.enum_keyword:
            # "enum MaterialFormat" names a type; bare words count only as a list of two or more
            return tuple(values) if quoted or len(values) >= 2 else ()
        return tuple(values) if len(values) >= 2 else ()

    def _default_fits_format(self) -> bool:
        """"format date, default today": a word where the format needs a value is a rule, not a default."""
        fmt, value = self.c.get("format"), self.default
        if not isinstance(value, str) or fmt not in _FORMAT_SHAPES:
            return True
        return bool(_FORMAT_SHAPES[fmt].match(value))

    def _result(self) -> Phrase:
        if self.has_default and not self._default_fits_format():
            self.notes.append(f"default {self.default}")
            self.default, self.has_default = None, False
        c = Constraints(**{k: v for k, v in self.c.items() if k in Constraints.__dataclass_fields__})
        values = self._values()
        return Phrase(
            constraints=c,
            values=values,
            aliases=self.aliases,
            default=self.default,
            has_default=self.has_default,
            computed=self.computed,
            unique=self.unique,
            integer=self.integer,
            notes=tuple(" ".join(n.split()) for n in self.notes if n.strip()),
        )


def _blank(s: str, m: re.Match[str]) -> str:
    return s[: m.start()] + " " * (m.end() - m.start()) + s[m.end():]


def _num(raw: str | None) -> int | float | None:
    if raw is None:
        return None
    try:
        if re.fullmatch(r"-?\d+", raw):
            return int(raw)
        f = float(raw)
    except (ValueError, OverflowError):
        return None
    if f != f or f in (float("inf"), float("-inf")):
        return None
    return f


def _int(raw: str | None) -> int | None:
    n = _num(raw)
    return n if isinstance(n, int) else None


def _literal(raw: str) -> Any:
    s = raw.strip()
    low = s.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    if low in ("null", "none"):
        return None
    n = _num(s) if re.fullmatch(r"-?\d+(?:\.\d+)?", s) else None
    return n if n is not None else s


def _looks_like_regex(content: str) -> bool:
    c = content.strip()
    return len(c) > 1 and (c.startswith("^") or (c.endswith("$") and not c.startswith("$")))
