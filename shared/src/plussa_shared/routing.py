"""Declaring routes once: path, method, models and access, from which both the
aiohttp handler wrapping and the OpenAPI 3.1 document are made."""

import inspect
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError

from plussa_shared.auth import Access
from plussa_shared.errors import BadRequestError, UnsupportedMediaTypeError, ValidationFailedError

Handler = Callable[..., Awaitable[Any]]
_UNSAFE_PATH_VALUE = re.compile(r"[\x00-\x1f\x7f]")
MAX_PATH_VALUE = 200
ACCESS_KEY = "plussa_access"
M = TypeVar("M", bound=BaseModel)
H = TypeVar("H", bound=Callable[..., Any])


@dataclass(frozen=True)
class Endpoint:
    """One route's declaration."""

    method: str
    path: str
    handler: Handler
    summary: str
    access: Access
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    tag: str = ""
    errors: tuple[int, ...] = ()

    @property
    def path_params(self) -> list[str]:
        """Names of the ``{placeholders}`` in the path."""
        return re.findall(r"{(\w+)(?::[^}]*)?}", self.path)

    @property
    def openapi_path(self) -> str:
        """The path with aiohttp's regex parts removed."""
        return re.sub(r"{(\w+):[^}]*}", r"{\1}", self.path)


@dataclass
class RouteTable:
    """A resource's routes. Decorate handlers with ``get``/``post``/...; the handler
    receives the request and, when declared, ``body`` and ``query`` as validated
    models. Returning a pydantic model (or list of them) serializes it as JSON with
    the declared status; returning a ``web.StreamResponse`` sends it as it is."""

    tag: str
    endpoints: list[Endpoint] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        access: Access,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        errors: Sequence[int] = (),
    ) -> Callable[[Handler], Handler]:
        """Declare a route."""

        def register(handler: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(method, path, handler, summary, access, body, query, response, status, self.tag, tuple(errors))
            )
            return handler

        return register

    def get(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        """Declare a GET route."""
        return self.route("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        """Declare a POST route."""
        return self.route("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        """Declare a PUT route."""
        return self.route("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        """Declare a PATCH route."""
        return self.route("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        """Declare a DELETE route."""
        return self.route("DELETE", path, **kw)


def public(handler: H) -> H:
    """Mark a plain aiohttp handler (health, metrics, documents) as open to anyone."""
    setattr(handler, ACCESS_KEY, Access.anyone())
    return handler


def undeclared_routes(app: web.Application) -> list[str]:
    """Routes whose handler declares no ``Access``: neither made by a ``RouteTable``
    nor marked ``public``. A service refuses to start with any, so a route can never
    be open by omission."""
    return sorted(
        f"{route.method} {route.resource.canonical if route.resource else '?'}"
        for route in app.router.routes()
        if not isinstance(getattr(route.handler, ACCESS_KEY, None), Access)
    )


def add_routes(app: web.Application, tables: Sequence[RouteTable]) -> list[Endpoint]:
    """Register every endpoint of ``tables`` on ``app``."""
    endpoints = [e for t in tables for e in t.endpoints]
    for endpoint in endpoints:
        app.router.add_route(endpoint.method, endpoint.path, _wrap(endpoint))
    return endpoints


def _wrap(endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    params = inspect.signature(endpoint.handler).parameters
    adapter = TypeAdapter(endpoint.response) if endpoint.response is not None else None

    async def handler(request: web.Request) -> web.StreamResponse:
        kwargs: dict[str, Any] = {}
        if endpoint.body is not None:
            kwargs["body"] = await read_body(request, endpoint.body)
        if endpoint.query is not None:
            kwargs["query"] = read_query(request, endpoint.query)
        for name in endpoint.path_params:
            if name in params:
                kwargs[name] = read_path_value(request, name)
        result = await endpoint.handler(request, **kwargs)
        if isinstance(result, web.StreamResponse):
            return result
        if result is None:
            return web.Response(status=endpoint.status if endpoint.status != 200 else 204)
        payload = adapter.dump_json(result) if adapter is not None else TypeAdapter(Any).dump_json(result)
        return web.Response(body=payload, status=endpoint.status, content_type="application/json")

    setattr(handler, ACCESS_KEY, endpoint.access)
    handler.__name__ = endpoint.handler.__name__
    return handler


def read_path_value(request: web.Request, name: str) -> str:
    """A path placeholder's value: 400 for control characters or an overlong value,
    which no id of ours has (the value is not echoed)."""
    value = request.match_info[name]
    if len(value) > MAX_PATH_VALUE or _UNSAFE_PATH_VALUE.search(value):
        raise BadRequestError(f"The path parameter {name} is not a valid id", slug="invalid-path-parameter")
    return value


async def read_body(request: web.Request, model: type[M]) -> M:
    """Parse the JSON body into ``model`` in strict mode: 415 for a non-JSON body, 400
    for malformed JSON, 422 with the failing fields for invalid content (a number in a
    string, a boolean for a number, a date that is not an ISO string)."""
    if request.content_type != "application/json":
        raise UnsupportedMediaTypeError("Send the body as application/json")
    raw = await request.read()
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise BadRequestError("The body is not valid JSON", slug="malformed-json") from exc
        raise ValidationFailedError(errors=validation_errors(exc)) from exc


def read_query(request: web.Request, model: type[M]) -> M:
    """Parse the query string into ``model`` (422 on invalid values). Query values are
    text, so numbers and dates are read from their string form, strictly: ``1.5`` is
    not an integer and ``yes`` is not a boolean."""
    try:
        return model.model_validate_strings(dict(request.query), strict=True)
    except ValidationError as exc:
        raise ValidationFailedError(errors=validation_errors(exc)) from exc


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic errors as problem-detail extension members, without echoing input."""
    return [
        {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "code": e["type"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]
