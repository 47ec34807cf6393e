"""The generated backend's fast paths answer exactly what the plain paths answer, with fewer queries.

On specs/ (pantry), in-process on SQLite:
- a GET by id reads the row, its author, its ingredient lines joined with their ingredients, and both
  review aggregates in one query each; the body equals the one `Records.shape` builds row by row;
- a list page that is not full needs no count query; a full page still counts;
- a create writes its child rows (in order) and answers what a later GET answers;
- reads on SQLite run on the event loop, writes and overrides in a worker thread;
- a token's signature is checked once, its expiry on every use;
- responses are the JSON Starlette would write; request ids are version-4 UUIDs.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from roundtrip.appkit import security
from roundtrip.appkit.observe import new_request_id
from roundtrip.appkit.runtime import FastJSONResponse
from roundtrip.appkit.security import TokenError, Tokens, TokenSettings
from roundtrip.serve import build_backend, prepare
from tests.conftest import REPO
from tests.test_app_generate import import_app

ADMIN = {"email": "ana.ribeiro@pantry.dev", "password": "PantryDemo123"}  # specs/ sample data


@pytest.fixture(scope="module")
def pantry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    out: Path = tmp_path_factory.mktemp("pantry") / "out"
    build_backend(REPO / "specs", out)
    prepare(out)
    with TestClient(
        # the read cache off: these tests count the statements a read runs (tests/test_read_cache.py: the cache)
        import_app(out, {"RATE_LIMITS": "false", "READ_CACHE": "false", "DATABASE_URL": f"sqlite:///{out / 'app.db'}"})
    ) as client:
        yield client


class Statements:
    """The SQL statements the kit's engine runs while the block is open."""

    def __init__(self, client: TestClient) -> None:
        self.engine = client.app.state.kit.engine  # type: ignore[attr-defined]
        self.seen: list[str] = []

    def _record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.seen.append(statement)

    def __enter__(self) -> Statements:
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    def count(self, *words: str) -> int:
        """Statements holding every one of `words` (case-insensitive, whitespace-insensitive)."""
        flat = [" ".join(s.lower().split()) for s in self.seen]
        return sum(1 for s in flat if all(w.lower() in s for w in words))


def admin(c: TestClient) -> dict[str, str]:
    r = c.post("/v1/auth/login", json=ADMIN)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def plain_shape(client: TestClient, op_id: str, recipe_id: str) -> Any:
    """The body `Records.shape` builds for the recipe row by row (no page batch, no joins)."""
    kit = client.app.state.kit  # type: ignore[attr-defined]
    info, op = kit.tables["recipes"], kit.ops[op_id]
    with kit.engine.connect() as conn:
        row = kit.records.first_where(conn, info, [("id", uuid.UUID(recipe_id))])
        assert row is not None
        return kit.records.shape(conn, info, row, op.get("response"), op.fields or None)


def test_get_by_id_reads_in_four_queries_and_answers_what_row_by_row_shaping_answers(
    pantry: TestClient,
) -> None:
    recipes = pantry.get("/v1/recipes").json()["data"]
    assert recipes, "the sample data has recipes"
    for recipe in recipes:
        with Statements(pantry) as sql:
            r = pantry.get(f"/v1/recipes/{recipe['id']}")
        assert r.status_code == 200, r.text
        assert len(sql.seen) <= 4, sql.seen  # row, author, lines ⋈ ingredients, count + average of reviews
        assert sql.count("JOIN") == 1 and sql.count("avg(") == 1 and sql.count("count(") == 1
        body = r.json()
        assert body == plain_shape(pantry, "getV1RecipesByRecipeId", recipe["id"])
        assert body["ingredients"] and all(line["name"] for line in body["ingredients"]), (
            "names from the joined rows"
        )


def test_a_list_page_that_is_not_full_needs_no_count(pantry: TestClient) -> None:
    everything = pantry.get("/v1/recipes", params={"limit": 100}).json()
    total = len(everything["data"])
    assert total >= 2 and everything["pagination"]["total"] == total
    with Statements(pantry) as sql:
        r = pantry.get("/v1/recipes", params={"limit": 100})
    total_query = ("count(*)", "from (select")  # the count over the filtered rows (a subquery)
    assert r.json() == everything and sql.count(*total_query) == 0, sql.seen
    with Statements(pantry) as sql:
        page = pantry.get("/v1/recipes", params={"limit": 1, "offset": 1}).json()
    assert page["pagination"]["total"] == total and sql.count(*total_query) == 1, "a full page counts"
    assert page["data"] == everything["data"][1:2]
    empty = pantry.get("/v1/recipes", params={"offset": 1000}).json()
    assert empty["data"] == [] and empty["pagination"]["total"] == total, "beyond the end: counted"


def test_create_writes_lines_in_order_and_answers_what_a_get_answers(pantry: TestClient) -> None:
    auth = admin(pantry)
    ingredients = pantry.get("/v1/ingredients", params={"limit": 100}).json()["data"]
    lines = [
        {"ingredientId": ingredients[2]["id"], "quantity": 3, "unit": "g"},
        {"ingredientId": ingredients[0]["id"], "quantity": 1, "unit": "kg", "note": "ripe"},
        {"ingredientId": ingredients[1]["id"], "quantity": 2, "unit": "piece", "note": "whole"},
    ]
    body = {
        "title": "Fast Path Soup",
        "instructions": "1. Stir.",
        "prepMinutes": 5,
        "cookMinutes": 10,
        "servings": 2,
        "ingredients": lines,
    }
    r = pantry.post("/v1/recipes", json=body, headers=auth)
    assert r.status_code == 201, r.text
    created = r.json()
    assert [line["ingredientId"] for line in created["ingredients"]] == [
        line["ingredientId"] for line in lines
    ]
    assert [line["note"] for line in created["ingredients"]] == [None, "ripe", "whole"]
    assert created["reviewCount"] == 0 and created["averageRating"] is None
    assert pantry.get(f"/v1/recipes/{created['id']}").json() == created


def test_reads_on_sqlite_run_on_the_event_loop_writes_in_a_worker_thread(pantry: TestClient) -> None:
    kit = pantry.app.state.kit  # type: ignore[attr-defined]
    assert "getV1RecipesByRecipeId" in kit.inline and "getV1Recipes" in kit.inline
    assert "postV1Recipes" not in kit.inline and all(kit.ops[op].method == "GET" for op in kit.inline)


def test_a_token_is_verified_once_and_its_expiry_checked_on_every_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = Tokens(TokenSettings("fast-path-secret-" + "k" * 30, access_ttl=60))
    token = tokens.access("user-1", "member", "users")
    first = tokens.decode(token)
    first["sub"] = "someone else"  # a caller's copy: the verified claims stay as signed
    assert tokens.decode(token)["sub"] == "user-1"
    with pytest.raises(TokenError):
        tokens.decode(token, "refresh")  # the type is checked on every use too
    now = security.time.time()
    monkeypatch.setattr(security.time, "time", lambda: now + 60 + security.LEEWAY_SECONDS + 1)
    with pytest.raises(TokenError):
        tokens.decode(token)
    forged = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(TokenError):
        tokens.decode(forged)  # a signature that does not verify is never cached: never valid


def test_json_bodies_are_what_starlette_writes_and_request_ids_are_uuid4() -> None:
    body = {"title": "Crème brûlée \u2028", "n": [1, 2.5, 1e16, -0.0, None, True], "nested": {"a": {"b": []}}}
    assert bytes(FastJSONResponse(body).body) == bytes(JSONResponse(body).body)
    assert json.loads(bytes(FastJSONResponse({"x": math.nan}).body)) == {"x": None}, "JSON has no NaN"
    ids = {new_request_id() for _ in range(1000)}
    assert len(ids) == 1000
    for rid in list(ids)[:50]:
        parsed = uuid.UUID(rid)
        assert str(parsed) == rid and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_a_create_reads_neither_the_caller_again_nor_aggregates_of_a_row_nobody_references_yet(
    pantry: TestClient,
) -> None:
    auth = admin(pantry)
    ingredient = pantry.get("/v1/ingredients").json()["data"][0]["id"]
    body = {"title": "Known Soup", "instructions": "1. Stir.", "prepMinutes": 5, "cookMinutes": 10, "servings": 2,
            "ingredients": [{"ingredientId": ingredient, "quantity": 1, "unit": "g"}]}
    with Statements(pantry) as sql:
        r = pantry.post("/v1/recipes", json=body, headers=auth)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["author"]["displayName"] == "Ana Ribeiro" and created["reviewCount"] == 0
    assert sql.count("from users") == 1, sql.seen  # the caller, once (authentication)
    assert sql.count("avg(") == 0 and sql.count("count(") == 0, sql.seen
    assert sql.count("join") == 1, "the ingredient lines it wrote are read back with their names"
    assert pantry.get(f"/v1/recipes/{created['id']}").json() == created


def test_fresh_shaping_trusts_only_what_the_request_did_not_write(pantry: TestClient) -> None:
    """records.Fresh on an existing recipe with reviews, to show each shortcut and its limit: a known row is used
    only while its table is unwritten, aggregates are those of none only for child tables nobody wrote."""
    from roundtrip.appkit.records import Fresh

    kit = pantry.app.state.kit  # type: ignore[attr-defined]
    op = kit.ops["getV1RecipesByRecipeId"]
    recipes, users = kit.tables["recipes"], kit.tables["users"]
    reviewed = next(r for r in pantry.get("/v1/recipes", params={"limit": 100}).json()["data"] if r["reviewCount"])
    with kit.engine.connect() as conn:
        row = kit.records.first_where(conn, recipes, [("id", uuid.UUID(reviewed["id"]))])
        assert row is not None
        author = kit.records.first_where(conn, users, [("id", row["author_id"])])
        assert author is not None
        known = (users, {**author, "display_name": "Known Name"})

        def shaped(written: set[str]) -> Any:
            fresh = Fresh(frozenset(written), (known,))
            return kit.records.shape_many(conn, recipes, [row], op.get("response"), op.fields or None, fresh)[0]

        untouched = shaped(set())
        assert untouched["author"]["displayName"] == "Known Name" and untouched["reviewCount"] == 0
        assert untouched["ingredients"] == [], "no child table written: no lines"
        wrote = shaped({"users", "reviews", "recipe_ingredients"})
        assert wrote["author"]["displayName"] != "Known Name" and wrote["reviewCount"] == reviewed["reviewCount"]
        assert wrote["ingredients"] and wrote == plain_shape(pantry, "getV1RecipesByRecipeId", reviewed["id"])
        assert shaped({"*"}) == wrote, "a statement that may have written anything: nothing is taken as known"


def test_the_tables_a_write_request_wrote_are_noted() -> None:
    from roundtrip.appkit.records import note_writes, request_writes

    engine = sa.create_engine("sqlite://")
    meta = sa.MetaData()
    t = sa.Table("notes", meta, sa.Column("id", sa.Integer, primary_key=True))
    meta.create_all(engine)
    sa.event.listen(engine, "before_execute", note_writes)
    token = request_writes.set(set())
    try:
        with engine.begin() as conn:
            conn.execute(sa.select(t))
            assert request_writes.get() == set()
            conn.execute(sa.insert(t).values(id=1))
            assert request_writes.get() == {"notes"}
            conn.execute(sa.text("UPDATE notes SET id = 2"))
            assert request_writes.get() == {"notes", "*"}
    finally:
        request_writes.reset(token)
    with engine.begin() as conn:
        conn.execute(sa.delete(t))  # outside a write request: nothing noted, nothing fails
    assert request_writes.get() is None


def test_a_create_that_finds_the_write_lock_taken_waits_on_the_event_loop(
    pantry: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer in a worker thread (a login, an override) holds the lock: a generated create waits for it on the
    event loop and then runs there, never in the thread pool, where every writer after it would follow."""
    import threading

    kit = pantry.app.state.kit  # type: ignore[attr-defined]
    auth = admin(pantry)
    ingredient = pantry.get("/v1/ingredients").json()["data"][0]["id"]
    body = {"title": "Waiting Soup", "instructions": "1. Wait.", "prepMinutes": 5, "cookMinutes": 10, "servings": 2,
            "ingredients": [{"ingredientId": ingredient, "quantity": 1, "unit": "g"}]}
    threaded: list[str] = []
    real_handle = kit.handle

    def handle(request: Any, op_id: str, *args: Any) -> Any:
        threaded.append(op_id)
        return real_handle(request, op_id, *args)

    monkeypatch.setattr(kit, "handle", handle)
    kit._write_lock.acquire()
    release = threading.Timer(0.2, kit._write_lock.release)
    release.start()
    try:
        r = pantry.post("/v1/recipes", json=body, headers=auth)
    finally:
        release.join()
    assert r.status_code == 201, r.text
    assert threaded == [], "the create ran on the event loop once the lock was free"
    assert pantry.get(f"/v1/recipes/{r.json()['id']}").status_code == 200
