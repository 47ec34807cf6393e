"""OpenAPI 3.1 emitter, part 2: validate_openapi, arbitrary TypeRefs (Hypothesis), and the real docs.

Part 1 (test_emit_openapi.py) covers each IR construct on hand-built Specs; its fixtures are reused here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roundtrip.emit.openapi import build_openapi, dump_yaml, validate_openapi
from roundtrip.ir import (
    Auth,
    Body,
    Endpoint,
    ErrorDoc,
    Field,
    Kind,
    Parameter,
    ParamIn,
    Response,
    Schema,
    Spec,
    TypeRef,
)
from roundtrip.ir.types import t_array, t_enum, t_ref
from roundtrip.markdown import Heading, Paragraph, Table, parse_document
from roundtrip.source import Span
from tests.conftest import CORPUS, EXAMPLES, corpus_files, example_dir
from tests.test_emit_openapi import LIST_RESPONSE, USER, assert_valid, exams_spec, obj, op

T = TypeRef


# ---------------------------------------------------------------- validate_openapi
def test_validate_reports_every_error_and_dangling_refs_without_raising() -> None:
    doc = build_openapi(exams_spec())
    doc["paths"]["/exams"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/Nope"}
    doc["paths"]["/health"]["get"]["responses"]["201"] = {}
    del doc["info"]["version"]
    diags = validate_openapi(doc)
    assert {d.code for d in diags} == {"RT301"}
    messages = [d.message for d in diags]
    assert any("'#/components/schemas/Nope'" in m and "$.paths['/exams'].get" in m for m in messages)
    assert any(m.startswith("at $.info:") and '"version" is a required property' in m for m in messages)
    assert any('"description" is a required property' in m for m in messages)
    assert all(d.span.file == "<openapi>" for d in diags)


def test_validate_survives_garbage() -> None:
    assert validate_openapi({"openapi": "3.1.0"})  # reported, not raised
    assert validate_openapi({"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"$ref": "#/nowhere"}}})


# ---------------------------------------------------------------- hypothesis: arbitrary TypeRefs stay valid
_names = st.sampled_from(["User", "Ghost", "ListResponse", "T", "Omit", "Record", "Array"])
_leaf = st.one_of(
    st.sampled_from([T(k) for k in Kind if k not in (Kind.REF, Kind.ARRAY, Kind.MAP, Kind.OBJECT, Kind.UNION, Kind.ENUM, Kind.LITERAL)]),
    st.builds(
        lambda v, n: t_enum(v).with_nullable(n),
        st.lists(st.text(min_size=0, max_size=5), max_size=4),
        st.booleans(),
    ),
    st.builds(
        lambda v: T(Kind.LITERAL, literal=v),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
    ),
    st.builds(lambda n: t_ref(n), _names),
)


def _extend(children: st.SearchStrategy[TypeRef]) -> st.SearchStrategy[TypeRef]:
    return st.one_of(
        st.builds(lambda i, n: t_array(i).with_nullable(n), children, st.booleans()),
        st.builds(lambda i: T(Kind.MAP, items=i), children),
        st.builds(lambda n, a: t_ref(n, *a), _names, st.lists(children, max_size=2)),
        st.builds(
            lambda v, n: T(Kind.UNION, variants=tuple(v), nullable=n),
            st.lists(children, max_size=3),
            st.booleans(),
        ),
        st.builds(
            lambda fs, n: obj(*[Field(f"f{i}", t, required=i % 2 == 0) for i, t in enumerate(fs)]).with_nullable(n),
            st.lists(children, max_size=3),
            st.booleans(),
        ),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(_leaf, _extend, max_leaves=8), st.booleans())
def test_any_typeref_gives_a_valid_document(t: TypeRef, as_body: bool) -> None:
    schemas = (USER, LIST_RESPONSE, Schema("Probe", obj(Field("p", t))))
    ep = Endpoint(
        "POST",
        "/p/{id}",
        request=Body(t) if as_body else None,
        responses=(Response(200, body=Body(t)),),
        parameters=(Parameter("q", ParamIn.QUERY, t),),
    )
    doc = build_openapi(Spec(schemas=schemas, endpoints=(ep,)))
    assert_valid(doc)
    assert dump_yaml(doc) == dump_yaml(build_openapi(Spec(schemas=schemas, endpoints=(ep,))))


# ---------------------------------------------------------------- the real example docs
_HEADING_ENDPOINT = re.compile(r"^(GET|POST|PUT|PATCH|DELETE)\s+(/\S*)")


def _heading_endpoints(folder: Path) -> list[Endpoint]:
    """Endpoints named by `### METHOD /path` headings in the real docs (a minimal stand-in for the reader)."""
    out: list[Endpoint] = []
    for f in sorted(folder.rglob("*.md")):
        doc, _ = parse_document(f.relative_to(folder).as_posix(), f.read_text(encoding="utf-8"))
        for b in doc.blocks:
            if isinstance(b, Heading):
                m = _HEADING_ENDPOINT.match(b.plain.strip().strip("`"))
                if m:
                    path = re.sub(r":(\w+)", r"{\1}", m.group(2))
                    out.append(Endpoint(m.group(1), path, summary=b.plain, auth=Auth(True), span=b.span))
    return out


def _exams_common_errors() -> list[ErrorDoc]:
    """The `| Status | Code | Description |` table under "Common errors" in the real exams spec."""
    f = example_dir("exams") / "api-specification.md"
    doc, _ = parse_document("api-specification.md", f.read_text(encoding="utf-8"))
    for prev, b in zip(doc.blocks, doc.blocks[1:], strict=False):
        if isinstance(b, Table) and isinstance(prev, Paragraph) and prev.text.startswith("Common errors"):
            return [
                ErrorDoc(
                    int(r.cells[0]),
                    r.cells[1].strip("`"),
                    r.cells[2],
                    span=Span("api-specification.md", r.line),
                )
                for r in b.rows
            ]
    raise AssertionError("common errors table not found in the exams spec")


@pytest.mark.parametrize(("key", "count"), [("taskboard", 20), ("exams", 18), ("bookings", 23), ("library", 21)])
def test_real_doc_endpoints_emit_valid_documents(key: str, count: int) -> None:
    eps = _heading_endpoints(example_dir(key))
    assert len(eps) == count
    doc = build_openapi(exams_spec(endpoints=tuple(eps)))
    assert_valid(doc)
    ops = [o for item in doc["paths"].values() for o in item.values()]
    assert len(ops) == count and len({o["operationId"] for o in ops}) == count
    for item in doc["paths"].values():
        for o in item.values():
            assert o["security"] == [{"bearerAuth": []}]
            assert [s for s in o["responses"] if s < "400"], o["operationId"]  # a success response, documented or not
    if key == "bookings":
        assert "/bookings/{id}/cancel" in doc["paths"]  # `:id` → `{id}` with its parameter synthesized
        assert op(doc, "POST", "/bookings/{id}/cancel")["parameters"][0]["name"] == "id"


def test_real_exams_common_errors_grouped_per_status() -> None:
    common = _exams_common_errors()
    assert [(e.status, e.code) for e in common] == [
        (401, "UNAUTHORIZED"),
        (401, "SESSION_REVOKED"),
        (429, "RATE_LIMITED"),
        (500, "INTERNAL_ERROR"),
    ]
    eps = _heading_endpoints(example_dir("exams"))
    doc = build_openapi(exams_spec(endpoints=tuple(eps), common_errors=tuple(common)))
    assert_valid(doc)
    me = op(doc, "GET", "/auth/me")["responses"]
    assert list(me) == ["200", "401", "429", "500"]
    ex = me["401"]["content"]["application/json"]["examples"]
    assert list(ex) == ["UNAUTHORIZED", "SESSION_REVOKED"]
    assert ex["SESSION_REVOKED"] == {
        "summary": "Session was logged out or revoked",
        "value": {"error": {"code": "SESSION_REVOKED", "message": "Session was logged out or revoked", "requestId": "example"}},
    }


def _pipeline_files() -> list[Path]:
    files = list(corpus_files())
    if EXAMPLES.is_dir():
        files += sorted(p for p in EXAMPLES.iterdir() if p.is_dir())
    return files


@pytest.mark.parametrize("path", _pipeline_files(), ids=lambda p: p.name)
def test_pipeline_output_is_valid_and_deterministic(path: Path) -> None:
    """Whatever the readers make of real docs (corpus files and example sets), the document is valid."""
    from roundtrip import api

    if not path.exists():
        pytest.skip(f"{path} is absent")
    result = api.load(path)
    doc, diags = api.openapi(result.spec)
    assert diags == [], "\n".join(d.message for d in diags)
    assert dump_yaml(doc) == dump_yaml(build_openapi(result.spec))
    ops = sum(len(item) for item in doc["paths"].values())
    verbs = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
    slots = {(e.method.strip().lower(), "/" + e.path.strip().lstrip("/")) for e in result.spec.endpoints}
    assert ops == len([s for s in slots if s[0] in verbs])


def test_shared_folders_present_or_skipped() -> None:
    if not CORPUS.is_dir():
        pytest.skip("corpus absent")
    assert len(corpus_files()) >= 20
