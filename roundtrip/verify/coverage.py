"""The coverage matrix: every documented endpoint × every documented status, and what verify did
with it (passed, failed, or not reachable and why).

A cell counts as exercised when the backend answered that status to a request verify sent for
that endpoint (any phase). Cells that no check can reach get the reason, so a gap is explained
rather than silently missing; `--min-coverage` compares the exercised share with a threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from roundtrip.ir import Spec

PASSED, FAILED, UNREACHED = "passed", "failed", "not reachable"


@dataclass
class Cell:
    state: str = UNREACHED
    why: str = ""


class Coverage:
    def __init__(self, spec: Spec, doc: dict[str, Any]) -> None:
        self.rows: list[str] = []
        self.cells: dict[str, dict[int, Cell]] = {}
        for ep in spec.endpoints:
            op = doc.get("paths", {}).get(ep.path, {}).get(ep.method.lower()) or {}
            statuses = sorted(int(k) for k, v in (op.get("responses") or {}).items()
                              if k.isdigit() and not (isinstance(v, dict) and v.get("x-roundtrip-undocumented")))
            if ep.key in self.cells:
                continue
            self.rows.append(ep.key)
            self.cells[ep.key] = {s: Cell() for s in statuses}

    def seen(self, endpoint: str, status: int, ok: bool = True) -> None:
        cell = self.cells.get(endpoint, {}).get(status)
        if cell is None:
            return
        if not ok:
            cell.state, cell.why = FAILED, ""
        elif cell.state != FAILED:
            cell.state, cell.why = PASSED, ""

    def fail(self, endpoint: str, status: int) -> None:
        self.seen(endpoint, status, ok=False)

    def explain(self, endpoint: str, status: int | None, why: str) -> None:
        """Say why a cell (or, with status None, every open cell of the row) is not reachable."""
        row = self.cells.get(endpoint, {})
        for st, cell in row.items():
            if (status is None or st == status) and cell.state == UNREACHED and not cell.why:
                cell.why = why

    def explain_all(self, why: str) -> None:
        for key in self.rows:
            self.explain(key, None, why)

    def default_reasons(self, inputless: tuple[str, ...] = ()) -> None:
        """Fill in why open cells were not reached; `inputless` endpoints take no body or query."""
        for key, row in self.cells.items():
            for st, cell in row.items():
                if cell.state == UNREACHED and not cell.why:
                    cell.why = "the endpoint takes no input that could be invalid" if st in (400, 422) and key in inputless else _default_reason(st)

    @property
    def total(self) -> int:
        return sum(len(r) for r in self.cells.values())

    @property
    def exercised(self) -> int:
        return sum(1 for r in self.cells.values() for c in r.values() if c.state != UNREACHED)

    @property
    def percent(self) -> float:
        return 100.0 * self.exercised / self.total if self.total else 100.0

    def to_json(self) -> dict[str, Any]:
        return {
            "exercised": self.exercised,
            "total": self.total,
            "percent": round(self.percent, 1),
            "endpoints": [
                {"endpoint": key, "statuses": [{"status": st, "state": c.state, **({"why": c.why} if c.why else {})} for st, c in self.cells[key].items()]}
                for key in self.rows
            ],
        }

    def text(self) -> str:
        lines = [f"coverage of documented statuses: {self.exercised}/{self.total} exercised ({self.percent:.1f}%)"]
        width = max((len(k) for k in self.rows), default=10)
        for key in self.rows:
            cells = self.cells[key]
            marks = "  ".join(f"{st} {_mark(c.state)}" for st, c in cells.items()) or "(no documented status)"
            lines.append(f"  {key:<{width}}  {marks}")
        reasons: dict[str, list[str]] = {}
        for key in self.rows:
            for st, c in self.cells[key].items():
                if c.state == UNREACHED:
                    reasons.setdefault(c.why or "not exercised", []).append(f"{key} {st}")
        if reasons:
            lines.append("  not reachable:")
            for why, where in reasons.items():
                lines.append(f"    {why}: {', '.join(where)}")
        lines.append("  (✓ passed, ✗ failed, · not reachable)")
        return "\n".join(lines)


def _mark(state: str) -> str:
    return {PASSED: "✓", FAILED: "✗"}.get(state, "·")


def _default_reason(status: int) -> str:
    if status == 429:
        return "rate limits are not provoked (it would take a burst of requests)"
    if status >= 500:
        return "server errors cannot be provoked on purpose"
    if status == 403:
        return "needs a second account with another role, or a resource owned by someone else"
    if status == 423:
        return "account lockout is not provoked"
    if status == 401:
        return "no check builds an invalid credential for this endpoint"
    return "no check can build this precondition from the docs"
