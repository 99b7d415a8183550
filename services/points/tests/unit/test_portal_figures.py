"""Unit tests of what the portal's front page shows and of partial saving (pure domain)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from plussa_points.domain.choices import check_savings_amount
from plussa_points.domain.errors import InvalidSettingError
from plussa_points.domain.lots import Lot, allocate_spend
from plussa_points.domain.progress import coming_payment_cents, grocery_progress, money_now
from plussa_points.settings import PointsSettings

RULES = PointsSettings(mastercard_window_start=date(2026, 1, 1)).rules()
NOW = datetime(2026, 4, 10, 12, tzinfo=UTC)


def test_grocery_progress_names_the_step_reached_and_the_gap_to_the_next() -> None:
    none_yet = grocery_progress(RULES, 20_000)
    second = grocery_progress(RULES, 52_000)
    top = grocery_progress(RULES, 95_000)

    assert (none_yet.current, none_yet.next and none_yet.next.from_cents, none_yet.gap_cents) == (None, 35_000, 15_000)
    assert (second.current and second.current.points_per_euro, second.gap_cents) == (2, 18_000)
    assert (second.projected_bonus_points, top.next, top.gap_cents) == (1_040, None, None)


def test_a_partly_saved_lot_offers_only_the_rest_at_the_till_until_its_release() -> None:
    lot = Lot("l1", NOW - timedelta(days=5), NOW + timedelta(days=300), 1_250, NOW + timedelta(days=30), 500)

    assert (lot.spendable_part(NOW), lot.saved_part(NOW)) == (750, 500)
    assert allocate_spend([lot], 1_000, NOW) == [("l1", 750)]
    assert lot.spendable_part(NOW + timedelta(days=31)) == 1_250


def test_money_now_gives_the_amount_and_time_of_the_first_expiry() -> None:
    soon, later = NOW + timedelta(days=3), NOW + timedelta(days=200)
    lots = [
        Lot("a", NOW - timedelta(days=300), soon, 120),
        Lot("b", NOW - timedelta(days=30), soon, 80),
        Lot("c", NOW - timedelta(days=1), later, 500, NOW + timedelta(days=10)),
        Lot("gone", NOW - timedelta(days=500), NOW - timedelta(days=1), 999),
    ]

    money = money_now(lots, NOW)

    assert (money.spendable_cents, money.saved_cents, money.total_cents) == (200, 500, 700)
    assert (money.next_expiry_at, money.next_expiry_cents) == (soon, 200)


def test_saving_more_than_the_coming_money_a_negative_amount_or_parts_of_a_euro_is_refused() -> None:
    coming = coming_payment_cents(RULES, 2_500, 0)

    for cents, code in ((coming + 250, "too_big"), (-100, "too_small"), (0, "too_small"), (150, "whole_euros")):
        with pytest.raises(InvalidSettingError) as refused:
            check_savings_amount(cents, coming)
        assert refused.value.extras["errors"][0]["code"] == code
    assert coming == 1_250
    assert check_savings_amount(1_200, coming) == 1_200
    assert check_savings_amount(None, coming) is None
