"""Generated test accounts: one development login per documented role when the docs hold none.

`roundtrip serve` promises a backend you can sign in to. When a credential table (the table a login
endpoint checks: `POST /auth/staff-login` → staff) has no sample row with a password, the seed data
gets one account per role of that table's role column (`librarian`, `admin`), or one account when
the table has no roles (`member`):

    accounts = generated_accounts(spec)   # [GeneratedAccount(table="staff", role="librarian", ...), ...]

Each account's login value is the docs' own login example when it has one (`{"cardNumber":
"21234000582113", "password": "correct-horse-battery"}` then signs in as documented), else
`<role>@<product>.test` (a reserved domain, RFC 2606) with DEV_PASSWORD. The password is hashed at
load time like the docs' own plain-text seeds; every other required column is filled when the row
is loaded (`roundtrip.db.seeding`), like `--fake` rows, with foreign keys pointing at the first
parent row. Tables whose sample rows carry passwords (the docs' own accounts) get nothing. When a
row taken from a response example already holds the account's login (the library's member 58211 from
`GET /members/me` has the login example's card), the account is that row (emit.seed_examples
`adopt_accounts`): it gets the password instead of a second row with the same unique value.
Everything here is derived from the docs alone, so the accounts are the same on every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from roundtrip.emit.app_lookups import request_fields
from roundtrip.emit.app_model import account_tables, auth_kind
from roundtrip.ir import Endpoint, Spec, Table, TypeRef
from roundtrip.ir.naming import camel, singular, snake

# The one development password of generated accounts (documented in the generated README and printed
# by `roundtrip serve`): long and mixed enough for the usual documented password rules.
DEV_PASSWORD = "Roundtrip-dev-pass-1"
TEST_TLD = "test"
_PASSWORD_FIELDS = ("password", "pass", "passwd")


@dataclass(frozen=True)
class GeneratedAccount:
    table: str
    role: str
    method: str  # the login endpoint that accepts it
    path: str  # without the base path, as in the IR
    body: dict[str, str]  # what to POST there: the login field and the password
    values: dict[str, Any]  # column → value; the password column holds the plain text
    password_column: str
    from_example: str = ""  # "file:line" of the docs' login example its credentials come from
    source: str = ""  # the table's doc line
    notes: list[str] = field(default_factory=list)
    login_column: str = ""  # the column `login` is stored in (card_number)
    role_column: str = ""

    @property
    def login_field(self) -> str:
        """The request field that names the account at its login endpoint (`email`, `cardNumber`)."""
        return next((k for k in self.body if k.lower() not in _PASSWORD_FIELDS), "")

    @property
    def login(self) -> str:
        return self.body.get(self.login_field, "")

    @property
    def password(self) -> str:
        return next((v for k, v in self.body.items() if k.lower() in _PASSWORD_FIELDS), "")


def account_domain(spec: Spec) -> str:
    """`riverbendlibrary.test` for https://api.riverbendlibrary.org; the title's first word without servers."""
    for server in spec.info.servers:
        host = urlparse(server if "//" in server else "//" + server).hostname or ""
        labels = [x for x in host.split(".") if x and x not in ("api", "www")]
        if len(labels) >= 2 and not re.fullmatch(r"[\d.]+", host):
            return f"{_slug(labels[-2])}.{TEST_TLD}"
    head = re.split(r"\s+[-—–:|]\s+|:", spec.info.title or "")[0]
    return f"{_slug(head) or 'example'}.{TEST_TLD}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def login_endpoints(spec: Spec, accounts: dict[str, Any]) -> dict[str, Endpoint]:
    """Credential table → the first login endpoint the resolver links to it."""
    out: dict[str, Endpoint] = {}
    for ep in spec.endpoints:
        if auth_kind(ep.method, ep.path) != "auth-login":
            continue
        linked = next((lk.table for lk in spec.links if lk.subject == f"endpoint:{ep.key}"), None)
        if linked in accounts and linked not in out:
            out[linked] = ep
    return out


def _login_field(spec: Spec, ep: Endpoint, table: Table, cfg: dict[str, Any]) -> tuple[str, str, str]:
    """(identity field, its column, password field) of the login request: `cardNumber` → card_number."""
    names = request_fields(spec, ep)
    password = next((n for n in names if n.lower() in _PASSWORD_FIELDS), "password")
    for name in names:
        col = snake(name)
        if "password" in col or col in ("pin", "remember_me", "code", "otp"):
            continue
        if col in table.column_names:
            return name, col, password
    return cfg.get("login_field") or camel(cfg["login_column"]), cfg["login_column"], password


def _example_credentials(ep: Endpoint, field: str, password: str) -> tuple[str, str] | None:
    ex = ep.request.example if ep.request is not None and ep.request.has_example else None
    if not isinstance(ex, dict):
        return None
    who, pw = ex.get(field), ex.get(password)
    if isinstance(who, str) and who.strip() and isinstance(pw, str) and pw:
        return who.strip(), pw
    return None


def _has_passwords(spec: Spec, table: str, password_column: str) -> bool:
    return any(r.table == table and r.as_dict().get(password_column) not in (None, "") for r in spec.samples)


def _fits(table: Table, column: str, value: str) -> bool:
    col = table.column(column)
    if col is None:
        return False
    t: TypeRef = col.type
    return t.length is None or len(value) <= t.length


def generated_accounts(spec: Spec) -> list[GeneratedAccount]:
    """One generated account per role of every credential table whose docs hold no account to log in as."""
    accounts = account_tables(spec)
    out: list[GeneratedAccount] = []
    domain = account_domain(spec)
    for name, ep in login_endpoints(spec, accounts).items():
        cfg, table = accounts[name], spec.table(name)
        if table is None or _has_passwords(spec, name, cfg["password_column"]):
            continue
        field, column, password_field = _login_field(spec, ep, table, cfg)
        roles = list(cfg.get("roles") or []) if cfg.get("role_column") else []
        example = _example_credentials(ep, field, password_field)
        # the docs' login example belongs to the role a new account gets (the default), else the first
        example_role = cfg.get("default_role") if cfg.get("default_role") in roles else (roles or [""])[0]
        for role in roles or [singular(name)]:
            values: dict[str, Any] = {}
            notes: list[str] = []
            email = f"{_slug(role) or 'user'}@{domain}"
            if "email" in table.column_names and _fits(table, "email", email):
                values["email"] = email
            source = ""
            if example is not None and (role == example_role or not roles):
                login, password = example
                source = str(ep.request.span) if ep.request is not None else ""
            elif column == "email" or column in values:
                login, password = values.get(column, email), DEV_PASSWORD
            elif column in ("username", "login", "user_name"):
                login, password = _slug(role) or "user", DEV_PASSWORD
            else:
                # a login column with its own format (a card number) and no example to copy: the account is
                # still made (the loader fills the column), but this login endpoint cannot name it
                login, password = "", DEV_PASSWORD
                notes.append(f"{ep.key} logs in by {field}, which the docs give no example of")
            if login:
                if not _fits(table, column, login):
                    continue
                values[column] = login
            if cfg.get("role_column"):
                values[cfg["role_column"]] = role
            values[cfg["password_column"]] = password
            body = {field: login, password_field: password} if login else {}
            out.append(
                GeneratedAccount(
                    name,
                    role,
                    ep.method,
                    ep.path,
                    body,
                    values,
                    cfg["password_column"],
                    source,
                    str(table.span),
                    notes,
                    column if login else "",
                    cfg.get("role_column") or "",
                )
            )
    return out


def describe(accounts: list[GeneratedAccount]) -> str:
    tables = ", ".join(dict.fromkeys(a.table for a in accounts))
    return (
        f"Generated test accounts: the docs hold no account with a known password in {tables}, so roundtrip adds one "
        "development account per role. Not the docs' data: for local development only."
    )
