"""The points service's HTTP routes: parse, call one use case, shape the answer."""

from collections.abc import Iterator
from contextlib import contextmanager

from plussa_shared.domain import DomainError, ErrorKind
from plussa_shared.http import problem_for_domain_error


@contextmanager
def not_known_yet_is_invalid() -> Iterator[None]:
    """Answer 422 (its own slug and title) for what the bus would retry, a card or a
    purchase not known yet: a store system or till calling over HTTP has no delay
    queue to wait in, and these routes have always answered 422."""
    try:
        yield
    except DomainError as exc:
        if exc.kind is not ErrorKind.NOT_KNOWN_YET:
            raise
        problem = problem_for_domain_error(exc)
        problem.status = 422  # type: ignore[misc]
        raise problem from exc
