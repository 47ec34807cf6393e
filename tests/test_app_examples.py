"""Every documented request example sent to the app generated from its docs answers the documented
status, with a body that validates against the compiled OpenAPI (openapi-core, independent of verify's
own validator): issue 4. On SQLite and on PostgreSQL.

The examples are `find_documented_requests`: the curl/http lines verify replays, else a concrete request
line in inline code, else the endpoint's JSON request-body example (path values then come from the
docs' sample rows). The expectation is the endpoint's documented success status.

The calls are made over HTTP to the launched app (the same launch `verify --app` uses) on a database
the app's own migrations built and the docs' sample rows filled, as the docs' own account: the account
whose password the docs state (LOGINS), else the login example's credentials, else the account
verify would use. Where the docs hold no account to log in as (the library), the seed data's generated
test accounts (roundtrip.emit.seed_accounts) sign in instead: each protected example runs as the first
role the docs name for it that has an account (checkout as a librarian, `/members/me/fines` as the
member), logging in again when the role changes. Token fields in example bodies are placeholders: the
live value the last response gave is sent instead. DELETE examples run last, so the rows the other
examples name still exist.

Some examples document a moment before the sample rows existed, so they cannot hold against them; they
run first, on a second app whose database has no sample rows (the precondition the docs allow):
- a create example whose body restates a sample row's unique values (the taskboard registers Globex and
  creates project WEB, both sample rows) runs before that row exists;
- a login example whose credentials no sample account has (the taskboard's login shows `SecurePass123`,
  its sample users were hashed from `DemoPass123`, DATA_MODEL.md:125) logs in after registering that
  account through the docs' register endpoint.
What still cannot hold is an EXPECTED_FAILURES entry with the docs' reason and the status it answers:
the test fails on any other failure, and on an expected failure that starts passing.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

import roundtrip.db as rdb
from roundtrip import api
from roundtrip.ir import Endpoint, Spec
from roundtrip.ir.data import SampleRow, Table
from roundtrip.ir.naming import singular, snake
from roundtrip.serve import generated_accounts
from roundtrip.verify.backend import fresh_database, launched_app, prepare_app_database
from roundtrip.verify.behaviour import Driver
from roundtrip.verify.bodies import Builder
from roundtrip.verify.client import Exchange, Target
from roundtrip.verify.context import Context, Options
from roundtrip.verify.credentials import (
    IDENTITY_KEYS,
    PASSWORD_KEYS,
    auth_endpoints,
    auth_header,
    find_token,
    obtain,
)
from roundtrip.verify.examples import ExampleRequest, find_documented_requests, path_values
from roundtrip.writer import write_tree
from tests.conftest import EXAMPLE_SETS, REPO, example_dir, postgres_url

# How many example requests each doc set documents: pins the finder, so a set whose examples stop
# being found fails here instead of silently testing nothing. exams and bookings state their requests
# only as TypeScript interfaces, without a single example value or example call.
EXAMPLE_COUNTS = {"specs": 14, "taskboard": 20, "exams": 0, "bookings": 0, "library": 4}
WITH_EXAMPLES = sorted(k for k, n in EXAMPLE_COUNTS.items() if n)
# The accounts whose password the docs state: specs/ is the Pantry showcase's seeded admin (the
# Makefile's `verify` line uses it too); the taskboard's sample users are hashes of the password its
# DATA_MODEL.md:125 states (Maria owns the Acme tenant the examples' rows belong to).
LOGINS = {
    "specs": "ana.ribeiro@pantry.dev:PantryDemo123",
    "taskboard": "maria.chen@acme-robotics.com:DemoPass123",
}
# (set, example line) -> (status it answers, why the docs' example cannot hold). None today: the library's
# checkout (technical/backend-spec.md:684) holds since its copy and member are seed rows taken from the docs'
# GET examples and the app looks a copy up by `barcode`, a member by `cardNumber` (emit.seed_examples,
# emit.app_lookups).
EXPECTED_FAILURES: dict[tuple[str, str], tuple[int, str]] = {}
_HASHER = PasswordHash((BcryptHasher(), Argon2Hasher()))


@dataclass
class Call:
    example: ExampleRequest
    endpoint: str
    want: int | None
    path: str  # concrete, relative to the docs' base path
    got: Exchange


def specs_of(key: str) -> Path:
    return REPO / "specs" if key == "specs" else example_dir(key)


@pytest.mark.parametrize("key", ["specs", *sorted(EXAMPLE_SETS)])
def test_example_requests_are_found(key: str) -> None:
    specs = specs_of(key)
    found = find_documented_requests(api.load(specs).spec, specs)
    assert len(found) == EXAMPLE_COUNTS[key], [f"{e.span} {e.method} {e.path}" for e in found]


def test_expected_failures_name_found_examples() -> None:
    """Every expected failure names an example the finder finds: none outlives its example."""
    for key, line in EXPECTED_FAILURES:
        specs = specs_of(key)
        assert line in {str(e.span) for e in find_documented_requests(api.load(specs).spec, specs)}, (
            key,
            line,
        )


# ---------------------------------------------------------------------------------------------------
# which examples document a moment before the sample rows
# ---------------------------------------------------------------------------------------------------


def unique_keys(table: Table) -> list[tuple[str, ...]]:
    keys = [(c.name,) for c in table.columns if c.unique] + [u.columns for u in table.uniques]
    for index in table.indexes:
        if index.unique:
            # `lower(name)` is still the column `name`
            cols = [
                e.column or next(iter(re.findall(r"\w+\((\w+)\)", e.expression)), "") for e in index.elements
            ]
            keys.append(tuple(c for c in cols if c))
    return keys


def restated_row(spec: Spec, ctx: Context, ep: Endpoint, body: Any) -> SampleRow | None:
    """The sample row a create example restates: every unique value of some row that the body gives."""
    if ctx.success_status(ep) != 201 or not isinstance(body, dict):
        return None
    given = {snake(k): v for k, v in body.items() if isinstance(v, str | int) and not isinstance(v, bool)}
    for row in spec.samples:
        table = spec.table(row.table)
        values = dict(row.values)
        for key in unique_keys(table) if table else []:
            named = [c for c in key if c in given and c in values]
            if named and all(str(values[c]).lower() == str(given[c]).lower() for c in named):
                return row
    return None


def credentials_of(body: Any) -> tuple[str, str] | None:
    if not isinstance(body, dict):
        return None
    lowered = {k.lower(): v for k, v in body.items()}
    who = next((lowered[k.lower()] for k in IDENTITY_KEYS if isinstance(lowered.get(k.lower()), str)), None)
    pw = next((lowered[k] for k in PASSWORD_KEYS if isinstance(lowered.get(k), str)), None)
    return (who, pw) if who and pw else None


def sample_account_accepts(spec: Spec, who: str, password: str) -> bool:
    """Whether a sample row holds the account `who` with this password (plain when the docs hash it at
    seed time, else the stored hash verified)."""
    for row in spec.samples:
        values = dict(row.values)
        if who not in [v for v in values.values() if isinstance(v, str)]:
            continue
        for col, stored in values.items():
            if "password" in col.lower() and isinstance(stored, str):
                if col in row.hashed:
                    return stored == password
                with contextlib.suppress(Exception):  # not a hash pwdlib knows: cannot be this password
                    return bool(_HASHER.verify(password, stored))
                return False
    return False


CREATES_SAMPLE, LOGS_IN_UNSEEDED = "creates a sample row", "logs in as an account no sample row has"


def before_samples(spec: Spec, ctx: Context, ex: ExampleRequest) -> str:
    """Whether an example documents a moment before the sample rows: CREATES_SAMPLE (run before that row
    exists), LOGS_IN_UNSEEDED (register the account first), "" (it holds against the sample rows)."""
    ep = spec.endpoint(ex.method, ex.template)
    assert ep is not None, ex
    if restated_row(spec, ctx, ep, ex.body) is not None:
        return CREATES_SAMPLE
    login, register = auth_endpoints(ctx)
    creds = credentials_of(ex.body)
    if login is not None and register is not None and ep == login and creds:
        if not sample_account_accepts(spec, *creds):
            return LOGS_IN_UNSEEDED
    return ""


# ---------------------------------------------------------------------------------------------------
# running the examples
# ---------------------------------------------------------------------------------------------------


def docs_login(ctx: Context, examples: list[ExampleRequest]) -> str | None:
    """EMAIL:PASSWORD from the docs' login example, when it has one."""
    login, _ = auth_endpoints(ctx)
    for ex in examples:
        if login is not None and ex.template == login.path and ex.method == login.method:
            creds = credentials_of(ex.body)
            if creds:
                return f"{creds[0]}:{creds[1]}"
    return None


class Runner:
    """The examples against one launched app, as a client would send them."""

    def __init__(
        self,
        spec: Spec,
        doc: dict[str, Any],
        specs: Path,
        target: Target,
        examples: list[ExampleRequest],
        accounts: list[dict[str, Any]] | None = None,
    ):
        self.spec = spec
        self.ctx = Context(spec, doc, specs, Options())
        self.ctx.target = target
        self.driver = Driver(self.ctx, Builder(spec, doc))
        self.driver.examples = examples
        self.live: dict[str, str] = {}  # the latest value of each token field a response gave
        # Before the sample rows, whoever an example registers or logs in is the account the next examples
        # act as; with them, the docs' account stays signed in (a register example's new member must not
        # become the caller of the admin's examples).
        self.follow = False
        self.accounts = accounts or []  # the seed data's generated test accounts (seed.json)
        self.role: str | None = None  # the generated account's role the current token belongs to

    def signed_in(self, response: Any) -> None:
        token = find_token(response)
        if token and (self.follow or not self.ctx.auth_headers):
            self.ctx.auth_headers = auth_header(self.ctx, token)
        if isinstance(response, dict):
            self.live.update(
                {k: v for k, v in response.items() if isinstance(v, str) and "token" in k.lower()}
            )

    def account_for(self, ep: Endpoint) -> dict[str, Any] | None:
        """The generated account an example of `ep` runs as: the first role the docs name for it that has
        one (a table without roles is named by its singular: `member`)."""
        if not self.accounts or not self.ctx.needs_auth(ep):
            return None
        for wanted in ep.auth.roles or [self.accounts[0]["role"]]:
            for account in self.accounts:
                if (
                    snake(wanted) in (account["role"], singular(account["table"]))
                    and account["login"]["body"]
                ):
                    return account
        return None

    def sign_in_as(self, account: dict[str, Any]) -> None:
        """Log in through the account's login endpoint, unless its token is the one in use."""
        if self.role == account["role"] and self.ctx.auth_headers:
            return
        login = account["login"]
        ep = self.spec.endpoint(login["method"], login["path"])
        assert ep is not None, login
        got = self.driver.send(ep, {}, body=dict(login["body"]), auth=False)
        token = find_token(got.json) if got.is_json else None
        assert got.status == 200 and token, f"generated {account['role']} account: {got.got()}; {got.curl()}"
        self.ctx.auth_headers = auth_header(self.ctx, token)
        self.live.update({k: v for k, v in got.json.items() if isinstance(v, str) and "token" in k.lower()})
        self.role = account["role"]

    def obtain(self, login: str | None) -> None:
        self.ctx.options.login = login
        obtain(self.ctx, self.driver.send, self.driver.body_for)
        self.signed_in(self.ctx.identity.get("auth_response"))

    def register_as(self, who: str, password: str) -> None:
        """The docs' register endpoint, for the account a login example names."""
        _, register = auth_endpoints(self.ctx)
        assert register is not None
        body = self.driver.body_for(register)
        for k in list(body):
            if k.lower() in [i.lower() for i in IDENTITY_KEYS]:
                body[k] = who
            elif k.lower() in PASSWORD_KEYS:
                body[k] = password
        got = self.driver.send(register, {}, body=body, auth=False)
        assert got.status in (200, 201), (
            f"registering {who} before the login example: {got.got()}; {got.curl()}"
        )

    def path_of(self, ep: Endpoint, ex: ExampleRequest) -> dict[str, str]:
        """The example's path values; a body example's template takes the sample rows' ids."""
        values = {k: v for k, v in path_values(ep.path, ex.path).items() if not v.startswith("{")}
        for seg in ep.path.split("/"):
            name = seg[1:-1] if seg.startswith("{") else ""
            if name and name not in values:
                found = self.driver.builder.candidates(ep, name)
                if found:
                    values[name] = found[0]
        return self.driver.complete_path(values, ep)

    def send(self, ex: ExampleRequest) -> Call:
        ep = self.spec.endpoint(ex.method, ex.template)
        assert ep is not None, ex
        headers = {k: v for k, v in ex.headers.items() if k.lower() != "authorization"}
        auth = self.ctx.needs_auth(ep) or any(k.lower() == "authorization" for k in ex.headers)
        body = ex.body
        if isinstance(body, dict):
            body = {
                k: self.live[k] if k in self.live and "token" in k.lower() else v for k, v in body.items()
            }
        account = self.account_for(ep)
        if account is not None:
            self.sign_in_as(account)
        values = self.path_of(ep, ex)
        got = self.driver.send(
            ep, values, query=ex.query or None, body=body, has_body=ex.has_body, auth=auth, headers=headers
        )
        if 200 <= got.status < 300:
            self.signed_in(got.json)
            if self.accounts and ep.path.rstrip("/").endswith("logout"):
                self.role, self.ctx.auth_headers = None, {}  # that token may be revoked now: sign in afresh
        path = ep.path
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        return Call(ex, ep.key, self.ctx.success_status(ep), path, got)


@contextlib.contextmanager
def launched(key: str, tmp: Path, db: str | None) -> Iterator[tuple[dict[str, Any], list[Call]]]:
    specs = specs_of(key)
    spec = api.load(specs).spec
    doc, _ = api.openapi(spec)
    out = tmp / "app"
    write_tree(out, api.generated_files(spec), force=True)
    examples = find_documented_requests(spec, specs)
    docs_ctx = Context(spec, doc, specs, Options())
    why = {id(ex): before_samples(spec, docs_ctx, ex) for ex in examples}
    # creating examples first (a register example signs in the account the others act as), then logins
    early = sorted((ex for ex in examples if why[id(ex)]), key=lambda ex: why[id(ex)] != CREATES_SAMPLE)
    later = [ex for ex in examples if not why[id(ex)]]
    calls: list[Call] = []
    if early:
        (tmp / "empty").mkdir()
        with contextlib.ExitStack() as stack:
            url, _ = stack.enter_context(fresh_database(db, tmp / "empty"))
            rdb.upgrade(out, url)  # the docs' schema, without their sample rows
            target = Target(stack.enter_context(launched_app(out, url)), spec.info.base_path)
            stack.callback(target.close)
            run = Runner(spec, doc, specs, target, examples)
            run.follow = True
            for ex in early:
                creds = credentials_of(ex.body)
                if why[id(ex)] == LOGS_IN_UNSEEDED and creds:
                    run.register_as(*creds)
                elif not run.ctx.auth_headers and run.ctx.needs_auth(spec.endpoint(ex.method, ex.template)):
                    run.obtain(None)
                calls.append(run.send(ex))
    with contextlib.ExitStack() as stack:
        url, _ = stack.enter_context(fresh_database(db, tmp))
        target = Target(
            stack.enter_context(launched_app(out, prepare_app_database(out, url))), spec.info.base_path
        )
        stack.callback(target.close)
        run = Runner(spec, doc, specs, target, examples, generated_accounts(out))
        run.obtain(LOGINS.get(key) or docs_login(run.ctx, examples))
        for ex in sorted(later, key=lambda e: e.method == "DELETE"):
            calls.append(run.send(ex))
    yield doc, calls


def _launch(request: pytest.FixtureRequest, factory: pytest.TempPathFactory, db: str | None, tag: str) -> Any:
    key = request.param
    with launched(key, factory.mktemp(f"examples-{key}-{tag}"), db) as (doc, made):
        yield key, doc, made


@pytest.fixture(scope="module", params=WITH_EXAMPLES)
def on_sqlite(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from _launch(request, tmp_path_factory, None, "sqlite")


@pytest.fixture(scope="module", params=WITH_EXAMPLES)
def on_postgres(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    url = postgres_url()  # skip (or fail under CI=true) without a server; a fresh database is made on it
    yield from _launch(request, tmp_path_factory, url, "pg")


def expected(key: str, c: Call) -> tuple[int, str] | None:
    return EXPECTED_FAILURES.get((key, str(c.example.span)))


def assert_documented_statuses(key: str, made: list[Call]) -> None:
    assert len(made) == EXAMPLE_COUNTS[key]
    wrong, fixed = [], []
    for c in made:
        known = expected(key, c)
        if c.got.status == c.want:
            if known:
                fixed.append(
                    f"{c.example.span}: {c.endpoint} now answers {c.want}: drop its EXPECTED_FAILURES entry"
                )
        elif known is None or known[0] != c.got.status:
            wrong.append(
                f"{c.example.span}: {c.endpoint} documents {c.want}, got {c.got.got()}; reproduce: {c.got.curl()}"
            )
    assert wrong + fixed == [], "\n".join(wrong + fixed)


def assert_answers_validate(doc: dict[str, Any], key: str, made: list[Call]) -> None:
    served = {k: v for k, v in doc.items() if not k.startswith("x-")}
    openapi = OpenAPI.from_dict(json.loads(json.dumps(served)))
    server = urlsplit(doc["servers"][0]["url"] if doc.get("servers") else "http://localhost")
    host, base = f"{server.scheme}://{server.netloc}", server.path.rstrip("/")  # /api/v1 is the path's
    invalid: list[str] = []
    for c in made:
        if expected(key, c):
            continue  # an answer the docs' example cannot get: its status is pinned above, not its body
        ex = c.got
        query = ex.url.split("?", 1)[1] if "?" in ex.url else None
        request = MockRequest(
            host,
            ex.method.lower(),
            base + c.path,
            args=dict(parse_qsl(query or "")),
            headers=ex.headers,
            data=json.dumps(ex.body).encode() if ex.has_body else None,
        )
        response = MockResponse(
            ex.text.encode(), status_code=ex.status, content_type=ex.content_type or "application/json"
        )
        for err in openapi.iter_response_errors(request, response):
            causes = getattr(err.__cause__, "schema_errors", None) or [err]
            invalid += sorted(
                {
                    f"{c.example.span}: {c.endpoint} {ex.status}: {getattr(x, 'message', str(x))[:160]}"
                    for x in causes
                }
            )
    assert invalid == [], "\n".join(invalid)


def test_every_example_answers_its_documented_status_on_sqlite(on_sqlite: Any) -> None:
    key, _, made = on_sqlite
    assert_documented_statuses(key, made)


def test_every_example_answer_validates_against_the_compiled_openapi_on_sqlite(on_sqlite: Any) -> None:
    key, doc, made = on_sqlite
    assert_answers_validate(doc, key, made)


def test_every_example_answers_its_documented_status_on_postgres(on_postgres: Any) -> None:
    key, _, made = on_postgres
    assert_documented_statuses(key, made)


def test_every_example_answer_validates_against_the_compiled_openapi_on_postgres(on_postgres: Any) -> None:
    key, doc, made = on_postgres
    assert_answers_validate(doc, key, made)
