"""Validation of a generated OpenAPI document: every finding as an RT301 diagnostic, never an exception.

openapi-spec-validator 0.8 crashes (`referencing.exceptions.Unresolvable`) on a dangling `$ref`
instead of reporting it (LIBRARY-NOTES §4), so references are checked here first by a plain walk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from roundtrip.diagnostics import Diagnostic, make
from roundtrip.source import Span

OPENAPI_SPAN = Span("<openapi>", 0)
_PLAIN_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")  # printed as `.key` in a JSON path, others as `['key']`


def validate_openapi(doc: dict[str, Any]) -> list[Diagnostic]:
    """Every problem openapi-spec-validator finds (not just the first), as RT301 diagnostics.

    Dangling `$ref`s are found first by our own walk: the validator crashes on them
    (`referencing.exceptions.Unresolvable`) instead of reporting them.
    """
    from openapi_spec_validator import OpenAPIV31SpecValidator
    from referencing.exceptions import Unresolvable

    diags: list[Diagnostic] = []
    dangling = list(_dangling_refs(doc))
    for where, ref in dangling:
        diags.append(
            make(
                "RT301",
                OPENAPI_SPAN,
                f"at {where}: $ref {ref!r} points to nothing; define the component or remove the reference",
            )
        )
    seen: list[str] = []
    try:
        for err in OpenAPIV31SpecValidator(doc).iter_errors():
            where = getattr(err, "json_path", "$") or "$"
            text = str(getattr(err, "message", "") or err).strip().splitlines()
            msg = f"at {where}: {text[0] if text else type(err).__name__}"
            if msg not in seen:
                seen.append(msg)
                diags.append(
                    make(
                        "RT301",
                        OPENAPI_SPAN,
                        msg + " (fix the doc construct this came from, or report an emitter bug)",
                    )
                )
    except Unresolvable as exc:
        if not dangling:
            diags.append(
                make(
                    "RT301",
                    OPENAPI_SPAN,
                    f"unresolvable reference: {exc}; define the component or remove the reference",
                )
            )
    except Exception as exc:  # noqa: BLE001 - a validator crash is a finding about the document, not a reason to stop
        diags.append(
            make(
                "RT301",
                OPENAPI_SPAN,
                f"the OpenAPI validator failed on this document: {type(exc).__name__}: {exc}",
            )
        )
    return diags


def _dangling_refs(doc: Any) -> Iterable[tuple[str, str]]:
    stack: list[tuple[str, Any]] = [("$", doc)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not _resolves(doc, ref):
                yield where, ref
            children = [(f"{where}.{k}" if _PLAIN_KEY.fullmatch(str(k)) else f"{where}[{str(k)!r}]", v) for k, v in node.items()]
        elif isinstance(node, list):
            children = [(f"{where}[{i}]", v) for i, v in enumerate(node)]
        else:
            continue
        # Reversed so the walk reports in document order.
        for path, value in reversed(children):
            if isinstance(value, (dict, list)):
                stack.append((path, value))


def _resolves(doc: Any, ref: str) -> bool:
    if ref == "#":
        return True
    if not ref.startswith("#/"):
        return False  # we never emit external references; one would not resolve offline either
    node = doc
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True
