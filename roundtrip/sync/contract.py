"""What an operation promises beyond its bodies: error statuses and codes, auth, roles, rate limit.

The OpenAPI importer keeps one error per status (the first example's code), so these facts are read
from the raw documents instead: every named example of a 4xx/5xx response is one documented error
(the emitter writes one example per code, named by the code, its summary the message), `security`
says whether a credential is needed, `x-roles` (or OAuth scopes) which roles, `x-rate-limit` the
throttle. Both sides are read the same way, so a no-op sync finds nothing.

The docs' side is read from the OpenAPI compiled *after* the auth changes are applied: an endpoint
that became public loses the errors the docs state once for every authenticated endpoint, and the
ones the backend still answers are then written on the endpoint itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from roundtrip.diff.api_changes import route_key
from roundtrip.importers.openapi import json_pointer
from roundtrip.ir import Auth, Endpoint, ErrorDoc, RateLimit, Response, Spec

if TYPE_CHECKING:
    from roundtrip.sync.compare import Comparison

_CODE = re.compile(r"[A-Z][A-Z0-9_]+")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class OperationFacts:
    errors: tuple[ErrorDoc, ...] = ()  # one per documented (status, code)
    secured: bool | None = None  # None: the document does not say
    roles: tuple[str, ...] | None = None  # None: the document does not name roles
    rate_limit: RateLimit | None = None


@dataclass
class ContractDelta:
    """How one endpoint's contract differs, beyond parameters and bodies."""

    errors_added: list[ErrorDoc] = field(default_factory=list)  # the backend's
    errors_removed: list[ErrorDoc] = field(default_factory=list)  # the docs' (as compiled)
    responses_added: list[Response] = field(default_factory=list)  # success statuses, the backend's
    responses_removed: list[int] = field(default_factory=list)
    auth: Auth | None = None  # the backend's auth, when it differs
    rate_limit: RateLimit | None = None  # the backend's rate limit (None: it states none)
    rate_limit_changed: bool = False

    def changed(self) -> bool:
        return bool(
            self.errors_added
            or self.errors_removed
            or self.responses_added
            or self.responses_removed
            or self.auth is not None
            or self.rate_limit_changed
        )


def operation_facts(doc: dict[str, Any]) -> dict[str, OperationFacts]:
    """Each operation of an OpenAPI document, keyed like `route_key` (`GET /v1/tasks/{}`)."""
    out: dict[str, OperationFacts] = {}
    paths = doc.get("paths") if isinstance(doc.get("paths"), dict) else {}
    for path, item in (paths or {}).items():
        item = _deref(doc, item)
        if not isinstance(item, dict) or not str(path).startswith("/"):
            continue
        norm = str(path).split("?", 1)[0]
        norm = norm.rstrip("/") if len(norm) > 1 else norm
        for method in _METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                out[route_key(Endpoint(method.upper(), norm))] = _facts(doc, op)
    return out


def _deref(doc: dict[str, Any], node: Any) -> Any:
    for _ in range(8):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        node = json_pointer(doc, node["$ref"])
    return node


def _facts(doc: dict[str, Any], op: dict[str, Any]) -> OperationFacts:
    errors: list[ErrorDoc] = []
    responses = op.get("responses") if isinstance(op.get("responses"), dict) else {}
    for status_text, resp in (responses or {}).items():
        if not re.fullmatch(r"[45]\d\d", str(status_text)):
            continue
        errors.extend(_errors(doc, int(str(status_text)), _deref(doc, resp)))
    sec = op.get("security", doc.get("security"))
    secured: bool | None = None
    scopes: list[str] = []
    if isinstance(sec, list):
        secured = bool(sec) and not any(isinstance(s, dict) and not s for s in sec)
        scopes = [
            str(x) for s in sec if isinstance(s, dict) for v in s.values() if isinstance(v, list) for x in v
        ]
    raw_roles = op.get("x-roles")
    roles: tuple[str, ...] | None = None
    if isinstance(raw_roles, list):
        roles = tuple(str(r) for r in raw_roles)
    elif scopes:
        roles = tuple(dict.fromkeys(s for s in scopes if re.fullmatch(r"[a-z][a-z_-]*", s)))
    return OperationFacts(tuple(errors), secured, roles, _rate_limit(op.get("x-rate-limit")))


def _errors(doc: dict[str, Any], status: int, resp: Any) -> list[ErrorDoc]:
    if not isinstance(resp, dict):
        return [ErrorDoc(status)]
    description = " ".join(str(resp.get("description", "")).split())
    content = resp.get("content") if isinstance(resp.get("content"), dict) else {}
    media = next((m for m in (content or {}).values() if isinstance(m, dict)), {})
    out: list[ErrorDoc] = []
    examples = media.get("examples")
    if isinstance(examples, dict):
        for key, ex in examples.items():
            ex = _deref(doc, ex)
            if not isinstance(ex, dict):
                continue
            value = ex.get("value")
            code = _code_of(value) or (str(key) if _CODE.fullmatch(str(key)) else "")
            summary = " ".join(str(ex.get("summary") or description).split())
            out.append(ErrorDoc(status, code, summary, value))
    elif "example" in media:
        value = media["example"]
        out.append(ErrorDoc(status, _code_of(value), description, value))
    return out or [ErrorDoc(status, "", description)]


def _code_of(example: Any) -> str:
    """The machine code an error example carries (`{"error": "NOT_FOUND"}`, `{"error": {"code": ...}}`)."""
    if not isinstance(example, dict):
        return ""
    for key in ("error", "code"):
        v = example.get(key)
        if isinstance(v, str) and _CODE.fullmatch(v):
            return v
        if isinstance(v, dict):
            inner = _code_of(v)
            if inner:
                return inner
    return ""


def _rate_limit(raw: Any) -> RateLimit | None:
    if not isinstance(raw, dict):
        return None
    n, secs = raw.get("requests"), raw.get("perSeconds")
    if not isinstance(n, int) or not isinstance(secs, int) or n <= 0 or secs <= 0:
        return None
    return RateLimit(n, secs, str(raw.get("scope") or ""), str(raw.get("description") or ""))


# ---------------------------------------------------------------- comparing


def auth_change(docs: OperationFacts, backend: OperationFacts, doc_auth: Auth) -> Auth | None:
    """The backend's Auth when it differs from the docs': public ↔ protected, or other roles (only when
    the backend names roles at all)."""
    if backend.secured is None:
        return None
    required = backend.secured
    roles = backend.roles if backend.roles is not None else (doc_auth.roles if required else ())
    docs_roles = docs.roles if docs.roles is not None else ()
    if required == docs.secured and (backend.roles is None or not required or roles == docs_roles):
        return None
    return Auth(required, roles if required else ())


def contract_delta(
    docs: OperationFacts,
    backend: OperationFacts,
    old: Endpoint,
    new: Endpoint,
    backend_states_rate_limits: bool,
) -> ContractDelta:
    """`docs`: the docs' operation compiled with the new auth; `old`/`new`: both endpoints as imported."""
    d = ContractDelta()
    d.errors_added, d.errors_removed = error_changes(docs.errors, backend.errors)
    old_ok = {r.status for r in old.responses}
    new_ok = {r.status: r for r in new.responses}
    d.responses_added = [r for s, r in sorted(new_ok.items()) if s not in old_ok]
    d.responses_removed = sorted(s for s in old_ok if s not in new_ok)
    if backend_states_rate_limits and _rate_key(docs.rate_limit) != _rate_key(backend.rate_limit):
        d.rate_limit, d.rate_limit_changed = backend.rate_limit, True
    return d


def _rate_key(r: RateLimit | None) -> tuple[int, int, str] | None:
    return (r.requests, r.per_seconds, r.scope) if r is not None else None


def error_changes(
    docs: tuple[ErrorDoc, ...], backend: tuple[ErrorDoc, ...]
) -> tuple[list[ErrorDoc], list[ErrorDoc]]:
    """(added, removed). A status only one side has is added or removed whole; for a status both have,
    codes are compared only when the backend names codes (a plain FastAPI 404 says nothing about them),
    and an error the docs write without a code stays."""
    by_status_docs: dict[int, list[ErrorDoc]] = {}
    by_status_backend: dict[int, list[ErrorDoc]] = {}
    for e in docs:
        by_status_docs.setdefault(e.status, []).append(e)
    for e in backend:
        by_status_backend.setdefault(e.status, []).append(e)
    added: list[ErrorDoc] = []
    removed: list[ErrorDoc] = []
    for status in sorted(set(by_status_docs) | set(by_status_backend)):
        a, b = by_status_docs.get(status, []), by_status_backend.get(status, [])
        if not b:
            removed.extend(a)
            continue
        if not a:
            added.extend(b)
            continue
        b_codes = {e.code for e in b if e.code}
        if not b_codes:
            continue
        a_codes = {e.code for e in a if e.code}
        added.extend(e for e in b if e.code and e.code not in a_codes)
        removed.extend(e for e in a if e.code and e.code not in b_codes)
    return added, removed


def with_auth(spec: Spec, changes: dict[str, Auth]) -> Spec:
    """The docs' Spec with the backend's auth on the endpoints whose auth changed (route keys)."""
    from dataclasses import replace

    if not changes:
        return spec
    endpoints = tuple(
        replace(
            e,
            auth=replace(e.auth, required=changes[route_key(e)].required, roles=changes[route_key(e)].roles),
        )
        if route_key(e) in changes
        else e
        for e in spec.endpoints
    )
    return replace(spec, endpoints=endpoints)


def attach_contracts(
    cmp: Comparison,
    docs: Spec,
    docs_doc: dict[str, Any],
    target: dict[str, Any],
    compile_spec: Callable[[Spec], dict[str, Any]],
) -> None:
    """Fill each endpoint pair's ContractDelta; `compile_spec` compiles the docs' Spec to OpenAPI (run once
    more when some endpoint's auth changes, so the docs' errors are compared as they will compile)."""
    docs_ops, back_ops = operation_facts(docs_doc), operation_facts(target)
    doc_auth = {route_key(e): e.auth for e in docs.endpoints}
    auth: dict[str, Auth] = {}
    for d in cmp.pairs:
        k = route_key(d.old)
        a = auth_change(
            docs_ops.get(k, OperationFacts()), back_ops.get(k, OperationFacts()), doc_auth.get(k, Auth())
        )
        if a is not None:
            auth[k] = a
    after = operation_facts(compile_spec(with_auth(docs, auth))) if auth else docs_ops
    states_rate_limits = any(f.rate_limit is not None for f in back_ops.values())
    for d in cmp.pairs:
        k = route_key(d.old)
        c = contract_delta(
            after.get(k, OperationFacts()),
            back_ops.get(k, OperationFacts()),
            d.old,
            d.new,
            states_rate_limits,
        )
        c.auth = auth.get(k)
        d.contract = c
    cmp.endpoints = [d for d in cmp.pairs if d.changed()]
