"""Name conventions shared by every stage: camelCase ↔ snake_case, singular ↔ plural.

Docs name the same thing `dueDate` in the API, `due_date` in the table, `Task` as a type
and `tasks` as a table; these helpers are the one place that knows how.
"""

from __future__ import annotations

import re

_CAMEL_1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")

# Plurals the suffix rules get wrong (quiz → quizes, quizzes → quizz).
_IRREGULAR = {
    "person": "people",
    "child": "children",
    "staff": "staff",
    "status": "statuses",
    "index": "indexes",
    "data": "data",
    "media": "media",
    "quiz": "quizzes",
}
_IRREGULAR_REV = {v: k for k, v in _IRREGULAR.items()}


def snake(name: str) -> str:
    name = name.replace("-", "_").replace(" ", "_")
    s = _CAMEL_2.sub(r"\1_\2", _CAMEL_1.sub(r"\1_\2", name))
    return re.sub(r"_+", "_", s).lower().strip("_")


def camel(name: str) -> str:
    parts = [p for p in re.split(r"[_\-\s]+", name) if p]
    if not parts:
        return name
    return parts[0][:1].lower() + parts[0][1:] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def pascal(name: str) -> str:
    c = camel(snake(name)) if ("_" in name or "-" in name or " " in name) else name
    return c[:1].upper() + c[1:]


def plural(word: str) -> str:
    """English plural of the last snake_case segment (task → tasks, category → categories)."""
    head, _, last = word.rpartition("_")
    low = last.lower()
    if low in _IRREGULAR:
        p = _IRREGULAR[low]
    elif low in _IRREGULAR_REV:
        p = low
    elif re.search(r"[^aeiou]y$", low):
        p = low[:-1] + "ies"
    elif re.search(r"(s|x|z|ch|sh)$", low):
        p = low + "es"
    else:
        p = low + "s"
    return f"{head}_{p}" if head else p


def singular(word: str) -> str:
    head, _, last = word.rpartition("_")
    low = last.lower()
    if low in _IRREGULAR_REV:
        s = _IRREGULAR_REV[low]
    elif low in _IRREGULAR:
        s = low
    elif low.endswith("ies") and len(low) > 3:
        s = low[:-3] + "y"
    elif re.search(r"(sses|xes|zes|ches|shes)$", low):
        s = low[:-2]
    elif low.endswith("s") and not low.endswith("ss") and len(low) > 1:
        s = low[:-1]
    else:
        s = low
    return f"{head}_{s}" if head else s


def table_candidates(type_name: str) -> list[str]:
    """Table names a type name may refer to: `ExamAttempt` → exam_attempts, exam_attempt."""
    base = snake(type_name)
    out = [plural(base), base, singular(base)]
    seen: list[str] = []
    for o in out:
        if o not in seen:
            seen.append(o)
    return seen


def rename_identifiers(sql: str, renames: dict[str, str]) -> str:
    """`sql` with its identifiers renamed (string literals left alone): an old CHECK, index or generated-column
    expression in the new column names. The differ and the migration planner compare and write with it."""
    if not renames:
        return sql
    parts = re.split(r"('(?:[^']|'')*')", sql)
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"\b[A-Za-z_]\w*\b", lambda m: renames.get(m.group(0), m.group(0)), parts[i])
    return "".join(parts)
