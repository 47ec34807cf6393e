"""Change lists → text, JSON, JUnit XML and GitHub annotations, and the exit code for `--fail-on`.

Spans name files relative to each spec root; `old_root`/`new_root` prefix them (e.g. with the spec
folder inside the repository) so CI annotations land on the right file.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

from roundtrip.diff.rules import RULES, Change, ChangeSeverity
from roundtrip.source import Span

FORMATS = ("text", "json", "junit", "github")


def _where(span: Span | None, root: str) -> str:
    if span is None or span.line <= 0:
        return ""
    prefix = root.rstrip("/") + "/" if root else ""
    return f"{prefix}{span.file}:{span.line}"


def render_text(changes: list[Change], old_root: str = "old", new_root: str = "new") -> str:
    if not changes:
        return "no changes\n"
    lines = []
    for c in changes:
        where = " → ".join(w for w in (_where(c.old, old_root), _where(c.new, new_root)) if w)
        lines.append(f"{c.severity} {c.rule} {c.name}: {c.message}" + (f"  ({where})" if where else ""))
    counts = {s: sum(1 for c in changes if c.severity is s) for s in ChangeSeverity}
    lines.append(f"{counts[ChangeSeverity.BREAKING]} breaking, {counts[ChangeSeverity.WARNING]} warning, "
                 f"{counts[ChangeSeverity.INFO]} info")
    return "\n".join(lines) + "\n"


def render_json(changes: list[Change]) -> str:
    return json.dumps({"changes": [c.to_json() for c in changes]}, indent=2, ensure_ascii=False) + "\n"


def render_junit(changes: list[Change], fail_on: ChangeSeverity = ChangeSeverity.BREAKING, old_root: str = "old",
                 new_root: str = "new") -> str:
    """One test case per change; changes at or above `fail_on` are failures."""
    failures = sum(1 for c in changes if c.severity >= fail_on)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuite name="roundtrip diff" tests="{len(changes)}" failures="{failures}" errors="0">']
    for c in changes:
        name = quoteattr(f"{c.rule} {c.subject}")
        where = " → ".join(w for w in (_where(c.old, old_root), _where(c.new, new_root)) if w)
        out.append(f'  <testcase classname={quoteattr(c.name)} name={name}>')
        if c.severity >= fail_on:
            out.append(f'    <failure type={quoteattr(str(c.severity))} message={quoteattr(c.message)}>{escape(where)}</failure>')
        else:
            out.append(f"    <system-out>{escape(str(c.severity) + ': ' + c.message)}</system-out>")
        out.append("  </testcase>")
    out.append("</testsuite>")
    return "\n".join(out) + "\n"


def _gh_escape(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render_github(changes: list[Change], new_root: str = "", old_root: str = "") -> str:
    """GitHub workflow commands: `::error file=...,line=...,title=RD101::message` (warning, notice)."""
    level = {ChangeSeverity.BREAKING: "error", ChangeSeverity.WARNING: "warning", ChangeSeverity.INFO: "notice"}
    lines = []
    for c in changes:
        span = c.new if c.new is not None and c.new.line > 0 else c.old
        root = new_root if span is c.new else old_root
        loc = ""
        if span is not None and span.line > 0:
            prefix = root.rstrip("/") + "/" if root else ""
            loc = f" file={prefix}{span.file},line={span.line},"
        title = f"title={c.rule} {c.name}"
        lines.append(f"::{level[c.severity]}{loc or ' '}{title}::{_gh_escape(c.message)}".replace(":: ", "::"))
    return "\n".join(lines) + ("\n" if lines else "")


def render(changes: list[Change], fmt: str = "text", *, fail_on: str = "breaking", old_root: str | None = None,
           new_root: str | None = None) -> str:
    """One of FORMATS. Roots prefix the spans' file names: for GitHub annotations pass the spec folder's
    path in the repository (default: none); text and JUnit say "old/" and "new/" unless told otherwise."""
    if fmt == "json":
        return render_json(changes)
    if fmt == "junit":
        return render_junit(changes, severity(fail_on), "old" if old_root is None else old_root, "new" if new_root is None else new_root)
    if fmt == "github":
        return render_github(changes, new_root or "", old_root or "")
    if fmt == "text":
        return render_text(changes, "old" if old_root is None else old_root, "new" if new_root is None else new_root)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def severity(name: str) -> ChangeSeverity:
    try:
        return ChangeSeverity[name.upper()]
    except KeyError:
        raise ValueError(f"unknown severity {name!r}; use breaking, warning or info") from None


def exit_code(changes: list[Change], fail_on: str = "breaking") -> int:
    """1 when any change is at least as severe as `fail_on`, else 0."""
    threshold = severity(fail_on)
    return 1 if any(c.severity >= threshold for c in changes) else 0


__all__ = ["FORMATS", "RULES", "exit_code", "render", "render_github", "render_json", "render_junit", "render_text", "severity"]
