"""Generate a large, internally consistent autoflow-style doc set for benchmarks.

    python bench/make_large.py OUT_DIR [--endpoints 1000] [--tables 300]

Writes OUT_DIR/API_SPEC.md (one `### METHOD /v1/...` section per endpoint, with field tables, JSON
examples and error bullets) and OUT_DIR/DATA_MODEL.md (one `### table` section per table, with a column
table, index/FK bullets and INSERT samples), in the same format as specs/. Every API field maps to a
column of the same name in snake_case, every limit in the API equals its column's, and sample rows
satisfy their table's CHECKs and foreign keys, so a correct compiler reports nothing but timing.

Stdlib only and deterministic: every "random" choice is derived from a SHA-256 of a stable key, so the
same arguments give byte-identical files on every machine and Python version.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

PREFIXES = (
    "supplier",
    "customer",
    "warehouse",
    "shipment",
    "invoice",
    "product",
    "campaign",
    "ticket",
    "contract",
    "vehicle",
    "patient",
    "course",
    "project",
    "asset",
    "device",
    "store",
    "member",
    "vendor",
    "budget",
    "event",
)
# plural -> singular, spelled out so the generator needs no inflection rules
NOUNS = {
    "notes": "note",
    "items": "item",
    "batches": "batch",
    "entries": "entry",
    "reports": "report",
    "tags": "tag",
    "slots": "slot",
    "rules": "rule",
    "files": "file",
    "audits": "audit",
    "quotes": "quote",
    "tasks": "task",
    "visits": "visit",
    "orders": "order",
    "alerts": "alert",
}
# Used only when more than len(PREFIXES) * len(NOUNS) tables are requested.
QUALIFIERS = ("regional", "archived", "shared", "external", "internal", "pending", "legacy", "global")

STATUS_SETS = (
    ("draft", "active", "archived"),
    ("pending", "approved", "rejected"),
    ("open", "in_progress", "closed"),
    ("queued", "running", "done", "failed"),
)
NAME_LENGTHS = (80, 120, 200)
EXTRA_KINDS = ("code", "status", "quantity", "amount", "notes", "is_active", "due_date", "email", "priority")
VERBS = (
    "archive",
    "restore",
    "approve",
    "reject",
    "publish",
    "lock",
    "unlock",
    "duplicate",
    "close",
    "reopen",
)
BASE_TIME = datetime(2025, 1, 6, 9, 0, 0, tzinfo=UTC)
TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def pick(key: str, n: int) -> int:
    """A stable pseudo-random integer in [0, n)."""
    return int.from_bytes(_digest(key)[:8], "big") % n


def stable_uuid(key: str) -> str:
    return str(uuid.UUID(bytes=_digest(key)[:16], version=4))


def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(p.capitalize() for p in rest)


def pascal(snake: str) -> str:
    return "".join(p.capitalize() for p in snake.split("_"))


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def sql_ts(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%d %H:%M:%S+00")


@dataclass
class Col:
    name: str
    sql_type: str
    constraints: str
    description: str
    api_type: str = ""  # "" = not writable through the API
    validation: str = ""
    required: bool = False
    values: tuple[str, ...] = ()  # enum values
    default: object = None


@dataclass
class Entity:
    index: int
    table: str  # plural snake_case
    singular: str  # snake_case
    parent: Entity | None
    cols: list[Col] = field(default_factory=list)
    rows: list[dict[str, object]] = field(default_factory=list)

    @property
    def schema(self) -> str:
        return pascal(self.singular)

    @property
    def title(self) -> str:
        return " ".join(p.capitalize() for p in self.table.split("_"))

    @property
    def path(self) -> str:
        return "/v1/" + self.table.replace("_", "-")

    @property
    def id_param(self) -> str:
        return camel(self.singular) + "Id"

    @property
    def code(self) -> str:
        return self.singular.upper()

    @property
    def fk_col(self) -> str:
        return f"{self.singular}_id"


def table_names(count: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for qualifier in ("",) + QUALIFIERS:
        for prefix in PREFIXES:
            for plural, singular in NOUNS.items():
                head = f"{qualifier}_{prefix}" if qualifier else prefix
                out.append((f"{head}_{plural}", f"{head}_{singular}"))
                if len(out) == count:
                    return out
    raise ValueError(f"at most {len(out)} tables can be generated")


def build_columns(e: Entity) -> None:
    cols = [Col("id", "UUID", "PRIMARY KEY, DEFAULT gen_random_uuid()", "Unique identifier")]
    if e.parent:
        cols.append(
            Col(
                e.parent.fk_col,
                "UUID",
                f"NOT NULL, FK({e.parent.table}.id)",
                f"Owning {e.parent.singular.replace('_', ' ')}",
                "UUID",
                "Must exist",
                True,
            )
        )
    n = NAME_LENGTHS[pick(e.table + "/name", len(NAME_LENGTHS))]
    scope = "unique per parent" if e.parent else "unique"
    cols.append(
        Col("name", f"VARCHAR({n})", "NOT NULL", "Display name", "string", f"1-{n} chars, {scope}", True)
    )
    kinds = sorted(EXTRA_KINDS, key=lambda k: _digest(e.table + "/" + k))[: 2 + pick(e.table + "/extra", 4)]
    for kind in [k for k in EXTRA_KINDS if k in kinds]:  # keep a stable column order
        cols.append(extra_column(e, kind))
    cols += [
        Col("created_at", "TIMESTAMPTZ", "NOT NULL, DEFAULT NOW()", "Creation timestamp"),
        Col("updated_at", "TIMESTAMPTZ", "NOT NULL, DEFAULT NOW()", "Last update timestamp"),
        Col("deleted_at", "TIMESTAMPTZ", "NULL", "Soft delete timestamp"),
    ]
    e.cols = cols


def extra_column(e: Entity, kind: str) -> Col:
    if kind == "code":
        return Col(
            "code",
            "VARCHAR(12)",
            "NOT NULL, CHECK (code ~ '^[A-Z0-9]{3,12}$')",
            "Short reference code",
            "string",
            "3-12 uppercase letters or digits `^[A-Z0-9]{3,12}$`",
            True,
        )
    if kind == "status":
        values = STATUS_SETS[pick(e.table + "/status", len(STATUS_SETS))]
        listed = ", ".join(f"'{v}'" for v in values)
        phrase = ", ".join(f"`{v}`" for v in values)
        return Col(
            "status",
            "VARCHAR(20)",
            f"NOT NULL, DEFAULT '{values[0]}', CHECK (status IN ({listed}))",
            "Lifecycle state",
            "string",
            f"{phrase}; default `{values[0]}`",
            False,
            values,
            values[0],
        )
    if kind == "quantity":
        return Col(
            "quantity",
            "INTEGER",
            "NOT NULL, CHECK (quantity BETWEEN 0 AND 10000)",
            "Units on hand",
            "integer",
            "0-10000",
            True,
        )
    if kind == "amount":
        return Col(
            "amount",
            "NUMERIC(10,2)",
            "NOT NULL, CHECK (amount >= 0)",
            "Amount in the account currency",
            "number",
            "≥ 0, max 99999999.99",
            True,
        )
    if kind == "notes":
        return Col(
            "notes",
            "TEXT",
            "NULL, CHECK (char_length(notes) <= 2000)",
            "Free-text notes",
            "string",
            "Max 2000 chars",
        )
    if kind == "is_active":
        return Col(
            "is_active",
            "BOOLEAN",
            "NOT NULL, DEFAULT TRUE",
            "Inactive rows are hidden from pickers",
            "boolean",
            "Default `true`",
            False,
            (),
            True,
        )
    if kind == "due_date":
        return Col("due_date", "DATE", "NULL", "Due date", "string", "`YYYY-MM-DD`")
    if kind == "email":
        return Col(
            "email", "VARCHAR(255)", "NULL", "Contact email", "string", "Valid email format, max 255 chars"
        )
    if kind == "priority":
        return Col(
            "priority",
            "SMALLINT",
            "NOT NULL, DEFAULT 3, CHECK (priority BETWEEN 1 AND 5)",
            "Priority, 1 = highest",
            "integer",
            "1-5, default 3",
            False,
            (),
            3,
        )
    raise ValueError(kind)


def sample_value(e: Entity, col: Col, row: int) -> object:
    key = f"{e.table}/{row}/{col.name}"
    when = BASE_TIME + timedelta(hours=e.index * 3 + row)
    if col.name == "id":
        return stable_uuid(key)
    if e.parent and col.name == e.parent.fk_col:
        return e.parent.rows[pick(key, len(e.parent.rows))]["id"]
    if col.name == "name":
        return f"{e.singular.replace('_', ' ').capitalize()} {row + 1}"
    if col.name == "code":
        return f"{e.singular.split('_')[0][:3].upper()}{100 + row}"
    if col.name == "status":
        return col.values[row % len(col.values)]
    if col.name == "quantity":
        return pick(key, 10001)
    if col.name == "amount":
        return pick(key, 10_000_000) / 100
    if col.name == "notes":
        return None if row == 2 else f"Imported from the {e.title.lower()} backlog (row {row + 1})."
    if col.name == "is_active":
        return row != 1
    if col.name == "due_date":
        return (when + timedelta(days=30)).strftime("%Y-%m-%d")
    if col.name == "email":
        return f"{e.singular.replace('_', '.')}.{row + 1}@example.com"
    if col.name == "priority":
        return 1 + pick(key, 5)
    if col.name in ("created_at", "updated_at"):
        return sql_ts(when)
    return None  # deleted_at


def build_entities(table_count: int) -> list[Entity]:
    entities: list[Entity] = []
    for i, (table, singular) in enumerate(table_names(table_count)):
        parent = entities[(i - 1) // 2] if i else None  # a binary tree keeps FK chains short but real
        e = Entity(i, table, singular, parent)
        build_columns(e)
        for r in range(3):
            e.rows.append({c.name: sample_value(e, c, r) for c in e.cols})
        entities.append(e)
    return entities


# ---------------------------------------------------------------- API_SPEC.md


def api_object(e: Entity, row: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for c in e.cols:
        if c.name == "deleted_at":
            continue
        v = row[c.name]
        if c.name in ("created_at", "updated_at"):
            v = iso(datetime.strptime(str(v), "%Y-%m-%d %H:%M:%S+00"))
        out[camel(c.name)] = v
    return out


def error_json(code: str, message: str, key: str) -> str:
    body = {"error": code, "message": message, "details": [], "requestId": stable_uuid("rid/" + key)}
    return json.dumps(body, ensure_ascii=False)


def field_table(e: Entity, *, patch: bool) -> list[str]:
    lines = [
        "| Field | Type | Required | Description | Validation |",
        "|-------|------|----------|-------------|------------|",
    ]
    for c in e.cols:
        if not c.api_type or (patch and e.parent and c.name == e.parent.fk_col):
            continue
        nullable = c.constraints.startswith("NULL") and patch
        typ = f"{c.api_type} \\| null" if nullable else c.api_type
        required = "Yes" if (c.required and not patch) else "No"
        validation = c.validation
        if patch and "; default" in validation:
            validation = validation.split("; default")[0]
        elif patch and validation.startswith("Default"):
            validation = ""
        elif patch and ", default" in validation:
            validation = validation.split(", default")[0]
        lines.append(f"| {camel(c.name)} | {typ} | {required} | {c.description} | {validation} |")
    return lines


def json_block(value: object, indent: str = "") -> list[str]:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return [indent + "```json"] + [indent + t for t in text.splitlines()] + [indent + "```"]


def endpoint_section(e: Entity, op: str) -> list[str]:
    item = f"{e.path}/{{{e.id_param}}}"
    noun = e.singular.replace("_", " ")
    out: list[str] = []
    write_limit = "**Rate Limiting**: 60 requests per minute per user"
    read_limit = "**Rate Limiting**: 300 requests per minute per user"
    not_found = [
        f"- **404 Not Found**: {noun.capitalize()} does not exist or is deleted",
        "  " + "```json",
        "  " + error_json(f"{e.code}_NOT_FOUND", f"{noun.capitalize()} not found", f"{e.table}/{op}/404"),
        "  " + "```",
    ]
    path_params = [
        "**Path Parameters**:",
        "| Parameter | Type | Description |",
        "|-----------|------|-------------|",
        f"| {e.id_param} | UUID | {noun.capitalize()} ID |",
        "",
    ]
    if op == "list":
        out += [
            f"### GET {e.path}",
            f"**Description**: List {e.title.lower()}, newest first by default.",
            "",
            "**Authentication Required**: Yes (any role)",
            "",
            "**Query Parameters**:",
            "| Parameter | Type | Required | Description | Validation |",
            "|-----------|------|----------|-------------|------------|",
            "| q | string | No | Match on name | 2-100 chars |",
        ]
        if e.parent:
            out.append(
                f"| {camel(e.parent.fk_col)} | UUID | No | Only rows of this {e.parent.singular.replace('_', ' ')} | UUID |"
            )
        status = next((c for c in e.cols if c.name == "status"), None)
        if status:
            out.append(
                f"| status | string | No | Filter by status | {', '.join(f'`{v}`' for v in status.values)} (comma-separated) |"
            )
        out += [
            "| sort | string | No | Sort fields: `name`, `createdAt` | Default `-createdAt` |",
            "| limit / offset | integer | No | Pagination | See Pagination |",
            "",
            "**Success Response** (200):",
        ]
        out += json_block(
            {
                "data": [api_object(e, e.rows[0])],
                "pagination": {"total": 3, "limit": 1, "offset": 0, "hasMore": True},
            }
        )
        out += [
            "",
            read_limit,
            "",
            "**Example**:",
            "```bash",
            f'curl "https://api.bench.dev{e.path}?limit=1" \\',
            f'  -H "Authorization: Bearer {TOKEN}"',
            "```",
        ]
    elif op == "create":
        created = api_object(e, e.rows[1])
        out += [
            f"### POST {e.path}",
            f"**Description**: Create a {noun}. Names are unique among the live rows of one parent.",
            "",
            "**Authentication Required**: Yes (`admin`, `editor`)",
            "",
            "**Request Body**:",
        ]
        out += field_table(e, patch=False)
        out += (
            ["", "**Success Response** (201):"]
            + json_block(created)
            + [
                "",
                "**Error Responses**:",
                f"- **409 Conflict**: A {noun} with this name already exists",
                "  ```json",
                "  "
                + error_json(
                    f"{e.code}_EXISTS", f"A {noun} named '{created['name']}' already exists", f"{e.table}/409"
                ),
                "  ```",
            ]
        )
        if e.parent:
            out += [
                f"- **422 Unprocessable Entity**: The {e.parent.singular.replace('_', ' ')} does not exist",
                "  ```json",
                "  "
                + error_json(
                    f"{e.parent.code}_NOT_FOUND",
                    f"{e.parent.singular.replace('_', ' ').capitalize()} not found",
                    f"{e.table}/422",
                ),
                "  ```",
            ]
        body = {
            camel(c.name): e.rows[1][c.name] for c in e.cols if c.api_type and e.rows[1][c.name] is not None
        }
        out += [
            "",
            write_limit,
            "",
            "**Example**:",
            "```bash",
            f"curl -X POST https://api.bench.dev{e.path} \\",
            f'  -H "Authorization: Bearer {TOKEN}" \\',
            '  -H "Content-Type: application/json" \\',
            f"  -d '{json.dumps(body, separators=(',', ':'), ensure_ascii=False)}'",
            "```",
        ]
    elif op == "get":
        out += [
            f"### GET {item}",
            f"**Description**: Fetch a single {noun}.",
            "",
            "**Authentication Required**: Yes (any role)",
            "",
        ]
        out += (
            path_params
            + [f"**Success Response** (200): {e.schema} object (see above).", "", "**Error Responses**:"]
            + not_found
        )
        out += ["", read_limit]
    elif op == "patch":
        out += [
            f"### PATCH {item}",
            f"**Description**: Partially update a {noun}.",
            "",
            "**Authentication Required**: Yes (`admin`, `editor`)",
            "",
        ]
        out += (
            path_params
            + ["**Request Body** (all fields optional, at least one required):"]
            + field_table(e, patch=True)
        )
        out += [
            "",
            f"**Success Response** (200): Updated {e.schema} object.",
            "",
            "**Error Responses**:",
        ] + not_found
        out += ["", write_limit]
    elif op == "delete":
        out += [
            f"### DELETE {item}",
            f"**Description**: Soft-delete a {noun} (sets `deleted_at`).",
            "",
            "**Authentication Required**: Yes (`admin`)",
            "",
        ]
        out += (
            path_params + ["**Success Response** (204): No content", "", "**Error Responses**:"] + not_found
        )
        out += ["", write_limit]
    else:  # an action endpoint: POST /v1/things/{thingId}/<verb>
        out += [
            f"### POST {item}/{op}",
            f"**Description**: Run the `{op}` action on a {noun}.",
            "",
            "**Authentication Required**: Yes (`admin`, `editor`)",
            "",
        ]
        out += (
            path_params
            + [f"**Success Response** (200): Updated {e.schema} object.", "", "**Error Responses**:"]
            + not_found
        )
        out += ["", write_limit]
    return out + [""]


def operations(endpoint_count: int, entities: list[Entity]) -> dict[int, list[str]]:
    """Deal endpoints round-robin (every table gets a list endpoint before any gets a second one)."""
    ops = ["list", "create", "get", "patch", "delete", *VERBS]
    rounds = -(-endpoint_count // len(entities))
    while len(ops) < rounds:
        ops.append(f"action-{len(ops) - 4}")
    per: dict[int, list[str]] = {e.index: [] for e in entities}
    dealt = 0
    for op in ops:
        for e in entities:
            if dealt == endpoint_count:
                return per
            per[e.index].append(op)
            dealt += 1
    return per


API_HEADER = """# API Specification

**Project**: Benchmark — Generated Operations API
**Version**: 1.0.0
**Last Updated**: 2025-03-14
**Related Documents**: [DATA_MODEL.md](./DATA_MODEL.md)

---

## Overview

A generated API with {endpoints} endpoints over {tables} tables, written in the same format as the project's
showcase docs. It exists to measure the compiler; the product is not real.

## Base URL and Versioning

```
Base: https://api.bench.dev
Versioning: /v1/ prefix in path
Local: http://localhost:8000
```

## Authentication / Authorization

| Token | Format | Lifetime | Client Storage |
|-------|--------|----------|----------------|
| Access token | JWT, HS256, `Authorization: Bearer <token>` | 15 minutes (`expiresIn: 900`) | Memory only |
| Refresh token | Opaque 64-char hex string | 7 days, rotated on every use | Keychain/Keystore |

## Common Patterns

### Pagination
| Parameter | Type | Default | Validation |
|-----------|------|---------|------------|
| `limit` | integer | 20 | 1–100 |
| `offset` | integer | 0 | ≥ 0 |

Response envelope:
```json
{{"data": [], "pagination": {{"total": 42, "limit": 20, "offset": 0, "hasMore": true}}}}
```

### Sorting
`sort` takes a comma-separated list of fields; prefix a field with `-` for descending order.

### Error Format
```json
{{"error": "VALIDATION_ERROR", "message": "Request body failed validation", "details": [{{"field": "name", "issue": "required"}}], "requestId": "{rid}"}}
```

The following errors can be returned by every authenticated endpoint and are not repeated below:

| Status | `error` | When |
|--------|---------|------|
| 400 | `VALIDATION_ERROR` | Body or query parameters failed validation |
| 401 | `UNAUTHORIZED` | Missing, malformed or expired access token |
| 403 | `FORBIDDEN` | The caller's role does not allow the action |
| 429 | `RATE_LIMIT` | Rate limit exceeded (`Retry-After` header set) |
| 500 | `INTERNAL_ERROR` | Unhandled server error |

### Rate Limiting
| Scope | Limit |
|-------|-------|
| Read (`GET`) | 300 requests/min per user |
| Write (`POST`/`PATCH`/`DELETE`) | 60 requests/min per user |

---
"""


def render_api(entities: list[Entity], endpoint_count: int) -> str:
    out = [API_HEADER.format(endpoints=endpoint_count, tables=len(entities), rid=stable_uuid("rid/header"))]
    per = operations(endpoint_count, entities)
    for e in entities:
        if not per[e.index]:
            continue
        out += [f"## {e.title}", "", f"**{e.schema} object**:"] + json_block(api_object(e, e.rows[0])) + [""]
        for op in per[e.index]:
            out += endpoint_section(e, op)
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- DATA_MODEL.md


def sql_literal(v: object) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return f"{v:.2f}" if isinstance(v, float) else str(v)
    return "'" + str(v).replace("'", "''") + "'"


def table_section(e: Entity) -> list[str]:
    out = [
        f"### {e.table}",
        f"**Description**: Generated {e.singular.replace('_', ' ')} records.",
        "",
        "**Columns**:",
        "| Column | Type | Constraints | Description |",
        "|--------|------|-------------|-------------|",
    ]
    out += [f"| {c.name} | {c.sql_type} | {c.constraints} | {c.description} |" for c in e.cols]
    scope = f"({e.parent.fk_col}, name)" if e.parent else "(name)"
    out += [
        "",
        "**Primary Key**: `id`",
        "",
        "**Indexes**:",
        f"- `uq_{e.table}_name` UNIQUE ON {scope} WHERE deleted_at IS NULL (names unique among live rows)",
    ]
    if e.parent:
        out.append(
            f"- `idx_{e.table}_{e.parent.fk_col}` ON ({e.parent.fk_col}, created_at DESC) WHERE deleted_at IS NULL (child lists)"
        )
    out.append(f"- `idx_{e.table}_created_at` ON created_at (default sort)")
    if e.parent:
        out += [
            "",
            "**Foreign Keys**:",
            f"- `{e.parent.fk_col}` REFERENCES `{e.parent.table}(id)` ON DELETE CASCADE",
        ]
    else:
        out += ["", "**Foreign Keys**: None"]
    names = [c.name for c in e.cols if c.name != "deleted_at"]
    out += ["", "**Sample Data**:", "```sql", f"INSERT INTO {e.table} ({', '.join(names)}) VALUES"]
    tuples = ["  (" + ", ".join(sql_literal(r[n]) for n in names) + ")" for r in e.rows]
    out += [t + ("," if i < len(tuples) - 1 else ";") for i, t in enumerate(tuples)]
    return out + ["```", ""]


DATA_HEADER = """# Data Model

**Project**: Benchmark — Generated Operations API
**Version**: 1.0.0
**Last Updated**: 2025-03-14
**Related Documents**: [API_SPEC.md](./API_SPEC.md)

---

## Database Choice and Rationale

**PostgreSQL 16**. **Extensions**: `pgcrypto` (`gen_random_uuid()`).

```sql
CREATE EXTENSION IF NOT EXISTS pgcrypto;
```

**Conventions**: plural `snake_case` tables, `id UUID DEFAULT gen_random_uuid()` keys, `TIMESTAMPTZ` timestamps,
soft delete via `deleted_at`, enumerations as `VARCHAR` + `CHECK`.

## Tables
"""


def render_data(entities: list[Entity]) -> str:
    out = [DATA_HEADER]
    for e in entities:
        out += table_section(e)
    return "\n".join(out).rstrip() + "\n"


def generate(out_dir: Path, endpoints: int = 1000, tables: int = 300) -> dict[str, Path]:
    """Write the doc set; return {file name: path}."""
    if tables < 1 or endpoints < 0:
        raise ValueError("need at least one table and a non-negative endpoint count")
    entities = build_entities(tables)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"API_SPEC.md": render_api(entities, endpoints), "DATA_MODEL.md": render_data(entities)}
    written: dict[str, Path] = {}
    for name, text in files.items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written[name] = path
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--endpoints", type=int, default=1000)
    ap.add_argument("--tables", type=int, default=300)
    args = ap.parse_args(argv)
    written = generate(args.out_dir, args.endpoints, args.tables)
    for path in written.values():
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
