"""Passwords (pwdlib: bcrypt or argon2, as the docs say) and tokens (PyJWT access tokens, opaque refresh tokens).

Access tokens are HS256 JWTs whose algorithm is pinned on decode (`none` and every other algorithm
are rejected); `exp` is required and checked, and `iss`/`aud` when configured. A token whose
signature, expiry, type or shape is wrong is one error: TokenError. Refresh tokens are 256-bit
random hex strings stored only as their SHA-256 digest, when the docs keep them in a table;
otherwise they are JWTs of type `refresh`.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.exceptions import PwdlibError
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

ALGORITHM = "HS256"
LEEWAY_SECONDS = 30
VERIFIED_TOKENS = 4096  # tokens whose signature was checked, kept per process (then forgotten all at once)


class TokenError(Exception):
    """Missing, malformed, expired, forged or wrong-type token."""


BCRYPT_MAX_BYTES = 72


def bcrypt_input(plain: str) -> str:
    """The password as bcrypt reads it: its first 72 UTF-8 bytes. bcrypt never read more, and bcrypt 5
    refuses longer input outright, which would answer a long (valid) password with a 500."""
    raw = plain.encode("utf-8")
    if len(raw) <= BCRYPT_MAX_BYTES:
        return plain
    return raw[:BCRYPT_MAX_BYTES].decode("utf-8", "ignore")  # a character cut in two is dropped whole


class Passwords:
    """Hash with the documented algorithm; verify either kind (seed data may use the other)."""

    def __init__(self, algorithm: str = "bcrypt", bcrypt_rounds: int = 12) -> None:
        bcrypt = BcryptHasher(rounds=max(4, min(int(bcrypt_rounds), 31)))
        argon = Argon2Hasher()
        self.algorithm = "argon2" if algorithm.lower().startswith("argon") else "bcrypt"
        self._hash = PasswordHash((argon, bcrypt) if self.algorithm == "argon2" else (bcrypt, argon))

    def hash(self, plain: str) -> str:
        return self._hash.hash(bcrypt_input(plain) if self.algorithm == "bcrypt" else plain)

    def verify(self, plain: str, hashed: str | None) -> bool:
        if not hashed:
            return False
        try:
            return bool(self._hash.verify(bcrypt_input(plain) if hashed.startswith("$2") else plain, hashed))
        except (PwdlibError, ValueError, TypeError):
            return False  # a malformed stored hash never authenticates anyone


def digest(token: str) -> str:
    """The SHA-256 hex digest under which a refresh token is stored (the raw token never is)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_opaque_token() -> str:
    return secrets.token_hex(32)


@dataclass(frozen=True)
class TokenSettings:
    secret: str
    access_ttl: int = 900
    refresh_ttl: int = 604800
    issuer: str = ""
    audience: str = ""


class Tokens:
    def __init__(self, settings: TokenSettings) -> None:
        if len(settings.secret) < 16:
            raise ValueError("JWT secret must be at least 16 characters")
        self.s = settings
        self._verified: dict[str, dict[str, Any]] = {}  # token → its claims, once signature and claims checked

    def _encode(self, claims: dict[str, Any], ttl: int) -> str:
        now = int(time.time())
        body = {**claims, "iat": now, "exp": now + ttl, "jti": str(uuid.uuid4())}
        if self.s.issuer:
            body["iss"] = self.s.issuer
        if self.s.audience:
            body["aud"] = self.s.audience
        return jwt.encode(body, self.s.secret, algorithm=ALGORITHM)

    def access(self, subject: str, role: str, table: str, extra: dict[str, Any] | None = None) -> str:
        return self._encode({"sub": subject, "role": role, "tbl": table, "typ": "access", **(extra or {})}, self.s.access_ttl)

    def refresh(self, subject: str, table: str, family: str = "") -> str:
        return self._encode({"sub": subject, "tbl": table, "typ": "refresh", "fam": family or str(uuid.uuid4())}, self.s.refresh_ttl)

    def purpose(self, subject: str, table: str, purpose: str, ttl: int) -> str:
        """A short-lived single-purpose token (password reset)."""
        return self._encode({"sub": subject, "tbl": table, "typ": purpose}, ttl)

    def decode(self, token: str, typ: str = "access") -> dict[str, Any]:
        if not token or token.count(".") != 2:
            raise TokenError("malformed token")
        # A client sends the same token with every request: its signature and claims are checked once, and
        # only its expiry (the one check whose answer changes) again on later requests.
        claims = self._verified.get(token)
        if claims is None:
            options: Any = {"require": ["exp", "sub"], "verify_aud": bool(self.s.audience)}
            try:
                claims = jwt.decode(
                    token,
                    self.s.secret,
                    algorithms=[ALGORITHM],
                    audience=self.s.audience or None,
                    issuer=self.s.issuer or None,
                    leeway=LEEWAY_SECONDS,
                    options=options,
                )
            except jwt.PyJWTError as exc:
                raise TokenError(type(exc).__name__) from None
            if len(self._verified) >= VERIFIED_TOKENS:
                self._verified.clear()
            self._verified[token] = claims
        elif int(claims["exp"]) + LEEWAY_SECONDS <= time.time():  # PyJWT's own rule: exp <= now - leeway
            raise TokenError("ExpiredSignatureError")
        if claims.get("typ", "access") != typ:
            raise TokenError("wrong token type")
        return dict(claims)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (None when absent or another scheme)."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
