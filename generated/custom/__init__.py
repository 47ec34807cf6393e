"""Your code: handler overrides and extra routes. roundtrip created this file once and never overwrites it.

OVERRIDES maps an operationId (see app/api_model.json) to a function taking the request Context
and returning a Reply; it runs instead of the generated handler. `ctx.default()` runs the
generated behaviour, so an override can also adjust its result. ROUTERS are added to the app.

Example:

    from app.kit.context import Context, Reply

    def create_recipe(ctx: Context) -> Reply:
        reply = ctx.default()
        reply.headers["X-Custom"] = "1"
        return reply

    OVERRIDES = {"postV1Recipes": create_recipe}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OVERRIDES: dict[str, Callable[..., Any]] = {}
ROUTERS: list[Any] = []
