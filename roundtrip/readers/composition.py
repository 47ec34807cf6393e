"""Password composition phrases → one regular expression every validator in the chain can run.

    "Min 8 chars, 1 upper, 1 lower, 1 number"        → [A-Z].*[a-z].*[0-9]|[A-Z].*[0-9].*[a-z]|…
    "at least one uppercase letter and one digit"    → [A-Z].*[0-9]|[0-9].*[A-Z]
    "must contain a number"                          → [0-9]

Why permutations and not lookaheads (`^(?=.*[A-Z])(?=.*\\d)`): the pattern lands in the compiled OpenAPI and
from there in the generated app's pydantic models, whose default (Rust) regex engine rejects look-around; an
alternation of the orders the required characters can appear in means the same thing (JSON Schema patterns
are unanchored: "contains a match") and runs on ECMA, Python and Rust engines alike.

A mention is a count ("1", "one", "a", "at least 2") then a character class word ("upper", "uppercase letter",
"digit", "number", "special character"). One mention alone counts only with a cue that it is a rule
("must contain a number", "at least one letter"): "must be a number" or "3 uppercase letters" (an exact
length) are not composition rules. Negated mentions ("no symbols") and alternatives ("a number or a symbol")
are left alone: a wrong pattern would refuse valid input.
"""

from __future__ import annotations

import re
from itertools import permutations

UPPER, LOWER, LETTER, DIGIT, SPECIAL = "[A-Z]", "[a-z]", "[A-Za-z]", "[0-9]", "[^A-Za-z0-9]"

_COUNT = r"(?P<count>(?:at\s+least|min(?:imum)?\.?|no\s+fewer\s+than)\s+(?:\d+|one|two|three|an?)|\d+|one|two|three|an?)"
_ADJ = r"(?P<adj>upper[\s-]?case|lower[\s-]?case|upper|lower|capital|special|non[\s-]?alphanumeric|numeric|alphabetic)"
_CLS = (r"(?P<cls>letters?|characters?|chars?|numbers?|digits?|numerals?|symbols?|upper[\s-]?case|lower[\s-]?case"
        r"|upper|lower|capitals?|specials?)")
# count? adjective? class — the count is optional only after a cue ("must contain uppercase and lowercase letters")
_MENTION = re.compile(rf"(?:\b{_COUNT}\s+)?(?:\b{_ADJ}\s+)?\b{_CLS}\b(?!\s+of\b)", re.I)
_CUE = re.compile(r"\b(?:contains?|containing|includes?|including|requires?|required|must\s+have|must\s+include|with|"
                  r"has|have|at\s+least|minimum\s+of|mix(?:ture)?\s+of|combination\s+of)\b", re.I)
_NEGATION = re.compile(r"\b(?:no|not|without|never|nor)\b[^,;.]{0,25}$", re.I)
_WORDS = {"one": 1, "a": 1, "an": 1, "two": 2, "three": 3}
_MAX_ELEMENTS = 5  # 5! orders at most; a longer rule is left to the prose


def composition_pattern(text: str) -> str | None:
    """The pattern a composition phrase states, or None when the text states none (or one we cannot read)."""
    if not isinstance(text, str) or not text.strip():
        return None
    need: dict[str, int] = {}
    cued = False
    for sentence in re.split(r"[.;\n]\s+|[.;\n]$", text):
        found = _mentions(sentence)
        if found is None:
            return None
        for cls, count, with_cue in found:
            need[cls] = max(need.get(cls, 0), count)
            cued = cued or with_cue
        if re.search(r"\bmixed[\s-]case\b", sentence, re.I):
            need.setdefault(UPPER, 1)
            need.setdefault(LOWER, 1)
            cued = True
    if not need or not (cued or sum(need.values()) >= 2):
        return None
    if LETTER in need and (UPPER in need or LOWER in need):
        need.pop(LETTER)  # "a letter" is implied by "an uppercase letter"
    elements = [cls for cls in (UPPER, LOWER, LETTER, DIGIT, SPECIAL) for _ in range(need.get(cls, 0))]
    if not elements or len(elements) > _MAX_ELEMENTS:
        return None
    orders = sorted(set(permutations(elements)), key=lambda o: [elements.index(c) for c in o])
    return "|".join(".*".join(o) for o in orders)


def _mentions(sentence: str) -> list[tuple[str, int, bool]] | None:
    """(class, count, stated as a rule) for each mention in one sentence; None when the sentence is an
    alternative between classes ("a number or a symbol"), which one pattern of required classes cannot say."""
    out: list[tuple[str, int, bool]] = []
    cue = _CUE.search(sentence)
    previous_end = None
    for m in _MENTION.finditer(sentence):
        cls = _class(m.group("adj"), m.group("cls"))
        if cls is None:
            continue
        raw = (m.group("count") or "").lower()
        before = sentence[: m.start()]
        if _NEGATION.search(before):
            continue
        if previous_end is not None and re.search(r"\bor\b", sentence[previous_end : m.start()], re.I):
            return None
        at_least = bool(re.match(r"(?:at\s+least|min|no\s+fewer)", raw))
        number = re.search(r"\d+|one|two|three|an?$", raw)
        count = 1 if not number else int(number.group(0)) if number.group(0).isdigit() else _WORDS[number.group(0)]
        after_cue = cue is not None and cue.start() < m.start()
        if not raw and not after_cue:
            continue  # a bare class word ("digits") without a rule around it
        if count > 1 and not at_least:
            continue  # "3 uppercase letters" is an exact length, "2 digits" ambiguous
        if count > 4:
            continue
        out.append((cls, count, at_least or after_cue))
        previous_end = m.end()
    return out


def _class(adj: str | None, cls: str) -> str | None:
    a = re.sub(r"[\s-]", "", (adj or "").lower())
    c = re.sub(r"[\s-]", "", cls.lower()).rstrip("s")
    if a in ("upper", "uppercase", "capital") or c in ("upper", "uppercase", "capital"):
        return UPPER
    if a in ("lower", "lowercase") or c in ("lower", "lowercase"):
        return LOWER
    if a in ("special", "nonalphanumeric") or c in ("symbol", "special"):
        return SPECIAL
    if a == "numeric" or c in ("number", "digit", "numeral"):
        return DIGIT
    if c == "letter" or (a == "alphabetic" and c in ("char", "character")):
        return LETTER
    return None  # "8 characters" is a length
