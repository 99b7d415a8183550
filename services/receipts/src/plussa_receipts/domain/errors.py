"""The rules receipts enforce, each with a stable problem type."""

from plussa_shared.domain import DomainError, ErrorKind


class ReceiptNotFoundError(DomainError):
    """No such receipt for this person: another person's, deleted or expired all answer alike."""

    kind = ErrorKind.NOT_FOUND
    slug = "receipt-not-found"
    title = "No such warranty receipt"


class InvalidDateRangeError(DomainError):
    """A search's ``from`` is after its ``to``."""

    kind = ErrorKind.INVALID
    slug = "invalid-date-range"
    title = "The date range ends before it starts"


class CardNotKnownYetError(DomainError):
    """The card is not known yet (cards events may arrive after the purchase)."""

    kind = ErrorKind.NOT_KNOWN_YET
    slug = "card-not-known-yet"
    title = "The card is not known yet"


class StaleEnrolmentError(DomainError):
    """The choice changed since the caller read it (If-Match)."""

    kind = ErrorKind.STALE
    slug = "precondition-failed"
    title = "The receipt service setting changed since it was read"
