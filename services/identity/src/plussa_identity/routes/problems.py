"""Where identity's HTTP contract answers a domain error with another status than its kind's."""

from collections.abc import Iterator
from contextlib import contextmanager

from plussa_identity.domain.errors import ExpiredLinkTokenError, InvalidLinkTokenError, InvalidScopeError
from plussa_shared.domain import DomainError
from plussa_shared.http import problem_for_domain_error

LINK_ERRORS = (InvalidLinkTokenError, ExpiredLinkTokenError)
SCOPE_ERRORS = (InvalidScopeError,)


@contextmanager
def bad_request(errors: tuple[type[DomainError], ...]) -> Iterator[None]:
    """Answer ``errors`` with 400 and their own type, title and members.

    RFC 6749 (section 5.2) answers ``invalid_scope`` with 400, and the e-mail link
    routes have answered an unknown, used or expired token with 400 since they were
    published; their kind (``invalid``) would say 422 everywhere else.
    """
    try:
        yield
    except errors as error:
        problem = problem_for_domain_error(error)
        problem.status = 400  # type: ignore[misc]
        raise problem from error
