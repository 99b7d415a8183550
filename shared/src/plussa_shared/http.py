"""HTTP middlewares: request id and canonical log line, problem details, auth."""

import time
import uuid
from collections.abc import Awaitable, Callable

import aiohttp
import structlog
from aiohttp import web

from plussa_shared.auth import Access
from plussa_shared.errors import (
    PROBLEM_CONTENT_TYPE,
    ForbiddenError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    ProblemError,
    UnauthorizedError,
)
from plussa_shared.keys import METRICS, PRINCIPAL, VERIFIER
from plussa_shared.routing import ACCESS_KEY

log = structlog.get_logger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
REQUEST_ID_HEADER = "X-Request-ID"


def problem_response(error: ProblemError, request: web.Request) -> web.Response:
    """Render ``error`` as an RFC 9457 response."""
    response = web.json_response(
        error.to_problem(instance=request.path), status=error.status, content_type=PROBLEM_CONTENT_TYPE
    )
    if isinstance(error, UnauthorizedError):
        response.headers["WWW-Authenticate"] = 'Bearer realm="plussa"'
    retry_after = error.extras.get("retry_after")
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _route_name(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def request_context_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bind a request id, time the request, count it, and write one log line for it."""
    request_id = request.headers.get(REQUEST_ID_HEADER) or uuid.uuid4().hex
    if len(request_id) > 128:
        request_id = uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers[REQUEST_ID_HEADER] = request_id
        return response
    finally:
        elapsed = time.perf_counter() - started
        route = _route_name(request)
        metrics = request.app[METRICS]
        metrics.http_requests.labels(request.method, route, str(status)).inc()
        metrics.http_latency.labels(request.method, route).observe(elapsed)
        principal = request.get(PRINCIPAL)
        if not request.path.startswith(("/health", "/metrics")):
            log.info(
                "request",
                method=request.method,
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
                caller=getattr(principal, "subject", None),
            )
        structlog.contextvars.clear_contextvars()


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every error into problem details: never a stack trace, never HTML."""
    try:
        return await handler(request)
    except ProblemError as error:
        return problem_response(error, request)
    except web.HTTPRequestEntityTooLarge:
        return problem_response(PayloadTooLargeError(), request)
    except web.HTTPNotFound:
        return problem_response(NotFoundError("No such route"), request)
    except web.HTTPMethodNotAllowed:
        return problem_response(MethodNotAllowedError(), request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        generic = ProblemError(exc.reason)
        generic.status = exc.status  # type: ignore[misc]
        return problem_response(generic, request)
    except Exception:
        log.exception("unhandled_error")
        return web.json_response(
            {"type": "about:blank", "title": "Internal server error", "status": 500},
            status=500,
            content_type=PROBLEM_CONTENT_TYPE,
        )


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Verify the bearer token of any route not declared public and check its access."""
    access: Access | None = getattr(handler, ACCESS_KEY, None)
    if access is None or access.public:
        return await handler(request)
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise UnauthorizedError("Send a bearer token", slug="missing-token")
    principal = await request.app[VERIFIER].verify(token.strip())
    request[PRINCIPAL] = principal
    structlog.contextvars.bind_contextvars(caller=principal.subject, caller_kind=principal.kind)
    if not access.allows(principal):
        raise ForbiddenError("Your credentials do not allow this action", slug="insufficient-scope")
    return await handler(request)


def request_id_trace_config() -> aiohttp.TraceConfig:
    """Propagate the bound request id on outgoing HTTP calls."""

    async def on_request_start(
        _session: aiohttp.ClientSession, _ctx: object, params: aiohttp.TraceRequestStartParams
    ) -> None:
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id:
            params.headers[REQUEST_ID_HEADER] = str(request_id)

    config = aiohttp.TraceConfig()
    config.on_request_start.append(on_request_start)
    return config
