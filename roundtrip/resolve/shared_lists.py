"""Lists declared together share their envelope: "`GET /members/{memberId}/loans`, `…/holds` and `…/fines` —
All three accept `status`, `page`, `limit`", with one example, labelled for the fines request.

The example describes the fines list only (readers.endpoints.blocks_for), so the loans and holds lists would
have no documented 200 at all. But the sentence declares three lists of one kind: each answers the same
envelope (`{"data": [...], "page", "limit", "total"}`) around its own resource. So a GET without a documented
success body, declared in the same place as a sibling GET whose 200 body is an object with one array of
objects, gets that object with the array's items being its own resource's named type (`Loan` for `…/loans`,
found by the path's last literal segment). Nothing is invented where the resource has no named type.
"""

from __future__ import annotations

from dataclasses import replace

from roundtrip.ir import Body, Endpoint, Kind, Response, Schema, TypeRef
from roundtrip.ir.naming import pascal, singular


def _list_field(t: TypeRef | None) -> int | None:
    """The index of the one array-of-objects field of an object type (the envelope's list), else None."""
    if t is None or t.kind is not Kind.OBJECT:
        return None
    found = [i for i, f in enumerate(t.fields) if f.type.kind is Kind.ARRAY and f.type.items is not None
             and f.type.items.kind in (Kind.OBJECT, Kind.REF)]
    return found[0] if len(found) == 1 else None


def _success_body(ep: Endpoint) -> TypeRef | None:
    for r in ep.responses:
        if 200 <= r.status < 300 and r.body is not None and r.body.type is not None:
            return r.body.type
    return None


def _resource_type(ep: Endpoint, names: set[str]) -> str | None:
    literals = [s for s in ep.path.strip("/").split("/") if s and not s.startswith("{")]
    if not literals:
        return None
    name = pascal(singular(literals[-1]))
    return name if name in names else None


def fill_shared_lists(endpoints: tuple[Endpoint, ...], schemas: tuple[Schema, ...]) -> tuple[Endpoint, ...]:
    names = {s.name for s in schemas}
    by_place: dict[tuple[str, int], list[Endpoint]] = {}
    for ep in endpoints:
        if ep.method == "GET" and ep.span.file:
            by_place.setdefault((ep.span.file, ep.span.line), []).append(ep)
    filled: dict[tuple[str, str], Endpoint] = {}
    for group in by_place.values():
        if len(group) < 2:
            continue
        envelope = next((t for t in map(_success_body, group) if _list_field(t) is not None), None)
        if envelope is None:
            continue
        index = _list_field(envelope)
        assert index is not None
        for ep in group:
            item = _resource_type(ep, names)
            if item is None or any(200 <= r.status < 300 and r.body is not None for r in ep.responses):
                continue
            field = envelope.fields[index]
            items = replace(field.type, items=TypeRef(Kind.REF, ref=item))
            # the sibling's example values describe the sibling's answer (another resource's rows): none are kept
            body = TypeRef(Kind.OBJECT, fields=tuple(replace(f, type=items if i == index else f.type, example=None) for i, f in enumerate(envelope.fields)))
            others = tuple(r for r in ep.responses if r.status != 200)
            filled[(ep.method, ep.path)] = replace(ep, responses=(Response(200, "OK", Body(body), ep.span), *others))
    return tuple(filled.get((ep.method, ep.path), ep) for ep in endpoints)
