"""Endpoints declared together in one sentence (library §3.8: "`GET /members/{memberId}/loans`, `…/holds` and
`…/fines` — Auth: …"): a response labelled with one request (`**200 OK** (`GET /members/me/fines?…`)`)
documents that endpoint only, and the others answer the same list envelope around their own resource."""

from __future__ import annotations

from roundtrip import api
from roundtrip.ir import Kind, Spec, TypeRef
from roundtrip.readers.api_paths import parse_lead
from roundtrip.readers.endpoints import same_route
from tests.conftest import example_dir


def _ok(spec: Spec, path: str) -> TypeRef | None:
    ep = spec.endpoint("GET", path)
    assert ep is not None, path
    r = next((r for r in ep.responses if r.status == 200), None)
    return r.body.type if r is not None and r.body is not None else None


def _items(spec: Spec, t: TypeRef | None) -> TypeRef | None:
    if t is not None and t.kind is Kind.REF:
        t = spec.schema(t.ref or "").type  # type: ignore[union-attr]
    assert t is not None and t.kind is Kind.OBJECT
    data = next(f for f in t.fields if f.name == "data")
    return data.type.items


def test_each_list_of_the_shared_sentence_has_its_own_items() -> None:
    spec = api.load(example_dir("library")).spec
    loans, holds, fines = (_ok(spec, f"/members/{{memberId}}/{k}") for k in ("loans", "holds", "fines"))
    assert _items(spec, loans) == TypeRef(Kind.REF, ref="Loan")
    assert _items(spec, holds) == TypeRef(Kind.REF, ref="Hold")
    fine_item = _items(spec, fines)
    assert fine_item is not None and fine_item.kind is Kind.OBJECT, "the labelled example: the fines list"
    assert {f.name for f in fine_item.fields} >= {"amountCents", "assessedAt"}
    for path in ("/members/{memberId}/loans", "/members/{memberId}/holds"):
        ep = spec.endpoint("GET", path)
        assert ep is not None and not any(r.body is not None and r.body.has_example for r in ep.responses), path


def test_a_request_line_names_its_templated_route() -> None:
    lead = parse_lead("`GET /members/{memberId}/loans`, `GET /members/{memberId}/fines`")
    assert lead is not None
    loans, fines = lead.refs
    assert same_route("GET", "/members/me/fines", fines) and not same_route("GET", "/members/me/fines", loans)
    assert not same_route("POST", "/members/me/fines", fines)
    assert not same_route("GET", "/members/me/fines/2", fines)
