"""Errors of the points domain: each carries a kind (the edges map it to an HTTP status
or to the consumer's retry or dead-letter) and a stable slug (the problem type)."""

from plussa_shared.domain import DomainError, ErrorKind


def field_problem(code: str, detail: str, pointer: str) -> dict[str, str]:
    """One item of a problem's ``errors``: the JSON pointer of the refused field, a stable
    snake_case code and a human detail. The shape of ``plussa_shared.errors.field_error``,
    which the domain does not import (its errors carry kinds, not HTTP problems)."""
    return {"pointer": pointer, "code": code, "detail": detail}


def refused(error: type[DomainError], code: str, detail: str, pointer: str) -> DomainError:
    """``error`` for one refused field of the request or event."""
    return error(detail, errors=[field_problem(code, detail, pointer)])


class InvalidPurchaseError(DomainError):
    """A purchase or return with impossible figures (negative, absurd, inconsistent)."""

    kind = ErrorKind.INVALID
    slug = "invalid-purchase"
    title = "The purchase is not valid"


class UnknownLineError(DomainError):
    """A return names a line the purchase does not have."""

    kind = ErrorKind.INVALID
    slug = "unknown-purchase-line"
    title = "The purchase has no such line"


class ReturnExceedsPurchaseError(DomainError):
    """A return gives back more than was bought and not yet returned."""

    kind = ErrorKind.INVALID
    slug = "return-exceeds-purchase"
    title = "The return exceeds the purchase"


class UnknownPurchaseError(DomainError):
    """A return for a purchase this service has not recorded."""

    kind = ErrorKind.NOT_KNOWN_YET
    slug = "unknown-purchase"
    title = "The purchase is not known"


class UnknownCardError(DomainError):
    """No card with this number is known (yet)."""

    kind = ErrorKind.NOT_KNOWN_YET
    slug = "unknown-card"
    title = "The card is not known"


class UnknownMemberError(DomainError):
    """No such member of the household is known (yet)."""

    kind = ErrorKind.NOT_KNOWN_YET
    slug = "unknown-member"
    title = "The household member is not known"


class CardCannotEarnError(DomainError):
    """The card may not earn points: blocked, closed, replaced or expired."""

    kind = ErrorKind.INVALID
    slug = "card-cannot-earn"
    title = "The card cannot earn points"


class CardCannotSpendError(DomainError):
    """The card may not spend Plussa money (temporary, blocked, closed...)."""

    kind = ErrorKind.FORBIDDEN
    slug = "card-cannot-spend"
    title = "The card cannot spend Plussa money"


class NoMoneyAccessError(DomainError):
    """A parallel holder without the main holder's permission to see and use the money."""

    kind = ErrorKind.FORBIDDEN
    slug = "no-money-access"
    title = "No access to the household's Plussa money"


class MainHolderOnlyError(DomainError):
    """Only the main holder may do this."""

    kind = ErrorKind.FORBIDDEN
    slug = "main-holder-only"
    title = "Only the main holder may do this"


class NotAMemberError(DomainError):
    """The caller is not (or no longer) a member of a household known here."""

    kind = ErrorKind.NOT_FOUND
    slug = "household-not-found"
    title = "Household not found"


class DuplicateIdConflictError(DomainError):
    """An id already used for something different (a purchase id, a till transaction id)."""

    kind = ErrorKind.CONFLICT
    slug = "id-reused"
    title = "The id was already used for different content"


class InvalidSettingError(DomainError):
    """A savings or charity choice the rules do not allow."""

    kind = ErrorKind.INVALID
    slug = "invalid-setting"
    title = "The setting is not allowed"


class MonthNotOverError(DomainError):
    """Month end asked for a month that has not ended yet."""

    kind = ErrorKind.INVALID
    slug = "month-not-over"
    title = "The month has not ended yet"


class LotChangedError(DomainError):
    """A lot changed under a spend (only another replica's write can cause this); retry."""

    kind = ErrorKind.CONFLICT
    slug = "concurrent-spend"
    title = "The balance changed; try again"


class SpendNotFoundError(DomainError):
    """No spend with this till transaction id."""

    kind = ErrorKind.NOT_FOUND
    slug = "spend-not-found"
    title = "Not found"


class StatementNotFoundError(DomainError):
    """No statement for this month (not closed yet, or before the household existed)."""

    kind = ErrorKind.NOT_FOUND
    slug = "statement-not-found"
    title = "Not found"


class StaleChoiceError(DomainError):
    """The ``If-Match`` version is no longer the choice's: nothing was changed."""

    kind = ErrorKind.STALE
    slug = "precondition-failed"
    title = "The resource has changed since you read it"


def require_version(current: int, expected: int | None) -> None:
    """A conditional change goes ahead only on the version the caller read."""
    if expected is not None and expected != current:
        raise StaleChoiceError("The choice has changed since you read it; read it again")


class RecordNotFoundError(DomainError):
    """No purchase or return recorded under this id."""

    kind = ErrorKind.NOT_FOUND
    slug = "not-recorded"
    title = "Not found"


class RejectedPurchaseNotFoundError(DomainError):
    """No purchase was rejected under this id."""

    kind = ErrorKind.NOT_FOUND
    slug = "rejected-purchase-not-found"
    title = "Not found"
