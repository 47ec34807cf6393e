"""The schemathesis phase: generated requests for every documented operation, fixed seed, bounded budget.

schemathesis (4.x) generates the cases from the compiled OpenAPI; verify sends them itself (same
client, same curl lines, same coverage matrix) and judges each answer with the same rules as the
deterministic checks, so a failure here is one of our diagnostics at a doc line:

- a 5xx → RT438 at the endpoint;
- a success status the docs do not document → RT430 at the documented success response;
- a body or content type that contradicts the documented status → RT431/RT433/RT421 at the field;
- a client-error status the docs do not document for generated input → RT439, a note: generated
  values can break rules the docs state only in prose (sort fields, password rules …).

Findings on an endpoint that a deterministic check already failed are kept as notes: they are most
likely the same defect seen again, and the deterministic finding says it precisely.
Only positive data is generated (valid per the docs); our own checks build the invalid inputs.
"""

from __future__ import annotations

from typing import Any

from roundtrip.diagnostics import Severity
from roundtrip.ir import Endpoint
from roundtrip.verify.behaviour import Driver
from roundtrip.verify.client import UsageError


def run_fuzz(d: Driver, max_examples: int, seed: int) -> tuple[int, str]:
    """Returns (cases sent, note). Never raises for what the backend does; UsageError propagates."""
    try:
        import schemathesis
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import seed as fixed_seed
    except ImportError as exc:  # pragma: no cover - schemathesis is a dependency
        return 0, f"schemathesis phase skipped: {exc}"
    ctx = d.ctx
    try:
        schema = schemathesis.openapi.from_dict(ctx.relaxed)
    except Exception as exc:  # noqa: BLE001 - a document schemathesis cannot load is a note, not a crash
        return 0, f"schemathesis could not load the compiled OpenAPI: {type(exc).__name__}: {exc}"
    failed_before = {ep.key for ep in ctx.spec.endpoints if ctx.has_failed(ep)}
    sent = 0
    usage: list[UsageError] = []
    for result in schema.get_all_operations():
        try:
            op = result.ok()  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - an operation schemathesis cannot build is skipped
            continue
        ep = ctx.spec.endpoint(str(op.method).upper(), str(op.path))
        if ep is None or not ctx.served(ep) or (ctx.needs_auth(ep) and not ctx.auth_headers):
            continue
        severity = Severity.INFO if ep.key in failed_before else None
        cases = _generate(op, max_examples, seed, given, settings, fixed_seed, HealthCheck, Phase)
        for case in cases[:max_examples]:
            try:
                _send(d, ep, case, severity)
                sent += 1
            except UsageError as err:
                usage.append(err)
                break
        if usage:
            raise usage[0]
    return sent, ""


def _generate(op: Any, max_examples: int, seed: int, given: Any, settings: Any, fixed_seed: Any, health: Any, phase: Any) -> list[Any]:
    """Draw up to `max_examples` cases for one operation (Hypothesis, fixed seed, no shrinking, no database)."""
    cases: list[Any] = []

    @fixed_seed(seed)
    @settings(max_examples=max_examples, deadline=None, database=None, suppress_health_check=list(health), phases=[phase.explicit, phase.generate])
    @given(case=op.as_strategy())
    def collect(case: Any) -> None:
        cases.append(case)

    try:
        collect()
    except Exception:  # noqa: BLE001 - generation problems (unsatisfiable schemas) are not backend failures
        pass
    return cases


def _send(d: Driver, ep: Endpoint, case: Any, severity: Severity | None) -> None:
    ctx = d.ctx
    values = {k: str(v) for k, v in (case.path_parameters or {}).items()}
    query = dict(case.query or {}) or None
    body = case.body
    has_body = type(body).__name__ != "NotSet"
    ex = d.send(ep, values, query=query, body=body if has_body else None, has_body=has_body)
    documented = ctx.documented_statuses(ep)
    if ex.status >= 500:
        span = ctx.where.endpoint(ep)
        ctx.report("RT438", span, f"{ep.key} ({span}) answers {ex.got()} to a request generated from the docs; reproduce: {ex.curl()}",
                   key=("fuzz-5xx", ep.key), endpoint=ep, severity=severity)
        ctx.coverage.fail(ep.key, ex.status)
        return
    if ex.status in documented:
        if not ctx.check_body(ep, ex, severity=severity):
            ctx.coverage.fail(ep.key, ex.status)
        return
    if 200 <= ex.status < 300:
        want = ctx.success_status(ep)
        if want is None:
            return  # the docs document no success status for this endpoint: nothing to contradict
        span = ctx.where.success(ep, want)
        ctx.report("RT430", span, f"{ep.key} answers {ex.status}, the docs say {want} ({span}); reproduce: {ex.curl()}",
                   key=("b-status", ep.key, want), endpoint=ep, severity=severity)
        return
    span = ctx.where.endpoint(ep)
    ctx.report("RT439", span, f"{ep.key} answers {ex.status} to generated input, a status the docs ({span}) do not document for it; reproduce: {ex.curl()}",
               key=("fuzz-4xx", ep.key, ex.status), endpoint=ep)
