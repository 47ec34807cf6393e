"""End to end over real HTTP: the generated backend served by uvicorn on loopback, driven with httpx
the way a frontend would (register → login → create → get → list → update → delete → 404), plus the
documented 401/403/400 answers, tenant isolation, on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import sqlalchemy as sa

from roundtrip.appkit.security import Passwords
from roundtrip.serve import Prepared, app_env, build_backend, prepare, uvicorn_command
from tests.conftest import REPO, example_dir, scratch_database

SPECS = REPO / "specs"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
SECRET = "e2e-secret-" + "x" * 40


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def started(cmd: list[str], env: dict[str, str], log: Path, probe: str, *, timeout: float = 40, cwd: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """`cmd` started with its output in `log`, once `probe` answers 200; always stopped (by its pid) when the block ends."""
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"{cmd[0]} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(probe, timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"{probe} did not answer in {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def running(p: Prepared, env: dict[str, str] | None = None) -> Iterator[str]:
    """uvicorn on 127.0.0.1 with a free port, serving the generated backend `p`."""
    port = free_port()
    extra = {"JWT_SECRET": SECRET, "LOG_LEVEL": "WARNING", **(env or {})}
    base = f"http://127.0.0.1:{port}"
    cmd = uvicorn_command(p.out, "127.0.0.1", port)
    with started(cmd, app_env(p, extra), p.out / f"uvicorn-{port}.log", f"{base}/health/live"):
        yield base



@contextlib.contextmanager
def backend(specs: Path, tmp: Path, dialect: str, env: dict[str, str] | None = None) -> Iterator[str]:
    with backend_and_database(specs, tmp, dialect, env) as (base, _):
        yield base


@contextlib.contextmanager
def backend_and_database(specs: Path, tmp: Path, dialect: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """The running backend's URL and its database's URL (for what no endpoint creates: a first staff account)."""
    out = tmp / "out"
    build_backend(specs, out)
    if dialect == "postgresql":
        with scratch_database("rt_app_") as url:
            with running(prepare(out, db=url), env) as base:
                yield base, url.replace("postgresql://", "postgresql+psycopg://", 1)
    else:
        with running(prepare(out), env) as base:
            yield base, f"sqlite:///{(out / 'app.db').resolve()}"


def error_code(body: Any) -> str:
    """The machine code of an error body, flat (`{"error": "CODE"}`) or nested (`{"error": {"code": ...}}`)."""
    err = body.get("error")
    return str(err.get("code") if isinstance(err, dict) else err)


# ---------------------------------------------------------------------------------------------
# Pantry (specs/): the whole frontend walk
# ---------------------------------------------------------------------------------------------


def walk_pantry(base: str) -> None:
    with httpx.Client(base_url=base, timeout=TIMEOUT) as c:
        email = f"maya.{uuid.uuid4().hex[:8]}@example.com"
        r = c.post("/v1/auth/register", json={"email": email, "password": "Basil2025", "displayName": "Maya Lind"})
        assert r.status_code == 201, r.text
        reg = r.json()
        assert reg["user"]["email"] == email and reg["user"]["role"] == "member" and reg["expiresIn"] == 900
        assert "password" not in r.text and "passwordHash" not in r.text
        assert r.headers["x-request-id"]

        r = c.post("/v1/auth/register", json={"email": email, "password": "Basil2025", "displayName": "Again"})
        assert r.status_code == 409 and r.json()["error"] == "EMAIL_EXISTS"

        r = c.post("/v1/auth/login", json={"email": email, "password": "Basil2025"})
        assert r.status_code == 200, r.text
        login = r.json()
        claims = jwt.decode(login["token"], SECRET, algorithms=["HS256"])
        assert claims["exp"] - claims["iat"] == 900 and claims["sub"] == reg["user"]["id"]
        auth = {"Authorization": f"Bearer {login['token']}"}

        r = c.get("/v1/users/me", headers=auth)
        assert r.status_code == 200 and r.json()["email"] == email and r.json()["lastLoginAt"]

        ingredients = c.get("/v1/ingredients", params={"limit": 100}).json()["data"]
        assert len(ingredients) >= 2
        body = {
            "title": "Weeknight Test Soup",
            "instructions": "1. Boil.\n2. Serve.",
            "prepMinutes": 10,
            "cookMinutes": 20,
            "servings": 2,
            "ingredients": [
                {"ingredientId": ingredients[0]["id"], "quantity": 2.5, "unit": "g", "note": "chopped"},
                {"ingredientId": ingredients[1]["id"], "quantity": 1, "unit": "piece"},
            ],
        }
        r = c.post("/v1/recipes", json=body, headers=auth)
        assert r.status_code == 201, r.text
        recipe = r.json()
        rid = recipe["id"]
        assert recipe["authorId"] == reg["user"]["id"] and recipe["author"]["displayName"] == "Maya Lind"
        assert recipe["difficulty"] == "medium"  # the column default
        assert [(i["ingredientId"], i["quantity"], i["unit"]) for i in recipe["ingredients"]] == [
            (ingredients[0]["id"], 2.5, "g"),
            (ingredients[1]["id"], 1, "piece"),
        ]
        assert recipe["ingredients"][0]["name"] == ingredients[0]["name"] and recipe["reviewCount"] == 0

        r = c.get(f"/v1/recipes/{rid}")
        assert r.status_code == 200 and r.json()["title"] == "Weeknight Test Soup"

        r = c.get("/v1/recipes", params={"authorId": reg["user"]["id"]})
        assert r.status_code == 200
        listed = r.json()
        assert [x["id"] for x in listed["data"]] == [rid]
        assert listed["pagination"] == {"total": 1, "limit": 20, "offset": 0, "hasMore": False}
        r = c.get("/v1/recipes", params={"q": "test soup", "sort": "-createdAt,title", "limit": 1})
        assert r.json()["data"][0]["id"] == rid
        r = c.get("/v1/recipes", params={"ingredientId": ingredients[0]["id"]})
        assert rid in [x["id"] for x in r.json()["data"]]

        r = c.patch(f"/v1/recipes/{rid}", json={"servings": 3, "description": "Now with a description"}, headers=auth)
        assert r.status_code == 200, r.text
        assert r.json()["servings"] == 3 and r.json()["description"] == "Now with a description" and r.json()["title"] == body["title"]

        # another user may neither edit nor delete it (documented 403 FORBIDDEN)
        other = c.post("/v1/auth/register", json={"email": f"x{uuid.uuid4().hex[:8]}@example.com", "password": "Oregano99", "displayName": "Other"})
        other_auth = {"Authorization": f"Bearer {other.json()['token']}"}
        r = c.patch(f"/v1/recipes/{rid}", json={"servings": 1}, headers=other_auth)
        assert r.status_code == 403 and r.json()["error"] == "FORBIDDEN"
        # a member may not add ingredients (role check); a review from someone else works
        r = c.post("/v1/ingredients", json={"name": "Sumac"}, headers=other_auth)
        assert r.status_code == 403 and r.json()["error"] == "FORBIDDEN"
        r = c.post(f"/v1/recipes/{rid}/reviews", json={"rating": 4, "comment": "Nice"}, headers=other_auth)
        assert r.status_code == 201 and r.json()["recipeId"] == rid
        r = c.post(f"/v1/recipes/{rid}/reviews", json={"rating": 5}, headers=other_auth)
        assert r.status_code == 409 and r.json()["error"] == "REVIEW_EXISTS"
        r = c.get(f"/v1/recipes/{rid}")
        assert r.json()["reviewCount"] == 1 and r.json()["averageRating"] == 4

        r = c.delete(f"/v1/recipes/{rid}", headers=auth)
        assert r.status_code == 204 and r.content == b""
        r = c.get(f"/v1/recipes/{rid}")
        assert r.status_code == 404
        err = r.json()
        assert err["error"] == "RECIPE_NOT_FOUND" and err["requestId"] == r.headers["x-request-id"] and err["details"] == []

        # protected endpoint: missing, malformed, forged and expired tokens all get the documented 401
        now = int(time.time())
        forged = jwt.encode({"sub": reg["user"]["id"], "typ": "access", "exp": now + 600}, "not-the-secret-" * 3, algorithm="HS256")
        expired = jwt.encode({"sub": reg["user"]["id"], "typ": "access", "iat": now - 7200, "exp": now - 3600}, SECRET, algorithm="HS256")
        for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": f"Bearer {forged}"}, {"Authorization": f"Bearer {expired}"}):
            r = c.post("/v1/recipes", json=body, headers=headers)
            assert r.status_code == 401, (headers, r.text)
            assert r.json()["error"] == "UNAUTHORIZED" and r.json()["requestId"] == r.headers["x-request-id"]

        # invalid body: the documented 400 VALIDATION_ERROR envelope with field details, never FastAPI's 422
        r = c.post("/v1/recipes", json={**body, "title": "", "servings": 0}, headers=auth)
        assert r.status_code == 400, r.text
        err = r.json()
        assert err["error"] == "VALIDATION_ERROR" and {d["field"] for d in err["details"]} == {"title", "servings"}
        assert set(err) == {"error", "message", "details", "requestId"}
        r = c.post("/v1/recipes", content=b"{not json", headers={**auth, "Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["error"] == "VALIDATION_ERROR"
        r = c.get("/v1/recipes", params={"sort": "bogus"})
        assert r.status_code == 400 and r.json()["error"] == "INVALID_SORT_FIELD"
        # a NUL character (PostgreSQL text cannot hold one) matches nothing: an empty page, not a 400
        r = c.get("/v1/recipes", params={"q": "soup\x00"})
        assert r.status_code == 200 and r.json()["data"] == [], r.text

        # refresh rotates; the rotated token is then rejected; logout revokes
        r = c.post("/v1/auth/refresh", json={"refreshToken": login["refreshToken"]})
        assert r.status_code == 200 and r.json()["refreshToken"] != login["refreshToken"]
        rotated = r.json()["refreshToken"]
        r = c.post("/v1/auth/refresh", json={"refreshToken": login["refreshToken"]})
        assert r.status_code == 401 and r.json()["error"] == "INVALID_REFRESH_TOKEN"
        r = c.post("/v1/auth/refresh", json={"refreshToken": rotated})
        assert r.status_code == 401, "reuse of a rotated token revokes the whole family"

        # seeded account from the docs' sample data
        r = c.post("/v1/auth/login", json={"email": "ben.okafor@example.com", "password": "PantryDemo123"})
        assert r.status_code == 200 and r.json()["user"]["displayName"] == "Ben Okafor"

        # rate-limit headers, CORS for a local frontend, docs page without a CDN
        r = c.get("/v1/recipes", headers={"Origin": "http://localhost:5173"})
        assert r.headers["x-ratelimit-limit"] == "300" and int(r.headers["x-ratelimit-remaining"]) < 300
        assert r.headers["access-control-allow-origin"] == "http://localhost:5173"
        assert r.headers["cache-control"] == "public, max-age=60"
        r = c.get("/docs")
        assert r.status_code == 200 and "cdn." not in r.text and "/_docs-assets/" in r.text
        assert c.get("/health/ready").json()["database"] == "up"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_pantry_frontend_walk(dialect: str, tmp_path: Path) -> None:
    with backend(SPECS, tmp_path, dialect) as base:
        walk_pantry(base)


def test_pantry_lockout_after_documented_failures(tmp_path: Path) -> None:
    with backend(SPECS, tmp_path, "sqlite", {"RATE_LIMITS": "false"}) as base, httpx.Client(base_url=base, timeout=TIMEOUT) as c:
        email = f"lock.{uuid.uuid4().hex[:6]}@example.com"
        assert c.post("/v1/auth/register", json={"email": email, "password": "Basil2025", "displayName": "L"}).status_code == 201
        codes = [c.post("/v1/auth/login", json={"email": email, "password": "Wrong0000"}).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 401]
        r = c.post("/v1/auth/login", json={"email": email, "password": "Wrong0000"})
        assert r.status_code == 423 and r.json()["error"] == "ACCOUNT_LOCKED"
        r = c.post("/v1/auth/login", json={"email": email, "password": "Basil2025"})
        assert r.status_code == 423, "the right password does not help while the account is locked"


def test_pantry_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    with backend(SPECS, tmp_path, "sqlite") as base, httpx.Client(base_url=base, timeout=TIMEOUT) as c:
        codes = [c.post("/v1/auth/login", json={"email": "nobody@example.com", "password": "Whatever1"}) for _ in range(6)]
        assert [r.status_code for r in codes] == [401] * 5 + [429]
        assert codes[-1].json()["error"] == "RATE_LIMIT" and int(codes[-1].headers["retry-after"]) >= 1
        assert codes[0].headers["x-ratelimit-limit"] == "5"


# ---------------------------------------------------------------------------------------------
# autoflow-taskboard: tenant scoping
# ---------------------------------------------------------------------------------------------


def register_tenant(c: httpx.Client, tenant: str) -> dict[str, str]:
    email = f"{tenant.lower()}.{uuid.uuid4().hex[:6]}@example.com"
    r = c.post("/v1/auth/register", json={"tenantName": tenant, "email": email, "password": "Sunrise2025", "name": f"{tenant} Owner"})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_taskboard_tenants_never_see_each_other(dialect: str, tmp_path: Path) -> None:
    with backend(example_dir("taskboard"), tmp_path, dialect) as base, httpx.Client(base_url=base, timeout=TIMEOUT) as c:
        a = register_tenant(c, "Globex")
        b = register_tenant(c, "Initech")
        me_a = c.get("/v1/users/me", headers=a).json()
        assert me_a["role"] == "owner", "the registering user owns the new tenant"
        r = c.post("/v1/projects", json={"key": "WEB", "name": "Website"}, headers=a)
        assert r.status_code == 201, r.text
        project = r.json()
        assert project["tenantId"] == me_a["tenantId"]
        r = c.post(f"/v1/projects/{project['id']}/tasks", json={"title": "Write the copy"}, headers=a)
        assert r.status_code == 201, r.text
        task = r.json()
        r = c.post(f"/v1/projects/{project['id']}/tasks", json={"title": "Mine", "assigneeId": me_a["id"]}, headers=a)
        assert r.status_code == 201, r.text
        mine = r.json()
        # `assigneeId` is "UUID, `me` or `none`" (API_SPEC.md:573): the caller's id, or no assignee
        def listed(assignee: str) -> list[str]:
            r = c.get(f"/v1/projects/{project['id']}/tasks", params={"assigneeId": assignee}, headers=a)
            assert r.status_code == 200, r.text
            return [t["id"] for t in r.json()["data"]]

        assert listed("me") == listed(me_a["id"]) == [mine["id"]]
        assert listed("none") == [task["id"]]
        assert c.get(f"/v1/projects/{project['id']}/tasks", params={"assigneeId": "nobody-else"}, headers=a).status_code == 400

        assert c.get(f"/v1/projects/{project['id']}", headers=a).status_code == 200
        assert c.get(f"/v1/projects/{project['id']}", headers=b).status_code == 404
        assert c.get(f"/v1/tasks/{task['id']}", headers=b).status_code == 404
        assert c.patch(f"/v1/tasks/{task['id']}", json={"title": "Hijacked"}, headers=b).status_code == 404
        assert c.delete(f"/v1/projects/{project['id']}", headers=b).status_code in (403, 404)
        assert c.get(f"/v1/projects/{project['id']}/tasks", headers=b).status_code == 404
        listed_b = c.get("/v1/projects", headers=b).json()
        assert project["id"] not in [p["id"] for p in listed_b["data"]]
        assert [p["id"] for p in c.get("/v1/projects", headers=a).json()["data"]] == [project["id"]]
        users_b = c.get("/v1/users", headers=b).json()["data"]
        assert me_a["id"] not in [u["id"] for u in users_b]
        r = c.get("/v1/projects")
        assert r.status_code == 401 and error_code(r.json()) == "UNAUTHORIZED"


# ---------------------------------------------------------------------------------------------
# the other example sets start and answer
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize("key", ["exams", "bookings", "library"])
def test_other_examples_start_and_answer(key: str, dialect: str, tmp_path: Path) -> None:
    with backend(example_dir(key), tmp_path, dialect) as base, httpx.Client(base_url=base, timeout=TIMEOUT) as c:
        doc = c.get("/openapi.json").json()
        assert doc["paths"], "the app serves its OpenAPI"
        server = doc["servers"][0]["url"].rstrip("/")
        ops = [(m.upper(), p, op) for p, item in doc["paths"].items() for m, op in item.items()]
        protected = [(m, p) for m, p, op in ops if op.get("security") and "{" not in p and m == "GET"]
        assert protected, "every example set has a protected list"
        method, path = protected[0]
        r = c.request(method, server + path)
        assert r.status_code == 401, r.text
        assert error_code(r.json()) and r.headers["x-request-id"]
        r = c.get(server + "/definitely-not-documented")
        assert r.status_code == 404 and error_code(r.json())


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_bookings_walk_with_workspace_memberships(dialect: str, tmp_path: Path) -> None:
    """Roles live in workspace_members: the creator administers the workspace; outsiders see nothing."""
    with backend(example_dir("bookings"), tmp_path, dialect, {"RATE_LIMITS": "false"}) as base, httpx.Client(base_url=base + "/api/v1", timeout=TIMEOUT) as c:

        def register(name: str) -> dict[str, str]:
            r = c.post("/auth/register", json={"email": f"{name}.{uuid.uuid4().hex[:6]}@example.com", "password": "Secret123X", "name": name.title()})
            assert r.status_code == 201, r.text
            return {"Authorization": f"Bearer {r.json()['tokens']['accessToken']}"}

        owner, outsider = register("owner"), register("outsider")
        r = c.post("/workspaces", json={"name": "Berlin Office", "timezone": "Europe/Berlin"}, headers=owner)
        assert r.status_code == 201, r.text
        ws = r.json()
        assert ws["role"] == "admin" and ws["slug"].startswith("berlin-office")
        r = c.post(f"/workspaces/{ws['id']}/rooms", json={"name": "Room A", "kind": "meeting_room", "capacity": 6}, headers=owner)
        assert r.status_code == 201, r.text
        room = r.json()
        r = c.post("/bookings", json={"roomId": room["id"], "title": "Standup", "startAt": "2030-01-01T09:00:00Z", "endAt": "2030-01-01T09:30:00Z"}, headers=owner)
        assert r.status_code == 201, r.text
        booking = r.json()
        assert booking["workspaceId"] == ws["id"], "derived from the booked room"
        assert c.get(f"/bookings/{booking['id']}", headers=owner).json()["title"] == "Standup"
        assert [b["id"] for b in c.get("/bookings", headers=owner).json()["data"]] == [booking["id"]]
        r = c.patch(f"/bookings/{booking['id']}", json={"title": "Daily"}, headers=owner)
        assert r.status_code == 200 and r.json()["title"] == "Daily"
        # the exclusion constraint (no overlapping confirmed bookings of a room): on SQLite its triggers
        overlap = {"roomId": room["id"], "title": "Clash", "startAt": "2030-01-01T09:15:00Z", "endAt": "2030-01-01T09:45:00Z"}
        r = c.post("/bookings", json=overlap, headers=owner)
        assert r.status_code == 409 and r.json()["error"]["code"] == "BOOKING_CONFLICT", r.text
        touching = {**overlap, "startAt": "2030-01-01T09:30:00Z", "endAt": "2030-01-01T10:00:00Z"}
        r = c.post("/bookings", json=touching, headers=owner)  # [09:00, 09:30) and [09:30, 10:00) do not overlap
        assert r.status_code == 201, r.text
        assert c.delete(f"/bookings/{r.json()['id']}", headers=owner).status_code == 204

        assert c.get(f"/workspaces/{ws['id']}", headers=outsider).status_code == 404
        assert c.get("/workspaces", headers=outsider).json()["data"] == []
        assert c.get(f"/bookings/{booking['id']}", headers=outsider).status_code == 404
        assert c.get("/bookings", headers=outsider).json()["data"] == []
        r = c.post("/bookings", json={"roomId": room["id"], "title": "Intrude", "startAt": "2030-01-01T10:00:00Z", "endAt": "2030-01-01T10:30:00Z"}, headers=outsider)
        assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"

        # example-backed operations on a row: 404 for an unknown id, the status change once, then 409
        r = c.post(f"/bookings/{uuid.uuid4()}/cancel", json={}, headers=owner)
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND", r.text
        assert c.post(f"/bookings/{booking['id']}/cancel", json={}, headers=outsider).status_code == 404, "not a member"
        r = c.post(f"/bookings/{booking['id']}/cancel", json={}, headers=owner)
        assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["id"] == booking["id"], r.text
        r = c.post(f"/bookings/{booking['id']}/cancel", json={}, headers=owner)
        assert r.status_code == 409 and r.json()["error"]["code"], r.text
        r = c.post("/bookings", json=overlap, headers=owner)  # the constraint counts confirmed bookings only
        assert r.status_code == 201, r.text
        assert c.delete(f"/bookings/{r.json()['id']}", headers=owner).status_code == 204
        assert c.get(f"/rooms/{uuid.uuid4()}/availability", params={"date": "2030-01-01"}, headers=owner).status_code == 404
        r = c.get(f"/rooms/{room['id']}/availability", params={"date": "2030-01-01"}, headers=owner)
        assert r.status_code == 200 and r.json()["roomId"] == room["id"] and r.json()["date"] == "2030-01-01", r.text

        assert c.delete(f"/bookings/{booking['id']}", headers=owner).status_code == 204
        r = c.get(f"/bookings/{booking['id']}", headers=owner)
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
        r = c.post("/workspaces", json={"name": "x"}, headers=owner)
        assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_exams_register_login_and_crud(dialect: str, tmp_path: Path) -> None:
    with backend(example_dir("exams"), tmp_path, dialect) as base, httpx.Client(base_url=base + "/api/v1", timeout=TIMEOUT) as c:
        email = f"ada.{uuid.uuid4().hex[:6]}@example.com"
        r = c.post("/auth/register", json={"email": email, "password": "Secret123", "name": "Ada Lovelace"})
        assert r.status_code == 201, r.text
        r = c.post("/auth/login", json={"email": email + "\x00", "password": "Secret123"})  # a plain string field
        assert r.status_code == 401 and r.json()["error"]["code"] == "INVALID_CREDENTIALS", r.text  # not a database error
        r = c.post("/auth/login", json={"email": email, "password": "Secret123"})
        assert r.status_code == 200, r.text
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        assert c.get("/auth/me", headers=auth).json()["email"] == email
        r = c.post("/exams", json={"title": "Algebra", "durationMinutes": 30}, headers=auth)
        assert r.status_code == 201, r.text
        exam = r.json()
        assert exam["status"] == "draft" and exam["passingScore"] == 60, "documented defaults"
        r = c.get(f"/exams/{exam['id']}", headers=auth)
        assert r.status_code == 200 and r.json()["durationMinutes"] == 30 and "duration_minutes" not in r.text
        assert exam["id"] in [e["id"] for e in c.get("/exams", headers=auth).json()["data"]]
        r = c.patch(f"/exams/{exam['id']}", json={"title": "Algebra II"}, headers=auth)
        assert r.status_code == 200 and r.json()["title"] == "Algebra II"
        assert c.delete(f"/exams/{exam['id']}", headers=auth).status_code == 204
        r = c.get(f"/exams/{exam['id']}", headers=auth)
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND" and r.json()["error"]["requestId"]
        r = c.post("/exams", json={"title": "x", "durationMinutes": 1}, headers=auth)
        assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR"
        assert {d["field"] for d in r.json()["error"]["details"]} == {"title", "durationMinutes"}

        # auth comes first: no credentials, or a forged token, is 401 before any id or body is looked at
        forged = {"Authorization": "Bearer " + jwt.encode({"sub": str(uuid.uuid4()), "exp": int(time.time()) + 60}, "x" * 40, algorithm="HS256")}
        for headers in ({}, forged):
            for method, path, body in [
                ("GET", f"/exams/{exam['id']}", None),
                ("GET", "/exams/{id}", None),
                ("POST", "/exams/{examId}/questions", {"type": "single_choice", "prompt": "x", "answerKey": "y"}),
                ("PUT", "/attempts/{attemptId}/answers/{questionId}", {"response": "x"}),
                ("POST", "/exams", {"title": ""}),
            ]:
                r = c.request(method, path, json=body, headers=headers)
                assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED", (method, path, r.text)
        # an ill-formed or unknown id is 404, never 500, on CRUD and on example-backed operations alike
        for method, path in [("POST", "/exams/0/attempts"), ("GET", "/exams/0/attempts"), ("POST", f"/exams/{uuid.uuid4()}/publish")]:
            r = c.request(method, path, headers=auth)
            assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND", (method, path, r.text)
        draft = c.post("/exams", json={"title": "Geometry", "durationMinutes": 45}, headers=auth).json()
        r = c.post(f"/exams/{draft['id']}/publish", headers=auth)
        assert r.status_code == 200 and r.json()["status"] == "published" and r.json()["title"] == "Geometry", r.text
        assert c.post(f"/exams/{draft['id']}/publish", headers=auth).status_code == 409


# ---------------------------------------------------------------------------------------------
# Library (bmad-library): a librarian's walk; the first staff account is a row, as an admin would add it
# ---------------------------------------------------------------------------------------------


def add_librarian(db_url: str, email: str, password: str) -> int:
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            branch = conn.execute(sa.text("SELECT id FROM branches ORDER BY id LIMIT 1")).scalar()
            assert branch is not None, "the docs' sample branches are seeded"
            conn.execute(
                sa.text("INSERT INTO staff (branch_id, email, password_hash, full_name, role) VALUES (:b, :e, :p, 'Grace Hopper', 'librarian')"),
                {"b": branch, "e": email, "p": Passwords("bcrypt", 4).hash(password)},
            )
            return int(branch)
    finally:
        engine.dispose()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_library_librarian_walk(dialect: str, tmp_path: Path) -> None:
    env = {"RATE_LIMITS": "false"}
    with backend_and_database(example_dir("library"), tmp_path, dialect, env) as (base, db_url), httpx.Client(base_url=base + "/api/v1", timeout=TIMEOUT) as c:
        branch = add_librarian(db_url, "grace@library.example.org", "Librarian2025")
        r = c.post("/auth/staff-login", json={"email": "grace@library.example.org", "password": "Librarian2025"})
        assert r.status_code == 200, r.text
        staff = {"Authorization": f"Bearer {r.json()['accessToken']}"}

        # (The Midnight Library is seeded: a row of the docs' GET /books/{bookId} example, emit.seed_examples)
        r = c.post("/books", json={"title": "Salt Fat Acid Heat", "authors": ["Nosrat, Samin"], "isbn13": "9781476753836", "publishedYear": 2017}, headers=staff)
        assert r.status_code == 201, r.text
        book = r.json()
        assert book["authors"] == ["Nosrat, Samin"] and book["language"] == "en", "documented default"
        r = c.get(f"/books/{book['id']}")
        assert r.status_code == 200 and r.json()["title"] == "Salt Fat Acid Heat" and "published_year" not in r.text
        assert book["id"] in [b["id"] for b in c.get("/books").json()["data"]]
        r = c.post(f"/books/{book['id']}/copies", json={"barcode": "31234567890123", "branchId": branch, "callNumber": "FIC HAI"}, headers=staff)
        assert r.status_code == 201 and r.json()["priceCents"] == 2500, r.text
        copy = r.json()
        r = c.patch(f"/copies/{copy['id']}", json={"status": "lost"}, headers=staff)
        assert r.status_code == 200 and r.json()["barcode"] == "31234567890123" and r.json()["status"] == "lost", r.text
        # "Body: any of `branchId`, `callNumber`, `priceCents`, `status` (only `lost`, `withdrawn`, `available`, `in_transit`)"
        r = c.patch(f"/copies/{copy['id']}", json={"status": "on_loan"}, headers=staff)
        assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR", r.text
        r = c.patch(f"/copies/{copy['id']}", json={"priceCents": 100}, headers=staff)
        assert r.status_code == 200 and r.json()["status"] == "lost" and r.json()["priceCents"] == 100, "a PATCH keeps what it leaves out"
        member = {"firstName": "Ada", "lastName": "King", "dateOfBirth": "1990-12-10", "homeBranchId": branch, "password": "Member2025x"}
        r = c.post("/members", json=member, headers=staff)
        assert r.status_code == 201, r.text
        assert re.fullmatch(r"2[0-9]{13}", r.json()["cardNumber"]), "a card number the docs' CHECK accepts"
        r = c.post("/holds", json={"bookId": book["id"], "pickupBranchId": branch, "memberId": r.json()["id"]}, headers=staff)
        assert r.status_code == 201 and r.json()["status"] == "waiting", r.text
        hold = r.json()
        assert c.delete(f"/holds/{hold['id']}", headers=staff).status_code == 204
        r = c.delete(f"/holds/{hold['id']}", headers=staff)
        assert r.status_code == 404 and r.json()["error"]["code"] == "HOLD_NOT_FOUND", r.text

        # the documented 401 before anything else, in the documented envelope
        for method, path in [("GET", "/members"), ("POST", "/books/not-a-number/copies"), ("POST", f"/loans/{10**9}/renew")]:
            r = c.request(method, path, json={})
            assert r.status_code == 401 and r.json()["error"]["code"] == "INVALID_CREDENTIALS", (method, path, r.text)
            assert r.json()["error"]["requestId"]
        # invalid input: the documented 400 envelope; unknown rows behind example-backed operations: 404
        r = c.post("/books", json={"title": ""}, headers=staff)
        assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR" and isinstance(r.json()["error"]["details"], dict)
        r = c.get("/books", params={"limit": "ten"})  # `limit` is an integer by the Pagination convention
        assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR", r.text
        assert set(r.json()["error"]["details"]) == {"limit"} and "integer" in r.json()["error"]["details"]["limit"], r.text
        for value in ("0", "101"):  # 1..100 (conventions: max 100; a page of no rows is no page)
            r = c.get("/books", params={"limit": value})
            assert r.status_code == 400 and set(r.json()["error"]["details"]) == {"limit"}, r.text
        r = c.get("/books", params={"sort": "author"})  # §3.4 lists relevance, title, -publishedYear
        assert r.status_code == 400 and set(r.json()["error"]["details"]) == {"sort"}, r.text
        assert c.get("/books", params={"sort": "-title"}).status_code == 200
        assert c.post(f"/loans/{10**9}/renew", headers=staff).status_code == 404
        assert c.post(f"/fines/{10**9}/waive", json={"reason": "Lost in the flood"}, headers=staff).status_code == 404


def test_serve_caches_by_spec_hash(tmp_path: Path) -> None:
    first = prepare(SPECS, cache_root=tmp_path)
    again = prepare(SPECS, cache_root=tmp_path)
    assert first.generated and not again.generated and first.out == again.out
    assert first.out.parent == tmp_path / ".roundtrip-cache"
    assert ("ben.okafor@example.com", "member") in first.accounts
    assert "seeded:" in first.seed_report


def test_serve_from_a_spec_folder_prints_the_banner_and_serves(tmp_path: Path) -> None:
    """`serve(SPECS)` as `roundtrip serve specs` runs it: generate into .roundtrip-cache, migrate, seed, banner, uvicorn."""
    port = free_port()
    code = f"from pathlib import Path; from roundtrip.serve import serve; serve(Path({str(SPECS)!r}), port={port})"
    env = {k: v for k, v in os.environ.items() if k != "JWT_SECRET"}
    env["PYTHONPATH"] = str(REPO)
    log = tmp_path / "serve.log"
    with started([sys.executable, "-c", code], env, log, f"http://127.0.0.1:{port}/health/ready", timeout=90, cwd=tmp_path):
        r = httpx.post(f"http://127.0.0.1:{port}/v1/auth/login", json={"email": "dev.sharma@example.net", "password": "PantryDemo123"}, timeout=30)
        assert r.status_code == 200 and r.json()["user"]["role"] == "moderator"
    banner = log.read_text(errors="replace")
    assert f"http://127.0.0.1:{port}/docs" in banner and "ben.okafor@example.com  (member)" in banner and "seeded:" in banner
    caches = list((tmp_path / ".roundtrip-cache").iterdir())
    assert len(caches) == 1 and (caches[0] / "app" / "main.py").is_file() and (caches[0] / ".jwt-secret").is_file()
