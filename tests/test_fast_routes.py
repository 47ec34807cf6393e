"""The generated routes' one-validator-per-route check (appkit/fastroute.py) accepts exactly what FastAPI
accepts, with the same values, and leaves everything else to FastAPI.

For every generated route of specs/ and the four example sets, many path and query inputs (valid,
invalid, missing, empty, out of range, wrong pattern, repeated) go through both FastAPI's own
parameter check and the route's `ParamPlan`: where FastAPI finds an error the plan declines (so
FastAPI answers, with its own error), and where FastAPI accepts, the plan hands the endpoint the same
values. Through the app, invalid values still get the documented validation error.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.dependencies.utils import request_params_to_args
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.requests import Request

from tests.conftest import EXAMPLE_SETS, REPO, example_dir
from tests.test_app_generate import import_app

SETS = ["specs", *sorted(EXAMPLE_SETS)]
SAMPLES = [
    "", "abc", "1", "0", "-1", "100", "101", "1.5", "1e3", "true", "false", "me", "none", "null",
    str(uuid.UUID(int=7)), "00000000-0000-0000-0000-00000000000g", "2024-01-31", "2024-01-31T10:00:00Z",
    "createdAt", "-createdAt", "title,-createdAt", "name", "-name", "bogus", "easy", "easy,hard", "open",
    "x" * 300, " 5", "5 ", "\u00e9t\u00e9",
]


def generated(key: str, tmp: Path) -> tuple[Any, Path]:
    from roundtrip.serve import build_backend, prepare

    specs = REPO / "specs" if key == "specs" else example_dir(key)
    out = tmp / key
    build_backend(specs, out)
    prepare(out)
    app = import_app(out, {"RATE_LIMITS": "false", "DATABASE_URL": f"sqlite:///{out / 'app.db'}"})
    return app, out


def plan_of(route: APIRoute) -> Any:
    """The plan of the generated app's own copy of the kit (each generated app imports its own)."""
    return sys.modules[type(route).__module__].ParamPlan.of(route)


def request_for(route: APIRoute, path: dict[str, str], query: list[tuple[str, str]]) -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "path": route.path,
        "query_string": urlencode(query).encode(),
        "headers": [],
        "path_params": path,
    }
    return Request(scope)


def fastapi_values(route: APIRoute, request: Request) -> tuple[dict[str, Any], list[Any]]:
    d = route.dependant
    pv, pe = request_params_to_args(d.path_params, request.path_params)
    qv, qe = request_params_to_args(d.query_params, request.query_params)
    return {**pv, **qv}, pe + qe


def inputs(route: APIRoute, rng: random.Random) -> list[tuple[dict[str, str], list[tuple[str, str]]]]:
    d = route.dependant
    path_keys = [f.alias for f in d.path_params]
    query_keys = [f.alias for f in d.query_params]
    out: list[tuple[dict[str, str], list[tuple[str, str]]]] = []
    valid_path = {k: str(uuid.UUID(int=1)) for k in path_keys}
    for k in path_keys:
        for v in SAMPLES:
            out.append(({**valid_path, k: v}, []))
    for k in query_keys:
        for v in SAMPLES:
            out.append((valid_path, [(k, v)]))
        out.append((valid_path, [(k, "1"), (k, "2")]))  # repeated: the last one counts
    for _ in range(60):
        chosen = rng.sample(query_keys, k=min(len(query_keys), rng.randint(0, 3)))
        out.append(({k: rng.choice(SAMPLES) for k in path_keys}, [(k, rng.choice(SAMPLES)) for k in chosen]))
    out.append((valid_path, [("unknownParam", "1")]))
    return out


@pytest.mark.parametrize("key", SETS)
def test_a_plan_accepts_what_fastapi_accepts_with_the_same_values(key: str, tmp_path: Path) -> None:
    app, _ = generated(key, tmp_path)
    rng = random.Random(f"fast-routes-{key}")
    planned = 0
    compared = accepted = 0
    for route in app.routes:
        if not isinstance(route, APIRoute) or type(route).__name__ != "GeneratedRoute":
            continue
        plan = plan_of(route)
        d = route.dependant
        if d.header_params or d.cookie_params or len(d.body_params) > 1:
            assert plan is None, f"{route.path}: headers, cookies, several body values are FastAPI's"
            continue
        if d.body_params:
            assert plan is None or plan.body is d.body_params[0], route.path  # the JSON body: its own test below
        if plan is None:
            continue
        planned += 1
        for path, query in inputs(route, rng):
            request = request_for(route, path, query)
            expected, errors = fastapi_values(route, request)
            got = plan.values(request)
            compared += 1
            if errors:
                assert got is None, (route.path, path, query, errors, got)
                continue
            accepted += 1
            assert got is not None, (route.path, path, query, expected)
            assert got.pop(d.request_param_name) is request
            assert got == expected, (route.path, path, query)
            assert [type(v) for v in got.values()] == [type(expected[k]) for k in got], (route.path, query)
    assert planned, "the generated GET routes have plans"
    assert compared > accepted > 0, (compared, accepted)


def test_every_generated_route_uses_the_route_class_and_the_app_keeps_its_openapi(tmp_path: Path) -> None:
    app, out = generated("bookings", tmp_path)  # a base path (/api/v1): the routes carry it
    routes = [r for r in app.routes if isinstance(r, APIRoute) and r.operation_id]
    assert routes and all(type(r).__name__ == "GeneratedRoute" for r in routes)
    assert all(r.path.startswith("/api/v1/") for r in routes)
    with TestClient(app) as client:
        doc = client.get("/openapi.json").json()
        assert doc["servers"] == [{"url": "/api/v1"}] and all(not p.startswith("/api/v1") for p in doc["paths"])
        r = client.get("/api/v1/workspaces", params={"limit": "many"})
        assert r.status_code == 401, "the caller first, as before"
        body = {"email": f"fast.{uuid.uuid4().hex[:6]}@example.com", "password": "Secret123X", "name": "Fast"}
        token = client.post("/api/v1/auth/register", json=body).json()["tokens"]["accessToken"]
        auth = {"Authorization": f"Bearer {token}"}
        r = client.get("/api/v1/workspaces", params={"limit": "many"}, headers=auth)
        assert r.status_code == 400 and r.json()["error"]["code"], r.text
        r = client.get("/api/v1/workspaces", params={"limit": "5"}, headers=auth)
        assert r.status_code == 200, r.text


def test_the_specs_list_values_reach_the_kit_typed(tmp_path: Path) -> None:
    app, _ = generated("specs", tmp_path)
    route = next(r for r in app.routes if isinstance(r, APIRoute) and r.operation_id == "getV1Recipes")
    plan = plan_of(route)
    query = [("limit", "5"), ("authorId", str(uuid.UUID(int=3))), ("sort", "title,-createdAt")]
    got = plan.values(request_for(route, {}, query))
    assert got is not None and got["limit"] == 5 and got["author_id"] == uuid.UUID(int=3)
    assert got["sort"] == "title,-createdAt" and got["offset"] is None and got["q"] is None
    for bad in itertools.product(["limit"], ["0", "101", "x"]):
        assert plan.values(request_for(route, {}, [bad])) is None, bad


def test_json_bodies_skip_the_solver_and_every_other_body_gets_fastapis_own_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A valid JSON body is checked by the body field's validator alone (FastAPI's dependency solver is not
    called); every body the plan declines (bad JSON, a failing value, another content type, no body) gets
    exactly the answer FastAPI's own handler gives, compared with the fast path turned off."""
    import fastapi.routing

    app, _ = generated("specs", tmp_path)
    route = next(r for r in app.routes if isinstance(r, APIRoute) and r.operation_id == "postV1Recipes")
    kit_route = sys.modules[type(route).__module__]
    assert plan_of(route).body is not None, "the create's JSON body has a plan"
    solved: list[str] = []
    real_solve = fastapi.routing.solve_dependencies

    async def counting_solve(*args: Any, **kwargs: Any) -> Any:
        solved.append(kwargs["request"].url.path)
        return await real_solve(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting_solve)
    with TestClient(app) as client:
        token = client.post("/v1/auth/login", json={"email": "ana.ribeiro@pantry.dev", "password": "PantryDemo123"}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        ingredient = client.get("/v1/ingredients").json()["data"][0]["id"]
        good = {"title": "Body Soup", "instructions": "1. Stir.", "prepMinutes": 5, "cookMinutes": 10, "servings": 2,
                "ingredients": [{"ingredientId": ingredient, "quantity": 1, "unit": "g"}]}
        r = client.post("/v1/recipes", json=good, headers=auth)
        assert r.status_code == 201 and r.json()["title"] == "Body Soup", r.text
        assert solved == [], "a valid JSON body never reaches FastAPI's solver"
        as_json = {**auth, "Content-Type": "application/json"}
        bodies: list[tuple[dict[str, str], bytes]] = [
            (as_json, b'{"title": '),  # undecodable
            (as_json, json.dumps({**good, "servings": 0}).encode()),  # out of range
            (as_json, json.dumps({k: v for k, v in good.items() if k != "title"}).encode()),  # missing
            (as_json, json.dumps({**good, "prepMinutes": "many"}).encode()),  # wrong type
            (as_json, b"[]"),
            (as_json, b""),
            ({**auth, "Content-Type": "text/plain"}, json.dumps(good).encode()),
            (auth, json.dumps(good).encode()),  # no content type
        ]
        fast = [client.post("/v1/recipes", content=b, headers=h) for h, b in bodies]
        # each declined body went to FastAPI's handler (which rejects the undecodable one before its solver)
        assert len(solved) == len(bodies) - 1, solved
        monkeypatch.setattr(kit_route.ParamPlan, "read_body", _declined)
        slow = [client.post("/v1/recipes", content=b, headers=h) for h, b in bodies]
    for (h, b), f, s in zip(bodies, fast, slow, strict=True):
        assert (f.status_code, _without_ids(f.json())) == (s.status_code, _without_ids(s.json())), (h, b)
    assert {f.status_code for f in fast[:6]} == {400}, [f.text for f in fast]


async def _declined(self: Any, request: Any, out: Any) -> bool:
    return False


def _without_ids(body: Any) -> Any:
    """An answer without what differs from request to request (the request id, a created row's id and times)."""
    if isinstance(body, dict):
        return {k: _without_ids(v) for k, v in body.items() if k not in ("requestId", "id", "createdAt", "updatedAt")}
    return body
