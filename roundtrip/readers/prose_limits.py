"""Global rate limits → facts.rate_limits.

From a rate-limit table (`| Scope | Limit |` in a Rate Limiting section, or right after a
"Rate limiting" bullet), and from lines such as `**Rate Limiting**: 100 req/min per user`,
`[x] Rate limiting (100 req/min per user)`, `- **General routes:** 100 requests per 15-minute window`
(inside a Rate Limiting section). Per-endpoint limits (endpoint sections, rows naming a path)
and limits of the auth/login endpoints (documented on those endpoints) are the API reader's.
"""

from __future__ import annotations

import re

from roundtrip.ir import Facts, RateLimit
from roundtrip.markdown import Block, Document, ListBlock, Paragraph, Table, plain
from roundtrip.readers.prose_walk import (
    Line,
    headers,
    in_endpoint,
    own_blocks,
    prose_lines,
    sections,
    shorten,
    titled,
    unit_seconds,
)
from roundtrip.source import Span

_RATE = re.compile(r"rate[\s-]?limit|throttl", re.I)
_ENDPOINT_SCOPED = re.compile(
    r"\b(?:auth\w*|login|sign[\s-]?in|sign[\s-]?up|register|password reset)\b.{0,20}\b(?:endpoints?|routes?|requests?|calls?)\b"
    r"|\blogin\b|(?:^|[\s`(])/[\w*{]",
    re.I,
)
LIMIT = re.compile(
    r"(?<![\w.])(\d[\d,]*)\s*(?:req(?:uest)?s?\.?|calls|hits)?\s*(?:/|\bper\b|\bevery\b|\ban?\b|\beach\b)\s*"
    r"(?:(\d+)\s*-?\s*)?(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|s|m|h|hr|d)\b(?:\s*windows?)?"
    r"(?:\s*(?:per|/)\s*(ip(?:\s+address)?|user|tenant|member|staff(?:\s+user)?|account|api[\s_-]?key|key|token|client|organi[sz]ation|org|installation))?",
    re.I,
)
_SCOPES = {"ip": "ip", "ip address": "ip", "user": "user", "member": "user", "staff": "user", "staff user": "user",
           "account": "user", "tenant": "tenant", "organization": "tenant", "organisation": "tenant", "org": "tenant",
           "api key": "api_key", "api-key": "api_key", "api_key": "api_key", "apikey": "api_key", "key": "api_key",
           "token": "token", "client": "client", "installation": "installation"}


def parse_limit(text: str) -> tuple[int, int, str] | None:
    """`300 requests/min per user` → (300, 60, "user"); `100 requests per 15-minute window` → (100, 900, "")."""
    found = _search_limit(text)
    return found[1:] if found else None


def _search_limit(text: str) -> tuple[int, int, int, str] | None:
    """(offset, requests, per_seconds, scope) of the first rate in the text."""
    m = LIMIT.search(text)
    if not m:
        return None
    requests = int(m.group(1).replace(",", ""))
    unit = unit_seconds(m.group(3))
    if unit is None or requests <= 0:
        return None
    per = unit * (int(m.group(2)) if m.group(2) else 1)
    scope = _SCOPES.get(re.sub(r"\s+", " ", (m.group(4) or "").lower()), (m.group(4) or "").lower())
    if not scope:
        tail = text[m.end() : m.end() + 40].lower()
        sm = re.search(r"\bper\s+(ip|user|tenant|member|api key|client|account)\b", tail)
        scope = _SCOPES.get(sm.group(1), "") if sm else ""
    return m.start(), requests, per, scope


def read_rate_limits(doc: Document, facts: Facts) -> None:
    for sec in sections(doc):
        if in_endpoint(sec):
            continue
        rate_section = titled(sec, _RATE)
        blocks = list(own_blocks(sec))
        for i, b in enumerate(blocks):
            if isinstance(b, Table) and (rate_section or (i > 0 and _mentions_rate(blocks[i - 1]))):
                _table(doc, b, facts)
        for line in prose_lines(blocks):
            _line(doc, line, rate_section, facts)


def _mentions_rate(b: Block) -> bool:
    if isinstance(b, Paragraph):
        return bool(_RATE.search(b.text))
    if isinstance(b, ListBlock) and b.items:
        return bool(_RATE.search(b.items[-1].text))
    return False


def _table(doc: Document, tbl: Table, facts: Facts) -> None:
    hs = headers(tbl)
    limit_col = next((i for i, h in enumerate(hs) if h in ("limit", "rate limit", "rate", "limits", "quota")), None)
    if limit_col is None or limit_col == 0:
        return
    window_col = next((i for i, h in enumerate(hs) if h in ("window", "period", "per")), None)
    for row in tbl.rows:
        if limit_col >= len(row.cells):
            continue
        label = plain(row.cells[0])
        if _ENDPOINT_SCOPED.search(label):
            continue
        cell = plain(row.cells[limit_col])
        if window_col is not None and window_col < len(row.cells):
            cell = f"{cell} per {plain(row.cells[window_col])}"
        parsed = parse_limit(cell)
        if parsed is None:
            continue
        requests, per, scope = parsed
        text = f"{label}: {cell}" if label else cell
        facts.rate_limits.append(RateLimit(requests, per, scope, shorten(text, 200), Span(doc.file, row.line)))


def _line(doc: Document, line: Line, rate_section: bool, facts: Facts) -> None:
    text = plain(line.text)
    if not (rate_section or _RATE.search(text)):
        return
    # "Rate limiting on auth endpoints (10 req/min per IP)" belongs to those endpoints.
    body = plain(line.rest) if line.label else text
    found = _search_limit(body)
    if found is None:
        return
    at, requests, per, scope = found
    # "login rate limit 5/min/IP": the words just before the number say whose limit it is.
    if _ENDPOINT_SCOPED.search(line.label) or _ENDPOINT_SCOPED.search(body[max(0, at - 40) : at]):
        return
    facts.rate_limits.append(RateLimit(requests, per, scope, shorten(text, 200), Span(doc.file, line.line)))

