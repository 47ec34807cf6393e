"""The label vocabulary of endpoint sections, as data: `**Request Body**:`, `Success \\`201\\`:`, `Auth: public`.

A label line sets what the following tables, fences and lists describe. Bold labels may carry
extra words (`**Request Body** (all optional)`, `**Auth required. Must be ADMIN.**`), so they match
by prefix; plain-text labels ("Errors: `409` ...") must match the vocabulary exactly, so prose such as
"Returns user info: id, email" is never taken for a label.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from roundtrip.markdown.inline import strip_bold_label
from roundtrip.readers.api_text import flat


class Label(enum.StrEnum):
    DESCRIPTION = "description"
    AUTH = "auth"
    REQUEST = "request"
    RESPONSE = "response"
    ERRORS = "errors"
    QUERY = "query"
    PATH = "path"
    HEADERS = "headers"
    RATE = "rate"
    CACHING = "caching"
    EXAMPLE = "example"  # curl / sample calls: ignored
    VALIDATION = "validation"
    NOTE = "note"  # notes, business rules: ignored
    ENDPOINT = "endpoint"  # `**Endpoint**: \`POST /x\`` under a title heading
    OTHER = "other"  # a bold label we do not know: what follows is not ours


# Normalized label text (lower case, no status, no punctuation) → kind. Order matters: first match wins.
LABEL_VOCABULARY: tuple[tuple[str, Label], ...] = (
    (r"(description|summary|purpose|overview|details)", Label.DESCRIPTION),
    (r"(error redirects?|error redirect)", Label.OTHER),
    (r"(error responses?|errors?|error codes?|possible errors|failures?|error cases|error response)", Label.ERRORS),
    (r"(success(ful)?( responses?)?|responses?|response body|returns?|output|res)", Label.RESPONSE),
    (r"(request body|request payload|request|body|payload|req|input|(\w+ )+request body|(request |body )fields)", Label.REQUEST),
    (r"(required )?(query( string)?( param(eter)?s?)?|filters?|optional)", Label.QUERY),
    (r"(path|url|route)( param(eter)?s?)", Label.PATH),
    (r"(request )?headers?", Label.HEADERS),
    (r"(rate[ -]?limit(ing|s)?|throttl(e|ing))", Label.RATE),
    (r"(cach(e|ing)( policy)?|cache-control)", Label.CACHING),
    (r"(authentication required|authentication|auth(entication)? required|auth|authorization|access|permissions?|required roles?|roles?|security)", Label.AUTH),
    (r"(public|protected|private|authenticated)", Label.AUTH),
    (r"(example( requests?| responses?| usage)?|examples|curl|usage|sample( request)?)", Label.EXAMPLE),
    (r"(validation( rules)?)", Label.VALIDATION),
    (r"(notes?|business rules?|side effects?|behaviou?r|semantics|tip|important|warning|implementation)", Label.NOTE),
    (r"(endpoint|route|url)", Label.ENDPOINT),
)
_COMPILED = tuple((re.compile(rf"^{pat}$"), re.compile(rf"^{pat}\b"), kind) for pat, kind in LABEL_VOCABULARY)

# Labels whose value is one statement; a non-label segment after them (`Auth: admin · Search members`)
# is loose description text, not more of the label.
SINGLE_VALUE = {Label.AUTH, Label.RATE, Label.CACHING, Label.ENDPOINT}

_STATUS = re.compile(r"(?<![\w.$])([1-5]\d\d)(?![\w.])")
_PLAIN_LABEL = re.compile(
    r"^(?P<label>[A-Za-z][A-Za-z /-]{0,30}?)"
    r"(?P<status>\s*\(?\s*`?[1-5]\d\d(?:\s*/\s*[1-5]\d\d)?(?:\s+[A-Z][A-Za-z ]*?)?`?\s*\)?)?"
    r"\s*(?::|—|–|\s-\s)\s*(?P<rest>.*)$",
    re.S,
)
_MID_BOLD_STATUS = re.compile(r"\*\*([1-5]\d\d(?:\s+[A-Za-z][A-Za-z -]*)?)\*\*")


@dataclass(frozen=True)
class LabelLine:
    kind: Label
    label: str  # the label as written (plain text)
    status: int | None  # a status named by the label (`**Response (201)**`, `**200 OK**`, `Success \`201\``)
    rest: str  # raw inline markdown after the label and its status
    bold: bool


def normalize(label: str) -> str:
    t = flat(label).lower()
    t = re.sub(r"\([^)]*\)", " ", t)
    t = _STATUS.sub(" ", t)
    t = re.sub(r"\b(ok|created|accepted|no content)\b", " ", t) if _STATUS.search(flat(label)) else t
    t = re.sub(r"[^a-z0-9 /-]+", " ", t)
    return re.sub(r"\s+", " ", t).strip(" -/")


def classify(label: str, *, bold: bool) -> Label | None:
    """Label text → kind. Bold labels may continue after the vocabulary word; plain ones may not."""
    raw = flat(label)
    if re.match(r"^\(?`?[1-5]\d\d\b", raw.strip()):
        return Label.RESPONSE  # `**200 OK**`, `**201 Created** — ...`
    norm = normalize(label)
    if not norm:
        return None
    for full, _, kind in _COMPILED:
        if full.match(norm):
            return kind
    if bold:
        for _, starts, kind in _COMPILED:
            if starts.match(norm):
                return kind
        return Label.OTHER
    return None


def first_status(text: str) -> int | None:
    m = _STATUS.search(flat(text))
    return int(m.group(1)) if m else None


def status_prefix(rest: str) -> tuple[int | None, str]:
    """`(201):`, `: 201 Created with ...` (status in a code span too), `200 OK — x` → (status or None, text after)."""
    s = rest.strip().lstrip(":").strip()
    status: int | None = None
    tail = s
    if s.startswith("("):
        end = s.find(")")
        inner = s[1:end] if end != -1 else ""
        m = re.match(r"^\s*`?([1-5]\d\d)\b", inner)
        if m:
            status, tail = int(m.group(1)), s[end + 1:]
    elif s.startswith("`"):
        m = re.match(r"^(`+)\s*([1-5]\d\d)\b[^`]*\1", s)
        if m:
            status, tail = int(m.group(2)), s[m.end():]
    else:
        m = re.match(r"^([1-5]\d\d)\b((?:\s+[A-Z][A-Za-z-]*)*)", s)
        if m:
            status, tail = int(m.group(1)), s[m.end():]
    return status, tail.strip().lstrip(":—–-").strip()


def split_segments(line: str) -> list[str]:
    """Split a line on ` · ` separators outside code spans (`Auth: public · Rate limit: 10/min`)."""
    out: list[str] = []
    buf: list[str] = []
    in_code = False
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "`":
            in_code = not in_code
        if not in_code and ch == "·" and line[i - 1:i] == " " and line[i + 1:i + 2] == " ":
            out.append("".join(buf).strip())
            buf = []
            i += 1
            continue
        buf.append(ch)
        i += 1
    out.append("".join(buf).strip())
    return [s for s in out if s]


def match_label(segment: str) -> LabelLine | None:
    """A segment that starts with a label → LabelLine; None for plain content."""
    s = segment.strip()
    if s.startswith("- ") or s.startswith("* "):
        s = s[2:].strip()
    bold = strip_bold_label(s)
    if bold is not None:
        label, rest = bold
        label_clean = label.strip().rstrip(":").strip()
        kind = classify(label_clean, bold=True)
        if kind is None:
            return None
        status = first_status(label_clean)
        if status is None and (kind is Label.RESPONSE or (kind is Label.ERRORS and rest.strip().startswith("("))):
            st, tail = status_prefix(rest)
            if st is not None:
                status, rest = st, tail
            else:
                rest = rest.lstrip(":").strip()
        else:
            rest = rest.lstrip(":").strip()
        return LabelLine(kind, flat(label_clean), status, rest.strip().lstrip(":—–").strip(), True)
    m = _PLAIN_LABEL.match(s)
    if m:
        kind = classify(m.group("label"), bold=False)
        if kind is None or kind in (Label.OTHER, Label.ENDPOINT):
            return None
        status = first_status(m.group("status") or "")
        rest = m.group("rest").strip()
        if status is None and kind is Label.RESPONSE:
            status, rest = status_prefix(rest)
        return LabelLine(kind, m.group("label").strip(), status, rest, False)
    return None


def split_mid_bold_status(segment: str) -> tuple[str, str] | None:
    """`Cancels a hold. **204 No Content**` → ("Cancels a hold.", "**204 No Content**")."""
    m = _MID_BOLD_STATUS.search(segment)
    if not m or m.start() == 0:
        return None
    return segment[: m.start()].strip(), segment[m.start():].strip()


# ---------------------------------------------------------------- table header vocabulary

# header word (lower case, plain) → column role. Tables are recognized by roles, in any column order.
HEADER_ROLES: dict[str, str] = {
    "field": "name", "property": "name", "name": "name", "parameter": "name", "param": "name", "query": "name",
    "header": "name", "attribute": "name", "key": "name", "argument": "name", "column": "name", "query parameter": "name",
    "path parameter": "name", "field name": "name",
    "type": "type", "data type": "type", "schema": "type",
    "required": "required", "req": "required", "required?": "required", "mandatory": "required", "optional": "optional",
    "default": "default", "default value": "default",
    "description": "description", "desc": "description", "summary": "description", "meaning": "description", "purpose": "description",
    "validation": "constraints", "constraints": "constraints", "rules": "constraints", "format": "constraints",
    "notes": "notes", "note": "notes", "comments": "notes", "example": "example", "values": "values",
    "method": "method", "verb": "method", "http method": "method",
    "endpoint": "path", "path": "path", "route": "path", "url": "path", "uri": "path",
    "auth": "auth", "auth required": "auth", "authentication": "auth", "access": "auth", "permissions": "auth", "roles": "auth",
    "status": "status", "http status": "status", "status code": "status", "http code": "status", "http": "status",
    "code": "code", "error": "code", "error code": "code", "example code": "code",
    "message": "message", "example message": "message", "when": "message", "reason": "message", "cause": "message",
    "failure": "message", "condition": "message", "response": "response",
}


def header_roles(header: list[str]) -> list[str]:
    out: list[str] = []
    for h in header:
        key = re.sub(r"\s+", " ", flat(h).lower().strip(" `*:"))
        out.append(HEADER_ROLES.get(key, ""))
    return out


# ---------------------------------------------------------------- group names (tags)

NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|[A-Z]\.)\s+")
_GROUP_STOPWORDS = re.compile(r"\b(endpoints?|apis?|reference|specification|spec)\b", re.I)


def group_name(title: str) -> str:
    """"3.2 Authentication Endpoints" → "Authentication"; "Auth — `/api/auth`" → "Auth"."""
    t = flat(title)
    t = NUMBERING.sub("", t)
    t = re.sub(r"\s*[—–:-]\s*/\S*\s*$", "", t)
    t = re.sub(r"\s*\([^)]*\)\s*$", "", t)
    t = _GROUP_STOPWORDS.sub(" ", t)
    t = re.sub(r"^[^\w]+", "", t)
    return re.sub(r"\s+", " ", t).strip(" -—–:&/")
