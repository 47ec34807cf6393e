"""The generated mock server against Prism (issue 4): throughput and p99 latency, side by side.

Both servers answer the same compiled OpenAPI document of specs/ (`roundtrip compile specs`), on
loopback, in the same run, loaded by the same tool with the same settings (autocannon, pinned, one
run per endpoint and server after a short discarded warm-up run):

- mock: the backend `roundtrip serve specs` runs (roundtrip.serve.prepare: generated, migrated and
  seeded into a temporary folder, SQLite), under uvicorn with one worker, rate limits off, and a
  token of the seeded admin for the protected create. This is the compared row: Prism is one Node
  process. Its read cache is on, as users get it by default (READ_CACHE=true: the answers of
  generated GETs are kept per caller and checked against every commit, so the repeated GET by id and
  list mostly come from memory, where Prism answers from the document's examples);
- mock, read cache off (`--no-cache-off-line` to leave it out): the same backend with READ_CACHE=false
  on a copy of the database, for the GET by id and the list: what every read costs when it goes to
  the database, a reference line next to the compared one;
- mock, 2 workers (`--workers 2`, 0 to leave it out): the same backend under uvicorn with two worker
  processes on a copy of the same database, an extra labelled line for what a second core buys (the
  machine's other core also runs autocannon); the compared figures stay the one-worker ones;
- Prism: `prism mock` on the same document. It answers from the document's examples and only checks
  that a credential is present (it does not verify the token and stores nothing), so it does less
  work per request than the mock, which validates, authenticates and reads/writes the database.

Three endpoints: a GET by id, a list and a create. Prism and autocannon come from npm into
bench/.node/ (gitignored, see node_tools.py); without npm or a network the report is a skip, never a
number. Run alone: `python bench/mock_vs_prism.py [--connections 10 --duration 10]`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import node_tools

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "specs"
PINS = {"@stoplight/prism-cli": "5.14.2", "autocannon": "8.0.0"}  # prism 5.15+ needs node >= 24
ADMIN = ("ana.ribeiro@pantry.dev", "PantryDemo123")  # seeded by specs/ sample data
CONNECTIONS = 10
WORKERS = 2  # the extra line: the mock under this many uvicorn workers (0: none)
DURATION = 10  # seconds per endpoint and server
WARMUP = 2  # seconds, discarded: first requests pay for imports, JIT and connection set-up
START_TIMEOUT = 60  # seconds for a server to answer its first request
FAILED_SHARE = 0.01  # more than 1 % non-2xx or socket errors: the figures are shown but not compared


@dataclass(frozen=True)
class Endpoint:
    label: str
    method: str
    path: str
    expected: int


ENDPOINTS = (
    Endpoint("get by id", "GET", "/v1/recipes/{id}", 200),
    Endpoint("list", "GET", "/v1/recipes", 200),
    Endpoint("create", "POST", "/v1/recipes", 201),
)


@dataclass
class Cell:
    """One endpoint on one server."""

    server: str
    endpoint: str
    request: str  # METHOD path as sent
    rps: float | None = None  # mean requests per second over the run
    p99_ms: float | None = None
    requests: int = 0
    failed: int = 0  # non-2xx answers + socket errors + timeouts
    statuses: dict[str, int] = field(default_factory=dict)
    note: str = ""

    @property
    def comparable(self) -> bool:
        return self.rps is not None and self.requests > 0 and self.failed <= FAILED_SHARE * self.requests


MOCK, MOCK_WORKERS, MOCK_NO_CACHE, PRISM = "mock", "mock-workers", "mock-no-cache", "prism"
CACHE_OFF_ENDPOINTS = ("get by id", "list")  # the reads the cache serves; a create is never cached


@dataclass
class Report:
    connections: int
    duration: int
    workers: int = 0  # the extra mock line's uvicorn workers (0: not run)
    cache_off: bool = False  # the reference rows of the mock with READ_CACHE=false were run
    cells: list[Cell] = field(default_factory=list)
    skipped: str = ""
    versions: dict[str, str] = field(default_factory=dict)

    def cell(self, server: str, endpoint: str) -> Cell | None:
        return next((c for c in self.cells if c.server == server and c.endpoint == endpoint), None)

    def ratios(self, endpoint: str, server: str = MOCK) -> tuple[float | None, float | None]:
        """(mock rps / Prism rps, mock p99 / Prism p99), only when both runs were clean."""
        mock, prism = self.cell(server, endpoint), self.cell(PRISM, endpoint)
        if not (mock and prism and mock.comparable and prism.comparable):
            return None, None
        assert (
            mock.rps is not None
            and prism.rps is not None
            and mock.p99_ms is not None
            and prism.p99_ms is not None
        )
        rps = mock.rps / prism.rps if prism.rps else None
        p99 = mock.p99_ms / prism.p99_ms if prism.p99_ms else None
        return rps, p99

    def table(self) -> str:
        if self.skipped:
            return f"mock vs Prism: skipped: {self.skipped}"
        extra = f"mock {self.workers}w" if self.workers else ""
        header = (
            "endpoint",
            "mock rps",
            "mock p99 ms",
            "Prism rps",
            "Prism p99 ms",
            "rps mock/Prism",
            "p99 mock/Prism",
            *((f"{extra} rps", f"{extra} p99 ms", f"rps {extra}/Prism") if extra else ()),
            "note",
        )
        body = []
        for ep in ENDPOINTS:
            mock, prism = self.cell(MOCK, ep.label), self.cell(PRISM, ep.label)
            more = self.cell(MOCK_WORKERS, ep.label)
            rps_ratio, p99_ratio = self.ratios(ep.label)
            notes = [f"{c.server}: {c.note}" for c in (mock, more, prism) if c and c.note]
            body.append(
                (
                    f"{ep.label} ({ep.method} {ep.path})",
                    _num(mock and mock.rps, ".0f"),
                    _num(mock and mock.p99_ms, ".0f"),
                    _num(prism and prism.rps, ".0f"),
                    _num(prism and prism.p99_ms, ".0f"),
                    _num(rps_ratio, ".2f"),
                    _num(p99_ratio, ".2f"),
                    *(
                        (
                            _num(more and more.rps, ".0f"),
                            _num(more and more.p99_ms, ".0f"),
                            _num(self.ratios(ep.label, MOCK_WORKERS)[0], ".2f"),
                        )
                        if extra
                        else ()
                    ),
                    "; ".join(notes),
                )
            )
        for ep in ENDPOINTS:
            off, prism = self.cell(MOCK_NO_CACHE, ep.label), self.cell(PRISM, ep.label)
            if not self.cache_off or off is None:
                continue
            rps_ratio, p99_ratio = self.ratios(ep.label, MOCK_NO_CACHE)
            notes = [f"{c.server}: {c.note}" for c in (off, prism) if c and c.note]
            body.append(
                (
                    f"{ep.label}, read cache off",
                    _num(off.rps, ".0f"),
                    _num(off.p99_ms, ".0f"),
                    _num(prism and prism.rps, ".0f"),
                    _num(prism and prism.p99_ms, ".0f"),
                    _num(rps_ratio, ".2f"),
                    _num(p99_ratio, ".2f"),
                    *(("-", "-", "-") if extra else ()),
                    "; ".join(notes),
                )
            )
        widths = [max(len(str(x)) for x in col) for col in zip(header, *body, strict=True)]
        last = len(header) - 1
        lines = [
            f"mock vs Prism: autocannon, {self.connections} connections, {self.duration} s per endpoint "
            f"and server, loopback; {', '.join(f'{k} {v}' for k, v in self.versions.items())}"
        ]
        if extra:
            lines.append(
                f"mock: one uvicorn worker (the compared row; Prism is one Node process); "
                f"{extra}: {self.workers} uvicorn workers, for reference only"
            )
        cache_note = (
            "mock: read cache on, as users get it (READ_CACHE=true: answers of generated GETs kept per caller, "
            "checked against every commit)"
        )
        if self.cache_off:
            cache_note += "; '..., read cache off' rows: READ_CACHE=false, every read from the database, for reference"
        lines.append(cache_note)
        for i, cells in enumerate([header, *body]):
            lines.append(
                "  ".join(
                    str(c).ljust(w) if j in (0, last) else str(c).rjust(w)
                    for j, (c, w) in enumerate(zip(cells, widths, strict=True))
                ).rstrip()
            )
            if i == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def summary(self) -> str:
        if self.skipped:
            return self.skipped
        parts = []
        for ep in ENDPOINTS:
            rps_ratio, p99_ratio = self.ratios(ep.label)
            parts.append(
                f"{ep.label} x{_num(rps_ratio, '.2f')} rps"
                if rps_ratio is not None
                else f"{ep.label} not compared"
            )
        text = "mock/Prism: " + ", ".join(parts)
        if self.workers:
            more = [self.ratios(ep.label, MOCK_WORKERS)[0] for ep in ENDPOINTS]
            text += f" ({self.workers} workers: " + ", ".join(f"x{_num(r, '.2f')}" for r in more) + ")"
        if self.cache_off:
            off = [(label, self.ratios(label, MOCK_NO_CACHE)[0]) for label in CACHE_OFF_ENDPOINTS]
            text += " (read cache off: " + ", ".join(f"{label} x{_num(r, '.2f')}" for label, r in off) + ")"
        return text

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ratios"] = {
            ep.label: dict(zip(("rps", "p99"), self.ratios(ep.label), strict=True)) for ep in ENDPOINTS
        }
        if self.workers:
            out["ratios_workers"] = {
                ep.label: dict(zip(("rps", "p99"), self.ratios(ep.label, MOCK_WORKERS), strict=True))
                for ep in ENDPOINTS
            }
        if self.cache_off:
            out["ratios_cache_off"] = {
                label: dict(zip(("rps", "p99"), self.ratios(label, MOCK_NO_CACHE), strict=True))
                for label in CACHE_OFF_ENDPOINTS
            }
        return out


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running(name: str, cmd: list[str], env: dict[str, str] | None, probe: str, log: Path) -> Iterator[None]:
    """Start a server, wait until `probe` answers (any status), stop it by its pid when the block ends."""
    import httpx

    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}: {_tail(log)}")
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(probe, timeout=2)
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer within {START_TIMEOUT} s: {_tail(log)}")
            time.sleep(0.3)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _tail(log: Path) -> str:
    return " | ".join(log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:])


# ---------------------------------------------------------------- load


def autocannon(
    url: str, method: str, headers: dict[str, str], body: str | None, connections: int, duration: int
) -> dict[str, Any]:
    cmd = [
        str(node_tools.binary("autocannon")),
        "--json",
        "--no-progress",
        "-c",
        str(connections),
        "-d",
        str(duration),
        "-m",
        method,
    ]
    for key, value in headers.items():
        cmd += ["-H", f"{key}={value}"]
    if body is not None:
        cmd += ["-b", body]
    proc = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=duration + 60)
    if proc.returncode != 0:
        raise RuntimeError(f"autocannon exited with {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return dict(json.loads(proc.stdout))


def measure(
    server: str,
    ep: Endpoint,
    base: str,
    path: str,
    headers: dict[str, str],
    body: str | None,
    connections: int,
    duration: int,
    warmup: int,
) -> Cell:
    """Probe once (the expected status or no figures), warm up, then one timed autocannon run."""
    import httpx

    cell = Cell(server, ep.label, f"{ep.method} {path}")
    probe = httpx.request(ep.method, base + path, headers=headers, content=body, timeout=30)
    if probe.status_code != ep.expected:
        cell.note = f"probe answered {probe.status_code} (expected {ep.expected}): {probe.text[:160]}"
        return cell
    if warmup:
        autocannon(base + path, ep.method, headers, body, connections, warmup)
    result = autocannon(base + path, ep.method, headers, body, connections, duration)
    cell.requests = int(result["requests"]["total"])
    cell.failed = int(result.get("non2xx", 0)) + int(result.get("errors", 0)) + int(result.get("timeouts", 0))
    cell.statuses = {code: int(v["count"]) for code, v in (result.get("statusCodeStats") or {}).items()}
    if cell.requests == 0:
        cell.note = "no response in the whole run"
        return cell
    cell.rps = float(result["requests"]["average"])
    cell.p99_ms = float(result["latency"]["p99"])
    if cell.failed:
        cell.note = f"{cell.failed} of {cell.requests} failed {cell.statuses}"
        if not cell.comparable:
            cell.note += ": not compared"
    return cell


# ---------------------------------------------------------------- the run


def _pantry_requests(base: str) -> tuple[dict[str, str], str, str]:
    """Against the mock: the admin's Authorization header, a seeded recipe id, a valid create body
    (ingredient ids from the seeded ingredients)."""
    import httpx

    with httpx.Client(base_url=base, timeout=30) as c:
        login = c.post("/v1/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]})
        if login.status_code != 200:
            raise RuntimeError(f"login as {ADMIN[0]} answered {login.status_code}: {login.text[:200]}")
        auth = {"Authorization": f"Bearer {login.json()['token']}"}
        recipes = c.get("/v1/recipes").json()["data"]
        ingredients = c.get("/v1/ingredients", params={"limit": 100}).json()["data"]
    if not recipes or len(ingredients) < 2:
        raise RuntimeError("the seeded database has no recipe or fewer than two ingredients")
    body = {
        "title": "Bench Tomato Soup",
        "instructions": "1. Roast.\n2. Blend.",
        "prepMinutes": 10,
        "cookMinutes": 30,
        "servings": 4,
        "ingredients": [
            {"ingredientId": ingredients[0]["id"], "quantity": 1, "unit": "kg"},
            {"ingredientId": ingredients[1]["id"], "quantity": 2, "unit": "piece", "note": "whole"},
        ],
    }
    return auth, str(recipes[0]["id"]), json.dumps(body)


def run(
    connections: int = CONNECTIONS,
    duration: int = DURATION,
    warmup: int = WARMUP,
    workers: int = WORKERS,
    cache_off: bool = True,
) -> Report:
    report = Report(connections, duration, workers if workers > 1 else 0, cache_off)
    try:
        report.versions = {"node": _node_version(), **node_tools.ensure_packages(PINS)}
    except node_tools.Unavailable as why:
        report.skipped = str(why)
        return report
    import uvicorn

    from roundtrip import api
    from roundtrip.serve import app_env, prepare, uvicorn_command

    report.versions.update({"uvicorn": uvicorn.__version__, "python": platform.python_version()})
    with (
        tempfile.TemporaryDirectory(prefix="roundtrip-mock-vs-prism-") as tmp_name,
        contextlib.ExitStack() as stack,
    ):
        tmp = Path(tmp_name)
        result, doc = api.compile_path(SPECS)
        openapi = tmp / "openapi.json"
        openapi.write_text(api.render_openapi(doc, result.spec.files, "json"), encoding="utf-8")
        prepared = prepare(SPECS, cache_root=tmp)
        settings = {"RATE_LIMITS": "false", "LOG_LEVEL": "WARNING", "ACCESS_TOKEN_TTL_SECONDS": "3600"}
        env = app_env(prepared, settings)
        servers: list[tuple[str, str]] = []  # (server, base URL), in the order they are measured
        database = tmp / "mock-workers.db"  # the extra line's own copy of the seeded database (and its log)
        uncached = tmp / "mock-no-cache.db"  # and the cache-off line's
        for suffix in ("", "-wal"):
            if Path(f"{prepared.out / 'app.db'}{suffix}").is_file():
                shutil.copyfile(f"{prepared.out / 'app.db'}{suffix}", f"{database}{suffix}")
                shutil.copyfile(f"{prepared.out / 'app.db'}{suffix}", f"{uncached}{suffix}")
        port = free_port()
        stack.enter_context(
            running(
                "mock (uvicorn)",
                uvicorn_command(prepared.out, "127.0.0.1", port),
                env,
                f"http://127.0.0.1:{port}/health/live",
                tmp / "mock.log",
            )
        )
        servers.append((MOCK, f"http://127.0.0.1:{port}"))
        if report.workers:  # on its copy of the database: each server's writes stay its own
            port = free_port()
            stack.enter_context(
                running(
                    f"mock (uvicorn, {report.workers} workers)",
                    uvicorn_command(prepared.out, "127.0.0.1", port, report.workers),
                    {**env, "DATABASE_URL": f"sqlite:///{database}"},
                    f"http://127.0.0.1:{port}/health/live",
                    tmp / "mock-workers.log",
                )
            )
            servers.append((MOCK_WORKERS, f"http://127.0.0.1:{port}"))
        if report.cache_off:
            port = free_port()
            stack.enter_context(
                running(
                    "mock (uvicorn, READ_CACHE=false)",
                    uvicorn_command(prepared.out, "127.0.0.1", port),
                    {**env, "DATABASE_URL": f"sqlite:///{uncached}", "READ_CACHE": "false"},
                    f"http://127.0.0.1:{port}/health/live",
                    tmp / "mock-no-cache.log",
                )
            )
            servers.append((MOCK_NO_CACHE, f"http://127.0.0.1:{port}"))
        port = free_port()
        prism_cmd = [
            str(node_tools.binary("prism")),
            "mock",
            str(openapi),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-v",
            "warn",
        ]
        stack.enter_context(
            running("prism mock", prism_cmd, None, f"http://127.0.0.1:{port}/v1/recipes", tmp / "prism.log")
        )
        servers.append((PRISM, f"http://127.0.0.1:{port}"))
        # the seeded rows are the same in both mock databases: one login, one recipe id, one body serve both
        auth, recipe_id, create_body = _pantry_requests(servers[0][1])
        json_headers = {**auth, "Content-Type": "application/json"}
        for ep in ENDPOINTS:
            path = ep.path.replace("{id}", recipe_id)
            body = create_body if ep.method == "POST" else None
            headers = json_headers if body is not None else {}
            for server, base in servers:
                if server == MOCK_NO_CACHE and ep.label not in CACHE_OFF_ENDPOINTS:
                    continue
                report.cells.append(
                    measure(server, ep, base, path, headers, body, connections, duration, warmup)
                )
    return report


def _node_version() -> str:
    try:
        return subprocess.run(
            ["node", "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as err:
        raise node_tools.Unavailable(f"node does not run: {err}") from None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="The generated mock server vs Prism on specs/: rps and p99 per endpoint."
    )
    ap.add_argument("--connections", type=int, default=CONNECTIONS)
    ap.add_argument("--duration", type=int, default=DURATION, help="seconds per endpoint and server")
    ap.add_argument(
        "--warmup", type=int, default=WARMUP, help="seconds of discarded load before each run (0: none)"
    )
    ap.add_argument(
        "--workers",
        type=int,
        default=WORKERS,
        help="uvicorn workers of the extra mock line, shown for reference (0 or 1: no extra line)",
    )
    ap.add_argument(
        "--cache-off-line",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the GET by id and the list with READ_CACHE=false, as reference rows",
    )
    args = ap.parse_args(argv)
    if args.connections < 1 or args.duration < 1 or args.warmup < 0 or args.workers < 0:
        print(
            "--connections and --duration must be at least 1, --warmup and --workers at least 0",
            file=sys.stderr,
        )
        return 2
    import httpx

    from roundtrip.serve import ServeError

    try:
        report = run(args.connections, args.duration, args.warmup, args.workers, args.cache_off_line)
    except (RuntimeError, ServeError, httpx.HTTPError, OSError, subprocess.SubprocessError) as err:
        # a server that does not start, a login that fails: one line, the server's log tail included
        print(f"mock vs Prism: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    print(report.table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
