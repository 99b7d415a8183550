from datetime import timedelta

import pytest

from plussa_benefits.domain.errors import OfferNotActiveError, OfferNotFoundError
from plussa_benefits.domain.features import PersonFeatures
from plussa_benefits.domain.offers import Qualification, Reward, RewardKind
from plussa_benefits.domain.segments import Segment, parse_rule
from plussa_benefits.domain.wallet import Catalogue, Wallet

from .builders import HELSINKI, NOW, line, published, purchase

POINT_VALUE = 500  # thousandths of a cent: 1,000 points = 5 euros
GROCERY = Segment(
    "grocery-lovers",
    "k-citymarket",
    "Grocery lovers",
    parse_rule({"feature": "spend_cents", "months": 3, "category": "grocery", "op": ">=", "value": 10_000}),
)
EVERYONE = Segment("everyone", "k-citymarket", "All", parse_rule({"everyone": True}))


def shopper(grocery_cents: int = 30_000) -> PersonFeatures:
    features = PersonFeatures("aino", "hh-1", role="main")
    features.add_purchase(purchase(line("1", grocery_cents), purchase_id="history"), HELSINKI)
    return features


def targeted(*offers: object, features: PersonFeatures | None = None) -> Wallet:
    wallet = Wallet("aino", "hh-1")
    catalogue = Catalogue(tuple(offers), {s.segment_id: s for s in (GROCERY, EVERYONE)})  # type: ignore[arg-type]
    wallet.retarget(catalogue, features or shopper(), NOW, HELSINKI, POINT_VALUE)
    return wallet


def test_a_person_in_the_segment_is_targeted_and_one_outside_is_not() -> None:
    offer = published()
    catalogue = Catalogue((offer,), {"grocery-lovers": GROCERY})
    fan, other = Wallet("aino"), Wallet("eero")

    assert fan.retarget(catalogue, shopper(30_000), NOW, HELSINKI, POINT_VALUE) == ["offer-1"]
    assert other.retarget(catalogue, shopper(5_000), NOW, HELSINKI, POINT_VALUE) == []
    assert list(fan.held) == ["offer-1"]
    assert other.held == {}


def test_targeting_sticks_when_the_person_later_leaves_the_segment() -> None:
    offer = published()
    catalogue = Catalogue((offer,), {"grocery-lovers": GROCERY})
    wallet = Wallet("aino")
    wallet.retarget(catalogue, shopper(30_000), NOW, HELSINKI, POINT_VALUE)

    assert wallet.retarget(catalogue, shopper(30_000), NOW + timedelta(days=25), HELSINKI, POINT_VALUE) == []
    assert "offer-1" in wallet.held


def test_withdrawn_and_ended_offers_leave_the_wallet() -> None:
    ending = published("ending", valid_until=NOW + timedelta(days=1))
    withdrawn = published("withdrawn")
    wallet = targeted(ending, withdrawn)
    withdrawn.withdraw()

    wallet.retarget(
        Catalogue((ending, withdrawn), {"grocery-lovers": GROCERY}).open_at(NOW + timedelta(days=2)),
        shopper(),
        NOW + timedelta(days=2),
        HELSINKI,
        POINT_VALUE,
    )

    assert wallet.held == {}


def test_offers_rank_by_their_expected_value_to_the_person() -> None:
    points = published("points", reward=Reward(RewardKind.CAMPAIGN_POINTS, 1_000))  # worth 5 euros
    percent = published("percent", reward=Reward(RewardKind.PERCENT, 1_000))  # 10 % of 100 euros a month
    far = published(
        "far",
        reward=Reward(RewardKind.EURO, 2_000),
        qualification=Qualification(categories=frozenset({"grocery"}), min_spend_cents=200_000),
    )

    wallet = targeted(points, percent, far)

    assert [held.offer_id for held in wallet.ranked()] == ["percent", "points", "far"]
    assert [held.score for held in wallet.ranked()] == [1_000, 500, 100]


def test_activating_an_offer_that_is_not_yours_answers_not_found() -> None:
    wallet = targeted(published())

    with pytest.raises(OfferNotFoundError):
        wallet.activate(published("someone-elses"), NOW)
    with pytest.raises(OfferNotFoundError):
        wallet.activate(None, NOW)


def test_activating_an_expired_or_withdrawn_offer_is_refused() -> None:
    offer = published(valid_until=NOW + timedelta(days=1))
    wallet = targeted(offer)

    with pytest.raises(OfferNotActiveError):
        wallet.activate(offer, NOW + timedelta(days=1))
    offer.withdraw()
    with pytest.raises(OfferNotActiveError):
        wallet.activate(offer, NOW)
    assert wallet.held["offer-1"].activated_at is None


def test_activation_is_recorded_once() -> None:
    offer = published()
    wallet = targeted(offer)

    assert wallet.activate(offer, NOW) is True
    assert wallet.activate(offer, NOW + timedelta(hours=1)) is False
    assert wallet.held["offer-1"].activated_at == NOW


def test_a_purchase_meeting_an_activated_offer_gives_its_reward() -> None:
    offer = published()
    wallet = targeted(offer)
    wallet.activate(offer, NOW - timedelta(hours=1))

    given = wallet.redeem({offer.offer_id: offer}, purchase(line("1", 1_200), line("2", 900, "fuel")))

    assert [(r.redemption_id, r.reward_kind, r.amount) for r in given] == [("offer-1:pur-1", "campaign_points", 500)]
    assert [qualifying.line_id for qualifying in given[0].lines] == ["1"]


def test_an_offer_needing_activation_gives_nothing_before_it_is_activated() -> None:
    offer = published()
    wallet = targeted(offer)

    assert wallet.redeem({offer.offer_id: offer}, purchase(line("1", 1_200))) == []
    wallet.activate(offer, NOW + timedelta(minutes=5))
    assert wallet.redeem({offer.offer_id: offer}, purchase(line("1", 1_200))) == []


def test_an_automatic_offer_gives_without_activation() -> None:
    offer = published(needs_activation=False, reward=Reward(RewardKind.PERCENT, 1_000))
    wallet = targeted(offer)

    assert [r.amount for r in wallet.redeem({offer.offer_id: offer}, purchase(line("1", 1_234)))] == [123]


def test_the_per_person_limit_holds_across_purchases() -> None:
    offer = published(needs_activation=False, limit_per_person=2)
    wallet = targeted(offer)

    given = [wallet.redeem({offer.offer_id: offer}, purchase(line("1", 1_500), purchase_id=f"p{n}")) for n in range(3)]

    assert [len(g) for g in given] == [1, 1, 0]
    assert wallet.held["offer-1"].redeemed == 2


def test_an_untargeted_offer_gives_nothing() -> None:
    offer = published(needs_activation=False)
    wallet = targeted(offer, features=shopper(100))

    assert wallet.redeem({offer.offer_id: offer}, purchase(line("1", 5_000))) == []


def test_returning_the_qualifying_lines_reverses_the_benefit_and_frees_the_use() -> None:
    offer = published(needs_activation=False)
    wallet = targeted(offer)
    [redemption] = wallet.redeem({offer.offer_id: offer}, purchase(line("1", 1_200), line("2", 500, "fuel")))

    assert wallet.reverse(redemption, offer, {"2": 500}) == 0
    assert wallet.reverse(redemption, offer, {"1": 300}) == 500
    assert wallet.held["offer-1"].redeemed == 0


def test_a_partial_return_reverses_a_percentage_benefit_in_proportion() -> None:
    offer = published(needs_activation=False, reward=Reward(RewardKind.PERCENT, 1_000))
    wallet = targeted(offer)
    [redemption] = wallet.redeem({offer.offer_id: offer}, purchase(line("1", 2_000), line("2", 3_000)))

    assert redemption.amount == 500
    assert wallet.reverse(redemption, offer, {"2": 3_000}) == 300
    assert wallet.held["offer-1"].redeemed == 1


def test_a_newly_published_offer_is_considered_for_each_person_once() -> None:
    offer = published()
    wallet = Wallet("aino")

    assert wallet.consider(offer, GROCERY, shopper(30_000), NOW, HELSINKI, POINT_VALUE) is True
    assert wallet.consider(offer, GROCERY, shopper(30_000), NOW, HELSINKI, POINT_VALUE) is False
    assert Wallet("eero").consider(offer, GROCERY, shopper(100), NOW, HELSINKI, POINT_VALUE) is False
    assert wallet.held["offer-1"].score == 250  # 500 points at half a cent each
