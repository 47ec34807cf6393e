from roundtrip.diagnostics import Sink
from roundtrip.ir import Facts
from roundtrip.readers import read_text


def read(text: str) -> Facts:
    facts, sink = Facts(), Sink()
    read_text("DATA_MODEL.md", text, facts, sink)
    return facts


def test_json_rows_in_a_table_section() -> None:
    facts = read(
        "# Data\n\n### users\n| Column | Type | Constraints |\n|---|---|---|\n| id | UUID | PRIMARY KEY |\n| full_name | TEXT | NOT NULL |\n\n"
        "**Sample Data**:\n```json\n[{\"id\": \"a\", \"fullName\": \"Ada\"}, {\"id\": \"b\", \"fullName\": \"Bo\", \"joined\": {\"$date\": \"2025-01-01\"}}]\n```\n"
    )
    rows = [(r.table, r.as_dict(), r.span.line) for r in facts.samples]
    assert rows == [
        ("users", {"id": "a", "full_name": "Ada"}, 11),
        ("users", {"id": "b", "full_name": "Bo", "joined": "2025-01-01"}, 11),
    ]


def test_json_object_of_tables_under_a_seed_heading() -> None:
    facts = read("# Seed data\n\n```json\n{\"users\": [{\"id\": 1}], \"workspaceMembers\": [{\"userId\": 1}, {\"userId\": 2}]}\n```\n")
    assert [(r.table, r.as_dict()) for r in facts.samples] == [
        ("users", {"id": 1}), ("workspace_members", {"user_id": 1}), ("workspace_members", {"user_id": 2})]


def test_api_examples_are_not_samples() -> None:
    facts = read("# API\n\n### GET /v1/users\n**Success Response** (200):\n```json\n[{\"id\": \"a\"}]\n```\n")
    assert facts.samples == []
