"""roundtrip.appkit.security: password hashing (bcrypt/argon2) and JWT tokens that reject forgeries."""

from __future__ import annotations

import time

import jwt
import pytest

from roundtrip.appkit.config import Settings
from roundtrip.appkit.security import (
    Passwords,
    TokenError,
    Tokens,
    TokenSettings,
    bcrypt_input,
    bearer_token,
    digest,
    new_opaque_token,
)

SECRET = "unit-test-secret-" + "y" * 32


def test_bcrypt_with_documented_cost_and_argon2_both_verify() -> None:
    bcrypt = Passwords("bcrypt", bcrypt_rounds=5)
    h = bcrypt.hash("Basil2025")
    assert h.startswith("$2b$05$") and bcrypt.verify("Basil2025", h) and not bcrypt.verify("basil2025", h)
    argon = Passwords("argon2")
    a = argon.hash("Basil2025")
    assert a.startswith("$argon2id$") and argon.verify("Basil2025", a)
    assert bcrypt.verify("Basil2025", a), "seed data hashed with the other algorithm still verifies"


def test_seeded_pantry_hash_verifies() -> None:
    # DATA_MODEL.md sample rows: "all passwords are PantryDemo123", bcrypt cost 12
    stored = "$2b$12$Z/Pkx6Bj5Igd8m3fSrJ1oOjNTEizDpdytFRlMwi.45IvAx1xzGHHG"
    assert Passwords("bcrypt").verify("PantryDemo123", stored)


@pytest.mark.parametrize("stored", [None, "", "plaintext", "$2b$12$short"])
def test_malformed_stored_hashes_never_authenticate(stored: str | None) -> None:
    assert Passwords().verify("anything", stored) is False


def test_access_token_roundtrip_and_claims() -> None:
    tokens = Tokens(TokenSettings(SECRET, access_ttl=900, issuer="https://api.pantry.dev", audience="pantry-api"))
    tok = tokens.access("user-1", "member", "users", {"tenant_id": "t1"})
    claims = tokens.decode(tok)
    assert claims["sub"] == "user-1" and claims["role"] == "member" and claims["tenant_id"] == "t1"
    assert claims["exp"] - claims["iat"] == 900 and claims["iss"] == "https://api.pantry.dev" and claims["aud"] == "pantry-api"
    with pytest.raises(TokenError):
        tokens.decode(tok, typ="refresh")


def test_forged_expired_none_alg_and_malformed_tokens_are_rejected() -> None:
    tokens = Tokens(TokenSettings(SECRET))
    now = int(time.time())
    forged = jwt.encode({"sub": "u", "exp": now + 60, "typ": "access"}, "another-secret-" * 3, algorithm="HS256")
    expired = jwt.encode({"sub": "u", "exp": now - 120, "typ": "access"}, SECRET, algorithm="HS256")
    unsigned = jwt.encode({"sub": "u", "exp": now + 60, "typ": "access"}, None, algorithm="none")
    no_exp = jwt.encode({"sub": "u", "typ": "access"}, SECRET, algorithm="HS256")
    hs512 = jwt.encode({"sub": "u", "exp": now + 60, "typ": "access"}, SECRET, algorithm="HS512")
    for token in (forged, expired, unsigned, no_exp, hs512, "", "abc", "a.b.c"):
        with pytest.raises(TokenError):
            tokens.decode(token)
    within_leeway = jwt.encode({"sub": "u", "exp": now - 5, "typ": "access"}, SECRET, algorithm="HS256")
    assert tokens.decode(within_leeway)["sub"] == "u"


def test_refresh_and_purpose_tokens_have_their_own_type() -> None:
    tokens = Tokens(TokenSettings(SECRET, refresh_ttl=60))
    r = tokens.refresh("u", "users", "fam-1")
    assert tokens.decode(r, typ="refresh")["fam"] == "fam-1"
    p = tokens.purpose("u", "users", "password-reset", 60)
    assert tokens.decode(p, typ="password-reset")["sub"] == "u"
    with pytest.raises(TokenError):
        tokens.decode(p)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        Tokens(TokenSettings("short"))


def test_opaque_refresh_tokens_and_digest() -> None:
    a, b = new_opaque_token(), new_opaque_token()
    assert len(a) == 64 and a != b and int(a, 16) >= 0
    assert digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer  xyz ", "xyz"), ("Basic dXNlcjpwYXNz", None), ("Bearer ", None), (None, None), ("", None)],
)
def test_bearer_header_parsing(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


def test_settings_from_env_override_documented_defaults() -> None:
    s = Settings.from_env({"access_token_ttl_seconds": 900, "password_hash": "bcrypt"}, env={"ACCESS_TOKEN_TTL_SECONDS": "60", "RATE_LIMITS": "false", "CORS_ORIGINS": "http://a, http://b"})
    assert s.access_token_ttl_seconds == 60 and s.rate_limits is False and s.cors_origins == ("http://a", "http://b")
    assert len(s.jwt_secret) == 64, "no secret configured: a random one"
    t = Settings.from_env({}, env={"JWT_SECRET": "configured-secret-value"})
    assert t.jwt_secret == "configured-secret-value" and t.access_token_ttl_seconds == 900


def test_a_password_longer_than_bcrypt_reads_hashes_and_verifies() -> None:
    # bcrypt reads 72 bytes and bcrypt 5 refuses more: a long password is its first 72 bytes, not a 500
    pw = Passwords("bcrypt", 4)
    long = "A" + "é" * 50  # 101 bytes; the 72-byte cut falls inside the 36th `é`
    hashed = pw.hash(long)
    assert pw.verify(long, hashed) and pw.verify(long[:40], hashed)
    assert not pw.verify(long[:30], hashed)
    assert bcrypt_input(long) == long[:36] and bcrypt_input("Short1A") == "Short1A"
