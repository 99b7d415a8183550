"""A person's wallet of offers: which are targeted to them, activated, and used.

Targeting is sticky: once an offer is targeted to a person it stays theirs until it
ends or is withdrawn, even when their features later leave the segment, so an offer
they activated is never taken away by their own shopping.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from plussa_benefits.domain.errors import OfferNotActiveError, OfferNotFoundError
from plussa_benefits.domain.features import PersonFeatures
from plussa_benefits.domain.offers import Offer, OfferState
from plussa_benefits.domain.purchases import Line, Purchase
from plussa_benefits.domain.segments import Segment

RANKING_MONTHS = 3
_ALWAYS_CLOSED = datetime.min.replace(tzinfo=UTC)
_NEVER_CLOSED = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Catalogue:
    """The offers that may be targeted (published, not ended) and their segments,
    indexed once, since every purchase is judged against all of them."""

    offers: tuple[Offer, ...]
    segments: dict[str, Segment]
    by_id: dict[str, Offer] = field(init=False, repr=False)
    by_segment: dict[str, tuple[Offer, ...]] = field(init=False, repr=False)
    ids_by_segment: dict[str, frozenset[str]] = field(init=False, repr=False)
    open_until: datetime = field(init=False, repr=False)
    """Before this time every offer here is open: the first end among them (the start of
    time when one is not published), so a read need not test each offer it shows."""

    def __post_init__(self) -> None:
        grouped: dict[str, list[Offer]] = {}
        for offer in self.offers:
            grouped.setdefault(offer.terms.segment_id, []).append(offer)
        ends = [o.terms.valid_until if o.state is OfferState.PUBLISHED else _ALWAYS_CLOSED for o in self.offers]
        object.__setattr__(self, "open_until", min(ends, default=_NEVER_CLOSED))
        object.__setattr__(self, "by_id", {offer.offer_id: offer for offer in self.offers})
        object.__setattr__(self, "by_segment", {key: tuple(group) for key, group in grouped.items()})
        ids = {key: frozenset(offer.offer_id for offer in group) for key, group in grouped.items()}
        object.__setattr__(self, "ids_by_segment", ids)

    def open_at(self, now: datetime) -> "Catalogue":
        """The catalogue without the offers that are no longer open at ``now``."""
        still = tuple(offer for offer in self.offers if offer.open_at(now))
        return self if len(still) == len(self.offers) else Catalogue(still, self.segments)


@dataclass
class HeldOffer:
    """An offer targeted to the person, with what they did with it."""

    offer_id: str
    targeted_at: datetime | None
    """When it was targeted; None when read back to judge a purchase (it never changes)."""
    score: int
    """Expected value to the person, in cents: the ranking key."""
    activated_at: datetime | None = None
    redeemed: int = 0


@dataclass(frozen=True)
class Redemption:
    """The benefit one purchase got from one offer."""

    redemption_id: str
    offer_id: str
    person_id: str
    household_id: str
    purchase_id: str
    reward_kind: str
    amount: int
    """Campaign points, or cents for a percentage or euro benefit."""
    lines: tuple[Line, ...]
    occurred_at: datetime


@dataclass
class Wallet:
    """The offers of one person (main or parallel holder alike: never the household's)."""

    person_id: str
    household_id: str | None = None
    held: dict[str, HeldOffer] = field(default_factory=dict)
    version: int = 0
    stored: dict[str, tuple[int, int, datetime | None]] = field(default_factory=dict, repr=False, compare=False)
    """Each held offer as it was read (score, uses, activation), in stored order, so that
    saving writes only what changed: a purchase changes a few of a few dozen."""

    def retarget(
        self, catalogue: Catalogue, person: PersonFeatures, now: datetime, zone: ZoneInfo, point_value: int
    ) -> list[str]:
        """Add the offers whose segment the person is now in, drop those that ended or
        were withdrawn, refresh every score; the ids newly targeted. ``catalogue`` holds
        the offers open at ``now`` (``Catalogue.open_at``)."""
        live = catalogue.by_id
        for offer_id in [held for held in self.held if held not in live]:
            del self.held[offer_id]
        added: list[str] = []
        holding = self.held
        held_ids = holding.keys()
        for segment_id, offers in catalogue.by_segment.items():
            if held_ids >= catalogue.ids_by_segment[segment_id]:  # holds them all already
                continue
            segment = catalogue.segments.get(segment_id)
            if segment is None or not segment.test(person, now, zone):
                continue
            for offer in offers:
                if offer.offer_id not in holding:
                    holding[offer.offer_id] = HeldOffer(offer.offer_id, now, 0)
                    added.append(offer.offer_id)
        for held in self.held.values():
            held.score = expected_value(live[held.offer_id], person, now, zone, point_value)
        return added

    def consider(
        self, offer: Offer, segment: Segment, person: PersonFeatures, now: datetime, zone: ZoneInfo, point_value: int
    ) -> bool:
        """Target one newly published offer when the person is in its segment; whether it was added."""
        if offer.offer_id in self.held or not offer.open_at(now) or not segment.test(person, now, zone):
            return False
        self.held[offer.offer_id] = HeldOffer(
            offer.offer_id, now, expected_value(offer, person, now, zone, point_value)
        )
        return True

    def activate(self, offer: Offer | None, now: datetime) -> bool:
        """Activate an offer targeted to this person; ``False`` when it already was (or needs none).

        An offer that is not theirs answers "not found", as if it did not exist."""
        held = self.held.get(offer.offer_id) if offer is not None else None
        if offer is None or held is None:
            raise OfferNotFoundError("No such offer among your offers")
        if not offer.open_at(now):
            raise OfferNotActiveError("The offer has ended or was withdrawn", offer_id=offer.offer_id)
        if held.activated_at is not None or not offer.terms.needs_activation:
            return False
        held.activated_at = now
        return True

    def redeem(self, offers: Mapping[str, Offer], purchase: Purchase) -> list[Redemption]:
        """The benefits ``purchase`` earns from this person's offers (``offers`` by id), each within its limit."""
        given: list[Redemption] = []
        for held in list(self.held.values()):
            offer = offers.get(held.offer_id)
            if offer is None or not offer.live_at(purchase.occurred_at):
                continue
            if offer.terms.needs_activation and (held.activated_at is None or held.activated_at > purchase.occurred_at):
                continue
            if held.redeemed >= offer.terms.limit_per_person:
                continue
            lines = offer.terms.qualification.met_by(purchase)
            amount = offer.terms.reward.for_spend(sum(line.amount_cents for line in lines)) if lines else 0
            if amount <= 0:
                continue
            held.redeemed += 1
            given.append(
                Redemption(
                    f"{offer.offer_id}:{purchase.purchase_id}",
                    offer.offer_id,
                    self.person_id,
                    purchase.household_id,
                    purchase.purchase_id,
                    offer.terms.reward.kind.value,
                    amount,
                    lines,
                    purchase.occurred_at,
                )
            )
        return given

    def reverse(self, redemption: Redemption, offer: Offer, returned: dict[str, int]) -> int:
        """What a return takes back of a redemption: the benefit the remaining qualifying
        lines no longer earn (all of it when they no longer meet the offer, which frees
        the use again). Zero when the return does not touch it."""
        if not any(line.line_id in returned for line in redemption.lines):
            return 0
        remaining = Purchase(
            redemption.purchase_id,
            self.person_id,
            redemption.household_id,
            "",
            "",
            redemption.occurred_at,
            redemption.lines,
        ).without(returned)
        # The store qualified when the benefit was given; only the lines are judged again.
        lines = replace(offer.terms.qualification, store_ids=frozenset(), chains=frozenset()).met_by(remaining)
        still = offer.terms.reward.for_spend(sum(line.amount_cents for line in lines)) if lines else 0
        taken = max(0, redemption.amount - still)
        held = self.held.get(offer.offer_id)
        if still == 0 and taken and held is not None and held.redeemed > 0:
            held.redeemed -= 1
        return taken

    def ranked(self) -> list[HeldOffer]:
        """The held offers, the most valuable to the person first."""
        return sorted(self.held.values(), key=lambda held: (-held.score, held.offer_id))


def expected_value(offer: Offer, person: PersonFeatures, now: datetime, zone: ZoneInfo, point_value: int) -> int:
    """What the offer is likely worth to the person in a month, in cents: the reward on
    their usual monthly spend where the offer applies, scaled down when that spend falls
    short of the minimum. ``point_value`` is a point's worth in thousandths of a cent."""
    terms = offer.terms
    qualification = terms.qualification
    if qualification.categories:
        spend = sum(person.spend(now, zone, RANKING_MONTHS, category, None) for category in qualification.categories)
    elif qualification.chains:
        spend = sum(person.spend(now, zone, RANKING_MONTHS, None, chain) for chain in qualification.chains)
    else:
        spend = person.spend(now, zone, RANKING_MONTHS, None, None)
    monthly = spend // RANKING_MONTHS
    basket = max(monthly, qualification.min_spend_cents, 1)
    value = terms.reward.value_cents(basket, point_value)
    if qualification.min_spend_cents > monthly:
        value = value * monthly // qualification.min_spend_cents
    return value
