"""Doc lines for verify's findings: which line of which document states the fact a check tested.

The IR carries spans for endpoints, parameters, responses, error rows, auth lines, conventions and
for fields stated in tables or TypeScript. Fields known only from a JSON example have no span of
their own; for those the example's fence is scanned, from the line where the schema or response
is stated, for the line that holds the key (one line at a time, never a regex over the document).
"""

from __future__ import annotations

from pathlib import Path

from roundtrip.ir import Endpoint, Spec
from roundtrip.ir.types import Kind, TypeRef
from roundtrip.source import NO_SPAN, Span, discover

SCAN_LIMIT = 400  # lines to look ahead for a JSON key before giving up


class Locator:
    def __init__(self, spec: Spec, specs: Path) -> None:
        self.spec = spec
        base, _ = discover(Path(specs)) if Path(specs).exists() else (Path(specs), [])
        self.base = base
        self._lines: dict[str, list[str]] = {}
        self._order = {e.key: i for i, e in enumerate(spec.endpoints)}

    # ------------------------------------------------------------------ files
    def lines(self, file: str) -> list[str]:
        if file not in self._lines:
            try:
                self._lines[file] = (self.base / file).read_text(encoding="utf-8").splitlines()
            except OSError:
                self._lines[file] = []
        return self._lines[file]

    def scan_key(self, anchor: Span, key: str) -> Span | None:
        """The first line at or after `anchor` that holds `"key"` (a JSON key in an example)."""
        if not anchor.line or anchor.file.startswith("<"):
            return None
        lines = self.lines(anchor.file)
        needle = f'"{key}"'
        fences = 0
        for i in range(anchor.line - 1, min(len(lines), anchor.line - 1 + SCAN_LIMIT)):
            text = lines[i]
            if text.lstrip().startswith(("```", "~~~")):
                fences += 1
                if fences > 2:  # left the example that follows the anchor
                    return None
            elif text.startswith("#") and i >= anchor.line:
                return None
            elif needle in text:
                return anchor.at(i + 1)
        return None

    # ------------------------------------------------------------------ endpoints
    def first_file(self) -> Span:
        return Span(self.spec.files[0], 1) if self.spec.files else NO_SPAN

    def endpoint(self, ep: Endpoint | None) -> Span:
        return ep.span if ep is not None and ep.span.line else self.first_file()

    def auth(self, ep: Endpoint) -> Span:
        return ep.auth.span if ep.auth.span.line else self.endpoint(ep)

    def success(self, ep: Endpoint, status: int | None = None) -> Span:
        for r in ep.responses:
            if 200 <= r.status < 300 and (status is None or r.status == status) and r.span.line:
                return r.span
        for r in ep.responses:
            if 200 <= r.status < 300 and r.span.line:
                return r.span
        return self.endpoint(ep)

    def status(self, ep: Endpoint, status: int) -> Span:
        """The line that documents `status` for `ep`: its own error row or response, else the common row."""
        for e in ep.errors:
            if e.status == status and e.span.line:
                return e.span
        for r in ep.responses:
            if r.status == status and r.span.line:
                return r.span
        for e in self.spec.common_errors:
            if e.status == status and e.span.line:
                return e.span
        return self.endpoint(ep)

    def parameter(self, ep: Endpoint, name: str, location: str = "") -> Span:
        for p in ep.parameters:
            if p.name == name and (not location or p.location.value == location) and p.span.line:
                return p.span
        return self.endpoint(ep)

    def convention(self, key: str) -> Span | None:
        for c in self.spec.conventions:
            if c.key == key and c.span.line:
                return c.span
        return None

    def nearest(self, path: str) -> Endpoint | None:
        """The documented endpoint whose path shares the longest prefix with `path` (for extras)."""
        want = [_shape(s) for s in path.strip("/").split("/")]
        best: tuple[int, int] = (-1, 0)
        found: Endpoint | None = None
        for ep in self.spec.endpoints:
            have = [_shape(s) for s in ep.path.strip("/").split("/")]
            common = 0
            for a, b in zip(want, have, strict=False):
                if a != b:
                    break
                common += 1
            score = (common, -self._order.get(ep.key, 0))
            if score > best:
                best, found = score, ep
        return found

    # ------------------------------------------------------------------ fields
    def field(self, ep: Endpoint, where: int | str, path: list[str]) -> Span:
        """The line of a body field: `where` is a response status or "request"; `path` property names."""
        if where == "request":
            body = ep.request
            fallback = body.span if body is not None and body.span.line else self.endpoint(ep)
        else:
            resp = next((r for r in ep.responses if r.status == where), None)
            body = resp.body if resp is not None else None
            fallback = resp.span if resp is not None and resp.span.line else self.status(ep, int(where))
        if body is None or body.type is None:
            return fallback
        anchor = body.span if body.span.line else fallback
        return self._walk(body.type, anchor, path) or fallback

    def schema_field(self, name: str, path: list[str]) -> Span | None:
        s = self.spec.schema(name)
        if s is None:
            return None
        return self._walk(s.type, s.span, path) or (s.span if s.span.line else None)

    def _walk(self, t: TypeRef, anchor: Span, path: list[str]) -> Span | None:
        best: Span | None = None
        for seg in path:
            t, anchor = self._deref(t, anchor)
            while t.kind is Kind.ARRAY and t.items is not None:
                t, anchor = self._deref(t.items, anchor)
            f = next((f for f in t.fields if f.name == seg), None)
            if f is not None and f.span.line:
                best = anchor = f.span
            else:
                hit = self.scan_key(anchor, seg)
                if hit is None:
                    return best
                best = anchor = hit
            if f is None:
                return best
            t = f.type
        return best

    def _deref(self, t: TypeRef, anchor: Span) -> tuple[TypeRef, Span]:
        seen: list[str] = []
        while t.kind is Kind.REF and t.ref and t.ref not in seen:
            seen.append(t.ref)
            s = self.spec.schema(t.ref)
            if s is None:
                break
            t = s.type
            if s.span.line:
                anchor = s.span
        return t, anchor


def _shape(segment: str) -> str:
    return "{}" if segment.startswith("{") else segment
