"""Security facts → facts.conventions (auth.*) and facts.security_schemes.

Read one line (or table row) at a time, and only where the docs talk about security: sections
titled Authentication / Security / Password / Session / Token, any section of a SECURITY.md, and
lines labelled `**Authentication**:` / `**Access token**:` / `| Refresh token | … |` elsewhere.
Each extractor wants a subject ("access token", "password", "lockout") and a number in the
same line; when a line is ambiguous (both token kinds, an idle timeout, a cache TTL) it is skipped:
a wrong number is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from roundtrip.ir import Convention, Facts, SchemeKind, SecurityScheme
from roundtrip.markdown import Document, Section, code_spans, plain
from roundtrip.readers.prose_walk import (
    config_fence_lines,
    durations,
    fences,
    headers,
    in_endpoint,
    own_blocks,
    prose_lines,
    sections,
    shorten,
    split_label,
    tables,
    titled,
)
from roundtrip.source import Span

# Whole words only: `refresh_tokens` / `RefreshToken` headings name tables and types, not security prose.
_AUTH_TITLE = re.compile(r"\b(?:auth\w*|security|passwords?|sessions?|tokens?|login|sign[\s-]?in|credentials?|jwts?)\b", re.I)
_AUTH_LABEL = re.compile(r"auth|password|token|session|lockout|lock-out|hash|jwt|credential|brute", re.I)
_PASSWORD_TITLE = re.compile(r"password", re.I)
_ACCESS_LABEL = re.compile(r"^(?:access[\s_-]*tokens?|jwt|jwts|authentication|auth|bearer token)$", re.I)
_REFRESH_LABEL = re.compile(r"^refresh[\s_-]*tokens?$", re.I)
_ACCESS = re.compile(r"access[\s_-]*tokens?|\bjwts?\b", re.I)
_REFRESH = re.compile(r"refresh[\s_-]*tokens?", re.I)
_TTL_CUE = re.compile(r"expir|lifetime|valid|\bttl\b|lifespan|expires", re.I)
# Durations on these lines are something else: idle timeouts, cache TTLs, clock leeway, purge jobs.
_NOT_TTL = re.compile(r"idle|unused|inactiv|purge|delete|retention|leeway|grace|cach|clock skew|reset|rotat\w* every", re.I)
_MIN_LEN = (
    re.compile(r"\bmin(?:imum)?\.?(?:\s+length)?\s*(?:of\s*)?[:=]?\s*(\d+)(?!\s*(?:min|minutes?|h|hours?|s|sec|seconds?|days?|failures?|attempts?)\b)", re.I),
    re.compile(r"\bat least\s+(\d+)\s*char", re.I),
    re.compile(r"\b(\d+)\s*[-–]\s*\d+\s*char", re.I),
    re.compile(r"\b(\d+)\+?\s*char(?:acter)?s?\s+min(?:imum)?\b", re.I),
)
_MAX_LEN = (
    re.compile(r"\bmax(?:imum)?\.?(?:\s+length)?\s*(?:of\s*)?[:=]?\s*(\d+)(?!\s*(?:min|minutes?|h|hours?|s|sec|seconds?|days?|failures?|attempts?)\b)", re.I),
    re.compile(r"\b\d+\s*[-–]\s*(\d+)\s*char", re.I),
    re.compile(r"\bat most\s+(\d+)\s*char", re.I),
)
_HASH = re.compile(r"\b(bcrypt|argon2(?:id|i|d)?|scrypt|pbkdf2)\b", re.I)
_COST = (
    re.compile(r"bcrypt\W[^.;]*?\b(?:cost(?:\s+factor)?|work\s+factor|salt\s+rounds?|rounds?)\s*(?:of\s*|=\s*|:\s*)?(\d+)\b", re.I),
    re.compile(r"bcrypt\W[^.;]*?\b(\d+)\s+(?:salt\s+)?rounds\b", re.I),
)
_LOCK = re.compile(r"\block", re.I)
_ATTEMPTS = re.compile(r"\b(\d+)\s+(?:consecutive\s+|failed\s+|invalid\s+|unsuccessful\s+)*(?:failures|failed\s+(?:login\s+)?attempts|(?:login\s+)?attempts|failed\s+logins|tries)\b", re.I)
_LOCK_FOR = re.compile(r"\block\w*[^0-9;]{0,30}?(\d+)\s*-?\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|h|m|days?)\b", re.I)


@dataclass(frozen=True)
class _Stmt:
    line: int
    text: str  # plain text of the line or row
    label: str  # lower-cased label, "" when none
    rest: str  # plain text after the label
    password: bool  # the line is about passwords (by its words or its section)


def read_auth(doc: Document, facts: Facts) -> None:
    security_doc = bool(re.search(r"security", doc.file.rsplit("/", 1)[-1], re.I))
    token_format_done = False
    for sec in sections(doc):
        if in_endpoint(sec):
            continue
        context = security_doc or titled(sec, _AUTH_TITLE)
        pw_section = titled(sec, _PASSWORD_TITLE)
        for st in _statements(sec, context, pw_section):
            _ttl(doc, st, facts)
            _password(doc, st, facts)
            _hash(doc, st, facts)
            _lockout(doc, st, facts)
            if not token_format_done:
                token_format_done = _token_format(doc, st, facts)
    _schemes(doc, facts)


def _statements(sec: Section, context: bool, pw_section: bool) -> list[_Stmt]:
    out: list[_Stmt] = []
    for line in prose_lines(list(own_blocks(sec))):
        if not (context or _AUTH_LABEL.search(line.label)):
            continue
        text = plain(line.text)
        out.append(_Stmt(line.line, text, line.label, plain(line.rest), pw_section or "password" in text.lower()))
    for tbl in tables(sec):
        hs = headers(tbl)
        for row in tbl.rows:
            if not row.cells:
                continue
            label = plain(row.cells[0]).lower().strip("* :")
            # Outside security sections only rows labelled in words count: `password_hash` is a column.
            if not (context or (_AUTH_LABEL.search(label) and re.fullmatch(r"[a-z][a-z /&()-]*", label))):
                continue
            # Put the lifetime column first so "first duration after the label" is the lifetime.
            rest_cells = list(range(1, len(row.cells)))
            rest_cells.sort(key=lambda i: 0 if i < len(hs) and re.search(r"lifetime|expir|ttl|validity|duration", hs[i]) else 1)
            rest = " | ".join(plain(row.cells[i]) for i in rest_cells if row.cells[i].strip())
            text = f"{plain(row.cells[0])} | {rest}"
            out.append(_Stmt(row.line, text, label, rest, pw_section or "password" in text.lower()))
    return out


def _add(facts: Facts, key: str, value: object, st: _Stmt, file: str) -> None:
    facts.conventions.append(Convention(key, value, shorten(st.text, 200), Span(file, st.line)))


def _ttl(doc: Document, st: _Stmt, facts: Facts) -> None:
    if _NOT_TTL.search(st.text):
        return
    label = st.label
    if _ACCESS_LABEL.match(label) and not _REFRESH.search(label):
        key, body, labelled = "auth.access_ttl_seconds", st.rest, True
    elif _REFRESH_LABEL.match(label):
        key, body, labelled = "auth.refresh_ttl_seconds", st.rest, True
    else:
        access, refresh = bool(_ACCESS.search(st.text)), bool(_REFRESH.search(st.text))
        if access == refresh:
            return  # neither, or both in one line: cannot tell which duration is which
        key = "auth.access_ttl_seconds" if access else "auth.refresh_ttl_seconds"
        body, labelled = st.text, False
    # A labelled access line about refresh tokens ("Authentication: … refresh 7 days") is ambiguous.
    if labelled and key == "auth.access_ttl_seconds" and _REFRESH.search(body):
        return
    found = durations(body)
    if not found:
        return
    start, end, seconds = found[0]
    if not labelled:
        window = body[max(0, start - 30) : end + 30]
        if not _TTL_CUE.search(window):
            return
        # The subject comes first: "Refresh tokens (7 day expiry)"; in "Token expiry: 7 days (with optional
        # refresh token flow)" the duration belongs to another token.
        subject = (_ACCESS if key == "auth.access_ttl_seconds" else _REFRESH).search(body)
        if subject is None or subject.start() > start:
            return
    elif label in ("authentication", "auth") and not _TTL_CUE.search(body):
        return
    if seconds >= 60:
        _add(facts, key, seconds, st, doc.file)


def _password(doc: Document, st: _Stmt, facts: Facts) -> None:
    if not st.password:
        return
    low = st.text.lower()
    if re.search(r"reset|token|otp|\bpin\b", low) and "password" not in st.label:
        return
    minimum = _first(_MIN_LEN, st.text)
    maximum = _first(_MAX_LEN, st.text)
    if minimum is not None and 4 <= minimum <= 128:
        _add(facts, "auth.password_min_length", minimum, st, doc.file)
        _add(facts, "auth.password_rules", st.rest or st.text, st, doc.file)
    if maximum is not None and 8 <= maximum <= 4096 and (minimum is None or maximum > minimum):
        _add(facts, "auth.password_max_length", maximum, st, doc.file)


def _hash(doc: Document, st: _Stmt, facts: Facts) -> None:
    m = _HASH.search(st.text)
    if not m:
        return
    algo = m.group(1).lower()
    if algo.startswith("argon2"):
        algo = "argon2"
    _add(facts, "auth.password_hash", algo, st, doc.file)
    if algo == "bcrypt":
        cost = _first(_COST, st.text)
        if cost is not None and 4 <= cost <= 31:
            _add(facts, "auth.bcrypt_cost", cost, st, doc.file)


def _lockout(doc: Document, st: _Stmt, facts: Facts) -> None:
    if not _LOCK.search(st.text):
        return
    m = _ATTEMPTS.search(st.text)
    if m and 1 < int(m.group(1)) <= 100:
        _add(facts, "auth.lockout_attempts", int(m.group(1)), st, doc.file)
    m2 = _LOCK_FOR.search(st.text)
    if m2:
        found = durations(f"{m2.group(1)} {m2.group(2)}")
        if found:
            _add(facts, "auth.lockout_seconds", found[0][2], st, doc.file)


def _token_format(doc: Document, st: _Stmt, facts: Facts) -> bool:
    if _REFRESH_LABEL.match(st.label):
        return False
    about_access = bool(_ACCESS_LABEL.match(st.label)) or bool(re.search(r"access[\s_-]*token|bearer", st.text, re.I))
    if not about_access:
        return False
    if re.search(r"\bjwts?\b", st.text, re.I):
        _add(facts, "auth.token_format", "jwt", st, doc.file)
        return True
    if re.search(r"\bopaque\b", st.rest if st.label else st.text, re.I) and not _REFRESH.search(st.text):
        _add(facts, "auth.token_format", "opaque", st, doc.file)
        return True
    return False


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> int | None:
    for p in patterns:
        m = p.search(text)
        if m:
            return int(m.group(1))
    return None


# ---- security schemes


_BEARER = re.compile(r"\bbearer\b", re.I)
_APIKEY_HEADER = re.compile(r"\b(X-[\w-]*api[-_]?key|api[-_]key)\b", re.I)
_COOKIE_AUTH = re.compile(r"session cookie|\b(?:jwt|access[\s_-]*token|auth(?:entication)?[\s_-]*token|session)\b[^.]{0,40}\bcookie", re.I)


def _schemes(doc: Document, facts: Facts) -> None:
    names = {s.name for s in facts.security_schemes}
    jwt_seen = False
    bearer: tuple[int, str] | None = None
    for sec in sections(doc):
        lines = list(prose_lines(list(own_blocks(sec))))
        for f in fences(sec):
            lines.extend(config_fence_lines(f))
        rows = [(r.line, " | ".join(r.cells)) for t in tables(sec) for r in t.rows]
        for n, raw in [(ln.line, ln.text) for ln in lines] + rows:
            text = plain(raw)
            if re.search(r"\bJWTs?\b", text):
                jwt_seen = True
            low = text.lower()
            if bearer is None and _BEARER.search(text) and re.search(r"authori[sz]ation|token|auth|jwt", low) and "cookie" not in low:
                if not re.search(r"\"?token_?type\"?\s*:", low):
                    bearer = (n, text)
            label, _ = split_label(raw)
            auth_cookie = _COOKIE_AUTH.search(text) or (re.fullmatch(r"auth\w*", label) and "cookie" in low)
            if "cookieAuth" not in names and auth_cookie and "refresh" not in low and not in_endpoint(sec):
                named = [c for c in code_spans(raw) if re.fullmatch(r"[\w.-]+", c)]
                named += re.findall(r"cookie\s*\(([\w.-]+)\)", text, re.I)
                cookie = next((c for c in named if not c.lower().startswith(("httponly", "samesite", "secure"))), "")
                facts.security_schemes.append(SecurityScheme("cookieAuth", SchemeKind.COOKIE, header=cookie,
                                                             description=shorten(text, 200), span=Span(doc.file, n)))
                names.add("cookieAuth")
            m = _APIKEY_HEADER.search(text)
            if "apiKeyAuth" not in names and m and (m.group(1).lower().startswith("x-") or "header" in low):
                if _AUTH_LABEL.search(label) or "header" in low or "auth" in low:
                    facts.security_schemes.append(SecurityScheme("apiKeyAuth", SchemeKind.API_KEY, header=m.group(1),
                                                                 description=shorten(text, 200), span=Span(doc.file, n)))
                    names.add("apiKeyAuth")
    if bearer is not None and "bearerAuth" not in names:
        n, text = bearer
        fmt = "JWT" if jwt_seen else ""
        facts.security_schemes.append(SecurityScheme("bearerAuth", SchemeKind.BEARER, bearer_format=fmt,
                                                     description=shorten(text, 200), span=Span(doc.file, n)))
