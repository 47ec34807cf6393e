"""Lenient JSON examples and schema inference (roundtrip/readers/api_json.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts, Kind
from roundtrip.markdown import Fence, parse_document
from roundtrip.readers.api_json import (
    infer_type,
    merge_types,
    parse_examples,
    parse_inline,
    string_format,
    template_type,
)
from roundtrip.readers.endpoints import read_endpoints
from tests.conftest import CORPUS, EXAMPLES


def test_strict_json_is_one_strict_segment() -> None:
    res = parse_examples('{"a": 1, "b": [true, null]}')
    assert res.strict and not res.error
    assert [s.value for s in res.segments] == [{"a": 1, "b": [True, None]}]


def test_comments_label_request_and_response_values() -> None:
    text = '// Request\n{ "email": "demo@x.io", "password": "p" }\n\n// 200 — ok\n{ "data": { "a": 1, }, }\n'
    res = parse_examples(text)
    assert not res.strict and not res.error
    assert [(s.label, s.value) for s in res.segments] == [
        ("Request", {"email": "demo@x.io", "password": "p"}),
        ("200 — ok", {"data": {"a": 1}}),
    ]
    assert res.segments[1].line == 4  # 0-based line of the value inside the fence


def test_trailing_comment_without_value_is_kept_as_a_label() -> None:
    res = parse_examples('// Request\n{ "refresh_token": "eyJ..." }\n\n// 200 — same shape as login response\n')
    assert [(s.label, s.has_value) for s in res.segments] == [("Request", True), ("200 — same shape as login response", False)]


def test_ellipsis_placeholders_and_block_comments() -> None:
    res = parse_examples('{ "user": { /* user object */ }, "items": [...], "x": [1, ...], "more": {...}, "data": { ... } }')
    assert not res.error
    assert res.segments[0].value == {"user": {}, "items": [], "x": [1], "more": {}, "data": {}}


def test_comment_markers_inside_strings_are_data() -> None:
    res = parse_examples('{ "url": "https://api.acme.com/webhooks", "note": "/* not a comment */" } // trailing')
    assert res.segments[0].value == {"url": "https://api.acme.com/webhooks", "note": "/* not a comment */"}


@pytest.mark.parametrize("text", ['{ "status": <http_status_code> }', '{ "data": [ <endpoint>, ... ] }',
                                  '{ "user": User, "token": "x" }', '{ "a": {} } | null', '{ "a": 1', "{ 'a': 1 }"])
def test_pseudo_json_reports_an_error_and_never_raises(text: str) -> None:
    res = parse_examples(text)
    assert res.error
    assert res.error_line >= 0


def test_parse_inline_single_value_only() -> None:
    assert parse_inline('{ "refreshToken": "rt_…" }') == {"refreshToken": "rt_…"}
    with pytest.raises(ValueError):
        parse_inline('{ "accessToken", "refreshToken" }')


def test_infer_types_and_string_formats() -> None:
    t = infer_type({"id": "0706126a-d88b-463b-97ef-4715cacceeec", "at": "2025-02-11T10:00:00Z", "day": "2025-03-14",
                    "email": "a@b.io", "n": 3, "x": 1.5, "ok": True, "none": None, "tags": ["a"]})
    assert t.kind is Kind.OBJECT
    by = {f.name: f for f in t.fields}
    assert by["id"].constraints.format == "uuid"
    assert by["at"].constraints.format == "date-time"
    assert by["day"].constraints.format == "date"
    assert by["email"].constraints.format == "email"
    assert by["n"].type.kind is Kind.INTEGER and by["x"].type.kind is Kind.FLOAT and by["ok"].type.kind is Kind.BOOLEAN
    assert by["none"].type.kind is Kind.ANY and by["none"].type.nullable
    assert by["tags"].type.kind is Kind.ARRAY and by["tags"].type.items.kind is Kind.STRING
    assert all(f.required for f in t.fields)


def test_array_items_merge_fields_and_nullability() -> None:
    t = infer_type([{"a": 1, "b": None}, {"a": 2.5, "b": "x", "c": "2025-01-01"}])
    items = t.items
    assert items is not None and items.kind is Kind.OBJECT
    by = {f.name: f for f in items.fields}
    assert by["a"].type.kind is Kind.FLOAT  # int and float observed
    assert by["b"].type.kind is Kind.STRING and by["b"].type.nullable
    assert by["c"].required is False  # missing from the first item
    assert merge_types(infer_type(1), infer_type("x")).kind is Kind.ANY


def test_type_templates_inside_valid_json() -> None:
    t, req = template_type("buyer | owner | agent (default: buyer)")  # type: ignore[misc]
    assert t.kind is Kind.ENUM and t.values == ("buyer", "owner", "agent") and req is None
    t, req = template_type("uuid | null")  # type: ignore[misc]
    assert t.kind is Kind.UUID and t.nullable
    t, req = template_type("string (required)")  # type: ignore[misc]
    assert t.kind is Kind.STRING and req is True
    assert template_type("email") is None  # a real value ("notifyBy": "email"), not a type
    assert string_format("Tom Reyes") is None


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3), max_leaves=10))
def test_any_json_value_round_trips_and_inference_is_deterministic(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False)
    res = parse_examples(text)
    assert res.segments[0].value == value
    assert infer_type(value) == infer_type(value)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_never_raises(text: str) -> None:
    parse_examples(text)


def _fences(path: Path) -> list[Fence]:
    doc, _ = parse_document(path.name, path.read_text(encoding="utf-8"))
    return [b for b in doc.blocks if isinstance(b, Fence) and b.lang == "json"]


def test_every_example_json_fence_is_strict() -> None:
    fences = [f for p in sorted(EXAMPLES.rglob("*.md")) for f in _fences(p)] if EXAMPLES.is_dir() else []
    if not fences:
        pytest.skip("shared examples absent")
    assert len(fences) >= 25  # top-level fences; error examples nested in list items come on top
    assert all(parse_examples(f.content).strict for f in fences)


def test_corpus_json_fences_are_read_or_reported() -> None:
    if not CORPUS.is_dir():
        pytest.skip("shared corpus absent")
    strict = lenient = failed = 0
    for p in sorted(CORPUS.glob("*.md")):
        for f in _fences(p):
            res = parse_examples(f.content)
            if res.strict:
                strict += 1
            elif res.error:
                failed += 1
            else:
                lenient += 1
    assert strict > 100 and lenient > 10 and failed > 5


def test_reader_reports_rt108_and_rt110_at_the_fence_line() -> None:
    text = ("### POST /v1/things\n\n```json\n// request\n{ \"a\": 1, }\n```\n\n"
            "**Response (200)**:\n```json\n{ \"user\": User }\n```\n")
    doc, _ = parse_document("t.md", text)
    sink = Sink()
    facts = Facts()
    read_endpoints(doc, facts, sink)
    got = {(d.code, d.span.line) for d in sink.sorted()}
    assert ("RT108", 3) in got and ("RT110", 9) in got
    ep = facts.endpoints[0]
    assert ep.request is not None and ep.request.example == {"a": 1}
    assert ep.responses[0].body is None  # the pseudo-JSON example was dropped, not guessed
