"""Verify: keep docs, code and database honest (issue 5).

    result = roundtrip.verify.check_tree(Path("specs"), Path("generated"))   # `roundtrip check`
    result.exit_code, result.unified_diff()

    report = roundtrip.verify.verify(Path("specs"), base_url="http://127.0.0.1:8000", login="a@b.c:pw")
    print(roundtrip.verify.render(report, "text")); report.exit_code       # 0 ok, 1 findings, 2 usage

Stages: docs (examples and sample rows vs their schemas, lint's contradictions), interface (the
backend's OpenAPI vs the compiled docs), database (roundtrip.db.check), behaviour (requests built
from the docs, stateful chains, a bounded schemathesis phase). Every finding is a Diagnostic with a
RT4xx code at the doc line it checks; see roundtrip.verify.registry for the list of checks.
"""

from roundtrip.verify.report import FORMATS, render
from roundtrip.verify.run import STAGES, VerifyReport, verify
from roundtrip.verify.tree import CheckResult, FileDiff, check_tree

__all__ = ["FORMATS", "STAGES", "CheckResult", "FileDiff", "VerifyReport", "check_tree", "render", "verify"]
