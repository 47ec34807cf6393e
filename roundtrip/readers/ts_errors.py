"""An error catalog written as code → common errors.

Docs without a common-error table may still state the errors every endpoint can answer as the code
that raises them (`src/utils/errors.ts`):

    export const Errors = {
      UNAUTHORIZED: () => new AppError('UNAUTHORIZED', 'Not authenticated', 401),
      NOT_FOUND: (resource: string) => new AppError('NOT_FOUND', `${resource} not found`, 404),
    };

Each `new <Something>Error(…)` whose arguments hold a literal machine code (`UPPER_SNAKE`) and a
literal 4xx/5xx status is one statement of a common error, read the same as a row of an error table.
A fence with fewer than two such calls is an example of throwing one error, not a catalog.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from roundtrip.ir import ErrorDoc
from roundtrip.readers.ts_types import TsContext, string_value, text

_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
_ERROR_CLASS = re.compile(r"\w*(?:Error|Exception)")
_STRINGS = frozenset({"string", "template_string"})


def error_catalog(root: Node, ctx: TsContext) -> list[ErrorDoc]:
    found = [e for e in (_error(n, ctx) for n in _new_expressions(root)) if e is not None]
    return found if len({(e.status, e.code) for e in found}) >= 2 else []


def _new_expressions(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "new_expression":
            out.append(n)
        stack.extend(reversed(n.named_children))
    return out


def _error(node: Node, ctx: TsContext) -> ErrorDoc | None:
    constructor = node.child_by_field_name("constructor")
    args = node.child_by_field_name("arguments")
    if constructor is None or args is None or not _ERROR_CLASS.fullmatch(text(constructor)):
        return None
    code, message, status = "", "", None
    for arg in args.named_children:
        if arg.type == "number" and status is None and re.fullmatch(r"[1-5]\d\d", text(arg)):
            status = int(text(arg))
        elif arg.type in _STRINGS:
            # `${resource} not found`: a message with a placeholder is not one the docs state literally
            if any(c.type == "template_substitution" for c in arg.named_children):
                continue
            value = string_value(arg)
            if not code and _CODE.fullmatch(value):
                code = value
            elif not message:
                message = value
    if not code or status is None or status < 400:
        return None  # `new AppError(code, message, 422)`: the code is the caller's, not a catalog entry
    return ErrorDoc(status, code, message, None, ctx.span(node))
