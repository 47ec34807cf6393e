"""read_typescript: interfaces, aliases, enums, zod schemas and seed rows from TS fences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts
from roundtrip.ir.schema import Origin, Schema
from roundtrip.ir.types import Constraints, Kind, TypeRef
from roundtrip.markdown import parse_document
from roundtrip.readers.typescript import read_typescript
from tests.conftest import CORPUS, EXAMPLES, corpus_files, example_dir


def read(name: str, text: str) -> tuple[Facts, Sink]:
    doc, _ = parse_document(name, text)
    facts, sink = Facts(), Sink()
    read_typescript(doc, facts, sink)
    return facts, sink


def read_example(key: str, rel: str) -> tuple[Facts, Sink, list[str]]:
    path = example_dir(key) / rel
    text = path.read_text(encoding="utf-8")
    facts, sink = read(rel, text)
    return facts, sink, text.split("\n")


def schema(facts: Facts, name: str, origin: Origin | None = None) -> Schema:
    found = [s for s in facts.schemas if s.name == name and (origin is None or s.origin is origin)]
    assert found, f"no schema {name}; have {[s.name for s in facts.schemas]}"
    return found[0]


def line_of(lines: list[str], snippet: str, after: int = 0) -> int:
    """1-based line of the first line containing `snippet` at or after line `after`."""
    for i in range(max(after - 1, 0), len(lines)):
        if snippet in lines[i]:
            return i + 1
    raise AssertionError(f"{snippet!r} not in file")


# ---------------------------------------------------------------------------------------------- exams
EXAMS_SCHEMAS = [
    "RegisterRequest", "RegisterResponse", "LoginRequest", "LoginResponse", "CreateExamRequest", "UpdateExamRequest",
    "CreateQuestionRequest", "UpdateQuestionRequest", "SaveAnswerRequest", "ErrorResponse", "User", "Exam", "ExamDetail",
    "QuestionOption", "Question", "ExamAttempt", "Answer", "AttemptDetail", "AttemptResult", "AttemptSummary",
    "ListResponse", "UserRole", "ExamStatus", "QuestionType", "AttemptStatus", "AnswerKey", "AnswerResponse", "StudentQuestion",
]


@pytest.fixture(scope="module")
def exams() -> tuple[Facts, Sink, list[str]]:
    return read_example("exams", "api-specification.md")


def test_exams_every_declaration(exams: tuple[Facts, Sink, list[str]]) -> None:
    facts, sink, _ = exams
    assert sorted(s.name for s in facts.schemas) == sorted(EXAMS_SCHEMAS)
    assert len(facts.schemas) == len(EXAMS_SCHEMAS)
    assert all(s.origin is Origin.TYPESCRIPT for s in facts.schemas)
    assert [d for d in sink.sorted() if d.code in ("RT107", "RT900")] == []


def test_exams_enums_from_aliases(exams: tuple[Facts, Sink, list[str]]) -> None:
    facts, _, _ = exams
    assert [(e.name, e.values) for e in facts.enums] == [
        ("UserRole", ("admin", "instructor", "student")),
        ("ExamStatus", ("draft", "published", "closed", "archived")),
        ("QuestionType", ("single_choice", "multiple_choice", "true_false", "short_answer")),
        ("AttemptStatus", ("in_progress", "submitted", "graded", "expired")),
    ]
    role = schema(facts, "UserRole").type
    assert role.kind is Kind.ENUM and role.enum_name == "UserRole" and role.values == ("admin", "instructor", "student")


def test_exams_constraints_from_comments(exams: tuple[Facts, Sink, list[str]]) -> None:
    facts, _, _ = exams
    reg = schema(facts, "RegisterRequest")
    assert reg.field("name").constraints == Constraints(min_length=2, max_length=100)
    assert reg.field("email").constraints == Constraints(max_length=255, format="email")
    # "min 8 chars, 1 upper, 1 lower, 1 number": the composition rule is the field's pattern (readers/composition.py)
    pw = reg.field("password").constraints
    assert pw.min_length == 8 and pw.pattern and re.search(pw.pattern, "Secret123") and not re.search(pw.pattern, "secret123")
    create = schema(facts, "CreateExamRequest")
    title = create.field("title")
    assert title.constraints == Constraints(min_length=3, max_length=200) and title.required
    duration = create.field("durationMinutes")
    assert duration.type.kind is Kind.INTEGER  # "// Integer, 5-480"
    assert duration.constraints == Constraints(minimum=5, maximum=480)
    score = create.field("passingScore")
    assert score.type.kind is Kind.FLOAT and not score.required and score.has_default and score.default == 60
    assert create.field("shuffleQuestions").default is False and create.field("shuffleQuestions").has_default
    assert create.field("availableFrom").constraints.format == "date-time"
    points = schema(facts, "CreateQuestionRequest").field("points")
    assert points.constraints == Constraints(minimum=0.5, maximum=100, multiple_of=0.5) and points.default == 1
    options = schema(facts, "CreateQuestionRequest").field("options")
    assert options.type.kind is Kind.ARRAY and options.constraints == Constraints(min_items=2, max_items=10)


def test_exams_spans_point_at_the_property_line(exams: tuple[Facts, Sink, list[str]]) -> None:
    # This document starts with YAML front matter: spans must still match the editor's line numbers.
    facts, _, lines = exams
    assert schema(facts, "RegisterRequest").field("name").span.line == 52
    create = schema(facts, "CreateExamRequest")
    assert create.span.line == line_of(lines, "interface CreateExamRequest")
    assert create.field("title").span.line == line_of(lines, "title: string;", create.span.line)


def test_exams_types(exams: tuple[Facts, Sink, list[str]]) -> None:
    facts, _, _ = exams
    exam = schema(facts, "Exam")
    assert exam.field("description").type == TypeRef(Kind.STRING, nullable=True)
    assert exam.field("status").type == TypeRef(Kind.REF, ref="ExamStatus")
    assert exam.field("questionCount").computed and exam.field("totalPoints").computed
    assert not exam.field("title").computed
    assert schema(facts, "ExamDetail").extends == (TypeRef(Kind.REF, ref="Exam"),)
    assert schema(facts, "AttemptDetail").extends == (TypeRef(Kind.REF, ref="ExamAttempt"),)
    lst = schema(facts, "ListResponse")
    assert lst.params == ("T",)
    assert lst.field("data").type == TypeRef(Kind.ARRAY, items=TypeRef(Kind.REF, ref="T"))
    meta = lst.field("meta").type
    assert meta.kind is Kind.OBJECT and [f.name for f in meta.fields] == ["page", "limit", "total", "totalPages"]
    err = schema(facts, "ErrorResponse").field("error").type
    assert [f.name for f in err.fields] == ["code", "message", "details", "requestId"]
    assert err.fields[2].type.kind is Kind.ANY and not err.fields[2].required
    update = schema(facts, "UpdateExamRequest")
    assert update.field("status").type == TypeRef(Kind.ENUM, values=("closed", "archived"))


def test_exams_unions_and_utility_types(exams: tuple[Facts, Sink, list[str]]) -> None:
    facts, _, _ = exams
    key = schema(facts, "AnswerKey").type
    assert key.kind is Kind.UNION and [v.kind for v in key.variants] == [Kind.OBJECT, Kind.OBJECT]
    assert [f.name for f in key.variants[1].fields] == ["accepted", "caseSensitive"]
    assert schema(facts, "AnswerResponse").type.kind is Kind.UNION
    sq = schema(facts, "StudentQuestion").type
    assert sq == TypeRef(
        Kind.REF, ref="Omit",
        args=(TypeRef(Kind.REF, ref="Question"),
              TypeRef(Kind.UNION, variants=(TypeRef(Kind.LITERAL, literal="answerKey"), TypeRef(Kind.LITERAL, literal="explanation")))),
    )
    pick = schema(facts, "AttemptDetail").field("exam").type
    assert pick.ref == "Pick" and pick.args[0] == TypeRef(Kind.REF, ref="Exam")
    assert [v.literal for v in pick.args[1].variants] == ["id", "title", "durationMinutes"]


# ---------------------------------------------------------------------------------------------- bookings
@pytest.fixture(scope="module")
def bookings() -> tuple[Facts, Sink, list[str]]:
    return read_example("bookings", "backend-spec.md")


def test_bookings_interface_and_zod_disagree_with_nothing_lost(bookings: tuple[Facts, Sink, list[str]]) -> None:
    facts, _, lines = bookings
    title = schema(facts, "CreateBookingRequest", Origin.TYPESCRIPT).field("title")
    assert title.constraints == Constraints(min_length=1, max_length=120)
    assert title.span.line == 514 == line_of(lines, "title: string;            // 1-120 chars")
    zod_title = schema(facts, "createBookingSchema", Origin.ZOD).field("title")
    assert zod_title.constraints == Constraints(min_length=1, max_length=120)
    assert zod_title.span.line == 1131 == line_of(lines, "title: z.string().trim().min(1).max(120)")


def test_bookings_zod_details(bookings: tuple[Facts, Sink, list[str]]) -> None:
    facts, sink, _ = bookings
    zod = {s.name: s for s in facts.schemas if s.origin is Origin.ZOD}
    assert list(zod) == [
        "registerSchema", "loginSchema", "refreshSchema", "forgotPasswordSchema", "resetPasswordSchema",
        "createWorkspaceSchema", "createRoomSchema", "updateRoomSchema", "createBookingSchema", "cancelBookingSchema",
        "listBookingsSchema",
    ]
    reg = zod["registerSchema"]
    assert reg.field("email").constraints == Constraints(max_length=255, format="email")
    password = reg.field("password")  # shorthand bound to `const password = z.string().min(8).regex(..).regex(..)`
    assert password.type.kind is Kind.STRING and password.constraints.min_length == 8
    assert password.constraints.pattern == "^(?=[\\s\\S]*?(?:[A-Z]))(?=[\\s\\S]*?(?:[0-9]))"
    room = zod["createRoomSchema"]
    capacity = room.field("capacity")
    assert capacity.type.kind is Kind.INTEGER and capacity.constraints == Constraints(minimum=1, maximum=100)
    assert not capacity.required and capacity.has_default and capacity.default == 1
    assert room.field("kind").type == TypeRef(Kind.ENUM, values=("meeting_room", "desk", "phone_booth"))
    amenities = room.field("amenities")
    assert amenities.type.kind is Kind.ARRAY and amenities.type.items.kind is Kind.ENUM
    assert amenities.constraints.max_items == 10 and amenities.default == []
    assert not zod["createWorkspaceSchema"].field("address").required
    opening = zod["createWorkspaceSchema"].field("openingTime")  # `hhmm.default('08:00')`
    assert opening.constraints.pattern == "^([01]\\d|2[0-3]):[0-5]\\d$" and opening.default == "08:00"
    update = zod["updateRoomSchema"]
    base = TypeRef(Kind.REF, ref="Partial", args=(TypeRef(Kind.REF, ref="Omit", args=(TypeRef(Kind.REF, ref="createRoomSchema"), TypeRef(Kind.LITERAL, literal="kind"))),))
    assert update.extends == (base,)
    assert [f.name for f in update.fields] == ["isActive", "floor"]
    assert update.field("floor").type.nullable and not update.field("floor").required
    listing = zod["listBookingsSchema"]
    assert listing.field("limit").constraints == Constraints(minimum=1, maximum=100) and listing.field("limit").default == 20
    assert listing.field("roomId").constraints.format == "uuid"
    refine_lines = sorted({d.span.line for d in sink.sorted() if d.code == "RT110" and "refine" in d.message})
    assert 1105 in refine_lines and 1132 in refine_lines  # the `.refine(` call's own line, not the chain start


def test_bookings_seed_rows(bookings: tuple[Facts, Sink, list[str]]) -> None:
    facts, _, lines = bookings
    counts: dict[str, int] = {}
    for row in facts.samples:
        counts[row.table] = counts.get(row.table, 0) + 1
    assert counts == {"users": 3, "workspaces": 1, "workspace_members": 3, "rooms": 4, "bookings": 4}
    ava = facts.samples[0]
    assert ava.origin is Origin.TYPESCRIPT
    assert ava.as_dict() == {"id": "3c3c58bc-cc1e-4f8d-b63f-24325dda7451", "email": "ava.schmidt@deskmate.dev",
                             "name": "Ava Schmidt", "password_hash": "Password123"}
    assert ava.hashed == ("password_hash",)
    assert ava.span.line == line_of(lines, "email: 'ava.schmidt@deskmate.dev'")
    ws = next(r for r in facts.samples if r.table == "workspaces")
    assert ws.as_dict()["created_by"] == "3c3c58bc-cc1e-4f8d-b63f-24325dda7451" and ws.hashed == ()
    member = next(r for r in facts.samples if r.table == "workspace_members")
    assert list(member.as_dict()) == ["workspace_id", "user_id", "role"]
    spree = next(r for r in facts.samples if r.table == "rooms")
    assert spree.as_dict()["amenities"] == ["display", "video_conferencing", "whiteboard"] and spree.as_dict()["capacity"] == 8
    cancelled = [r for r in facts.samples if r.table == "bookings"][-1].as_dict()
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "Ava out sick"


def test_bookings_interfaces(bookings: tuple[Facts, Sink, list[str]]) -> None:
    facts, _, _ = bookings
    ts = [s.name for s in facts.schemas if s.origin is Origin.TYPESCRIPT]
    assert ts[:3] == ["RegisterRequest", "RegisterResponse", "LoginRequest"]
    assert "AuthService" not in ts and "BookingService" not in ts  # classes are code, not schemas
    assert [e.name for e in facts.enums] == ["WorkspaceRole", "RoomKind", "BookingStatus", "Amenity"]
    ws = schema(facts, "CreateWorkspaceRequest")
    assert [f.name for f in ws.fields] == ["name", "timezone", "address", "openingTime", "closingTime"]
    assert ws.field("name").description == "2-100 chars"  # "// Required fields" above it is a section note
    assert ws.field("openingTime").default == "08:00"
    end = schema(facts, "CreateBookingRequest").field("endAt")
    assert end.constraints == Constraints(format="date-time")  # "max 12 h after startAt" is not a length
    me = schema(facts, "MeResponse")
    assert me.extends == (TypeRef(Kind.REF, ref="User"),)
    memberships = me.field("memberships").type
    assert memberships.kind is Kind.ARRAY and memberships.items.kind is Kind.OBJECT


# ---------------------------------------------------------------------------------------------- library
def test_library() -> None:
    facts, sink, lines = read_example("library", "technical/backend-spec.md")
    assert [e.name for e in facts.enums] == ["MemberStatus", "NotifyChannel", "StaffRole", "MaterialFormat", "CopyStatus",
                                             "LoanStatus", "HoldStatus", "FineType", "FineStatus"]
    amount = schema(facts, "Fine").field("amountCents")
    assert amount.span.line == 185 == line_of(lines, "amountCents: number;")
    assert amount.type.kind is Kind.INTEGER and amount.constraints == Constraints(exclusive_minimum=0)
    card = schema(facts, "Member").field("cardNumber")
    assert card.constraints == Constraints(min_length=14, max_length=14)
    member = schema(facts, "Member")
    assert member.field("createdAt").type.kind is Kind.DATETIME
    assert member.field("dateOfBirth").constraints.format == "date"
    assert member.field("maxLoans").default == 25
    assert member.field("notifyBy").default == "email"
    authors = schema(facts, "Book").field("authors")
    assert authors.constraints == Constraints(min_items=1, max_items=10, item_max_length=120)
    hours = schema(facts, "Branch").field("openingHours").type
    assert hours.kind is Kind.MAP and hours.items == TypeRef(Kind.STRING, nullable=True)
    assert "AuthService" not in [s.name for s in facts.schemas]
    assert [d for d in sink.sorted() if d.code in ("RT107", "RT900")] == []


# ---------------------------------------------------------------------------------------------- constructs
def test_type_mapping_and_docs() -> None:
    md = """# Types

```ts
/** A thing with every kind of field. */
export interface Thing {
  // Identity
  readonly id: string;        // UUID
  count: number;              // int
  tags: Array<string>;
  meta: Record<string, unknown>;
  other: Models.Other;
  kind: 'a';
  flags: boolean[][];
  /** When it happened */
  at: Date | null;
  [key: string]: unknown;
}
type Both = Base & { extra: string };
enum Color { Red = 'red', Green = 'green' }
```
"""
    facts, sink = read("t.md", md)
    thing = schema(facts, "Thing")
    assert thing.description == "A thing with every kind of field."
    assert thing.span.line == 5
    assert thing.field("id").read_only and thing.field("id").constraints.format == "uuid"
    assert thing.field("id").description == "UUID" and thing.field("id").span.line == 7
    assert thing.field("count").type.kind is Kind.INTEGER
    assert thing.field("tags").type == TypeRef(Kind.ARRAY, items=TypeRef(Kind.STRING))
    assert thing.field("meta").type == TypeRef(Kind.MAP, items=TypeRef(Kind.ANY))
    assert thing.field("other").type == TypeRef(Kind.REF, ref="Other")
    assert thing.field("kind").type == TypeRef(Kind.LITERAL, literal="a")
    assert thing.field("flags").type.items.kind is Kind.ARRAY
    assert thing.field("at").type == TypeRef(Kind.DATETIME, nullable=True) and thing.field("at").description == "When it happened"
    both = schema(facts, "Both")
    assert both.extends == (TypeRef(Kind.REF, ref="Base"),) and [f.name for f in both.fields] == ["extra"]
    assert schema(facts, "Color").type.values == ("red", "green")
    assert [(e.name, e.values) for e in facts.enums] == [("Color", ("red", "green"))]
    assert [d for d in sink.sorted() if d.code == "RT107"] == []


def test_multiline_union_alias_and_nullable_enum() -> None:
    md = "```typescript\ntype Level =\n  | 'low'\n  | 'high'\n  | null;\n```\n"
    facts, _ = read("t.md", md)
    level = schema(facts, "Level").type
    assert level == TypeRef(Kind.ENUM, values=("low", "high"), enum_name="Level", nullable=True)


def test_syntax_error_keeps_good_declarations() -> None:
    md = """# API

```typescript
interface Good {
  a: string;
}
Body: {
  title: string
  bad bad: ???
}
interface AlsoGood {
  b: number;
}
```
"""
    facts, sink = read("t.md", md)
    names = [s.name for s in facts.schemas]
    assert "Good" in names and "AlsoGood" in names
    errs = [d for d in sink.sorted() if d.code == "RT107"]
    assert len(errs) == 1 and 7 <= errs[0].span.line <= 9


def test_code_and_config_are_ignored_silently() -> None:
    md = """```typescript
class Service { async run(x: string): Promise<void> {} }
function helper(a: number) { return a }
describe('x', () => { it('works', () => expect(1).toBe(1)) })
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
```
"""
    facts, sink = read("t.md", md)
    assert facts.schemas == [] and facts.samples == []
    assert [d for d in sink.sorted() if d.code in ("RT107", "RT110")] == []


def test_zod_chain_modifiers_and_bindings() -> None:
    md = """```js
const name = z.string().trim().min(2);
export const userSchema = z.object({
  name,
  nick: name.max(20).optional(),
  age: z.number().int().nonnegative().nullable(),
  role: z.enum(['admin', 'user']).default('user'),
  tags: z.array(z.string().max(30)).min(1),
  site: z.string().url(),
  when: z.coerce.date(),
  extra: z.string().refine(check),
});
const helper = z.string();
```
"""
    facts, sink = read("t.md", md)
    assert [s.name for s in facts.schemas] == ["userSchema"]  # bare chains are bindings, not schemas
    s = facts.schemas[0]
    assert s.origin is Origin.ZOD and s.span.line == 3
    assert s.field("name").constraints == Constraints(min_length=2) and s.field("name").required
    nick = s.field("nick")
    assert nick.constraints == Constraints(min_length=2, max_length=20) and not nick.required
    age = s.field("age")
    assert age.type == TypeRef(Kind.INTEGER, nullable=True) and age.constraints == Constraints(minimum=0)
    role = s.field("role")
    assert role.type.values == ("admin", "user") and role.default == "user" and not role.required
    tags = s.field("tags")
    assert tags.type == TypeRef(Kind.ARRAY, items=TypeRef(Kind.STRING))
    assert tags.constraints == Constraints(min_items=1, item_max_length=30)
    assert s.field("site").constraints.format == "uri"
    assert s.field("when").type.kind is Kind.DATETIME
    assert s.field("extra").type.kind is Kind.STRING
    infos = [d for d in sink.sorted() if d.code == "RT110"]
    assert len(infos) == 1 and infos[0].span.line == 11 and "refine" in infos[0].message


def test_seed_by_heading_and_prisma_calls() -> None:
    md = """## Sample data

```ts
const users = [
  { id: 1, fullName: 'A', isAdmin: true, deletedAt: null, score: -1.5, at: new Date('2025-01-01') },
  { id: 2, fullName: `B`, isAdmin: false, token: makeToken() },
];
await prisma.category.createMany({ data: [{ name: 'Books' }] });
```
"""
    facts, sink = read("t.md", md)
    assert [(r.table, r.as_dict()) for r in facts.samples] == [
        ("users", {"id": 1, "full_name": "A", "is_admin": True, "deleted_at": None, "score": -1.5, "at": "2025-01-01"}),
        ("users", {"id": 2, "full_name": "B", "is_admin": False}),
        ("categories", {"name": "Books"}),
    ]
    assert [r.span.line for r in facts.samples] == [5, 6, 8]
    assert any(d.code == "RT110" and "token" in d.message for d in sink.sorted())


def test_object_literals_outside_seed_sections_are_not_rows() -> None:
    md = "## Config\n\n```ts\nconst config = { users: [ { id: 1 } ] };\n```\n"
    facts, _ = read("t.md", md)
    assert facts.samples == []


# ---------------------------------------------------------------------------------------------- robustness
def _all_docs() -> list[Path]:
    files = list(corpus_files())
    if EXAMPLES.is_dir():
        files += sorted(EXAMPLES.rglob("*.md"))
    return files


@pytest.mark.skipif(not CORPUS.is_dir() and not EXAMPLES.is_dir(), reason="shared corpus/examples absent")
@pytest.mark.parametrize("path", _all_docs(), ids=lambda p: p.name)
def test_never_raises_on_real_docs(path: Path) -> None:
    facts, sink = read(path.name, path.read_text(encoding="utf-8"))
    for s in facts.schemas:
        assert s.span.line > 0
        for f in s.fields:
            assert f.span.file == path.name and f.span.line > 0
    assert all(d.code != "RT900" for d in sink.sorted())


@pytest.mark.parametrize(
    "junk",
    ["```ts\n\n```", "```ts\n{{{{\n```", "```typescript\ninterface {\n```", "```ts\nconst x = z.\n```",
     "```ts\ntype = | | ;\n```", "```js\nz.object(\n```", "```tsx\n<div>{x}</div>\n```", "```ts\nconst s = z.object({ a: z.string().min('x') });\n```",
     "## Seed\n```ts\nconst d = { t: [ { ...x }, { a: [1, { b: 2 }] } ] };\n```"],
)
def test_never_raises_on_junk(junk: str) -> None:
    read("j.md", junk)


def test_zod_unknown_calls_are_any_not_references() -> None:
    md = "```ts\nexport const s = z.object({ a: helper(), b: otherSchema, c: otherSchema.optional() });\n```\n"
    facts, sink = read("t.md", md)
    s = facts.schemas[0]
    assert s.field("a").type.kind is Kind.ANY
    assert s.field("b").type == TypeRef(Kind.REF, ref="otherSchema") and s.field("b").required
    assert s.field("c").type == TypeRef(Kind.REF, ref="otherSchema") and not s.field("c").required
    assert any(d.code == "RT110" and "helper" in d.message for d in sink.sorted())


def test_alias_with_an_integer_comment_is_an_integer() -> None:
    """`type Count = number; // integer` is how canonical docs spell an integer alias (md_schemas.ts_declaration)."""
    facts, sink = read("t.md", "```ts\ntype Count = number; // integer\nexport type Ids = number[]; // integer\ntype Price = number;\ntype Next = number;\n// integer\n```\n")
    assert not sink.sorted()
    assert schema(facts, "Count").type.kind is Kind.INTEGER
    ids = schema(facts, "Ids").type
    assert ids.kind is Kind.ARRAY and ids.items is not None and ids.items.kind is Kind.INTEGER
    assert schema(facts, "Price").type.kind is Kind.FLOAT
    assert schema(facts, "Next").type.kind is Kind.FLOAT  # a comment on the next line belongs to no alias
