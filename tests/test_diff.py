"""The breaking-change gate: rules on a real v1 → v2 doc pair, on every API/DB rule the issue names,
nothing for prose edits, the four writers, and specs read from git revisions."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from roundtrip import api
from roundtrip.diff import ChangeSeverity, diff_specs, exit_code, load_revision, render, revision_dir
from roundtrip.diff.rules import RULES
from roundtrip.ir import Auth, Column, Kind, ParamIn, Spec, TypeRef, UniqueConstraint

HERE = Path(__file__).resolve().parent
EVOLVE = HERE / "fixtures" / "evolve"
SHARED = HERE.parent.parent / "shared"
EXAMPLES = SHARED / "examples"
CORPUS = SHARED / "corpus"

EXPECTED_V1_V2 = {
    ("RD202", "table:comments"),
    ("RD204", "table:users/column:avatar_url"),
    ("RD205", "table:tasks/column:position"),
    ("RD207", "table:users/column:display_name"),
    ("RD215", "table:tasks/column:status"),
    ("RD218", "table:tasks/index:idx_tasks_due_date"),
}


def _spec(path: Path) -> Spec:
    return api.load(path).spec


def _rules(changes: list) -> set[tuple[str, str]]:
    return {(c.rule, c.subject) for c in changes}


def test_v1_to_v2_reports_exactly_the_expected_rules() -> None:
    changes = diff_specs(_spec(EVOLVE / "v1"), _spec(EVOLVE / "v2"))
    assert _rules(changes) == EXPECTED_V1_V2
    assert len(changes) == len(EXPECTED_V1_V2)
    rename = next(c for c in changes if c.rule == "RD207")
    assert (rename.old.file, rename.old.line) == ("DATA_MODEL.md", 17)  # the `fullname` row in v1
    assert (rename.new.file, rename.new.line) == ("DATA_MODEL.md", 17)  # the `display_name` row in v2
    added = next(c for c in changes if c.rule == "RD205")
    assert added.new is not None and added.new.line == 39
    assert exit_code(changes, "breaking") == 0 and exit_code(changes, "info") == 1


def test_rename_is_not_a_drop_and_add() -> None:
    changes = diff_specs(_spec(EVOLVE / "v1"), _spec(EVOLVE / "v2"))
    assert not any(c.rule in ("RD203", "RD204") and "fullname" in c.subject + c.message for c in changes)
    assert not any(c.subject.endswith("display_name") and c.rule != "RD207" for c in changes)


def test_prose_only_edit_reports_nothing(tmp_path: Path) -> None:
    for name in ("API_SPEC.md", "DATA_MODEL.md"):
        text = (EVOLVE / "v1" / name).read_text()
        text = text.replace("Short summary", "A short summary of the work").replace("People who own tasks.", "Everyone with an account.")
        text = text.replace("List the caller's open tasks, newest first.", "Lists open tasks of the caller (newest first).")
        text = text.replace("Tasklet is a small task list service", "Tasklet is a tiny to-do service")
        (tmp_path / name).write_text(text)
    assert (tmp_path / "DATA_MODEL.md").read_text() != (EVOLVE / "v1" / "DATA_MODEL.md").read_text()
    assert diff_specs(_spec(EVOLVE / "v1"), _spec(tmp_path)) == []


def test_same_spec_and_its_canonical_docs_report_nothing(tmp_path: Path) -> None:
    from roundtrip.emit.markdown import render_docs

    folder = EXAMPLES / "autoflow-taskboard"
    if not folder.is_dir():
        pytest.skip("no examples")
    spec = _spec(folder)
    assert diff_specs(spec, spec) == []
    for name, text in render_docs(spec).items():
        (tmp_path / name).write_text(text)
    assert diff_specs(spec, _spec(tmp_path)) == []


# ---------------------------------------------------------------- API rules on mutated IRs


@pytest.fixture(scope="module")
def taskboard() -> Spec:
    folder = EXAMPLES / "autoflow-taskboard"
    if not folder.is_dir():
        pytest.skip("no examples")
    return _spec(folder)


def _replace_endpoint(spec: Spec, key: str, **changes: object) -> Spec:
    eps = tuple(dataclasses.replace(e, **changes) if e.key == key else e for e in spec.endpoints)
    return dataclasses.replace(spec, endpoints=eps)


def _one(changes: list, rule: str) -> object:
    hits = [c for c in changes if c.rule == rule]
    assert len(hits) == 1, [(c.rule, c.message) for c in changes]
    return hits[0]


def test_endpoint_removed(taskboard: Spec) -> None:
    new = dataclasses.replace(taskboard, endpoints=tuple(e for e in taskboard.endpoints if e.key != "DELETE /v1/tasks/{taskId}"))
    c = _one(diff_specs(taskboard, new), "RD101")
    assert c.severity is ChangeSeverity.BREAKING and c.old.line > 0 and c.new is None  # type: ignore[attr-defined]


def test_response_field_removed_and_retyped(taskboard: Spec) -> None:
    task = taskboard.schema("Task")
    assert task is not None
    fields = tuple(f for f in task.type.fields if f.name != "dueDate")
    fields = tuple(dataclasses.replace(f, type=TypeRef(Kind.STRING)) if f.name == "number" else f for f in fields)
    schemas = tuple(dataclasses.replace(s, type=dataclasses.replace(s.type, fields=fields)) if s.name == "Task" else s for s in taskboard.schemas)
    changes = diff_specs(taskboard, dataclasses.replace(taskboard, schemas=schemas))
    removed = [c for c in changes if c.rule == "RD103"]
    retyped = [c for c in changes if c.rule == "RD104"]
    # GET/PATCH /v1/tasks/{taskId} and POST .../tasks return "Task object"
    assert len(removed) == 3 and all(c.subject.endswith(".dueDate") for c in removed)
    assert len(retyped) == 3 and all("changed type from integer to text" in c.message for c in retyped)
    # fields inferred from the `**Task object**:` example point at that example, in both versions
    assert all(c.old == task.span and c.new == task.span and task.span.line > 0 for c in removed)


def test_request_field_newly_required(taskboard: Spec) -> None:
    e = taskboard.endpoint("POST", "/v1/projects/{projectId}/tasks")
    assert e is not None and e.request is not None
    fields = tuple(dataclasses.replace(f, required=True) if f.name == "dueDate" else f for f in e.request.type.fields)
    req = dataclasses.replace(e.request, type=dataclasses.replace(e.request.type, fields=fields))
    c = _one(diff_specs(taskboard, _replace_endpoint(taskboard, e.key, request=req)), "RD107")
    assert "dueDate" in c.message and c.severity is ChangeSeverity.BREAKING  # type: ignore[attr-defined]


def test_enum_value_removed_from_request(taskboard: Spec) -> None:
    e = taskboard.endpoint("GET", "/v1/users")
    assert e is not None
    params = tuple(dataclasses.replace(p, type=TypeRef(Kind.ENUM, values=("owner", "admin"))) if p.name == "role" else p
                   for p in e.parameters)
    before = _replace_endpoint(taskboard, e.key, parameters=tuple(
        dataclasses.replace(p, type=TypeRef(Kind.ENUM, values=("owner", "admin", "member"))) if p.name == "role" else p for p in e.parameters))
    c = _one(diff_specs(before, _replace_endpoint(taskboard, e.key, parameters=params)), "RD112")
    assert "member" in c.message  # type: ignore[attr-defined]


def test_status_code_removed_auth_added_parameter_moved(taskboard: Spec) -> None:
    e = taskboard.endpoint("POST", "/v1/auth/register")
    assert e is not None and e.auth.required is False
    g = taskboard.endpoint("GET", "/v1/projects")
    assert g is not None
    new = _replace_endpoint(taskboard, e.key, responses=(), auth=Auth(True, (), "Yes"))
    new = _replace_endpoint(new, g.key, parameters=tuple(dataclasses.replace(p, location=ParamIn.HEADER) if p.name == "q" else p
                                                         for p in g.parameters))
    changes = diff_specs(taskboard, new)
    assert {c.rule for c in changes} == {"RD115", "RD117", "RD120"}
    assert all(c.severity is ChangeSeverity.BREAKING for c in changes)


def test_auth_roles_narrowed(taskboard: Spec) -> None:
    e = taskboard.endpoint("POST", "/v1/labels")
    assert e is not None and e.auth.roles == ("owner", "admin")
    c = _one(diff_specs(taskboard, _replace_endpoint(taskboard, e.key, auth=Auth(True, ("owner",)))), "RD118")
    assert "admin" in c.message  # type: ignore[attr-defined]


# ---------------------------------------------------------------- database rules on mutated IRs


def _replace_table(spec: Spec, name: str, **changes: object) -> Spec:
    return dataclasses.replace(spec, tables=tuple(dataclasses.replace(t, **changes) if t.name == name else t for t in spec.tables))


def test_table_and_column_dropped(taskboard: Spec) -> None:
    t = taskboard.table("comments")
    assert t is not None
    new = dataclasses.replace(taskboard, tables=tuple(x for x in taskboard.tables if x.name != "labels"))
    new = _replace_table(new, "comments", columns=tuple(c for c in t.columns if c.name != "body"))
    changes = diff_specs(taskboard, new)
    assert {(c.rule, c.subject) for c in changes} == {("RD201", "table:labels"), ("RD203", "table:comments/column:body")}


def test_not_null_without_default_on_filled_and_empty_tables(taskboard: Spec) -> None:
    col = Column("archived_by", TypeRef(Kind.UUID), nullable=False)
    tasks = taskboard.table("tasks")
    assert tasks is not None and any(r.table == "tasks" for r in taskboard.samples)
    c = _one(diff_specs(taskboard, _replace_table(taskboard, "tasks", columns=tasks.columns + (col,))), "RD206")
    assert c.severity is ChangeSeverity.BREAKING  # type: ignore[attr-defined]
    empty = dataclasses.replace(taskboard, samples=tuple(r for r in taskboard.samples if r.table != "tasks"))
    c2 = _one(diff_specs(empty, _replace_table(empty, "tasks", columns=tasks.columns + (col,))), "RD206")
    assert c2.severity is ChangeSeverity.WARNING  # type: ignore[attr-defined]


def test_type_narrowed_enum_value_removed_unique_added(taskboard: Spec) -> None:
    t = taskboard.table("tasks")
    assert t is not None
    cols = tuple(dataclasses.replace(c, type=dataclasses.replace(c.type, length=120)) if c.name == "title" else c for c in t.columns)
    checks = tuple(dataclasses.replace(k, expression="status IN ('todo', 'in_progress', 'done')") if k.columns == ("status",) else k
                   for k in t.checks)
    new = _replace_table(taskboard, "tasks", columns=cols, checks=checks, uniques=t.uniques + (UniqueConstraint(("tenant_id", "title")),))
    changes = diff_specs(taskboard, new)
    assert {c.rule for c in changes} == {"RD208", "RD214", "RD216"}
    removed = next(c for c in changes if c.rule == "RD214")
    assert "backlog" in removed.message and "in_review" in removed.message
    assert next(c for c in changes if c.rule == "RD208").message == "column tasks.title narrowed from varchar(200) to varchar(120)"


def test_rule_names_are_unique_per_family() -> None:
    for family in ("RD1", "RD2"):
        names = [v[0] for k, v in RULES.items() if k.startswith(family)]
        assert len(names) == len(set(names)), family
    assert all(k.startswith(("RD1", "RD2")) and len(k) == 5 for k in RULES)


# ---------------------------------------------------------------- writers


def test_writers() -> None:
    changes = diff_specs(_spec(EVOLVE / "v1"), _spec(EVOLVE / "v2"))
    data = json.loads(render(changes, "json"))
    assert {c["rule"] for c in data["changes"]} == {r for r, _ in EXPECTED_V1_V2}
    assert data["changes"][0]["new"] == {"file": "DATA_MODEL.md", "line": 17}
    suite = ET.fromstring(render(changes, "junit", fail_on="info"))
    assert suite.get("tests") == "6" and suite.get("failures") == "6"
    assert ET.fromstring(render(changes, "junit")).get("failures") == "0"
    gh = render(changes, "github", new_root="specs").splitlines()
    assert gh[0] == "::notice file=specs/DATA_MODEL.md,line=17,title=RD207 column-renamed::column users.fullname was renamed to display_name"
    text = render(changes, "text")
    assert "info RD218 index-dropped: index idx_tasks_due_date on tasks was dropped  (old/DATA_MODEL.md:42 → new/DATA_MODEL.md:28)" in text
    assert text.rstrip().endswith("0 breaking, 0 warning, 6 info")
    assert render([], "text") == "no changes\n"
    with pytest.raises(ValueError):
        render(changes, "xml")


# ---------------------------------------------------------------- git revisions


def test_specs_at_git_revisions(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                       env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
                            "GIT_COMMITTER_EMAIL": "t@x", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})

    git("init", "-q")
    for version in ("v1", "v2"):
        for f in (EVOLVE / version).iterdir():
            shutil.copy(f, repo / "docs" / f.name)
        git("add", "-A")
        git("commit", "-q", "-m", version)
    with revision_dir(repo, "HEAD~1", "docs") as old, revision_dir(repo, "HEAD", "docs") as new:
        assert (old / "DATA_MODEL.md").is_file()
        changes = diff_specs(_spec(old), _spec(new))
    assert _rules(changes) == EXPECTED_V1_V2
    assert not old.exists()
    folder = load_revision(repo, "HEAD", "docs")
    assert (folder / "API_SPEC.md").read_text() == (EVOLVE / "v2" / "API_SPEC.md").read_text()
    shutil.rmtree(folder.parent)
    from roundtrip.diff.revision import RevisionError

    with pytest.raises(RevisionError):
        load_revision(repo, "no-such-rev", "docs")


# ---------------------------------------------------------------- robustness


def test_diff_never_raises_on_examples_and_corpus() -> None:
    folders = [p for p in sorted(EXAMPLES.iterdir()) if p.is_dir()] if EXAMPLES.is_dir() else []
    files = sorted(CORPUS.glob("*.md")) if CORPUS.is_dir() else []
    specs = [_spec(p) for p in folders + files]
    if not specs:
        pytest.skip("no shared docs")
    for a, b in zip(specs, specs[1:] + specs[:1], strict=True):
        assert diff_specs(a, a) == []
        for fmt in ("text", "json", "junit", "github"):
            render(diff_specs(a, b), fmt)
