"""The read cache of the generated backend (appkit/read_cache.py) never serves stale or someone else's data.

In-process on SQLite files: the answers of generated GETs are served from the cache while nothing has
committed (asserted by the cache's hit counter and by the absence of SQL), and a write through the app,
a write by another connection and a write by another process are each seen by the next GET. Callers
with different identities (tenants of autoflow-taskboard, members and strangers of a bookings workspace)
never get each other's answers. Authentication and rate limits still run on every request.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from roundtrip.appkit.read_cache import Answer, ReadCache
from roundtrip.serve import build_backend, prepare
from tests.conftest import REPO, example_dir
from tests.test_app_generate import import_app
from tests.test_appkit_fast_paths import Statements

ADMIN = {"email": "ana.ribeiro@pantry.dev", "password": "PantryDemo123"}  # specs/ sample data


def client_for(specs: Path, out: Path, env: dict[str, str] | None = None) -> TestClient:
    build_backend(specs, out)
    prepare(out)
    settings = {"RATE_LIMITS": "false", "DATABASE_URL": f"sqlite:///{out / 'app.db'}", **(env or {})}
    return TestClient(import_app(out, settings))


@pytest.fixture(scope="module")
def pantry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with client_for(REPO / "specs", tmp_path_factory.mktemp("pantry") / "out") as client:
        yield client


def cache_of(client: TestClient) -> ReadCache:
    cache = client.app.state.kit.read_cache  # type: ignore[attr-defined]
    assert cache is not None, "SQLite file, READ_CACHE unset: the cache is on"
    return cache


def fetched(client: TestClient, url: str, **kw: Any) -> tuple[Any, bool]:
    """(the answer's JSON, whether the cache answered it)."""
    cache = cache_of(client)
    hits = cache.hits
    r = client.get(url, **kw)
    return (r.json() if r.content else None), cache.hits == hits + 1


def admin(client: TestClient) -> dict[str, str]:
    r = client.post("/v1/auth/login", json=ADMIN)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def a_recipe(client: TestClient, auth: dict[str, str], title: str) -> dict[str, Any]:
    ingredients = client.get("/v1/ingredients", params={"limit": 2}).json()["data"]
    body = {
        "title": title,
        "instructions": "1. Stir.",
        "prepMinutes": 5,
        "cookMinutes": 10,
        "servings": 2,
        "ingredients": [{"ingredientId": ingredients[0]["id"], "quantity": 1, "unit": "kg"}],
    }
    r = client.post("/v1/recipes", json=body, headers=auth)
    assert r.status_code == 201, r.text
    return dict(r.json())


# ---------------------------------------------------------------------------------------------
# hits, and what a hit answers
# ---------------------------------------------------------------------------------------------


def test_a_repeated_get_is_answered_from_the_cache_without_sql(pantry: TestClient) -> None:
    recipe = pantry.get("/v1/recipes").json()["data"][0]
    url = f"/v1/recipes/{recipe['id']}"
    first = pantry.get(url)
    cache = cache_of(pantry)
    hits = cache.hits
    with Statements(pantry) as sql:
        again = pantry.get(url)
    assert cache.hits == hits + 1 and sql.seen == [], "answered by the cache, no statement run"
    assert again.status_code == first.status_code == 200
    assert again.content == first.content, "the same bytes"
    same = {k: v for k, v in first.headers.items() if k != "x-request-id"}
    assert {k: v for k, v in again.headers.items() if k != "x-request-id"} == same, "the same headers"
    assert again.headers["x-request-id"] != first.headers["x-request-id"], "the request id is per request"
    assert again.headers.get("cache-control") == first.headers.get("cache-control")


def test_query_values_are_part_of_the_key_and_errors_are_never_kept(pantry: TestClient) -> None:
    one, _ = fetched(pantry, "/v1/recipes", params={"limit": 1})
    two, hit = fetched(pantry, "/v1/recipes", params={"limit": 2})
    assert not hit and len(one["data"]) == 1 and len(two["data"]) == 2
    assert fetched(pantry, "/v1/recipes", params={"limit": 1}) == (one, True)
    missing = f"/v1/recipes/{uuid.uuid4()}"
    cache = cache_of(pantry)
    hits = cache.hits
    assert [pantry.get(missing).status_code for _ in range(3)] == [404, 404, 404]
    assert cache.hits == hits, "a 404 is looked up again every time"


# ---------------------------------------------------------------------------------------------
# writes: through the app, by another connection, by another process
# ---------------------------------------------------------------------------------------------


def test_writes_through_the_app_are_seen_by_the_next_get(pantry: TestClient) -> None:
    auth = admin(pantry)
    recipe = a_recipe(pantry, auth, "Cache Soup")
    url = f"/v1/recipes/{recipe['id']}"
    listed, _ = fetched(pantry, "/v1/recipes", params={"limit": 100})
    assert recipe["id"] in [r["id"] for r in listed["data"]]
    assert fetched(pantry, url)[0]["title"] == "Cache Soup"
    assert fetched(pantry, url) == (fetched(pantry, url)[0], True), "cached while nothing changes"

    r = pantry.patch(url, json={"title": "Cache Stew"}, headers=auth)
    assert r.status_code == 200, r.text
    body, hit = fetched(pantry, url)
    assert (body["title"], hit) == ("Cache Stew", False), "the PATCH is seen"
    body, hit = fetched(pantry, "/v1/recipes", params={"limit": 100})
    assert not hit and "Cache Stew" in [r["title"] for r in body["data"]]
    assert fetched(pantry, url)[1], "and cached again"

    other = a_recipe(pantry, auth, "Cache Bread")
    body, hit = fetched(pantry, "/v1/recipes", params={"limit": 100})
    assert not hit and other["id"] in [r["id"] for r in body["data"]], "the POST is seen"
    assert body["pagination"]["total"] == listed["pagination"]["total"] + 1

    assert pantry.delete(url, headers=auth).status_code in (200, 204)
    assert pantry.get(url).status_code == 404, "the DELETE is seen"
    body, hit = fetched(pantry, "/v1/recipes", params={"limit": 100})
    assert not hit and recipe["id"] not in [r["id"] for r in body["data"]]


def test_a_write_by_another_connection_is_seen_by_the_next_get(pantry: TestClient) -> None:
    recipe = pantry.get("/v1/recipes").json()["data"][0]
    url = f"/v1/recipes/{recipe['id']}"
    fetched(pantry, url)
    assert fetched(pantry, url)[1]
    database = str(pantry.app.state.kit.engine.url.database)  # type: ignore[attr-defined]
    with sqlite3.connect(database) as other:  # commits on leaving the block
        other.execute("UPDATE recipes SET title = ? WHERE id = ?", ("Written Elsewhere", uuid.UUID(recipe["id"]).hex))
    body, hit = fetched(pantry, url)
    assert (body["title"], hit) == ("Written Elsewhere", False)
    assert fetched(pantry, url) == (body, True)


def test_a_write_by_another_process_is_seen_by_the_next_get(pantry: TestClient) -> None:
    recipe = pantry.get("/v1/recipes").json()["data"][1]
    url = f"/v1/recipes/{recipe['id']}"
    fetched(pantry, url)
    assert fetched(pantry, url)[1]
    database = str(pantry.app.state.kit.engine.url.database)  # type: ignore[attr-defined]
    script = (
        "import sqlite3, sys\n"
        "with sqlite3.connect(sys.argv[1]) as c:\n"
        "    c.execute('UPDATE recipes SET servings = 77 WHERE id = ?', (sys.argv[2],))\n"
    )
    subprocess.run([sys.executable, "-c", script, database, uuid.UUID(recipe["id"]).hex], check=True, timeout=60)
    body, hit = fetched(pantry, url)
    assert (body["servings"], hit) == (77, False)
    listed, hit = fetched(pantry, "/v1/recipes", params={"limit": 100})
    assert not hit and next(r for r in listed["data"] if r["id"] == recipe["id"])["servings"] == 77


def test_a_write_that_must_wait_leaves_the_event_loop_free(pantry: TestClient) -> None:
    """Generated writes run on the event loop only when they get SQLite's write lock at once; one that must
    wait (another connection writes) waits in a worker thread, and reads go on meanwhile."""
    kit = pantry.app.state.kit  # type: ignore[attr-defined]
    assert "postV1Recipes" in kit.at_once and "postV1AuthLogin" not in kit.at_once, "auth flows keep the thread"
    auth = admin(pantry)
    a_recipe(pantry, auth, "At Once Soup")  # nobody else writes: done on the event loop
    other = sqlite3.connect(str(kit.engine.url.database), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock for 2 s
    released = threading.Timer(2.0, other.execute, ("COMMIT",))
    created: dict[str, Any] = {}

    def post() -> None:
        started = time.monotonic()
        created["recipe"] = a_recipe(pantry, auth, "Patient Soup")
        created["seconds"] = time.monotonic() - started

    writer = threading.Thread(target=post)
    released.start()
    writer.start()
    time.sleep(0.3)
    started = time.monotonic()
    assert pantry.get("/v1/ingredients", params={"limit": 3}).status_code == 200
    read_seconds = time.monotonic() - started
    writer.join(timeout=60)
    released.join()
    other.close()
    assert read_seconds < 1.0, f"a read waited {read_seconds:.2f} s behind a waiting write"
    assert created["seconds"] >= 1.5, "the write waited for the other writer"
    body, _ = fetched(pantry, "/v1/recipes", params={"limit": 100})
    assert created["recipe"]["id"] in [r["id"] for r in body["data"]]


# ---------------------------------------------------------------------------------------------
# per-request checks stay per request
# ---------------------------------------------------------------------------------------------


def test_rate_limits_count_every_request_cached_or_not(tmp_path: Path) -> None:
    with client_for(REPO / "specs", tmp_path / "out", {"RATE_LIMITS": "true"}) as client:
        client.get("/health/ready")  # the pool's first connection turns WAL on: a change of the database
        first = client.get("/v1/recipes")
        _, hit = fetched(client, "/v1/recipes")
        again = client.get("/v1/recipes")
        assert hit and first.status_code == again.status_code == 200
        remaining = [int(r.headers["x-ratelimit-remaining"]) for r in (first, again)]
        assert remaining[1] == remaining[0] - 2, "the cached answers were counted too"


def test_off_switch_and_where_there_is_no_cache(tmp_path: Path) -> None:
    with client_for(REPO / "specs", tmp_path / "out", {"READ_CACHE": "false"}) as client:
        kit = client.app.state.kit  # type: ignore[attr-defined]
        assert kit.read_cache is None and not kit.cached_reads
        url = f"/v1/recipes/{client.get('/v1/recipes').json()['data'][0]['id']}"
        client.get(url)
        with Statements(client) as sql:
            assert client.get(url).status_code == 200
        assert sql.seen, "read from the database every time"
    postgres = sa.create_engine("postgresql+psycopg://u:p@127.0.0.1:1/none")  # never connected
    assert ReadCache.for_engine(postgres, True, 1024) is None, "PostgreSQL has no cheap change counter"
    assert ReadCache.for_engine(sa.create_engine("sqlite://"), True, 1024) is None, "in-memory: no shared file"
    assert ReadCache.for_engine(sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}"), False, 1024) is None


# ---------------------------------------------------------------------------------------------
# identities: tenants, members
# ---------------------------------------------------------------------------------------------


def register_tenant(client: TestClient, tenant: str) -> dict[str, str]:
    email = f"{tenant.lower()}.{uuid.uuid4().hex[:6]}@example.com"
    body = {"tenantName": tenant, "email": email, "password": "Sunrise2025", "name": f"{tenant} Owner"}
    r = client.post("/v1/auth/register", json=body)
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_tenants_never_share_an_answer(tmp_path: Path) -> None:
    with client_for(example_dir("taskboard"), tmp_path / "out") as client:
        a, b = register_tenant(client, "Globex"), register_tenant(client, "Initech")
        r = client.post("/v1/projects", json={"key": "WEB", "name": "Website"}, headers=a)
        assert r.status_code == 201, r.text
        project = r.json()
        mine, _ = fetched(client, "/v1/projects", headers=a)
        assert fetched(client, "/v1/projects", headers=a) == (mine, True), "A's own answer is cached for A"
        theirs, hit = fetched(client, "/v1/projects", headers=b)
        assert not hit and [p["id"] for p in mine["data"]] == [project["id"]]
        assert project["id"] not in [p["id"] for p in theirs["data"]], "B never gets A's cached page"
        assert fetched(client, "/v1/projects", headers=b) == (theirs, True)
        url = f"/v1/projects/{project['id']}"
        assert fetched(client, url, headers=a)[0]["id"] == project["id"]
        assert fetched(client, url, headers=a)[1]
        assert client.get(url, headers=b).status_code == 404, "A's cached project is not B's"
        assert client.get(url).status_code == 401, "an anonymous caller is authenticated (and refused) first"
        forged = {"Authorization": a["Authorization"][:-2] + ("AA" if a["Authorization"][-2:] != "AA" else "BB")}
        assert client.get(url, headers=forged).status_code == 401, "a forged token never reaches the cache"


def test_members_and_strangers_never_share_an_answer(tmp_path: Path) -> None:
    """bookings: roles live in workspace_members, and a workspace's answer carries the caller's own role."""
    with client_for(example_dir("bookings"), tmp_path / "out") as client:
        kit = client.app.state.kit  # type: ignore[attr-defined]
        assert "getWorkspacesById" in kit.cached_reads

        def register(name: str) -> dict[str, str]:
            body = {"email": f"{name}.{uuid.uuid4().hex[:6]}@example.com", "password": "Secret123X", "name": name.title()}
            r = client.post("/api/v1/auth/register", json=body)
            assert r.status_code == 201, r.text
            return {"Authorization": f"Bearer {r.json()['tokens']['accessToken']}"}

        owner, stranger = register("owner"), register("stranger")
        r = client.post("/api/v1/workspaces", json={"name": "Cache HQ", "timezone": "Europe/Berlin"}, headers=owner)
        assert r.status_code == 201, r.text
        url = f"/api/v1/workspaces/{r.json()['id']}"
        seen, _ = fetched(client, url, headers=owner)
        assert seen["role"] == "admin" and fetched(client, url, headers=owner) == (seen, True)
        assert client.get(url, headers=stranger).status_code in (403, 404), "not the member's cached answer"
        assert client.get(url, headers=stranger).status_code in (403, 404), "nor a refusal kept for later"
        # the stranger becomes a plain member, by another connection (nothing in this process wrote)
        me = client.get("/api/v1/auth/me", headers=stranger).json()
        workspace_id, user_id = uuid.UUID(r.json()["id"]), uuid.UUID(me["id"])
        database = str(kit.engine.url.database)
        with sqlite3.connect(database) as other:
            row = other.execute("SELECT typeof(workspace_id) FROM workspace_members LIMIT 1").fetchone()
            as_text = row is not None and row[0] == "text"
            keys = (workspace_id.hex, user_id.hex) if as_text else (workspace_id.bytes, user_id.bytes)
            other.execute("INSERT INTO workspace_members (workspace_id, user_id, role) VALUES (?, ?, 'member')", keys)
        theirs, hit = fetched(client, url, headers=stranger)
        assert not hit and theirs["role"] == "member", theirs
        assert fetched(client, url, headers=stranger) == (theirs, True)
        assert fetched(client, url, headers=owner)[0]["role"] == "admin", "each caller keeps their own answer"


# ---------------------------------------------------------------------------------------------
# the cache itself: stamps and bounds
# ---------------------------------------------------------------------------------------------


def test_stamps_and_bounds(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'stamps.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    cache = ReadCache.for_engine(engine, True, 2)
    assert cache is not None
    answer = Answer(200, b"{}", {})
    s1 = cache.stamp()
    assert s1 is not None
    cache.put(("a",), s1, answer)
    assert cache.get(("a",), s1) is answer
    with engine.begin() as conn:  # another connection commits
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
    s2 = cache.stamp()
    assert s2 is not None
    assert s2 != s1 and cache.get(("a",), s2) is None
    cache.put(("b",), s1, answer)
    assert cache.get(("b",), s2) is None, "an answer read under an older stamp is never kept"
    cache.wrote()
    s3 = cache.stamp()
    assert s3 is not None
    assert s3 != s2 and cache.get(("a",), s1) is None and cache.get(("a",), s2) is None
    for key in ("a", "b", "c"):
        cache.put((key,), s3, answer)
    assert len(cache) == 2 and cache.get(("a",), s3) is None, "least recently used out first"
    assert cache.get(("c",), s3) is answer
    cache.put(("huge",), s3, Answer(200, b"x" * (2 << 20), {}))
    assert cache.get(("huge",), s3) is None, "an oversized answer is not kept"
    cache.close()
