"""The stateful chain per resource: create → get → list → update → delete, ids taken from responses.

A resource is a collection path with a documented POST; its item path is the collection plus one
path parameter. Each step that the docs describe is run with what the previous step returned, and
checks the effect: the created values read back, the new item appears in the list, an update
changes what GET returns, and a deleted item answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from roundtrip.ir import Endpoint
from roundtrip.verify.behaviour import Driver, _items_and_page, _one_field_patch
from roundtrip.verify.client import Exchange

ID_KEYS = ("id", "uuid", "_id", "key")


@dataclass
class Resource:
    collection: str
    create: Endpoint
    item_param: str = ""
    get: Endpoint | None = None
    list: Endpoint | None = None
    update: Endpoint | None = None
    delete: Endpoint | None = None


def resources(d: Driver) -> list[Resource]:
    eps = d.ctx.spec.endpoints
    out: list[Resource] = []
    for ep in eps:
        if ep.method != "POST" or ep.path.rstrip("/").endswith("}"):
            continue
        res = Resource(ep.path, ep)
        for other in eps:
            if other.path == ep.path and other.method == "GET":
                res.list = other
            segs = other.path.split("/")
            if "/".join(segs[:-1]) == ep.path and segs[-1].startswith("{") and segs[-1].endswith("}"):
                res.item_param = segs[-1][1:-1]
                if other.method == "GET":
                    res.get = other
                elif other.method in ("PATCH", "PUT") and res.update is None:
                    res.update = other
                elif other.method == "DELETE":
                    res.delete = other
        if res.list is not None or res.get is not None:
            out.append(res)
    return out


def _id_of(body: Any, param: str) -> str | None:
    if not isinstance(body, dict):
        return None
    for k in (*ID_KEYS, param):
        if k and isinstance(body.get(k), str | int):
            return str(body[k])
    data = body.get("data")
    return _id_of(data, param) if isinstance(data, dict) else None


def run_chains(d: Driver) -> None:
    for res in resources(d):
        if d.can_call(res.create):
            _chain(d, res)


def _chain(d: Driver, res: Resource) -> None:
    ctx = d.ctx
    ep = res.create
    want = ctx.success_status(ep)
    body = d.body_for(ep)
    created: Exchange | None = None
    values: dict[str, str] = {}
    for values in d.path_candidates(ep):
        ex = d.send(ep, values, body=body)
        if d.limited(ep, ex, want):
            return
        if want is not None and ex.status == want or (want is None and 200 <= ex.status < 300):
            ctx.check_body(ep, ex)
            created = ex
            break
        if ex.status in ctx.documented_statuses(ep) and not 200 <= ex.status < 300 and ex.status < 500:
            continue  # this parent does not allow it (own recipe, already reviewed …): try the next
        span = ctx.where.success(ep, want)
        ctx.report("RT430", span, f"creating through {ep.key} should answer {want} ({span}), got {ex.got()}; reproduce: {ex.curl()}",
                   key=("b-status", ep.key, want), endpoint=ep)
        if want is not None:
            ctx.coverage.fail(ep.key, want)
        if 200 <= ex.status < 300:
            created = ex  # a wrong success status: keep going, the rest of the chain still says something
            break
        return
    if created is None:
        ctx.coverage.explain(ep.key, want, "every candidate parent answered a documented error")
        return
    new_id = _id_of(created.json, res.item_param)
    item_values = {**values, res.item_param: new_id} if new_id and res.item_param else {}
    if res.get is not None and new_id and ctx.served(res.get) and d.can_call(res.get):
        _read_back(d, res.get, item_values, body, created)
    if res.list is not None and new_id and ctx.served(res.list) and d.can_call(res.list):
        _listed(d, res.list, values, new_id, created)
    if res.update is not None and new_id and ctx.served(res.update) and d.can_call(res.update):
        _update(d, res, item_values)
    if res.delete is not None and new_id and ctx.served(res.delete) and d.can_call(res.delete):
        _delete(d, res, item_values)


def _read_back(d: Driver, get: Endpoint, values: dict[str, str], sent: Any, created: Exchange) -> None:
    ctx = d.ctx
    ex = d.send(get, values)
    ok = ctx.success_status(get) or 200
    span = ctx.where.success(get, ok)
    if d.limited(get, ex, ok):
        return
    if ex.status != ok:
        ctx.report("RT436", span, f"the item just created ({created.curl()}) cannot be read back: {get.key} should answer {ok} ({span}), got {ex.got()}; reproduce: {ex.curl()}",
                   key=("b-chain-get", get.key), endpoint=get)
        ctx.coverage.fail(get.key, ok)
        return
    ctx.check_body(get, ex)
    if isinstance(sent, dict) and isinstance(ex.json, dict):
        for k, v in sent.items():
            if isinstance(v, str | int | float | bool) and k in ex.json and ex.json[k] != v and not _same_number(ex.json[k], v):
                fspan = ctx.where.field(get, ok, [k])
                ctx.report("RT436", fspan, f"{get.key} returns {k}={ex.json[k]!r} for an item created with {k}={v!r} ({fspan}); reproduce: {ex.curl()}",
                           key=("b-chain-echo", get.key, k), endpoint=get)


def _same_number(a: Any, b: Any) -> bool:
    return isinstance(a, int | float) and isinstance(b, int | float) and float(a) == float(b)


def _listed(d: Driver, lst: Endpoint, values: dict[str, str], new_id: str, created: Exchange) -> None:
    ctx = d.ctx
    query: dict[str, Any] = {}
    max_limit = ctx.spec.convention("pagination.max_limit")
    if any(p.get("name") == "limit" for p in d.builder.parameters(lst)) and isinstance(max_limit, int):
        query["limit"] = max_limit
    parent = {k: v for k, v in values.items() if "{" + k + "}" in lst.path}
    ex = d.send(lst, parent, query=query or None)
    ok = ctx.success_status(lst) or 200
    span = ctx.where.success(lst, ok)
    if d.limited(lst, ex, ok):
        return
    if ex.status != ok:
        ctx.report("RT430", span, f"{lst.key} should answer {ok} ({span}), got {ex.got()}; reproduce: {ex.curl()}", key=("b-status", lst.key, ok), endpoint=lst)
        ctx.coverage.fail(lst.key, ok)
        return
    ctx.check_body(lst, ex)
    body = ex.json
    if not ex.is_json:
        try:
            import json

            body = json.loads(ex.text)
        except ValueError:
            return
    items, _ = _items_and_page(body) if isinstance(body, dict) else (body if isinstance(body, list) else None, {})
    if items is None:
        return
    if not any(_id_of(i, "") == new_id for i in items):
        ctx.report("RT436", span, f"the item just created ({created.curl()}) is not in {lst.key} ({span}); reproduce: {ex.curl()}",
                   key=("b-chain-list", lst.key), endpoint=lst)


def _update(d: Driver, res: Resource, values: dict[str, str]) -> None:
    ctx = d.ctx
    up = res.update
    assert up is not None
    change = _one_field_patch(d, up)
    if not change:
        return
    ex = d.send(up, values, body=change)
    ok = ctx.success_status(up) or 200
    span = ctx.where.success(up, ok)
    if d.limited(up, ex, ok):
        return
    if ex.status != ok:
        refusal = ctx.documented_refusal(up, ex)
        if refusal is not None:  # a documented precondition the new row does not meet
            ctx.coverage.seen(up.key, ex.status)
            ctx.coverage.explain(up.key, ok, f"the item just created was refused with the documented {ex.status} {refusal}")
            return
        ctx.report("RT430", span, f"updating the item just created: {up.key} should answer {ok} ({span}), got {ex.got()}; reproduce: {ex.curl()}",
                   key=("b-status", up.key, ok), endpoint=up)
        ctx.coverage.fail(up.key, ok)
        return
    ctx.check_body(up, ex)
    if res.get is None or not ctx.served(res.get):
        return
    after = d.send(res.get, values)
    if after.is_json and isinstance(after.json, dict):
        for k, v in change.items():
            if k in after.json and after.json[k] != v and not _same_number(after.json[k], v):
                fspan = ctx.where.field(up, "request", [k])
                ctx.report("RT436", fspan, f"after {up.key} set {k}={v!r} ({fspan}), {res.get.key} still returns {after.json[k]!r}; reproduce: {ex.curl()}",
                           key=("b-chain-update", up.key, k), endpoint=up)


def _delete(d: Driver, res: Resource, values: dict[str, str]) -> None:
    ctx = d.ctx
    de = res.delete
    assert de is not None
    ex = d.send(de, values)
    ok = ctx.success_status(de) or 204
    span = ctx.where.success(de, ok)
    if d.limited(de, ex, ok):
        return
    if ex.status != ok:
        refusal = ctx.documented_refusal(de, ex)
        if refusal is not None:  # "Only archived projects can be deleted": the new row is in another state
            ctx.coverage.seen(de.key, ex.status)
            ctx.coverage.explain(de.key, ok, f"the item just created was refused with the documented {ex.status} {refusal}")
            return
        ctx.report("RT430", span, f"deleting the item just created: {de.key} should answer {ok} ({span}), got {ex.got()}; reproduce: {ex.curl()}",
                   key=("b-status", de.key, ok), endpoint=de)
        ctx.coverage.fail(de.key, ok)
        return
    ctx.check_body(de, ex)
    if res.get is None or not ctx.served(res.get):
        return
    after = d.send(res.get, values)
    if after.status != 404:
        gone = ctx.where.status(res.get, 404)
        ctx.report("RT436", span, f"after {de.key} ({span}) the item still answers {after.got()} to {res.get.key} (expected 404, {gone}); reproduce: {after.curl()}",
                   key=("b-chain-delete", de.key), endpoint=de)
