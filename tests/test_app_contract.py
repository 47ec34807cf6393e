"""Contract: the generated app's own /openapi.json equals the compiled document (after the documented
normalization, roundtrip/emit/app_normalize.py) for all five doc sets, with no difference allowed; and
every documented operation, called with the docs' own example values, answers a documented status with
a body that validates against the compiled OpenAPI (openapi-core), on the Pantry showcase.

Request bodies and path values come from the compiled schemas' examples (the docs' JSON examples),
calls are made as the docs' seeded admin, in an order a client would use (reads, creates, updates,
deletes last). Known gaps of the compiled document itself (none today) are listed explicitly, so a new
gap fails the test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from roundtrip import api
from roundtrip.appkit.shaping import Schemas
from roundtrip.emit.app_normalize import compare_openapi
from roundtrip.serve import build_backend, prepare
from tests.conftest import REPO
from tests.test_app_generate import ALL_SETS, import_app, spec_dir

SPECS = REPO / "specs"
ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 2, "DELETE": 3}
# Known gaps of the compiled document itself, listed so a new one fails the test. (The last one, an integer
# `quantity` inferred from a list example where a seeded recipe holds 1.5 tsp, is fixed on the compile side.)
KNOWN_GAPS: list[str] = []
SKIP = {
    "postV1AuthLogout",
    "postV1AuthRefresh",
}  # need a live refresh token: covered end to end in test_app_e2e


def fill_path(path: str, op: dict[str, Any], schemas: Schemas) -> str:
    values = {
        p["name"]: schemas.fake(p.get("schema", {}), p["name"])
        for p in op.get("parameters", [])
        if p.get("in") == "path"
    }
    return re.sub(r"\{([^}]+)\}", lambda m: str(values.get(m.group(1), "x")), path)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, dict[str, Any]]:
    out: Path = tmp_path_factory.mktemp("contract") / "out"
    build_backend(SPECS, out)
    prepare(out)
    doc, _ = api.openapi(api.load(SPECS).spec)
    client = TestClient(import_app(out, {"RATE_LIMITS": "false"}), base_url=doc["servers"][0]["url"])
    return client, doc


def test_documented_examples_answer_documented_statuses_with_valid_bodies(
    setup: tuple[TestClient, dict[str, Any]],
) -> None:
    client, doc = setup
    schemas = Schemas(doc["components"]["schemas"])
    spec = OpenAPI.from_dict(json.loads(json.dumps({k: v for k, v in doc.items() if not k.startswith("x-")})))
    login = client.post(
        "/v1/auth/login", json={"email": "ana.ribeiro@pantry.dev", "password": "PantryDemo123"}
    )
    assert login.status_code == 200, login.text
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    calls = sorted(
        (
            (m.upper(), p, op)
            for p, item in doc["paths"].items()
            for m, op in item.items()
            if isinstance(op, dict)
        ),
        key=lambda c: (ORDER.get(c[0], 9), c[1]),
    )
    undocumented: list[str] = []
    invalid: list[str] = []
    for method, path, op in calls:
        if op["operationId"] in SKIP:
            continue
        url = fill_path(path, op, schemas)
        rb = (op.get("requestBody") or {}).get("content", {}).get("application/json", {})
        body = schemas.fake(rb["schema"]) if "schema" in rb else None
        if op["operationId"] == "postV1AuthRegister":
            body = {**body, "email": "contract.test@example.com"}
        if op["operationId"] == "postV1Ingredients":
            body = {**body, "name": "Contract paprika"}
        if op["operationId"] == "postV1AuthLogin":
            body = {"email": "ana.ribeiro@pantry.dev", "password": "PantryDemo123"}
        r = client.request(method, url, json=body, headers=auth)
        key = f"{method} {path}"
        if str(r.status_code) not in op["responses"]:
            undocumented.append(f"{key}: {r.status_code} {r.text[:200]}")
            continue
        request = MockRequest(
            doc["servers"][0]["url"],
            method.lower(),
            url,
            data=json.dumps(body) if body is not None else None,
            headers=auth,
        )
        response = MockResponse(
            r.content,
            status_code=r.status_code,
            content_type=r.headers.get("content-type", "application/json") if r.content else None,
        )
        for err in spec.iter_response_errors(request, response):
            causes = getattr(err.__cause__, "schema_errors", None) or [err]
            invalid += sorted(
                {f"{key} {r.status_code}: {getattr(c, 'message', str(c))[:120]}" for c in causes}
            )
    assert undocumented == []
    assert invalid == KNOWN_GAPS, "\n".join(invalid)


@pytest.mark.parametrize("key", ALL_SETS)
def test_served_openapi_equals_the_compiled_one(key: str, tmp_path: Path) -> None:
    specs = spec_dir(key)
    doc, _ = api.openapi(api.load(specs).spec)
    out = tmp_path / "out"
    build_backend(specs, out)
    served = import_app(out).openapi()
    assert compare_openapi(doc, served) == []
    assert not any(
        r.get("422")
        for p in served["paths"].values()
        for r in [op.get("responses", {}) for op in p.values()]
        if "422" not in json.dumps(doc)
    ), "no undocumented 422"
    assert "HTTPValidationError" not in json.dumps(served)
