"""Importers: OpenAPI documents (real ones, from @readme/oas-examples) and live databases (SQLite
built from the example docs' own migrations; PostgreSQL when ROUNDTRIP_PG_URL is set) become
Specs that compile back through the canonical docs.

OpenAPI comparison (`normalized`): per operation (METHOD + path) the set of (in, name, required)
parameters, the numbered response statuses and whether a JSON request body exists; per component
schema its property names, required list and a type signature (`string`, `integer`, `array<ref:Tag>`,
`enum:a,b`). Left out on purpose, because the canonical docs or the IR do not carry them:
`default`/`2XX` responses and the success response the emitter adds when none is documented
(x-roundtrip-undocumented); cookie parameters (the docs have no cookie-parameter label); request
bodies without fields or items (binary uploads, plain text) and media types (a form body comes back as
JSON); nullability; descriptions, examples and formats other than the type. Component names are compared as the type names the docs can write (`Links-Self` → `LinksSelf`).
"""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

from roundtrip import api
from roundtrip.emit.markdown import render_docs
from roundtrip.emit.openapi import build_openapi
from roundtrip.importers import from_database, from_openapi
from roundtrip.importers.openapi import schema_name
from roundtrip.ir import Kind, SchemeKind, Spec

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "openapi"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
HTTP = ("get", "post", "put", "patch", "delete", "head", "options")


def _load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def _through_docs(spec: Spec) -> Spec:
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in render_docs(spec).items():
            (Path(tmp) / name).write_text(text)
        return api.load(Path(tmp)).spec


class _Norm:
    """`named`: the schema names a reference keeps; a reference to any other name (one the docs declared
    for a type a table cell cannot spell, md_hoist) compares as the type it names."""

    def __init__(self, doc: dict[str, Any], named: set[str] | None = None) -> None:
        self.doc = doc
        self.named = named

    def deref(self, x: Any) -> Any:
        for _ in range(20):
            if not (isinstance(x, dict) and isinstance(x.get("$ref"), str)):
                return x
            node: Any = self.doc
            for part in x["$ref"][2:].split("/"):
                node = (
                    node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, dict) else {}
                )
            x = node
        return x

    def props(self, s: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Properties and required names of an object schema, `allOf` parts merged."""
        props: dict[str, Any] = {}
        required: list[str] = []
        for part in [*(s.get("allOf") or []), s]:
            part = self.deref(part)
            if not isinstance(part, dict):
                continue
            if part is not s and part.get("allOf"):
                p2, r2 = self.props(part)
                props.update(p2)
                required += r2
            props.update(part.get("properties") or {})
            required += list(part.get("required") or [])
        return props, sorted(set(required))

    def structured(self, media: Any) -> bool:
        """A body with fields or items (JSON or a form); binary and plain-text bodies are not carried."""
        if not isinstance(media, dict):
            return False
        if "schema" not in media:  # a JSON example alone: the docs infer the type from it
            examples = [media.get("example")] + [
                self.deref(x).get("value") for x in (media.get("examples") or {}).values()
            ]
            return any(isinstance(x, (dict, list)) for x in examples)
        return self.sig(media["schema"]).split("<")[0].split(":")[0] in (
            "object",
            "array",
            "ref",
            "map",
            "union",
        )

    def sig(self, s: Any, depth: int = 0) -> str:
        if not isinstance(s, dict) or depth > 8:
            return "any"
        ref = s.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = schema_name(ref.rsplit("/", 1)[-1])
            if self.named is None or name in self.named:
                return "ref:" + name
        s = self.deref(s)
        for key in ("oneOf", "anyOf"):
            if key in s:
                parts = [p for p in (self.sig(x, depth + 1) for x in s[key]) if p != "null"]
                return parts[0] if len(parts) == 1 else "union"
        if "allOf" in s:
            return "object"
        t = s.get("type")
        if isinstance(t, list):
            rest = [x for x in t if x != "null"]
            t = rest[0] if len(rest) == 1 else "union"
        if "enum" in s and t not in ("integer", "number"):
            return "enum:" + ",".join(sorted(str(v) for v in s["enum"] if v is not None))
        if t == "array":
            return f"array<{self.sig(s.get('items', {}), depth + 1)}>"
        if t == "object" or "properties" in s:
            return (
                "map"
                if not s.get("properties") and isinstance(s.get("additionalProperties"), dict)
                else "object"
            )
        return str(t or "any")

    def normalized(self) -> dict[str, Any]:
        out: dict[str, Any] = {"paths": {}, "schemas": {}}
        for path, item in (self.doc.get("paths") or {}).items():
            item = self.deref(item)
            for m in HTTP:
                op = item.get(m)
                if not isinstance(op, dict):
                    continue
                params = {
                    (p["in"], p["name"], bool(p.get("required")) or p["in"] == "path")
                    for p in map(
                        self.deref, list(item.get("parameters") or []) + list(op.get("parameters") or [])
                    )
                    if p.get("in") != "cookie"
                }
                statuses = [
                    s
                    for s, r in (op.get("responses") or {}).items()
                    if re.fullmatch(r"[1-5]\d\d", str(s))
                    and not self.deref(r).get("x-roundtrip-undocumented")
                ]
                content = (self.deref(op.get("requestBody")) or {}).get("content") or {}
                key = f"{m.upper()} {path.rstrip('/') if len(path) > 1 else path}"
                out["paths"][key] = {
                    "parameters": sorted(params),
                    "statuses": sorted(statuses),
                    "structured_body": any(self.structured(media) for media in content.values()),
                }
        for name, s in ((self.doc.get("components") or {}).get("schemas") or {}).items():
            s = s if isinstance(s, dict) else {}
            if "properties" in s or s.get("type") == "object" or "allOf" in s:
                props, required = self.props(s)
                out["schemas"][schema_name(name)] = {
                    "props": {k: self.sig(v) for k, v in props.items()},
                    "required": required,
                }
            else:
                out["schemas"][schema_name(name)] = self.sig(s)
        return out


def _compare(original: dict[str, Any], back: dict[str, Any]) -> list[str]:
    names = {schema_name(n) for n in ((original.get("components") or {}).get("schemas") or {})}
    a, b = _Norm(original).normalized(), _Norm(back, names).normalized()
    diffs = [
        f"{k}: {a['paths'].get(k)} != {b['paths'].get(k)}"
        for k in sorted(set(a["paths"]) | set(b["paths"]))
        if a["paths"].get(k) != b["paths"].get(k)
    ]
    diffs += [
        f"schema {k}: {v} != {b['schemas'].get(k)}"
        for k, v in a["schemas"].items()
        if v != b["schemas"].get(k)
    ]
    return diffs


FIXTURE_FILES = sorted(p.name for p in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_openapi_compiles_back_to_the_same_operations_and_schemas(name: str) -> None:
    doc = _load(name)
    spec = from_openapi(doc)
    assert spec.endpoints, name
    back = _through_docs(spec)
    diffs = _compare(doc, build_openapi(back))
    assert diffs == [], "\n".join(diffs)


def test_petstore_facts() -> None:
    spec = from_openapi(_load("petstore-3.0.json"))
    assert spec.info.title == "Swagger Petstore" and spec.info.base_path == "/v2"
    assert spec.info.servers == ("http://petstore.swagger.io/v2",)
    assert len(spec.endpoints) == 20
    pet = spec.schema("Pet")
    assert pet is not None
    assert [f.name for f in pet.type.fields] == ["id", "category", "name", "photoUrls", "tags", "status"]
    status = pet.field("status")
    assert (
        status is not None
        and status.type.kind is Kind.ENUM
        and status.type.values == ("available", "pending", "sold")
    )
    pid = pet.field("id")
    assert pid is not None and pid.type.bits == 64 and pid.read_only and pid.has_default and pid.default == 40
    find = next(e for e in spec.endpoints if e.key == "GET /pet/findByStatus")
    assert [(p.name, p.location.value, p.required) for p in find.parameters] == [("status", "query", True)]
    assert [r.status for r in find.responses] == [200] and [e.status for e in find.errors] == [400]
    kinds = {s.name: s.kind for s in spec.security_schemes}
    assert kinds == {"petstore_auth": SchemeKind.OAUTH2, "apiKeyAuth": SchemeKind.API_KEY}
    assert next(e for e in spec.endpoints if e.key == "GET /pet/{petId}").auth.required is True
    delete = next(e for e in spec.endpoints if e.key == "DELETE /pet/{petId}")
    assert [(p.name, p.location.value) for p in delete.parameters] == [
        ("api_key", "header"),
        ("petId", "path"),
    ]


def test_openapi_3_1_nullable_and_allof() -> None:
    travel = from_openapi(_load("train-travel-3.1.json"))
    booking = travel.schema("Booking")
    assert booking is not None and {f.name for f in booking.type.fields} >= {
        "id",
        "trip_id",
        "passenger_name",
    }
    assert booking.field("id") is not None and booking.field("id").type.kind is Kind.UUID  # type: ignore[union-attr]
    expanded = from_openapi(_load("petstore-expanded-3.0.json"))
    pet = expanded.schema("Pet")
    assert pet is not None and [f.name for f in pet.type.fields] == [
        "name",
        "tag",
        "id",
    ]  # allOf: NewPet + {id}
    assert [f.name for f in pet.type.fields if f.required] == ["name", "id"]


def test_parse_openapi_text() -> None:
    from roundtrip.importers import parse_openapi_text

    doc = parse_openapi_text((FIXTURES / "uspto-3.0.json").read_text())
    assert doc["openapi"].startswith("3.0")
    assert (
        parse_openapi_text("openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\n")["info"]["title"]
        == "T"
    )
    for bad in ("swagger: '2.0'", "- a\n- b", "{"):
        with pytest.raises(ValueError):
            parse_openapi_text(bad)


def test_the_comparison_notices_a_lost_parameter() -> None:
    doc = _load("petstore-3.0.json")
    spec = from_openapi(doc)
    eps = tuple(
        e if e.key != "GET /pet/findByStatus" else dataclasses.replace(e, parameters=())
        for e in spec.endpoints
    )
    back = _through_docs(dataclasses.replace(spec, endpoints=eps))
    assert _compare(doc, build_openapi(back)) == [
        "GET /pet/findByStatus: {'parameters': [('query', 'status', True)], 'statuses': ['200', '400'], 'structured_body': False} != "
        "{'parameters': [], 'statuses': ['200', '400'], 'structured_body': False}"
    ]


def test_from_openapi_never_raises() -> None:
    for bad in (
        {},
        {"paths": None},
        {"paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/nowhere"}}}}}},
        {"paths": {"x": 1}, "components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}},
        [],
    ):
        spec = from_openapi(bad)  # type: ignore[arg-type]
        render_docs(spec)


# ---------------------------------------------------------------- databases


def test_from_sqlite_database(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        for stmt in (
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, name TEXT, "
            "created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)",
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE, "
            "status VARCHAR(20) NOT NULL DEFAULT 'new', total NUMERIC(10, 2) NOT NULL DEFAULT 0, paid BOOLEAN NOT NULL DEFAULT 0, "
            "CONSTRAINT chk_orders_status CHECK (status IN ('new', 'paid', 'shipped')))",
            "CREATE INDEX idx_orders_customer ON orders (customer_id)",
        ):
            conn.execute(text(stmt))
    engine.dispose()
    spec = from_database(url)
    assert [t.name for t in spec.tables] == ["customers", "orders"]
    orders = spec.table("orders")
    assert orders is not None
    assert [c.name for c in orders.columns] == ["id", "customer_id", "status", "total", "paid"]
    status = orders.column("status")
    assert status is not None and status.type.length == 20 and not status.nullable
    assert status.default is not None and status.default.value == "new"
    total = orders.column("total")
    assert total is not None and (total.type.kind, total.type.precision, total.type.scale) == (
        Kind.DECIMAL,
        10,
        2,
    )
    assert [
        (f.columns, f.ref_table, f.on_delete.value if f.on_delete else None) for f in orders.foreign_keys
    ] == [(("customer_id",), "customers", "CASCADE")]
    assert [i.name for i in orders.indexes] == ["idx_orders_customer"]
    assert orders.checks and "status IN" in orders.checks[0].expression
    customers = spec.table("customers")
    assert customers is not None and customers.column("created_at").default.kind.value == "now"  # type: ignore[union-attr]
    # canonical docs for the reflected database read back as the same tables (column-table form)
    back = _through_docs(spec)
    assert [t.name for t in back.tables] == ["customers", "orders"]
    for a, b in zip(spec.tables, back.tables, strict=True):
        assert [(c.name, c.type.kind, c.type.length, c.nullable, c.primary_key) for c in a.columns] == [
            (c.name, c.type.kind, c.type.length, c.nullable, c.primary_key) for c in b.columns
        ]
        assert a.foreign_keys == b.foreign_keys and a.indexes == b.indexes and a.primary_key == b.primary_key


def _build(folder: Path, out: Path, url: str) -> Spec:
    """The database the docs build: generate the backend, run its Alembic migrations."""
    from roundtrip.db.migrate import upgrade

    gen = api.generate(folder, out)
    assert not gen.refused
    upgrade(out, url)
    return gen.result.spec


def _same_schema(docs: Spec, db: Spec, *, exact_types: bool) -> None:
    from roundtrip.diff.db_changes import check_values

    assert sorted(t.name for t in db.tables) == sorted(t.name for t in docs.tables)
    for t in docs.tables:
        r = db.table(t.name)
        assert r is not None
        assert [c.name for c in r.columns] == [c.name for c in t.columns], t.name
        assert [(c.nullable, c.primary_key, c.unique) for c in r.columns] == [
            (c.nullable, c.primary_key, c.unique) for c in t.columns
        ], t.name
        if exact_types:
            assert [
                (c.type.kind, c.type.length, c.type.fixed, c.type.bits, c.type.timezone) for c in r.columns
            ] == [
                (c.type.kind, c.type.length, c.type.fixed, c.type.bits, c.type.timezone) for c in t.columns
            ], t.name
            assert sorted(i.name for i in r.indexes) == sorted(i.name for i in t.indexes), t.name
            assert sorted(filter(None, map(check_values, r.checks))) == sorted(
                filter(None, map(check_values, t.checks))
            ), t.name
        else:  # SQLite cannot reflect expression indexes
            assert {i.name for i in r.indexes} <= {i.name for i in t.indexes}, t.name
        assert r.primary_key == t.primary_key
        assert sorted((f.columns, f.ref_table, f.ref_columns, f.on_delete) for f in r.foreign_keys) == sorted(
            (f.columns, f.ref_table, f.ref_columns, f.on_delete) for f in t.foreign_keys
        ), t.name
        assert len(r.checks) == len(t.checks), t.name


SPECS = Path(__file__).resolve().parent.parent / "specs"


def test_from_the_sqlite_database_the_docs_build(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    spec = _build(SPECS, tmp_path / "out", url)
    db = from_database(url)
    _same_schema(spec, db, exact_types=False)
    uuid_col = db.table("users").column("id")  # type: ignore[union-attr]
    assert (
        uuid_col is not None and uuid_col.type.source == "CHAR(32)"
    )  # how the generated models store UUIDs on SQLite


def test_from_the_postgres_database_the_docs_build(tmp_path: Path) -> None:
    import os

    import sqlalchemy as sa

    from tests.conftest import postgres_url

    base = postgres_url()
    name = f"rt_import_{os.getpid()}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        spec = _build(SPECS, tmp_path / "out", url)
        db = from_database(url)
        _same_schema(spec, db, exact_types=True)
        users = db.table("users")
        assert users is not None and users.column("role").default.value == "member"  # type: ignore[union-attr]
        # canonical docs of the reflected database (DDL, it is PostgreSQL) read back as the same tables
        back = _through_docs(db)
        assert back.tables == db.tables
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
