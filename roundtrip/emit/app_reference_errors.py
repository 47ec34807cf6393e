"""The documented error for a body value that names no usable row (app/api_model.json `reference_errors`).

`POST /projects/{projectId}/tasks {"assigneeId": <a user of another tenant>, "labelIds": [...]}` and
`POST /bookings {"roomId": <no such room>}`: appkit.reference_checks looks the row up (live, inside the caller's
tenant) and answers what is decided here, once per operation and body field:

1. an error row of the endpoint whose code names the field or the table it references
   (`INVALID_ASSIGNEE` for `assigneeId`, `ROOM_NOT_FOUND` for `roomId` → rooms);
2. else an error row of the endpoint whose description names the field or the table as unusable, with the code
   another endpoint of the same table gives that reference at the same status (the create lists
   `422 INVALID_ASSIGNEE: Assignee or label not usable`, the update `INVALID_LABEL`: a label on create is
   `INVALID_LABEL` too);
3. else that row of the endpoint as it is;
4. else a 422/404 row of the endpoint whose code names nothing in particular (`NOT_FOUND`, `UNPROCESSABLE_ENTITY`).

1-3 are `named`: the docs say this reference is checked, so the runtime checks it even where no tenant is
involved. Without any of them (`status` absent) a tenant-scoped reference still gets the validation error naming
the field, and any other reference is left to the database as before.
"""

from __future__ import annotations

import re
from typing import Any

from roundtrip.emit.openapi_schema import resolve_schema
from roundtrip.ir import Spec
from roundtrip.ir.api import ErrorDoc
from roundtrip.ir.data import Table
from roundtrip.ir.naming import singular, snake, table_candidates

# statuses an unusable reference is answered with; other rows (403, 409...) are about something else
REFERENCE_STATUSES = (422, 404, 400)
# the words of a code that names no particular thing
GENERIC_WORDS = frozenset(
    {"not", "found", "invalid", "unknown", "unprocessable", "entity", "content", "reference", "resource", "missing",
     "no", "such", "does", "exist", "bad", "request", "error", "value", "failed"}
)

# a description that says a named row is unusable ("Assignee or label not usable", "Room not found or inactive")
UNUSABLE_WORDS = re.compile(
    r"\b(not (found|usable|valid|available|exist\w*|active|allowed)|invalid|unknown|no such|does ?n[o']t exist|must (be|belong|exist)|inactive|deleted)\b",
    re.I,
)


def reference_errors_model(spec: Spec, doc: dict[str, Any], tables: dict[str, Table], model: dict[str, Any]) -> dict[str, Any]:
    """{"reference_errors": {body field: {"status", "code", "message", "named"}}} for a create/update of a table,
    one entry per body field that references a row (a foreign key column, an array of ids or of rows)."""
    if model.get("kind") not in ("crud-create", "crud-update") or model.get("table") not in tables:
        return {}
    table = tables[model["table"]]
    ep = spec.endpoint(model["method"], model["path"])
    own = tuple(ep.errors) if ep else ()
    siblings = _sibling_errors(spec, model)
    out: dict[str, Any] = {}
    for name, stems in _reference_fields(doc, tables, table, model).items():
        choice = _choose(name, stems, own, siblings)
        if choice is not None:
            out[name] = choice
    return {"reference_errors": out} if out else {}


def _reference_fields(doc: dict[str, Any], tables: dict[str, Table], table: Table, model: dict[str, Any]) -> dict[str, list[list[str]]]:
    """{body field: the word sequences that name what it references}: the field without `Id`/`Ids`, and the
    referenced table's singular and plural names."""
    fields = model.get("fields") or {}
    fks = {fk.columns[0]: fk.ref_table for fk in table.foreign_keys if len(fk.columns) == 1}
    out: dict[str, list[list[str]]] = {}
    for name, prop in _properties(doc, model.get("request")).items():
        column = fields.get(name) or snake(name)
        prop = resolve_schema(doc, prop)
        if column in fks:
            out[name] = _stems(_strip_id(column), fks[column])
        elif _is_array(prop):
            base = snake(name)
            stem = base[:-4] if base.endswith("_ids") else singular(base)
            target = next((c for c in table_candidates(stem) if c in tables), None)
            # an array of rows (`ingredients: [{ingredientId, quantity}]`): each item key that references a row
            items = resolve_schema(doc, prop.get("items"))
            for key in (items.get("properties") or {}) if isinstance(items, dict) else {}:
                if snake(key).endswith("_id") and key != "id":
                    item_col = snake(key)
                    ref = next((c for c in table_candidates(_strip_id(item_col)) if c in tables), None)
                    out.setdefault(key, _stems(_strip_id(item_col), ref))
            if target is not None or base.endswith("_ids"):
                out[name] = _stems(stem, target)
    return out


def _choose(name: str, stems: list[list[str]], own: tuple[ErrorDoc, ...], siblings: list[ErrorDoc]) -> dict[str, Any] | None:
    usable = [e for e in own if e.status in REFERENCE_STATUSES and e.code]
    by_code = [e for e in usable if _code_names(e.code, stems)]
    if by_code:
        return _entry(_best(by_code), named=True, fallback_message=name)
    by_text = [e for e in usable if _names(_words(e.message), stems) and UNUSABLE_WORDS.search(e.message)]
    # a row that names the reference only in its description ("Assignee or label not usable"): the code another
    # endpoint of the table gives that reference at the same status (the update's INVALID_LABEL) is more precise
    for here in by_text:
        sibling = next((e for e in siblings if e.status == here.status and _code_names(e.code, stems)), None)
        if sibling is not None:
            return _entry(sibling, named=True, fallback_message=name, message=sibling.message or here.message)
    if by_text:
        return _entry(_best(by_text), named=True, fallback_message=name)
    generic = [e for e in usable if e.status in (422, 404) and set(_words(e.code)) <= GENERIC_WORDS]
    if generic:
        return _entry(_best(generic), named=False, fallback_message=name)
    return None


def _best(errors: list[ErrorDoc]) -> ErrorDoc:
    """The first documented row, 422 before 404 before 400 (the docs' order otherwise)."""
    return min(errors, key=lambda e: REFERENCE_STATUSES.index(e.status))


def _entry(e: ErrorDoc, named: bool, fallback_message: str, message: str | None = None) -> dict[str, Any]:
    stem = _strip_id(snake(fallback_message)).replace("_", " ")
    text = message or e.message or f"{stem[:1].upper()}{stem[1:]} not found"
    return {"status": e.status, "code": e.code, "message": text, "named": named}


def _sibling_errors(spec: Spec, model: dict[str, Any]) -> list[ErrorDoc]:
    """Error rows of the other endpoints linked to the same table (its create, its update...)."""
    me = f"endpoint:{model['method']} {model['path']}"
    subjects = {lk.subject for lk in spec.links if lk.table == model.get("table") and lk.subject.startswith("endpoint:") and lk.subject != me}
    return [e for ep in spec.endpoints if f"endpoint:{ep.method} {ep.path}" in subjects for e in ep.errors]


def _code_names(code: str, stems: list[list[str]]) -> bool:
    """The code names the reference and says nothing else (`ROOM_NOT_FOUND`, `INVALID_ASSIGNEE`), unlike a rule
    about it (`MEMBER_BLOCKED`, `COPY_AVAILABLE_AT_BRANCH`), which is another check's error."""
    words = _words(code)
    for stem in stems:
        n = len(stem)
        for i in range(len(words) - n + 1):
            if n and words[i : i + n] == stem and set(words[:i] + words[i + n :]) <= GENERIC_WORDS:
                return True
    return False


def _names(words: list[str], stems: list[list[str]]) -> bool:
    """The words hold one of the stems as a run of words (`invalid_assignee` holds `assignee`)."""
    for stem in stems:
        n = len(stem)
        if n and any(words[i : i + n] == stem for i in range(len(words) - n + 1)):
            return True
    return False


def _words(text: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text or "")  # camelCase words apart; CODES stay whole
    return [singular(w) for w in re.findall(r"[a-z0-9]+", spaced.lower())]


def _stems(field_stem: str, target: str | None) -> list[list[str]]:
    out = [_words(field_stem)]
    if target:
        out.append(_words(singular(target)))
    return [s for s in out if s]


def _strip_id(column: str) -> str:
    return re.sub(r"_(id|ids|uuid|key)$", "", column)


def _is_array(prop: dict[str, Any]) -> bool:
    kind = prop.get("type")
    return kind == "array" or (isinstance(kind, list) and "array" in kind) or any(
        isinstance(v, dict) and v.get("type") == "array" for v in prop.get("anyOf") or prop.get("oneOf") or []
    )


def _properties(doc: dict[str, Any], schema: Any) -> dict[str, Any]:
    s = resolve_schema(doc, schema)
    props: dict[str, Any] = dict(s.get("properties") or {})
    for part in s.get("allOf") or []:
        props.update(resolve_schema(doc, part).get("properties") or {})
    return props
