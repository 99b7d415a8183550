"""Errors of the points domain, each a problem a client may see with a stable type."""

from plussa_shared.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError


class InvalidPurchaseError(ValidationFailedError):
    """A purchase or return with impossible figures (negative, absurd, inconsistent)."""

    slug = "invalid-purchase"
    title = "The purchase is not valid"


class UnknownLineError(ValidationFailedError):
    """A return names a line the purchase does not have."""

    slug = "unknown-purchase-line"
    title = "The purchase has no such line"


class ReturnExceedsPurchaseError(ValidationFailedError):
    """A return gives back more than was bought and not yet returned."""

    slug = "return-exceeds-purchase"
    title = "The return exceeds the purchase"


class UnknownPurchaseError(ValidationFailedError):
    """A return for a purchase this service has not recorded."""

    slug = "unknown-purchase"
    title = "The purchase is not known"


class UnknownCardError(ValidationFailedError):
    """No card with this number is known (yet)."""

    slug = "unknown-card"
    title = "The card is not known"


class UnknownMemberError(ValidationFailedError):
    """No such member of the household is known (yet)."""

    slug = "unknown-member"
    title = "The household member is not known"


class CardCannotEarnError(ValidationFailedError):
    """The card may not earn points: blocked, closed, replaced or expired."""

    slug = "card-cannot-earn"
    title = "The card cannot earn points"


class CardCannotSpendError(ForbiddenError):
    """The card may not spend Plussa money (temporary, blocked, closed...)."""

    slug = "card-cannot-spend"
    title = "The card cannot spend Plussa money"


class NoMoneyAccessError(ForbiddenError):
    """A parallel holder without the main holder's permission to see and use the money."""

    slug = "no-money-access"
    title = "No access to the household's Plussa money"


class MainHolderOnlyError(ForbiddenError):
    """Only the main holder may do this."""

    slug = "main-holder-only"
    title = "Only the main holder may do this"


class NotAMemberError(NotFoundError):
    """The caller is not (or no longer) a member of a household known here."""

    slug = "household-not-found"
    title = "Household not found"


class DuplicateIdConflictError(ConflictError):
    """An id already used for something different (a purchase id, a till transaction id)."""

    slug = "id-reused"
    title = "The id was already used for different content"


class InvalidSettingError(ValidationFailedError):
    """A savings or charity choice the rules do not allow."""

    slug = "invalid-setting"
    title = "The setting is not allowed"


class MonthNotOverError(ValidationFailedError):
    """Month end asked for a month that has not ended yet."""

    slug = "month-not-over"
    title = "The month has not ended yet"


class LotChangedError(ConflictError):
    """A lot changed under a spend (only another replica's write can cause this); retry."""

    slug = "concurrent-spend"
    title = "The balance changed; try again"


class SpendNotFoundError(NotFoundError):
    """No spend with this till transaction id."""

    slug = "spend-not-found"
    title = "Not found"


class StatementNotFoundError(NotFoundError):
    """No statement for this month (not closed yet, or before the household existed)."""

    slug = "statement-not-found"
    title = "Not found"
