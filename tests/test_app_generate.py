"""The generated app: deterministic files, ruff + mypy clean (all five doc sets), the documented
normalization of its /openapi.json (the equality itself is in test_app_contract), the operation model's
decisions, the user layer surviving regeneration, and behaviour checked in-process (example-backed
answers, password reset, validation)."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from roundtrip import api
from roundtrip.emit.app import emit_app, emit_user_layer
from roundtrip.emit.app_normalize import compare_openapi, normalize_schema
from roundtrip.serve import build_backend, prepare
from roundtrip.writer import GENERATED_MARKER
from tests.conftest import CORPUS, EXAMPLE_SETS, EXAMPLES, REPO, example_dir

SPECS = REPO / "specs"
BIN = Path(sys.executable).parent
ALL_SETS = ["specs", *EXAMPLE_SETS]


def spec_dir(key: str) -> Path:
    return SPECS if key == "specs" else example_dir(key)


def import_app(out: Path, env: dict[str, str] | None = None) -> FastAPI:
    """Import OUT/app under a private package name (several generated apps in one process)."""
    # unique even when this module is imported twice (pytest's own import and `from tests.test_app_generate ...`)
    name = f"_generated_app_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(
        name, out / "app" / "__init__.py", submodule_search_locations=[str(out / "app")]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    main = importlib.import_module(f"{name}.main")
    saved = dict(os.environ)
    os.environ.update(
        {
            "JWT_SECRET": "generate-test-secret-" + "z" * 30,
            "BCRYPT_ROUNDS": "4",
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
    )
    try:
        app: FastAPI = main.create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return app


@pytest.fixture(scope="module")
def pantry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pantry") / "out"
    build_backend(SPECS, out)
    prepare(out)
    return out


# ---------------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------------


def test_generation_is_deterministic_and_marked() -> None:
    spec = api.load(SPECS).spec
    first, second = emit_app(spec), emit_app(spec)
    assert first == second
    expected = {
        "app/main.py",
        "app/settings.py",
        "app/schemas.py",
        "app/api_model.json",
        "app/routes/__init__.py",
        "app/routes/recipes.py",
        "app/routes/authentication.py",
        "app/kit/runtime.py",
        ".env.example",
        "README.md",
    }
    assert expected <= set(first)
    for path, text in first.items():
        assert GENERATED_MARKER in text[:2048].lower() or '"x-generated-by": "roundtrip"' in text[:2048], path
    for path, text in emit_user_layer(spec).items():
        assert GENERATED_MARKER not in text.lower(), (
            f"{path} is the user's: the writer must never overwrite it"
        )
    assert "/tmp" not in "".join(first.values()) and str(REPO) not in "".join(first.values())


@pytest.mark.parametrize("key", ALL_SETS)
def test_generated_code_passes_ruff_and_mypy(key: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_backend(spec_dir(key), out)
    ruff = subprocess.run(
        [str(BIN / "ruff"), "check", "app", "custom"], cwd=out, capture_output=True, text=True, timeout=120
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    mypy = subprocess.run(
        [str(BIN / "mypy"), "app", "--ignore-missing-imports", "--cache-dir", str(tmp_path / ".mypy")],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


def test_env_example_settings_and_readme(pantry: Path) -> None:
    env = (pantry / ".env.example").read_text()
    assert (
        "ACCESS_TOKEN_TTL_SECONDS=900" in env
        and "REFRESH_TOKEN_TTL_SECONDS=604800" in env
        and "BCRYPT_ROUNDS=12" in env
    )
    settings = (pantry / "app" / "settings.py").read_text()
    assert "'password_hash': 'bcrypt'" in settings
    readme = (pantry / "README.md").read_text()
    assert "| ben.okafor@example.com | member |" in readme and "## Example-backed endpoints" in readme


# ---------------------------------------------------------------------------------------------
# the app's own OpenAPI
# ---------------------------------------------------------------------------------------------

# (the app's /openapi.json equals the compiled one for every doc set: tests/test_app_contract.py)


def test_normalization_folds_spellings_but_keeps_real_differences() -> None:
    assert normalize_schema(
        {"anyOf": [{"type": "string", "title": "X"}, {"type": "null"}]}
    ) == normalize_schema({"type": ["string", "null"]})
    assert normalize_schema({"type": "integer", "format": "int32", "minimum": 0.0}) == {
        "type": "integer",
        "minimum": 0,
    }
    assert normalize_schema({"oneOf": [{"type": "string"}, {"type": "integer"}]}) == normalize_schema(
        {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    )
    assert normalize_schema({"type": "string", "maxLength": 5}) != normalize_schema(
        {"type": "string", "maxLength": 6}
    )
    assert normalize_schema({"type": "object", "properties": {"title": {"type": "string"}}})[
        "properties"
    ] == {"title": {"type": "string"}}
    doc = {"paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "x"}}}}}}
    assert compare_openapi(doc, {"paths": {}}) == ["GET /a: documented but not served"]


# ---------------------------------------------------------------------------------------------
# the operation model
# ---------------------------------------------------------------------------------------------


def model_of(key: str) -> dict[str, Any]:
    files = emit_app(api.load(spec_dir(key)).spec)
    return dict(json.loads(files["app/api_model.json"]))


def test_pantry_operation_kinds_tables_and_lists() -> None:
    m = model_of("specs")
    kinds = {op_id: (op["kind"], op["table"]) for op_id, op in m["operations"].items()}
    assert kinds["postV1AuthRegister"] == ("auth-register", "users")
    assert kinds["postV1AuthLogin"][0] == "auth-login" and kinds["postV1AuthRefresh"][0] == "auth-refresh"
    assert kinds["getV1UsersMe"][0] == "auth-me" and kinds["postV1AuthLogout"][0] == "auth-logout"
    assert kinds["getV1Recipes"] == ("crud-list", "recipes") and kinds["deleteV1RecipesByRecipeId"] == (
        "crud-delete",
        "recipes",
    )
    assert kinds["postV1RecipesByRecipeIdReviews"] == ("crud-create", "reviews")
    recipes = m["operations"]["getV1Recipes"]
    assert recipes["filters"]["ingredientId"]["via"]["table"] == "recipe_ingredients"
    assert recipes["search"] == {"param": "q", "columns": ["title"], "mode": "contains"}
    assert (
        recipes["sort"]["fields"]["createdAt"] == "created_at" and recipes["sort"]["default"] == "-createdAt"
    )
    assert recipes["list"]["items_key"] == "data" and recipes["list"]["meta_key"] == "pagination"
    assert m["operations"]["getV1Ingredients"]["search"]["mode"] == "prefix"
    reviews = m["operations"]["postV1RecipesByRecipeIdReviews"]
    assert reviews["parent"] == {"param": "recipeId", "table": "recipes", "key": "id", "column": "recipe_id"}
    assert m["operations"]["patchV1RecipesByRecipeId"]["owner_column"] == "author_id"
    assert m["operations"]["postV1Ingredients"]["roles"] == ["moderator", "admin"]
    assert (
        m["envelope"]["code"] == "error"
        and m["envelope"]["path"] == []
        and m["validation"] == {"status": 400, "code": "VALIDATION_ERROR"}
    )
    assert m["accounts"]["users"]["failed_column"] == "failed_login_count" and m["lockout"] == {
        "attempts": 5,
        "seconds": 900,
    }
    assert m["refresh_store"]["table"] == "refresh_tokens" and m["privileged_roles"] == ["moderator", "admin"]
    assert m["operations"]["getV1Recipes"]["cache_control"] == "public, max-age=60"


def test_other_sets_model_decisions() -> None:
    board = model_of("taskboard")
    assert board["scope_columns"] == ["tenant_id"]
    assert board["operations"]["getV1ProjectsByProjectIdTasks"]["scope_columns"] == ["tenant_id"]
    assert board["operations"]["patchV1TasksByTaskId"].get("owner_column") is None, (
        "`owner` is a role there, not ownership"
    )
    library = model_of("library")
    assert library["base_path"] == "/api/v1" and library["envelope"]["path"] == ["error"]
    assert library["operations"]["postAuthStaffLogin"]["table"] == "staff"
    assert library["operations"]["postAuthMemberLogin"]["login_field"] == "cardNumber"
    exams = model_of("exams")
    assert exams["operations"]["getExamsByExamIdAttempts"]["table"] == "exam_attempts"
    bookings = model_of("bookings")
    assert bookings["operations"]["postAuthForgotPassword"]["kind"] == "auth-forgot-password"
    assert bookings["operations"]["postBookingsByIdCancel"]["kind"] == "example"


def test_emitting_never_raises_on_any_document() -> None:
    docs = sorted(CORPUS.glob("*.md")) if CORPUS.is_dir() else []
    docs += sorted(EXAMPLES.glob("*/**/*.md")) if EXAMPLES.is_dir() else []
    if not docs:
        pytest.skip("no shared corpus or examples")
    for doc in docs:
        files = emit_app(api.load(doc).spec)
        assert (
            "app/main.py" in files
            and json.loads(files["app/api_model.json"])["x-generated-by"] == "roundtrip"
        ), doc


# ---------------------------------------------------------------------------------------------
# user layer
# ---------------------------------------------------------------------------------------------

OVERRIDE = """
from typing import Any

from fastapi import APIRouter


def list_ingredients(ctx: Any) -> Any:
    reply = ctx.default()
    reply.headers["X-Overridden"] = "yes"
    reply.body["data"] = reply.body["data"][:1]
    return reply


extra = APIRouter()


@extra.get("/hello")
def hello() -> dict[str, str]:
    return {"hello": "world"}


OVERRIDES = {"getV1Ingredients": list_ingredients}
ROUTERS = [extra]
"""


def test_override_survives_regeneration_and_wins(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_backend(SPECS, out)
    custom = out / "custom" / "__init__.py"
    custom.write_text(OVERRIDE, encoding="utf-8")
    (out / "app" / "main.py").write_text("# generated by roundtrip: stale\n", encoding="utf-8")
    written = build_backend(SPECS, out)  # regenerate over the user's edit
    assert "custom/__init__.py" not in written and custom.read_text(encoding="utf-8") == OVERRIDE
    assert "app/main.py" in written, "generated files are rewritten"
    prepare(out)
    c = TestClient(import_app(out))
    r = c.get("/v1/ingredients")
    assert r.status_code == 200 and r.headers["x-overridden"] == "yes" and len(r.json()["data"]) == 1
    assert c.get("/v1/recipes").status_code == 200, "other operations keep the generated behaviour"
    assert c.get("/hello").json() == {"hello": "world"}


# ---------------------------------------------------------------------------------------------
# behaviour, in-process
# ---------------------------------------------------------------------------------------------


def test_example_backed_operation_answers_documented_examples(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_backend(example_dir("bookings"), out)
    prepare(out)
    c = TestClient(import_app(out))
    r = c.post(
        "/api/v1/auth/register",
        json={"email": "ex@example.com", "password": "Secret123X", "name": "Ex Ample"},
    )
    assert r.status_code == 201, r.text
    token = r.json()["tokens"]["accessToken"]
    assert r.json()["user"]["email"] == "ex@example.com" and r.json()["tokens"]["expiresIn"] == 900
    auth = {"Authorization": f"Bearer {token}"}
    doc, _ = api.openapi(api.load(example_dir("bookings")).spec)
    op = doc["paths"]["/bookings/{id}/cancel"]["post"]
    documented = {s for s in op["responses"] if s.isdigit()}
    some_id = "11111111-1111-4111-8111-111111111111"
    r = c.post(f"/api/v1/bookings/{some_id}/cancel", json={"reason": "Plans changed"}, headers=auth)
    assert r.status_code == 404 and "404" in documented, "the path names no booking: 404 before any example"
    ws = c.post("/api/v1/workspaces", json={"name": "Cancel Office", "timezone": "UTC"}, headers=auth).json()
    room = c.post(
        f"/api/v1/workspaces/{ws['id']}/rooms",
        json={"name": "Room C", "kind": "meeting_room", "capacity": 4},
        headers=auth,
    ).json()
    slot = {
        "roomId": room["id"],
        "title": "Sync",
        "startAt": "2030-01-01T09:00:00Z",
        "endAt": "2030-01-01T09:30:00Z",
    }
    booking = c.post("/api/v1/bookings", json=slot, headers=auth).json()
    assert "409" in documented
    r = c.post(
        f"/api/v1/bookings/{booking['id']}/cancel",
        json={"reason": "x"},
        headers={**auth, "Prefer": "code=409"},
    )
    assert r.status_code == 409 and r.json()["error"]["code"], "nested envelope, the docs' code"
    r = c.post(f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": "Plans changed"}, headers=auth)
    assert r.status_code == 200 and r.json()["status"] == "cancelled", (
        "a Prefer-ed error changed nothing; cancel does"
    )
    r = c.post(f"/api/v1/bookings/{some_id}/cancel", json={"reason": "x"})
    assert r.status_code == 401


def test_password_reset_flow(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_backend(example_dir("bookings"), out)
    prepare(out)
    c = TestClient(import_app(out))
    assert (
        c.post(
            "/api/v1/auth/register",
            json={"email": "reset.me@example.com", "password": "Secret123X", "name": "Re Set"},
        ).status_code
        == 201
    )
    r = c.post("/api/v1/auth/forgot-password", json={"email": "reset.me@example.com"})
    assert r.status_code == 202
    assert c.post("/api/v1/auth/forgot-password", json={"email": "nobody@example.com"}).status_code == 202, (
        "no account enumeration"
    )
    mails = c.get("/__dev/outbox").json()
    assert [m["to"] for m in mails] == ["reset.me@example.com"]
    r = c.post("/api/v1/auth/reset-password", json={"token": mails[0]["token"], "password": "NewSecret456Y"})
    assert r.status_code == 204, r.text
    assert (
        c.post(
            "/api/v1/auth/reset-password", json={"token": mails[0]["token"], "password": "Again789Z"}
        ).status_code
        == 400
    ), "single use"
    assert (
        c.post(
            "/api/v1/auth/login", json={"email": "reset.me@example.com", "password": "Secret123X"}
        ).status_code
        == 401
    )
    assert (
        c.post(
            "/api/v1/auth/login", json={"email": "reset.me@example.com", "password": "NewSecret456Y"}
        ).status_code
        == 200
    )


def test_malformed_path_id_is_not_found_where_only_404_is_documented(pantry: Path) -> None:
    c = TestClient(import_app(pantry))
    r = c.get("/v1/recipes/not-a-uuid")
    assert r.status_code == 404 and r.json()["error"] == "RECIPE_NOT_FOUND"
    r = c.get("/v1/recipes", params={"limit": "abc"})
    assert r.status_code == 400 and r.json()["details"][0]["field"] == "limit"


def test_docs_pages_use_bundled_assets(pantry: Path) -> None:
    c = TestClient(import_app(pantry))
    page = c.get("/docs").text
    assert "cdn" not in page.lower() and "/_docs-assets/swagger-ui-bundle.js" in page
    assert c.get("/_docs-assets/swagger-ui-bundle.js").status_code == 200
    redoc = c.get("/redoc")
    assert (
        redoc.status_code == 200 and "fonts.googleapis" not in redoc.text and "cdn" not in redoc.text.lower()
    )
    assert c.get("/openapi.json").json()["servers"] == [{"url": "/"}]


def test_cached_serve_folder_is_reused(tmp_path: Path) -> None:
    first = prepare(SPECS, cache_root=tmp_path)
    (first.out / "app" / "main.py").unlink()
    again = prepare(SPECS, cache_root=tmp_path)
    assert again.generated and (again.out / "app" / "main.py").is_file(), "an incomplete cache is rebuilt"
