"""The problems the cards domain raises; each one reaches a client as RFC 9457."""

from plussa_shared.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError


class CardNotFoundError(NotFoundError):
    """No such card, or a card of another household (whose existence is not revealed)."""

    slug = "card-not-found"
    title = "Card not found"


class HouseholdNotFoundError(NotFoundError):
    """No such household (or none with members left)."""

    slug = "household-not-found"
    title = "Household not found"


class MemberNotFoundError(NotFoundError):
    """No such member in the caller's household."""

    slug = "member-not-found"
    title = "Member not found"


class PaymentCardNotFoundError(NotFoundError):
    """No such linked payment card."""

    slug = "payment-card-not-found"
    title = "Payment card not found"


class NotAMemberError(ForbiddenError):
    """The caller is not (or no longer) a member of any household."""

    slug = "not-a-member"
    title = "Not a member of a household"


class MainHolderOnlyError(ForbiddenError):
    """Only the household's main holder may do this."""

    slug = "main-holder-only"
    title = "Only the main holder may do this"


class NotYourCardError(ForbiddenError):
    """A parallel holder acting on another member's card."""

    slug = "not-your-card"
    title = "The card belongs to another member"


class AlreadyAMemberError(ConflictError):
    """Membership is personal: one per person."""

    slug = "already-a-member"
    title = "This person is already a member"


class ParallelHolderLimitError(ConflictError):
    """The household has as many parallel holders as it may."""

    slug = "parallel-holder-limit-reached"
    title = "The household has the maximum number of parallel holders"


class NotAParallelHolderError(ConflictError):
    """The person is the main holder, not a parallel holder."""

    slug = "not-a-parallel-holder"
    title = "The person is not a parallel holder"


class IllegalCardTransitionError(ConflictError):
    """The card's state does not allow this action."""

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


class MobileCardLimitError(ConflictError):
    """The person has as many mobile cards as they may."""

    slug = "mobile-card-limit-reached"
    title = "You already have a mobile card"


class ReplacementAlreadyOrderedError(ConflictError):
    """A replacement for this card is on its way."""

    slug = "replacement-already-ordered"
    title = "A replacement is already ordered"


class CardNotLinkableError(ConflictError):
    """Only a valid, unlinked temporary card can be linked to a member."""

    slug = "card-not-linkable"
    title = "The card cannot be linked"


class PaymentCardAlreadyLinkedError(ConflictError):
    """The payment network token is linked already."""

    slug = "payment-card-already-linked"
    title = "The payment card is already linked"


class PaymentCardAlreadyBlockedError(ConflictError):
    """The payment card is blocked already."""

    slug = "payment-card-already-blocked"
    title = "The payment card is already blocked"


class InvalidCardNumberError(ValidationFailedError):
    """Not a Plussa card number: wrong length, not digits, or a failing Luhn check."""

    slug = "invalid-card-number"
    title = "Invalid card number"


class FullCardNumberRefusedError(ValidationFailedError):
    """Something that looks like a full payment card number was sent; it is never stored."""

    slug = "full-card-number-refused"
    title = "Full payment card numbers are not accepted"


class ConcurrentUpdateError(ConflictError):
    """Someone else changed the same thing at the same moment; try again."""

    slug = "concurrent-update"
    title = "Changed by another request at the same time"
