"""OpenAPI 3.1 emitter: hand-built Specs for every IR construct, validity, determinism, and real docs."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest
import yaml

from roundtrip.emit.openapi import build_openapi, dump_json, dump_yaml, validate_openapi
from roundtrip.ir import (
    ANY,
    ApiInfo,
    Auth,
    Body,
    Constraints,
    Endpoint,
    ErrorDoc,
    Field,
    Kind,
    Parameter,
    ParamIn,
    RateLimit,
    Response,
    Schema,
    SchemeKind,
    SecurityScheme,
    Spec,
    TypeRef,
)
from roundtrip.ir.types import t_array, t_enum, t_int, t_ref, t_string

T = TypeRef
OBJ = Kind.OBJECT


def obj(*fields: Field) -> TypeRef:
    return TypeRef(OBJ, fields=tuple(fields))


def refs_in(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            out.append(node["$ref"])
        for v in node.values():
            out.extend(refs_in(v))
    elif isinstance(node, list):
        for v in node:
            out.extend(refs_in(v))
    return out


def assert_valid(doc: dict[str, Any]) -> None:
    diags = validate_openapi(doc)
    assert diags == [], "\n".join(d.message for d in diags)
    comps = doc.get("components", {}).get("schemas", {})
    for ref in refs_in(doc):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in comps, ref
    for name in comps:
        assert re.fullmatch(r"[a-zA-Z0-9._-]+", name), name


def op(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return doc["paths"][path][method.lower()]


# ---------------------------------------------------------------- shared fixture: an exams-like API
USER = Schema(
    "User",
    obj(
        Field("id", T(Kind.UUID)),
        Field("email", t_string(255), constraints=Constraints(format="email")),
        Field("name", t_string(100)),
    ),
)
EXAM = Schema(
    "Exam",
    obj(
        Field("id", T(Kind.UUID), read_only=True),
        Field("title", t_string(200), constraints=Constraints(min_length=1)),
        Field("status", t_enum(["draft", "published", "closed"], "ExamStatus")),
        Field("durationMinutes", t_int(), constraints=Constraints(minimum=1.0, maximum=600.0)),
        Field("description", t_string().with_nullable(), required=False),
        Field("owner", t_ref("User").with_nullable()),
        Field("questionCount", t_int(), computed=True, description="Computed"),
        Field("tags", t_array(t_string()), required=False, has_default=True, default=()),
    ),
    description="An exam",
    example={"id": "7d0e", "title": "Algebra"},
)
LIST_RESPONSE = Schema(
    "ListResponse",
    obj(
        Field("data", t_array(t_ref("T"))),
        Field("meta", obj(Field("page", t_int()), Field("total", t_int()))),
    ),
    params=("T",),
)
ERROR_RESPONSE = Schema(
    "ErrorResponse",
    obj(
        Field(
            "error",
            obj(
                Field("code", t_string()),
                Field("message", t_string()),
                Field("details", ANY, required=False),
                Field("requestId", t_string()),
            ),
        )
    ),
)
COMMON = (
    ErrorDoc(401, "UNAUTHORIZED", "Missing, invalid or expired token"),
    ErrorDoc(401, "SESSION_REVOKED", "Session was logged out or revoked"),
    ErrorDoc(429, "RATE_LIMITED", "More than 100 req/min"),
    ErrorDoc(500, "INTERNAL_ERROR", "Unexpected server error"),
)


def exams_spec(**overrides: Any) -> Spec:
    endpoints = (
        Endpoint(
            "GET",
            "/exams",
            summary="List exams",
            tags=("Exams",),
            auth=Auth(True, ("instructor", "admin")),
            parameters=(
                Parameter(
                    "page",
                    ParamIn.QUERY,
                    t_int(),
                    constraints=Constraints(minimum=1.0),
                    default=1,
                    has_default=True,
                ),
                Parameter("status", ParamIn.QUERY, t_enum(["draft", "published"])),
                Parameter("X-Request-ID", ParamIn.HEADER, t_string(), description="Correlation ID"),
            ),
            responses=(
                Response(
                    200,
                    body=Body(
                        t_ref("ListResponse", t_ref("Exam")),
                        example={"data": [], "meta": {"page": 1, "total": 0}},
                        has_example=True,
                    ),
                ),
            ),
            rate_limit=RateLimit(100, 60, "user"),
            caching="30s",
        ),
        Endpoint(
            "POST",
            "/exams",
            summary="Create exam",
            tags=("Exams",),
            auth=Auth(True),
            request=Body(
                obj(Field("title", t_string(200)), Field("shuffleQuestions", T(Kind.BOOLEAN), required=False)),
                example={"title": "Algebra"},
                has_example=True,
            ),
            responses=(Response(201, "Exam created", Body(t_ref("Exam"))),),
            errors=(
                ErrorDoc(400, "VALIDATION_ERROR", "Invalid body"),
                ErrorDoc(
                    400,
                    "TITLE_TAKEN",
                    "Title already used",
                    example={"error": {"code": "TITLE_TAKEN", "message": "taken", "requestId": "r1"}},
                ),
                ErrorDoc(401, "TOKEN_EXPIRED", "Token expired"),
            ),
        ),
        Endpoint(
            "GET",
            "/exams/{id}",
            tags=("Exams",),
            auth=Auth(True),
            parameters=(Parameter("id", ParamIn.PATH, T(Kind.UUID), required=True),),
            responses=(Response(200, body=Body(obj(Field("exam", t_ref("Exam")), Field("attempts", t_int())))),),
            errors=(ErrorDoc(404, "EXAM_NOT_FOUND", "No such exam"),),
        ),
        Endpoint("DELETE", "/exams/{id}", tags=("Exams",), auth=Auth(True, ("admin",))),
        Endpoint(
            "POST",
            "/auth/login",
            tags=("Auth",),
            auth=Auth(False),
            request=Body(t_ref("LoginRequest")),
            responses=(Response(200, body=Body(t_ref("User"))),),
        ),
        Endpoint("GET", "/health", detailed=False),
    )
    base: dict[str, Any] = dict(
        info=ApiInfo(title="Examora API", version="1.0", description="Exams", base_path="/api/v1"),
        security_schemes=(SecurityScheme("bearerAuth", SchemeKind.BEARER, "JWT"),),
        endpoints=endpoints,
        schemas=(
            USER,
            EXAM,
            LIST_RESPONSE,
            ERROR_RESPONSE,
            Schema("LoginRequest", obj(Field("email", t_string()), Field("password", t_string()))),
        ),
        common_errors=COMMON,
        rate_limits=(RateLimit(100, 60, "user", "100 req/min per user"),),
    )
    base.update(overrides)
    return Spec(**base)


# ---------------------------------------------------------------- document shape
def test_minimal_spec_is_valid_with_fallbacks() -> None:
    doc = build_openapi(Spec())
    assert doc == {"openapi": "3.1.0", "info": {"title": "API", "version": "0.0.0"}, "paths": {}}
    assert_valid(doc)


def test_info_servers_and_tags() -> None:
    doc = build_openapi(exams_spec())
    assert_valid(doc)
    assert list(doc)[:5] == ["openapi", "info", "servers", "tags", "paths"]
    assert doc["info"] == {"title": "Examora API", "version": "1.0", "description": "Exams"}
    assert doc["servers"] == [{"url": "/api/v1"}]
    assert doc["tags"] == [{"name": "Auth"}, {"name": "Exams"}]
    # Paths carry no base path, so each server URL gets it appended when missing.
    doc2 = build_openapi(
        exams_spec(info=ApiInfo(base_path="/api/v1", servers=("https://x.io", "https://y.io/api/v1/", "http://localhost:8000/", "/api/v1")))
    )
    assert doc2["servers"] == [
        {"url": "https://x.io/api/v1"},
        {"url": "https://y.io/api/v1/"},
        {"url": "http://localhost:8000/api/v1"},
        {"url": "/api/v1"},
    ]
    assert "x-roundtrip-tables" not in doc and "tables" not in json.dumps(doc)


def test_paths_sorted_and_operation_ids_unique() -> None:
    doc = build_openapi(exams_spec())
    assert list(doc["paths"]) == ["/auth/login", "/exams", "/exams/{id}", "/health"]
    assert list(doc["paths"]["/exams/{id}"]) == ["get", "delete"]
    assert op(doc, "GET", "/exams/{id}")["operationId"] == "getExamsById"
    assert op(doc, "POST", "/auth/login")["operationId"] == "postAuthLogin"
    spec = Spec(
        endpoints=(
            Endpoint("GET", "/a", operation_id="listThings"),
            Endpoint("GET", "/b", operation_id="listThings"),
            Endpoint("GET", "/list-things"),
            Endpoint("POST", "/c", operation_id="getListThings"),
            Endpoint("BREW", "/coffee"),
            Endpoint("GET", "search?q=x"),
        )
    )
    d = build_openapi(spec)
    assert_valid(d)
    ids = [o["operationId"] for item in d["paths"].values() for o in item.values()]
    assert ids == ["listThings", "listThings2", "getListThings", "getListThings2", "getSearch"]
    assert "/coffee" not in d["paths"]
    assert "/search" in d["paths"]  # leading slash added, query string dropped


def test_operation_fields_and_extensions() -> None:
    doc = build_openapi(exams_spec())
    get = op(doc, "GET", "/exams")
    assert list(get)[:6] == ["operationId", "summary", "tags", "security", "x-roles", "parameters"]
    assert get["x-rate-limit"] == {"requests": 100, "perSeconds": 60, "scope": "user"}
    assert get["x-caching"] == "30s"
    assert "x-roundtrip-summary-only" not in get
    assert op(doc, "GET", "/health")["x-roundtrip-summary-only"] is True
    assert doc["x-rate-limits"] == [{"requests": 100, "perSeconds": 60, "scope": "user", "description": "100 req/min per user"}]


# ---------------------------------------------------------------- parameters
def test_parameters_schema_constraints_and_path_rules() -> None:
    doc = build_openapi(exams_spec())
    params = op(doc, "GET", "/exams")["parameters"]
    assert params[0] == {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "format": "int32", "minimum": 1, "default": 1},
    }
    assert params[1]["schema"] == {"type": "string", "enum": ["draft", "published"]}
    assert params[2] == {
        "name": "X-Request-ID",
        "in": "header",
        "description": "Correlation ID",
        "schema": {"type": "string"},
    }
    assert op(doc, "GET", "/exams/{id}")["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
    ]
    # DELETE /exams/{id} declared no parameter: the template one is added, required, as a string.
    assert op(doc, "DELETE", "/exams/{id}")["parameters"] == [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]


def test_path_parameter_repairs_keep_document_valid() -> None:
    ep = Endpoint(
        "GET",
        "/tasks/{id}/comments/{commentId}",
        parameters=(
            Parameter("taskId", ParamIn.PATH, T(Kind.UUID)),  # the docs' table name for {id}
            Parameter("commentId", ParamIn.PATH, t_int(64), description="Comment"),
            Parameter("commentId", ParamIn.PATH, t_string()),  # stated twice
            Parameter(
                "limit",
                ParamIn.QUERY,
                t_int(),
                required=True,
                constraints=Constraints(minimum=1.0, maximum=100.0),
            ),
            Parameter("limit", ParamIn.QUERY, t_int()),
            Parameter("sid", ParamIn.COOKIE, t_string()),
        ),
    )
    doc = build_openapi(Spec(endpoints=(ep,)))
    assert_valid(doc)
    params = op(doc, "GET", "/tasks/{id}/comments/{commentId}")["parameters"]
    assert [(p["name"], p["in"]) for p in params] == [
        ("id", "path"),
        ("commentId", "path"),
        ("limit", "query"),
        ("sid", "cookie"),
    ]
    assert params[0]["schema"] == {"type": "string", "format": "uuid"}
    assert params[1]["schema"] == {"type": "integer", "format": "int64"} and params[1]["required"] is True
    assert params[2]["required"] is True and params[2]["schema"]["maximum"] == 100
    # Two stray path parameters cannot be matched up: they are dropped, the template ones are synthesized.
    ep2 = Endpoint(
        "GET",
        "/a/{x}/{y}",
        parameters=(Parameter("p", ParamIn.PATH, t_int()), Parameter("q", ParamIn.PATH, t_int())),
    )
    doc2 = build_openapi(Spec(endpoints=(ep2,)))
    assert_valid(doc2)
    assert [p["name"] for p in op(doc2, "GET", "/a/{x}/{y}")["parameters"]] == ["x", "y"]


# ---------------------------------------------------------------- bodies and responses
def test_request_body_inline_object_becomes_named_component() -> None:
    doc = build_openapi(exams_spec())
    body = op(doc, "POST", "/exams")["requestBody"]
    assert body == {
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/PostExamsRequest"},
                "example": {"title": "Algebra"},
            }
        },
        "required": True,
    }
    comp = doc["components"]["schemas"]["PostExamsRequest"]
    assert comp["required"] == ["title"] and list(comp["properties"]) == ["title", "shuffleQuestions"]
    # A REF body is required even though we cannot see its fields here.
    assert op(doc, "POST", "/auth/login")["requestBody"]["required"] is True
    # An all-optional inline body is not required.
    d = build_openapi(Spec(endpoints=(Endpoint("PATCH", "/x", request=Body(obj(Field("a", t_string(), required=False)))),)))
    assert "required" not in op(d, "PATCH", "/x")["requestBody"]


def test_inline_response_objects_named_by_operation_and_status() -> None:
    doc = build_openapi(exams_spec())
    schema = op(doc, "GET", "/exams/{id}")["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/GetExamsByIdResponse200"}
    spec = Spec(
        endpoints=(
            Endpoint(
                "GET",
                "/things",
                operation_id="listThings",
                responses=(Response(200, body=Body(t_array(obj(Field("a", t_int()))))),),
            ),
        )
    )
    d = build_openapi(spec)
    assert_valid(d)
    assert op(d, "GET", "/things")["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/ListThingsResponse200Item"},
    }


def test_responses_documented_description_and_example() -> None:
    doc = build_openapi(exams_spec())
    r200 = op(doc, "GET", "/exams")["responses"]["200"]
    assert r200["description"] == "OK"  # the standard reason phrase when the doc gives none
    assert r200["content"]["application/json"]["example"] == {"data": [], "meta": {"page": 1, "total": 0}}
    assert op(doc, "POST", "/exams")["responses"]["201"]["description"] == "Exam created"


def test_undocumented_success_response_by_method() -> None:
    spec = Spec(
        endpoints=(
            Endpoint("POST", "/a", errors=(ErrorDoc(400, "BAD", "bad"),)),
            Endpoint("DELETE", "/a"),
            Endpoint("PUT", "/a"),
            Endpoint("GET", "/callback", responses=(Response(302, "Redirect to the app"),)),
        )
    )
    doc = build_openapi(spec)
    assert_valid(doc)
    post = op(doc, "POST", "/a")["responses"]
    assert list(post) == ["201", "400"]
    assert post["201"] == {"description": "Success (not documented)", "x-roundtrip-undocumented": True}
    assert list(op(doc, "DELETE", "/a")["responses"]) == ["204"]
    assert list(op(doc, "PUT", "/a")["responses"]) == ["200"]
    assert op(doc, "GET", "/callback")["responses"] == {"302": {"description": "Redirect to the app"}}


def test_error_envelope_grouping_examples_per_code() -> None:
    doc = build_openapi(exams_spec())
    responses = op(doc, "POST", "/exams")["responses"]
    assert list(responses) == ["201", "400", "401", "429", "500"]
    r400 = responses["400"]
    assert r400["description"] == "Bad Request"
    media = r400["content"]["application/json"]
    assert media["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    assert list(media["examples"]) == ["VALIDATION_ERROR", "TITLE_TAKEN"]
    # Built from the envelope's shape: code and message filled in, other required fields get typed
    # placeholders so the example validates against the envelope.
    assert media["examples"]["VALIDATION_ERROR"] == {
        "summary": "Invalid body",
        "value": {"error": {"code": "VALIDATION_ERROR", "message": "Invalid body", "requestId": "example"}},
    }
    assert media["examples"]["TITLE_TAKEN"]["value"] == {"error": {"code": "TITLE_TAKEN", "message": "taken", "requestId": "r1"}}
    # The operation documents its own 401, so the common 401s are not added on top of it.
    assert list(responses["401"]["content"]["application/json"]["examples"]) == ["TOKEN_EXPIRED"]
    assert responses["401"]["description"] == "Token expired"
    assert "ErrorResponse2" not in doc["components"]["schemas"]


def test_common_errors_only_on_authenticated_operations() -> None:
    doc = build_openapi(exams_spec())
    get = op(doc, "GET", "/exams")["responses"]
    assert list(get) == ["200", "401", "429", "500"]
    assert list(get["401"]["content"]["application/json"]["examples"]) == ["UNAUTHORIZED", "SESSION_REVOKED"]
    assert get["401"]["description"] == "Unauthorized"  # two codes share the status: the reason phrase
    assert get["429"]["description"] == "More than 100 req/min"
    assert list(op(doc, "POST", "/auth/login")["responses"]) == ["200"]  # auth=False
    assert list(op(doc, "GET", "/health")["responses"]) == ["200"]  # auth unknown


def test_error_envelope_variants() -> None:
    errs = (ErrorDoc(404, "NOT_FOUND", "Nothing here"), ErrorDoc(409, "", "Conflict happened"), ErrorDoc(422))
    # No envelope schema at all: a generic {error: {code, message}} component.
    d1 = build_openapi(Spec(endpoints=(Endpoint("GET", "/x", errors=errs),)))
    assert_valid(d1)
    assert d1["components"]["schemas"]["ErrorResponse"]["properties"]["error"]["required"] == [
        "code",
        "message",
    ]
    r = op(d1, "GET", "/x")["responses"]
    assert r["404"]["content"]["application/json"]["examples"]["NOT_FOUND"]["value"] == {
        "error": {"code": "NOT_FOUND", "message": "Nothing here"}
    }
    assert list(r["409"]["content"]["application/json"]["examples"]) == ["status409"]
    assert "examples" not in r["422"]["content"]["application/json"] and r["422"]["description"] == "Unprocessable Entity"
    # spec.error_envelope names a flat schema: examples follow its shape.
    api_error = Schema(
        "ApiError",
        obj(Field("error", t_string()), Field("message", t_string()), Field("statusCode", t_int())),
    )
    d2 = build_openapi(
        Spec(
            schemas=(api_error,),
            error_envelope=t_ref("ApiError"),
            endpoints=(Endpoint("GET", "/x", errors=errs),),
        )
    )
    assert_valid(d2)
    media = op(d2, "GET", "/x")["responses"]["404"]["content"]["application/json"]
    assert media["schema"] == {"$ref": "#/components/schemas/ApiError"}
    assert media["examples"]["NOT_FOUND"]["value"] == {
        "error": "NOT_FOUND",
        "message": "Nothing here",
        "statusCode": 404,
    }
    assert "ErrorResponse" not in d2["components"]["schemas"]
    # An inline envelope object becomes the ErrorResponse component (name taken → ErrorResponse2).
    taken = Schema("ErrorResponse", obj(Field("unrelated", t_int())))
    d3 = build_openapi(
        Spec(
            schemas=(taken,),
            error_envelope=obj(Field("code", t_string()), Field("detail", t_string())),
            endpoints=(Endpoint("GET", "/x", errors=errs),),
        )
    )
    assert_valid(d3)
    media = op(d3, "GET", "/x")["responses"]["404"]["content"]["application/json"]
    assert media["schema"] == {"$ref": "#/components/schemas/ErrorResponse2"}
    assert media["examples"]["NOT_FOUND"]["value"] == {"code": "NOT_FOUND", "detail": "Nothing here"}


def test_documented_error_response_gets_envelope_and_codes() -> None:
    ep = Endpoint(
        "GET",
        "/x",
        responses=(Response(200), Response(404, "Missing")),
        errors=(ErrorDoc(404, "X_NOT_FOUND", "x"),),
    )
    doc = build_openapi(exams_spec(endpoints=(ep,)))
    assert_valid(doc)
    r404 = op(doc, "GET", "/x")["responses"]["404"]
    assert r404["description"] == "Missing"
    assert r404["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    assert list(r404["content"]["application/json"]["examples"]) == ["X_NOT_FOUND"]


# ---------------------------------------------------------------- security
def test_security_per_operation() -> None:
    doc = build_openapi(exams_spec())
    assert "security" not in doc
    assert doc["components"]["securitySchemes"] == {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    assert op(doc, "GET", "/exams")["security"] == [{"bearerAuth": []}]
    assert op(doc, "GET", "/exams")["x-roles"] == ["instructor", "admin"]
    assert "x-roles" not in op(doc, "POST", "/exams")
    assert op(doc, "POST", "/auth/login")["security"] == []
    assert "security" not in op(doc, "GET", "/health")


def test_security_schemes_kinds_and_synthesized_bearer() -> None:
    schemes = (
        SecurityScheme("apiKey", SchemeKind.API_KEY, header="X-API-Key"),
        SecurityScheme("jwt", SchemeKind.BEARER),
        SecurityScheme("basic", SchemeKind.BASIC),
        SecurityScheme("session", SchemeKind.COOKIE, header="sid"),
        SecurityScheme("oauth", SchemeKind.OAUTH2, description="OAuth 2"),
    )
    doc = build_openapi(Spec(security_schemes=schemes, endpoints=(Endpoint("GET", "/x", auth=Auth(True)),)))
    assert_valid(doc)
    s = doc["components"]["securitySchemes"]
    assert s["apiKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert s["session"] == {"type": "apiKey", "in": "cookie", "name": "sid"}
    assert s["basic"] == {"type": "http", "scheme": "basic"}
    assert s["oauth"]["type"] == "oauth2"
    assert op(doc, "GET", "/x")["security"] == [{"jwt": []}]  # the bearer scheme, not the first listed
    # No scheme documented but an operation needs auth: a bearerAuth scheme is declared so the requirement resolves.
    d2 = build_openapi(Spec(endpoints=(Endpoint("GET", "/x", auth=Auth(True)),)))
    assert_valid(d2)
    assert d2["components"]["securitySchemes"] == {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    assert "components" not in build_openapi(Spec(endpoints=(Endpoint("GET", "/x", auth=Auth(False)),)))


# ---------------------------------------------------------------- schemas
def test_component_schema_details() -> None:
    doc = build_openapi(exams_spec())
    comps = doc["components"]["schemas"]
    assert list(comps)[:5] == ["User", "Exam", "ErrorResponse", "LoginRequest", "GetExamsByIdResponse200"]
    exam = comps["Exam"]
    assert exam["type"] == "object" and exam["description"] == "An exam" and exam["examples"] == [{"id": "7d0e", "title": "Algebra"}]
    assert "additionalProperties" not in exam
    assert exam["required"] == ["id", "title", "status", "durationMinutes", "owner", "questionCount"]
    p = exam["properties"]
    assert p["id"] == {"type": "string", "format": "uuid", "readOnly": True}
    assert p["title"] == {"type": "string", "maxLength": 200, "minLength": 1}
    assert p["status"] == {"type": "string", "enum": ["draft", "published", "closed"]}
    assert p["durationMinutes"] == {"type": "integer", "format": "int32", "minimum": 1, "maximum": 600}
    assert p["questionCount"]["readOnly"] is True and p["questionCount"]["description"] == "Computed"
    assert p["tags"] == {"type": "array", "items": {"type": "string"}, "default": []}
    assert comps["User"]["properties"]["email"] == {"type": "string", "maxLength": 255, "format": "email"}


def test_nullable_forms() -> None:
    fields = (
        Field("s", t_string().with_nullable()),
        Field("r", t_ref("User").with_nullable(), description="owner"),
        Field("e", t_enum(["a", "b"]).with_nullable()),
        Field("u", T(Kind.UNION, variants=(t_string(), t_int())).with_nullable()),
        Field("l", T(Kind.LITERAL, literal="x").with_nullable()),
        Field("a", t_array(t_string()).with_nullable()),
        Field("j", T(Kind.JSON, nullable=True)),
        Field("ts", T(Kind.UNION, variants=(t_string(), T(Kind.LITERAL, literal=None)))),  # `string | null` left as a union
        Field("m", T(Kind.MAP, items=t_int(), nullable=True), constraints=Constraints(max_length=3)),
    )
    doc = build_openapi(Spec(schemas=(USER, Schema("N", obj(*fields)))))
    assert_valid(doc)
    p = doc["components"]["schemas"]["N"]["properties"]
    assert p["s"] == {"type": ["string", "null"]}
    assert p["r"] == {
        "anyOf": [{"$ref": "#/components/schemas/User"}, {"type": "null"}],
        "description": "owner",
    }
    assert p["e"] == {"type": ["string", "null"], "enum": ["a", "b", None]}
    assert p["u"] == {"oneOf": [{"type": "string"}, {"type": "integer", "format": "int32"}, {"type": "null"}]}
    assert p["l"] == {"anyOf": [{"const": "x"}, {"type": "null"}]}
    assert p["a"] == {"type": ["array", "null"], "items": {"type": "string"}}
    assert p["j"] == {}
    assert p["ts"] == {"type": ["string", "null"]}
    assert p["m"] == {
        "type": ["object", "null"],
        "additionalProperties": {"type": "integer", "format": "int32"},
        "maxLength": 3,
    }


def test_generic_instances_are_concrete_components() -> None:
    paged = Schema(
        "Paged",
        obj(Field("items", t_array(t_ref("T"))), Field("next", t_ref("T").with_nullable(), required=False)),
        params=("T",),
    )
    pair = Schema("Pair", obj(Field("left", t_ref("A")), Field("right", t_ref("B"))), params=("A", "B"))
    holder = Schema(
        "Holder",
        obj(
            Field("exams", t_ref("ListResponse", t_ref("Exam"))),
            Field("again", t_ref("ListResponse", t_ref("Exam"))),
            Field("users", t_ref("ListResponse", t_ref("User"))),
            Field("nested", t_ref("Paged", t_ref("ListResponse", t_ref("User")))),
            Field("strings", t_ref("ListResponse", t_array(t_string()))),
            Field("pair", t_ref("Pair", t_ref("User"))),  # B missing → any
            Field("bare", t_ref("ListResponse")),
        ),
    )
    clash = Schema("ListResponseExam", obj(Field("handWritten", T(Kind.BOOLEAN))))
    doc = build_openapi(Spec(schemas=(USER, EXAM, LIST_RESPONSE, paged, pair, holder, clash)))
    assert_valid(doc)
    comps = doc["components"]["schemas"]
    for template in ("ListResponse", "Paged", "Pair"):
        assert not any(r.endswith("/" + template) for r in refs_in(doc))
    assert "Paged" not in comps and "Pair" not in comps
    p = comps["Holder"]["properties"]
    # The docs define their own ListResponseExam, so the instance takes the next free name.
    assert p["exams"] == {"$ref": "#/components/schemas/ListResponseExam2"} == p["again"]
    assert comps["ListResponseExam"] == {
        "type": "object",
        "properties": {"handWritten": {"type": "boolean"}},
        "required": ["handWritten"],
    }
    assert comps["ListResponseExam2"]["properties"]["data"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Exam"},
    }
    assert p["users"] == {"$ref": "#/components/schemas/ListResponseUser"}
    assert p["nested"] == {"$ref": "#/components/schemas/PagedListResponseUser"}
    assert comps["PagedListResponseUser"]["properties"]["next"] == {
        "anyOf": [{"$ref": "#/components/schemas/ListResponseUser"}, {"type": "null"}]
    }
    assert comps["ListResponseStringArray"]["properties"]["data"]["items"] == {
        "type": "array",
        "items": {"type": "string"},
    }
    assert comps["PairUserAny"]["properties"]["right"] == {}
    assert p["bare"] == {"$ref": "#/components/schemas/ListResponseAny"}
    assert comps["ListResponseAny"]["properties"]["data"] == {"type": "array", "items": {}}


def test_unresolved_reference_never_dangles() -> None:
    spec = Spec(
        schemas=(
            Schema(
                "Holder",
                obj(
                    Field("ghost", t_ref("Ghost")),
                    Field("maybe", t_ref("Phantom", t_ref("Ghost")).with_nullable()),
                ),
            ),
        ),
        endpoints=(
            Endpoint(
                "POST",
                "/x",
                request=Body(t_ref("Missing")),
                responses=(Response(200, body=Body(t_array(t_ref("Gone")))),),
            ),
        ),
    )
    doc = build_openapi(spec)
    assert_valid(doc)
    p = doc["components"]["schemas"]["Holder"]["properties"]
    assert p["ghost"] == {"description": "unresolved type Ghost"}
    assert p["maybe"] == {"description": "unresolved type Phantom<Ghost>"}
    assert op(doc, "POST", "/x")["requestBody"]["content"]["application/json"]["schema"] == {"description": "unresolved type Missing"}


def test_extends_and_utility_types_flattened_when_unresolved() -> None:
    base = Schema("Base", obj(Field("id", T(Kind.UUID)), Field("createdAt", T(Kind.DATETIME, timezone=True))))
    child = Schema("Child", obj(Field("name", t_string()), Field("id", t_int())), extends=(t_ref("Base"),))
    summary = Schema(
        "Summary",
        obj(
            Field(
                "user",
                t_ref(
                    "Pick",
                    t_ref("User"),
                    T(Kind.UNION, variants=(T(Kind.LITERAL, literal="id"), T(Kind.LITERAL, literal="name"))),
                ),
            )
        ),
    )
    create = Schema("CreateUser", t_ref("Omit", t_ref("User"), T(Kind.LITERAL, literal="id")))
    patch = Schema("PatchUser", t_ref("Partial", t_ref("CreateUser")))
    misc = Schema(
        "Misc",
        obj(
            Field("tags", t_ref("Array", t_string())),
            Field("meta", t_ref("Record", t_string(), t_int())),
            Field("uniq", t_ref("Set", t_string())),
            Field("later", t_ref("Promise", t_ref("User"))),
        ),
    )
    loop = Schema("Loop", obj(Field("x", t_int())), extends=(t_ref("Loop"),))
    doc = build_openapi(Spec(schemas=(USER, base, child, summary, create, patch, misc, loop)))
    assert_valid(doc)
    c = doc["components"]["schemas"]
    assert list(c["Child"]["properties"]) == ["createdAt", "name", "id"]
    assert c["Child"]["properties"]["id"]["type"] == "integer"  # the child's own definition wins
    assert list(c["Summary"]["properties"]["user"]["properties"]) == ["id", "name"]
    assert list(c["CreateUser"]["properties"]) == ["email", "name"] and c["CreateUser"]["required"] == [
        "email",
        "name",
    ]
    assert list(c["PatchUser"]["properties"]) == ["email", "name"] and "required" not in c["PatchUser"]
    m = c["Misc"]["properties"]
    assert m["tags"] == {"type": "array", "items": {"type": "string"}}
    assert m["meta"] == {"type": "object", "additionalProperties": {"type": "integer", "format": "int32"}}
    assert m["uniq"]["uniqueItems"] is True
    assert m["later"] == {"$ref": "#/components/schemas/User"}
    assert list(c["Loop"]["properties"]) == ["x"]


def test_component_names_are_sanitized() -> None:
    odd = Schema("Exam Attempt<Detail>", obj(Field("a", t_int())))
    holder = Schema("Holder", obj(Field("x", t_ref("Exam Attempt<Detail>"))))
    doc = build_openapi(Spec(schemas=(odd, holder)))
    assert_valid(doc)
    assert "Exam_Attempt_Detail" in doc["components"]["schemas"]
    assert doc["components"]["schemas"]["Holder"]["properties"]["x"] == {"$ref": "#/components/schemas/Exam_Attempt_Detail"}


def _every_kind() -> list[TypeRef]:
    """One representative TypeRef per Kind (with the parameters that kind uses)."""
    sample: dict[Kind, TypeRef] = {
        Kind.STRING: t_string(50),
        Kind.INTEGER: t_int(64, unsigned=True),
        Kind.FLOAT: T(Kind.FLOAT, bits=64),
        Kind.DECIMAL: T(Kind.DECIMAL, precision=8, scale=2),
        Kind.DATETIME: T(Kind.DATETIME, timezone=True),
        Kind.ENUM: t_enum(["a", "b"], "ab"),
        Kind.ARRAY: t_array(t_int()),
        Kind.MAP: T(Kind.MAP, items=t_string()),
        Kind.OBJECT: obj(Field("x", t_int()), Field("y", t_string(), required=False)),
        Kind.REF: t_ref("User"),
        Kind.UNION: T(Kind.UNION, variants=(t_string(), t_ref("User"))),
        Kind.LITERAL: T(Kind.LITERAL, literal=3),
    }
    return [sample.get(k, T(k)) for k in Kind]


@pytest.mark.parametrize("nullable", [False, True])
def test_every_kind_maps_through_the_emitter(nullable: bool) -> None:
    kinds = _every_kind()
    fields = tuple(Field(k.kind.value, k.with_nullable(nullable)) for k in kinds)
    params = tuple(Parameter(f"q_{k.kind.value}", ParamIn.QUERY, k.with_nullable(nullable)) for k in kinds)
    spec = Spec(schemas=(USER, Schema("All", obj(*fields))), endpoints=(Endpoint("GET", "/all", parameters=params),))
    doc = build_openapi(spec)
    assert_valid(doc)
    props = doc["components"]["schemas"]["All"]["properties"]
    assert len(props) == len(Kind) and len(op(doc, "GET", "/all")["parameters"]) == len(Kind)
    base = {k: v for k, v in props.items()} if not nullable else None
    if base is not None:
        assert base["integer"] == {"type": "integer", "format": "int64", "minimum": 0}
        assert base["float"] == {"type": "number", "format": "double"}
        assert base["datetime"] == {"type": "string", "format": "date-time"}
        assert base["binary"] == {"type": "string", "format": "binary"}
        assert base["literal"] == {"const": 3}
        assert base["any"] == {} and base["json"] == {}
        assert base["union"] == {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/User"}]}
        assert base["map"] == {"type": "object", "additionalProperties": {"type": "string"}}


# ---------------------------------------------------------------- determinism and text
def test_determinism_same_bytes_and_endpoint_order_independent() -> None:
    spec = exams_spec()
    y1, y2 = dump_yaml(build_openapi(spec)), dump_yaml(build_openapi(spec))
    assert y1 == y2
    j1 = dump_json(build_openapi(spec))
    rng = random.Random(7)
    for _ in range(5):
        eps = list(spec.endpoints)
        rng.shuffle(eps)
        shuffled = exams_spec(endpoints=tuple(eps))
        assert dump_yaml(build_openapi(shuffled)) == y1
        assert dump_json(build_openapi(shuffled)) == j1


def test_dumped_text_is_plain_and_round_trips() -> None:
    spec = exams_spec(info=ApiInfo(title="Prüfungen ✓", description="naïve"))
    doc = build_openapi(spec)
    text = dump_yaml(doc)
    assert "!!" not in text and "&id" not in text and "*id" not in text  # no Python tags, no anchors
    assert "Prüfungen ✓" in text  # allow_unicode
    assert yaml.safe_load(text) == doc
    assert json.loads(dump_json(doc)) == doc
    assert dump_json(doc).endswith("}\n")


def test_odd_python_values_in_examples_are_dumped_safely() -> None:
    import datetime
    import decimal

    ex = {
        "when": datetime.date(2025, 1, 2),
        "price": decimal.Decimal("1.50"),
        "tags": ("a", "b"),
        "nan": float("nan"),
    }
    spec = Spec(schemas=(Schema("X", obj(Field("a", t_int(), has_default=True, default=decimal.Decimal("3"))), example=ex),))
    doc = build_openapi(spec)
    assert_valid(doc)
    text = dump_yaml(doc)
    assert "!!" not in text
    assert doc["components"]["schemas"]["X"]["examples"] == [{"when": "2025-01-02", "price": 1.5, "tags": ["a", "b"], "nan": "nan"}]
