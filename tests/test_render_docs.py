"""Canonical docs: `read(render(ir)) == ir`, and rendering the docs read back gives the same bytes.

The normalization below is the complete list of facts the canonical docs do not carry. Each is
provenance (the words a fact was stated in), not the fact itself:
  - Auth.text, RateLimit.text, Convention.text: the sentence an auth rule, rate limit or convention
    was read from (the canonical docs state each in their own words; required/roles, numbers/scope
    and key/value are compared);
  - SecurityScheme.description: the line the scheme was found on (name, kind, format and header are compared);
  - Spec.files: the canonical docs are API_SPEC.md, DATA_MODEL.md and SECURITY.md.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roundtrip import api
from roundtrip.diff.tree import tree_differences
from roundtrip.emit.markdown import render_docs
from roundtrip.ir import (
    ApiInfo,
    Auth,
    Body,
    CheckConstraint,
    Column,
    Constraints,
    Convention,
    Default,
    DefaultKind,
    Endpoint,
    EnumType,
    ErrorDoc,
    Field,
    FKAction,
    ForeignKey,
    Index,
    IndexElement,
    Kind,
    Origin,
    Parameter,
    ParamIn,
    RateLimit,
    Response,
    SampleRow,
    Schema,
    SchemeKind,
    SecurityScheme,
    Spec,
    Table,
    TypeRef,
    UniqueConstraint,
)
from roundtrip.readers.api_json import infer_type
from roundtrip.readers.api_paths import operation_id
from roundtrip.resolve.links import build_links

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
EXAMPLES = SHARED / "examples"
CORPUS = SHARED / "corpus"
SPECS = Path(__file__).resolve().parent.parent / "specs"

# Differences the readers cannot avoid today; the test fails if they change (fixed or grown).
KNOWN_GAPS: dict[str, list[str]] = {}


def _strip_texts(obj: Any) -> Any:
    if isinstance(obj, Auth):
        return dataclasses.replace(obj, text="")
    if isinstance(obj, RateLimit):
        return dataclasses.replace(obj, text="")
    if isinstance(obj, Convention):
        return dataclasses.replace(obj, text="")
    if isinstance(obj, SecurityScheme):
        return dataclasses.replace(obj, description="")
    if isinstance(obj, Endpoint):
        return dataclasses.replace(obj, auth=_strip_texts(obj.auth), rate_limit=_strip_texts(obj.rate_limit))
    return obj


def normalize(spec: Spec) -> Spec:
    """The documented normalization (see the module docstring); nothing else is changed."""
    return dataclasses.replace(
        spec,
        files=(),
        endpoints=tuple(_strip_texts(e) for e in spec.endpoints),
        rate_limits=tuple(_strip_texts(r) for r in spec.rate_limits),
        conventions=tuple(_strip_texts(c) for c in spec.conventions),
        security_schemes=tuple(_strip_texts(s) for s in spec.security_schemes),
    )


def read_back(files: dict[str, str]) -> Spec:
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        return api.load(Path(tmp)).spec


def _example_dirs() -> list[Path]:
    out = [p for p in sorted(EXAMPLES.iterdir()) if p.is_dir()] if EXAMPLES.is_dir() else []
    return out + ([SPECS] if SPECS.is_dir() else [])


@pytest.mark.parametrize("folder", _example_dirs(), ids=lambda p: p.name)
def test_examples_round_trip(folder: Path) -> None:
    spec = api.load(folder).spec
    assert spec.endpoints or spec.tables
    files = render_docs(spec)
    back = read_back(files)
    diffs = tree_differences(normalize(spec), normalize(back), limit=200)
    assert diffs == KNOWN_GAPS.get(folder.name, []), "\n".join(diffs)
    again = render_docs(back)
    if folder.name in KNOWN_GAPS:
        changed = [ln for ln in again["API_SPEC.md"].split("\n") if ln not in files["API_SPEC.md"].split("\n")]
        assert len(changed) == len(KNOWN_GAPS[folder.name])
    else:
        assert again == files


def test_taskboard_canonical_shape() -> None:
    """The canonical docs are autoflow-style documents, not a dump."""
    spec = api.load(EXAMPLES / "autoflow-taskboard").spec if (EXAMPLES / "autoflow-taskboard").is_dir() else pytest.skip("no examples")
    files = render_docs(spec)
    assert set(files) == {"API_SPEC.md", "DATA_MODEL.md", "SECURITY.md"}
    api_md, data_md = files["API_SPEC.md"], files["DATA_MODEL.md"]
    assert "### POST /v1/projects/{projectId}/tasks" in api_md
    assert "**Authentication Required**: Yes (`owner`, `admin`, `member`)" in api_md
    assert "| title | string | Yes | Short summary | min length 1, max length 200 |   |" in api_md
    assert "- **409 Conflict**: Project is archived" in api_md
    assert "| 404 | `TASK_NOT_FOUND` |" in api_md
    assert "**Rate Limiting**: 60 requests per minute per user" in api_md
    assert "### task_labels" in data_md and "**Primary Key**: (`task_id`, `label_id`)" in data_md
    assert "- `idx_tasks_title_trgm` GIN ON (title gin_trgm_ops)" in data_md
    assert "- `assignee_id` REFERENCES `users(id)` ON DELETE SET NULL" in data_md
    assert "INSERT INTO task_labels (task_id, label_id, tenant_id) VALUES" in data_md
    assert "Account lockout: 15 minutes after 5 failed attempts." in files["SECURITY.md"]


def test_sql_tables_keep_their_dialect() -> None:
    folder = EXAMPLES / "bmad-library"
    if not folder.is_dir():
        pytest.skip("no examples")
    data_md = render_docs(api.load(folder).spec)["DATA_MODEL.md"]
    assert "```mysql\nCREATE TABLE books (" in data_md
    assert "FULLTEXT KEY ft_books_title (title, subtitle)" in data_md
    assert "updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)" in data_md


def test_render_never_raises_on_corpus() -> None:
    files = sorted(CORPUS.glob("*.md")) if CORPUS.is_dir() else []
    if not files:
        pytest.skip("no corpus")
    for f in files:
        spec = api.load(f).spec
        out = render_docs(spec)
        assert "API_SPEC.md" in out and "DATA_MODEL.md" in out, f.name
        assert render_docs(spec) == out  # deterministic


# ---------------------------------------------------------------- generated IRs

_WORDS = ["record", "owner", "shown", "label", "list", "item", "board", "team", "note", "entry", "member", "project"]
_TAGS = ["Tasks", "Users", "Projects", "Health Checks"]
_SEGMENTS = ["tasks", "users", "projects", "labels", "notes", "teams"]
_FIELDS = ["title", "name", "count", "state", "ownerId", "dueDate", "tags", "position", "body", "active"]
_ENUM_VALUES = ["low", "medium", "high", "open", "closed", "draft"]
_CODES = ["NOT_FOUND", "CONFLICT_STATE", "INVALID_INPUT", "FORBIDDEN"]
_PATTERNS = ["^[a-z]+$", "^[A-Z]{2,6}$", "^#[0-9a-f]{6}$"]


def _sentence(words: list[str]) -> str:
    text = " ".join(words)
    return text[:1].upper() + text[1:] + "."


sentences = st.lists(st.sampled_from(_WORDS), min_size=2, max_size=6).map(_sentence)
long_sentences = st.lists(st.sampled_from(_WORDS), min_size=5, max_size=9).map(_sentence)


@st.composite
def api_types(draw: st.DrawFn, refs: list[str], depth: int = 0) -> TypeRef:
    choices = ["string", "integer", "number", "boolean", "uuid", "date", "datetime", "enum"]
    if refs:
        choices.append("ref")
    if depth == 0:
        choices.append("array")
    kind = draw(st.sampled_from(choices))
    nullable = draw(st.booleans()) if kind not in ("array",) else False
    if kind == "array":
        return TypeRef(Kind.ARRAY, items=draw(api_types(refs, depth + 1)))
    if kind == "ref":
        return TypeRef(Kind.REF, ref=draw(st.sampled_from(refs)), nullable=nullable)
    if kind == "enum":
        values = draw(st.lists(st.sampled_from(_ENUM_VALUES), min_size=2, max_size=3, unique=True))
        return TypeRef(Kind.ENUM, values=tuple(values), nullable=nullable)
    k = {"string": Kind.STRING, "integer": Kind.INTEGER, "number": Kind.FLOAT, "boolean": Kind.BOOLEAN, "uuid": Kind.UUID,
         "date": Kind.DATE, "datetime": Kind.DATETIME}[kind]
    return TypeRef(k, nullable=nullable)


@st.composite
def constraints_for(draw: st.DrawFn, t: TypeRef) -> Constraints:
    if not draw(st.booleans()):
        return Constraints()
    if t.kind is Kind.STRING:
        lo = draw(st.integers(0, 20))
        return Constraints(min_length=lo, max_length=draw(st.integers(lo, 300)),
                           pattern=draw(st.none() | st.sampled_from(_PATTERNS)),
                           format=draw(st.none() | st.sampled_from(["email", "uri", "hostname"])))
    if t.kind in (Kind.INTEGER, Kind.FLOAT):
        lo = draw(st.integers(-5, 50))
        return Constraints(minimum=lo, maximum=draw(st.integers(lo, 1000)))
    if t.kind is Kind.ARRAY:
        lo = draw(st.integers(0, 3))
        return Constraints(min_items=lo, max_items=draw(st.integers(lo, 20)))
    return Constraints()


@st.composite
def table_fields(draw: st.DrawFn, refs: list[str]) -> tuple[Field, ...]:
    names = draw(st.lists(st.sampled_from(_FIELDS), min_size=1, max_size=5, unique=True))
    out = []
    for n in names:
        t = draw(api_types(refs))
        default: Any = None
        has_default = False
        if t.kind is Kind.INTEGER and not t.nullable and draw(st.booleans()):
            default, has_default = draw(st.integers(0, 99)), True
        elif t.kind is Kind.ENUM and not t.nullable and draw(st.booleans()):
            default, has_default = t.values[0], True
        out.append(Field(n, t, required=draw(st.booleans()), description=draw(st.just("") | sentences),
                         constraints=draw(constraints_for(t)), default=default, has_default=has_default))
    return tuple(out)


@st.composite
def ts_fields(draw: st.DrawFn, refs: list[str]) -> tuple[Field, ...]:
    names = draw(st.lists(st.sampled_from(_FIELDS), min_size=1, max_size=5, unique=True))
    out = []
    for n in names:
        kind = draw(st.sampled_from(["string", "number", "boolean", "enum", "ref", "array", "map", "date"] if refs else
                                    ["string", "number", "boolean", "enum", "array", "date"]))
        base = {"string": TypeRef(Kind.STRING), "number": TypeRef(Kind.FLOAT), "boolean": TypeRef(Kind.BOOLEAN),
                "date": TypeRef(Kind.DATETIME)}.get(kind)
        if kind == "enum":
            base = TypeRef(Kind.ENUM, values=tuple(draw(st.lists(st.sampled_from(_ENUM_VALUES), min_size=2, max_size=3, unique=True))))
        elif kind == "ref":
            base = TypeRef(Kind.REF, ref=draw(st.sampled_from(refs)))
        elif kind == "array":
            base = TypeRef(Kind.ARRAY, items=TypeRef(Kind.STRING))
        elif kind == "map":
            base = TypeRef(Kind.MAP, items=TypeRef(Kind.FLOAT))
        assert base is not None
        if kind != "array" and draw(st.booleans()):
            base = base.with_nullable(True)
        out.append(Field(n, base, required=draw(st.booleans()), read_only=draw(st.booleans())))
    return tuple(out)


@st.composite
def schemas(draw: st.DrawFn) -> tuple[Schema, ...]:
    count = draw(st.integers(0, 3))
    out: list[Schema] = []
    ts_names = ["Task", "Project", "Member"][:count]
    for i, name in enumerate(ts_names):
        fields = draw(ts_fields(ts_names[:i]))
        out.append(Schema(name, TypeRef(Kind.OBJECT, fields=fields), description=draw(st.just("") | sentences), origin=Origin.TYPESCRIPT))
    if draw(st.booleans()):
        out.append(Schema("Summary", TypeRef(Kind.OBJECT, fields=draw(table_fields(ts_names))), origin=Origin.FIELD_TABLE))
    if draw(st.booleans()):  # `**Sample object**:` + its JSON example: the type is what the example implies
        example = draw(st.dictionaries(st.sampled_from(_FIELDS), st.none() | st.integers(0, 9) | st.booleans() | st.sampled_from(
            _WORDS + ["2025-03-01", "ada@example.org", "2025-03-01T10:00:00Z"]) | st.lists(st.integers(0, 9), max_size=2), min_size=1, max_size=4))
        out.append(Schema("Sample", infer_type(example), origin=Origin.JSON_EXAMPLE, example=example))
    return tuple(out)


@st.composite
def paths(draw: st.DrawFn) -> tuple[str, tuple[str, ...]]:
    segs = draw(st.lists(st.sampled_from(_SEGMENTS), min_size=1, max_size=2, unique=True))
    params: list[str] = []
    parts: list[str] = []
    for i, s in enumerate(segs):
        parts.append(s)
        if draw(st.booleans()):
            p = f"{s[:-1]}Id" if i < len(segs) - 1 or draw(st.booleans()) else "id"
            params.append(p)
            parts.append("{" + p + "}")
    return "/" + "/".join(parts), tuple(params)


@st.composite
def bodies(draw: st.DrawFn, refs: list[str]) -> Body:
    if refs and draw(st.booleans()):
        ref = TypeRef(Kind.REF, ref=draw(st.sampled_from(refs)))
        t = ref if draw(st.booleans()) else TypeRef(Kind.ARRAY, items=ref)
    else:
        t = TypeRef(Kind.OBJECT, fields=draw(table_fields(refs)))
    example = draw(st.none() | st.dictionaries(st.sampled_from(_FIELDS), st.integers(0, 9) | st.sampled_from(_WORDS), max_size=3))
    return Body(t, example, example is not None, description=draw(st.just("") | sentences))


@st.composite
def errors(draw: st.DrawFn) -> tuple[ErrorDoc, ...]:
    out = []
    for status in draw(st.lists(st.sampled_from([400, 403, 404, 409, 422]), max_size=3, unique=True)):
        code = draw(st.sampled_from(_CODES))
        msg = draw(sentences)
        example = {"error": code, "message": msg} if draw(st.booleans()) else None
        out.append(ErrorDoc(status, code, msg, example))
    return tuple(out)


_DEFAULT_AUTH = "default: the docs define a bearer scheme"


@st.composite
def endpoints(draw: st.DrawFn, refs: list[str], has_scheme: bool) -> tuple[Endpoint, ...]:
    out: list[Endpoint] = []
    seen: set[str] = set()
    for _ in range(draw(st.integers(1, 4))):
        method = draw(st.sampled_from(["GET", "POST", "PATCH", "DELETE"]))
        path, pnames = draw(paths())
        if f"{method} {path}" in seen:
            continue
        seen.add(f"{method} {path}")
        params = [Parameter(p, ParamIn.PATH, draw(st.sampled_from([TypeRef(Kind.UUID), TypeRef(Kind.STRING), TypeRef(Kind.INTEGER)])),
                            True, draw(st.just("") | sentences)) for p in pnames]
        for q in draw(st.lists(st.sampled_from(["limit", "offset", "q", "status"]), max_size=2, unique=True)):
            t = TypeRef(Kind.INTEGER) if q in ("limit", "offset") else TypeRef(Kind.STRING)
            dflt = draw(st.none() | st.integers(0, 50)) if t.kind is Kind.INTEGER else None
            params.append(Parameter(q, ParamIn.QUERY, t, draw(st.booleans()), draw(st.just("") | sentences), dflt, dflt is not None,
                                    draw(constraints_for(t))))
        request = draw(bodies(refs)) if method in ("POST", "PATCH") else None
        responses = []
        for status in draw(st.lists(st.sampled_from([200, 201, 204]), min_size=1, max_size=2, unique=True)):
            desc = draw(st.just("") | sentences)
            body = None if status == 204 else dataclasses.replace(draw(bodies(refs)), description="")
            responses.append(Response(status, desc or {200: "OK", 201: "Created", 204: "No Content"}[status], body))
        description = draw(st.just("") | long_sentences)
        summary = description if draw(st.booleans()) or not description else draw(sentences).rstrip(".")
        auth_choice = draw(st.sampled_from(["default", "no", "yes", "roles"]) if has_scheme else st.sampled_from(["none", "no", "yes", "roles"]))
        auth = {"default": Auth(True, (), _DEFAULT_AUTH), "none": Auth(), "no": Auth(False, (), "No"), "yes": Auth(True, (), "Yes"),
                "roles": Auth(True, ("owner", "admin"), "Yes (owner, admin)")}[auth_choice]
        if auth_choice == "default":
            from roundtrip.emit.md_api import default_auth
            auth = default_auth(Endpoint(method, path), True) or auth
        rate = draw(st.none() | st.builds(RateLimit, st.integers(1, 500), st.sampled_from([1, 60, 900, 3600, 86400]),
                                          st.sampled_from(["", "ip", "user", "tenant"])))
        out.append(Endpoint(
            method=method, path=path, summary=summary, description=description,
            tags=(draw(st.sampled_from(_TAGS)),) if draw(st.integers(0, 5)) else (), operation_id=operation_id(method, path),
            auth=auth, parameters=tuple(params), request=request, responses=tuple(sorted(responses, key=lambda r: r.status)),
            errors=draw(errors()), rate_limit=rate, caching=draw(st.just("") | sentences),
        ))
    # documented only by a summary-table row
    if draw(st.booleans()):
        path, _ = draw(paths())
        if f"GET {path}" not in seen:
            out.append(Endpoint("GET", path, summary=draw(sentences).rstrip("."), tags=(draw(st.sampled_from(_TAGS)),),
                                auth=Auth(required=has_scheme), detailed=False))
    return tuple(out)


_SQL_TYPES = [TypeRef(Kind.STRING, length=80), TypeRef(Kind.STRING), TypeRef(Kind.INTEGER, bits=32), TypeRef(Kind.INTEGER, bits=64),
              TypeRef(Kind.BOOLEAN), TypeRef(Kind.DATETIME, timezone=True), TypeRef(Kind.DATE), TypeRef(Kind.DECIMAL, precision=10, scale=2),
              TypeRef(Kind.JSON), TypeRef(Kind.STRING, length=2, fixed=True), TypeRef(Kind.FLOAT, bits=64)]
_COLUMNS = ["name", "title", "amount", "quantity", "created_at", "note", "rank_no", "code"]


def _sample_value(t: TypeRef, i: int) -> Any:
    return {Kind.STRING: f"v{i}"[: t.length or 10], Kind.INTEGER: i, Kind.BOOLEAN: i % 2 == 0, Kind.DATE: "2025-03-0" + str(1 + i % 9),
            Kind.DATETIME: "2025-03-01 10:00:00+00", Kind.DECIMAL: 1.5 + i, Kind.JSON: None, Kind.FLOAT: 2.5 + i,
            Kind.ENUM: t.values[0] if t.values else "x", Kind.UUID: f"00000000-0000-4000-8000-00000000000{i % 10}"}[t.kind]


@st.composite
def tables(draw: st.DrawFn) -> tuple[tuple[Table, ...], tuple[EnumType, ...], tuple[SampleRow, ...]]:
    enums: list[EnumType] = []
    if draw(st.booleans()):
        enums.append(EnumType("entry_state", ("open", "closed"), origin=Origin.SQL))
    out: list[Table] = []
    samples: list[SampleRow] = []
    names = draw(st.lists(st.sampled_from(["teams", "members", "entries"]), min_size=0, max_size=3, unique=True))
    ddl = draw(st.integers(0, len(names)))  # the first `ddl` tables are written as PostgreSQL DDL (read before column tables)
    for pos, tname in enumerate(names):
        sql = pos < ddl
        prose = st.just("") if sql else (st.just("") | sentences)
        cols = [Column("id", TypeRef(Kind.UUID), nullable=False, default=Default(DefaultKind.UUID, sql="gen_random_uuid()"), primary_key=True,
                       description=draw(prose))]
        checks: list[CheckConstraint] = []
        for cname in draw(st.lists(st.sampled_from(_COLUMNS), min_size=1, max_size=4, unique=True)):
            t = draw(st.sampled_from(_SQL_TYPES))
            default = None
            if t.kind is Kind.INTEGER and draw(st.booleans()):
                v = draw(st.integers(0, 9))
                default = Default(DefaultKind.LITERAL, v, str(v))
            elif t.kind is Kind.DATETIME and draw(st.booleans()):
                default = Default(DefaultKind.NOW, sql="now()")
            elif t.kind is Kind.STRING and draw(st.booleans()):
                default = Default(DefaultKind.LITERAL, "new", "'new'")
            cols.append(Column(cname, t, nullable=draw(st.booleans()), default=default, unique=draw(st.booleans()),
                               description=draw(prose)))
            if t.kind is Kind.INTEGER and draw(st.booleans()):
                checks.append(CheckConstraint(f"{cname} > 0", columns=(cname,)))
        if enums and draw(st.booleans()):
            cols.append(Column("state", TypeRef(Kind.ENUM, enum_name="entry_state", values=("open", "closed")), nullable=False))
        fks: list[ForeignKey] = []
        if out and draw(st.booleans()):
            target = out[-1].name
            cols.append(Column(f"{target[:-1]}_id", TypeRef(Kind.UUID), nullable=False))
            fks.append(ForeignKey((f"{target[:-1]}_id",), target, ("id",), on_delete=draw(st.none() | st.sampled_from([a for a in FKAction if a is not FKAction.NO_ACTION]))))
        plain = [c.name for c in cols[1:] if c.type.kind not in (Kind.JSON,)]
        indexes = []
        if plain and draw(st.booleans()):
            col = draw(st.sampled_from(plain))
            indexes.append(Index(f"idx_{tname}_{col}", (IndexElement(column=col, descending=draw(st.booleans())),), unique=draw(st.booleans())))
        uniques = []
        if len(plain) >= 2 and draw(st.booleans()):
            uniques.append(UniqueConstraint(tuple(plain[:2]), name=f"uq_{tname}_pair"))
        out.append(Table(tname, tuple(cols), primary_key=("id",), uniques=tuple(uniques), checks=tuple(checks), foreign_keys=tuple(fks),
                         indexes=tuple(indexes), description=draw(prose), origin=Origin.SQL if sql else Origin.COLUMN_TABLE,
                         dialect="postgres" if sql else ""))
        for i in range(draw(st.integers(0, 2))):
            values = tuple((c.name, _sample_value(c.type, i) if c.name != "id" else f"00000000-0000-4000-8000-00000000000{i}")
                           for c in cols if c.type.kind is not Kind.JSON)
            samples.append(SampleRow(tname, values, origin=Origin.SQL))
    return tuple(out), tuple(enums), tuple(samples)


@st.composite
def conventions(draw: st.DrawFn) -> tuple[Convention, ...]:
    out: list[Convention] = []
    if draw(st.booleans()):
        out.append(Convention("pagination.default_limit", draw(st.integers(5, 50))))
        out.append(Convention("pagination.max_limit", draw(st.integers(60, 500))))
        out.append(Convention("pagination.style", draw(st.sampled_from(["offset", "page", "cursor"]))))
        out.append(Convention("pagination.envelope", draw(st.sampled_from(["data+pagination", "data+meta", "flat"]))))
    if draw(st.booleans()):
        out.append(Convention("sort.syntax", "-field"))
    if draw(st.booleans()):
        out.append(Convention("auth.access_ttl_seconds", draw(st.sampled_from([300, 900, 3600]))))
        out.append(Convention("auth.token_format", "jwt"))
        out.append(Convention("auth.refresh_ttl_seconds", draw(st.sampled_from([86400, 604800]))))
    if draw(st.booleans()):
        out.append(Convention("auth.password_hash", "bcrypt"))
        out.append(Convention("auth.bcrypt_cost", draw(st.integers(10, 14))))
    if draw(st.booleans()):
        out.append(Convention("auth.lockout_attempts", draw(st.integers(3, 10))))
        out.append(Convention("auth.lockout_seconds", draw(st.sampled_from([300, 900]))))
    return tuple(out)


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    has_scheme = draw(st.booleans())
    schemes = (SecurityScheme("bearerAuth", SchemeKind.BEARER, bearer_format=draw(st.sampled_from(["", "JWT"]))),) if has_scheme else ()
    sch = draw(schemas())
    tbls, enums, samples = draw(tables())
    servers = ("https://api.example.org",) if draw(st.booleans()) else ()
    info = ApiInfo(title=draw(st.sampled_from(["", "Teamboard"])), version=draw(st.sampled_from(["", "1.0.0"])),
                   description=draw(st.just("") | long_sentences), base_path=draw(st.sampled_from(["", "/api/v1"])) if not servers else "",
                   servers=servers)
    envelope = None
    if draw(st.booleans()):
        # TypeScript declarations are read before field tables: the envelope goes before them
        ts = tuple(x for x in sch if x.origin is Origin.TYPESCRIPT)
        sch = ts + (Schema("ErrorResponse", TypeRef(Kind.OBJECT, fields=(Field("error", TypeRef(Kind.STRING)), Field("message", TypeRef(Kind.STRING)))),
                            origin=Origin.TYPESCRIPT),) + tuple(x for x in sch if x.origin is not Origin.TYPESCRIPT)
        envelope = TypeRef(Kind.REF, ref="ErrorResponse")
    spec = Spec(
        info=info, security_schemes=schemes, endpoints=draw(endpoints([s.name for s in sch], has_scheme)), schemas=sch,
        tables=tbls, enums=enums, extensions=tuple(draw(st.lists(st.sampled_from(["pgcrypto", "pg_trgm"]), unique=True))),
        samples=samples, conventions=draw(conventions()), error_envelope=envelope,
        common_errors=tuple(e for e in draw(errors()) if e.example is None),
        rate_limits=tuple(draw(st.lists(st.builds(RateLimit, st.integers(1, 900), st.sampled_from([60, 3600]),
                                                  st.sampled_from(["user", "ip", "tenant"])), max_size=2))),
    )
    return dataclasses.replace(spec, links=build_links(spec))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs())
def test_generated_specs_round_trip(spec: Spec) -> None:
    files = render_docs(spec)
    back = read_back(files)
    diffs = tree_differences(normalize(spec), normalize(back), limit=20)
    assert not diffs, "\n".join(diffs) + "\n\n" + "\n".join(f"== {n}\n{t}" for n, t in files.items())
    assert render_docs(back) == files
