"""Facts → Spec. Per fact the highest-priority statement wins (SQL over column tables over
mermaid; TypeScript over field tables over JSON examples); disagreements are the validator's
business. The resolver also does what needs every document at once: base-path stripping,
`extends`/Omit/Pick expansion, enum values for enum-typed columns, auth defaults, links."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlparse

from roundtrip.diagnostics import Sink
from roundtrip.ir import (
    ApiInfo,
    Auth,
    Endpoint,
    EndpointMention,
    Facts,
    Kind,
    Origin,
    Schema,
    Spec,
    Table,
    TypeRef,
)
from roundtrip.ir.spec import SCHEMA_PRIORITY, TABLE_PRIORITY
from roundtrip.resolve.body_fields import type_listed_bodies
from roundtrip.resolve.conventions import apply_conventions
from roundtrip.resolve.links import build_links
from roundtrip.resolve.path_aliases import apply_path_aliases
from roundtrip.resolve.periods import tie_periods
from roundtrip.resolve.shared_lists import fill_shared_lists
from roundtrip.resolve.typeexpand import expand_schemas
from roundtrip.resolve.validation_gaps import document_validation_errors

# Endpoints that are public unless the docs say otherwise: nobody logs in before logging in.
_PUBLIC_TAILS = re.compile(r"/(login|signin|sign-in|register|signup|sign-up|refresh|token|forgot-password|reset-password|password-reset|verify-email|health|healthz|ready|live|readyz|livez|ping)$")


def _info(facts: Facts) -> ApiInfo:
    first: dict[str, str] = {}
    servers: list[str] = []
    span = None
    for key, value, sp in facts.info:
        if key == "server":
            if value and value not in servers:
                servers.append(value.rstrip("/"))
        else:
            if key not in first:
                first[key] = value
                span = span or sp
    base = first.get("base_path", "")
    if not base and servers:
        path = urlparse(servers[0]).path if "://" in servers[0] else servers[0]
        base = path.rstrip("/") if path not in ("", "/") else ""
    base = "/" + base.strip("/") if base.strip("/") else ""
    return ApiInfo(first.get("title", ""), first.get("version", ""), first.get("description", ""), base, tuple(servers))


def _strip_base(path: str, base: str) -> str:
    if base and (path == base or path.startswith(base + "/")):
        return path[len(base):] or "/"
    return path


def _endpoints(facts: Facts, base: str, has_scheme: bool, sink: Sink) -> tuple[Endpoint, ...]:
    real = [e for e in facts.endpoints if e.origin is not Origin.CODE]
    # Decorators and `// GET /x` comments in code fences only count when no document describes endpoints.
    candidates = real if any(e.detailed for e in real) else list(facts.endpoints)
    by_key: dict[str, Endpoint] = {}
    for e in candidates:
        e = replace(e, path=_strip_base(e.path, base))
        prev = by_key.get(e.key)
        if prev is None:
            by_key[e.key] = e
        elif prev.detailed and e.detailed and prev.span.file != e.span.file:
            sink.add("RT209", e.span, f"{e.key} is also documented at {prev.span}; keep one section and link to it", related=[prev.span])
        elif not prev.detailed and e.detailed:
            by_key[e.key] = e
    mentions: dict[str, EndpointMention] = {}
    for m in facts.mentions:
        key = f"{m.method} {_strip_base(m.path, base)}"
        mentions.setdefault(key, m)
    out: list[Endpoint] = []
    for key, e in by_key.items():
        mention = mentions.get(key)
        auth = e.auth
        if mention is not None:
            m = mention
            if auth.required is None and m.auth.required is not None:
                auth = replace(m.auth)
            elif auth.required and not auth.roles and m.auth.roles:
                auth = replace(auth, roles=m.auth.roles)
            if not e.summary and m.summary:
                e = replace(e, summary=m.summary)
        if auth.required is None and has_scheme:
            auth = Auth(required=not bool(_PUBLIC_TAILS.search(e.path)), roles=auth.roles, text="default: the docs define a bearer scheme")
        out.append(replace(e, auth=auth))
    # Summary rows with no detailed section still document an endpoint (RT207 is reported by the validator).
    for key, m in mentions.items():
        if key not in by_key:
            path = _strip_base(m.path, base)
            auth = m.auth if m.auth.required is not None else Auth(required=has_scheme and not _PUBLIC_TAILS.search(path))
            out.append(Endpoint(m.method, path, summary=m.summary, tags=(m.group,) if m.group else (), auth=auth, detailed=False, span=m.span))
    return tuple(out)


def _tables(facts: Facts) -> tuple[Table, ...]:
    enum_values = {e.name: e.values for e in facts.enums if e.values}
    order: list[str] = []
    chosen: dict[str, Table] = {}
    extra_indexes: dict[str, list] = {}
    for t in sorted(facts.tables, key=lambda t: TABLE_PRIORITY.get(t.origin, 9)):
        if t.name not in order:
            order.append(t.name)
        if not t.columns:  # index-only statement (CREATE INDEX before/after its table, another fence)
            extra_indexes.setdefault(t.name, []).extend(t.indexes)
            continue
        chosen.setdefault(t.name, t)
    # keep document order of first appearance for determinism and readability
    doc_order = [t.name for t in facts.tables]
    out: list[Table] = []
    for name in dict.fromkeys(doc_order):
        found = chosen.get(name)
        if found is None:
            continue
        t = found
        names = {i.name for i in t.indexes}
        more = tuple(i for i in extra_indexes.get(name, []) if i.name not in names)
        cols = tuple(
            replace(c, type=replace(c.type, values=enum_values[c.type.enum_name]))
            if c.type.kind is Kind.ENUM and not c.type.values and c.type.enum_name in enum_values
            else c
            for c in t.columns
        )
        out.append(replace(t, columns=cols, indexes=t.indexes + more))
    return tuple(out)


def _schemas(facts: Facts) -> tuple[Schema, ...]:
    ranked = sorted(((i, s) for i, s in enumerate(facts.schemas) if s.origin is not Origin.ZOD), key=lambda p: (SCHEMA_PRIORITY.get(p[1].origin, 9), p[0]))
    chosen: dict[str, Schema] = {}
    for _, s in ranked:
        chosen.setdefault(s.name, s)
    ordered = [chosen[n] for n in dict.fromkeys(s.name for s in facts.schemas) if n in chosen]
    return tuple(expand_schemas(ordered))


def _relax_required(t: TypeRef, examples: list[dict]) -> TypeRef:
    """An envelope inferred from ONE JSON example marks every key required; keys that some documented
    error example leaves out (`details`, `requestId`) are optional."""
    if t.kind is not Kind.OBJECT or not examples:
        return t
    fields = []
    for f in t.fields:
        present = [ex for ex in examples if f.name in ex]
        nested = [ex[f.name] for ex in present if isinstance(ex[f.name], dict)]
        fields.append(replace(f, required=f.required and len(present) == len(examples), type=_relax_required(f.type, nested)))
    return replace(t, fields=tuple(fields))


# Keys that make an object the envelope's own structure (`{"error": {"code", "message", ...}}`) rather
# than one error's payload.
_ENVELOPE_KEYS = frozenset({"code", "errorcode", "error_code", "message", "error"})


def _free_form_payloads(t: TypeRef) -> TypeRef:
    """An envelope inferred from ONE JSON example shows one error's `details` (`{"copyId": 90871,
    "status": "on_loan"}`); its keys belong to that error, not to every error. An object-valued field
    that is not the envelope's own structure becomes a free-form object; arrays keep their item shape
    (a list of field errors is the same for every error)."""
    if t.kind is not Kind.OBJECT:
        return t
    fields = []
    for f in t.fields:
        ft = f.type
        if ft.kind is Kind.OBJECT and ft.fields:
            if {g.name.lower() for g in ft.fields} & _ENVELOPE_KEYS:
                ft = _free_form_payloads(ft)
            else:
                ft = TypeRef(Kind.OBJECT, nullable=ft.nullable, source=ft.source)
        fields.append(replace(f, type=ft))
    return replace(t, fields=tuple(fields))


def _envelope(facts: Facts, schemas: tuple[Schema, ...]) -> tuple[TypeRef | None, tuple[Schema, ...]]:
    if not facts.error_envelopes:
        return None, schemas
    env = facts.error_envelopes[0]
    if env.origin is Origin.JSON_EXAMPLE:
        docs = [err.example for e in facts.endpoints for err in e.errors] + [err.example for err in facts.common_errors]
        relaxed = _relax_required(env.type, [d for d in docs if isinstance(d, dict)])
        env = replace(env, type=_free_form_payloads(relaxed))
    names = {s.name for s in schemas}
    if env.type.kind is Kind.REF and env.type.ref in names:
        return env.type, schemas
    if env.name in names:
        return TypeRef(Kind.REF, ref=env.name), schemas
    return TypeRef(Kind.REF, ref=env.name), schemas + (env,)


def resolve(facts: Facts, sink: Sink) -> Spec:
    info = _info(facts)
    schemes = tuple(dict((s.name, s) for s in facts.security_schemes).values())
    endpoints = _endpoints(facts, info.base_path, bool(schemes), sink)
    tables = _tables(facts)
    schemas = _schemas(facts)
    envelope, schemas = _envelope(facts, schemas)
    listed = [(m, _strip_base(p, info.base_path), r, s) for m, p, r, s in facts.listed_bodies]
    endpoints = fill_shared_lists(type_listed_bodies(endpoints, listed, schemas, tables, sink), schemas)
    conventions = tuple(dict(((c.key, repr(c.value)), c) for c in facts.conventions).values())
    endpoints, conventions = apply_path_aliases(apply_conventions(endpoints, conventions), conventions, tables)
    spec = Spec(
        info=info,
        security_schemes=schemes,
        endpoints=endpoints,
        schemas=schemas,
        tables=tables,
        enums=tuple(dict((e.name, e) for e in facts.enums).values()),
        extensions=tuple(dict.fromkeys(n for n, _ in facts.extensions)),
        opaque_sql=tuple(facts.opaque_sql),
        samples=tuple(facts.samples),
        conventions=conventions,
        error_envelope=envelope,
        common_errors=tuple(facts.common_errors),
        rate_limits=tuple(facts.rate_limits),
        periods=tuple(facts.periods),
        files=tuple(facts.files),
    )
    spec = tie_periods(replace(spec, links=build_links(spec)), sink)  # "Loan period" → loans.due_at
    return document_validation_errors(spec, facts.field_rules, sink)
