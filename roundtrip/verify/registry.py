"""The checks verify runs, as data: id, stage, what it checks, which codes it reports.

The behaviour stage runs BEHAVIOUR in this order (the order matters: the chains create their own
data first, the docs' DELETE examples run last so the sample rows stay for everything else). The
report and the JUnit writer list checks from here, so the output names every check that ran.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from roundtrip.verify import behaviour, chain


@dataclass(frozen=True)
class Check:
    id: str
    stage: str
    title: str
    codes: tuple[str, ...]
    run: Callable[[Any], None] | None = None


DOCS = (
    Check("docs.lint", "docs", "contradictions between the documents (lint)", ("RT2xx",)),
    Check("docs.examples", "docs", "every JSON example validates against the schema it illustrates", ("RT400",)),
    Check("docs.request-examples", "docs", "every example request body validates against the request schema", ("RT400",)),
    Check("docs.sample-rows", "docs", "every sample row satisfies its table's types and constraints", ("RT401",)),
)
INTERFACE = (
    Check("interface.endpoints", "interface", "documented endpoints exist, no undocumented ones", ("RT410", "RT411")),
    Check("interface.parameters", "interface", "parameters: presence, required, type, default", ("RT412", "RT413")),
    Check("interface.statuses", "interface", "success statuses and declared error statuses", ("RT414", "RT415", "RT416")),
    Check("interface.bodies", "interface", "request and response fields, constraints, content types", ("RT417", "RT418", "RT419", "RT421", "RT422")),
    Check("interface.security", "interface", "security requirements", ("RT420",)),
)
DATABASE = (
    Check("database.schema", "database", "the database (migrated fresh, or the one given) matches the docs", ("RT450-RT460",)),
)
BEHAVIOUR = (
    Check("behaviour.chain", "behaviour", "create → get → list → update → delete per resource", ("RT430", "RT431", "RT436"), chain.run_chains),
    Check("behaviour.examples", "behaviour", "each documented example request", ("RT430", "RT431", "RT421"), lambda d: behaviour.run_examples(d, deletes=False)),
    Check("behaviour.not-found", "behaviour", "unknown id → the documented 404", ("RT432", "RT433"), behaviour.run_not_found),
    Check("behaviour.conflict", "behaviour", "duplicate unique value → the documented 409", ("RT432", "RT433"), behaviour.run_conflicts),
    Check("behaviour.validation", "behaviour", "invalid field → the documented validation status", ("RT435", "RT432", "RT433"), behaviour.run_validation),
    Check("behaviour.bad-credentials", "behaviour", "credentials nobody holds → the documented 401", ("RT432", "RT433"), behaviour.run_bad_credentials),
    Check("behaviour.forbidden", "behaviour", "a second, fresh account → the documented 403 (roles, ownership)", ("RT432", "RT433"), behaviour.run_forbidden),
    Check("behaviour.refresh", "behaviour", "the login's refresh token → the documented success of the refresh endpoint", ("RT430",), behaviour.run_refresh),
    Check("behaviour.auth", "behaviour", "every protected endpoint refuses anonymous and bogus-token calls", ("RT434",), behaviour.run_auth),
    Check("behaviour.pagination", "behaviour", "list endpoints follow the pagination convention", ("RT437",), behaviour.run_pagination),
    Check("behaviour.delete-examples", "behaviour", "the documented DELETE example requests (run last)", ("RT430",), lambda d: behaviour.run_examples(d, deletes=True)),
)
FUZZ = Check("behaviour.schemathesis", "behaviour", "generated requests (schemathesis, fixed seed, bounded)", ("RT438", "RT430", "RT431", "RT439"))

ALL = (*DOCS, *INTERFACE, *DATABASE, *BEHAVIOUR, FUZZ)


def titles() -> dict[str, str]:
    return {c.id: c.title for c in ALL}


def stage_of(code: str) -> str:
    """The stage a diagnostic code belongs to: RT2xx/RT3xx (lint) and RT400-RT409 are the docs stage."""
    n = int(code[2:]) if code[2:].isdigit() else 0
    if 410 <= n < 430:
        return "interface"
    if 450 <= n < 470:
        return "database"
    if 430 <= n < 445:
        return "behaviour"
    return "docs"
