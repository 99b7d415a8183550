"""The rules the cards domain sees broken. Each carries a kind; the edges map it (HTTP status, retry or dead-letter)."""

from plussa_shared.domain import DomainError, ErrorKind


class CardNotFoundError(DomainError):
    """No such card, or a card of another household (whose existence is not revealed)."""

    kind = ErrorKind.NOT_FOUND
    slug = "card-not-found"
    title = "Card not found"


class HouseholdNotFoundError(DomainError):
    """No such household (or none with members left)."""

    kind = ErrorKind.NOT_FOUND
    slug = "household-not-found"
    title = "Household not found"


class MemberNotFoundError(DomainError):
    """No such member in the caller's household."""

    kind = ErrorKind.NOT_FOUND
    slug = "member-not-found"
    title = "Member not found"


class PaymentCardNotFoundError(DomainError):
    """No such linked payment card."""

    kind = ErrorKind.NOT_FOUND
    slug = "payment-card-not-found"
    title = "Payment card not found"


class NotAMemberError(DomainError):
    """The caller is not (or no longer) a member of any household."""

    kind = ErrorKind.FORBIDDEN
    slug = "not-a-member"
    title = "Not a member of a household"


class MainHolderOnlyError(DomainError):
    """Only the household's main holder may do this."""

    kind = ErrorKind.FORBIDDEN
    slug = "main-holder-only"
    title = "Only the main holder may do this"


class NotYourCardError(DomainError):
    """A parallel holder acting on another member's card."""

    kind = ErrorKind.FORBIDDEN
    slug = "not-your-card"
    title = "The card belongs to another member"


class AlreadyAMemberError(DomainError):
    """Membership is personal: one per person."""

    kind = ErrorKind.CONFLICT
    slug = "already-a-member"
    title = "This person is already a member"


class ParallelHolderLimitError(DomainError):
    """The household has as many parallel holders as it may."""

    kind = ErrorKind.CONFLICT
    slug = "parallel-holder-limit-reached"
    title = "The household has the maximum number of parallel holders"


class NotAParallelHolderError(DomainError):
    """The person is the main holder, not a parallel holder."""

    kind = ErrorKind.CONFLICT
    slug = "not-a-parallel-holder"
    title = "The person is not a parallel holder"


class IllegalCardTransitionError(DomainError):
    """The card's state does not allow this action."""

    kind = ErrorKind.CONFLICT
    slug = "illegal-card-transition"
    title = "The card's state does not allow this"


class CardAlreadyBlockedError(IllegalCardTransitionError):
    """The card is blocked already; a blocked card stays blocked."""

    slug = "card-already-blocked"
    title = "The card is already blocked"


class CardAlreadyActiveError(IllegalCardTransitionError):
    """The card is active already."""

    slug = "card-already-active"
    title = "The card is already active"


class MobileCardLimitError(DomainError):
    """The person has as many mobile cards as they may."""

    kind = ErrorKind.CONFLICT
    slug = "mobile-card-limit-reached"
    title = "You already have a mobile card"


class ReplacementAlreadyOrderedError(DomainError):
    """A replacement for this card is on its way."""

    kind = ErrorKind.CONFLICT
    slug = "replacement-already-ordered"
    title = "A replacement is already ordered"


class CardNotLinkableError(DomainError):
    """Only a valid, unlinked temporary card can be linked to a member."""

    kind = ErrorKind.CONFLICT
    slug = "card-not-linkable"
    title = "The card cannot be linked"


class PaymentCardAlreadyLinkedError(DomainError):
    """The payment network token is linked already."""

    kind = ErrorKind.CONFLICT
    slug = "payment-card-already-linked"
    title = "The payment card is already linked"


class PaymentCardAlreadyBlockedError(DomainError):
    """The payment card is blocked already."""

    kind = ErrorKind.CONFLICT
    slug = "payment-card-already-blocked"
    title = "The payment card is already blocked"


class InvalidCardNumberError(DomainError):
    """Not a Plussa card number: wrong length, not digits, or a failing Luhn check."""

    kind = ErrorKind.INVALID
    slug = "invalid-card-number"
    title = "Invalid card number"


class FullCardNumberRefusedError(DomainError):
    """Something that looks like a full payment card number was sent; it is never stored."""

    kind = ErrorKind.INVALID
    slug = "full-card-number-refused"
    title = "Full payment card numbers are not accepted"


class ConcurrentUpdateError(DomainError):
    """Someone else changed the same thing at the same moment; try again."""

    kind = ErrorKind.CONFLICT
    slug = "concurrent-update"
    title = "Changed by another request at the same time"


class InvalidLast4Error(DomainError):
    """The last four digits of a payment card are not four digits."""

    kind = ErrorKind.INVALID
    slug = "invalid-last4"
    title = "Invalid last four digits"


class NotAnAdultError(DomainError):
    """Only an adult may hold a household's account."""

    kind = ErrorKind.INVALID
    slug = "not-an-adult"
    title = "The person is not an adult"


class StaleVersionError(DomainError):
    """The ``If-Match`` version is no longer the resource's: nothing was changed."""

    kind = ErrorKind.STALE
    slug = "precondition-failed"
    title = "The resource has changed since you read it; read it again"


class AlreadyAMemberThrottledError(DomainError):
    """Too many applications from one address were for people who are members already."""

    kind = ErrorKind.THROTTLED
    slug = "too-many-applications"
    title = "Too many applications from this address; try again later"
