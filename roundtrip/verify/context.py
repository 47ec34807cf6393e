"""The state one verify run shares between its stages: the docs (IR + compiled OpenAPI), where to
report (doc lines), the backend, the credentials, the findings and the coverage matrix.

Findings are de-duplicated by a key that names the fact checked (endpoint, status, field …): the
same broken fact seen by several checks is reported once, with the first request that showed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from roundtrip.diagnostics import Diagnostic, Severity, make
from roundtrip.ir import Endpoint, Spec
from roundtrip.source import Span
from roundtrip.verify.client import Exchange, Target
from roundtrip.verify.coverage import Coverage
from roundtrip.verify.locate import Locator
from roundtrip.verify.schemas import BodyValidator, media_schema_pointer, relaxed_document


@dataclass
class Options:
    app: Path | None = None
    base_url: str | None = None
    db: str | None = None
    token: str | None = None
    login: str | None = None  # EMAIL:PASSWORD
    seed: int = 0
    max_examples: int = 10
    min_coverage: float | None = None
    stages: tuple[str, ...] = ("docs", "interface", "database", "behaviour")
    fuzz: bool = True


@dataclass
class StageResult:
    name: str
    status: str = "skipped"  # ran | skipped | failed-to-run
    reason: str = ""
    checks: list[str] = field(default_factory=list)  # check ids that ran
    requests: int = 0


class Context:
    def __init__(self, spec: Spec, doc: dict[str, Any], specs: Path, options: Options) -> None:
        self.spec = spec
        self.doc = doc
        self.specs = Path(specs)
        self.options = options
        self.where = Locator(spec, specs)
        self.relaxed = relaxed_document(doc)
        self.validator = BodyValidator(self.relaxed)
        self.coverage = Coverage(spec, doc)
        self.target: Target | None = None
        self.auth_headers: dict[str, str] = {}
        self.credential_note = ""
        self.identity: dict[str, Any] = {}  # what GET-me style endpoints say about the verify user
        self.missing: set[str] = set()  # endpoint keys the backend does not serve
        self.backend_doc: dict[str, Any] | None = None
        self.created: dict[str, list[str]] = {}  # table or collection path -> ids created by verify
        self._found: list[Diagnostic] = []
        self._keys: set[tuple[Any, ...]] = set()
        self._failed_endpoints: set[str] = set()
        self.counter = 0

    # ------------------------------------------------------------------ findings
    def report(self, code: str, span: Span, message: str, *, key: tuple[Any, ...] | None = None,
               endpoint: Endpoint | None = None, severity: Severity | None = None) -> bool:
        """Record a finding once per key. Returns False when the same fact was already reported."""
        k = key if key is not None else (code, span.file, span.line, message)
        if k in self._keys:
            return False
        self._keys.add(k)
        d = make(code, span, message, severity=severity)
        self._found.append(d)
        if endpoint is not None and d.severity >= Severity.ERROR:
            self._failed_endpoints.add(endpoint.key)
        return True

    def extend(self, diags: list[Diagnostic]) -> None:
        for d in diags:
            self.report(d.code, d.span, d.message, severity=d.severity)

    def has_failed(self, ep: Endpoint) -> bool:
        return ep.key in self._failed_endpoints

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return list(self._found)

    # ------------------------------------------------------------------ docs helpers
    def op(self, ep: Endpoint) -> dict[str, Any]:
        found = self.doc.get("paths", {}).get(ep.path, {}).get(ep.method.lower())
        return found if isinstance(found, dict) else {}

    def documented_statuses(self, ep: Endpoint) -> list[int]:
        out = []
        for k, v in self.op(ep).get("responses", {}).items():
            if k.isdigit() and not (isinstance(v, dict) and v.get("x-roundtrip-undocumented")):
                out.append(int(k))
        return sorted(out)

    def success_status(self, ep: Endpoint) -> int | None:
        ok = [s for s in self.documented_statuses(ep) if 200 <= s < 300]
        return ok[0] if ok else None

    def media_types(self, ep: Endpoint, status: int) -> list[str]:
        resp = self.op(ep).get("responses", {}).get(str(status)) or {}
        return [ct.split(";")[0].strip().lower() for ct in (resp.get("content") or {})]

    def documented_refusal(self, ep: Endpoint, ex: Any) -> str | None:
        """The code when `ex` is a refusal the docs give this endpoint: a documented 409/412/422/423 whose body
        carries one of the codes its examples show (`409 PROJECT_NOT_ARCHIVED`: only archived projects can be
        deleted). A backend answering so for a row in another state follows the docs; None otherwise."""
        if ex.status not in (409, 412, 422, 423) or ex.status not in self.documented_statuses(ep) or not ex.is_json:
            return None
        body = ex.json if isinstance(ex.json, dict) else {}
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        got = next((inner.get(k) for k in ("code", "error", "errorCode", "type") if isinstance(inner.get(k), str)), None)
        resp = self.op(ep).get("responses", {}).get(str(ex.status)) or {}
        codes: set[str] = set()
        for media in (resp.get("content") or {}).values():
            for name, example in ((media or {}).get("examples") or {}).items():
                codes.add(str(name))
                value = example.get("value") if isinstance(example, dict) else None
                err = value.get("error") if isinstance(value, dict) else None
                for source in (value, err):
                    if isinstance(source, dict):
                        codes.update(str(source[k]) for k in ("code", "error", "errorCode") if isinstance(source.get(k), str))
        return got if got is not None and got in codes else None

    def served(self, ep: Endpoint) -> bool:
        return ep.key not in self.missing

    def needs_auth(self, ep: Endpoint) -> bool:
        sec = self.op(ep).get("security")
        if sec is None:
            sec = self.doc.get("security", [])
        return bool(sec) or ep.auth.required is True

    def unique(self) -> int:
        self.counter += 1
        return self.counter

    # ------------------------------------------------------------------ checking an exchange
    def check_body(self, ep: Endpoint, ex: Exchange, *, key_prefix: str = "body", severity: Severity | None = None) -> bool:
        """Content type and body of a response with a documented status. Returns True when both hold."""
        documented = self.documented_statuses(ep)
        if ex.status not in documented:
            return True
        ok = True
        types = self.media_types(ep, ex.status)
        is_error = ex.status >= 400
        span = self.where.status(ep, ex.status) if is_error else self.where.success(ep, ex.status)
        if types and ex.text.strip():
            if ex.content_type and ex.content_type not in types and not (ex.content_type.endswith("+json") and "application/json" in types):
                ok = False
                self.report("RT421", span, f"{ep.key} answers {ex.status} with content type {ex.content_type}, the docs say {', '.join(types)} ({span}); reproduce: {ex.curl()}",
                            key=("content-type", ep.key, ex.status), endpoint=ep, severity=severity)
            if "application/json" in types or any(t.endswith("+json") for t in types):
                if not ex.is_json:
                    ok = False
                    self.report("RT431" if not is_error else "RT433", span, f"{ep.key} answers {ex.status} with a body that is not JSON: {ex.got()}; the docs show JSON ({span}); reproduce: {ex.curl()}",
                                key=("not-json", ep.key, ex.status), endpoint=ep, severity=severity)
                    return ok
        if not ex.is_json:
            return ok
        ct = types[0] if types else "application/json"
        ptr = media_schema_pointer(self.relaxed, ep.path, ep.method, ex.status, ct)
        if ptr is None:
            return ok
        errors = self.validator.errors(ptr, ex.json)
        if not errors:
            return ok
        by_line: dict[Span, list[str]] = {}
        for path, message in errors[:4]:
            fspan = self.where.field(ep, ex.status, path) if path and not is_error else span
            by_line.setdefault(fspan, []).append(message)
        code = "RT433" if is_error else "RT431"
        what = "the documented error envelope" if is_error else "the documented schema"
        for fspan, messages in by_line.items():
            self.report(code, fspan, f"{ep.key} answers {ex.status} with a body that does not match {what} ({fspan}): {'; '.join(messages)}; reproduce: {ex.curl()}",
                        key=(key_prefix, ep.key, ex.status, fspan.file, fspan.line), endpoint=ep, severity=severity)
        return False
