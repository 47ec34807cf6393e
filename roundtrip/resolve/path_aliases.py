"""Path parameters that accept a word for the caller: "`me` is accepted as `{memberId}`".

The prose reader records each such sentence as the convention `path_alias.<param>` = word. Every
path parameter of that name then takes "an id, or the word": a union of the id's type and the word
(a constant; several words an enum, the shape of a documented id filter "UUID, `me` or `none`"), so
OpenAPI says it and the app resolves the word to the signed-in caller's id (roundtrip.appkit.access).
The statement itself becomes the parameter's description and leaves the conventions: the Spec says
it once, where it applies, and rendered docs (a parameter row `bigint | 'me'`) read back the same.

The id's type is the parameter's own when the docs typed it, else the key type of the table the
name points at (`memberId` → members.id BIGINT → integer). A parameter that stays a plain string
is left alone: "a string, or `me`" would admit `me` twice and say nothing a client could check.
"""

from __future__ import annotations

import re
from dataclasses import replace

from roundtrip.ir import Convention, Endpoint, Kind, ParamIn, Table, TypeRef
from roundtrip.ir.naming import snake, table_candidates

PREFIX = "path_alias."
_ID_KINDS = (Kind.INTEGER, Kind.UUID)


def path_aliases(conventions: tuple[Convention, ...]) -> dict[str, tuple[str, ...]]:
    """Parameter name → the words the docs accept for it, in the order stated."""
    out: dict[str, tuple[str, ...]] = {}
    for c in conventions:
        if c.key.startswith(PREFIX) and isinstance(c.value, str):
            name = c.key[len(PREFIX) :]
            out[name] = tuple(dict.fromkeys((*out.get(name, ()), c.value)))
    return out


def id_type(name: str, declared: TypeRef, tables: tuple[Table, ...]) -> TypeRef | None:
    """The type of the id a path parameter carries, without the alias."""
    if declared.kind in _ID_KINDS:
        return replace(declared, nullable=False)
    stem = re.sub(r"(?:_id|Id|ID)$", "", name)
    if stem == name:
        return None
    by_name = {t.name: t for t in tables}
    for cand in table_candidates(snake(stem)):
        table = by_name.get(cand)
        if table is None or len(table.primary_key) != 1:
            continue
        key = table.column(table.primary_key[0])
        if key is None or key.type.kind not in _ID_KINDS:
            return None
        return TypeRef(key.type.kind, bits=key.type.bits)  # the key's kind and width, not its storage details
    return None


def word_type(words: tuple[str, ...]) -> TypeRef:
    """One word is a constant (`bigint | 'me'`), several an enum (`uuid | ('me' | 'none')`): the shapes the
    Type-cell reader gives for those spellings, so rendered docs read back as the same parameter."""
    return TypeRef(Kind.LITERAL, literal=words[0]) if len(words) == 1 else TypeRef(Kind.ENUM, values=words)


def apply_path_aliases(
    endpoints: tuple[Endpoint, ...], conventions: tuple[Convention, ...], tables: tuple[Table, ...]
) -> tuple[tuple[Endpoint, ...], tuple[Convention, ...]]:
    """(endpoints with aliased path parameters typed, the conventions without the alias statements)."""
    aliases = path_aliases(conventions)
    rest = tuple(c for c in conventions if not c.key.startswith(PREFIX))
    if not aliases:
        return endpoints, rest
    said = {c.key[len(PREFIX) :]: c.text for c in conventions if c.key.startswith(PREFIX)}
    out: list[Endpoint] = []
    for e in endpoints:
        params = []
        for p in e.parameters:
            words = (
                aliases.get(p.name) if p.location is ParamIn.PATH and p.type.kind is not Kind.UNION else None
            )
            base = id_type(p.name, p.type, tables) if words else None
            if words and base is not None:
                union = TypeRef(Kind.UNION, variants=(base, word_type(words)))
                p = replace(p, type=union, description=p.description or said.get(p.name, ""))
            params.append(p)
        out.append(e if tuple(params) == e.parameters else replace(e, parameters=tuple(params)))
    return tuple(out), rest
