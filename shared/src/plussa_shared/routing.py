"""Declaring routes once: path, method, models and access, from which both the
aiohttp handler wrapping and the OpenAPI 3.1 document are made."""

import inspect
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError

from plussa_shared.auth import Access
from plussa_shared.caching import Cache
from plussa_shared.conditional import etag, expected_version, not_modified
from plussa_shared.errors import (
    BadRequestError,
    UnsupportedMediaTypeError,
    ValidationFailedError,
    field_error,
    json_pointer,
)
from plussa_shared.idempotency import fingerprint, idempotency_key, run_once, store_of
from plussa_shared.keys import DB, SETTINGS, principal
from plussa_shared.languages import Localized, content_language
from plussa_shared.paging import PageLimits, PageQuery

Handler = Callable[..., Awaitable[Any]]
_UNSAFE_PATH_VALUE = re.compile(r"[\x00-\x1f\x7f]")
MAX_PATH_VALUE = 200
ACCESS_KEY = "plussa_access"
M = TypeVar("M", bound=BaseModel)
H = TypeVar("H", bound=Callable[..., Any])


@dataclass(frozen=True)
class PreparedJson:
    """An answer already serialised, for a hot read that joins bytes prepared once instead
    of building and dumping a model per request. The route still declares its ``response``
    model (for the document); the bytes must be what that model would dump. It carries no
    fields, so a route answering with it declares neither ``etag`` nor ``location``."""

    body: bytes


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
    conventions: "Conventions" = field(default_factory=lambda: Conventions())

    @property
    def path_params(self) -> list[str]:
        """Names of the ``{placeholders}`` in the path."""
        return re.findall(r"{(\w+)(?::[^}]*)?}", self.path)

    @property
    def openapi_path(self) -> str:
        """The path with aiohttp's regex parts removed."""
        return re.sub(r"{(\w+):[^}]*}", r"{\1}", self.path)


OPERATION_ID = re.compile(r"[a-z][a-zA-Z0-9]*")


@dataclass(frozen=True)
class Conventions:
    """What a route declares beyond its models: see ``docs/api-guide.md``.

    - ``operation_id``: the stable camelCase OpenAPI operationId (``listMyCards``).
    - ``description``: what it does and what the fields mean; who may call is added.
    - ``request_example`` / ``response_example``: a body as the caller would send and
      receive it (a model instance or a dict), shown in and checked against the document.
    - ``idempotent``: a POST that takes an ``Idempotency-Key``.
    - ``location``: for a 201, the created resource's path, formatted from the answer's
      fields (``"/v1/cards/{card_id}"``).
    - ``etag``: the answer's field holding its version; sent as ``ETag``, and a GET with a
      matching ``If-None-Match`` is a 304.
    - ``conditional``: a write honouring ``If-Match``; the handler gets ``expected_version``.
    - ``cache``: ``Cache.public(max_age_s)`` for public reference data; else ``no-store``.
    - ``localized``: the answer's texts follow ``Accept-Language`` (``"negotiated"``) or
      carry all three languages (``"all"``); sets ``Content-Language``.
    - ``path_patterns``: a pattern per path parameter (``{"month": MONTH_PATTERN}``): a
      value that does not match is a 422 on that parameter, and the document shows it.
    """

    operation_id: str | None = None
    description: str = ""
    request_example: Any = None
    response_example: Any = None
    idempotent: bool = False
    location: str | None = None
    etag: str | None = None
    conditional: bool = False
    cache: Cache | None = None
    localized: Localized | None = None
    path_patterns: tuple[tuple[str, str], ...] = ()

    def check(self, method: str, path: str, access: Access, status: int, handler: Handler) -> None:
        """Refuse a declaration that cannot work, when the module is imported."""
        where = f"{method} {path}"
        if self.operation_id is not None and not OPERATION_ID.fullmatch(self.operation_id):
            raise ValueError(f"{where}: operation_id {self.operation_id!r} is not camelCase")
        if self.idempotent and (method != "POST" or access.public):
            raise ValueError(f"{where}: only an authenticated POST is idempotent (keys are kept per caller)")
        if self.location is not None and status != 201:
            raise ValueError(f"{where}: Location belongs to a 201 answer")
        if self.conditional and "expected_version" not in inspect.signature(handler).parameters:
            raise ValueError(f"{where}: a conditional route's handler takes expected_version")
        if self.cache is not None and not access.public:
            raise ValueError(f"{where}: only public reference data may be cached")


@dataclass
class RouteTable:
    """A resource's routes. Decorate handlers with ``get``/``post``/...; the handler
    receives the request and, when declared, ``body`` and ``query`` as validated
    models. Returning a pydantic model (or list of them) serializes it as JSON with
    the declared status; a ``PreparedJson`` is sent as its bytes with the declared
    headers; returning a ``web.StreamResponse`` sends it as it is."""

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
        operation_id: str | None = None,
        description: str = "",
        request_example: Any = None,
        response_example: Any = None,
        idempotent: bool = False,
        location: str | None = None,
        etag: str | None = None,
        conditional: bool = False,
        cache: Cache | None = None,
        localized: Localized | None = None,
        path_patterns: dict[str, str] | None = None,
    ) -> Callable[[Handler], Handler]:
        """Declare a route (the conventions' arguments are described on ``Conventions``)."""
        conventions = Conventions(
            operation_id,
            description,
            request_example,
            response_example,
            idempotent,
            location,
            etag,
            conditional,
            cache,
            localized,
            tuple((path_patterns or {}).items()),
        )

        def register(handler: Handler) -> Handler:
            conventions.check(method, path, access, status, handler)
            self.endpoints.append(
                Endpoint(
                    method,
                    path,
                    handler,
                    summary,
                    access,
                    body,
                    query,
                    response,
                    status,
                    self.tag,
                    tuple(errors),
                    conventions,
                )
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
    declared = endpoint.conventions

    async def handler(request: web.Request) -> web.StreamResponse:
        kwargs: dict[str, Any] = {}
        if endpoint.body is not None:
            kwargs["body"] = await read_body(request, endpoint.body)
        if endpoint.query is not None:
            kwargs["query"] = _paged(request, read_query(request, endpoint.query))
        elif request.query:
            refuse_unknown_parameters(request.query.keys(), set())
        patterns = dict(declared.path_patterns)
        for name in endpoint.path_params:
            if name in params:
                kwargs[name] = read_path_value(request, name, patterns.get(name))
        if declared.conditional:
            kwargs["expected_version"] = expected_version(request)

        async def produce() -> web.StreamResponse:
            result = await endpoint.handler(request, **kwargs)
            return answer(request, endpoint, adapter, result)

        key = idempotency_key(request) if declared.idempotent else None
        if key is None:
            return await produce()
        settings = request.app[SETTINGS]
        store = store_of(request.app[DB], ttl_s=settings.idempotency_ttl_s, lease_s=settings.idempotency_lease_s)
        caller = principal(request)
        print_ = fingerprint(request.method, request.path_qs, _canonical(kwargs.get("body")))
        return await run_once(store, f"{caller.kind}:{caller.subject}", key, print_, produce)

    setattr(handler, ACCESS_KEY, endpoint.access)
    handler.__name__ = endpoint.handler.__name__
    return handler


def answer(
    request: web.Request, endpoint: Endpoint, adapter: TypeAdapter[Any] | None, result: Any
) -> web.StreamResponse:
    """The response for a handler's ``result``, with the headers its route declared."""
    if isinstance(result, web.StreamResponse):
        return result
    declared = endpoint.conventions
    headers: dict[str, str] = {}
    if declared.cache is not None:
        headers["Cache-Control"] = declared.cache.header
    if declared.localized is not None:
        headers["Content-Language"] = content_language(request, declared.localized)
        if declared.localized == "negotiated":
            headers["Vary"] = "Accept-Language"
    if result is None:
        return web.Response(status=endpoint.status if endpoint.status != 200 else 204, headers=headers)
    if isinstance(result, PreparedJson):
        return web.Response(body=result.body, status=endpoint.status, content_type="application/json", headers=headers)
    if declared.etag is not None:
        headers["ETag"] = etag(getattr(result, declared.etag))
        if request.method in ("GET", "HEAD") and not_modified(request, headers["ETag"]):
            headers.pop("Content-Language", None)
            return web.Response(status=304, headers=headers)
    if declared.location is not None:
        headers["Location"] = declared.location.format(**TypeAdapter(Any).dump_python(result, mode="json"))
    payload = adapter.dump_json(result) if adapter is not None else TypeAdapter(Any).dump_json(result)
    return web.Response(body=payload, status=endpoint.status, content_type="application/json", headers=headers)


def _paged(request: web.Request, query: M) -> M:
    if not isinstance(query, PageQuery):
        return query
    settings = request.app[SETTINGS]
    # The query was parsed for this request alone, so it is resolved in place: a
    # ``model_copy`` cost several times the rest of the paging on the hottest reads.
    query.limit = PageLimits(settings.page_limit_default, settings.page_limit_max).resolve(query.limit)
    return query


def _canonical(body: BaseModel | None) -> bytes:
    """The body as the same bytes however its JSON was spaced or ordered."""
    if body is None:
        return b""
    return json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":")).encode()


def read_path_value(request: web.Request, name: str, pattern: str | None = None) -> str:
    """A path placeholder's value: 400 for control characters or an overlong value,
    which no id of ours has; 422 on the parameter when it does not match its declared
    ``pattern`` (the value is not echoed)."""
    value = request.match_info[name]
    if len(value) > MAX_PATH_VALUE or _UNSAFE_PATH_VALUE.search(value):
        raise BadRequestError(f"The path parameter {name} is not a valid id", slug="invalid-path-parameter")
    if pattern is not None and not re.search(pattern, value):
        raise ValidationFailedError(
            errors=[field_error("string_pattern_mismatch", f"Should match {pattern}", parameter=name)]
        )
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
    """Parse the query string into ``model``: 422 on invalid values and on any parameter
    the model does not name (a misspelt ``limt`` must not silently give the default).
    Query values are text, so numbers and dates are read from their string form,
    strictly: ``1.5`` is not an integer and ``yes`` is not a boolean."""
    names = {f.alias or n for n, f in model.model_fields.items()}
    refuse_unknown_parameters(request.query.keys(), names)
    try:
        return model.model_validate_strings(dict(request.query), strict=True)
    except ValidationError as exc:
        raise ValidationFailedError(errors=validation_errors(exc, where="parameter")) from exc


def refuse_unknown_parameters(sent: Any, known: set[str]) -> None:
    """422 naming every query parameter in ``sent`` that is not in ``known``."""
    unknown = sorted({name for name in sent if name not in known})
    if unknown:
        raise ValidationFailedError(
            errors=[
                field_error("unknown_parameter", "This route takes no such parameter", parameter=n) for n in unknown
            ]
        )


def validation_errors(
    exc: ValidationError, *, where: Literal["pointer", "parameter"] = "pointer"
) -> list[dict[str, str]]:
    """Pydantic errors in the one validation shape (``field_error``), without echoing
    input: a JSON pointer into the body, or the query parameter's name."""
    items = []
    for e in exc.errors(include_url=False, include_input=False):
        if where == "pointer":
            items.append(field_error(e["type"], e["msg"], pointer=json_pointer(e["loc"])))
        else:
            items.append(field_error(e["type"], e["msg"], parameter=".".join(str(p) for p in e["loc"])))
    return items
