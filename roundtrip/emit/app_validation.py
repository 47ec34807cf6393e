"""Which documented error is a request's validation error: for the whole API and per operation.

A malformed id or body gets a validation row (`roundtrip.ir.validation_rows`), never a business rule that
shares its status (`422 INVALID_RESPONSE`, `422 EXAM_HAS_NO_QUESTIONS`):

- the API's validation error is the first validation row of the common table, then of the endpoints;
- an operation's is its first own validation row (then the common rows that apply to it); else 400 with
  the API's code when it documents 400; else none of its own (the API's), never a business-rule 422.
"""

from __future__ import annotations

from typing import Any

from roundtrip.ir import Spec
from roundtrip.ir.api import Endpoint
from roundtrip.ir.common_errors import common_errors_for
from roundtrip.ir.validation_rows import VALIDATION_STATUSES, is_validation_row


def validation_model(spec: Spec, common: dict[str, Any]) -> dict[str, Any]:
    """The API's validation status and code: the first validation row, common table first."""
    for e in list(spec.common_errors) + [err for ep in spec.endpoints for err in ep.errors]:
        if e.code and is_validation_row(e):
            return {"status": e.status, "code": e.code}
    return {"status": 400, "code": common.get("400", {}).get("code") or "VALIDATION_ERROR"}


def operation_validation(spec: Spec, ep: Endpoint | None, statuses: list[str]) -> dict[str, Any]:
    """`validation_status`/`validation_code` of one operation (None: the API's, see the module docstring)."""
    common = {str(e.status): {"code": e.code} for e in spec.common_errors if e.code}
    api_code = str(validation_model(spec, common).get("code") or "")
    rows = list(ep.errors) + list(common_errors_for(spec, ep)) if ep is not None else []
    row = next((e for e in rows if e.status in VALIDATION_STATUSES and is_validation_row(e, api_code)), None)
    if row is not None and str(row.status) in statuses:
        return {"validation_status": row.status, "validation_code": row.code or api_code or None}
    if "400" in statuses:
        return {"validation_status": 400, "validation_code": api_code or None}
    return {"validation_status": None, "validation_code": None}
