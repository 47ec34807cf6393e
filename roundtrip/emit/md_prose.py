"""Document-wide facts → prose the prose reader reads back: API info, base URL and servers, security
schemes, pagination/sort conventions, global rate limits, the error envelope and common errors, and
the auth conventions of SECURITY.md.

Each fact gets a line of its own, worded so that exactly one extractor fires on it (a lifetime line
names one token kind and one duration; a lockout line never says "password").
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from roundtrip.emit.md_api import error_blocks
from roundtrip.emit.md_schemas import schema_form, ts_declaration
from roundtrip.emit.md_text import cell, duration, inline, json_block, rate, table
from roundtrip.ir import Convention, SchemeKind, Spec

_PAGINATION_KEYS = ("pagination.default_limit", "pagination.min_limit", "pagination.max_limit", "pagination.style", "pagination.envelope")
_SORT_KEYS = ("sort.syntax", "sort.error")
_ENVELOPES = {"data+pagination": {"data": [], "pagination": {}}, "data+meta": {"data": [], "meta": {}}, "flat": {"data": [], "total": 0}}
_STYLES = {"offset": "offset", "cursor": "cursor", "page": "page-based"}


def api_head(spec: Spec) -> list[str]:
    info = spec.info
    out = ["# API Specification", ""]
    if info.title:
        out.append(f"**Project**: {cell(info.title).strip()}")
    if info.version:
        out.append(f"**Version**: {info.version}")
    out += ["", "---", ""]
    if info.description:
        out += ["## Overview", "", inline(info.description), ""]
    servers = list(info.servers)
    server_base = urlsplit(servers[0]).path.rstrip("/") if servers else ""
    if servers or info.base_path:
        out += ["## Base URL", ""]
        if info.base_path != server_base or not servers:
            out += [f"**Base URL**: `{info.base_path or '/'}`", ""]
        if servers:
            out += ["```", f"Base: {servers[0]}"] + [f"Server: {s}" for s in servers[1:]] + ["```", ""]
    return out


def access_schemes(spec: Spec) -> list[str]:
    """One line per scheme, in a section whose title is not about auth (so no auth convention fires)."""
    lines: list[str] = []
    for s in spec.security_schemes:
        if s.kind is SchemeKind.BEARER:
            lines.append("Bearer token authentication" + (f" ({s.bearer_format})." if s.bearer_format else "."))
        elif s.kind is SchemeKind.API_KEY:
            lines.append(f"API key in the `{s.header or 'X-API-Key'}` header.")
        elif s.kind is SchemeKind.COOKIE:
            lines.append(f"Session cookie `{s.header}`." if s.header else "Session cookie.")
    if not lines:
        return []
    return ["## Access Schemes", "", *[ln + "\n" for ln in lines]]


# ---------------------------------------------------------------- pagination and sort conventions


def _pagination_line(c: Convention) -> list[str]:
    if c.key == "pagination.default_limit":
        return [f"Default page size: {c.value}.", ""]
    if c.key == "pagination.min_limit":
        return [f"Minimum page size: {c.value}.", ""]
    if c.key == "pagination.max_limit":
        return [f"Maximum page size: {c.value}.", ""]
    if c.key == "pagination.style":
        return [f"Pagination style: {_STYLES.get(str(c.value), str(c.value))}.", ""]
    return json_block(_ENVELOPES.get(str(c.value), {"data": []})) + [""]


def conventions(spec: Spec) -> list[str]:
    """Pagination and sort conventions in their order. A Pagination section reports its lines, then
    its style, then its envelope: a convention that would be reported out of order starts a new section."""
    convs = [c for c in spec.conventions if c.key in _PAGINATION_KEYS or c.key in _SORT_KEYS]
    if not convs:
        return []
    out = ["## Conventions", ""]
    stage = 9  # 0 lines, 1 style, 2 envelope; 9 = no open Pagination section
    sorting = False  # a Sorting section is open
    for c in convs:
        if c.key in _SORT_KEYS:
            if not sorting:
                out += ["### Sorting", ""]
            if c.key == "sort.syntax":
                out += ["Sort: prefix a field with `-` for descending order.", ""]
            else:
                status, _, code = str(c.value).partition(" ")
                out += [f"Unknown sort fields return `{status} {code}`.", ""]
            stage, sorting = 9, True
            continue
        sorting = False
        want = {"pagination.default_limit": 0, "pagination.min_limit": 0, "pagination.max_limit": 0, "pagination.style": 1,
                "pagination.envelope": 2}[c.key]
        if stage == 9 or want < stage or (want == 1 and stage == 1):
            out += ["### Pagination", ""]
            stage = want
        stage = max(stage, want)
        out += _pagination_line(c)
    return out


def rate_limits(spec: Spec) -> list[str]:
    if not spec.rate_limits:
        return []
    # "up to": a cell starting with a three-digit number would make this an error table (status column)
    rows = [[f"Limit {i}", "up to " + rate(r.requests, r.per_seconds, r.scope)] for i, r in enumerate(spec.rate_limits, 1)]
    return ["## Rate Limiting", "", *table(["Scope", "Limit"], rows), ""]


# ---------------------------------------------------------------- errors


def envelope_schema(spec: Spec) -> str | None:
    """The schema written as the error envelope's example instead of in Data Types: a JSON-example
    envelope the resolver appended last."""
    env = spec.error_envelope
    if env is None or env.ref != "ErrorResponse" or not spec.schemas:
        return None
    last = spec.schemas[-1]
    if last.name == "ErrorResponse" and last.example is not None and not last.description:
        return last.name
    return None


def error_section(spec: Spec) -> list[str]:
    out: list[str] = []
    env = spec.error_envelope
    if env is not None and env.ref:
        out += ["## Error Format", ""]
        schema = spec.schema(env.ref)
        if envelope_schema(spec) is not None and schema is not None:
            out += json_block(schema.example) + [""]
        elif env.ref == "ErrorResponse":
            example: Any = schema.example if schema is not None and schema.example is not None else {"error": "ERROR_CODE", "message": "What went wrong"}
            out += json_block(example) + [""]
        elif schema is not None and schema_form(schema) == "ts":
            out += ["```typescript", *ts_declaration(schema), "```", ""]
    if spec.common_errors:
        out += ["## Common Errors", "", *error_blocks(spec.common_errors)]
    return out


# ---------------------------------------------------------------- SECURITY.md


def _auth_lines(convs: list[Convention]) -> list[str]:
    lines: list[str] = []
    i = 0
    token_format_done = False
    while i < len(convs):
        c = convs[i]
        k, v = c.key, c.value
        nxt = convs[i + 1] if i + 1 < len(convs) else None
        if k == "auth.access_ttl_seconds":
            lines.append(f"Access token lifetime: {duration(int(v))}.")
        elif k == "auth.refresh_ttl_seconds":
            lines.append(f"Refresh token lifetime: {duration(int(v))}.")
        elif k == "auth.token_format" and not token_format_done:
            lines.append("Access token format: JWT." if v == "jwt" else "Access token format: opaque.")
            token_format_done = True
        elif k == "auth.password_min_length" and nxt is not None and nxt.key == "auth.password_rules":
            lines.append(f"Password rules: {inline(str(nxt.value))}")
            i += 1
            after = convs[i + 1] if i + 1 < len(convs) else None
            if after is not None and after.key == "auth.password_max_length" and str(after.value) in str(nxt.value):
                i += 1
        elif k == "auth.password_max_length":
            lines.append(f"Password maximum length: {v} characters.")
        elif k == "auth.password_hash":
            cost = nxt.value if nxt is not None and nxt.key == "auth.bcrypt_cost" and v == "bcrypt" else None
            lines.append(f"Password hashing: {v}" + (f" with cost {cost}." if cost is not None else "."))
            if cost is not None:
                i += 1
        elif k == "auth.lockout_attempts":
            if nxt is not None and nxt.key == "auth.lockout_seconds":
                lines.append(f"Account lockout: {duration(int(nxt.value))} after {v} failed attempts.")
                i += 1
            else:
                lines.append(f"Account lockout after {v} failed attempts.")
        elif k == "auth.lockout_seconds":
            lines.append(f"Account lockout: {duration(int(v))}.")
        i += 1
    return lines


def render_security(spec: Spec) -> str | None:
    lines = _auth_lines([c for c in spec.conventions if c.key.startswith("auth.")])
    if not lines:
        return None
    out = ["# Security", "", "## Authentication", ""]
    for ln in lines:
        out += [ln, ""]
    return "\n".join(out).rstrip() + "\n"
