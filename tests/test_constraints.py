"""parse_phrase: the validation-phrase vocabulary shared by TS comments, field tables and prose rules."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roundtrip.ir.types import Constraints, Kind
from roundtrip.readers.constraints import Phrase, parse_phrase
from tests.conftest import example_dir


def c(**kw: Any) -> Constraints:
    return Constraints(**kw)


# (phrase, kind, expected constraints)
CONSTRAINT_CASES: list[tuple[str, Kind | None, Constraints]] = [
    ("2-100 chars", None, c(min_length=2, max_length=100)),
    ("1–100 chars", None, c(min_length=1, max_length=100)),
    ("1–200 characters", None, c(min_length=1, max_length=200)),
    ("Valid email format, max 255 chars, globally unique", None, c(max_length=255, format="email")),
    ("Min 8 chars, at least 1 letter and 1 number", None, c(min_length=8, pattern="[A-Za-z].*[0-9]|[0-9].*[A-Za-z]")),
    ("Min 8 chars, 1 upper, 1 number", None, c(min_length=8, pattern="[A-Z].*[0-9]|[0-9].*[A-Z]")),
    ("Min 8 chars, 2 digits", None, c(min_length=8)),
    ("2-10 uppercase letters `^[A-Z]{2,10}$`, unique per tenant", None, c(min_length=2, max_length=10, pattern="^[A-Z]{2,10}$")),
    ("Max 10, labels of same tenant", Kind.ARRAY, c(max_items=10)),
    ("Exactly 64 hex chars", None, c(min_length=64, max_length=64)),
    ("1-100, default 1", None, c(minimum=1, maximum=100)),
    ("1-100, default 1", Kind.INTEGER, c(minimum=1, maximum=100)),
    ("0.5-100, multiples of 0.5, default 1", None, c(minimum=0.5, maximum=100, multiple_of=0.5)),
    ("Percentage 0-100", None, c(minimum=0, maximum=100)),
    ("Integer, 5-480", None, c(minimum=5, maximum=480)),
    ("minLength 1, maxLength 128", None, c(min_length=1, max_length=128)),
    ("pattern `^2[0-9]{13}$`", None, c(pattern="^2[0-9]{13}$")),
    ("format email", None, c(format="email")),
    ("minItems 1, maxItems 50, unique", Kind.ARRAY, c(min_items=1, max_items=50, unique_items=True)),
    ("minimum 0, default 2500", None, c(minimum=0)),
    ("minimum 1450, maximum current year", None, c(minimum=1450)),
    ("14 digits, starts with '2' (Codabar patron barcode), unique", None, c(min_length=14, max_length=14)),
    ("3 uppercase letters, unique ('CEN', 'NOR', 'RIV')", None, c(min_length=3, max_length=3)),
    ("1-10 entries, 'Last, First', each max 120 chars", None, c(min_items=1, max_items=10, item_max_length=120)),
    ("1-10 entries, 'Last, First', each max 120 chars", Kind.ARRAY, c(min_items=1, max_items=10, item_max_length=120)),
    ("≥ 0", None, c(minimum=0)),
    ("> 0", None, c(exclusive_minimum=0)),
    ("Max 2000 chars", None, c(max_length=2000)),
    ("Max 10000 chars", None, c(max_length=10000)),
    ("Max 10,000 chars", None, c(max_length=10000)),
    ("max 20 chars, e.g. '3' or 'Mezzanine'", None, c(max_length=20)),
    ("1-5000 chars, Markdown", None, c(min_length=1, max_length=5000)),
    ("max 255", Kind.STRING, c(max_length=255)),
    ("max 255", Kind.INTEGER, c(maximum=255)),
    ("2-100", Kind.STRING, c(min_length=2, max_length=100)),
    ("2-10 options; required for single_choice", Kind.ARRAY, c(min_items=2, max_items=10)),
    ("Between 1 and 50 characters", None, c(min_length=1, max_length=50)),
    ("8+ characters", None, c(min_length=8)),
    ("255 chars max", None, c(max_length=255)),
    ("less than 100", None, c(exclusive_maximum=100)),
    ("integer cents, > 0", None, c(exclusive_minimum=0)),
    ("ISO 8601", Kind.STRING, c(format="date-time")),
    ("ISO date", None, c(format="date-time")),
    ("'YYYY-MM-DD'", None, c(format="date")),
    ("UUID", Kind.STRING, c(format="uuid")),
    ("Valid email, unique, max 255 chars", Kind.STRING, c(max_length=255, format="email")),
    # things that must NOT produce numbers
    ("2024-01-15", None, c()),
    ("1-based; default: appended at the end", Kind.INTEGER, c()),
    ("1..exam.maxAttempts", Kind.INTEGER, c()),
    ("0 once expired", Kind.INTEGER, c()),
    ("optionIds for choice/true_false, text (max 1000 chars) for short_answer", Kind.REF, c()),
    ("at least 1 uppercase", Kind.STRING, c(pattern="[A-Z]")),
    ("max 500 words", Kind.STRING, c()),
    ("ISO 8601", Kind.INTEGER, c()),
]


@pytest.mark.parametrize(("text", "kind", "expected"), CONSTRAINT_CASES, ids=[f"{t}|{k}" for t, k, _ in CONSTRAINT_CASES])
def test_constraints(text: str, kind: Kind | None, expected: Constraints) -> None:
    assert parse_phrase(text, kind=kind).constraints == expected


def test_enum_values_and_default() -> None:
    p = parse_phrase("`low`, `medium`, `high`, `urgent`; default `medium`")
    assert p.values == ("low", "medium", "high", "urgent")
    assert p.has_default and p.default == "medium"


def test_enum_keyword_with_backticks() -> None:
    p = parse_phrase("enum `email`, `sms`, `none`; default `email`")
    assert p.values == ("email", "sms", "none")
    assert p.default == "email"


def test_enum_keyword_with_bare_words() -> None:
    p = parse_phrase("one of: draft, published, archived; default draft")
    assert p.values == ("draft", "published", "archived")
    assert p.default == "draft"


def test_single_backtick_is_not_an_enum() -> None:
    assert parse_phrase("see `users.id`").values == ()


def test_quoted_examples_are_not_enum_values() -> None:
    p = parse_phrase("3 uppercase letters, unique ('CEN', 'NOR', 'RIV')")
    assert p.values == ()
    assert p.unique


def test_unique_and_integer_flags() -> None:
    assert parse_phrase("Valid email format, max 255 chars, globally unique").unique
    assert parse_phrase("14 digits, starts with '2' (Codabar patron barcode), unique").unique
    assert not parse_phrase("minItems 1, maxItems 50, unique", kind=Kind.ARRAY).unique  # unique_items instead
    assert not parse_phrase("non-unique label").unique
    assert parse_phrase("Integer, 5-480").integer
    assert parse_phrase("Integer 1-10, default 1").integer
    assert not parse_phrase("1-100 chars").integer


@pytest.mark.parametrize(
    ("text", "kind", "default"),
    [
        ("1-100, default 1", None, 1),
        ("0.5-100, multiples of 0.5, default 1", None, 1),
        ("minimum 0, default 2500", None, 2500),
        ("default 25 (juvenile cards: 10)", None, 25),
        ("Default false; randomizes question order per attempt", Kind.BOOLEAN, False),
        ("Percentage 0-100, default 60", None, 60),
        ("Defaults to 'user'", Kind.STRING, "user"),
        ("default null", None, None),
    ],
)
def test_defaults(text: str, kind: Kind | None, default: Any) -> None:
    p = parse_phrase(text, kind=kind)
    assert p.has_default
    assert p.default == default and type(p.default) is type(default)


def test_unreadable_default_is_not_guessed() -> None:
    p = parse_phrase("1-based; default: appended at the end", kind=Kind.INTEGER)
    assert not p.has_default
    assert any("appended" in n for n in p.notes)


def test_computed() -> None:
    assert parse_phrase("Computed").computed
    p = parse_phrase("Computed: sum of question points")
    assert p.computed and p.constraints.is_empty()
    assert not parse_phrase("1-100 chars").computed


def test_example_clause_becomes_a_note() -> None:
    p = parse_phrase("max 20 chars, e.g. '3' or 'Mezzanine'")
    assert p.notes == ("eg 3 or Mezzanine",)


def test_empty_and_blank() -> None:
    assert parse_phrase("") == Phrase()
    assert parse_phrase("   ") == Phrase()


# Trailing comments in the real example docs: (file, line, kind) -> expected constraints.
EXAMPLE_COMMENTS: list[tuple[str, str, int, Kind, Constraints]] = [
    ("exams", "api-specification.md", 52, Kind.STRING, c(min_length=2, max_length=100)),
    ("exams", "api-specification.md", 155, Kind.STRING, c(min_length=3, max_length=200)),
    ("exams", "api-specification.md", 157, Kind.FLOAT, c(minimum=5, maximum=480)),
    ("exams", "api-specification.md", 276, Kind.FLOAT, c(minimum=0.5, maximum=100, multiple_of=0.5)),
    ("library", "technical/backend-spec.md", 109, Kind.ARRAY, c(min_items=1, max_items=10, item_max_length=120)),
    ("library", "technical/backend-spec.md", 185, Kind.FLOAT, c(exclusive_minimum=0)),
    ("taskboard", "API_SPEC.md", 236, Kind.STRING, c(min_length=64, max_length=64)),
]


@pytest.mark.parametrize(("key", "rel", "line", "kind", "expected"), EXAMPLE_COMMENTS)
def test_phrases_from_example_docs(key: str, rel: str, line: int, kind: Kind, expected: Constraints) -> None:
    text = (example_dir(key) / rel).read_text(encoding="utf-8").splitlines()[line - 1]
    phrase = text.split("//", 1)[1] if "//" in text else text.rstrip(" |").rsplit("|", 1)[-1]
    assert parse_phrase(phrase, kind=kind).constraints == expected


@settings(max_examples=400, deadline=None)
@given(st.text(), st.sampled_from([None, *Kind]))
def test_never_raises_on_arbitrary_text(text: str, kind: Kind | None) -> None:
    assert isinstance(parse_phrase(text, kind=kind), Phrase)


PHRASE_ALPHABET = st.sampled_from(
    ["max", "min", "default", "`", "'", "-", "–", "..", "1", "10", "0.5", ",", ";", "(", ")", "chars", "items", "each",
     "unique", "≥", ">", "<", "enum", "one of", "exactly", "between", "and", "^", "$", " ", "pattern", "e.g.", "computed"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PHRASE_ALPHABET, max_size=25).map("".join), st.sampled_from([None, Kind.STRING, Kind.ARRAY, Kind.INTEGER]))
def test_never_raises_on_phrase_like_text(text: str, kind: Kind | None) -> None:
    cons = parse_phrase(text, kind=kind).constraints
    # Lengths and item counts are always non-negative integers, whatever the text says.
    for name in ("min_length", "max_length", "min_items", "max_items", "item_min_length", "item_max_length"):
        value = getattr(cons, name)
        assert value is None or (isinstance(value, int) and value >= 0)


# Cells seen in the example docs' field and column tables (other readers pass them here).
@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("NULL, CHECK (char_length(description) <= 2000)", None, c(max_length=2000)),
        ("NOT NULL, CHECK (char_length(body) BETWEEN 1 AND 5000)", None, c(min_length=1, max_length=5000)),
        ("NOT NULL, CHECK (duration_minutes BETWEEN 5 AND 480)", Kind.INTEGER, c(minimum=5, maximum=480)),
        ("minItems 1, maxItems 10, items maxLength 120", Kind.ARRAY, c(min_items=1, max_items=10, item_max_length=120)),
        ("ISO 8601, after startAt, on a 15-minute boundary, max 12 h after startAt", Kind.STRING, c(format="date-time")),
        ("gaps within opening hours, ≥ 15 min", Kind.ARRAY, c()),
        ("ISO 639-1, default 'en'", Kind.STRING, c()),
        ("UUID v4, CHAR(36); prefix of the opaque token 'rt_<id>.<secret>'", Kind.STRING, c(format="uuid")),
    ],
)
def test_table_cells(text: str, kind: Kind | None, expected: Constraints) -> None:
    assert parse_phrase(text, kind=kind).constraints == expected


@pytest.mark.parametrize(
    ("text", "kind", "values", "default"),
    [
        ("Sort fields: `name`, `createdAt`, `updatedAt`", None, ("name", "createdAt", "updatedAt"), "-"),
        ("`active` (default), `archived`", None, ("active", "archived"), "active"),
        ("Computed: `activeLoans`, `overdueLoans`", None, (), "-"),
        ("UUID, `me` or `none`", Kind.STRING, (), "-"),  # extra words beside a format are not a closed list
        ("enum MaterialFormat, default `book`", Kind.STRING, (), "book"),  # names a type, not a value
        ("format date, default today", Kind.STRING, (), "-"),
        ("defaults to caller", Kind.INTEGER, (), "-"),
        ("NOT NULL, DEFAULT NOW()", None, (), "-"),  # server-side expressions are not literal defaults
        ("PK, DEFAULT uuid_generate_v4()", Kind.STRING, (), "-"),
        ("NOT NULL, DEFAULT CURRENT_TIMESTAMP", None, (), "-"),
        ("NOT NULL, DEFAULT 'free', CHECK (plan IN ('free', 'pro'))", None, (), "free"),
    ],
)
def test_values_and_defaults_from_cells(text: str, kind: Kind | None, values: tuple[str, ...], default: Any) -> None:
    p = parse_phrase(text, kind=kind)
    assert p.values == values
    assert (p.default if p.has_default else "-") == default


def test_server_default_is_kept_as_a_note() -> None:
    assert parse_phrase("NOT NULL, DEFAULT NOW()").notes == ("default NOW()",)


def test_unique_identifier_is_a_description() -> None:
    assert not parse_phrase("Unique identifier").unique
    assert parse_phrase("1-50 chars, unique per tenant (case-insensitive)").unique
