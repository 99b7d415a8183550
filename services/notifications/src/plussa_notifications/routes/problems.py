"""A broken rule becomes a problem detail by its kind, once, here."""

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar

from plussa_notifications.domain.errors import NotificationsError
from plussa_shared.errors import ProblemError

_STATUS = {
    "not-found": 404,
    "conflict": 409,
    "invalid": 422,
    "forbidden": 403,
    "not-known-yet": 409,
    "unauthenticated": 401,
    "stale": 412,
    "unavailable": 503,
}

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class _RuleProblemError(ProblemError):
    status: ClassVar[int] = 422

    def __init__(self, error: NotificationsError) -> None:
        super().__init__(error.detail, slug=error.slug, **error.extras)
        self.status = _STATUS.get(error.kind, 422)  # type: ignore[misc]
        self.title = error.title  # type: ignore[misc]


def problems(handler: F) -> F:
    """Turn the domain's errors raised by ``handler`` into problem details."""

    @functools.wraps(handler)
    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return await handler(*args, **kwargs)
        except NotificationsError as exc:
            raise _RuleProblemError(exc) from exc

    return wrapped  # type: ignore[return-value]
