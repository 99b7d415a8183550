from datetime import timedelta

import pytest

from plussa_benefits.domain.errors import (
    InvalidOfferError,
    InvalidRewardError,
    MissingLanguageError,
    OfferStartedError,
    OfferStateError,
    UnknownCategoryError,
)
from plussa_benefits.domain.offers import Offer, OfferState, Qualification, Reward, RewardKind
from plussa_benefits.domain.texts import Texts

from .builders import CHAIN, LIMITS, NOW, line, published, purchase, terms


def test_a_draft_offer_becomes_live_when_published_within_its_window() -> None:
    offer = Offer.draft("o", CHAIN, terms(), LIMITS, NOW)

    assert not offer.live_at(NOW)
    assert offer.publish(NOW) is True
    assert offer.live_at(NOW)
    assert offer.state is OfferState.PUBLISHED
    assert offer.version == 2


def test_publishing_twice_changes_nothing_the_second_time() -> None:
    offer = published()
    version = offer.version

    assert offer.publish(NOW) is False
    assert offer.version == version


def test_an_inverted_validity_window_is_refused() -> None:
    with pytest.raises(InvalidOfferError, match="empty or inverted"):
        Offer.draft("o", CHAIN, terms(valid_from=NOW + timedelta(days=2), valid_until=NOW), LIMITS, NOW)


def test_an_empty_validity_window_is_refused() -> None:
    with pytest.raises(InvalidOfferError):
        Offer.draft("o", CHAIN, terms(valid_from=NOW, valid_until=NOW), LIMITS, NOW)


def test_a_window_that_has_already_ended_is_refused() -> None:
    with pytest.raises(InvalidOfferError, match="already ended"):
        Offer.draft(
            "o",
            CHAIN,
            terms(valid_from=NOW - timedelta(days=9), valid_until=NOW - timedelta(days=1)),
            LIMITS,
            NOW,
        )


def test_a_window_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(InvalidOfferError, match="longer than 366 days"):
        Offer.draft("o", CHAIN, terms(valid_until=NOW + timedelta(days=400)), LIMITS, NOW)


def test_an_unknown_category_is_refused_and_named() -> None:
    with pytest.raises(UnknownCategoryError) as caught:
        Offer.draft("o", CHAIN, terms(qualification=Qualification(categories=frozenset({"cars"}))), LIMITS, NOW)

    assert caught.value.extras["categories"] == ["cars"]
    assert caught.value.kind == "invalid"


@pytest.mark.parametrize(
    "reward",
    [
        Reward(RewardKind.CAMPAIGN_POINTS, 0),
        Reward(RewardKind.CAMPAIGN_POINTS, -5),
        Reward(RewardKind.CAMPAIGN_POINTS, 100_001),
        Reward(RewardKind.PERCENT, 5_001),
        Reward(RewardKind.EURO, 100_01),
    ],
)
def test_a_negative_zero_or_absurd_reward_is_refused(reward: Reward) -> None:
    qualification = Qualification(min_spend_cents=100_000_00)
    with pytest.raises(InvalidRewardError):
        Offer.draft("o", CHAIN, terms(reward=reward, qualification=qualification), LIMITS, NOW)


def test_a_euro_benefit_larger_than_the_minimum_spend_is_refused() -> None:
    with pytest.raises(InvalidRewardError, match="minimum spend"):
        Offer.draft(
            "o",
            CHAIN,
            terms(reward=Reward(RewardKind.EURO, 500), qualification=Qualification(min_spend_cents=200)),
            LIMITS,
            NOW,
        )


def test_a_per_person_limit_outside_its_bounds_is_refused() -> None:
    with pytest.raises(InvalidOfferError, match="per-person limit"):
        Offer.draft("o", CHAIN, terms(limit_per_person=0), LIMITS, NOW)


def test_a_text_missing_a_language_is_refused_naming_the_language() -> None:
    with pytest.raises(MissingLanguageError) as caught:
        Texts.parse({"fi": "Kahvi", "sv": "  ", "en": "Coffee"}, "title")

    assert caught.value.extras["languages"] == ["sv"]
    assert caught.value.extras["errors"][0]["pointer"] == "/title"


def test_a_text_picks_the_asked_language_and_falls_back_to_finnish() -> None:
    text = Texts.parse({"fi": "Kahvi", "sv": "Kaffe", "en": "Coffee"}, "title")

    assert text.pick("sv") == "Kaffe"
    assert text.pick("de") == "Kahvi"


def test_an_offer_changes_before_its_start() -> None:
    offer = published(valid_from=NOW + timedelta(days=1))

    offer.change(terms(valid_from=NOW + timedelta(days=1), limit_per_person=3), LIMITS, NOW)

    assert offer.terms.limit_per_person == 3
    assert offer.version == 3


def test_an_offer_cannot_change_once_started() -> None:
    offer = published()

    with pytest.raises(OfferStartedError):
        offer.change(terms(limit_per_person=3), LIMITS, NOW)
    assert offer.terms.limit_per_person == 1


def test_a_change_must_itself_be_valid() -> None:
    offer = published(valid_from=NOW + timedelta(days=1))

    with pytest.raises(InvalidRewardError):
        offer.change(terms(valid_from=NOW + timedelta(days=1), reward=Reward(RewardKind.PERCENT, 0)), LIMITS, NOW)
    assert offer.terms.reward.amount == 500


def test_a_withdrawn_offer_is_no_longer_live_and_cannot_return() -> None:
    offer = published()

    assert offer.withdraw() is True
    assert offer.withdraw() is False
    assert not offer.live_at(NOW)
    with pytest.raises(OfferStateError):
        offer.publish(NOW)
    with pytest.raises(OfferStateError):
        offer.change(terms(), LIMITS, NOW)


def test_qualifying_lines_are_the_named_products_or_categories() -> None:
    qualification = Qualification(product_ids=frozenset({"coffee"}), categories=frozenset({"home"}))
    bought = purchase(line("1", 500, product="coffee"), line("2", 700, "home"), line("3", 900, "fuel"))

    assert [ql.line_id for ql in qualification.met_by(bought)] == ["1", "2"]


def test_a_purchase_below_the_minimum_spend_does_not_qualify() -> None:
    qualification = Qualification(categories=frozenset({"grocery"}), min_spend_cents=2000)

    assert qualification.met_by(purchase(line("1", 1999), line("2", 5000, "fuel"))) == ()
    assert len(qualification.met_by(purchase(line("1", 2000)))) == 1


def test_a_purchase_in_another_store_or_chain_does_not_qualify() -> None:
    qualification = Qualification(store_ids=frozenset({"store-9"}), chains=frozenset({"k-rauta"}))

    assert qualification.met_by(purchase(line("1", 100), store="store-1", chain="k-market")) == ()
    assert qualification.met_by(purchase(line("1", 100), store="store-9", chain="k-market")) != ()
    assert qualification.met_by(purchase(line("1", 100), store="store-2", chain="k-rauta")) != ()


def test_a_percentage_reward_is_rounded_down_and_a_euro_reward_never_exceeds_the_lines() -> None:
    assert Reward(RewardKind.PERCENT, 1_000).for_spend(1_999) == 199
    assert Reward(RewardKind.EURO, 500).for_spend(300) == 300
    assert Reward(RewardKind.CAMPAIGN_POINTS, 250).for_spend(1) == 250
