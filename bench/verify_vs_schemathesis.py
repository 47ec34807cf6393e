"""verify's wall time against schemathesis alone, per doc set, on the same generated app in one run.

    python bench/verify_vs_schemathesis.py                   # specs + the four shared examples
    python bench/verify_vs_schemathesis.py --max-examples 5 taskboard

For each doc set: generate the app, launch it once (fresh SQLite database, OUT's migrations, the
docs' sample rows), then time

- `roundtrip verify SPECS --base-url URL --db DB` (all four stages: docs, interface, database,
  behaviour with its bounded schemathesis phase), in process; and
- `st run` on the same compiled OpenAPI document against the same app, with settings comparable to
  verify's generated phase: positive data only, the same checks verify applies to generated cases
  (not_a_server_error, status_code_conformance, content_type_conformance,
  response_schema_conformance), the same --max-examples and --seed, examples + fuzzing phases, one
  worker, no shrinking, and the same bearer token (verify gets it as --token).

The ratio (verify / schemathesis) is what issue 5 asks to report: what verify's doc-driven checks
cost on top of a generator-only run. `bench/run.py` registers it as the `verify-vs-schemathesis` row.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
EXAMPLES = REPO.parent / "shared" / "examples"
SETS = {
    "specs": REPO / "specs",
    "taskboard": EXAMPLES / "autoflow-taskboard",
    "exams": EXAMPLES / "peachflow-exams",
    "bookings": EXAMPLES / "peachflow-q01-bookings",
    "library": EXAMPLES / "bmad-library",
}
LOGINS = {"specs": "ana.ribeiro@pantry.dev:PantryDemo123"}
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
ST_TIMEOUT = 900

if str(REPO) not in sys.path:
    sys.path.insert(1, str(REPO))


@dataclass
class Comparison:
    name: str
    verify_seconds: float
    st_seconds: float
    verify_requests: int
    verify_outcome: str
    st_exit: int
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.verify_seconds / self.st_seconds if self.st_seconds else float("inf")


def _headers(specs: Path, base_url: str, login: str | None) -> dict[str, str]:
    """The credentials verify would use (its own login/register logic), for schemathesis too."""
    from roundtrip import api
    from roundtrip.verify.behaviour import Driver
    from roundtrip.verify.bodies import Builder
    from roundtrip.verify.client import Target
    from roundtrip.verify.context import Context, Options
    from roundtrip.verify.credentials import obtain

    spec = api.load(specs).spec
    doc, _ = api.openapi(spec)
    ctx = Context(spec, doc, specs, Options(login=login))
    ctx.target = Target(base_url, spec.info.base_path)
    try:
        driver = Driver(ctx, Builder(spec, doc))
        obtain(ctx, driver.send, driver.body_for)
    finally:
        ctx.target.close()
    return dict(ctx.auth_headers)


def compare(name: str, specs: Path, max_examples: int, seed: int, work: Path) -> Comparison:
    from roundtrip import api
    from roundtrip.verify import verify
    from roundtrip.verify.backend import fresh_database, launched_app, prepare_app_database
    from roundtrip.writer import write_tree

    spec = api.load(specs).spec
    doc, _ = api.openapi(spec)
    out = work / "app"
    write_tree(out, api.generated_files(spec), force=True)
    schema = work / "openapi.json"
    schema.write_text(json.dumps({k: v for k, v in doc.items() if not k.startswith("x-")}), encoding="utf-8")
    with contextlib.ExitStack() as stack:
        url, _ = stack.enter_context(fresh_database(None, work))
        db = prepare_app_database(out, url)
        base = stack.enter_context(launched_app(out, db))
        # One account for both tools, obtained once: verify's own register/login calls would hit the docs'
        # rate limits when repeated, and the same token keeps the two runs comparable.
        headers = _headers(specs, base, LOGINS.get(name))
        token = next(iter(headers.values()), "").split(" ", 1)[-1] or None
        start = time.perf_counter()
        report = verify(specs, base_url=base, db=db, token=token, seed=seed, max_examples=max_examples)
        verify_seconds = time.perf_counter() - start
        requests = sum(s.requests for s in report.stages)
        api_url = base + ("/" + spec.info.base_path.strip("/") if spec.info.base_path.strip("/") else "")
        cmd = [
            str(Path(sys.executable).with_name("st")),
            "run",
            str(schema),
            "--url",
            api_url,
            "--checks",
            CHECKS,
            "--mode",
            "positive",
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            str(max_examples),
            "--seed",
            str(seed),
            "--workers",
            "1",
            "--no-shrink",
            "--continue-on-failure",
        ]
        for k, v in headers.items():
            cmd += ["-H", f"{k}: {v}"]
        start = time.perf_counter()
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=ST_TIMEOUT, cwd=work)
            st_exit, tail = done.returncode, (done.stdout.strip().splitlines() or [""])[-1]
        except subprocess.TimeoutExpired:
            st_exit, tail = -1, f"timed out after {ST_TIMEOUT}s"
        st_seconds = time.perf_counter() - start
    return Comparison(name, verify_seconds, st_seconds, requests, report.outcome, st_exit, tail[:80])


def run_all(names: list[str], max_examples: int = 10, seed: int = 0) -> list[Comparison]:
    rows = []
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"roundtrip-bench-verify-{name}-") as tmp:
            rows.append(compare(name, SETS[name], max_examples, seed, Path(tmp)))
    return rows


def available() -> list[str]:
    return [n for n, p in SETS.items() if p.is_dir()]


def format_table(rows: list[Comparison]) -> str:
    header = (
        "doc set",
        "verify s",
        "st run s",
        "ratio",
        "verify requests",
        "verify outcome",
        "st exit",
        "st summary",
    )
    body = [
        (
            r.name,
            f"{r.verify_seconds:.1f}",
            f"{r.st_seconds:.1f}",
            f"{r.ratio:.2f}",
            str(r.verify_requests),
            r.verify_outcome,
            str(r.st_exit),
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body, strict=True)]
    lines = []
    for i, cells in enumerate([header, *body]):
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def as_dict(rows: list[Comparison]) -> dict[str, object]:
    """Figures for bench/results/verify.json."""
    return {
        r.name: {
            "verify_seconds": round(r.verify_seconds, 2),
            "st_seconds": round(r.st_seconds, 2),
            "ratio": round(r.ratio, 2),
            "verify_requests": r.verify_requests,
            "verify_outcome": r.verify_outcome,
            "st_exit": r.st_exit,
        }
        for r in rows
    }


def summary(rows: list[Comparison]) -> str:
    """One line for bench/run.py's table."""
    return "verify/st: " + "; ".join(
        f"{r.name} {r.verify_seconds:.0f}s/{r.st_seconds:.0f}s = {r.ratio:.2f}x" for r in rows
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="verify's wall time vs schemathesis alone on the same generated app"
    )
    ap.add_argument("names", nargs="*", help=f"doc sets (default: all present): {', '.join(SETS)}")
    ap.add_argument("--max-examples", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    unknown = [n for n in args.names if n not in SETS]
    if unknown:
        print(f"unknown doc set(s): {', '.join(unknown)}; known: {', '.join(SETS)}", file=sys.stderr)
        return 2
    rows = run_all(args.names or available(), args.max_examples, args.seed)
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
