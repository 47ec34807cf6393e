"""Breaking-change gate: classify every difference between two specs (API and database) with a rule
ID and a severity, each pointing at the doc line in the old and in the new version.

    changes = diff_specs(old_spec, new_spec)
    print(render(changes, "text")); sys.exit(exit_code(changes, "breaking"))

Only facts are compared (types, fields, statuses, columns, keys ...), never prose: a doc change that
only rewords descriptions reports nothing.
"""

from __future__ import annotations

from roundtrip.diff.api_changes import api_changes
from roundtrip.diff.db_changes import db_changes
from roundtrip.diff.report import exit_code, render
from roundtrip.diff.revision import load_revision, revision_dir
from roundtrip.diff.rules import RULES, Change, ChangeSeverity
from roundtrip.diff.tree import tree_differences
from roundtrip.ir import Spec


def diff_specs(old: Spec, new: Spec) -> list[Change]:
    """Every classified change from `old` to `new`: API changes first, then database changes, in doc order."""
    return list(api_changes(old, new)) + list(db_changes(old, new))


__all__ = ["RULES", "Change", "ChangeSeverity", "diff_specs", "exit_code", "load_revision", "render", "revision_dir",
           "tree_differences"]
