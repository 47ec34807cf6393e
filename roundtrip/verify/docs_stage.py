"""Stage 1, the docs themselves: every JSON example validates against the schema it illustrates,
every sample row satisfies its table (types, lengths, CHECK … IN / BETWEEN / comparisons, NOT NULL,
foreign keys to the other sample rows), plus lint's cross-document contradictions (RT2xx).

Examples are validated against the compiled OpenAPI (Draft 2020-12, `$ref`s through a registry);
only examples the docs state are checked, never the placeholders the emitter fills in.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from roundtrip.diagnostics import Diagnostic, Severity
from roundtrip.ir import Spec
from roundtrip.ir.data import Column, Table
from roundtrip.ir.types import Kind
from roundtrip.verify.context import Context
from roundtrip.verify.examples import ExampleRequest
from roundtrip.verify.schemas import BodyValidator, media_schema_pointer, pointer

# Example values that describe a type instead of showing a value ("uuid", "ISO 8601", "a | b"):
# a notation of their own, not a wrong example.
_PLACEHOLDER = re.compile(r"^(iso[ -]?8601|iso date|uuid|string|datetime|date-?time|date|timestamp|email|url|uri|number|integer|int|boolean|bool|float|decimal|text)\b", re.IGNORECASE)
_IN = re.compile(r"^\(?\s*(\w+)\s+IN\s*\((.*)\)\s*\)?$", re.IGNORECASE)
_BETWEEN = re.compile(r"^\(?\s*(?:(char_length|length)\s*\(\s*(\w+)\s*\)|(\w+))\s+BETWEEN\s+(-?[\d.]+)\s+AND\s+(-?[\d.]+)\s*\)?$", re.IGNORECASE)
_COMPARE = re.compile(r"^\(?\s*(?:(char_length|length)\s*\(\s*(\w+)\s*\)|(\w+))\s*(<=|>=|<|>)\s*(-?[\d.]+)\s*\)?$", re.IGNORECASE)


def run_docs_stage(ctx: Context, lint: list[Diagnostic], examples: list[ExampleRequest]) -> list[str]:
    """Returns the ids of the checks that ran."""
    for d in lint:
        if d.code.startswith("RT2"):
            ctx.report(d.code, d.span, d.message, severity=d.severity)
    strict = BodyValidator(ctx.doc)
    check_examples(ctx, strict)
    check_request_examples(ctx, strict, examples)
    check_sample_rows(ctx)
    return ["docs.lint", "docs.examples", "docs.request-examples", "docs.sample-rows"]


def check_examples(ctx: Context, strict: BodyValidator) -> None:
    for ep in ctx.spec.endpoints:
        for r in ep.responses:
            body = r.body
            if body is None or not (body.has_example or body.example is not None):
                continue
            _check_one(ctx, strict, ep.path, ep.method, r.status, body.content_type or "application/json", body.example,
                       body.span if body.span.line else r.span, f"the {r.status} response example of {ep.key}")
        for e in ep.errors:
            if e.example is None:
                continue
            _check_one(ctx, strict, ep.path, ep.method, e.status, "application/json", e.example, e.span, f"the {e.status} error example of {ep.key}")
        if ep.request is not None and (ep.request.has_example or ep.request.example is not None):
            _check_one(ctx, strict, ep.path, ep.method, None, ep.request.content_type or "application/json", ep.request.example,
                       ep.request.span, f"the request example of {ep.key}")
    for s in ctx.spec.schemas:
        if s.example is None or s.name not in ctx.doc.get("components", {}).get("schemas", {}):
            continue
        found = strict.violations(pointer("components", "schemas", s.name), s.example, ignore=is_placeholder)
        wrong = [m for _, m, keyword in found if keyword != "required"]
        if wrong:
            ctx.report("RT400", s.span, f"the example of {s.name} does not match its own schema: {'; '.join(wrong[:3])}")
        elif found:
            missing = ", ".join(sorted({p[-1] for p, _, _ in found if p}))
            ctx.report("RT400", s.span, f"the example of {s.name} leaves out required field(s) {missing} (an abbreviated illustration)",
                       severity=Severity.INFO)


def _check_one(ctx: Context, strict: BodyValidator, path: str, method: str, status: int | None, content_type: str,
               example: Any, span: Any, what: str) -> None:
    ptr = media_schema_pointer(ctx.doc, path, method, status, content_type)
    if ptr is None:
        return
    found = strict.violations(ptr, example, ignore=is_placeholder)
    if not found:
        return
    wrong = [m for _, m, keyword in found if keyword != "required"]
    if wrong:
        ctx.report("RT400", span, f"{what} does not match the schema it illustrates: {'; '.join(wrong[:3])}; fix the example or the schema")
        return
    # Every value the example shows is right; it leaves out required fields. Docs abbreviate examples
    # on purpose (the schema next to it is the contract), so this is a note, not a contradiction.
    missing = ", ".join(sorted({p[-1] for p, _, _ in found if p}))
    ctx.report("RT400", span, f"{what} leaves out required field(s) {missing} (an abbreviated illustration: every value it shows matches the schema); "
               "show them for a complete example", severity=Severity.INFO)


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and (" | " in value or bool(_PLACEHOLDER.match(value.strip())))


def check_request_examples(ctx: Context, strict: BodyValidator, examples: list[ExampleRequest]) -> None:
    for ex in examples:
        ep = ctx.spec.endpoint(ex.method, ex.template) if ex.template else None
        if ep is None or not ex.has_body:
            continue
        _check_one(ctx, strict, ep.path, ep.method, None, "application/json", ex.body, ex.span, f"the example request of {ep.key}")


# ---------------------------------------------------------------------- sample rows
def check_sample_rows(ctx: Context) -> None:
    spec = ctx.spec
    keys = _sample_keys(spec)
    for row in spec.samples:
        table = spec.table(row.table)
        if table is None:
            continue  # lint's RT215 says so already
        values = row.as_dict()
        problems: list[str] = []
        for col in table.columns:
            if col.name not in values:
                if not col.nullable and col.default is None and not col.autoincrement and not col.generated and col.name not in row.hashed:
                    problems.append(f"{col.name} is NOT NULL, has no default, and the row does not set it")
                continue
            v = values[col.name]
            if v is None:
                if not col.nullable:
                    problems.append(f"{col.name} is NOT NULL but the row sets NULL")
                continue
            if col.name in row.hashed:
                continue
            problems += _type_problems(col, v)
        problems += _check_problems(table, values)
        problems += _fk_problems(table, values, keys)
        if problems:
            ctx.report("RT401", row.span, f"sample row of {table.name} violates its table ({table.span}): {'; '.join(problems)}")


def _type_problems(col: Column, v: Any) -> list[str]:
    t = col.type
    out: list[str] = []
    if t.kind is Kind.STRING and isinstance(v, str) and t.length is not None and len(v) > t.length:
        out.append(f"{col.name} has {len(v)} characters, more than {col.type.source or 'the column'} allows ({t.length})")
    elif t.kind is Kind.ENUM and t.values and str(v) not in t.values:
        out.append(f"{col.name} = {v!r} is not one of {', '.join(t.values)}")
    elif t.kind is Kind.INTEGER and not (isinstance(v, int) and not isinstance(v, bool)) and not (isinstance(v, str) and v.lstrip("-").isdigit()):
        out.append(f"{col.name} = {v!r} is not an integer")
    elif t.kind in (Kind.FLOAT, Kind.DECIMAL) and not isinstance(v, int | float) and not _numeric(v):
        out.append(f"{col.name} = {v!r} is not a number")
    elif t.kind is Kind.UUID and isinstance(v, str):
        try:
            uuid.UUID(v)
        except ValueError:
            out.append(f"{col.name} = {v!r} is not a UUID")
    elif t.kind is Kind.BOOLEAN and not isinstance(v, bool) and str(v).lower() not in ("true", "false", "0", "1", "t", "f"):
        out.append(f"{col.name} = {v!r} is not a boolean")
    if t.kind is Kind.DECIMAL and t.precision is not None and _numeric(v):
        scale = t.scale or 0
        if abs(float(v)) >= 10 ** (t.precision - scale):
            out.append(f"{col.name} = {v!r} does not fit NUMERIC({t.precision},{scale})")
    return out


def _numeric(v: Any) -> bool:
    try:
        float(v)
        return not isinstance(v, bool)
    except (TypeError, ValueError):
        return False


def _check_problems(table: Table, values: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for chk in table.checks:
        expr = chk.expression.strip()
        m = _IN.match(expr)
        if m and m.group(1) in values and values[m.group(1)] is not None:
            allowed = [a.strip().strip("'\"") for a in m.group(2).split(",")]
            if str(values[m.group(1)]) not in allowed:
                out.append(f"{m.group(1)} = {values[m.group(1)]!r} is not allowed by CHECK ({expr})")
            continue
        m = _BETWEEN.match(expr)
        if m:
            col = m.group(2) or m.group(3)
            value = _measure(values.get(col), bool(m.group(1)))
            if value is not None and not float(m.group(4)) <= value <= float(m.group(5)):
                out.append(f"{col} violates CHECK ({expr})")
            continue
        m = _COMPARE.match(expr)
        if m:
            col = m.group(2) or m.group(3)
            value = _measure(values.get(col), bool(m.group(1)))
            if value is not None and not _holds(value, m.group(4), float(m.group(5))):
                out.append(f"{col} violates CHECK ({expr})")
    return out


def _holds(value: float, op: str, bound: float) -> bool:
    if op == "<=":
        return value <= bound
    if op == ">=":
        return value >= bound
    return value < bound if op == "<" else value > bound


def _measure(v: Any, length: bool) -> float | None:
    if v is None:
        return None
    if length:
        return float(len(str(v)))
    return float(v) if _numeric(v) else None


def _sample_keys(spec: Spec) -> dict[tuple[str, str], set[str]]:
    keys: dict[tuple[str, str], set[str]] = {}
    for row in spec.samples:
        for col, v in row.values:
            if v is not None:
                keys.setdefault((row.table, col), set()).add(str(v).lower())
    return keys


def _fk_problems(table: Table, values: dict[str, Any], keys: dict[tuple[str, str], set[str]]) -> list[str]:
    out: list[str] = []
    for fk in table.foreign_keys:
        if len(fk.columns) != 1 or len(fk.ref_columns) != 1:
            continue
        v = values.get(fk.columns[0])
        known = keys.get((fk.ref_table, fk.ref_columns[0]))
        if v is None or not known:
            continue  # no sample rows for the referenced table: nothing to compare with
        if str(v).lower() not in known:
            out.append(f"{fk.columns[0]} = {v!r} matches no sample row of {fk.ref_table}.{fk.ref_columns[0]}")
    return out
