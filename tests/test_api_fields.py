"""Field/parameter tables, bullets, type cells and labels (api_fields.py, api_labels.py, api_meta.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from roundtrip.diagnostics import Sink
from roundtrip.ir import Kind, ParamIn
from roundtrip.markdown import Table, parse_document
from roundtrip.readers.api_fields import (
    fields_from_rows,
    params_from_rows,
    parse_required,
    parse_type_cell,
    parse_type_expr,
    read_rows,
    specs_from_text,
)
from roundtrip.readers.api_labels import Label, group_name, match_label
from roundtrip.readers.api_meta import parse_auth, parse_rate_limit
from roundtrip.source import Span
from tests.conftest import example_dir

SP = Span("t.md", 1)


def _table_at(path: Path, line: int) -> Table:
    doc, _ = parse_document(path.name, path.read_text(encoding="utf-8"))
    for b in doc.blocks:
        if isinstance(b, Table) and b.span.line == line:
            return b
    raise AssertionError(f"no table at {path.name}:{line}")


@pytest.mark.parametrize(
    ("cell", "kind", "nullable"),
    [
        ("string", Kind.STRING, False), ("integer", Kind.INTEGER, False), ("number", Kind.FLOAT, False),
        ("boolean", Kind.BOOLEAN, False), ("UUID", Kind.UUID, False), ("date", Kind.DATE, False),
        ("string \\| null", Kind.STRING, True), ("UUID | null", Kind.UUID, True), ("object", Kind.OBJECT, False),
        ("string (UUID)", Kind.UUID, False), ("string (date)", Kind.DATE, False), ("string (date-time)", Kind.DATETIME, False),
        ("int", Kind.INTEGER, False), ("asc\\|desc", Kind.ENUM, False), ("`'me'`", Kind.LITERAL, False),
    ],
)
def test_type_cells(cell: str, kind: Kind, nullable: bool) -> None:
    t = parse_type_cell(cell, SP)
    assert t is not None and t.kind is kind and t.nullable is nullable


def test_array_enum_and_named_type_cells() -> None:
    arr = parse_type_cell("UUID[]", SP)
    assert arr is not None and arr.kind is Kind.ARRAY and arr.items is not None and arr.items.kind is Kind.UUID
    words = parse_type_cell("array of strings", SP)
    assert words is not None and words.kind is Kind.ARRAY and words.items is not None and words.items.kind is Kind.STRING
    ref = parse_type_cell("enum MemberStatus", SP)
    assert ref is not None and ref.kind is Kind.REF and ref.ref == "MemberStatus"
    named = parse_type_cell("ExamStatus", SP)
    assert named is not None and named.kind is Kind.REF and named.ref == "ExamStatus"
    assert parse_type_cell("", SP) is None


def test_unknown_type_cell_is_any_with_rt111() -> None:
    sink = Sink()
    t = parse_type_cell("VARCHAR(100)", SP, sink)
    assert t is not None and t.kind is Kind.ANY
    assert [d.code for d in sink.sorted()] == ["RT111"]


def test_type_expressions() -> None:
    lr = parse_type_expr("ListResponse<Exam>")
    assert lr is not None and lr.kind is Kind.REF and lr.ref == "ListResponse" and lr.args[0].ref == "Exam"
    arr = parse_type_expr("List[UserResponse]")
    assert arr is not None and arr.kind is Kind.ARRAY and arr.items is not None and arr.items.ref == "UserResponse"
    union = parse_type_expr("'closed' | 'archived'")
    assert union is not None and union.kind is Kind.ENUM and union.values == ("closed", "archived")
    obj = parse_type_expr("{ message: string; count?: number }")
    assert obj is not None and obj.kind is Kind.OBJECT and [(f.name, f.required) for f in obj.fields] == [("message", True), ("count", False)]
    braces = parse_type_expr("{ Property }")
    assert braces is not None and braces.kind is Kind.REF and braces.ref == "Property"
    assert parse_type_expr("DLQ") is None  # all caps: a value, not a type name
    assert parse_type_expr("status: 'cancelled'") is None


@pytest.mark.parametrize(("cell", "expected"), [("Yes", True), ("yes", True), ("Yes*", True), ("required", True),
                                                ("No", False), ("no*", False), ("optional", False), ("staff only", False),
                                                ("", None), ("-", None)])
def test_required_cells(cell: str, expected: bool | None) -> None:
    assert parse_required(cell) is expected


def test_taskboard_register_body_table() -> None:
    table = _table_at(example_dir("taskboard") / "API_SPEC.md", 150)
    fields = fields_from_rows(read_rows(table, "API_SPEC.md", None))
    assert [f.name for f in fields] == ["tenantName", "email", "password", "name"]
    assert all(f.required and f.type.kind is Kind.STRING for f in fields)
    tenant = fields[0]
    assert (tenant.constraints.min_length, tenant.constraints.max_length) == (2, 100)
    assert tenant.span.line == 152
    assert fields[1].constraints.format == "email" and fields[1].constraints.max_length == 255


def test_taskboard_task_body_enum_default_and_array() -> None:
    table = _table_at(example_dir("taskboard") / "API_SPEC.md", 626)
    by = {f.name: f for f in fields_from_rows(read_rows(table, "API_SPEC.md", None))}
    prio = by["priority"]
    assert prio.type.kind is Kind.ENUM and prio.type.values == ("low", "medium", "high", "urgent")
    assert prio.has_default and prio.default == "medium" and prio.span.line == 631
    assert by["labelIds"].type.kind is Kind.ARRAY and by["labelIds"].constraints.max_items == 10
    assert by["assigneeId"].type.kind is Kind.UUID and not by["assigneeId"].required


def test_taskboard_query_table_splits_limit_offset() -> None:
    table = _table_at(example_dir("taskboard") / "API_SPEC.md", 334)
    params = params_from_rows(read_rows(table, "API_SPEC.md", None), ParamIn.QUERY)
    assert [p.name for p in params] == ["role", "q", "sort", "limit", "offset"]
    assert all(p.location is ParamIn.QUERY and not p.required for p in params)
    by = {p.name: p for p in params}
    assert by["limit"].type.kind is Kind.INTEGER and by["limit"].span.line == by["offset"].span.line == 339
    assert by["sort"].type.kind is Kind.STRING and by["sort"].default == "name"  # listed sort fields are not an enum
    # "Sort fields: `name`, `createdAt`": the listed fields, as written (the resolver adds the convention's syntax)
    assert by["sort"].constraints.pattern == "^(?:name|createdAt)$"
    # "`owner`, `admin`, `member`, `viewer` (comma-separated)": one string naming one value or several
    assert by["role"].type.kind is Kind.STRING
    pattern = re.compile(by["role"].constraints.pattern or "")
    assert pattern.fullmatch("owner") and pattern.fullmatch("admin,viewer")
    assert not pattern.fullmatch("guest") and not pattern.fullmatch("owner,") and not pattern.fullmatch("")


def test_exams_default_column() -> None:
    table = _table_at(example_dir("exams") / "api-specification.md", 136)
    by = {p.name: p for p in params_from_rows(read_rows(table, "api-specification.md", None), ParamIn.QUERY)}
    assert by["page"].default == 1 and by["limit"].default == 20 and by["sort"].default == "-createdAt"
    # "Sort field (- for desc): `title`, `createdAt`, `availableFrom`": the row states the `-` prefix itself
    assert by["sort"].constraints.pattern == "^-?(?:title|createdAt|availableFrom)$"
    assert not by["search"].has_default
    assert by["status"].type.kind is Kind.REF and by["status"].type.ref == "ExamStatus"
    assert by["instructorId"].type.kind is Kind.UUID


@pytest.mark.parametrize(
    ("cell", "pattern"),
    [
        ("Sort field (prefix - for desc): `name`, `capacity`, `floor`", "^-?(?:name|capacity|floor)$"),
        ("`position`, `createdAt`, `dueDate`", "^(?:position|createdAt|dueDate)$"),
        ("`createdAt` or `-createdAt`", "^(?:createdAt|-createdAt)$"),
        ("Sort by `createdAt` (default) or `title`.", "^(?:createdAt|title)$"),
        # no list of fields: a reference, an example of another syntax, a lone default
        ("Sort expression, see `Sorting`", None),
        ("Sort order, e.g. `createdAt:desc`", None),
        ("Default `name`", None),
    ],
)
def test_sort_fields_listed_in_a_description(cell: str, pattern: str | None) -> None:
    doc, _ = parse_document("api.md", f"| Param | Type | Description |\n|---|---|---|\n| sort | string | {cell} |\n")
    table = next(b for b in doc.blocks if isinstance(b, Table))
    (param,) = params_from_rows(read_rows(table, "api.md", None), ParamIn.QUERY)
    assert param.type.kind is Kind.STRING and param.constraints.pattern == pattern


def test_library_property_table_required_variants() -> None:
    table = _table_at(example_dir("library") / "technical" / "backend-spec.md", 731)
    by = {f.name: f for f in fields_from_rows(read_rows(table, "backend-spec.md", None))}
    assert by["bookId"].required and by["bookId"].type.kind is Kind.INTEGER
    assert by["memberId"].required is False  # "staff only"


def test_several_params_in_one_row_keep_their_own_phrase() -> None:
    table = _table_at(example_dir("library") / "technical" / "backend-spec.md", 538)
    by = {p.name: p for p in params_from_rows(read_rows(table, "backend-spec.md", None), ParamIn.QUERY)}
    assert {"page", "limit", "sort"} <= set(by)
    assert by["sort"].default == "lastName"
    # untyped page/limit are counts (their bounds come from the Pagination convention when emitted)
    assert not by["page"].has_default and by["page"].type.kind is Kind.INTEGER
    # the listed sort fields are what `sort` may name, as written (the resolver adds `-` per the convention)
    assert by["sort"].type.kind is Kind.STRING and by["sort"].constraints.pattern == "^(?:lastName|-createdAt)$"


def test_bullet_and_inline_parameters() -> None:
    specs = specs_from_text("`q` (string, optional): Search keyword (e.g. `ceramique`)", SP)
    assert [(s.name, s.type.kind if s.type else None, s.required) for s in specs] == [("q", Kind.STRING, False)]
    specs = specs_from_text("`page` (int, default: `0`), `size` (int, default: `12`), `sort` (string, default: `rating,desc`)", SP)
    assert [(s.name, s.default) for s in specs] == [("page", 0), ("size", 12), ("sort", "rating,desc")]
    specs = specs_from_text("`status` (optional): `TODO | IN_PROGRESS | DONE`", SP)
    assert specs[0].type is not None and specs[0].type.values == ("TODO", "IN_PROGRESS", "DONE")
    specs = specs_from_text("`start_lat`, `start_long`, `end_lat`", SP, required_default=True)
    assert [(s.name, s.required) for s in specs] == [("start_lat", True), ("start_long", True), ("end_lat", True)]
    specs = specs_from_text("`from`/`to` (ISO 8601), `limit` (default 50, max 200)", SP)
    assert [s.name for s in specs] == ["from", "to", "limit"] and specs[2].default == 50
    header = params_from_rows(specs_from_text('`If-Match: W/"<etag>"` (optional, recommended)', SP), ParamIn.HEADER)
    assert [(p.name, p.required, p.location) for p in header] == [("If-Match", False, ParamIn.HEADER)]
    assert params_from_rows(specs_from_text("`Authorization: Bearer x`", SP), ParamIn.HEADER) == []


@pytest.mark.parametrize(
    ("line", "kind", "status"),
    [
        ("**Request Body**:", Label.REQUEST, None), ("**Request Body** (all fields optional):", Label.REQUEST, None),
        ("**Body:** `{ }`", Label.REQUEST, None), ("Request body:", Label.REQUEST, None),
        ("**Response (201)**:", Label.RESPONSE, 201), ("**Success Response** (200):", Label.RESPONSE, 200),
        ("**Response 201:**", Label.RESPONSE, 201), ("**Response: 201 Created**", Label.RESPONSE, 201),
        ("**200 OK**", Label.RESPONSE, 200), ("**201 Created** — `MemberResponse`", Label.RESPONSE, 201),
        ("Success `201`:", Label.RESPONSE, 201), ("- **Response**: `201 Created` with x", Label.RESPONSE, 201),
        ("**Response** (204 No Content)", Label.RESPONSE, 204), ("Response: `204 No Content`", Label.RESPONSE, 204),
        ("**Errors**:", Label.ERRORS, None), ("**Error Responses**:", Label.ERRORS, None),
        ("Errors: `409` email already in use.", Label.ERRORS, None), ("**Error Response (404 Not Found):**", Label.ERRORS, 404),
        ("**Query Parameters**:", Label.QUERY, None), ("Query params:", Label.QUERY, None),
        ("**Path Parameters**:", Label.PATH, None), ("**Request Headers**: `If-Match: x`", Label.HEADERS, None),
        ("**Authentication Required**: Yes", Label.AUTH, None), ("Auth: public", Label.AUTH, None),
        ("**Public**", Label.AUTH, None), ("**Protected — vendor or admin**", Label.AUTH, None),
        ("**Rate Limiting**: 10 requests per hour per IP", Label.RATE, None), ("**Rate Limit:** Strict (20 req / 15 min)", Label.RATE, None),
        ("**Caching**: ETag", Label.CACHING, None), ("**Example**:", Label.EXAMPLE, None),
        ("**Description**: x", Label.DESCRIPTION, None), ("**Endpoint**: `POST /x`", Label.ENDPOINT, None),
    ],
)
def test_label_vocabulary(line: str, kind: Label, status: int | None) -> None:
    ll = match_label(line)
    assert ll is not None and ll.kind is kind and ll.status == status


@pytest.mark.parametrize("line", ["Returns user info: id, email", "Sets `ramadan_session` HttpOnly cookie.",
                                  "The access token is a standard JWT.", "Client calls `POST /v1/auth/refresh`"])
def test_prose_is_not_a_label(line: str) -> None:
    assert match_label(line) is None


@pytest.mark.parametrize(
    ("text", "required", "roles"),
    [
        ("No", False, ()), ("No (the refresh token is the credential)", False, ()), ("Yes (any role)", True, ()),
        ("Yes (`owner`, `admin`; `member` only for tasks they reported)", True, ("owner", "admin", "member")),
        ("Yes (owner or admin)", True, ("owner", "admin")), ("Yes (member)", True, ("member",)), ("public", False, ()),
        ("librarian, admin", True, ("librarian", "admin")), ("member or staff", True, ("member", "staff")),
        ("member (own loan) or librarian/admin", True, ("member", "librarian", "admin")),
        ("Protected — vendor (own products only) or admin", True, ("vendor", "admin")),
        ("Auth required. Must be ADMIN.", True, ("admin",)), ("Authenticated", True, ()),
        ("`Stripe-Signature` header (HMAC)", None, ()),
    ],
)
def test_auth_phrases(text: str, required: bool | None, roles: tuple[str, ...]) -> None:
    auth = parse_auth(text, SP)
    assert (auth.required, auth.roles) == (required, roles)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 requests per hour per IP", (10, 3600, "ip")), ("5 req / 15 min per IP", (5, 900, "ip")),
        ("10/min per IP; 5 failed attempts per card → 15-minute lock", (10, 60, "ip")),
        ("Strict (20 req / 15 min)", (20, 900, "")), ("5/hr.", (5, 3600, "")),
        ("3,000 requests/min per tenant", (3000, 60, "tenant")), ("100 requests per 15-minute window", (100, 900, "")),
    ],
)
def test_rate_limits(text: str, expected: tuple[int, int, str]) -> None:
    rl = parse_rate_limit(text, SP)
    assert rl is not None and (rl.requests, rl.per_seconds, rl.scope) == expected


def test_rate_limit_needs_a_number_and_a_period() -> None:
    assert parse_rate_limit("per IP, documented on each endpoint", SP) is None


@pytest.mark.parametrize(("title", "group"), [("3.2 Authentication", "Authentication"), ("Authentication Endpoints", "Authentication"),
                                              ("Auth — `/api/auth`", "Auth"), ("3.6 Loans (circulation)", "Loans"),
                                              ("API Endpoints", ""), ("📍 Endpoints", ""), ("Routes", "Routes")])
def test_group_names(title: str, group: str) -> None:
    assert group_name(title) == group
