"""HTTP middlewares: trace, request id and canonical log line, problem details, auth."""

import re
import time
import uuid
from collections.abc import Awaitable, Callable

import aiohttp
import structlog
from aiohttp import web
from opentelemetry.trace import StatusCode

from plussa_shared.auth import Access
from plussa_shared.domain import DomainError, ErrorKind
from plussa_shared.errors import (
    PROBLEM_BASE,
    PROBLEM_CONTENT_TYPE,
    ForbiddenError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    ProblemError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from plussa_shared.keys import METRICS, PRINCIPAL, TRACING, VERIFIER
from plussa_shared.routing import ACCESS_KEY
from plussa_shared.tracing import log_ids, server_span

log = structlog.get_logger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STATUS_OF_KIND: dict[ErrorKind, int] = {
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.INVALID: 422,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_KNOWN_YET: 409,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.THROTTLED: 429,
    ErrorKind.STALE: 412,
    ErrorKind.UNAVAILABLE: 503,
}
"""The HTTP status of each kind of domain error: the one mapping of the HTTP edge."""
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_PROBES = ("/health", "/metrics")
"""Paths polled by the platform: neither traced nor logged per request."""


def problem_response(error: ProblemError, request: web.Request) -> web.Response:
    """Render ``error`` as an RFC 9457 response."""
    response = web.json_response(
        error.to_problem(instance=request.path), status=error.status, content_type=PROBLEM_CONTENT_TYPE
    )
    response.headers["Content-Language"] = "en"  # titles and details are English, whatever was asked
    if error.status == 401:
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
    request_id = request.headers.get(REQUEST_ID_HEADER, "")
    if not _REQUEST_ID.fullmatch(request_id):  # absent, or not safe to echo and log
        request_id = uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id, **log_ids())
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
        if not request.path.startswith(_PROBES):
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
async def trace_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Run the request in a server span that continues the caller's ``traceparent`` (or
    starts a trace); outermost, so the request id middleware logs its ids."""
    if request.path.startswith(_PROBES):
        return await handler(request)
    tracer = request.app[TRACING].tracer
    with server_span(tracer, request.headers, request.method, _route_name(request)) as span:
        response = await handler(request)
        span.set_attribute("http.response.status_code", response.status)
        if response.status >= 500:
            span.set_status(StatusCode.ERROR)
        return response


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every error into problem details: never a stack trace, never HTML."""
    try:
        return await handler(request)
    except ProblemError as error:
        return problem_response(error, request)
    except DomainError as error:
        return problem_response(problem_for_domain_error(error), request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise  # redirects and the like are answers, not errors
        response = problem_response(problem_for_http_exception(exc), request)
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:
        log.exception("unhandled_error", method=request.method, path=request.path)
        return web.json_response(
            {
                "type": PROBLEM_BASE + "internal-error",
                "title": "Internal server error",
                "status": 500,
                "detail": "The request could not be completed. Quote the X-Request-ID header when reporting this.",
                "instance": request.path,
            },
            status=500,
            content_type=PROBLEM_CONTENT_TYPE,
            headers={"Content-Language": "en"},
        )


def problem_for_domain_error(error: DomainError) -> ProblemError:
    """The problem document of a broken domain rule: status by its kind, type by its slug."""
    return _DomainProblemError(error)


class _DomainProblemError(ProblemError):
    """A ``DomainError`` as the HTTP edge shows it."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(error.detail, slug=error.problem_slug, **error.extras)
        self.status = STATUS_OF_KIND[error.kind]  # type: ignore[misc]
        self.title = error.title  # type: ignore[misc]


def problem_for_http_exception(exc: web.HTTPException) -> ProblemError:
    """The problem for an error aiohttp raised itself (no route, wrong method, body too large, ...)."""
    if isinstance(exc, web.HTTPRequestEntityTooLarge):
        return PayloadTooLargeError("The body exceeds this service's size limit")
    if isinstance(exc, web.HTTPNotFound):
        return NotFoundError("No such route")
    if isinstance(exc, web.HTTPMethodNotAllowed):
        return MethodNotAllowedError(f"{exc.method} is not allowed here")
    if isinstance(exc, web.HTTPUnsupportedMediaType):
        return UnsupportedMediaTypeError()
    return _GenericProblemError(exc.status, exc.reason)


class _GenericProblemError(ProblemError):
    """Any other client or server error status, named after its reason phrase."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason, slug=re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-") or str(status))
        self.status = status  # type: ignore[misc]
        self.title = reason  # type: ignore[misc]


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
