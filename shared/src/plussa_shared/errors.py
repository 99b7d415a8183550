"""Errors that reach a client as RFC 9457 problem details."""

from collections.abc import Sequence
from typing import Any, ClassVar

PROBLEM_BASE = "https://api.plussa.fi/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


class ProblemError(Exception):
    """An error a client may see. Subclasses set ``status``, ``slug`` and ``title``.

    ``slug`` becomes the stable problem ``type`` URI; ``detail`` is the human text for
    this occurrence; ``extras`` become extension members of the problem document.
    """

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str | None = None, *, slug: str | None = None, **extras: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.problem_slug = slug or self.slug
        self.extras = extras

    @property
    def type_uri(self) -> str:
        """The stable ``type`` of the problem document."""
        return PROBLEM_BASE + self.problem_slug

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        """Render the RFC 9457 document."""
        body: dict[str, Any] = {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extras)
        return body


class BadRequestError(ProblemError):
    """The request could not be read (malformed JSON, wrong content type)."""

    status = 400
    slug = "bad-request"
    title = "Bad request"


class ValidationFailedError(ProblemError):
    """The request was readable but its fields are invalid.

    The one validation shape: ``errors`` lists each invalid field as ``field_error``
    builds it (a JSON pointer into the body, or a parameter or header name; a code;
    a detail)."""

    status = 422
    slug = "validation-failed"
    title = "The request has invalid fields"


class UnauthorizedError(ProblemError):
    """No valid credentials: only "who are you?". A wrong current password or any other
    refused action of a signed-in caller is 403 or 422, never 401 (a BFF logs the user
    out on 401)."""

    status = 401
    slug = "unauthorized"
    title = "Authentication required"


class ForbiddenError(ProblemError):
    """Authenticated, but not allowed to do this."""

    status = 403
    slug = "forbidden"
    title = "Not allowed"


class NotFoundError(ProblemError):
    """The resource does not exist, or the caller may not know that it exists."""

    status = 404
    slug = "not-found"
    title = "Not found"


class MethodNotAllowedError(ProblemError):
    """The route exists but not with this method."""

    status = 405
    slug = "method-not-allowed"
    title = "Method not allowed"


class ConflictError(ProblemError):
    """The request conflicts with the current state of the resource."""

    status = 409
    slug = "conflict"
    title = "Conflict"


class PayloadTooLargeError(ProblemError):
    """The body exceeds the service's limit."""

    status = 413
    slug = "payload-too-large"
    title = "Request body too large"


class UnsupportedMediaTypeError(ProblemError):
    """The body is not JSON."""

    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class TooManyRequestsError(ProblemError):
    """The caller is throttled; ``retry_after`` seconds tells when to try again."""

    status = 429
    slug = "too-many-requests"
    title = "Too many requests"


class ServiceUnavailableError(ProblemError):
    """A dependency is down; the request may be retried later."""

    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"


class PreconditionFailedError(ProblemError):
    """An ``If-Match`` named a version that is no longer current; nothing was changed."""

    status = 412
    slug = "precondition-failed"
    title = "The resource has changed"


class IdempotencyKeyReusedError(ProblemError):
    """The ``Idempotency-Key`` was first used with another request."""

    status = 422
    slug = "idempotency-key-reused"
    title = "The idempotency key was used for another request"


class IdempotentRequestInFlightError(ProblemError):
    """The first request with this ``Idempotency-Key`` is still being handled."""

    status = 409
    slug = "idempotent-request-in-flight"
    title = "The first request with this idempotency key is still in progress"


def json_pointer(path: Sequence[str | int]) -> str:
    """The RFC 6901 JSON pointer of ``path`` (``("lines", 0, "amount")`` -> ``/lines/0/amount``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def field_error(
    code: str,
    detail: str,
    *,
    pointer: str | None = None,
    parameter: str | None = None,
    header: str | None = None,
) -> dict[str, str]:
    """One item of a validation problem's ``errors``: where (exactly one of ``pointer``
    into the JSON body, query or path ``parameter``, or ``header``), a stable
    snake_case ``code`` and a human ``detail``."""
    where = {k: v for k, v in (("pointer", pointer), ("parameter", parameter), ("header", header)) if v is not None}
    if len(where) != 1:
        raise ValueError("name exactly one of pointer, parameter or header")
    return {**where, "code": code, "detail": detail}
