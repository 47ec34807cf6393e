"""`roundtrip serve` on docs without a loginable account (the library): the banner lists the generated
test accounts, each signs in through its documented login endpoint with the role it is listed with,
and `me` in a member path (`GET /members/me/fines`, "`me` is accepted as `{memberId}`") is the
signed-in member, while a librarian's `me` names no member."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from roundtrip.emit.seed_accounts import DEV_PASSWORD
from roundtrip.serve import Prepared, banner, prepare
from roundtrip.verify.backend import launched_app
from tests.conftest import example_dir

TIMEOUT = 30.0


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Prepared, httpx.Client]]:
    p = prepare(example_dir("library"), cache_root=tmp_path_factory.mktemp("serve-library"))
    with launched_app(p.out, f"sqlite:///{(p.out / 'app.db').resolve()}") as url:
        with httpx.Client(base_url=url + p.base_path, timeout=TIMEOUT) as client:
            yield p, client


def sign_in(p: Prepared, client: httpx.Client, role: str) -> dict[str, str]:
    account = next(a for a in p.test_accounts if a["role"] == role)
    r = client.post(account["login"]["path"], json=account["login"]["body"])
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['accessToken']}"}


def claims(headers: dict[str, str]) -> dict[str, Any]:
    return dict(jwt.decode(headers["Authorization"].split()[1], options={"verify_signature": False}))


def test_banner_lists_the_generated_accounts_with_their_login_requests(
    library: tuple[Prepared, httpx.Client],
) -> None:
    p, _ = library
    text = banner(p, "127.0.0.1", 8000)
    assert "generated test accounts (the docs hold no account to log in as; development only):" in text
    assert (
        'member     POST /api/v1/auth/member-login  {"cardNumber": "21234000582113", "password": "correct-horse-battery"}'
        in text
    )
    assert (
        f'admin      POST /api/v1/auth/staff-login   {{"email": "admin@riverbendlibrary.test", "password": "{DEV_PASSWORD}"}}'
        in text
    )
    # the member account is the docs' member 58211 (a GET /members/me example row holding its card number)
    assert "from the docs' response examples: members 1, books 1, copies 2" in p.seed_report
    assert "generated test accounts: staff 2" in p.seed_report
    assert p.accounts == []  # the docs' own sample data holds none
    # a renewal changes the loan (an action), the webhook answers from the docs' example: listed apart
    actions, examples = text.split("example-backed (answer with the docs' examples, no database):")
    assert "actions (change the row they name as the docs say, in the database):" in actions
    assert "POST /api/v1/loans/{loanId}/renew" in actions and "POST /api/v1/loans/{loanId}/renew" not in examples
    assert "POST /api/v1/webhooks/stripe" in examples
    readme = (p.out / "README.md").read_text(encoding="utf-8")
    assert "## Actions" in readme and "- `POST /loans/{loanId}/renew`" in readme.split("## Example-backed")[0]


@pytest.mark.parametrize(
    ("role", "table"), [("member", "members"), ("librarian", "staff"), ("admin", "staff")]
)
def test_each_generated_account_signs_in_with_its_role(
    library: tuple[Prepared, httpx.Client], role: str, table: str
) -> None:
    p, client = library
    got = claims(sign_in(p, client, role))
    assert (got["role"], got["tbl"]) == (role, table)


def test_me_in_a_member_path_is_the_signed_in_member(library: tuple[Prepared, httpx.Client]) -> None:
    p, client = library
    member = sign_in(p, client, "member")
    me = client.get("/members/me", headers=member).json()
    r = client.get("/members/me/fines", params={"status": "outstanding"}, headers=member)
    assert r.status_code == 200 and r.json()["data"] == [] and r.json()["total"] == 0, r.text
    assert client.get(f"/members/{me['id']}/loans", headers=member).status_code == 200
    # the docs list no PATCH body: the member comes back unchanged
    r = client.patch("/members/me", json={}, headers=member)
    assert (
        r.status_code == 200 and r.json()["id"] == me["id"] and r.json()["cardNumber"] == "21234000582113"
    ), r.text


def test_a_librarians_me_names_no_member_and_anonymous_me_is_refused(
    library: tuple[Prepared, httpx.Client],
) -> None:
    p, client = library
    librarian = sign_in(p, client, "librarian")
    assert client.get("/members/me/holds", headers=librarian).status_code == 404
    member_id = client.get("/members/me", headers=sign_in(p, client, "member")).json()["id"]
    assert client.get(f"/members/{member_id}/holds", headers=librarian).status_code == 200
    assert client.get("/members/me/holds").status_code == 401
    assert client.get("/members/myself/holds", headers=librarian).status_code == 404  # neither an id nor `me`
