"""An endpoint's auth line, rate limit and success statuses, rewritten where and how the docs state them.

Auth is written where the docs' span for it points: a label line (`**Authentication Required**: Yes
(any role)`, `Auth: member · **200 OK**`, `**Auth:** Required`) gets its value replaced, a summary
table row its Auth cell, a heading its marker (🔒, `(Public)`). The value is one the docs already use
for the same meaning ("No", "public", "Yes (any role)"), else one in their family (Yes/No or role
names). An endpoint whose auth the docs state only by default, or for a whole group, gets its own
line in the canonical style (`**Authentication Required**: No`) under its heading.

A rate limit's phrase is replaced inside its line (`10/min per IP` stays compact, `10 requests per
hour per IP` stays long); a new one is a canonical `**Rate Limiting**:` line. A success status that
changed number is renumbered in its label; a new one copies the section's response label; a removed
one goes with its block when its label says nothing else.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from roundtrip.emit.md_api import auth_text, default_auth, phrase
from roundtrip.emit.md_schemas import field_table
from roundtrip.emit.md_text import code, inline, json_block, rate
from roundtrip.ir import Auth, Endpoint, Kind, RateLimit, Response
from roundtrip.markdown import Heading, plain
from roundtrip.sync.sections import EndpointSection
from roundtrip.sync.tables import raw_cells, with_cells

if TYPE_CHECKING:
    from roundtrip.sync.plan import Planner

_AUTH_LABEL = re.compile(
    r"(?:\*\*|__)?(?:authentication required|authentication|auth(?:entication)? required|authorization|auth|access|"
    r"permissions?|required roles?|roles?|security)\s*(?:(?:\*\*|__)\s*:|:\s*(?:\*\*|__)|:)\s*",
    re.I,
)
_SEPARATOR = re.compile(r"\s+·\s+")
_YES_NO = re.compile(r"^\W*(yes|no)\b", re.I)
_RATE_PHRASE = re.compile(
    r"\d[\d,]*\s*(?:requests?|reqs?|calls?|attempts?)?\s*(?:/|per|every|each|in(?: a)?)\s*(?:\d+[\s-]*)?"
    r"(?:seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b"
    r"(?:\s+per\s+(?:staff\s+|authenticated\s+)?(?:ip(?: address)?|user|tenant|client|api key|key|account|token|"
    r"card|email|organization|org|workspace|session)\b)?",
    re.I,
)
_COMPACT_UNITS = {1: "sec", 60: "min", 3600: "hour", 86400: "day"}


# A bold auth statement with no label (`**Public.**`, `**Auth required. Must be ADMIN.**`, `**Protected — vendor
# or admin**`): its leading phrase, up to the end of its first sentence.
_BOLD_AUTH = re.compile(
    r"^\s*(?:\*\*|__)(?P<phrase>(?:public|protected|private|authenticated|auth(?:entication)? required)\b[^.*_]*)",
    re.I,
)


def _bold_auth_span(line: str) -> tuple[int, int] | None:
    m = _BOLD_AUTH.match(line)
    if m is None:
        return None
    end = m.end("phrase")
    while end > m.start("phrase") and line[end - 1] == " ":
        end -= 1
    return m.start("phrase"), end


def _auth_value_span(line: str) -> tuple[int, int] | None:
    """Where the value of an auth label is in `line`: after the label, up to ` · ` or the line's end."""
    m = _AUTH_LABEL.search(line)
    if m is None:
        return None
    end = len(line)
    sep = _SEPARATOR.search(line, m.end())
    if sep is not None and line[m.end() : sep.start()].count("`") % 2 == 0:
        end = sep.start()
    return m.end(), end


class AccessWriter:
    def __init__(self, planner: Planner) -> None:
        self.p = planner

    # ---------------------------------------------------------------- auth

    def auth(self, doc_e: Endpoint, new: Auth) -> None:
        key = doc_e.key
        df = self.p.files.get(doc_e.span.file)
        if df is None or doc_e.span.line <= 0:
            self.p.notes.append(
                f"{key}: authentication differs in the OpenAPI (no section in the docs to update)"
            )
            return
        if not doc_e.detailed:
            if not self.auth_cell(doc_e, new):
                self.p.notes.append(
                    f"{key}: authentication is {_describe(new)} in the OpenAPI; the docs only list the endpoint "
                    f"({df.name}:{doc_e.span.line}) without an Auth column (not synced)"
                )
            return
        sec = EndpointSection.of(df, doc_e)
        s = doc_e.auth.span
        shared = [
            e
            for e in self.p.docs.endpoints
            if e is not doc_e and e.auth.span == s and s.line > 0 and e.detailed
        ]
        own = s.line > 0 and s.file == df.name and not shared
        target = self.p.files.get(s.file) if s.line > 0 else None
        if own and s.line == sec.start and isinstance(sec.block_at(s.line), Heading):
            if self.heading_marker(sec, new):
                return
        elif target is not None and target.table_at(s.line) is not None and not shared:
            if self.auth_cell(doc_e, new):
                return
        elif own and sec.contains(s.line) and s.line != sec.start:
            raw = df.line(s.line)
            for kind, where in (("label", _auth_value_span(raw)), ("bold", _bold_auth_span(raw))):
                if where is not None:
                    value = self.value(new, kind)
                    self.p.edit(df.name, s.line, s.line, [raw[: where[0]] + value + raw[where[1] :]])
                    self.p.applied.append(f"{key}: authentication {_describe(new)} ({df.name}:{s.line})")
                    return
        if (
            s.line > 0
            and s.file == df.name
            and sec.contains(s.line)
            and (s.line != sec.start or "🔒" in df.line(s.line))
        ):
            self.p.notes.append(
                f"{key}: authentication is {_describe(new)} in the OpenAPI, but the docs state it at "
                f"{s.file}:{s.line} in words sync cannot rewrite{' (shared with other endpoints)' if shared else ''} "
                "(not synced)"
            )
            return
        at = sec.intro_end()
        self.p.edit(df.name, at + 1, at, ["", f"**Authentication Required**: {auth_text(new)}"])
        self.p.applied.append(f"{key}: authentication {_describe(new)} (line added, {df.name}:{at + 2})")

    def auth_cell(self, doc_e: Endpoint, new: Auth) -> bool:
        """The Auth cell of the summary-table row the docs' auth was read from."""
        s = doc_e.auth.span
        target = self.p.files.get(s.file) if s.line > 0 else None
        table = target.table_at(s.line) if target is not None else None
        if target is None or table is None:
            return False
        col = next((i for i, h in enumerate(table.header_plain()) if "auth" in h or "access" in h), None)
        if col is None:
            return False
        self.p.edit(
            target.name, s.line, s.line, [with_cells(target.line(s.line), {col: self.value(new, "cell")})]
        )
        self.p.applied.append(f"{doc_e.key}: authentication {_describe(new)} ({target.name}:{s.line})")
        return True

    def heading_marker(self, sec: EndpointSection, new: Auth) -> bool:
        raw = sec.df.line(sec.start)
        out = raw
        if "🔒" in raw and not new.required:
            # without its lock the endpoint gets the default; where that is "required", it says "(Public)"
            default = default_auth(sec.endpoint, bool(self.p.docs.security_schemes))
            marker = " (Public)" if default is not None and default.required else " "
            out = re.sub(r"\s*🔒\s*", marker, raw).rstrip()
        else:
            m = re.search(
                r"\((public|authenticated|protected|private|auth(?:entication)? required)\)", raw, re.I
            )
            if m is not None:
                word = "public" if not new.required else "authenticated"
                word = word.capitalize() if m.group(1)[0].isupper() else word
                out = raw[: m.start(1)] + word + raw[m.end(1) :]
        if out == raw or new.roles:
            return False
        self.p.edit(sec.df.name, sec.start, sec.start, [out])
        self.p.applied.append(
            f"{sec.endpoint.key}: authentication {_describe(new)} ({sec.df.name}:{sec.start})"
        )
        return True

    def value(self, new: Auth, kind: str) -> str:
        """The docs' own words for `new`: the commonest value with the same meaning, else one in their family."""
        samples = self.samples(kind)
        same = Counter(
            raw for req, roles, raw in samples if req == new.required and set(roles) == set(new.roles)
        )
        if same:
            return sorted(same.items(), key=lambda kv: (-kv[1], len(kv[0])))[0][0]
        ticks = any("`" in raw for _, _, raw in samples)
        roles = ", ".join(code(r) if ticks else r for r in new.roles)
        if kind == "bold":  # `**Public**`, `**Protected — vendor or admin**`
            if not new.required:
                return "Public"
            return "Protected" + (f" — {' or '.join(new.roles)}" if new.roles else "")
        yes_no = not samples or any(_YES_NO.match(raw) for _, _, raw in samples)
        if not new.required:
            return "No" if yes_no else "public"
        if not new.roles:
            return "Yes" if yes_no else "authenticated"
        return f"Yes ({roles})" if yes_no else roles

    def samples(self, kind: str) -> list[tuple[bool | None, tuple[str, ...], str]]:
        out: list[tuple[bool | None, tuple[str, ...], str]] = []
        for e in self.p.docs.endpoints:
            s = e.auth.span
            df = self.p.files.get(s.file) if s.line > 0 else None
            if df is None or e.auth.required is None:
                continue
            raw = df.line(s.line)
            table = df.table_at(s.line)
            if kind == "cell" and table is not None:
                col = next(
                    (i for i, h in enumerate(table.header_plain()) if "auth" in h or "access" in h), None
                )
                _, cells, _ = raw_cells(raw)
                if col is not None and col < len(cells) and cells[col].strip():
                    out.append((e.auth.required, e.auth.roles, cells[col].strip()))
            elif table is None:
                at = (
                    _auth_value_span(raw)
                    if kind == "label"
                    else _bold_auth_span(raw)
                    if kind == "bold"
                    else None
                )
                if at is not None and raw[at[0] : at[1]].strip():
                    out.append((e.auth.required, e.auth.roles, raw[at[0] : at[1]].strip()))
        return out

    # ---------------------------------------------------------------- rate limit

    def rate_limit(self, doc_e: Endpoint, new: RateLimit | None, after_line: int) -> None:
        key = doc_e.key
        df = self.p.files.get(doc_e.span.file)
        old = doc_e.rate_limit
        if new is None:
            where = f" ({old.span.file}:{old.span.line})" if old is not None and old.span.line > 0 else ""
            self.p.notes.append(
                f"{key}: the OpenAPI states no rate limit for it; the docs' one is left{where}"
            )
            return
        if df is None or doc_e.span.line <= 0:
            self.p.notes.append(
                f"{key}: rate limit differs in the OpenAPI (no section in the docs to update)"
            )
            return
        sec = EndpointSection.of(df, doc_e)
        if old is not None and old.span.line > 0 and old.span.file == df.name:
            shared = any(
                e is not doc_e and e.rate_limit is not None and e.rate_limit.span == old.span
                for e in self.p.docs.endpoints
            )
            raw = df.line(old.span.line)
            label = re.search(r"rate[ -]?limit", raw, re.I)
            m = _RATE_PHRASE.search(raw, label.end() if label else 0)
            if shared or m is None or not sec.contains(old.span.line):
                self.p.notes.append(
                    f"{key}: rate limit is {rate(new.requests, new.per_seconds, new.scope)} in the OpenAPI; the docs "
                    f"state it at {old.span.file}:{old.span.line} in words sync cannot rewrite (not synced)"
                )
                return
            text = _compact(new) if re.match(r"^\d[\d,]*\s*/", m.group(0)) else None
            line = (
                raw[: m.start()] + (text or rate(new.requests, new.per_seconds, new.scope)) + raw[m.end() :]
            )
            self.p.edit(df.name, old.span.line, old.span.line, [line])
            self.p.applied.append(f"{key}: rate limit updated ({df.name}:{old.span.line})")
            return
        at = max(after_line, sec.body_end())
        self.p.edit(
            df.name, at + 1, at, ["", f"**Rate Limiting**: {rate(new.requests, new.per_seconds, new.scope)}"]
        )
        self.p.applied.append(f"{key}: rate limit added ({df.name}:{at + 2})")

    # ---------------------------------------------------------------- success statuses

    def statuses(self, doc_e: Endpoint, added: list[Response], removed: list[int]) -> None:
        key = doc_e.key
        df = self.p.files.get(doc_e.span.file)
        if df is None or doc_e.span.line <= 0:
            self.p.notes.extend(
                f"{key}: the {s} response differs (no section in the docs to update)" for s in removed
            )
            return
        sec = EndpointSection.of(df, doc_e)
        docs_r = {
            r.status: r for r in doc_e.responses if r.span.file == df.name and sec.contains(r.span.line)
        }
        if len(added) == 1 and len(removed) == 1 and removed[0] in docs_r:
            if self.renumber(sec, docs_r[removed[0]], added[0].status):
                return
        for status in removed:
            r = docs_r.get(status)
            if r is not None:
                self.drop_response(sec, r)
            elif any(
                x.status == status for x in doc_e.responses
            ):  # else only the compiler's placeholder had it
                self.p.notes.append(
                    f"{key}: the {status} response is not in the OpenAPI (not stated in its section)"
                )
        if added:
            self.add_responses(sec, list(docs_r.values()), added)

    def renumber(self, sec: EndpointSection, r: Response, status: int) -> bool:
        raw = sec.df.line(r.span.line)
        old = r.status
        out = raw.replace(f"{old} {phrase(old)}", f"{status} {phrase(status)}", 1)
        if out == raw:
            out = re.sub(rf"(?<![\d.]){old}(?![\d.])", str(status), raw, count=1)
        if out == raw:
            return False
        self.p.edit(sec.df.name, r.span.line, r.span.line, [out])
        self.p.applied.append(
            f"{sec.endpoint.key}: the {old} response is {status} now ({sec.df.name}:{r.span.line})"
        )
        return True

    def drop_response(self, sec: EndpointSection, r: Response) -> None:
        raw = sec.df.line(r.span.line)
        value = re.split(r":(?:\*\*|__)?", raw, maxsplit=1)[1] if ":" in raw else ""
        says_more = plain(value).strip(" .") and not re.fullmatch(
            r"\s*(`[^`]*`|no content\.?)?\s*", value, re.I
        )
        block = sec.block_at(r.span.line)
        if says_more or block is None or block.span.line != r.span.line:
            self.p.notes.append(
                f"{sec.endpoint.key}: the {r.status} response is not in the OpenAPI; its label at "
                f"{sec.df.name}:{r.span.line} says more than the status (left in the docs)"
            )
            return
        end = sec.construct_end(r.span.line)
        if not sec.df.line(end + 1).strip() and not sec.df.line(r.span.line - 1).strip():
            end += 1
        self.p.edit(sec.df.name, r.span.line, end, [])
        self.p.applied.append(
            f"{sec.endpoint.key}: the {r.status} response removed ({sec.df.name}:{r.span.line})"
        )

    def add_responses(self, sec: EndpointSection, docs_r: list[Response], added: list[Response]) -> None:
        df = sec.df
        sample = max(docs_r, key=lambda r: r.span.line, default=None)
        at = sec.construct_end(sample.span.line) if sample is not None else sec.body_end()
        lines: list[str] = []
        for r in added:
            lines += ["", *self.response_lines(sample, r)]
        self.p.edit(df.name, at + 1, at, lines)
        self.p.applied.append(
            f"{sec.endpoint.key}: {', '.join(str(r.status) for r in added)} response added ({df.name}:{at + 2})"
        )

    def response_lines(self, sample: Response | None, r: Response) -> list[str]:
        label = f"**{'Success Response' if 200 <= r.status < 300 else 'Response'}** ({r.status}):"
        if sample is not None:
            raw = self.p.files[sample.span.file].line(sample.span.line)
            m = re.match(rf"^(.*?(?<![\d.]){sample.status}(?![\d.])[^:]*?:(?:\*\*|__)?)", raw)
            if m is not None and "·" not in m.group(1):
                label = m.group(1).replace(
                    f"{sample.status} {phrase(sample.status)}", f"{r.status} {phrase(r.status)}"
                )
                label = re.sub(rf"(?<![\d.]){sample.status}(?![\d.])", str(r.status), label, count=1)
        b = r.body
        words = r.description if r.description and r.description != phrase(r.status) else ""
        if b is None or (b.type is None and not b.has_example):
            return [f"{label} {inline(words) or ('No content' if r.status == 204 else '')}".rstrip()]
        t = b.type
        if t is not None and t.kind is Kind.REF and t.ref and self.p.writes_ref(t.ref):
            return [f"{label} {code(t.ref)}"]
        if b.has_example:
            return [label, *json_block(b.example)]
        if t is not None and t.kind is Kind.OBJECT and t.fields:
            return [label, *field_table(t.fields, "Field")]
        return [f"{label} {inline(words)}".rstrip()]


def _describe(a: Auth) -> str:
    if not a.required:
        return "public"
    return "required" + (f" ({', '.join(a.roles)})" if a.roles else "")


def _compact(r: RateLimit) -> str | None:
    unit = _COMPACT_UNITS.get(r.per_seconds)
    if unit is None:
        return None
    who = {"ip": "IP", "api_key": "api key"}.get(r.scope, r.scope)
    return f"{r.requests}/{unit}" + (f" per {who}" if who else "")
