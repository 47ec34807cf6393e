"""How API names meet database names: which table backs a type or an endpoint, which column
backs a field. Pure name logic shared by the resolver (links), the validator and emitters."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from roundtrip.ir.api import Endpoint
from roundtrip.ir.data import Column, Table
from roundtrip.ir.naming import plural, singular, snake, table_candidates

# Suffixes that make a type name a view of a resource: CreateExamRequest → Exam, RoomResponse → Room.
_TYPE_AFFIXES = re.compile(r"^(Create|Update|Patch|Replace|New|Edit)(?=[A-Z])|(Request|Response|Detail|Details|Summary|Result|Input|Output|Dto|DTO|Payload|Body|Item|Object|Entity|Model|Schema)$")
# Unit suffixes that a field may carry while its column does not (amountCents vs amount).
UNIT_SUFFIXES = ("cents", "ms", "millis", "seconds", "secs", "minutes", "mins", "hours", "days", "bytes", "kb", "mb", "pct", "percent")
_PRINCIPAL_COLUMNS = ("password_hash", "hashed_password", "password_digest", "encrypted_password")


def resource_name(type_name: str) -> str:
    base = type_name[:1].upper() + type_name[1:]  # zod: createBookingSchema → CreateBookingSchema
    for _ in range(3):
        stripped = _TYPE_AFFIXES.sub("", base)
        if not stripped or stripped == base:
            break
        base = stripped
    return base


def table_for_type(type_name: str, tables: Sequence[Table]) -> Table | None:
    names = {t.name: t for t in tables}
    for base in dict.fromkeys((type_name, resource_name(type_name))):
        for cand in table_candidates(base):
            if cand in names:
                return names[cand]
    return None


def principal_tables(tables: Sequence[Table]) -> list[Table]:
    """Tables that hold credentials (the users of the API)."""
    return [t for t in tables if any(c.name in _PRINCIPAL_COLUMNS for c in t.columns)]


# Path segments that make an endpoint part of the authentication flow rather than a resource's CRUD.
_AUTH_SEGMENTS = frozenset(
    ("auth", "login", "logout", "register", "signup", "me", "session", "sessions", "refresh", "token")
)


def table_for_segment(segment: str, parents: Sequence[str], tables: Sequence[Table]) -> Table | None:
    """The table a collection segment names: `tasks` → tasks; `/exams/{id}/attempts` → exam_attempts
    (the parent qualifies the name); `attempts` alone → the one table whose name ends in `_attempts`."""
    names = {t.name: t for t in tables}
    base = snake(segment)
    forms = list(dict.fromkeys((base, plural(base), singular(base))))
    for cand in forms:
        if cand in names:
            return names[cand]
    for parent in reversed(parents):
        owner = singular(snake(parent))
        for cand in forms:
            if f"{owner}_{cand}" in names:
                return names[f"{owner}_{cand}"]
    suffixed = [t for t in tables if any(t.name.endswith("_" + cand) for cand in forms)]
    return suffixed[0] if len(suffixed) == 1 else None


def table_for_endpoint(ep: Endpoint, tables: Sequence[Table], field_names: Sequence[str] = ()) -> Table | None:
    """The table an endpoint reads or writes: the last static path segment that names a table is the
    resource, earlier ones are its parents (`/projects/{id}/tasks` → tasks, `/exams/{id}/attempts` →
    exam_attempts, `/bookings/{id}/cancel` → bookings). An auth-flow endpoint (`/auth/login`) names
    no resource: it acts on the credential table of its role (see `principal_for_auth`)."""
    segments = [s for s in ep.path.split("/") if s and not s.startswith("{")]
    for i in range(len(segments) - 1, -1, -1):
        found = table_for_segment(segments[i], segments[:i], tables)
        if found is not None:
            return found
    words = {w for s in segments for w in re.split(r"[-_]", s.lower())}
    if words & _AUTH_SEGMENTS:
        return principal_for_auth(ep, tables, field_names)
    return None


def principal_for_auth(
    ep: Endpoint, tables: Sequence[Table], field_names: Sequence[str] = ()
) -> Table | None:
    """The credential table an auth-flow endpoint acts on, by the role it serves: named in its path
    (`/auth/staff-login` → staff), else by its documented roles (`Auth: member`), else the table whose
    columns best match the body's fields. None when several tables fit equally (a shared `/auth/refresh`)."""
    principals = principal_tables(tables)
    if len(principals) <= 1:
        return principals[0] if principals else None
    segments = [s for s in ep.path.split("/") if s and not s.startswith("{")]
    last_words = set(re.split(r"[-_]", snake(segments[-1]))) if segments else set()
    roles = {snake(r) for r in ep.auth.roles}
    for named in (last_words, roles):
        fits = [t for t in principals if t.name in named or singular(t.name) in named]
        if len(fits) == 1:
            return fits[0]
    wanted = {snake(f) for f in field_names}
    scored = sorted(((len(wanted & set(t.column_names)), t) for t in principals), key=lambda st: -st[0])
    if scored[0][0] > 0 and scored[0][0] > scored[1][0]:
        return scored[0][1]
    return None


class Match(str, enum.Enum):
    EXACT = "exact"  # dueDate ↔ due_date
    UNIT = "unit"  # amountCents ↔ amount: same name but for a unit suffix (a mismatch to report)
    CREDENTIAL = "credential"  # password ↔ password_hash, token ↔ token_hash
    RELATION = "relation"  # labelIds → labels, refreshToken → refresh_tokens, tenantName → tenants.name
    AFFIX = "affix"  # reason ↔ cancel_reason
    NONE = "none"


@dataclass(frozen=True)
class FieldMatch:
    kind: Match
    table: Table | None = None
    column: Column | None = None


def _strip_unit(name: str) -> str | None:
    for u in UNIT_SUFFIXES:
        if name.endswith("_" + u):
            return name[: -len(u) - 1]
    return None


def match_in_table(field: str, table: Table) -> FieldMatch:
    s = snake(field)
    col = table.column(s)
    if col is not None:
        return FieldMatch(Match.EXACT, table, col)
    stripped = _strip_unit(s)
    if stripped and table.column(stripped) is not None:
        return FieldMatch(Match.UNIT, table, table.column(stripped))
    for c in table.columns:
        cs = _strip_unit(c.name)
        if cs and cs == s:
            return FieldMatch(Match.UNIT, table, c)
    for suffix in ("_hash", "_digest", "_encrypted"):
        cred = table.column(s + suffix) or table.column(s.removeprefix("plain_") + suffix)
        if cred is not None:
            return FieldMatch(Match.CREDENTIAL, table, cred)
    # reason ↔ cancel_reason. Only a qualifying prefix on the column: `room` must not match `room_id`.
    for c in table.columns:
        if c.name.endswith("_" + s):
            return FieldMatch(Match.AFFIX, table, c)
    return FieldMatch(Match.NONE, table)


def match_anywhere(field: str, tables: Sequence[Table], home: Table | None = None) -> FieldMatch:
    """Can any column in the data model store this API field? The home table is tried first."""
    ordered = ([home] if home is not None else []) + [t for t in tables if t is not home]
    best = FieldMatch(Match.NONE)
    for t in ordered:
        m = match_in_table(field, t)
        if m.kind is Match.EXACT:
            return m
        if m.kind is not Match.NONE and (best.kind is Match.NONE or (t is home and m.kind is not Match.UNIT)):
            best = m if best.kind is Match.NONE else best
    if best.kind is not Match.NONE:
        return best
    s = snake(field)
    names = {t.name: t for t in tables}
    # labelIds / label_id → labels; refreshToken → refresh_tokens; tenantName → tenants.name
    ref = re.sub(r"_ids?$", "", s)
    for cand in (plural(ref), ref, singular(ref)):
        if cand in names:
            return FieldMatch(Match.RELATION, names[cand])
    head, _, rest = s.partition("_")
    while rest:
        for cand in (plural(head), head):
            owner = names.get(cand)
            if owner is not None and owner.column(rest) is not None:
                return FieldMatch(Match.RELATION, owner, owner.column(rest))
        h2, _, rest = rest.partition("_")
        head = f"{head}_{h2}"
    return FieldMatch(Match.NONE)
