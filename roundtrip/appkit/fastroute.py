"""The route class of the generated routes: their path and query values checked by one validator per route,
their JSON body by the body field's own validator without the dependency solver.

FastAPI checks a request's values one parameter at a time, through its general dependency solver
(sub-dependencies, background tasks, a response object, per-parameter alias lookups and type checks),
about a fifth of what a cached GET costs. A generated route declares nothing that needs the solver: its
path and query parameters are plain annotated values, and the endpoint only hands them to the kit. So
`GeneratedRoute` builds, once per route, one pydantic validator (a TypedDict of the same annotations and
constraints FastAPI validates each parameter with), and answers a request with it when every value
passes. Anything else goes to FastAPI's own handler, which checks the request again from the start:
- a value that fails: FastAPI produces the validation error exactly as without this class;
- a JSON body (one body parameter, not embedded, not a form): read, decoded with `json.loads` and checked
  with FastAPI's own ModelField for it (`field.validate`, what FastAPI's solver calls) when the request says
  `Content-Type: application/json` (or `+json`) and the app sets no body size limit; any other content
  type, an empty or undecodable body, or a value that fails: FastAPI's handler, which reads the body again
  (Starlette keeps it) and answers as without this class;
- a route with headers, cookies, dependencies, an embedded or form body, a list-valued or model-valued
  query parameter, or anything else the plan does not know: FastAPI's handler for every request;
- FastAPI's OpenTelemetry instrumentation active for the request: FastAPI's handler (it records spans).
The route's OpenAPI is untouched: it comes from the same `APIRoute` attributes.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import types
import typing
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Request
from fastapi.params import Form
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

typed_dict: Any = TypedDict  # called with fields known at run time (mypy only knows literal TypedDicts)


def telemetry_probe() -> Callable[[], Any] | None:
    """FastAPI's own OpenTelemetry data of the current request (recent FastAPI; None when not instrumented)."""
    try:
        module = importlib.import_module("fastapi.telemetry")
    except ImportError:  # an older FastAPI has no telemetry of its own
        return None
    probe = getattr(module, "get_telemetry_data", None)
    return probe if callable(probe) else None


TELEMETRY = telemetry_probe()
try:  # set in a request's scope when the app limits body sizes: FastAPI's handler reads those bodies
    from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
except ImportError:  # an older Starlette has no body limit
    MAX_BODY_SIZE_SCOPE_KEY = "roundtrip.no-body-limit"

Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]
# Immutable defaults are handed over as they are; anything else is copied per request, as FastAPI does.
IMMUTABLE = (type(None), bool, int, float, str, bytes, tuple, frozenset)


@dataclass(frozen=True)
class Param:
    key: str  # the name in the request (the alias)
    name: str  # the endpoint's argument
    required: bool
    default: Any


@dataclass(frozen=True)
class ParamPlan:
    """How to read one route's path and query values and check them in one call."""

    path: tuple[Param, ...]
    query: tuple[Param, ...]
    request_name: str | None
    validator: TypeAdapter[Any]
    body: Any = None  # FastAPI's ModelField of the JSON body parameter, if the route has one

    @classmethod
    def of(cls, route: APIRoute) -> ParamPlan | None:
        """The plan for a route, or None when it declares anything beyond plain path and query values."""
        d = route.dependant
        body = json_body_field(route)
        others = (
            d.dependencies,
            d.body_params if body is None else (),
            d.header_params,
            d.cookie_params,
            getattr(d, "http_connection_param_name", None),
            getattr(d, "websocket_param_name", None),
            getattr(d, "background_tasks_param_name", None),
            getattr(d, "response_param_name", None),
            getattr(d, "security_scopes_param_name", None),
        )
        if any(others) or not inspect.iscoroutinefunction(d.call):
            return None
        fields: dict[str, Any] = {}
        params: dict[str, list[Param]] = {"path": [], "query": []}
        for where, found in (("path", d.path_params), ("query", d.query_params)):
            for field in found:
                info = field.field_info
                key = field.alias
                if getattr(field, "config", None) or info.validation_alias not in (None, key) or info.discriminator is not None:
                    return None  # alias choices, alias paths, tagged unions: FastAPI's handler
                if not plain(info.annotation):
                    return None  # lists (read with getlist), models, Json: FastAPI's handler
                if key in fields:
                    return None
                fields[key] = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
                required = info.is_required()
                params[where].append(Param(key, field.name, required, None if required else info.default))
        try:
            shape = typed_dict(f"{route.unique_id}_params", fields, total=False)
            validator: TypeAdapter[Any] = TypeAdapter(shape)
        except Exception:  # noqa: BLE001 - an annotation pydantic cannot combine: FastAPI's handler
            return None
        return cls(tuple(params["path"]), tuple(params["query"]), d.request_param_name, validator, body)

    async def read_body(self, request: Request, out: dict[str, Any]) -> bool:
        """The checked JSON body into `out` under its argument name; False when FastAPI's handler must read it."""
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if not (content_type == "application/json" or (content_type.startswith("application/") and content_type.endswith("+json"))):
            return False
        if MAX_BODY_SIZE_SCOPE_KEY in request.scope:
            return False
        raw = await request.body()
        if not raw:
            return False
        try:
            decoded = json.loads(raw)
        except ValueError:  # FastAPI's handler answers with its json_invalid error
            return False
        value, errors = self.body.validate(decoded, {}, loc=("body",))
        if errors:
            return False
        out[self.body.name] = value
        return True

    def values(self, request: Request) -> dict[str, Any] | None:
        """The endpoint's arguments, or None when FastAPI's handler must look at the request."""
        raw: dict[str, Any] = {}
        defaults: dict[str, Any] = {}
        for params, given in ((self.path, request.path_params), (self.query, request.query_params)):
            for p in params:
                value = given.get(p.key)
                if value is not None:
                    raw[p.key] = value
                elif p.required:
                    return None
                else:
                    defaults[p.name] = p.default if isinstance(p.default, IMMUTABLE) else copy.deepcopy(p.default)
        try:
            checked = self.validator.validate_python(raw)
        except ValidationError:
            return None
        out = defaults
        for params in (self.path, self.query):
            for p in params:
                if p.key in checked:
                    out[p.name] = checked[p.key]
        if self.request_name:
            out[self.request_name] = request
        return out


def json_body_field(route: APIRoute) -> Any:
    """The route's single JSON body parameter (FastAPI's ModelField), or None: no body, several or embedded
    body parameters, a form or file body, or a FastAPI whose field cannot validate on its own."""
    fields = route.dependant.body_params
    if len(fields) != 1 or getattr(route, "_embed_body_fields", True):
        return None
    field = fields[0]
    if isinstance(field.field_info, Form) or not callable(getattr(field, "validate", None)):
        return None
    return field


def plain(annotation: Any) -> bool:
    """A scalar annotation (possibly a union of scalars, `Annotated`, `Literal`): one query value each."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return plain(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return all(plain(a) for a in typing.get_args(annotation))
    if origin is typing.Literal:
        return True
    if origin is not None:
        return False  # list[...], dict[...], Json[...]...
    if isinstance(annotation, type):
        return not issubclass(annotation, (BaseModel, list, tuple, set, frozenset, dict, bytes))
    return annotation is None


class GeneratedRoute(APIRoute):
    """An APIRoute whose handler tries `ParamPlan` first (see the module docstring)."""

    def get_route_handler(self) -> Endpoint:
        slow = super().get_route_handler()
        plan = ParamPlan.of(self)
        call = self.dependant.call
        if plan is None or call is None:
            return slow

        async def handler(request: Request) -> Response:
            traced = TELEMETRY is not None and TELEMETRY() is not None
            values = None if traced else plan.values(request)
            if values is None or (plan.body is not None and not await plan.read_body(request, values)):
                return await slow(request)
            response: Response = await call(**values)  # generated endpoints answer a Response (dispatch)
            return response

        return handler
