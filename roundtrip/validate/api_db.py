"""API ↔ database: can every field the API accepts be stored, and do both sides state the
same limits? (RT201 enums, RT202 lengths/ranges, RT203 patterns, RT204 unstorable fields,
RT210 name/unit mismatches, RT212 nullability, RT213 types.)

Direction matters. API validation stricter than the column is by design (TEXT column, API
max 5000); API validation looser than the column is a bug (API accepts 120 chars, VARCHAR(100)
rejects them on insert). Two *validation* statements (API vs "Validation Rules" prose) must
agree exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from roundtrip.diagnostics import Sink
from roundtrip.ir import Endpoint, Facts, Field, FieldRule, Kind, Origin, Schema, Spec, Table, TypeRef
from roundtrip.ir.matching import Match, match_anywhere, match_in_table, table_for_endpoint, table_for_type
from roundtrip.ir.naming import snake
from roundtrip.ir.typemap import category, postgres_type
from roundtrip.validate.dbfacts import column_accepts, regex_length

_REQUEST_NAME = ("Request", "Input", "Payload", "Dto", "DTO", "Body")
_WRITE_METHODS = ("POST", "PUT", "PATCH")
_QUERY_SCHEMA = re.compile(r"^(list|search|query|filter|find|get)[A-Z]|(Query|Params|Filter|Filters|Search)(Schema)?$")


@dataclass
class Statement:
    """One place in the docs that lists an API object's fields."""

    label: str
    fields: tuple[Field, ...]
    table: Table | None
    is_request: bool


def enum_values(t: TypeRef, spec: Spec) -> tuple[str, ...]:
    if t.kind is Kind.ENUM:
        return tuple(t.values)
    if t.kind is Kind.UNION and t.variants and all(v.kind is Kind.LITERAL for v in t.variants):
        return tuple(str(v.literal) for v in t.variants)
    if t.kind is Kind.REF and t.ref and not t.args:
        s = spec.schema(t.ref)
        if s is not None and s.type is not t:
            return enum_values(s.type, spec)
    return ()


def _request_refs(spec: Spec) -> dict[str, Endpoint]:
    out: dict[str, Endpoint] = {}
    for e in spec.endpoints:
        if e.request and e.request.type is not None and e.request.type.kind is Kind.REF and e.request.type.ref:
            out.setdefault(e.request.type.ref, e)
    return out


def _body_fields(e: Endpoint, spec: Spec) -> list[str]:
    if e.request is None or e.request.type is None:
        return []
    t = e.request.type
    if t.kind is Kind.REF and t.ref:
        s = spec.schema(t.ref)
        t = s.type if s else t
    return [f.name for f in t.fields] if t.kind is Kind.OBJECT else []


def statements(spec: Spec, facts: Facts) -> list[Statement]:
    tables = spec.tables
    req_refs = _request_refs(spec)
    out: list[Statement] = []
    # zod schemas validate bodies; list/query/params schemas validate query strings, which have no column to match
    zod = [s for s in facts.schemas if s.origin is Origin.ZOD and not _QUERY_SCHEMA.search(s.name)]
    for s in list(spec.schemas) + zod:
        if s.type.kind is not Kind.OBJECT:
            continue
        table = table_for_type(s.name, tables)
        ep = req_refs.get(s.name)
        if table is None and ep is not None:
            table = table_for_endpoint(ep, tables, _body_fields(ep, spec))
        is_request = ep is not None or s.origin is Origin.ZOD or s.name.endswith(_REQUEST_NAME) or s.name.startswith(("Create", "Update"))
        out.append(Statement(s.name, tuple(s.type.fields), table, is_request))
    for e in spec.endpoints:
        if e.request is None or e.request.type is None or e.request.type.kind is not Kind.OBJECT:
            continue
        table = table_for_endpoint(e, tables, [f.name for f in e.request.type.fields])
        # "`password` with `currentPassword`": the companion is checked against the stored value, never stored
        checked = {second for rf in e.request.role_fields for _, second in rf.requires}
        fields = tuple(f for f in e.request.type.fields if f.name not in checked)
        out.append(Statement(f"the request body of {e.key}", fields, table, e.method in _WRITE_METHODS))
    return out


def _fmt(n: float | None) -> str:
    return "" if n is None else (str(int(n)) if float(n).is_integer() else str(n))


def _compare_with_column(st: Statement, f: Field, table: Table, sink: Sink, spec: Spec) -> None:
    col = table.column(snake(f.name))
    if col is None:
        return
    acc = column_accepts(table, col)
    where = f"{st.label}.{f.name}"
    colref = f"{table.name}.{col.name} ({col.type.source or postgres_type(col.type)}, {col.span})"
    api_values = enum_values(f.type, spec)
    if api_values and acc.values:
        extra = [v for v in api_values if v not in acc.values]
        if extra:
            missing = [v for v in acc.values if v not in api_values]
            sink.add(
                "RT201", f.span,
                f"{where} allows {', '.join(repr(v) for v in api_values)} but column {colref} accepts "
                f"{', '.join(repr(v) for v in acc.values)}: {', '.join(repr(v) for v in extra)} cannot be stored"
                + (f" ({', '.join(repr(v) for v in missing)} exists only in the database)" if missing else "")
                + "; make the two lists identical",
                related=[col.span],
            )
    c = f.constraints
    # a pattern such as ^[A-Z]{2,10}$ states a length limit as surely as "2-10 chars" does
    api_max = c.max_length if c.max_length is not None else (regex_length(c.pattern)[1] if c.pattern else None)
    if api_max is not None and acc.max_length is not None and api_max > acc.max_length:
        how = "the column's CHECK" if acc.length_from == "check" else "the column"
        sink.add(
            "RT202", f.span,
            f"{where} accepts up to {api_max} characters but {how} {colref} holds at most {acc.max_length}; "
            f"raise the column to {api_max} or lower the API limit to {acc.max_length}",
            related=[col.span],
        )
    if c.pattern and acc.pattern and c.pattern.strip() != acc.pattern.strip():
        sink.add(
            "RT203", f.span,
            f"{where} must match `{c.pattern}` but column {colref} CHECKs `{acc.pattern}`; state one pattern",
            related=[col.span],
        )
    if category(f.type) == "number" and col.type.kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
        lo = c.minimum if c.minimum is not None else c.exclusive_minimum
        hi = c.maximum if c.maximum is not None else c.exclusive_maximum
        if acc.minimum is not None and lo is not None and lo < acc.minimum or acc.maximum is not None and hi is not None and hi > acc.maximum:
            sink.add(
                "RT202", f.span,
                f"{where} accepts {_fmt(lo)}..{_fmt(hi)} but column {colref} CHECKs {_fmt(acc.minimum)}..{_fmt(acc.maximum)}; "
                "use the same range",
                related=[col.span],
            )
    if f.type.nullable and not col.nullable and not st.is_request:
        sink.add("RT212", f.span, f"{where} may be null but column {colref} is NOT NULL; make the column NULL or the field non-null", related=[col.span])
    elif f.type.nullable and not col.nullable and st.is_request and f.name != "id":
        sink.add("RT212", f.span, f"{where} accepts null but column {colref} is NOT NULL; the insert would fail", related=[col.span])
    api_cat, db_cat = category(f.type), category(col.type)
    if "any" not in (api_cat, db_cat) and api_cat != db_cat and not (api_cat == "boolean" and col.type.kind is Kind.INTEGER and (col.type.bits or 32) <= 8):
        sink.add(
            "RT213", f.span,
            f"{where} is {f.type.describe()} but column {colref} is {col.type.describe()}; align the types",
            related=[col.span],
        )


def check_api_vs_db(facts: Facts, spec: Spec, sink: Sink) -> None:
    if not spec.tables:
        return
    computed = {(snake(e), snake(fl)) for e, fl, _ in facts.computed} | {("", snake(fl)) for _, fl, _ in facts.computed}
    flagged: set[tuple[str, str]] = set()  # (table, column-name) of unstorable request fields
    sts = statements(spec, facts)
    reported_unstorable: set[tuple[str, int]] = set()
    for st in sts:
        for f in st.fields:
            if f.computed or f.read_only or ("", snake(f.name)) in computed:
                continue
            m = match_in_table(f.name, st.table) if st.table is not None else None
            if m is not None and m.kind is Match.EXACT:
                _compare_with_column(st, f, st.table, sink, spec)  # type: ignore[arg-type]
                continue
            if m is not None and m.kind is Match.UNIT and m.column is not None:
                col = m.column
                sink.add(
                    "RT210", f.span,
                    f"{st.label}.{f.name} maps to no column: {st.table.name} has `{col.name}` "  # type: ignore[union-attr]
                    f"{col.type.source or postgres_type(col.type)} ({col.span}) where `{snake(f.name)}` was expected; "
                    f"the API states the value in a unit ({f.name}) the column name does not, and the types are "
                    f"{f.type.describe()} vs {col.type.describe()}; rename one side and use one unit",
                    related=[col.span],
                )
                continue
            if not st.is_request:
                continue
            if match_anywhere(f.name, spec.tables, st.table).kind is Match.NONE:
                if (f.span.file, f.span.line) not in reported_unstorable:
                    reported_unstorable.add((f.span.file, f.span.line))
                    home = f" (table {st.table.name} has no column {snake(f.name)})" if st.table is not None else ""
                    sink.add(
                        "RT204", f.span,
                        f"{st.label}.{f.name} is accepted by the API but no column can store it{home}; add the column "
                        "to the data model or mark the field as computed",
                    )
                if st.table is not None:
                    flagged.add((st.table.name, snake(f.name)))
    # Response types of the same resource that expose an unstorable field say the same thing again.
    for st in sts:
        if st.is_request or st.table is None:
            continue
        for f in st.fields:
            if (st.table.name, snake(f.name)) in flagged and (f.span.file, f.span.line) not in reported_unstorable:
                reported_unstorable.add((f.span.file, f.span.line))
                sink.add(
                    "RT204", f.span,
                    f"{st.label}.{f.name} is returned by the API but table {st.table.name} has no column "
                    f"{snake(f.name)} and the docs do not say it is computed; add the column or mark it computed",
                )
    _check_field_rules(facts.field_rules, sts, spec, sink)


def _entity_table(entity: str, spec: Spec) -> Table | None:
    return table_for_type(entity, spec.tables) if entity else None


def _check_field_rules(rules: Iterable[FieldRule], sts: list[Statement], spec: Spec, sink: Sink) -> None:
    """Rules stated outside the types (Validation Rules bullets, `| Field | Values |` tables)."""
    for rule in rules:
        table = _entity_table(rule.entity, spec)
        if table is None:
            continue
        col = table.column(snake(rule.field))
        if col is not None:
            acc = column_accepts(table, col)
            if rule.values and acc.values:
                extra = [v for v in rule.values if v not in acc.values]
                if extra:
                    sink.add(
                        "RT201", rule.span,
                        f"{rule.entity}.{rule.field} lists {', '.join(repr(v) for v in rule.values)} but column "
                        f"{table.name}.{col.name} ({col.span}) accepts {', '.join(repr(v) for v in acc.values)}: "
                        f"{', '.join(repr(v) for v in extra)} cannot be stored; make the lists identical",
                        related=[col.span],
                    )
            rc = rule.constraints
            if rc.max_length is not None and acc.max_length is not None and rc.max_length > acc.max_length:
                sink.add(
                    "RT202", rule.span,
                    f"the rule for {rule.entity}.{rule.field} allows {rc.max_length} characters but column "
                    f"{table.name}.{col.name} ({col.span}) holds {acc.max_length}; align them",
                    related=[col.span],
                )
        # the same rule stated in an API type of the same resource must say the same numbers
        for st in sts:
            if st.table is None or st.table.name != table.name:
                continue
            for f in st.fields:
                if snake(f.name) != snake(rule.field):
                    continue
                for attr, word in (("min_length", "minimum length"), ("max_length", "maximum length"), ("minimum", "minimum"), ("maximum", "maximum")):
                    a, b = getattr(f.constraints, attr), getattr(rule.constraints, attr)
                    if a is not None and b is not None and float(a) != float(b):
                        sink.add(
                            "RT202", f.span,
                            f"{st.label}.{f.name} has {word} {_fmt(a)} but the validation rule for {rule.entity}.{rule.field} "
                            f"({rule.span}) says {_fmt(b)}; state one value",
                            related=[rule.span],
                        )
                if f.constraints.pattern and rule.constraints.pattern and f.constraints.pattern != rule.constraints.pattern:
                    sink.add(
                        "RT203", f.span,
                        f"{st.label}.{f.name} must match `{f.constraints.pattern}` but the validation rule ({rule.span}) "
                        f"says `{rule.constraints.pattern}`; state one pattern",
                        related=[rule.span],
                    )


def schema_is_request(s: Schema) -> bool:
    return s.origin is Origin.ZOD or s.name.endswith(_REQUEST_NAME)
