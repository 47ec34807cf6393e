"""roundtrip.appkit.errors: the documented envelope (flat and nested) and validation details."""

from __future__ import annotations

from roundtrip.appkit.errors import ApiError, Envelope, location, validation_details


def test_flat_envelope_as_pantry_documents_it() -> None:
    env = Envelope.from_model(
        {"path": [], "code": "error", "message": "message", "details": "details", "details_kind": "array",
         "detail_field": "field", "detail_message": "issue", "request_id": "requestId"}
    )
    body = env.body(400, "VALIDATION_ERROR", "Request body failed validation", [{"field": "title", "issue": "too long"}], "rid-1")
    assert body == {
        "error": "VALIDATION_ERROR",
        "message": "Request body failed validation",
        "details": [{"field": "title", "issue": "too long"}],
        "requestId": "rid-1",
    }
    assert env.code_of(body) == "VALIDATION_ERROR"


def test_nested_envelope_with_status_timestamp_and_extras() -> None:
    env = Envelope.from_model(
        {"path": ["error"], "code": "code", "message": "message", "details": "details", "details_kind": "object",
         "request_id": "requestId", "status": "status", "timestamp": "timestamp", "extras": {"docs": ""}}
    )
    body = env.body(404, "NOT_FOUND", "Exam not found", [{"field": "id", "issue": "unknown"}], "r2")
    inner = body["error"]
    assert set(body) == {"error"}
    assert inner["code"] == "NOT_FOUND" and inner["status"] == 404 and inner["requestId"] == "r2"
    assert inner["details"] == {"id": "unknown"}
    assert inner["timestamp"].endswith("Z") and inner["docs"] == ""
    assert env.code_of(body) == "NOT_FOUND"
    assert env.code_of({"error": "flat"}) is None
    assert env.code_of([1, 2]) is None


def test_default_envelope_without_model() -> None:
    env = Envelope.from_model(None)
    assert env.body(500, "INTERNAL_ERROR", "boom") == {"error": "INTERNAL_ERROR", "message": "boom", "details": [], "requestId": ""}


def test_locations_are_written_like_the_docs() -> None:
    assert location(("body", "ingredients", 2, "ingredientId")) == "ingredients[2].ingredientId"
    assert location(("query", "limit")) == "limit"
    assert location(("body",)) == ""


def test_union_member_tags_and_none_branches_are_dropped() -> None:
    errors = [
        {"type": "string_too_short", "loc": ("body", "title", "constrained-str"), "msg": "too short"},
        {"type": "none_required", "loc": ("body", "title", "none"), "msg": "Input should be None"},
        {"type": "int_parsing", "loc": ("query", "limit", "int"), "msg": "not an int"},
        {"type": "int_parsing", "loc": ("body", "tags", "list[int]", 0), "msg": "not an int"},
        {"type": "date_parsing", "loc": ("query", "date", "date"), "msg": "bad date"},
    ]
    assert validation_details(errors) == [
        {"field": "title", "issue": "too short"},
        {"field": "limit", "issue": "not an int"},
        {"field": "tags[0]", "issue": "not an int"},
        {"field": "date", "issue": "bad date"},
    ]


def test_validation_details_never_echo_input() -> None:
    errors = [
        {"type": "missing", "loc": ("body", "title"), "msg": "Field required", "input": {"password": "hunter22"}},
        {"type": "string_too_long", "loc": ("body", "password"), "msg": "String should have at most 128 characters", "input": "x" * 200},
        {"type": "json_invalid", "loc": ("body", 0), "msg": "JSON decode error"},
        "not-a-dict",
    ]
    details = validation_details(errors)
    assert details == [
        {"field": "title", "issue": "is required"},
        {"field": "password", "issue": "String should have at most 128 characters"},
        {"field": "[0]", "issue": "request body is not valid JSON"},
    ]
    assert "hunter22" not in str(details)


def test_api_error_carries_headers() -> None:
    err = ApiError(429, "RATE_LIMIT", "slow down", headers={"Retry-After": "3"})
    assert err.status == 429 and err.details == [] and err.headers == {"Retry-After": "3"}
    assert "429 RATE_LIMIT" in str(err)
