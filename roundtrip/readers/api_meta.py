"""Per-endpoint access and throttling phrases → Auth and RateLimit.

"Yes (`owner`, `admin`)", "Auth: librarian, admin", "**Protected — vendor or admin**", "(Public)", 🔒;
"10 requests per hour per IP", "5 req / 15 min per IP", "Strict (20 req / 15 min)", "5/hr".
"""

from __future__ import annotations

import re

from roundtrip.ir import Auth, RateLimit
from roundtrip.markdown.inline import code_spans
from roundtrip.readers.api_text import flat
from roundtrip.source import Span

_PUBLIC = re.compile(r"^(no\b|none\b|public\b|anonymous\b|not required\b|no auth|unauthenticated\b|open\b|publico\b|público\b)", re.I)
_PROTECTED = re.compile(
    r"^(yes\b|required\b|true\b|authenticated\b|protected\b|private\b|auth(entication)? required\b|bearer\b|jwt\b|"
    r"logged[- ]in\b|login required\b|requires? (auth|login|a token)|signed[- ]in\b|admin\b)",
    re.I,
)
_MUST_BE = re.compile(r"\bmust be (?:an? )?([A-Za-z_]+)", re.I)
_NOT_ROLES = {
    "any", "all", "role", "roles", "jwt", "bearer", "token", "required", "optional", "cookie", "session", "authenticated",
    "public", "self", "own", "yes", "no", "header", "api", "key", "only", "auth", "authentication", "signature",
}
_ARTICLES = re.compile(r"^(the|a|an|any)\s+", re.I)
_TRAILING = re.compile(r"\s+(only|role|roles|users?)$", re.I)


def _strip_parens(text: str) -> str:
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _first_sentence(text: str) -> str:
    m = re.search(r"\.\s+(?=[A-Z])", text)
    return text[: m.start()] if m else text.rstrip(".")


def roles_in(text: str) -> tuple[str, ...]:
    """`owner`, `admin` / "owner or admin" / "librarian/admin" → role names (lower case, in order)."""
    if re.search(r"\bheaders?\b", flat(text), re.I):
        return ()  # `Stripe-Signature` header, `X-Api-Key`: a credential, not a role
    codes = [c for c in code_spans(text) if re.fullmatch(r"[a-z][a-z_-]*", c)]
    pieces = codes if codes else re.split(r"\s*(?:,|;|/|\bor\b|\band\b|&|\|)\s*", flat(_strip_parens(text)))
    out: list[str] = []
    for p in pieces:
        p = _TRAILING.sub("", _ARTICLES.sub("", p.strip(" .:—–-"))).strip()
        if re.fullmatch(r"[A-Za-z][A-Za-z_-]*", p) and p.lower() not in _NOT_ROLES and p.lower() not in out:
            out.append(p.lower())
    return tuple(out)


def parse_auth(text: str, span: Span) -> Auth:
    """One auth statement → Auth. Unknown wording gives Auth(required=None) with the text kept."""
    raw = text.strip()
    t = flat(raw).strip().lstrip(":—–- ").strip()
    if not t:
        return Auth(None, (), "", span)
    if _PUBLIC.match(t):
        return Auth(False, (), t, span)
    m = _PROTECTED.match(t)
    if m:
        if m.group(0).lower() == "admin":
            return Auth(True, ("admin",), t, span)
        must = _MUST_BE.search(t)
        if must and must.group(1).lower() not in _NOT_ROLES:
            return Auth(True, (must.group(1).lower(),), t, span)
        at = raw.lower().find(m.group(0).lower())
        rest_raw = raw[at + len(m.group(0)):].strip() if at != -1 else ""
        if rest_raw.startswith("("):
            inner = rest_raw[1:rest_raw.find(")")] if ")" in rest_raw else rest_raw[1:]
            return Auth(True, roles_in(inner), t, span)
        if rest_raw[:1] in ("—", "–", "-", ":"):
            return Auth(True, roles_in(_first_sentence(rest_raw.lstrip(":—–- "))), t, span)
        return Auth(True, (), t, span)
    # A bare role list: "librarian, admin", "member (own loan) or librarian/admin".
    roles = roles_in(_first_sentence(_strip_parens(raw)))
    if roles:
        return Auth(True, roles, t, span)
    return Auth(None, (), t, span)


def heading_auth(trailer: str, span: Span) -> Auth | None:
    """Access markers in an endpoint heading: 🔒, `(authenticated)`, `(Public)`, `(admin only)`."""
    t = flat(trailer)
    if "🔒" in t or "🔐" in t:
        return Auth(True, (), "🔒", span)
    m = re.search(r"\(([^)]*)\)", t)
    if m:
        inner = m.group(1).strip()
        low = inner.lower()
        if re.fullmatch(r"(public|no auth|anonymous|unauthenticated)", low):
            return Auth(False, (), inner, span)
        if re.fullmatch(r"(authenticated|auth(entication)? required|protected|private|requires auth|logged in)", low):
            return Auth(True, (), inner, span)
        am = re.fullmatch(r"([a-z_-]+(?:\s*(?:,|/|or)\s*[a-z_-]+)*)\s+only", low)
        if am:
            return Auth(True, roles_in(am.group(1)), inner, span)
    return None


# ---------------------------------------------------------------- rate limits

_RATE = re.compile(
    r"(?P<n>\d[\d,]*)\s*(?:requests?|reqs?|calls?|attempts?|messages?|msgs?)?\s*(?:/|per|every|each|in(?: a)?)\s*"
    r"(?:(?P<k>\d+)[\s-]*)?(?P<unit>seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b",
    re.I,
)
_UNIT = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hr": 3600, "hour": 3600, "d": 86400, "day": 86400}
_SCOPE = re.compile(
    r"\bper\s+(?:staff\s+|authenticated\s+|logged[- ]in\s+|api\s+)?(ip(?: address)?|user|tenant|client|api key|key|account|token|card|email|organization|org|workspace|session)\b",
    re.I,
)


def parse_rate_limit(text: str, span: Span) -> RateLimit | None:
    t = flat(text)
    m = _RATE.search(t)
    if not m:
        return None
    n = int(m.group("n").replace(",", ""))
    k = int(m.group("k")) if m.group("k") else 1
    unit = m.group("unit").lower().rstrip("s") or "s"
    secs = _UNIT.get(unit, _UNIT.get(unit[:3], 0)) * k
    if n <= 0 or secs <= 0:
        return None
    sm = _SCOPE.search(t, m.end())
    scope = ""
    if sm:
        scope = sm.group(1).lower()
        scope = "ip" if scope.startswith("ip") else scope.replace(" ", "_")
    return RateLimit(n, secs, scope, t, span)
