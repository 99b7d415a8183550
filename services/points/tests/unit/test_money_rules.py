"""Unit tests of month end, lots, status and access rules, each with a worked example."""

from datetime import UTC, date, datetime, timedelta

import pytest

from plussa_points.domain.access import Card, Member, require_earning, require_spending
from plussa_points.domain.calendar import accounting_month, add_months, month_of
from plussa_points.domain.choices import check_release_date
from plussa_points.domain.errors import (
    CardCannotEarnError,
    CardCannotSpendError,
    InvalidSettingError,
    NoMoneyAccessError,
)
from plussa_points.domain.lots import Lot, allocate_spend, spendable_cents
from plussa_points.domain.statement import (
    CharityChoice,
    MonthActivity,
    close_month,
    grocery_bonus,
    points_to_cents,
    split_donation,
)
from plussa_points.domain.status import BEST_CUSTOMER, REGULAR, status_for
from plussa_points.settings import PointsSettings

RULES = PointsSettings().rules()
T0 = datetime(2026, 3, 4, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("grocery_cents", "bonus"),
    [(34_999, 0), (35_000, 350), (49_999, 499), (50_000, 1_000), (70_050, 2_100), (90_000, 3_600), (123_456, 4_936)],
)
def test_the_grocery_bonus_pays_the_highest_step_reached_per_euro_of_the_month(grocery_cents: int, bonus: int) -> None:
    assert grocery_bonus(RULES, grocery_cents) == bonus


def test_conversion_pays_whole_cents_and_carries_the_odd_point() -> None:
    assert points_to_cents(RULES, 1_000) == (500, 1_000)
    assert points_to_cents(RULES, 2_345) == (1_172, 2_344)  # 1 point carried
    assert points_to_cents(RULES, -5) == (0, 0)


def test_a_month_closes_bonus_and_campaign_then_charity_then_conversion_with_carry() -> None:
    month = MonthActivity(
        "2026-03", base_points=560, mastercard_points=60, reversed_points=10, campaign_points=200, grocery_cents=51_000
    )

    st = close_month(RULES, 1, [month], CharityChoice("unicef", 1))

    assert st.grocery_bonus_points == 1_020  # 510 EUR of groceries at the 500 EUR step: +2 per euro
    assert st.month_points == 560 + 60 - 10 + 200 + 1_020 == 1_830
    assert (st.donation.points, st.donation.cents, st.donation.split) == (1_000, 500, (("unicef", 500),))
    assert (st.converted_points, st.payout_cents, st.carried_out) == (830, 415, 1)  # 1 carried + 830 = 831


def test_charity_takes_all_whole_thousands_when_uncapped_and_splits_among_all_charities() -> None:
    st = close_month(RULES, 0, [MonthActivity("2026-03", base_points=3_999)], CharityChoice(None, None))

    assert st.donation.points == 3_000
    assert st.donation.split == (("red-cross", 500), ("unicef", 500), ("mll", 500))
    assert st.payout_cents == 499
    assert split_donation(RULES, 1_001, None) == (("red-cross", 334), ("unicef", 334), ("mll", 333))


def test_negative_points_are_carried_and_nothing_is_paid() -> None:
    st = close_month(RULES, 0, [MonthActivity("2026-03", reversed_points=40)], CharityChoice(None, None))

    assert (st.payout_cents, st.donation.points, st.carried_out) == (0, 0, -40)


def test_spending_takes_the_oldest_lot_first_and_skips_saved_expired_and_unpaid_lots() -> None:
    lots = [
        Lot("new", T0, T0 + timedelta(days=400), 300),
        Lot("old", T0 - timedelta(days=30), T0 + timedelta(days=370), 200),
        Lot("saved", T0 - timedelta(days=60), T0 + timedelta(days=300), 900, saved_until=T0 + timedelta(days=10)),
        Lot("expired", T0 - timedelta(days=400), T0, 50),
        Lot("future", T0 + timedelta(days=1), T0 + timedelta(days=401), 700),
    ]

    assert spendable_cents(lots, T0) == 500
    assert allocate_spend(lots, 250, T0) == [("old", 200), ("new", 50)]
    assert allocate_spend(lots, 9_999, T0) == [("old", 200), ("new", 300)]


def test_a_lot_is_not_spendable_at_the_very_second_it_expires() -> None:
    lot = Lot("a", T0 - timedelta(days=1), T0, 100)

    assert lot.is_spendable(T0 - timedelta(microseconds=1))
    assert not lot.is_spendable(T0)
    assert lot.is_expired(T0)


def test_best_customer_needs_more_than_the_threshold_over_the_last_twelve_months() -> None:
    spend = {f"2025-{m:02d}": 54_000 for m in range(4, 13)} | {"2026-01": 54_000, "2026-02": 54_000}
    spend |= {"2026-03": 56_001, "2025-03": 1_000_000}  # the last is outside the window

    assert status_for(RULES, spend, "2026-03") == BEST_CUSTOMER  # 11 x 540 + 560.01 = 6,500.01 EUR
    assert status_for(RULES, spend | {"2026-03": 56_000}, "2026-03") == REGULAR  # exactly 6,500 EUR is not over


def test_months_follow_the_programme_time_zone_and_closed_months_roll_forward() -> None:
    assert month_of(datetime(2026, 3, 31, 22, 30, tzinfo=UTC), RULES.zone) == "2026-04"  # already April in Helsinki
    assert accounting_month("2026-03", "2026-03") == "2026-04"
    assert accounting_month("2026-04", "2026-03") == "2026-04"
    assert add_months(date(2026, 1, 31), 13) == date(2027, 2, 28)


def test_saving_needs_a_release_date_at_most_twelve_months_ahead() -> None:
    today = date(2026, 3, 10)

    assert check_release_date(RULES, date(2027, 3, 10), today) == date(2027, 3, 10)
    for bad in (None, today, date(2027, 3, 11)):
        with pytest.raises(InvalidSettingError):
            check_release_date(RULES, bad, today)


def test_only_an_active_card_earns_and_only_a_permanent_card_with_access_spends() -> None:
    main = Member("h1", "p1", "main", can_use_money=False)
    parallel = Member("h1", "p2", "parallel", can_use_money=False)
    card = Card("c1", "main", "active", "h1", "p1", can_earn=True, can_spend=True)
    blocked = Card("c2", "main", "blocked", "h1", "p1", can_earn=False, can_spend=False)
    temporary = Card("c3", "temporary", "active", "h1", "p1", can_earn=True, can_spend=False)
    unlinked = Card("c4", "temporary", "active", None, None, can_earn=True, can_spend=False)

    assert require_earning(card) == "h1"
    assert require_earning(unlinked) == "card:c4"
    with pytest.raises(CardCannotEarnError):
        require_earning(blocked)
    assert require_spending(card, main) == main
    with pytest.raises(CardCannotSpendError):
        require_spending(temporary, main)
    with pytest.raises(NoMoneyAccessError):
        require_spending(Card("c5", "parallel", "active", "h1", "p2", True, True), parallel)
