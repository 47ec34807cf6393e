"""`roundtrip sync`: update the human docs from a backend's OpenAPI, keeping every line of prose.

    result = sync_docs(Path("specs"), "http://localhost:8000/openapi.json")
    print(result.unified_diff())          # what would change
    for rel, text in result.changed().items(): ...   # the caller writes them (atomically)

The docs are compiled (api.load) and their OpenAPI imported back; the backend's OpenAPI is imported
the same way; the two are compared construct by construct (roundtrip.sync.compare for parameters and
bodies, roundtrip.sync.contract for statuses, errors, auth and rate limits, read from both raw
documents) and each changed construct is rewritten where the docs' spans say it is
(roundtrip.sync.plan, .errors, .access, .new_types). Nothing else moves.

Decisions: new endpoints are appended to the section of their tag in canonical style, and the
backend's named types they (or any rewritten member or cell) refer to are defined once; endpoints and
named types missing from the OpenAPI are *flagged*, not deleted (their sections hold prose that a
backend's OpenAPI says nothing about); removed parameters, fields, errors and bodiless statuses are
deleted from their tables, lists and examples (a row, item or key is not prose). What the docs state
once for many endpoints (common errors, a group's auth) is never edited for one of them. Database
facts are not in an OpenAPI document and are never touched.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from roundtrip.sync.openapi_source import SyncError, read_openapi

__all__ = ["SyncError", "SyncResult", "sync_docs"]


@dataclass
class SyncResult:
    root: Path  # the folder the docs' file names are relative to
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    applied: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def changed(self) -> dict[str, str]:
        return {rel: text for rel, text in self.after.items() if text != self.before.get(rel)}

    def unified_diff(self) -> str:
        out: list[str] = []
        for rel in sorted(self.changed()):
            name = (self.root / rel).as_posix()
            a, b = ("", "") if name.startswith("/") else ("a/", "b/")
            out.extend(
                difflib.unified_diff(
                    self.before[rel].splitlines(keepends=True),
                    self.after[rel].splitlines(keepends=True),
                    fromfile=a + name,
                    tofile=b + name,
                )
            )
        return "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out
        )

    def summary(self) -> str:
        lines = [f"  {a}" for a in self.applied] + [f"  note: {n}" for n in self.notes]
        head = f"{len(self.changed())} file(s) changed, {len(self.applied)} change(s) applied, {len(self.notes)} note(s)"
        return "\n".join([head, *lines])


def sync_docs(specs: Path, openapi_source: str) -> SyncResult:
    """The docs under `specs` updated from the OpenAPI at `openapi_source` (file or URL); nothing is written."""
    from roundtrip import api
    from roundtrip.importers import from_openapi
    from roundtrip.sync.compare import compare
    from roundtrip.sync.contract import attach_contracts
    from roundtrip.sync.docs import DocFile, apply_edits
    from roundtrip.sync.plan import Planner

    specs = Path(specs)
    if not specs.exists():
        raise SyncError(f"{specs}: no such file or folder")
    target = read_openapi(openapi_source)
    result = api.load(specs)
    if any(d.code in ("RT101", "RT102") for d in result.diagnostics):
        raise SyncError(f"{specs}: no Markdown files to sync")
    root = specs if specs.is_dir() else specs.parent
    docs_doc, _ = api.openapi(result.spec)
    named = frozenset(s.name for s in result.spec.schemas)
    old, new = from_openapi(docs_doc), from_openapi(target)
    files = {rel: DocFile(rel, (root / rel).read_text(encoding="utf-8")) for rel in result.spec.files}
    cmp = compare(old, new, named)
    attach_contracts(cmp, result.spec, docs_doc, target, lambda spec: api.openapi(spec)[0])
    planner = Planner(files, result.spec, old, new, named)
    planner.run(cmp)
    out = SyncResult(root, applied=planner.applied, notes=planner.notes)
    for rel, df in files.items():
        edits = [e for e in planner.edits if e.file == rel]
        lines, dropped = apply_edits(df.lines, edits)
        out.before[rel] = df.text
        out.after[rel] = "\n".join(lines)
        out.notes += [f"{rel}:{e.start}: overlapping change not applied" for e in dropped]
    return out
