"""Assembling the FastAPI app: middleware, error handlers, health and docs pages, the OpenAPI it serves.

Docs pages (Swagger UI at /docs, ReDoc at /redoc) load their JavaScript and CSS from packages
installed next to the app (fastapi-offline's bundled swagger-ui + redoc, or swagger-ui-bundle):
nothing is fetched from a CDN. Without those packages the pages say how to install them.

The served /openapi.json is FastAPI's own, post-processed so it describes what the app does:
FastAPI's automatic 422 is removed where the docs do not document 422 (validation errors use the
docs' status instead), and the docs' security schemes, servers and tags are added.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .config import Settings
from .context import Reply
from .errors import ApiError, validation_details
from .observe import RequestContextMiddleware, configure_logging
from .runtime import Handler, Kit

ASSETS_URL = "/_docs-assets"
# A generated write that finds the write lock taken waits for it on the event loop, polling with these pauses
# (seconds, growing), for at most AT_ONCE_WAIT, before it joins the worker threads.
AT_ONCE_PAUSES = (0.0002, 0.0005, 0.001, 0.002, 0.005)
AT_ONCE_WAIT = 2.0
RATE_HEADERS = ["X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"]


async def dispatch(request: Request, op_id: str, params: Mapping[str, Any] | None = None, body: Any = None) -> Response:
    """What every generated route awaits: the app's Kit handles the operation, in a worker thread unless the
    Kit runs it on the event loop (`Kit.inline`: reads on SQLite, which take less time than the hand-off;
    `Kit.at_once`: generated writes on SQLite that can take the write lock without waiting)."""
    kit: Kit = request.app.state.kit
    if op_id in kit.inline:
        return kit.handle(request, op_id, params, body)
    if op_id in kit.at_once:
        # When the lock is taken (a login or an override writing in a worker thread, another process's writer),
        # wait for it here rather than in a worker thread: a writer sent to the threads holds the lock there while
        # the loop takes in the next ones, which find it taken in turn, and from then on every write pays for the
        # thread hand-off (over HTTP a stream of creates ran at half speed that way).
        waited, attempt = 0.0, 0
        while True:
            done = kit.handle_at_once(request, op_id, params, body)
            if done is not None:
                return done
            if waited >= AT_ONCE_WAIT:
                break
            pause = AT_ONCE_PAUSES[min(attempt, len(AT_ONCE_PAUSES) - 1)]
            await asyncio.sleep(pause)
            waited, attempt = waited + pause, attempt + 1
    return await run_in_threadpool(kit.handle, request, op_id, params, body)


def load_model(path: Path) -> dict[str, Any]:
    return dict(json.loads(Path(path).read_text(encoding="utf-8")))


def load_user_layer(folder: Path) -> tuple[dict[str, Handler], list[APIRouter]]:
    """OVERRIDES and ROUTERS from OUT/custom/__init__.py (the user layer), when it exists."""
    init = Path(folder) / "__init__.py"
    if not init.is_file():
        return {}, []
    name = "custom" if "custom" not in sys.modules else f"custom_{abs(hash(str(init)))}"
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(folder)])
    if spec is None or spec.loader is None:
        return {}, []
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    overrides = dict(getattr(module, "OVERRIDES", {}) or {})
    routers = [r for r in getattr(module, "ROUTERS", []) or [] if isinstance(r, APIRouter)]
    return overrides, routers


def docs_assets() -> tuple[Path, str, str, str | None] | None:
    """(folder, swagger js, swagger css, redoc js) from an installed package, or None."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is not None and spec.origin:
        static = Path(spec.origin).parent / "static"
        if (static / "swagger-ui-bundle.js").is_file():
            redoc = "redoc.standalone.js" if (static / "redoc.standalone.js").is_file() else None
            return static, "swagger-ui-bundle.js", "swagger-ui.css", redoc
    spec = importlib.util.find_spec("swagger_ui_bundle")
    if spec is not None and spec.origin:
        folders = sorted((Path(spec.origin).parent / "vendor").glob("swagger-ui-*"))
        if folders and (folders[-1] / "swagger-ui-bundle.js").is_file():
            return folders[-1], "swagger-ui-bundle.js", "swagger-ui.css", None
    return None


def accept_reserved_email_domains() -> None:
    """`format: email` as JSON Schema (and so the docs' OpenAPI) means it: email-validator, behind pydantic's
    EmailStr, also rejects special-use domains (`.test`, `.local`, `.example`…), which development accounts
    and contract-test generators use; a mock backend that answered 400 to them would contradict its own docs."""
    import email_validator

    email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()


def build_app(
    model: dict[str, Any],
    metadata: sa.MetaData,
    settings: Settings,
    routers: Sequence[APIRouter],
    overrides: Mapping[str, Handler] | None = None,
    extra_routers: Sequence[APIRouter] = (),
    engine: sa.Engine | None = None,
) -> FastAPI:
    configure_logging(settings.log_level)
    accept_reserved_email_domains()
    info = model.get("info", {})
    app = FastAPI(
        title=str(info.get("title") or "API"),
        version=str(info.get("version") or "0.0.0"),
        description=str(info.get("description") or ""),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs else None,
        separate_input_output_schemas=False,
    )
    kit = Kit(model, metadata, settings, overrides, engine)
    app.state.kit = kit
    base = str(model.get("base_path") or "")
    for router in extra_routers:
        app.include_router(router, prefix=base)
    for router in routers:
        # The generated routers' paths carry the base path already (routes/<tag>.py): their routes join the app's
        # own, which FastAPI matches in one pass; an included router is matched through its own routes twice.
        app.router.routes.extend(router.routes)
    install_error_handlers(app, kit)
    install_health(app, kit, model)
    if settings.docs:
        install_docs(app, kit)
    install_openapi(app, model)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=RATE_HEADERS,
    )
    app.add_middleware(RequestContextMiddleware)
    return app


def install_error_handlers(app: FastAPI, kit: Kit) -> None:
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        route = request.scope.get("route")
        op = kit.ops.get(getattr(route, "operation_id", "") or "")
        if op is not None:
            denied = await run_in_threadpool(kit.gate, request, op)  # the caller first (it reads the database)
            if denied is not None:
                return kit.error_response(denied)
        errors = list(exc.errors())
        in_path = bool(errors) and all(isinstance(e, dict) and tuple(e.get("loc", ()))[:1] == ("path",) for e in errors)
        if op is not None and in_path and op.documents(404) and not op.documents(kit.validation_status(op)):
            return kit.error_response(op.fail(404, "NOT_FOUND", "Resource not found"))  # a malformed id names nothing
        err = kit.validation_error(op, validation_details(errors))
        sort = (op.get("sort") or {}) if op is not None else {}
        if sort.get("error_code") and errors and all(isinstance(e, dict) and tuple(e.get("loc", ()))[:2] == ("query", sort.get("param")) for e in errors):
            # the sort value failed the documented field list (its pattern): the docs' own code, `400 INVALID_SORT_FIELD`
            err = ApiError(err.status, str(sort["error_code"]), err.message, err.details)
        return kit.error_response(err)

    async def on_api_error(request: Request, exc: ApiError) -> Response:
        return kit.error_response(exc)

    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 401: "UNAUTHORIZED", 403: "FORBIDDEN"}
        code = kit.common_code(exc.status_code, codes.get(exc.status_code, "HTTP_ERROR"))
        message = "No such route" if exc.status_code == 404 else str(exc.detail)
        return kit.error_response(ApiError(exc.status_code, code, message), dict(exc.headers or {}))

    async def on_crash(request: Request, exc: Exception) -> Response:
        return kit.error_response(ApiError(500, kit.common_code(500, "INTERNAL_ERROR"), "Internal server error"))

    app.add_exception_handler(RequestValidationError, on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, on_api_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, on_http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, on_crash)


def install_health(app: FastAPI, kit: Kit, model: dict[str, Any]) -> None:
    """Liveness and readiness (with a database round trip) unless the docs define their own."""
    base = str(model.get("base_path") or "")
    documented = {(base + str(op.get("path")), op.get("method")) for op in model.get("operations", {}).values()}

    async def live() -> dict[str, str]:  # on the event loop: probes answer without waiting for a worker thread
        return {"status": "ok"}

    def ready() -> Response:
        try:
            with kit.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except Exception:  # noqa: BLE001 - readiness reports, never raises
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "up"})

    for path, fn in (("/health/live", live), ("/health/ready", ready), ("/healthz", live), ("/readyz", ready)):
        if (path, "GET") not in documented:
            app.add_api_route(path, fn, methods=["GET"], include_in_schema=False)

    def outbox() -> list[dict[str, str]]:
        """Mails the app would have sent (password reset tokens), newest first: for local development."""
        return list(reversed(kit.outbox))

    app.add_api_route("/__dev/outbox", outbox, methods=["GET"], include_in_schema=False)


def install_docs(app: FastAPI, kit: Kit) -> None:
    assets = docs_assets()
    title = app.title
    if assets is None:
        def missing() -> HTMLResponse:
            return HTMLResponse(
                "<h1>API reference assets are not installed</h1><p>Install <code>fastapi-offline</code> "
                "(bundles Swagger UI and ReDoc) and restart; the OpenAPI document is at "
                "<a href='/openapi.json'>/openapi.json</a>.</p>",
                status_code=200,
            )

        app.add_api_route("/docs", missing, methods=["GET"], include_in_schema=False)
        app.add_api_route("/redoc", missing, methods=["GET"], include_in_schema=False)
        return
    folder, js, css, redoc = assets
    app.mount(ASSETS_URL, StaticFiles(directory=str(folder)), name="docs-assets")
    favicon = f"{ASSETS_URL}/favicon.png" if (folder / "favicon.png").is_file() else f"{ASSETS_URL}/favicon-32x32.png"

    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{title} - Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/{js}",
            swagger_css_url=f"{ASSETS_URL}/{css}",
            swagger_favicon_url=favicon,
        )

    app.add_api_route("/docs", swagger, methods=["GET"], include_in_schema=False)
    if redoc:

        def redoc_page() -> HTMLResponse:
            return get_redoc_html(
                openapi_url="/openapi.json",
                title=f"{title} - ReDoc",
                redoc_js_url=f"{ASSETS_URL}/{redoc}",
                redoc_favicon_url=favicon,
                with_google_fonts=False,
            )

        app.add_api_route("/redoc", redoc_page, methods=["GET"], include_in_schema=False)


def install_openapi(app: FastAPI, model: dict[str, Any]) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                separate_input_output_schemas=False,
            )
            app.openapi_schema = post_process(doc, model)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def post_process(doc: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    """Make FastAPI's view say what the app does (see the module docstring)."""
    base = str(model.get("base_path") or "")
    ops = model.get("operations", {})
    paths: dict[str, Any] = {}
    for path, item in doc.get("paths", {}).items():
        short = path[len(base):] if base and path.startswith(base) else path
        for op in item.values():
            if not isinstance(op, dict):
                continue
            documented = (ops.get(op.get("operationId", "")) or {}).get("statuses") or []
            resp = op.get("responses", {})
            auto = resp.get("422", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if "422" not in documented and auto.get("$ref", "").endswith("/HTTPValidationError"):
                resp.pop("422", None)
        paths[short or "/"] = item
    doc["paths"] = paths
    schemas = doc.get("components", {}).get("schemas", {})
    text = json.dumps(paths)
    for name in ("HTTPValidationError", "ValidationError"):
        if name in schemas and f"/{name}\"" not in text:
            schemas.pop(name)
    if "HTTPValidationError" not in schemas:
        schemas.pop("ValidationError", None)
    extra = model.get("openapi_extra", {})
    if extra.get("securitySchemes"):
        doc.setdefault("components", {})["securitySchemes"] = extra["securitySchemes"]
    if extra.get("tags"):
        doc["tags"] = extra["tags"]
    doc["servers"] = [{"url": base or "/"}]
    return doc


def reply(status: int, body: Any = None) -> Reply:
    """For overrides: an answer with a status and a JSON body (None: no body)."""
    return Reply(status, body, empty=body is None)
