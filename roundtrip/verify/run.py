"""`roundtrip verify`: the stages in order, one report.

    report = verify(Path("specs"), base_url="http://127.0.0.1:8000", login="ana@x.dev:secret")
    report.exit_code   # 0 everything holds, 1 a finding, 2 usage problem (unreachable, not an API …)

Stage 1 (docs) always runs. Stages 2 and 4 need a backend (--app or --base-url), stage 3 a
database (--db, or the fresh one --app builds). A usage problem stops the run with a message;
it never surfaces as a traceback.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from roundtrip.diagnostics import Diagnostic, Severity
from roundtrip.verify import registry
from roundtrip.verify.backend import (
    fetch_openapi,
    fresh_database,
    launched_app,
    prepare_app_database,
    require_app,
    run_database_stage,
)
from roundtrip.verify.behaviour import Driver
from roundtrip.verify.bodies import Builder
from roundtrip.verify.client import Target, UsageError
from roundtrip.verify.context import Context, Options, StageResult
from roundtrip.verify.coverage import Coverage
from roundtrip.verify.credentials import obtain
from roundtrip.verify.docs_stage import run_docs_stage
from roundtrip.verify.examples import find_examples
from roundtrip.verify.fuzz import run_fuzz
from roundtrip.verify.interface import run_interface_stage

STAGES = ("docs", "interface", "database", "behaviour")


@dataclass
class VerifyReport:
    specs: str
    target: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stages: list[StageResult] = field(default_factory=list)
    coverage: Coverage | None = None
    notes: list[str] = field(default_factory=list)
    usage_error: str = ""
    min_coverage: float | None = None
    internal: list[str] = field(default_factory=list)  # a check that crashed (a verify bug): exit 3

    @property
    def failed(self) -> bool:
        return any(d.severity >= Severity.ERROR for d in self.diagnostics)

    @property
    def backend_failed(self) -> bool:
        """An error in the interface, database or behaviour stage: the backend differs from the docs."""
        return any(d.severity >= Severity.ERROR and registry.stage_of(d.code) != "docs" for d in self.diagnostics)

    def docs_findings(self) -> list[Diagnostic]:
        """The docs stage's warnings and errors: the documents contradict themselves or their examples."""
        return [d for d in self.diagnostics if d.severity >= Severity.WARNING and registry.stage_of(d.code) == "docs"]

    @property
    def outcome(self) -> str:
        """passed; failed (a backend stage failed); docs-contradict (the backend holds to the docs, but the
        docs contradict themselves: still exit 1, the docs need fixing); usage; internal-error."""
        if self.usage_error:
            return "usage"
        if self.internal:
            return "internal-error"
        if self.backend_failed:
            return "failed"
        return "docs-contradict" if self.failed else "passed"

    @property
    def exit_code(self) -> int:
        return {"usage": 2, "failed": 1, "docs-contradict": 1, "passed": 0, "internal-error": 3}[self.outcome]

    def verdict(self) -> str:
        """One sentence that says which side is at fault."""
        ran = [s.name for s in self.stages if s.name != "docs" and s.status == "ran"]
        docs = [d for d in self.diagnostics if d.severity >= Severity.ERROR and registry.stage_of(d.code) == "docs"]
        backend = f"backend stages ({', '.join(ran)}): " if ran else "no backend stage ran; "
        backend += ("failed" if self.backend_failed else "no failure") if ran else ""
        docs_part = f"docs stage: {len(docs)} error(s) in the documents themselves (fix the docs)" if docs else "docs stage: no error"
        return f"{backend.rstrip('; ')}; {docs_part}"

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity >= Severity.ERROR]


def verify(specs: Path, *, app: Path | None = None, base_url: str | None = None, db: str | None = None, token: str | None = None,
           login: str | None = None, seed: int = 0, max_examples: int = 10, min_coverage: float | None = None,
           stages: tuple[str, ...] = STAGES, fuzz: bool = True) -> VerifyReport:
    """Run the stages against the docs in `specs`; see the module docstring."""
    options = Options(app=app, base_url=base_url, db=db, token=token, login=login, seed=seed, max_examples=max_examples,
                      min_coverage=min_coverage, stages=tuple(stages), fuzz=fuzz)
    report = VerifyReport(str(specs), min_coverage=min_coverage)
    with contextlib.ExitStack() as stack:
        try:
            _run(Path(specs), options, report, stack)
        except UsageError as err:
            report.usage_error = str(err)
    return report


def _guarded(report: VerifyReport, check_id: str, run: Callable[[Driver], None], driver: Driver) -> None:
    """Run one check; a crash inside it is verify's bug: record it (exit 3) and go on with the others."""
    try:
        run(driver)
    except UsageError:
        raise
    except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others' findings
        report.internal.append(f"{check_id}: {type(exc).__name__}: {exc} (please report this verify bug)")


def _stage(report: VerifyReport, name: str) -> StageResult:
    s = StageResult(name)
    report.stages.append(s)
    return s


def _run(specs: Path, options: Options, report: VerifyReport, stack: contextlib.ExitStack) -> None:
    from roundtrip import api

    if options.app is not None and options.base_url:
        raise UsageError("give either --app OUT or --base-url URL, not both")
    if options.max_examples < 0:
        raise UsageError("--max-examples must be 0 or more")
    if options.min_coverage is not None and not 0 <= options.min_coverage <= 100:
        raise UsageError("--min-coverage is a percentage between 0 and 100")
    compiled = api.load(specs)
    usage = [d for d in compiled.diagnostics if d.code in ("RT101", "RT102")]
    if usage:
        raise UsageError("; ".join(f"{d.span}: {d.message}" for d in usage))
    doc, _ = api.openapi(compiled.spec)
    ctx = Context(compiled.spec, doc, specs, options)
    report.coverage = ctx.coverage
    examples = find_examples(compiled.spec, specs)
    try:
        _stages(ctx, compiled.diagnostics, examples, options, report, stack)
    finally:
        report.diagnostics = sorted(ctx.diagnostics, key=lambda d: (d.span.file, d.span.line, d.code, d.message))


def _stages(ctx: Context, lint: list[Diagnostic], examples: list, options: Options, report: VerifyReport,  # type: ignore[type-arg]
            stack: contextlib.ExitStack) -> None:
    docs = _stage(report, "docs")
    if "docs" in options.stages:
        docs.checks = run_docs_stage(ctx, lint, examples)
        docs.status = "ran"
    base_url = options.base_url
    db_url = options.db
    if options.app is not None:
        require_app(options.app)
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="roundtrip-verify-")))
        fresh_url, described = stack.enter_context(fresh_database(options.db, work))
        db_url = prepare_app_database(options.app, fresh_url)
        base_url = stack.enter_context(launched_app(options.app, db_url))
        report.notes.append(f"launched {options.app} at {base_url} on {described}, built by its migrations")
    report.target = base_url or ""
    interface = _stage(report, "interface")
    database = _stage(report, "database")
    behaviour = _stage(report, "behaviour")
    if db_url and "database" in options.stages:
        database.checks = run_database_stage(ctx, db_url)
        database.status = "ran"
    elif not db_url:
        database.reason = "no database: pass --db URL (or --app OUT)"
    if not base_url:
        interface.reason = behaviour.reason = "no backend: pass --base-url URL or --app OUT"
        ctx.coverage.explain_all("no backend given (pass --base-url or --app)")
        return
    target = Target(base_url, ctx.spec.info.base_path)
    stack.callback(target.close)
    ctx.target = target
    if "interface" in options.stages or "behaviour" in options.stages:
        backend = fetch_openapi(target)
        interface.checks = run_interface_stage(ctx, backend)
        interface.status = "ran"
        interface.requests = target.count
    if "behaviour" not in options.stages:
        return
    before = target.count
    builder = Builder(ctx.spec, ctx.doc)
    driver = Driver(ctx, builder)
    driver.examples = examples
    obtain(ctx, driver.send, driver.body_for)
    report.notes.append(ctx.credential_note)
    for check in registry.BEHAVIOUR:
        if check.run is not None:
            _guarded(report, check.id, check.run, driver)
            behaviour.checks.append(check.id)
    if options.fuzz and options.max_examples > 0:
        fuzzed: list[tuple[int, str]] = []
        _guarded(report, registry.FUZZ.id, lambda d: fuzzed.append(run_fuzz(d, options.max_examples, options.seed)), driver)
        behaviour.checks.append(registry.FUZZ.id)
        for sent, note in fuzzed:
            report.notes.append(note or f"schemathesis: {sent} generated request(s), seed {options.seed}, at most {options.max_examples} per operation")
    if driver.rate_limited:
        hit = sorted(set(driver.rate_limited))
        report.notes.append(f"{len(driver.rate_limited)} answer(s) were 429 (rate limited) and were not judged: {', '.join(hit)}")
    behaviour.status = "ran"
    behaviour.requests = target.count - before
    for ep in ctx.spec.endpoints:
        if not any(e.status == 403 for e in ep.errors):
            ctx.coverage.explain(ep.key, 403, "403 comes only from the common error table: no documented role or ownership rule to break")
    ctx.coverage.default_reasons(tuple(ep.key for ep in ctx.spec.endpoints
                                       if ep.request is None and not any(p.get("in") == "query" for p in builder.parameters(ep))))
    if options.min_coverage is not None and ctx.coverage.percent < options.min_coverage:
        span = ctx.where.first_file()
        ctx.report("RT440", span, f"{ctx.coverage.exercised}/{ctx.coverage.total} documented statuses exercised ({ctx.coverage.percent:.1f}%), "
                   f"below --min-coverage {options.min_coverage:g}%; see the coverage matrix for what is not reachable and why")
