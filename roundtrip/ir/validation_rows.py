"""Which documented 400/422 row is the validation error (an ill-formed request), not a business rule.

An error table mixes two kinds of 400/422 rows: the validation error every ill-formed request gets
(`400 | VALIDATION_ERROR | Invalid input`, `422 | UNPROCESSABLE | Request body failed validation`) and
business rules that happen to use the same status (`422 | EXAM_HAS_NO_QUESTIONS | Add a question first`,
`422 | INVALID_RESPONSE | Response shape does not match question type`). A row is a validation row when
its code is the API's validation code, a code naming the input as a whole (`VALIDATION_FAILED`,
`INVALID_INPUT`, `BAD_REQUEST`, `MALFORMED_BODY`), or its description says the input is invalid
("validation", "invalid input/request/body/parameters", "malformed"). A code that merely contains
"valid" (`INVALID_RESPONSE`, `INVALID_SIGNATURE`, `INVALID_SORT_FIELD`) names one thing: a rule.
Read by the resolver (validation gaps), the common-error rules and the app model alike.
"""

from __future__ import annotations

import re

from roundtrip.ir.api import ErrorDoc

VALIDATION_STATUSES = (400, 422)
_CODE = re.compile(
    r"VALIDATION|^(?:INVALID|MALFORMED|BAD)_(?:INPUT|REQUEST|BODY|PAYLOAD|PARAMS?|PARAMETERS?|QUERY|DATA|FIELDS?|ARGUMENTS?)$"
    r"|^BAD_REQUEST$|^MALFORMED$|^INVALID$|^UNPROCESSABLE(?:_ENTITY)?$",
    re.I,
)
_WORDS = re.compile(
    r"\bvalidat(?:ion|e|es|ed)\b|\bmalformed\b|\bill[- ]formed\b"
    r"|\binvalid (?:input|request|body|payload|param(?:eter)?s?|query|data|fields?|arguments?|json|format)\b",
    re.I,
)


def is_validation_row(e: ErrorDoc, api_code: str = "") -> bool:
    """Whether `e` is the docs' error for an ill-formed request (module docstring), not a business rule."""
    if e.status not in VALIDATION_STATUSES:
        return False
    code = e.code or ""
    return bool((api_code and code == api_code) or _CODE.search(code) or _WORDS.search(e.message or ""))
