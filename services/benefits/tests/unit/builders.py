"""Small builders for the domain's unit tests."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from plussa_benefits.domain.offers import Issuer, Offer, OfferLimits, OfferTerms, Qualification, Reward, RewardKind
from plussa_benefits.domain.purchases import Line, Purchase
from plussa_benefits.domain.texts import Texts

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LIMITS = OfferLimits()
CHAIN = Issuer("chain", "k-citymarket")


def texts(word: str) -> Texts:
    return Texts(fi=f"{word} fi", sv=f"{word} sv", en=f"{word} en")


def terms(**changes: object) -> OfferTerms:
    base: dict[str, object] = {
        "title": texts("Coffee"),
        "description": texts("Coffee points"),
        "valid_from": NOW - timedelta(days=1),
        "valid_until": NOW + timedelta(days=30),
        "qualification": Qualification(categories=frozenset({"grocery"}), min_spend_cents=1000),
        "reward": Reward(RewardKind.CAMPAIGN_POINTS, 500),
        "needs_activation": True,
        "limit_per_person": 1,
        "segment_id": "grocery-lovers",
    }
    base.update(changes)
    return OfferTerms(**base)  # type: ignore[arg-type]


def published(offer_id: str = "offer-1", **changes: object) -> Offer:
    offer = Offer.draft(offer_id, CHAIN, terms(**changes), LIMITS, NOW - timedelta(days=2))
    offer.publish(NOW - timedelta(days=2))
    return offer


def line(line_id: str, cents: int, category: str = "grocery", product: str = "p-1") -> Line:
    return Line(line_id, product, category, 1, cents)


def purchase(
    *lines: Line,
    purchase_id: str = "pur-1",
    at: datetime = NOW,
    store: str = "store-1",
    chain: str = "k-citymarket",
    person: str = "aino",
) -> Purchase:
    return Purchase(purchase_id, person, "hh-1", store, chain, at, tuple(lines))
