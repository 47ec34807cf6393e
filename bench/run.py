"""Benchmark harness: build a large doc set once, time every registered stage side by side.

    python bench/run.py                     # every benchmark
    python bench/run.py load compile        # only these (the markdown-it baseline always runs)
    python bench/run.py --list              # what is registered
    python bench/run.py --endpoints 200 --tables 60 --repeat 5 --no-memory

Each benchmark is timed `--repeat` times (best run counts, time.perf_counter), then run once more
under tracemalloc for its peak memory: tracing slows code down several times, so it never shares a
run with the timing. Results are printed as a table and written to bench/results/<suite>.json.

Later stages (generate, upgrade, seed, verify) add rows by registering a function:

    @benchmark("generate", suite="generate", description="emit models + migrations")
    def bench_generate(ctx: Context) -> Outcome: ...
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
BASELINE = "markdown"
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

# `python bench/run.py` puts bench/ on sys.path, not the repo: make roundtrip importable from a checkout too.
if str(REPO) not in sys.path:
    sys.path.insert(1, str(REPO))

import make_large  # noqa: E402  (bench/ is on sys.path when run as a script)


@dataclass
class Context:
    """What every benchmark gets: the generated doc set, already on disk and in memory."""

    spec_dir: Path
    texts: dict[str, str]  # file name -> text
    endpoints: int  # what the generator wrote
    tables: int


@dataclass
class Outcome:
    """What a benchmark found, so rows can be compared with what the generator wrote."""

    endpoints: int | None = None
    tables: int | None = None
    note: str = ""
    details: dict[str, Any] | None = None  # figures of its own, written to the suite's JSON
    report: str = ""  # a table of its own, printed after the summary table
    skipped: str = ""  # why it could not run here (no npm, no network): no time is reported


@dataclass
class Benchmark:
    name: str
    suite: str  # results file: bench/results/<suite>.json
    description: str
    fn: Callable[[Context], Outcome]
    once: bool = False  # measures itself (servers, downloads): one run, no tracemalloc run


@dataclass
class Row:
    name: str
    suite: str
    description: str
    seconds: float | None = None  # best of the timed runs
    runs: list[float] = field(default_factory=list)
    ratio: float | None = None  # seconds / baseline seconds
    peak_bytes: int | None = None
    endpoints: int | None = None
    tables: int | None = None
    note: str = ""
    error: str = ""
    details: dict[str, Any] | None = None
    report: str = ""


REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    name: str, *, suite: str, description: str, once: bool = False
) -> Callable[[Callable[[Context], Outcome]], Callable[[Context], Outcome]]:
    def register(fn: Callable[[Context], Outcome]) -> Callable[[Context], Outcome]:
        if name in REGISTRY:
            raise ValueError(f"benchmark {name!r} registered twice")
        REGISTRY[name] = Benchmark(name, suite, description, fn, once)
        return fn

    return register


# ---------------------------------------------------------------- the benchmarks


@benchmark(
    BASELINE, suite="compile", description="markdown-it-py alone: commonmark + table, parse every file"
)
def bench_markdown(ctx: Context) -> Outcome:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    endpoints = tables = 0
    for name, text in ctx.texts.items():
        tokens = md.parse(text)
        # Count what a reader would have to find: `### METHOD /path` headings and `### table` headings.
        for i, tok in enumerate(tokens):
            if tok.type == "heading_open" and tok.tag == "h3":
                head = tokens[i + 1].content.split(" ", 1)[0]
                if head in HTTP_METHODS:
                    endpoints += 1
                elif name.startswith("DATA_MODEL"):
                    tables += 1
    return Outcome(endpoints, tables)


# ----- data layer (issue 3): generate + migrate + seed, on SQLite and on PostgreSQL

def _generate_into(ctx: Context, out: Path) -> tuple[int, int]:
    """The data layer only (models, migrations, seed): the FastAPI app emitter is not part of these rows."""
    from roundtrip import api
    from roundtrip.writer import write_tree

    result = api.load(ctx.spec_dir)
    write_tree(out, api.data_layer_files(result.spec), force=True)
    return len(result.spec.tables), len(result.spec.samples)


@benchmark("generate", suite="data", description="load + emit the data layer (models, migrations, seed) + write it")
def bench_generate(ctx: Context) -> Outcome:
    with tempfile.TemporaryDirectory() as tmp:
        tables, rows = _generate_into(ctx, Path(tmp) / "out")
    return Outcome(None, tables, f"{rows} sample rows")


def _migrate_and_seed(ctx: Context, url_for: Callable[[Path], str]) -> Outcome:
    import roundtrip.db as rdb

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        tables, _ = _generate_into(ctx, out)
        url = url_for(Path(tmp))
        start = time.perf_counter()
        rdb.upgrade(out, url)
        upgraded = time.perf_counter()
        report = rdb.seed(out, url)
        seeded = time.perf_counter()
    return Outcome(None, tables, f"upgrade {upgraded - start:.2f}s + seed {seeded - upgraded:.2f}s ({report.total} rows), generate excluded")


@benchmark("upgrade-sqlite", suite="data", description="generate, then alembic upgrade head + seed on SQLite")
def bench_upgrade_sqlite(ctx: Context) -> Outcome:
    return _migrate_and_seed(ctx, lambda tmp: f"sqlite:///{tmp / 'bench.db'}")


@benchmark("upgrade-postgres", suite="data", description="generate, then alembic upgrade head + seed on PostgreSQL")
def bench_upgrade_postgres(ctx: Context) -> Outcome:
    import os
    import uuid

    import psycopg

    base = os.environ.get("ROUNDTRIP_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"rt_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        return _migrate_and_seed(ctx, lambda tmp: base.rsplit("/", 1)[0] + "/" + name)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ----- round trip (issue 6): canonical docs and the breaking-change diff

@benchmark("docs", suite="roundtrip", description="load + render canonical Markdown (render_docs)")
def bench_docs(ctx: Context) -> Outcome:
    from roundtrip import api

    spec = api.load(ctx.spec_dir).spec
    files = api.canonical_docs(spec)
    return Outcome(len(spec.endpoints), len(spec.tables), f"{sum(len(t) for t in files.values()):,} bytes of docs")


@benchmark("diff", suite="roundtrip", description="load both sides + diff_specs (docs vs their canonical rendering)")
def bench_diff(ctx: Context) -> Outcome:
    from roundtrip import api
    from roundtrip.diff import diff_specs
    from roundtrip.writer import write_tree

    old = api.load(ctx.spec_dir).spec
    with tempfile.TemporaryDirectory() as tmp:
        write_tree(Path(tmp), api.canonical_docs(old), force=True)
        new = api.load(Path(tmp)).spec
    changes = diff_specs(old, new)
    return Outcome(len(new.endpoints), len(new.tables), f"{len(changes)} changes")


def _diagnostic_note(diags: list[Any]) -> str:
    counts: dict[str, int] = {}
    for d in diags:
        counts[str(d.severity)] = counts.get(str(d.severity), 0) + 1
    return ", ".join(f"{counts[k]} {k}" for k in sorted(counts)) or "no diagnostics"


@benchmark("load", suite="compile", description="roundtrip.api.load: read + resolve + validate")
def bench_load(ctx: Context) -> Outcome:
    from roundtrip import api

    result = api.load(ctx.spec_dir)
    return Outcome(len(result.spec.endpoints), len(result.spec.tables), _diagnostic_note(result.diagnostics))


@benchmark(
    "compile", suite="compile", description="roundtrip.api.compile_path: load + OpenAPI build + validation"
)
def bench_compile(ctx: Context) -> Outcome:
    from roundtrip import api

    result, doc = api.compile_path(ctx.spec_dir)
    operations = sum(
        1 for item in doc.get("paths", {}).values() for key in item if key.upper() in HTTP_METHODS
    )
    return Outcome(
        len(result.spec.endpoints),
        len(result.spec.tables),
        f"{operations} OpenAPI operations; {_diagnostic_note(result.diagnostics)}",
    )


# ----- against Node tools (issues 4 and 6): npm-installed into bench/.node, skipped without npm or network


@benchmark(
    "mock-vs-prism", suite="tools", description="generated mock server vs prism mock: rps, p99", once=True
)
def bench_mock_vs_prism(ctx: Context) -> Outcome:
    import mock_vs_prism

    r = mock_vs_prism.run()
    return Outcome(len(mock_vs_prism.ENDPOINTS), None, r.summary(), r.as_dict(), r.table(), r.skipped)


@benchmark(
    "octokit", suite="tools", description="GitHub's OpenAPI: import, canonical docs, compile back", once=True
)
def bench_octokit(ctx: Context) -> Outcome:
    import octokit_import

    r = octokit_import.run()
    if r.crash:
        raise RuntimeError(f"roundtrip crashed on the GitHub document:\n{r.table()}")
    return Outcome(r.operations_imported, None, r.summary(), r.as_dict(), r.table(), r.skipped)


# ----- verify (issue 5): verify vs schemathesis alone on the example doc sets (bench/verify_vs_schemathesis.py)


@benchmark("verify-vs-schemathesis", suite="verify", description="verify vs `st run` alone, same generated app, per doc set", once=True)
def bench_verify_vs_schemathesis(ctx: Context) -> Outcome:
    import verify_vs_schemathesis as vs

    rows = vs.run_all(vs.available())
    return Outcome(note=vs.summary(rows), details=vs.as_dict(rows), report=vs.format_table(rows))


# ---------------------------------------------------------------- measuring


def measure(bench: Benchmark, ctx: Context, repeat: int, memory: bool) -> Row:
    row = Row(bench.name, bench.suite, bench.description)
    try:
        outcome = Outcome()
        for _ in range(1 if bench.once else repeat):
            gc.collect()
            start = time.perf_counter()
            outcome = bench.fn(ctx)
            row.runs.append(time.perf_counter() - start)
        row.seconds = min(row.runs)
        row.endpoints, row.tables, row.note = outcome.endpoints, outcome.tables, outcome.note
        row.details, row.report = outcome.details, outcome.report
        if outcome.skipped:
            row.seconds, row.note = None, f"skipped: {outcome.skipped}"
        if memory and not bench.once:
            gc.collect()
            tracemalloc.start()
            try:
                bench.fn(ctx)
                row.peak_bytes = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    except Exception as exc:  # noqa: BLE001 - a stage that is not built yet must not hide the others' rows
        row.error = f"{type(exc).__name__}: {exc}"
    return row


def build_context(out_dir: Path, endpoints: int, tables: int) -> Context:
    written = make_large.generate(out_dir, endpoints, tables)
    texts = {name: path.read_text(encoding="utf-8") for name, path in written.items()}
    return Context(out_dir, texts, endpoints, tables)


def run(names: list[str], ctx: Context, repeat: int, memory: bool) -> list[Row]:
    # The baseline always runs first: every ratio is relative to it.
    order = [BASELINE] + [n for n in names if n != BASELINE]
    rows = [measure(REGISTRY[n], ctx, repeat, memory) for n in order]
    base = rows[0].seconds
    for r in rows:
        # a self-timed row (servers under load, downloads) has nothing in common with parsing Markdown
        if r.seconds is not None and base and not REGISTRY[r.name].once:
            r.ratio = r.seconds / base
    return rows


# ---------------------------------------------------------------- reporting


def _fmt(value: float | int | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def format_table(rows: list[Row], ctx: Context) -> str:
    header = ("stage", "seconds", "x markdown-it", "peak MiB", "endpoints", "tables", "note")
    body = []
    for r in rows:
        mib = r.peak_bytes / 2**20 if r.peak_bytes is not None else None
        body.append(
            (
                r.name,
                _fmt(r.seconds, ".3f"),
                _fmt(r.ratio, ".1f"),
                _fmt(mib, ".1f"),
                _fmt(r.endpoints, "d"),
                _fmt(r.tables, "d"),
                r.error or r.note,
            )
        )
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body, strict=True)]
    lines = [
        f"input: {ctx.endpoints} endpoints, {ctx.tables} tables, "
        f"{sum(t.count(chr(10)) for t in ctx.texts.values()):,} lines, "
        f"{sum(len(t.encode()) for t in ctx.texts.values()):,} bytes"
    ]
    for i, cells in enumerate([header, *body]):
        lines.append(
            "  ".join(
                str(c).ljust(w) if j in (0, 6) else str(c).rjust(w)
                for j, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_results(rows: list[Row], ctx: Context, repeat: int, results_dir: Path) -> list[Path]:
    results_dir.mkdir(parents=True, exist_ok=True)
    suites: dict[str, list[Row]] = {}
    for r in rows:
        suites.setdefault(r.suite, []).append(r)
    written = []
    for suite, suite_rows in suites.items():
        payload = {
            "suite": suite,
            "input": {
                "endpoints": ctx.endpoints,
                "tables": ctx.tables,
                "lines": sum(t.count("\n") for t in ctx.texts.values()),
                "bytes": sum(len(t.encode()) for t in ctx.texts.values()),
            },
            "repeat": repeat,
            "python": platform.python_version(),
            "rows": [
                {
                    "stage": r.name,
                    "description": r.description,
                    "seconds": r.seconds,
                    "runs": r.runs,
                    "ratio_to_markdown_it": r.ratio,
                    "peak_bytes": r.peak_bytes,
                    "endpoints_found": r.endpoints,
                    "tables_found": r.tables,
                    "note": r.note,
                    "error": r.error,
                    "details": r.details,
                }
                for r in suite_rows
            ],
        }
        path = results_dir / f"{suite}.json"
        path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Time roundtrip's stages against markdown-it-py on a large generated doc set."
    )
    ap.add_argument("names", nargs="*", help="benchmarks to run (default: all); see --list")
    ap.add_argument("--list", action="store_true", help="list the registered benchmarks and exit")
    ap.add_argument("--endpoints", type=int, default=1000)
    ap.add_argument("--tables", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per benchmark; the best one counts")
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    ap.add_argument(
        "--keep", type=Path, help="write the generated doc set here instead of a temporary folder"
    )
    ap.add_argument("--results", type=Path, default=RESULTS_DIR, help="folder for <suite>.json")
    args = ap.parse_args(argv)

    if args.list:
        for b in REGISTRY.values():
            print(f"{b.name:12} [{b.suite}] {b.description}")
        return 0
    unknown = [n for n in args.names if n not in REGISTRY]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(REGISTRY)}", file=sys.stderr)
        return 2
    if args.repeat < 1:
        print("--repeat must be at least 1", file=sys.stderr)
        return 2
    names = args.names or list(REGISTRY)

    with tempfile.TemporaryDirectory(prefix="roundtrip-bench-") as tmp:
        ctx = build_context(args.keep or Path(tmp), args.endpoints, args.tables)
        rows = run(names, ctx, args.repeat, not args.no_memory)
    print(format_table(rows, ctx))
    for r in rows:
        if r.report:
            print(f"\n{r.report}")
    for path in write_results(rows, ctx, args.repeat, args.results):
        print(f"wrote {path}")
    return 1 if any(r.error for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
