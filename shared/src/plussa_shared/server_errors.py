"""The HTTP server's own errors as problem details.

aiohttp answers a request it cannot even parse (a request line or header over its
limits, a malformed line) from ``web_protocol.RequestHandler.handle_error``, before any
middleware runs: a ``text/plain`` 400 that repeats the parser's message (and with it
part of the input), logged at error level with a traceback. aiohttp offers no hook for
it (the server makes its ``RequestHandler`` itself), so ``install`` replaces the method:
client errors become an ``application/problem+json`` answer that echoes nothing, logged
as a warning without a traceback; server errors keep aiohttp's own handling.
"""

import json
from typing import Any

import structlog
from aiohttp import web, web_protocol
from aiohttp.web_request import BaseRequest

from plussa_shared.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE

log = structlog.get_logger(__name__)

_ORIGINAL = web_protocol.RequestHandler.handle_error


def _problem_for_unreadable_request(
    self: web_protocol.RequestHandler,
    request: BaseRequest,
    status: int = 500,
    exc: BaseException | None = None,
    message: str | None = None,
) -> web.StreamResponse:
    if status >= 500 or status < 400:
        return _ORIGINAL(self, request, status, exc, message)
    log.warning("http_request_unreadable", status=status, error=type(exc).__name__ if exc else None)
    if request.writer.output_size > 0:  # the connection is broken; as aiohttp does
        raise ConnectionError("Response is sent already, cannot send another response with the error message")
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + "malformed-request",
        "title": "The request cannot be read",
        "status": status,
        "detail": "The request line or headers are malformed or longer than this service accepts.",
    }
    response = web.Response(status=status, text=json.dumps(body), content_type=PROBLEM_CONTENT_TYPE)
    response.force_close()
    return response


def install() -> None:
    """Answer unreadable requests with problem details in this process (idempotent)."""
    web_protocol.RequestHandler.handle_error = _problem_for_unreadable_request  # type: ignore[method-assign]
