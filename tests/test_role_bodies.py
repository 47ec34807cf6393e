"""A request body stated per role inside the auth sentence (issue #4), and error-list notes on `details`.

    #### PATCH /members/{memberId}
    Auth: member (self: `email`, `phone`, `notifyBy`, `password` with `currentPassword`) or librarian/admin
    (all fields plus `status`, `membershipExpiresAt`, `maxLoans`).

compiles one PATCH body (every field optional), typed from the resource's create body; the allowance per
role is kept on the body (ir.RoleFields, `x-roles-fields`, the app model's `field_roles`) and the generated
app enforces it: 403 for a field the caller's role may not send, a password change needs the current one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from roundtrip import api
from roundtrip.diagnostics import Sink
from roundtrip.emit.app import emit_app
from roundtrip.ir import Endpoint, Facts, Kind, RoleFields
from roundtrip.markdown import parse_document
from roundtrip.markdown.cst import Table as MdTable
from roundtrip.readers.api_body_list import read_role_fields
from roundtrip.readers.api_errors import errors_from_table, errors_inline
from roundtrip.readers.endpoints import read_endpoints
from roundtrip.source import Span
from tests.conftest import example_dir
from tests.test_app_e2e import TIMEOUT, backend

_SPAN = Span("t.md", 1)
MEMBER_FIELDS = ("email", "phone", "notifyBy", "password", "currentPassword")
STAFF_EXTRA = ("status", "membershipExpiresAt", "maxLoans")
CREATE_FIELDS = ("firstName", "lastName", "email", "phone", "dateOfBirth", "homeBranchId", "password", "notifyBy")


# ---------------------------------------------------------------- reader


def test_role_lists_in_an_auth_sentence() -> None:
    text = ("member (self: `email`, `phone`, `password` with `currentPassword`) or librarian/admin "
            "(all fields plus `status`, `maxLoans`).")
    member, staff = read_role_fields(text, ("member", "librarian", "admin"), _SPAN)
    assert member == RoleFields(("member",), ("email", "phone", "password", "currentPassword"), True,
                                (("password", "currentPassword"),))
    assert staff == RoleFields(("librarian", "admin"), ("status", "maxLoans"), all_fields=True)
    # the canonical spelling (code spans for roles, every field named)
    (canonical,) = read_role_fields("`member` (self: `email`) or `admin`", ("member", "admin"), _SPAN)
    assert canonical == RoleFields(("member",), ("email",), True)


@pytest.mark.parametrize("text", [
    "member (self) or librarian/admin (with `memberId`)",  # prose, not a list
    "member (own loan) or librarian/admin",
    "Yes (`owner`, `admin`)",  # roles, not fields: "Yes" is no role
    "librarian (up to $10.00 per fine), admin (any amount)",
    "member (`email` and then some prose)",
])
def test_parentheses_that_are_not_field_lists(text: str) -> None:
    assert read_role_fields(text, ("member", "librarian", "admin", "owner"), _SPAN) == ()


def _read(text: str) -> Facts:
    facts, sink = Facts(), Sink()
    doc, _ = parse_document("t.md", text)
    read_endpoints(doc, facts, sink)
    return facts


def _endpoint(endpoints: Any, key: str) -> Endpoint:
    return next(e for e in endpoints if e.key == key)


def test_reader_makes_the_body_from_the_names() -> None:
    facts = _read("# API\n\n#### PATCH /boards/{boardId}\nAuth: member (self: `name`) or admin (`name`, `status`)\n\n"
                  "**200 OK** — `Board`\n")
    ep = _endpoint(facts.endpoints, "PATCH /boards/{boardId}")
    assert ep.auth.roles == ("member", "admin")
    assert ep.request is not None and ep.request.type is not None
    assert [(f.name, f.required) for f in ep.request.type.fields] == [("name", False), ("status", False)]
    assert [rf.roles for rf in ep.request.role_fields] == [("member",), ("admin",)]
    assert [(m, p, r) for m, p, r, _ in facts.listed_bodies] == [("PATCH", "/boards/{boardId}", "Board")]


_MODELS = """# Models

```typescript
interface Board {
  id: number;
  name: string;
  status: 'open' | 'closed';
}
interface BoardSettings {
  theme: string;
}
```
"""

_API = """# API

#### POST /boards
| Field | Type | Required |
|-------|------|----------|
| name | string | yes |
| pin | integer | yes |

**201 Created** — `Board`

#### PATCH /boards/{boardId}
Auth: member (self: `name`) or admin (all fields plus `status`, `colour`)

**200 OK** — `Board`

#### PATCH /cards/{cardId}
Auth: member (all fields plus `title`) or admin

**204 No Content**

#### PUT /boards/{boardId}/settings
Auth: member (`theme`, `nope`)

**Request Body**: `BoardSettings`

**200 OK** — `BoardSettings`
"""


@pytest.fixture(scope="module")
def boards(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root: Path = tmp_path_factory.mktemp("roles")
    (root / "models.md").write_text(_MODELS, encoding="utf-8")
    (root / "api.md").write_text(_API, encoding="utf-8")
    return api.load(root)


def test_all_fields_come_from_the_create_body(boards: Any) -> None:
    ep = _endpoint(boards.spec.endpoints, "PATCH /boards/{boardId}")
    member, admin = ep.request.role_fields
    assert member == RoleFields(("member",), ("name",), True) and admin.fields == ("name", "pin", "status", "colour")
    fields = {f.name: f for f in ep.request.type.fields}
    assert fields["pin"].type.kind is Kind.INTEGER and not fields["pin"].required  # from POST /boards, optional here
    assert fields["status"].type.kind in (Kind.UNION, Kind.ENUM)  # from `Board`, the success type


def test_role_names_the_docs_cannot_back_are_diagnostics(boards: Any) -> None:
    found = {(d.code, d.span.line, next((w for w in ("colour", "all fields", "nope") if w in d.message), ""))
             for d in boards.diagnostics if d.span.file == "api.md"}
    assert ("RT206", 12, "colour") in found  # no field of Board (or of the create body)
    assert ("RT206", 17, "all fields") in found  # no POST /cards (nor a POST answering the same type) to take them from
    assert ("RT206", 22, "nope") in found  # the named body `BoardSettings` has no `nope`


# ---------------------------------------------------------------- error lists: a `details` note is no message


def test_quoted_message_with_a_note_in_an_error_table() -> None:
    """`Borrowing is blocked` (`details.blockReasons`: `["FINES_OVER_LIMIT"]`): the quote is the message."""
    md = (
        "| Status | Code | Message |\n|---|---|---|\n"
        "| 422 | `MEMBER_BLOCKED` | `Borrowing is blocked` (`details.blockReasons`: `[\"FINES_OVER_LIMIT\"]`) |\n"
        "| 429 | `RATE_LIMITED` | `Too many requests` (`Retry-After` header) |\n"
        "| 404 | `BOOK_NOT_FOUND` | Book `99999` not found (by id) |\n"
    )
    (table,) = [b for b in parse_document("errors.md", md)[0].blocks if isinstance(b, MdTable)]
    got = {e.code: e.message for e in errors_from_table(table, "errors.md")}
    assert got == {
        "MEMBER_BLOCKED": "Borrowing is blocked",
        "RATE_LIMITED": "Too many requests",
        "BOOK_NOT_FOUND": "Book 99999 not found (by id)",  # not a quote: the whole cell
    }


def test_details_path_parenthetical_is_not_the_message() -> None:
    text = ("`404 COPY_NOT_FOUND` · `422 MEMBER_BLOCKED` (`details.blockReasons`) · "
            "`409 COPY_ON_HOLD_FOR_OTHER` (copy is on the hold shelf for another member)")
    got = {e.code: e.message for e in errors_inline(text, _SPAN)}
    assert got == {"COPY_NOT_FOUND": "", "MEMBER_BLOCKED": "",
                   "COPY_ON_HOLD_FOR_OTHER": "copy is on the hold shelf for another member"}


# ---------------------------------------------------------------- resolver, OpenAPI, app model (library)


@pytest.fixture(scope="module")
def library() -> Any:
    return api.load(example_dir("library"))


def test_library_patch_member_body(library: Any) -> None:
    ep = _endpoint(library.spec.endpoints, "PATCH /members/{memberId}")
    assert ep.request is not None and ep.request.type is not None
    fields = {f.name: f for f in ep.request.type.fields}
    assert set(fields) == set(MEMBER_FIELDS) | set(CREATE_FIELDS) | set(STAFF_EXTRA)
    assert not any(f.required or f.has_default for f in fields.values())
    # typed from POST /members's property table first (password is write-only: MemberResponse lacks it)
    assert fields["password"].constraints.min_length == 8 and fields["firstName"].constraints.max_length == 80
    assert fields["status"].type.ref == "MemberStatus" and fields["maxLoans"].type.kind is Kind.INTEGER
    assert fields["currentPassword"].type.kind is Kind.STRING and fields["currentPassword"].constraints.min_length is None
    member, staff = ep.request.role_fields
    assert member.roles == ("member",) and member.self_only and member.fields == MEMBER_FIELDS
    assert member.requires == (("password", "currentPassword"),)
    assert staff.roles == ("librarian", "admin") and staff.fields == CREATE_FIELDS + STAFF_EXTRA and not staff.all_fields
    here = [d for d in library.diagnostics if d.span.file.endswith("backend-spec.md") and d.span.line == 566]
    assert here == []  # no RT204 for currentPassword (checked, not stored), no RT206


def test_library_openapi_and_app_model(library: Any) -> None:
    doc, problems = api.openapi(library.spec)
    assert problems == []  # the extension keeps the document valid
    op = next(item["patch"] for path, item in doc["paths"].items() if path.endswith("/members/{memberId}"))
    assert op["x-roles-fields"][0] == {"roles": ["member"], "fields": list(MEMBER_FIELDS), "self": True,
                                       "requires": {"password": "currentPassword"}}
    assert op["x-roles-fields"][1] == {"roles": ["librarian", "admin"], "fields": list(CREATE_FIELDS + STAFF_EXTRA)}
    assert "requestBody" in op
    model = json.loads(emit_app(library.spec)["app/api_model.json"])["operations"]["patchMembersByMemberId"]
    assert model["secret_fields"] == {"password": "password_hash"}
    assert model["field_roles"][0]["requires"] == [{"field": "password", "with": "currentPassword", "verify_column": "password_hash"}]


# ---------------------------------------------------------------- the generated app


def _login(c: httpx.Client, path: str, body: dict[str, str]) -> dict[str, str]:
    r = c.post(path, json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['accessToken']}"}


MEMBER_LOGIN = {"cardNumber": "21234000582113", "password": "correct-horse-battery"}
STAFF_LOGIN = {"email": "librarian@riverbendlibrary.test", "password": "Roundtrip-dev-pass-1"}


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_library_app_enforces_fields_per_role(dialect: str, tmp_path: Path) -> None:
    with backend(example_dir("library"), tmp_path, dialect, {"RATE_LIMITS": "false"}) as base, \
            httpx.Client(base_url=base + "/api/v1", timeout=TIMEOUT) as c:
        member = _login(c, "/auth/member-login", MEMBER_LOGIN)
        staff = _login(c, "/auth/staff-login", STAFF_LOGIN)
        me = c.get("/members/me", headers=member).json()

        r = c.patch("/members/me", json={"phone": "+12175550199"}, headers=member)
        assert r.status_code == 200 and r.json()["phone"] == "+12175550199", r.text
        assert c.get("/members/me", headers=member).json()["phone"] == "+12175550199"

        r = c.patch("/members/me", json={"status": "suspended"}, headers=member)
        assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN", r.text
        assert c.get("/members/me", headers=member).json()["status"] == me["status"], "nothing was written"

        r = c.patch(f"/members/{me['id']}", json={"status": "suspended"}, headers=staff)
        assert r.status_code == 200 and r.json()["status"] == "suspended", r.text
        r = c.patch(f"/members/{me['id']}", json={"status": "active"}, headers=staff)
        assert r.status_code == 200 and r.json()["status"] == "active", r.text

        # "self:": a member changes only their own record, even with fields their list allows
        other = {"firstName": "Ada", "lastName": "King", "dateOfBirth": "1990-12-10", "homeBranchId": me["homeBranchId"],
                 "password": "Member2025x"}
        r = c.post("/members", json=other, headers=staff)
        assert r.status_code == 201, r.text
        # the password a librarian registers is stored as its hash: the new member signs in with it
        _login(c, "/auth/member-login", {"cardNumber": r.json()["cardNumber"], "password": other["password"]})
        r = c.patch(f"/members/{r.json()['id']}", json={"phone": "+12175550123"}, headers=member)
        assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN", r.text

        # a password change: the current password is required, and must match
        r = c.patch("/members/me", json={"password": "new-horse-battery"}, headers=member)
        assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR", r.text
        r = c.patch("/members/me", json={"password": "new-horse-battery", "currentPassword": "wrong-horse"}, headers=member)
        assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN", r.text
        assert c.post("/auth/member-login", json=MEMBER_LOGIN).status_code == 200, "the password is unchanged"
        r = c.patch("/members/me", json={"password": "new-horse-battery", "currentPassword": MEMBER_LOGIN["password"]},
                    headers=member)
        assert r.status_code == 200 and "password" not in r.text.lower(), r.text
        assert c.post("/auth/member-login", json=MEMBER_LOGIN).status_code == 401
        _login(c, "/auth/member-login", {**MEMBER_LOGIN, "password": "new-horse-battery"})

        # staff set a password without the old one (their list has no companion), hashed as registration does
        r = c.patch(f"/members/{me['id']}", json={"password": "staff-set-pass-1"}, headers=staff)
        assert r.status_code == 200, r.text
        _login(c, "/auth/member-login", {**MEMBER_LOGIN, "password": "staff-set-pass-1"})
        r = c.patch(f"/members/{me['id']}", json={"currentPassword": "x"}, headers=staff)
        assert r.status_code == 403, "not in the staff list"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_library_holds_owner_is_the_calling_member_never_a_staff_id(dialect: str, tmp_path: Path) -> None:
    """POST /holds: "member (self) or librarian/admin (with `memberId`)", memberId "defaults to caller". A member's
    hold is theirs; a librarian is no member, so their hold must name one (400, never the librarian's own id or a
    guessed one)."""
    with backend(example_dir("library"), tmp_path, dialect, {"RATE_LIMITS": "false"}) as base, \
            httpx.Client(base_url=base + "/api/v1", timeout=TIMEOUT) as c:
        member = _login(c, "/auth/member-login", MEMBER_LOGIN)
        staff = _login(c, "/auth/staff-login", STAFF_LOGIN)
        me = c.get("/members/me", headers=member).json()
        r = c.post("/holds", json={"bookId": 4412, "pickupBranchId": 1}, headers=member)
        assert r.status_code == 201 and r.json()["memberId"] == me["id"], r.text
        r = c.post("/holds", json={"bookId": 4412, "pickupBranchId": 2}, headers=staff)
        assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR", r.text
        assert "memberId" in r.text
        other = {"firstName": "Ada", "lastName": "King", "dateOfBirth": "1990-12-10", "homeBranchId": 1, "password": "Member2025x"}
        ada = c.post("/members", json=other, headers=staff).json()["id"]
        r = c.post("/holds", json={"bookId": 4412, "pickupBranchId": 2, "memberId": ada}, headers=staff)
        assert r.status_code == 201 and r.json()["memberId"] == ada, r.text
