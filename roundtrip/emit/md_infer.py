"""What a JSON example implies about its type, as the API reader infers it.

The canonical docs write a body or a named object as its JSON example alone when the example
implies exactly the documented type; otherwise the type is written out and the example follows.
The inference itself is `roundtrip.ir.infer`, shared with the API reader, so the two cannot drift.
"""

from __future__ import annotations

from typing import Any

from roundtrip.ir import TypeRef
from roundtrip.ir.infer import infer_type

__all__ = ["implied_by_example", "infer_type"]


def implied_by_example(t: TypeRef | None, example: Any, has_example: bool) -> bool:
    """True when writing only the example gives back exactly `t`."""
    return has_example and t is not None and infer_type(example) == t
