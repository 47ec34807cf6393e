"""Writers for a verify report: text (with the coverage matrix), JSON, JUnit XML, GitHub annotations.

File names in diagnostics are relative to the spec root; `display` maps them to what the user
typed (the CLI passes its own function), so annotations land on the right file in CI.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from roundtrip.diagnostics import Diagnostic, Severity
from roundtrip.verify import registry
from roundtrip.verify.run import VerifyReport

FORMATS = ("text", "json", "junit", "github")
Display = Callable[[str], str]


def _same(name: str) -> str:
    return name


def render(report: VerifyReport, fmt: str = "text", display: Display | None = None) -> str:
    show = display or _same
    if fmt == "json":
        return json.dumps(to_json(report, show), indent=2, ensure_ascii=False) + "\n"
    if fmt == "junit":
        return junit(report, show)
    if fmt == "github":
        return github(report, show)
    if fmt == "text":
        return text(report, show)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _line(d: Diagnostic, show: Display) -> str:
    return f"{show(d.span.file)}:{d.span.line}: {d.severity} {d.code}: {d.message}"


def text(report: VerifyReport, show: Display = _same) -> str:
    out: list[str] = []
    if report.usage_error:
        out.append(f"roundtrip verify: {report.usage_error}")
    for d in report.diagnostics:
        out.append(_line(d, show))
    out.append("")
    out.append(f"verify {report.specs}" + (f" against {report.target}" if report.target else ""))
    for s in report.stages:
        detail = f"{len(s.checks)} check(s)" + (f", {s.requests} request(s)" if s.requests else "") if s.status == "ran" else s.reason or s.status
        found = sum(1 for d in report.diagnostics if d.severity >= Severity.ERROR and _stage_of(d.code) == s.name)
        out.append(f"  {s.name:<10} {s.status:<8} {detail}" + (f"; {found} error(s)" if found else ""))
    for note in report.notes:
        if note:
            out.append(f"  note: {note}")
    for crash in report.internal:
        out.append(f"  internal error: {crash}")
    if report.coverage is not None and not report.usage_error:
        out.append(report.coverage.text())
        if report.min_coverage is not None:
            out.append(f"  --min-coverage {report.min_coverage:g}%")
    counts = {s: sum(1 for d in report.diagnostics if d.severity is s) for s in Severity}
    if not report.usage_error:
        out.append(f"verdict: {report.verdict()}")
    out.append(f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} info; outcome: {report.outcome}")
    return "\n".join(out) + "\n"


_stage_of = registry.stage_of


def to_json(report: VerifyReport, show: Display = _same) -> dict[str, Any]:
    diags = []
    for d in report.diagnostics:
        item = d.to_json()
        item["file"] = show(d.span.file)
        item["stage"] = _stage_of(d.code)
        diags.append(item)
    return {
        "outcome": report.outcome,
        "exit_code": report.exit_code,
        "backend_failed": report.backend_failed,
        "specs": report.specs,
        "target": report.target,
        **({"usage_error": report.usage_error} if report.usage_error else {}),
        **({"internal_errors": report.internal} if report.internal else {}),
        "stages": [{"name": s.name, "status": s.status, "reason": s.reason, "checks": s.checks, "requests": s.requests} for s in report.stages],
        "notes": [n for n in report.notes if n],
        "diagnostics": diags,
        "coverage": report.coverage.to_json() if report.coverage is not None else None,
        "min_coverage": report.min_coverage,
    }


def github(report: VerifyReport, show: Display = _same) -> str:
    out: list[str] = []
    if report.usage_error:
        out.append(f"::error title=roundtrip verify::{_gh(report.usage_error)}")
    for d in report.diagnostics:
        level = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(d.severity, "notice")
        out.append(f"::{level} file={show(d.span.file)},line={max(d.span.line, 1)},title={d.code}::{_gh(d.message)}")
    if report.coverage is not None and not report.usage_error:
        out.append(f"::notice title=coverage::{report.coverage.exercised}/{report.coverage.total} documented statuses exercised ({report.coverage.percent:.1f}%)")
    return "\n".join(out) + ("\n" if out else "")


def _gh(message: str) -> str:
    return message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def junit(report: VerifyReport, show: Display = _same) -> str:
    """One testsuite per stage; a testcase per check that ran (failing with its error diagnostics),
    and in the behaviour stage one per coverage cell (endpoint × documented status)."""
    titles = registry.titles()
    suites: list[str] = []
    for stage in report.stages:
        cases: list[str] = []
        errors = [d for d in report.diagnostics if d.severity >= Severity.ERROR and _stage_of(d.code) == stage.name]
        if stage.status != "ran":
            cases.append(f'    <testcase classname="verify.{stage.name}" name="{stage.name}"><skipped message={quoteattr(stage.reason or "skipped")}/></testcase>')
        else:
            for i, check in enumerate(stage.checks):
                body = ""
                if i == 0 and errors:
                    body = "".join(f"<failure message={quoteattr(d.code + ': ' + d.message[:300])} type={quoteattr(d.code)}>"
                                   f"{escape(show(d.span.file))}:{d.span.line}: {escape(d.message)}</failure>" for d in errors)
                cases.append(f'    <testcase classname="verify.{stage.name}" name={quoteattr(check + " — " + titles.get(check, ""))}>{body}</testcase>')
        if stage.name == "behaviour" and report.coverage is not None and stage.status == "ran":
            for key in report.coverage.rows:
                for status, cell in report.coverage.cells[key].items():
                    name = quoteattr(f"{key} → {status}")
                    if cell.state == "failed":
                        inner = f'<failure message="documented status {status} failed">{escape(key)} {status}: see the failures of this stage</failure>'
                    elif cell.state == "passed":
                        inner = ""
                    else:
                        inner = f"<skipped message={quoteattr(cell.why or 'not reachable')}/>"
                    cases.append(f'    <testcase classname="verify.coverage" name={name}>{inner}</testcase>')
        failures = sum(c.count("<failure") for c in cases)
        skipped = sum(1 for c in cases if "<skipped" in c)
        suites.append(f'  <testsuite name="verify.{stage.name}" tests="{len(cases)}" failures="{failures}" errors="0" skipped="{skipped}">\n' + "\n".join(cases) + "\n  </testsuite>")
    if report.usage_error:
        suites.append(f'  <testsuite name="verify" tests="1" failures="0" errors="1"><testcase classname="verify" name="usage"><error message={quoteattr(report.usage_error)}/></testcase></testsuite>')
    return '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="roundtrip verify">\n' + "\n".join(suites) + "\n</testsuites>\n"
