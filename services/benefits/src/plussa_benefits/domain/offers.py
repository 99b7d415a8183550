"""Offers: what a chain or partner gives, to whom, when, for what.

An offer is a draft until published; it may change only before its window starts,
and it may be withdrawn at any time. Validation happens when it is built, so an
invalid offer never exists.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from plussa_benefits.domain.calendar import CATEGORIES
from plussa_benefits.domain.errors import (
    InvalidOfferError,
    InvalidRewardError,
    OfferStartedError,
    OfferStateError,
    UnknownCategoryError,
)
from plussa_benefits.domain.purchases import Line, Purchase
from plussa_benefits.domain.texts import Texts


class RewardKind(StrEnum):
    """What a redemption gives."""

    CAMPAIGN_POINTS = "campaign_points"
    PERCENT = "percent"
    """``amount`` basis points of the qualifying lines' cents."""
    EURO = "euro"
    """``amount`` cents off the qualifying lines, at most their total."""


class OfferState(StrEnum):
    """Where an offer is in its life."""

    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class OfferLimits:
    """The bounds an offer must keep (settings)."""

    max_points: int = 100_000
    max_basis_points: int = 5_000
    max_euro_cents: int = 100_00
    max_window: timedelta = timedelta(days=366)
    max_per_person: int = 100


@dataclass(frozen=True)
class Reward:
    """Campaign points, a percentage (basis points) or euros (cents)."""

    kind: RewardKind
    amount: int

    def check(self, limits: OfferLimits) -> None:
        """Refuse a reward that is not positive or is beyond the limits."""
        ceiling = {
            RewardKind.CAMPAIGN_POINTS: limits.max_points,
            RewardKind.PERCENT: limits.max_basis_points,
            RewardKind.EURO: limits.max_euro_cents,
        }[self.kind]
        if not 0 < self.amount <= ceiling:
            raise InvalidRewardError(
                f"A {self.kind.value} reward must be between 1 and {ceiling}", pointer="/reward/amount", maximum=ceiling
            )

    def for_spend(self, qualifying_cents: int) -> int:
        """Points or cents the reward gives on ``qualifying_cents`` of qualifying lines."""
        if self.kind is RewardKind.CAMPAIGN_POINTS:
            return self.amount
        if self.kind is RewardKind.PERCENT:
            return qualifying_cents * self.amount // 10_000
        return min(self.amount, qualifying_cents)

    def value_cents(self, qualifying_cents: int, point_value_millicents: int) -> int:
        """What the reward is worth to a person, in cents, for ranking."""
        given = self.for_spend(qualifying_cents)
        if self.kind is RewardKind.CAMPAIGN_POINTS:
            return given * point_value_millicents // 1000
        return given


@dataclass(frozen=True)
class Qualification:
    """What a purchase must hold: lines of these products or categories (any line when
    both are empty), at least ``min_spend_cents`` on them, in these stores or chains
    (anywhere when both are empty)."""

    product_ids: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    min_spend_cents: int = 0
    store_ids: frozenset[str] = frozenset()
    chains: frozenset[str] = frozenset()

    def check(self) -> None:
        """Refuse unknown categories and impossible amounts."""
        unknown = sorted(self.categories - CATEGORIES)
        if unknown:
            raise UnknownCategoryError(
                f"Unknown categories: {', '.join(unknown)}", pointer="/qualification/categories", categories=unknown
            )
        if not 0 <= self.min_spend_cents <= 100_000_00:
            raise InvalidOfferError(
                "The minimum spend must be between 0 and 100000 euros", pointer="/qualification/min_spend_cents"
            )

    def lines(self, purchase: Purchase) -> tuple[Line, ...]:
        """The purchase's qualifying lines; none when the store does not qualify."""
        if (self.store_ids or self.chains) and not (
            purchase.store_id in self.store_ids or purchase.chain in self.chains
        ):
            return ()
        if not (self.product_ids or self.categories):
            return purchase.lines
        return tuple(
            line for line in purchase.lines if line.product_id in self.product_ids or line.category in self.categories
        )

    def met_by(self, purchase: Purchase) -> tuple[Line, ...]:
        """The qualifying lines when the purchase meets the offer, else none."""
        lines = self.lines(purchase)
        spend = sum(line.amount_cents for line in lines)
        return lines if lines and spend > 0 and spend >= self.min_spend_cents else ()


@dataclass(frozen=True)
class Issuer:
    """The chain or partner behind an offer (the credential's client)."""

    kind: str
    """``chain`` or ``partner``."""
    issuer_id: str


@dataclass(frozen=True)
class OfferTerms:
    """Everything an issuer says about an offer; what changes replace."""

    title: Texts
    description: Texts
    valid_from: datetime
    valid_until: datetime
    qualification: Qualification
    reward: Reward
    needs_activation: bool
    limit_per_person: int
    segment_id: str

    def check(self, limits: OfferLimits, now: datetime) -> None:
        """Refuse an empty, inverted, past or overlong window, and bad qualification or reward."""
        if self.valid_until <= self.valid_from:
            raise InvalidOfferError("The validity window is empty or inverted", pointer="/valid_until")
        if self.valid_until <= now:
            raise InvalidOfferError("The validity window has already ended", pointer="/valid_until")
        if self.valid_until - self.valid_from > limits.max_window:
            raise InvalidOfferError(f"The validity window is longer than {limits.max_window.days} days")
        if not 1 <= self.limit_per_person <= limits.max_per_person:
            raise InvalidOfferError(
                f"The per-person limit must be between 1 and {limits.max_per_person}", pointer="/limit_per_person"
            )
        if self.reward.kind is RewardKind.EURO and self.qualification.min_spend_cents < self.reward.amount:
            raise InvalidRewardError("A euro benefit needs a minimum spend at least as large", pointer="/reward/amount")
        self.qualification.check()
        self.reward.check(limits)


@dataclass
class Offer:
    """An offer and its state; ``version`` grows with every change."""

    offer_id: str
    issuer: Issuer
    terms: OfferTerms
    state: OfferState = OfferState.DRAFT
    version: int = 1

    @classmethod
    def draft(cls, offer_id: str, issuer: Issuer, terms: OfferTerms, limits: OfferLimits, now: datetime) -> "Offer":
        """A new draft offer; refused when its terms are not valid."""
        terms.check(limits, now)
        return cls(offer_id, issuer, terms)

    def publish(self, now: datetime) -> bool:
        """Make the offer live; ``False`` when it already was."""
        if self.state is OfferState.WITHDRAWN:
            raise OfferStateError("A withdrawn offer cannot be published again")
        if self.state is OfferState.PUBLISHED:
            return False
        if self.terms.valid_until <= now:
            raise OfferStateError("The offer's window has already ended")
        self.state = OfferState.PUBLISHED
        self.version += 1
        return True

    def change(self, terms: OfferTerms, limits: OfferLimits, now: datetime) -> None:
        """Replace the terms: only before the window starts and not once withdrawn."""
        if self.state is OfferState.WITHDRAWN:
            raise OfferStateError("A withdrawn offer cannot change")
        if self.state is OfferState.PUBLISHED and self.terms.valid_from <= now:
            raise OfferStartedError("The offer has started and can no longer change")
        terms.check(limits, now)
        self.terms = terms
        self.version += 1

    def withdraw(self) -> bool:
        """End the offer for everyone; ``False`` when it already was withdrawn."""
        if self.state is OfferState.WITHDRAWN:
            return False
        self.state = OfferState.WITHDRAWN
        self.version += 1
        return True

    def live_at(self, at: datetime) -> bool:
        """Published and within its window at ``at``."""
        return self.state is OfferState.PUBLISHED and self.terms.valid_from <= at < self.terms.valid_until

    def open_at(self, at: datetime) -> bool:
        """Published and not yet ended: it may be shown and activated ahead of its start."""
        return self.state is OfferState.PUBLISHED and at < self.terms.valid_until
