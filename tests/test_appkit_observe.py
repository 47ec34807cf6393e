"""roundtrip.appkit.observe: request IDs on every response, JSON logs without secrets, rate-limit windows."""

from __future__ import annotations

import io
import json
import logging

from fastapi import FastAPI
from fastapi.testclient import TestClient

from roundtrip.appkit.observe import (
    JsonFormatter,
    Limit,
    RateLimiter,
    RequestContextMiddleware,
    request_id_var,
)


def app_with_middleware() -> FastAPI:
    app = FastAPI()

    @app.post("/login")
    def login(body: dict[str, str]) -> dict[str, str]:
        return {"rid": request_id_var.get()}

    app.add_middleware(RequestContextMiddleware)
    return app


def test_request_id_is_generated_echoed_and_sanitized() -> None:
    c = TestClient(app_with_middleware())
    r = c.post("/login", json={})
    rid = r.headers["x-request-id"]
    assert len(rid) == 36 and r.json()["rid"] == rid
    r = c.post("/login", json={}, headers={"X-Request-ID": "client-abc.123"})
    assert r.headers["x-request-id"] == "client-abc.123" and r.json()["rid"] == "client-abc.123"
    r = c.post("/login", json={}, headers={"X-Request-ID": "bad id with spaces <script>"})
    assert r.headers["x-request-id"] != "bad id with spaces <script>" and len(r.headers["x-request-id"]) == 36
    assert r.headers.get_list("x-request-id") == [r.headers["x-request-id"]]


def test_access_log_is_json_and_holds_no_secrets() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("app.access")
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    try:
        c = TestClient(app_with_middleware())
        c.post("/login?token=sekret-query", json={"email": "a@b.c", "password": "Hunter2024"}, headers={"Authorization": "Bearer sekret-jwt"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert lines and lines[-1]["method"] == "POST" and lines[-1]["path"] == "/login" and lines[-1]["status"] == 200
    assert lines[-1]["request_id"] and lines[-1]["level"] == "info" and lines[-1]["ts"].endswith("Z")
    text = stream.getvalue()
    for secret in ("Hunter2024", "sekret-jwt", "sekret-query", "a@b.c"):
        assert secret not in text


def test_fixed_window_limits_and_headers() -> None:
    now = [1000.0]
    limiter = RateLimiter(clock=lambda: now[0])
    limit = Limit(3, 60, "ip")
    verdicts = [limiter.hit("login", "ip:1", limit) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0]
    assert verdicts[-1].headers() == {"X-RateLimit-Limit": "3", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1020", "Retry-After": "20"}
    assert "Retry-After" not in verdicts[0].headers()
    assert limiter.hit("login", "ip:2", limit).allowed, "callers are counted separately"
    assert limiter.hit("other", "ip:1", limit).allowed, "operations are counted separately"
    now[0] = 1021.0
    assert limiter.hit("login", "ip:1", limit).allowed, "a new window starts"
    limiter.reset()
    assert limiter.hit("login", "ip:1", limit).remaining == 2


def test_limit_from_model() -> None:
    assert Limit.from_model({"requests": 5, "per_seconds": 60, "scope": "ip"}) == Limit(5, 60, "ip")
    assert Limit.from_model(None) is None
    assert Limit.from_model({"requests": 0, "per_seconds": 60}) is None
