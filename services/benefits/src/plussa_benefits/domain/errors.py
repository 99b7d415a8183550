"""Errors of the benefits domain: each names its kind (mapped to a status or a
consumer decision at the edge), a stable problem slug and a title."""

from typing import Any, ClassVar


class BenefitsError(Exception):
    """A broken rule of offers, segments, redemption or sponsorship."""

    kind: ClassVar[str] = "invalid"
    slug: ClassVar[str] = "invalid"
    title: ClassVar[str] = "The request breaks a rule"

    def __init__(self, detail: str | None = None, **extras: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extras = extras


class InvalidOfferError(BenefitsError):
    """An offer with an impossible window, qualification, reward or texts."""

    kind = "invalid"
    slug = "invalid-offer"
    title = "The offer is not valid"


class InvalidRewardError(BenefitsError):
    """A reward that is zero, negative or beyond the configured limits."""

    kind = "invalid"
    slug = "invalid-reward"
    title = "The reward is not valid"


class UnknownCategoryError(BenefitsError):
    """A product category the store systems do not use."""

    kind = "invalid"
    slug = "unknown-category"
    title = "The category is not known"


class MissingLanguageError(BenefitsError):
    """A text without its Finnish, Swedish or English version."""

    kind = "invalid"
    slug = "missing-language"
    title = "A text lacks a language"


class InvalidSegmentRuleError(BenefitsError):
    """A segment rule that does not parse or is too large."""

    kind = "invalid"
    slug = "invalid-segment-rule"
    title = "The segment rule is not valid"


class UnknownSegmentError(BenefitsError):
    """An offer names a segment that does not exist."""

    kind = "invalid"
    slug = "unknown-segment"
    title = "The segment does not exist"


class OfferNotFoundError(BenefitsError):
    """No such offer, or not one this caller may see (another person's, untargeted)."""

    kind = "not-found"
    slug = "offer-not-found"
    title = "Offer not found"


class SegmentNotFoundError(BenefitsError):
    """No such segment for this issuer."""

    kind = "not-found"
    slug = "segment-not-found"
    title = "Segment not found"


class OfferNotActiveError(BenefitsError):
    """The offer is withdrawn, not yet valid or already ended."""

    kind = "conflict"
    slug = "offer-not-active"
    title = "The offer is not active"


class OfferStartedError(BenefitsError):
    """An offer may change only before its window starts."""

    kind = "conflict"
    slug = "offer-already-started"
    title = "The offer has already started"


class OfferStateError(BenefitsError):
    """The offer's state does not allow this (publishing a withdrawn offer...)."""

    kind = "conflict"
    slug = "offer-state"
    title = "The offer's state does not allow this"


class NoSponsorshipError(BenefitsError):
    """The store runs no sponsorship programme."""

    kind = "not-found"
    slug = "sponsorship-not-found"
    title = "The store has no sponsorship programme"


class UnknownCauseError(BenefitsError):
    """The store's programme has no such cause."""

    kind = "invalid"
    slug = "unknown-cause"
    title = "The cause does not exist"


class NotJoinedError(BenefitsError):
    """The person has not joined this store's programme."""

    kind = "not-found"
    slug = "sponsorship-membership-not-found"
    title = "Not a member of the store's programme"


class InvalidProgrammeError(BenefitsError):
    """A programme with no causes, duplicate causes or a share out of bounds."""

    kind = "invalid"
    slug = "invalid-programme"
    title = "The sponsorship programme is not valid"


class MonthNotEndedError(BenefitsError):
    """A month's totals can be closed only after the month."""

    kind = "conflict"
    slug = "month-not-ended"
    title = "The month has not ended"


class MonthClosedError(BenefitsError):
    """A month's totals are closed once."""

    kind = "conflict"
    slug = "month-already-closed"
    title = "The month is already closed"


class OtherStoreError(BenefitsError):
    """A store credential may act on its own store only."""

    kind = "forbidden"
    slug = "other-store"
    title = "Another store's data"
