"""GitHub's REST API description through the importer and back (issue 6).

The document is `generated/api.github.com.json` of the npm package @octokit/openapi (pinned; fetched
with `npm pack` into bench/.node/, never committed). Stages, timed one by one with the same library
calls the CLI makes:

    import    api.spec_from_openapi(FILE)             (read + parse + importer: `docs --from-openapi`)
    render    api.canonical_docs(spec) + write files  (the rest of `roundtrip docs --from-openapi FILE`)
    load      api.load(DIR)                           (read the canonical docs back)
    openapi   api.openapi(spec)                       (build + validate the OpenAPI document again)

Then the original and the compiled-back documents are compared the way tests/test_importers.py does
(per `METHOD path`: numbered response statuses, leaving out the success response the emitter adds
when none is documented, and parameters as (in, name, required) without cookies), counting what
survives: paths, operations, (operation, status) pairs, parameters, and component schemas by name
(their fields are not compared here). A crash in any stage is a
roundtrip bug: the traceback is kept in the report. Run alone: `python bench/octokit_import.py`.
"""

from __future__ import annotations

import re
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import node_tools

PACKAGE, VERSION = "@octokit/openapi", "23.0.2"
MEMBER = "generated/api.github.com.json"  # api.github.com; 23.0.2 ships it as OpenAPI 3.0.3
HTTP = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
SHOWN = 8  # examples of lost items kept in the report
DIAGNOSTICS_SHOWN = 2  # examples per diagnostic code

T = TypeVar("T")


@dataclass
class Survival:
    """How many items of one kind the original has, and how many of those come back unchanged."""

    original: int = 0
    back: int = 0  # items of this kind in the compiled-back document
    kept: int = 0  # of the original's, present after the round trip
    lost: list[str] = field(default_factory=list)  # first few, for the report

    @property
    def share(self) -> float | None:
        return self.kept / self.original if self.original else None


@dataclass
class Report:
    source: str = ""
    openapi_version: str = ""
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    operations_imported: int | None = None
    schemas_imported: int | None = None
    docs_bytes: int | None = None
    diagnostics: dict[str, int] = field(default_factory=dict)  # code -> count, on the way back
    diagnostic_examples: list[str] = field(default_factory=list)  # the first few of each code
    survival: dict[str, Survival] = field(default_factory=dict)  # paths, operations, statuses, parameters
    skipped: str = ""
    crash: str = ""  # stage + traceback: a roundtrip bug

    def table(self) -> str:
        if self.skipped:
            return f"octokit import: skipped: {self.skipped}"
        lines = [f"octokit import: {self.source} (OpenAPI {self.openapi_version})"]
        lines.append(
            "  "
            + ", ".join(f"{stage} {s:.2f} s" for stage, s in self.seconds.items())
            + f"; total {sum(self.seconds.values()):.2f} s"
        )
        if self.operations_imported is not None:
            lines.append(
                f"  imported {self.operations_imported} operations, {self.schemas_imported} schemas; "
                f"canonical docs {self.docs_bytes or 0:,} bytes"
            )
        if self.diagnostics:
            lines.append(
                "  diagnostics reading the docs back: "
                + ", ".join(f"{code} x{n}" for code, n in sorted(self.diagnostics.items()))
            )
            lines += [f"    {example}" for example in self.diagnostic_examples]
        if self.survival:
            lines.append(f"  {'round trip':12} {'original':>9} {'back':>9} {'kept':>9} {'kept %':>7}")
            for kind, s in self.survival.items():
                lines.append(f"  {kind:12} {s.original:9d} {s.back:9d} {s.kept:9d} {_pct(s.share):>7}")
            for kind, s in self.survival.items():
                if s.lost:
                    lines.append(f"  lost {kind} (first {len(s.lost)}): " + "; ".join(s.lost))
        if self.crash:
            lines.append("  CRASH (a roundtrip bug):\n    " + self.crash.rstrip().replace("\n", "\n    "))
        return "\n".join(lines)

    def summary(self) -> str:
        if self.skipped:
            return self.skipped
        if self.crash:
            return "crashed in " + self.crash.split(":", 1)[0]
        parts = [f"{kind} {_pct(s.share)} kept" for kind, s in self.survival.items()]
        return f"{self.operations_imported} operations imported; " + ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f}"


# ---------------------------------------------------------------- comparison


def _deref(doc: dict[str, Any], node: Any) -> Any:
    for _ in range(20):  # chains of $ref; a cycle ends here rather than looping
        if not (
            isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")
        ):
            return node
        target: Any = doc
        for part in node["$ref"][2:].split("/"):
            target = (
                target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
            )
        node = target
    return node


def operations(doc: dict[str, Any]) -> dict[str, dict[str, set[Any]]]:
    """`METHOD path` -> {"statuses": {...}, "parameters": {(in, name, required)}}, as tests/test_importers.py
    normalizes them."""
    out: dict[str, dict[str, set[Any]]] = {}
    for path, item in (doc.get("paths") or {}).items():
        item = _deref(doc, item)
        if not isinstance(item, dict):
            continue
        for method in HTTP:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            params = set()
            for p in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
                p = _deref(doc, p)
                if isinstance(p, dict) and p.get("in") != "cookie" and "name" in p:
                    params.add((p["in"], p["name"], bool(p.get("required")) or p["in"] == "path"))
            statuses = {
                str(s)
                for s, r in (op.get("responses") or {}).items()
                if re.fullmatch(r"[1-5]\d\d", str(s)) and not _deref(doc, r).get("x-roundtrip-undocumented")
            }
            key = f"{method.upper()} {path.rstrip('/') if len(path) > 1 else path}"
            out[key] = {"statuses": statuses, "parameters": params}
    return out


def _schema_names(doc: dict[str, Any]) -> set[str]:
    # Compared as the type names the docs can write (`Links-Self` comes back as `LinksSelf`).
    from roundtrip.importers.openapi import schema_name

    return {schema_name(name) for name in ((doc.get("components") or {}).get("schemas") or {})}


def survival(original: dict[str, Any], back: dict[str, Any]) -> dict[str, Survival]:
    a, b = operations(original), operations(back)
    items: dict[str, tuple[set[str], set[str]]] = {
        "paths": ({k.split(" ", 1)[1] for k in a}, {k.split(" ", 1)[1] for k in b}),
        "operations": (set(a), set(b)),
        "statuses": (
            {f"{k} {s}" for k, v in a.items() for s in v["statuses"]},
            {f"{k} {s}" for k, v in b.items() for s in v["statuses"]},
        ),
        "parameters": (
            {f"{k} {p[0]}:{p[1]}{'' if p[2] else '?'}" for k, v in a.items() for p in v["parameters"]},
            {f"{k} {p[0]}:{p[1]}{'' if p[2] else '?'}" for k, v in b.items() for p in v["parameters"]},
        ),
        "schemas": (_schema_names(original), _schema_names(back)),
    }
    return {
        kind: Survival(len(old), len(new), len(old & new), sorted(old - new)[:SHOWN])
        for kind, (old, new) in items.items()
    }


# ---------------------------------------------------------------- the run


def run() -> Report:
    report = Report()
    try:
        source = node_tools.package_file(PACKAGE, VERSION, MEMBER)
    except node_tools.Unavailable as why:
        report.skipped = str(why)
        return report
    import json

    from roundtrip import api

    report.source = f"{PACKAGE}@{VERSION} {MEMBER}"
    original = json.loads(source.read_text(encoding="utf-8"))
    report.openapi_version = str(original.get("openapi", "?"))

    def stage(name: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        try:
            return fn()
        except Exception:
            report.crash = f"{name}: {traceback.format_exc()}"
            raise
        finally:
            report.seconds[name] = time.perf_counter() - start

    with tempfile.TemporaryDirectory(prefix="roundtrip-octokit-") as tmp_name:
        docs_dir = Path(tmp_name)
        try:
            spec = stage("import", lambda: api.spec_from_openapi(str(source)))
            report.operations_imported, report.schemas_imported = len(spec.endpoints), len(spec.schemas)

            def render() -> int:
                files = api.canonical_docs(spec)
                for rel, text in files.items():
                    (docs_dir / rel).parent.mkdir(parents=True, exist_ok=True)
                    (docs_dir / rel).write_text(text, encoding="utf-8")
                return sum(len(t.encode()) for t in files.values())

            report.docs_bytes = stage("render", render)
            result = stage("load", lambda: api.load(docs_dir))
            back, diags = stage("openapi", lambda: api.openapi(result.spec))
        except Exception:  # noqa: BLE001 - the traceback is in the report: a crash is the finding
            return report
    every = [*result.diagnostics, *diags]
    report.diagnostics = dict(Counter(d.code for d in every))
    for code in sorted(report.diagnostics):
        report.diagnostic_examples += [
            f"{d.code} {d.span.file}:{d.span.line} {d.message}"[:300] for d in every if d.code == code
        ][:DIAGNOSTICS_SHOWN]
    report.survival = survival(original, back)
    return report


def main() -> int:
    report = run()
    print(report.table())
    return 1 if report.crash else 0


if __name__ == "__main__":
    raise SystemExit(main())
