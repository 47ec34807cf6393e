"""The API reader on the real example docs, synthetic edge cases, and every corpus document."""

from __future__ import annotations

from pathlib import Path

import pytest

from roundtrip.diagnostics import Sink
from roundtrip.ir import Endpoint, Facts, Kind, Origin, ParamIn
from roundtrip.markdown import parse_document
from roundtrip.readers.endpoints import read_endpoints
from tests.conftest import CORPUS, EXAMPLES, corpus_files, example_dir


def read(path: Path) -> tuple[Facts, Sink]:
    """Only the API reader (no try/except around it, unlike read_document): a crash fails the test."""
    facts, sink = Facts(), Sink()
    doc, _ = parse_document(path.name, path.read_text(encoding="utf-8"))
    read_endpoints(doc, facts, sink)
    return facts, sink


def read_text(text: str, name: str = "t.md") -> tuple[Facts, Sink]:
    facts, sink = Facts(), Sink()
    doc, _ = parse_document(name, text)
    read_endpoints(doc, facts, sink)
    return facts, sink


def detailed(facts: Facts) -> dict[str, Endpoint]:
    return {e.key: e for e in facts.endpoints if e.detailed}


# ---------------------------------------------------------------- autoflow taskboard

@pytest.fixture(scope="module")
def taskboard() -> Facts:
    return read(example_dir("taskboard") / "API_SPEC.md")[0]


def test_taskboard_endpoints(taskboard: Facts) -> None:
    assert list(detailed(taskboard)) == [
        "POST /v1/auth/register", "POST /v1/auth/login", "POST /v1/auth/refresh", "POST /v1/auth/logout",
        "GET /v1/users/me", "GET /v1/users",
        "GET /v1/projects", "POST /v1/projects", "GET /v1/projects/{projectId}", "PATCH /v1/projects/{projectId}",
        "DELETE /v1/projects/{projectId}",
        "GET /v1/projects/{projectId}/tasks", "POST /v1/projects/{projectId}/tasks", "GET /v1/tasks/{taskId}",
        "PATCH /v1/tasks/{taskId}", "DELETE /v1/tasks/{taskId}",
        "GET /v1/tasks/{taskId}/comments", "POST /v1/tasks/{taskId}/comments",
        "GET /v1/labels", "POST /v1/labels",
    ]
    assert len(taskboard.endpoints) == 20  # nothing undetailed: prose mentions are not endpoints
    assert not taskboard.mentions


def test_taskboard_register(taskboard: Facts) -> None:
    ep = detailed(taskboard)["POST /v1/auth/register"]
    assert ep.span.line == 144 and ep.tags == ("Authentication",) and ep.origin is Origin.PROSE
    assert ep.auth.required is False
    assert ep.rate_limit is not None and (ep.rate_limit.requests, ep.rate_limit.per_seconds, ep.rate_limit.scope) == (10, 3600, "ip")
    assert ep.description.startswith("Create a new tenant") and ep.summary.startswith("Create a new tenant")
    assert ep.operation_id == "postV1AuthRegister"
    assert ep.request is not None and ep.request.type is not None and ep.request.type.kind is Kind.OBJECT
    assert [f.name for f in ep.request.type.fields] == ["tenantName", "email", "password", "name"]
    tenant = ep.request.type.fields[0]
    assert (tenant.constraints.min_length, tenant.constraints.max_length) == (2, 100)
    [created] = ep.responses
    assert created.status == 201 and created.span.line == 157
    assert created.body is not None and created.body.has_example and created.body.example["expiresIn"] == 900
    assert created.body.type is not None and "refreshToken" in [f.name for f in created.body.type.fields]
    errors = [(e.status, e.code) for e in ep.errors]
    assert errors == [(409, "EMAIL_EXISTS"), (400, "")]
    assert ep.errors[0].example == {"error": "EMAIL_EXISTS", "message": "An account with this email already exists"}
    assert ep.errors[0].span.line == 169


def test_taskboard_bodies_and_references(taskboard: Facts) -> None:
    eps = detailed(taskboard)
    key = {f.name: f for f in eps["POST /v1/projects"].request.type.fields}["key"]  # type: ignore[union-attr]
    assert key.span.line == 424 and key.constraints.pattern == "^[A-Z]{2,10}$" and key.constraints.max_length == 10
    prio = {f.name: f for f in eps["POST /v1/projects/{projectId}/tasks"].request.type.fields}["priority"]  # type: ignore[union-attr]
    assert prio.span.line == 631 and prio.type.values == ("low", "medium", "high", "urgent") and prio.default == "medium"
    # "Project object (see above)" / "Updated Task object." → the named example objects
    assert eps["POST /v1/projects"].responses[0].body.type.ref == "Project"  # type: ignore[union-attr]
    assert eps["PATCH /v1/tasks/{taskId}"].responses[0].body.type.ref == "Task"  # type: ignore[union-attr]
    assert eps["GET /v1/tasks/{taskId}"].responses[0].body.type.ref == "Task"  # type: ignore[union-attr]
    # "Comment object (as in the list above)" names no schema: an item of the comments list the same path's GET shows
    comment = eps["POST /v1/tasks/{taskId}/comments"].responses[0].body
    assert comment is not None and comment.type is not None and comment.has_example
    assert {f.name for f in comment.type.fields} >= {"id", "body", "author"}
    logout = eps["POST /v1/auth/logout"]
    assert logout.responses[0].status == 204 and logout.responses[0].body is None
    assert [(e.status, e.code) for e in logout.errors] == [(401, "")]
    nullable = {f.name: f for f in eps["PATCH /v1/tasks/{taskId}"].request.type.fields}  # type: ignore[union-attr]
    assert nullable["assigneeId"].type.kind is Kind.UUID and nullable["assigneeId"].type.nullable
    refresh = eps["POST /v1/auth/refresh"].request.type.fields[0]  # type: ignore[union-attr]
    assert refresh.name == "refreshToken" and refresh.required  # "Yes*"


def test_taskboard_auth_params_and_caching(taskboard: Facts) -> None:
    eps = detailed(taskboard)
    assert eps["DELETE /v1/tasks/{taskId}"].auth.roles == ("owner", "admin", "member")
    assert eps["POST /v1/projects"].auth.roles == ("owner", "admin")
    assert eps["GET /v1/users/me"].auth.required is True and not eps["GET /v1/users/me"].auth.roles
    assert eps["GET /v1/users/me"].caching.startswith("Cache-Control")
    patch = eps["PATCH /v1/tasks/{taskId}"]
    assert [(p.name, p.location, p.required) for p in patch.parameters] == [
        ("If-Match", ParamIn.HEADER, False), ("taskId", ParamIn.PATH, True)]
    users = eps["GET /v1/users"]
    assert [p.name for p in users.parameters] == ["role", "q", "sort", "limit", "offset"]
    project = eps["GET /v1/projects/{projectId}"]
    [pid] = project.parameters
    assert pid.location is ParamIn.PATH and pid.type.kind is Kind.UUID and pid.span.line == 457
    delete = eps["DELETE /v1/projects/{projectId}"].parameters[0]
    assert delete.name == "projectId" and delete.type.kind is Kind.STRING and delete.span.line == 506  # undocumented → from the path


def test_taskboard_common_errors_envelope_and_objects(taskboard: Facts) -> None:
    assert [(e.status, e.code) for e in taskboard.common_errors] == [
        (400, "VALIDATION_ERROR"), (401, "UNAUTHORIZED"), (403, "FORBIDDEN"), (429, "RATE_LIMIT"), (500, "INTERNAL_ERROR")]
    assert taskboard.common_errors[0].span.line == 120
    [env] = taskboard.error_envelopes
    assert env.name == "ErrorResponse" and [f.name for f in env.fields] == ["error", "message", "details", "requestId"]
    assert env.span.line == 107
    objects = {s.name: s for s in taskboard.schemas}
    assert set(objects) == {"Project", "Task"}
    assert objects["Project"].origin is Origin.JSON_EXAMPLE and objects["Project"].span.line == 366
    assert objects["Task"].field("completedAt") is not None and objects["Task"].field("completedAt").type.nullable  # type: ignore[union-attr]


# ---------------------------------------------------------------- peachflow exams

@pytest.fixture(scope="module")
def exams() -> Facts:
    return read(example_dir("exams") / "api-specification.md")[0]


def test_exams_endpoints_and_paths(exams: Facts) -> None:
    eps = detailed(exams)
    assert len(eps) == 18
    assert all(":" not in e.path for e in exams.endpoints)
    assert {"GET /exams/{id}", "PATCH /exams/{examId}/questions/{questionId}", "PUT /attempts/{attemptId}/answers/{questionId}"} <= set(eps)
    assert eps["POST /exams/{examId}/questions"].tags == ("Question",)


def test_exams_typed_responses(exams: Facts) -> None:
    eps = detailed(exams)
    one = eps["GET /exams/{id}"].responses[0].body.type  # type: ignore[union-attr]
    assert one is not None and one.kind is Kind.UNION and [v.ref for v in one.variants] == ["ExamDetail", "Exam"]
    lst = eps["GET /exams"].responses[0].body.type  # type: ignore[union-attr]
    assert lst is not None and lst.ref == "ListResponse" and [a.ref for a in lst.args] == ["Exam"]
    start = eps["POST /exams/{examId}/attempts"].responses[0]
    assert start.status == 201 and start.body.type.ref == "AttemptDetail"  # type: ignore[union-attr]
    assert eps["POST /auth/register"].request.type.ref == "RegisterRequest"  # type: ignore[union-attr]
    assert eps["POST /auth/register"].responses[0].body.type.ref == "RegisterResponse"  # type: ignore[union-attr]
    assert eps["POST /exams/{id}/publish"].request is None  # "**Request Body**: none"
    assert eps["DELETE /exams/{id}"].responses[0].status == 204


def test_exams_errors_and_query_defaults(exams: Facts) -> None:
    eps = detailed(exams)
    assert [(e.status, e.code) for e in eps["POST /auth/login"].errors] == [(401, "INVALID_CREDENTIALS"), (403, "ACCOUNT_LOCKED")]
    assert [(e.status, e.code) for e in eps["GET /auth/me"].errors] == [(401, "UNAUTHORIZED"), (401, "SESSION_REVOKED")]
    params = {p.name: p for p in eps["GET /exams"].parameters}
    assert (params["page"].default, params["limit"].default, params["sort"].default) == (1, 20, "-createdAt")
    assert params["page"].span.line == 138
    assert [(e.status, e.code) for e in exams.common_errors] == [(401, "UNAUTHORIZED"), (401, "SESSION_REVOKED"),
                                                                 (429, "RATE_LIMITED"), (500, "INTERNAL_ERROR")]
    [env] = exams.error_envelopes
    assert env.name == "ErrorResponse" and env.type.kind is Kind.REF and env.origin is Origin.TYPESCRIPT


# ---------------------------------------------------------------- peachflow bookings

@pytest.fixture(scope="module")
def bookings() -> Facts:
    return read(example_dir("bookings") / "backend-spec.md")[0]


def test_bookings_counts(bookings: Facts) -> None:
    assert len(detailed(bookings)) == 23
    summary = [m for m in bookings.mentions if m.kind == "summary-table"]
    assert len(summary) == 23
    health = [e for e in bookings.endpoints if not e.detailed]
    assert [e.key for e in health] == ["GET /health", "GET /health/ready", "GET /health/live"]
    assert all(e.origin is Origin.PROSE and e.span.line in (1326, 1327, 1328) for e in health)
    assert [m.kind for m in bookings.mentions if m.path.startswith("/health")] == ["list"] * 3


def test_bookings_summary_rows_versus_sections(bookings: Facts) -> None:
    eps = detailed(bookings)
    assert eps["POST /bookings/{id}/cancel"].span.line == 593
    assert "DELETE /bookings/{id}" not in eps  # B2: only in the summary table
    row = next(m for m in bookings.mentions if m.method == "DELETE" and m.path == "/bookings/{id}")
    assert row.span.line == 472 and row.group == "Bookings" and row.group_span.line == 463
    assert row.auth.required is True and row.auth.roles == ("owner", "admin")
    register = next(m for m in bookings.mentions if m.path == "/auth/register")
    assert register.auth.required is False and register.summary == "Create new user"
    assert next(m for m in bookings.mentions if m.path == "/workspaces/{id}" and m.method == "GET").auth.roles == ("member",)


def test_bookings_references(bookings: Facts) -> None:
    eps = detailed(bookings)
    assert eps["PATCH /workspaces/{id}"].responses[0].body.type.ref == "WorkspaceDetailResponse"  # type: ignore[union-attr]
    assert eps["PATCH /bookings/{id}"].responses[0].body.type.ref == "BookingResponse"  # type: ignore[union-attr]
    listing = eps["GET /bookings"].responses[0].body.type  # type: ignore[union-attr]
    assert listing is not None and listing.ref == "ListResponse" and listing.args[0].ref == "BookingResponse"  # `// T = BookingResponse`
    forgot = eps["POST /auth/forgot-password"].responses[0]
    assert forgot.status == 202 and forgot.body.type.kind is Kind.OBJECT  # type: ignore[union-attr]
    assert [(e.status, e.code) for e in eps["POST /auth/register"].errors] == [(409, "EMAIL_EXISTS"), (400, "VALIDATION_ERROR")]
    assert eps["POST /bookings/{id}/cancel"].request.type.ref == "CancelBookingRequest"  # type: ignore[union-attr]
    [env] = bookings.error_envelopes
    assert env.name == "ErrorResponse" and env.span.line == 1198


# ---------------------------------------------------------------- bmad library

@pytest.fixture(scope="module")
def library() -> Facts:
    return read(example_dir("library") / "technical" / "backend-spec.md")[0]


def test_library_counts(library: Facts) -> None:
    eps = detailed(library)
    assert len(eps) == 24
    assert [e.key for e in library.endpoints if not e.detailed] == ["GET /health/live", "GET /health/ready"]
    shared = [eps[f"GET /members/{{memberId}}/{r}"] for r in ("loans", "holds", "fines")]
    assert all(e.span.line == 748 and e.auth.roles == ("member", "librarian", "admin") for e in shared)
    # the one example is labelled `GET /members/me/fines?status=outstanding`: it documents the fines list only
    # (the other two get the same envelope around their own resource when resolved: tests/test_shared_lists.py)
    loans, holds, fines = shared
    assert fines.responses[0].body.example["limit"] == 25  # type: ignore[union-attr]
    assert not loans.responses and not holds.responses
    assert all(e.tags == ("Member Account Lists",) for e in shared)


def test_library_member_login(library: Facts) -> None:
    ep = detailed(library)["POST /auth/member-login"]
    assert ep.auth.required is False
    assert ep.rate_limit is not None and (ep.rate_limit.requests, ep.rate_limit.per_seconds, ep.rate_limit.scope) == (10, 60, "ip")
    body = ep.request
    assert body is not None and [f.name for f in body.type.fields] == ["cardNumber", "password"]  # type: ignore[union-attr]
    assert body.type.fields[0].constraints.pattern == "^2[0-9]{13}$"  # type: ignore[union-attr]
    assert body.example == {"cardNumber": "21234000582113", "password": "correct-horse-battery"}
    [ok] = ep.responses
    assert ok.status == 200 and ok.body is not None and ok.body.example["expiresIn"] == 900
    assert [(e.status, e.code) for e in ep.errors] == [(400, "VALIDATION_ERROR"), (401, "INVALID_CREDENTIALS"), (423, "ACCOUNT_LOCKED")]


def test_library_one_line_forms(library: Facts) -> None:
    eps = detailed(library)
    logout = eps["POST /auth/logout"]
    assert logout.auth.required is True and logout.auth.roles == ("member", "staff")
    assert logout.request is not None and logout.request.example == {"refreshToken": "rt_…"}
    assert [r.status for r in logout.responses] == [204] and logout.responses[0].body is None
    members = eps["GET /members"]
    assert members.auth.roles == ("librarian", "admin") and members.summary == "Search patrons at the desk."
    assert eps["POST /members"].responses[0].body.type.ref == "MemberResponse"  # type: ignore[union-attr]
    # "... webhook arrives. Errors: `404 FINE_NOT_FOUND` · ...": a label after a sentence on the same line
    assert [e.code for e in eps["POST /fines/payments"].errors] == ["FINE_NOT_FOUND", "FINE_NOT_OUTSTANDING", "AMOUNT_BELOW_MINIMUM"]
    assert eps["GET /books"].caching == "Cached (§10)"
    assert eps["POST /loans"].rate_limit.requests == 120  # type: ignore[union-attr]
    assert eps["POST /webhooks/stripe"].auth.required is None  # a signature header, not a role


def test_library_named_schema_and_common_errors(library: Facts) -> None:
    [member] = [s for s in library.schemas if s.name == "MemberResponse"]
    assert member.origin is Origin.FIELD_TABLE and member.span.line == 496
    assert member.field("lastName") is not None and member.field("firstName") is not None
    assert member.field("borrowing").computed  # type: ignore[union-attr]
    assert member.field("status").type.ref == "MemberStatus"  # type: ignore[union-attr]
    assert member.field("email").type.nullable  # type: ignore[union-attr]
    assert [e.status for e in library.common_errors] == [400, 401, 403, 404, 409, 422, 423, 429, 500, 502]
    [env] = library.error_envelopes
    assert env.span.line == 941 and env.field("error") is not None


# ---------------------------------------------------------------- synthetic cases

def test_heading_trailers_and_normalization() -> None:
    text = """# API
## Properties — `/api/properties`
### `POST /api/properties` 🔒
Create a listing.
### GET /api/user/profile (authenticated)
### POST /auth/register (Public)
### GET /v1/endpoints?client_id=acme
### GET /healthz → `200 {"ok":true}` (liveness, no dependency checks)
##### POST /bookings/:id/cancel
### GET /events/[id]/
"""
    facts, sink = read_text(text)
    eps = detailed(facts)
    assert list(eps) == ["POST /api/properties", "GET /api/user/profile", "POST /auth/register", "GET /v1/endpoints",
                         "GET /healthz", "POST /bookings/{id}/cancel", "GET /events/{id}"]
    assert eps["POST /api/properties"].auth.required is True and eps["POST /api/properties"].tags == ("Properties",)
    assert eps["POST /api/properties"].summary == "Create a listing."
    assert eps["GET /api/user/profile"].auth.required is True and eps["POST /auth/register"].auth.required is False
    health = eps["GET /healthz"]
    assert health.responses[0].body.example == {"ok": True}  # type: ignore[union-attr]
    assert health.summary == "liveness, no dependency checks"
    assert [p.name for p in eps["POST /bookings/{id}/cancel"].parameters] == ["id"]
    assert not sink.sorted()


def test_malformed_paths_and_duplicates() -> None:
    text = """## Things
### GET /things/{id
### `GET /things/{thing id}`
### GET /things
### GET /things/
"""
    facts, sink = read_text(text)
    assert list(detailed(facts)) == ["GET /things"]
    codes = [(d.code, d.span.line) for d in sink.sorted()]
    assert codes == [("RT109", 2), ("RT109", 3), ("RT209", 5)]
    dup = sink.sorted()[-1]
    assert "line 4" in dup.message and dup.related[0].line == 4


def test_false_positives_are_not_endpoints() -> None:
    text = """# Doc
### PATCH Semantics
Partial updates use JSON merge patch. Clients call `POST /v1/auth/refresh` when the token expires.

| Service | Purpose | API used |
|---------|---------|----------|
| Stripe | Payments | `POST /v1/payment_intents` |

```bash
curl -X POST https://api.example.com/v1/things
```

```mermaid
sequenceDiagram
  Client->>API: POST /v1/login
```

- `201 Created`: Successful POST
"""
    facts, _ = read_text(text)
    assert facts.endpoints == [] and facts.mentions == []


def test_summary_table_any_vocabulary_and_compact_lists() -> None:
    text = """## Catalog
| Endpoint | Verb | Summary | Access |
|---|---|---|---|
| `/items` | GET | List items | No |
| `/items/:id` | DELETE | Remove | Yes (admin) |

### Health
- `GET /health` - Basic health
- `GET /products/{id}` (Paginated)
"""
    facts, _ = read_text(text)
    table = [m for m in facts.mentions if m.kind == "summary-table"]
    assert [(m.method, m.path, m.summary, m.auth.required, m.auth.roles, m.span.line) for m in table] == [
        ("GET", "/items", "List items", False, (), 4), ("DELETE", "/items/{id}", "Remove", True, ("admin",), 5)]
    assert all(m.group == "Catalog" and m.group_span.line == 1 for m in table)
    listed = [e for e in facts.endpoints if not e.detailed]
    assert [(e.key, e.summary) for e in listed] == [("GET /health", "Basic health"), ("GET /products/{id}", "Paginated")]
    assert not any(e.key == "GET /items" for e in facts.endpoints)  # summary rows stay mentions


def test_list_endpoint_detailed_elsewhere_is_not_duplicated() -> None:
    text = "## Ops\n### GET /health\nReturns ok.\n\n## Index\n- `GET /health` - liveness\n"
    facts, sink = read_text(text)
    assert [(e.key, e.detailed) for e in facts.endpoints] == [("GET /health", True)]
    assert [m.kind for m in facts.mentions] == ["list"]
    assert not sink.sorted()


def test_http_fence_and_endpoint_label_sections() -> None:
    text = """## Stories
#### List Stories
```http
GET /stories
```
**Response (200):**
```json
[{"id": 1}]
```
#### Create Story
**Endpoint**: `POST /stories`

**Request Body**:
```json
{"title": "x"}
```
"""
    facts, _ = read_text(text)
    eps = detailed(facts)
    assert list(eps) == ["GET /stories", "POST /stories"]
    assert eps["GET /stories"].summary == "List Stories" and eps["GET /stories"].responses[0].body.example == [{"id": 1}]  # type: ignore[union-attr]
    assert eps["POST /stories"].request.example == {"title": "x"}  # type: ignore[union-attr]


def test_code_endpoints_only_without_markdown_endpoints() -> None:
    code = """## Auth
```python
# api/v1/endpoints/auth.py
router = APIRouter()

@router.post("/login", response_model=TokenResponse)
async def login(form: LoginForm, db: Session = Depends(get_db)):
    \"\"\"Log in.\"\"\"

@router.get("/", response_model=List[UserResponse])
async def users(skip: int = 0, current_user: User = Depends(get_current_admin)):
    pass
```

```typescript
// GET /api/events/[id]
// Público - Detalle de evento
Response: Event
```
"""
    facts, _ = read_text(code)
    eps = detailed(facts)
    assert list(eps) == ["POST /auth/login", "GET /auth", "GET /api/events/{id}"]
    assert all(e.origin is Origin.CODE for e in eps.values())
    login = eps["POST /auth/login"]
    assert login.request.type.ref == "LoginForm" and login.responses[0].body.type.ref == "TokenResponse"  # type: ignore[union-attr]
    assert login.summary == "Log in." and login.span.line == 6
    users = eps["GET /auth"]
    assert users.auth.roles == ("admin",) and users.parameters[0].default == 0
    assert users.responses[0].body.type.kind is Kind.ARRAY  # type: ignore[union-attr]
    assert eps["GET /api/events/{id}"].auth.required is False
    facts2, _ = read_text("## Auth\n### POST /login\nLog in.\n\n" + code.split("\n", 1)[1])
    assert list(detailed(facts2)) == ["POST /login"]  # the code is an example of a documented endpoint


def test_labels_in_list_items_and_plain_text() -> None:
    text = """### `POST /api/v1/auth/register`
Creates a user.
- **Access**: Public
- **Request Body**:
```json
{ "email": "a@b.io", "role": "ROLE_A" // or "ROLE_B"
}
```
- **Response**: `201 Created` with User summary.

#### `GET /products/:id`
**Public**

Returns single `CustomerProduct`.
Errors: `404` product not found.

#### `POST /products`
**Protected — vendor or admin**

Request body:
```json
{ "name": "string" }
```
Success `201`: returns created `Product`.
Errors: `403` not the owner, `404` not found.
"""
    facts, _ = read_text(text)
    eps = detailed(facts)
    reg = eps["POST /api/v1/auth/register"]
    assert reg.auth.required is False and reg.request.example == {"email": "a@b.io", "role": "ROLE_A"}  # type: ignore[union-attr]
    assert [r.status for r in reg.responses] == [201]
    one = eps["GET /products/{id}"]
    assert one.responses[0].body.type.ref == "CustomerProduct" and [(e.status, e.message) for e in one.errors] == [(404, "product not found")]  # type: ignore[union-attr]
    create = eps["POST /products"]
    assert create.auth.roles == ("vendor", "admin")
    assert create.responses[0].status == 201 and create.responses[0].body.type.ref == "Product"  # type: ignore[union-attr]
    assert [e.status for e in create.errors] == [403, 404]


def test_reading_is_deterministic() -> None:
    path = example_dir("library") / "technical" / "backend-spec.md"
    a, sa = read(path)
    b, sb = read(path)
    assert a == b and sa.sorted() == sb.sorted()


# ---------------------------------------------------------------- robustness

def _all_docs() -> list[Path]:
    files = list(corpus_files())
    if EXAMPLES.is_dir():
        files += sorted(EXAMPLES.rglob("*.md"))
    return files


@pytest.mark.parametrize("path", _all_docs(), ids=lambda p: p.name)
def test_reader_never_raises(path: Path) -> None:
    facts, sink = read(path)
    for e in facts.endpoints:
        assert e.path.startswith("/") and e.span.file == path.name and e.span.line > 0
    assert all(d.code in ("RT108", "RT109", "RT110", "RT111", "RT209") for d in sink.sorted())


def test_corpus_endpoint_counts() -> None:
    if not CORPUS.is_dir():
        pytest.skip("shared corpus absent")

    def counts(name: str) -> tuple[int, int]:
        facts, _ = read(next(CORPUS.glob(f"{name}_*.md")))
        return sum(e.detailed for e in facts.endpoints), sum(not e.detailed for e in facts.endpoints)

    assert counts("08") == (11, 0)
    assert counts("18") == (19, 0)
    assert counts("02") == (0, 10)  # bare `POST /auth/login` lines
    assert counts("27") == (0, 41)
    assert counts("15") == (25, 0)  # `// GET /api/events` comments
    assert 27 <= counts("40")[0] <= 30  # FastAPI decorators
    assert counts("01") == (0, 0)  # a data model: nothing


def test_validation_bullets_headers_group_auth_and_references() -> None:
    text = """## Analytics
All analytics endpoints are **Protected — vendor or admin**.

### POST /workspaces
**Request Headers**:
| Header | Required | Description |
|---|---|---|
| `Idempotency-Key` | Yes | Dedupe key |
| `Authorization` | Yes | Bearer token |

**Request Body**:
```json
{"name": "My Project", "description": "x"}
```
**Validation**:
- `name`: Required, 1-100 chars
- `description`: Optional, max 500 chars
- Must satisfy: `a <= b`

**Response** (201):
```json
{"id": "w1", "name": "My Project"}
```

### GET /workspaces/{id}
No auth required.

**Response** (200): Same as POST /workspaces

### POST /login
```json
// Request
{ "email": "a@b.io" }

// 200
{ "token": "t" }
```

### POST /token/refresh
```json
// Request
{ "refresh": "r" }

// 200 — same shape as login response
```
"""
    facts, _ = read_text(text)
    eps = detailed(facts)
    create = eps["POST /workspaces"]
    assert create.auth.roles == ("vendor", "admin")  # the group's statement
    assert [(p.name, p.location, p.required, p.span.line) for p in create.parameters] == [("Idempotency-Key", ParamIn.HEADER, True, 8)]
    fields = {f.name: f for f in create.request.type.fields}  # type: ignore[union-attr]
    assert fields["name"].required and (fields["name"].constraints.min_length, fields["name"].constraints.max_length) == (1, 100)
    assert not fields["description"].required and fields["description"].constraints.max_length == 500
    one = eps["GET /workspaces/{id}"]
    assert one.auth.required is False  # "No auth required." beats the group default
    assert one.responses[0].body.example == {"id": "w1", "name": "My Project"}  # type: ignore[union-attr]
    refresh = eps["POST /token/refresh"]
    assert refresh.request.example == {"refresh": "r"}  # type: ignore[union-attr]
    assert refresh.responses[0].body.example == {"token": "t"}  # type: ignore[union-attr]


def test_heading_summary_keeps_its_parentheses() -> None:
    text = """# API

### POST /workspaces — Create workspace (caller becomes admin)
Creates a workspace.

### DELETE /bookings/{id} — Cancel booking (owner or admin)
Cancels it.

### GET /health (liveness, no dependency checks)
Liveness.

### GET /me (authenticated)
The caller.
"""
    eps = detailed(read_text(text)[0])
    assert eps["POST /workspaces"].summary == "Create workspace (caller becomes admin)"
    assert eps["DELETE /bookings/{id}"].summary == "Cancel booking (owner or admin)"
    # a parenthesised trailer: the pair goes
    assert eps["GET /health"].summary == "liveness, no dependency checks"
    me = eps["GET /me"]
    assert me.auth.required is True and me.summary == "The caller."  # an auth trailer is no summary
