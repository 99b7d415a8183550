"""Errors of the benefits domain: each names its kind (mapped to a status or a
consumer decision at the edge), a stable problem slug and a title."""

from typing import Any

from plussa_shared.domain import DomainError, ErrorKind


class BenefitsError(DomainError):
    """A broken rule of offers, segments, redemption or sponsorship.

    ``pointer`` names the part of the request that broke it (a JSON pointer): the problem
    then carries the one validation shape, ``errors`` [{``pointer``, ``code``, ``detail``}].
    """

    def __init__(self, detail: str | None = None, *, pointer: str | None = None, **extras: Any) -> None:
        if pointer is not None:
            code = self.slug.replace("-", "_")
            extras["errors"] = [{"pointer": pointer, "code": code, "detail": detail or self.title}]
        super().__init__(detail, **extras)


class InvalidOfferError(BenefitsError):
    """An offer with an impossible window, qualification, reward or texts."""

    kind = ErrorKind.INVALID
    slug = "invalid-offer"
    title = "The offer is not valid"


class InvalidRewardError(BenefitsError):
    """A reward that is zero, negative or beyond the configured limits."""

    kind = ErrorKind.INVALID
    slug = "invalid-reward"
    title = "The reward is not valid"


class UnknownCategoryError(BenefitsError):
    """A product category the store systems do not use."""

    kind = ErrorKind.INVALID
    slug = "unknown-category"
    title = "The category is not known"


class MissingLanguageError(BenefitsError):
    """A text without its Finnish, Swedish or English version."""

    kind = ErrorKind.INVALID
    slug = "missing-language"
    title = "A text lacks a language"


class InvalidSegmentRuleError(BenefitsError):
    """A segment rule that does not parse or is too large."""

    kind = ErrorKind.INVALID
    slug = "invalid-segment-rule"
    title = "The segment rule is not valid"


class UnknownSegmentError(BenefitsError):
    """An offer names a segment that does not exist."""

    kind = ErrorKind.INVALID
    slug = "unknown-segment"
    title = "The segment does not exist"


class OfferNotFoundError(BenefitsError):
    """No such offer, or not one this caller may see (another person's, untargeted)."""

    kind = ErrorKind.NOT_FOUND
    slug = "offer-not-found"
    title = "Offer not found"


class SegmentNotFoundError(BenefitsError):
    """No such segment for this issuer."""

    kind = ErrorKind.NOT_FOUND
    slug = "segment-not-found"
    title = "Segment not found"


class OfferNotActiveError(BenefitsError):
    """The offer is withdrawn, not yet valid or already ended."""

    kind = ErrorKind.CONFLICT
    slug = "offer-not-active"
    title = "The offer is not active"


class OfferStartedError(BenefitsError):
    """An offer may change only before its window starts."""

    kind = ErrorKind.CONFLICT
    slug = "offer-already-started"
    title = "The offer has already started"


class OfferStateError(BenefitsError):
    """The offer's state does not allow this (publishing a withdrawn offer...)."""

    kind = ErrorKind.CONFLICT
    slug = "offer-state"
    title = "The offer's state does not allow this"


class NoSponsorshipError(BenefitsError):
    """The store runs no sponsorship programme."""

    kind = ErrorKind.NOT_FOUND
    slug = "sponsorship-not-found"
    title = "The store has no sponsorship programme"


class UnknownCauseError(BenefitsError):
    """The store's programme has no such cause."""

    kind = ErrorKind.INVALID
    slug = "unknown-cause"
    title = "The cause does not exist"


class NotJoinedError(BenefitsError):
    """The person has not joined this store's programme."""

    kind = ErrorKind.NOT_FOUND
    slug = "sponsorship-membership-not-found"
    title = "Not a member of the store's programme"


class InvalidProgrammeError(BenefitsError):
    """A programme with no causes, duplicate causes or a share out of bounds."""

    kind = ErrorKind.INVALID
    slug = "invalid-programme"
    title = "The sponsorship programme is not valid"


class MonthNotEndedError(BenefitsError):
    """A month's totals can be closed only after the month."""

    kind = ErrorKind.CONFLICT
    slug = "month-not-ended"
    title = "The month has not ended"


class MonthClosedError(BenefitsError):
    """A month's totals are closed once."""

    kind = ErrorKind.CONFLICT
    slug = "month-already-closed"
    title = "The month is already closed"


class OtherStoreError(BenefitsError):
    """A store credential may act on its own store only."""

    kind = ErrorKind.FORBIDDEN
    slug = "other-store"
    title = "Another store's data"


class UnknownCardError(BenefitsError):
    """A purchase with a card this service has not heard of yet (its card event may be late)."""

    kind = ErrorKind.NOT_KNOWN_YET
    slug = "unknown-card"
    title = "The card is not known yet"


class StaleVersionError(BenefitsError):
    """The resource changed since the caller read it (``If-Match``)."""

    kind = ErrorKind.STALE
    slug = "precondition-failed"
    title = "The resource has changed since you read it"


class PurchaseOutOfWindowError(BenefitsError):
    """A purchase dated in the future (beyond the clock skew) or older than the accepted age."""

    kind = ErrorKind.INVALID
    slug = "purchase-out-of-window"
    title = "The purchase's time is outside the accepted window"
