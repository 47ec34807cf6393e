"""roundtrip.appkit.shaping and .store: values by schema, generated data, column coercion, error classes."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import sqlite3
import uuid

import jsonschema
import pytest
import sqlalchemy as sa

from roundtrip.appkit.shaping import Schemas
from roundtrip.appkit.store import TableInfo, classify_integrity, coerce, fake_column_value

COMPONENTS = {
    "Unit": {"type": "string", "enum": ["g", "kg"]},
    "Line": {
        "type": "object",
        "properties": {"unit": {"$ref": "#/components/schemas/Unit"}, "quantity": {"type": "number", "exclusiveMinimum": 0}, "note": {"type": ["string", "null"]}},
        "required": ["unit", "quantity"],
    },
    "Recipe": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "title": {"type": "string", "minLength": 3, "maxLength": 5},
            "servings": {"type": "integer", "minimum": 2},
            "lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}, "minItems": 1},
            "createdAt": {"type": "string", "format": "date-time"},
            "rating": {"anyOf": [{"type": "number"}, {"type": "null"}]},
        },
        "required": ["id", "title", "servings", "lines", "createdAt", "rating"],
    },
}


def test_resolve_properties_nullability_and_kinds() -> None:
    s = Schemas(COMPONENTS)
    ref = {"$ref": "#/components/schemas/Recipe"}
    props, required = s.properties(ref)
    assert list(props)[:2] == ["id", "title"] and "rating" in required
    assert s.ref_name(ref) == "Recipe" and s.ref_name({"type": "string"}) == ""
    assert s.nullable(props["rating"]) and not s.nullable(props["title"])
    assert s.kind(props["rating"]) == "number" and s.kind(props["lines"]) == "array" and s.kind(ref) == "object"
    assert s.kind({"$ref": "#/components/schemas/Unit"}) == "string"
    assert s.properties({"allOf": [ref, {"properties": {"extra": {"type": "boolean"}}, "required": ["extra"]}]})[1][-1] == "extra"


def test_generated_data_validates_against_the_schema() -> None:
    s = Schemas(COMPONENTS)
    value = s.fake({"$ref": "#/components/schemas/Recipe"})
    resolver_doc = {"components": {"schemas": COMPONENTS}, **COMPONENTS["Recipe"]}
    jsonschema.validate(value, resolver_doc)
    assert value["servings"] == 2 and len(value["title"]) >= 3 and value["lines"][0]["unit"] == "g"
    assert s.fake({"type": "string", "examples": ["from-docs"]}) == "from-docs"
    assert s.fake({"type": "integer", "default": 7}) == 7
    assert s.fake({"oneOf": [{"type": "null"}, {"type": "boolean"}]}) is False


def test_to_json_follows_the_documented_types() -> None:
    s = Schemas(COMPONENTS)
    u = uuid.UUID("3aae1c28-7b18-4b01-b027-482ab100aaaf")
    assert s.to_json(u, {"type": "string"}) == str(u)
    assert s.to_json(dt.datetime(2025, 3, 12, 8, 0, tzinfo=dt.UTC), {"type": "string"}) == "2025-03-12T08:00:00Z"
    assert s.to_json(dt.datetime(2025, 3, 12, 8, 0), {"type": "string", "format": "date"}) == "2025-03-12"
    assert s.to_json(decimal.Decimal("2.50"), {"type": "number"}) == 2.5
    assert s.to_json(decimal.Decimal("3.00"), {"type": "integer"}) == 3
    assert s.to_json(decimal.Decimal("1.5"), {"type": "integer"}) == 1.5, "never truncate what the database holds"
    assert s.to_json(decimal.Decimal("9.99"), {"type": "string"}) == "9.99"
    assert s.to_json(1, {"type": "boolean"}) is True
    assert s.to_json([u], {"type": "array", "items": {"type": "string"}}) == [str(u)]

    class Color(enum.Enum):
        RED = "red"

    assert s.to_json(Color.RED, {"type": "string"}) == "red"
    assert s.to_json(None, {"type": "string"}) is None


def table() -> sa.Table:
    md = sa.MetaData()
    sa.Table("users", md, sa.Column("id", sa.Uuid(), primary_key=True))
    return sa.Table(
        "recipes",
        md,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("author_id", sa.Uuid(), sa.ForeignKey("users.id")),
        sa.Column("servings", sa.Integer()),
        sa.Column("price", sa.Numeric(6, 2)),
        sa.Column("public", sa.Boolean()),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("due", sa.Date()),
        sa.Column("title", sa.String(5)),
        sa.Column("position", sa.Integer()),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
    )


def test_table_info_finds_keys_soft_delete_owner_and_position() -> None:
    info = TableInfo.of(table())
    assert info.pk == ("id",) and info.soft_delete == "deleted_at" and info.fks == {"author_id": ("users", "id")}
    assert info.owner_column("users") == "author_id" and info.owner_column("staff") is None
    assert info.fk_to("users") == "author_id" and info.position_column() == "position"
    assert "deleted_at IS NULL" in str(info.live())


def test_coerce_through_a_type_decorator() -> None:
    class UTC(sa.types.TypeDecorator[dt.datetime]):
        impl = sa.DateTime(timezone=True)
        cache_ok = True

    col = sa.Column("at", UTC())
    assert coerce("2030-01-01T09:00:00Z", col) == dt.datetime(2030, 1, 1, 9, tzinfo=dt.UTC)


def test_coerce_api_values_to_column_types() -> None:
    t = table()
    assert coerce("3aae1c28-7b18-4b01-b027-482ab100aaaf", t.c.id) == uuid.UUID("3aae1c28-7b18-4b01-b027-482ab100aaaf")
    assert coerce("2025-03-12T08:00:00Z", t.c.created_at) == dt.datetime(2025, 3, 12, 8, 0, tzinfo=dt.UTC)
    assert coerce("2025-03-12", t.c.due) == dt.date(2025, 3, 12)
    assert coerce(2.5, t.c.price) == decimal.Decimal("2.5")
    assert coerce("true", t.c.public) is True and coerce(3.0, t.c.servings) == 3
    assert coerce(None, t.c.title) is None
    with pytest.raises(ValueError):
        coerce("not-a-uuid", t.c.id)
    with pytest.raises(ValueError):
        coerce(2.5, t.c.servings)
    assert fake_column_value(t.c.title) == "title" and fake_column_value(t.c.servings) == 0
    assert isinstance(fake_column_value(t.c.id), uuid.UUID)


def test_integrity_errors_are_classified_on_sqlite() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, email TEXT UNIQUE, n INTEGER CHECK (n > 0), v TEXT NOT NULL DEFAULT 'x')")
    conn.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id))")
    conn.execute("INSERT INTO p (id, email, n) VALUES (1, 'a', 1)")
    cases = {
        "unique": "INSERT INTO p (email, n) VALUES ('a', 1)",
        "check": "INSERT INTO p (email, n) VALUES ('b', 0)",
        "not_null": "INSERT INTO p (email, n, v) VALUES ('c', 1, NULL)",
        "foreign_key": "INSERT INTO c (p_id) VALUES (99)",
    }
    for kind, sql in cases.items():
        with pytest.raises(sqlite3.IntegrityError) as exc:
            conn.execute(sql)
        assert classify_integrity(exc.value) == kind

    class PgError(Exception):
        sqlstate = "23505"

    assert classify_integrity(PgError("duplicate key")) == "unique"
    assert classify_integrity(Exception("something else")) == "other"
