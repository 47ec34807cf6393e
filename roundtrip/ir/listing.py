"""List-endpoint parameters every stage names the same way: page size, offset, page number and sort.

The sort parameter's documented fields travel as one pattern (`^-?(?:title|publishedYear)$`): the
compiled schema admits exactly those values (or, where the docs say `sort` takes a comma-separated list,
any list of them: `^-?(?:a|b)(?:,-?(?:a|b))*$`), and the generated app reads the same list back from it
(`sort_fields`), so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

PAGE_SIZE_PARAMS = frozenset(
    {"limit", "pagesize", "page_size", "per_page", "perpage", "size", "take", "pagelimit"}
)
OFFSET_PARAMS = frozenset({"offset", "skip"})
PAGE_NUMBER_PARAMS = frozenset({"page", "pagenumber", "page_number"})
COUNT_PARAMS = PAGE_SIZE_PARAMS | OFFSET_PARAMS | PAGE_NUMBER_PARAMS
SORT_PARAMS = frozenset({"sort", "sortby", "sort_by", "orderby", "order_by"})

# A field the pattern can name as written: `-` is left unescaped, as `\-` is no valid escape in the
# unicode-mode ECMAScript regexes JSON Schema validators use.
SORT_FIELD = re.compile(r"-?[A-Za-z_]\w*(?:\.\w+)*")
# Exactly the shapes sort_pattern writes: `^` optional `-?` `(?:a|b|-c)`, for a list the same group again
# after a comma, `$`.
_NAME = r"-?[A-Za-z_]\w*(?:\\\.\w+)*"
_ONE = rf"(-\?)?\(\?:({_NAME}(?:\|{_NAME})*)\)"
_SORT_PATTERN = re.compile(rf"\^{_ONE}(\(\?:,{_ONE}\)\*)?\$")


class SortList(NamedTuple):
    """What a sort parameter's pattern admits: one of `fields` (`signed`: each may be prefixed with `-`
    for descending), or with `several` a comma-separated list of them (`-priority,dueDate`)."""

    fields: tuple[str, ...]
    signed: bool
    several: bool = False


def sort_pattern(fields: Iterable[str], *, signed: bool, several: bool = False) -> str | None:
    """The pattern of a sort parameter naming one of `fields`; `signed`: each may be prefixed with `-`
    (descending); `several`: a comma-separated list of them. Unsigned lists keep a listed `-field` as the
    literal value the docs wrote. None when a field is no plain name (`createdAt:desc`): the list is
    then not one this pattern can state."""
    names = list(dict.fromkeys(fields))
    if not names or not all(SORT_FIELD.fullmatch(f) for f in names):
        return None
    alternatives = "|".join(f.replace(".", "\\.") for f in names)
    one = f"{'-?' if signed else ''}(?:{alternatives})"
    return f"^{one}(?:,{one})*$" if several else f"^{one}$"


def sort_fields(pattern: str | None) -> SortList | None:
    """The SortList of a pattern sort_pattern wrote; None for any other pattern."""
    m = _SORT_PATTERN.fullmatch(pattern or "")
    if m is None:
        return None
    fields = tuple(f.replace("\\.", ".") for f in m.group(2).split("|"))
    if m.group(3) is not None and (m.group(4), m.group(5)) != (m.group(1), m.group(2)):
        return None  # a list whose later items name other fields than the first: not one sort_pattern writes
    return SortList(fields, m.group(1) is not None, m.group(3) is not None)
