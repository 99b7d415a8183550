"""The HTTP middleware every service runs: trace, request id and canonical log line,
no-store by default, problem details, auth."""

import re
import secrets
import time
from collections.abc import Awaitable, Callable

import aiohttp
import structlog
from aiohttp import web
from opentelemetry.trace import StatusCode

from plussa_shared.auth import Access
from plussa_shared.caching import NO_STORE
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
async def service_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Everything every request goes through, in one middleware (one frame per request
    instead of five), outermost first:

    1. trace: a server span that continues the caller's ``traceparent`` (or starts a
       trace), around everything else, so the log line carries its ids;
    2. request context: a request id bound for the log, the request timed, counted and
       logged in one line (health and metrics probes are neither traced nor logged);
    3. ``Cache-Control: no-store`` on every answer whose route declared nothing else;
    4. problem details for every error: never a stack trace, never HTML;
    5. auth: the bearer token of any route not declared public, and its access.
    """
    if request.path.startswith(_PROBES):
        return await _in_context(request, handler, logged=False)
    route = _route_name(request)
    with server_span(request.app[TRACING].tracer, request.headers, request.method, route) as span:
        response = await _in_context(request, handler, logged=True, route=route)
        span.set_attribute("http.response.status_code", response.status)
        if response.status >= 500:
            span.set_status(StatusCode.ERROR)
        return response


async def _in_context(
    request: web.Request, handler: Handler, *, logged: bool, route: str | None = None
) -> web.StreamResponse:
    """Steps 2 to 5 of ``service_middleware``."""
    request_id = request.headers.get(REQUEST_ID_HEADER, "")
    if not _REQUEST_ID.fullmatch(request_id):  # absent, or not safe to echo and log
        request_id = secrets.token_hex(16)
    # The context of the connection's previous request was cleared when it ended (below).
    structlog.contextvars.bind_contextvars(request_id=request_id, **log_ids())
    started = time.perf_counter()
    status = 500
    try:
        try:
            response = await _authorized(request, handler)
        except Exception as error:
            response = _problem_of(error, request)
        status = response.status
        headers = response.headers
        headers[REQUEST_ID_HEADER] = request_id
        if "Cache-Control" not in headers and not response.prepared:
            headers["Cache-Control"] = NO_STORE
            headers["Pragma"] = "no-cache"
        return response
    finally:
        elapsed = time.perf_counter() - started
        route = route or _route_name(request)
        request.app[METRICS].request_served(request.method, route, status, elapsed)
        if logged:
            principal = request.get(PRINCIPAL)
            log.info(
                "request",
                method=request.method,
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
                caller=getattr(principal, "subject", None),
            )
        structlog.contextvars.clear_contextvars()


def _problem_of(error: Exception, request: web.Request) -> web.Response:
    """The problem answer of an error a handler raised; an HTTP exception below 400 (a
    redirect) is an answer, not an error, and is raised on."""
    if isinstance(error, ProblemError):
        return problem_response(error, request)
    if isinstance(error, DomainError):
        return problem_response(problem_for_domain_error(error), request)
    if isinstance(error, web.HTTPException):
        if error.status < 400:
            raise error
        response = problem_response(problem_for_http_exception(error), request)
        if "Allow" in error.headers:
            response.headers["Allow"] = error.headers["Allow"]
        return response
    log.error("unhandled_error", method=request.method, path=request.path, exc_info=error)
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


async def _authorized(request: web.Request, handler: Handler) -> web.StreamResponse:
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
