"""Unit tests of the earning rules, each with a worked example (pure domain, no I/O)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from plussa_points.domain.earning import Line, ReturnedLine, apply_return, mastercard_applies, score
from plussa_points.domain.errors import InvalidPurchaseError, ReturnExceedsPurchaseError, UnknownLineError
from plussa_points.domain.validation import LineFigures, check_purchase, check_return
from plussa_points.settings import PointsSettings

NOW = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
AT = NOW - timedelta(days=2)
RULES = PointsSettings(mastercard_window_start=date(2026, 1, 1), mastercard_window_end=date(2026, 12, 31)).rules()


def test_one_base_point_per_full_euro_rounded_down_per_purchase() -> None:
    # 12.99 + 7.50 = 20.49 EUR -> 20 points, not 12 + 7 = 19.
    result = score(RULES, [Line("1", "grocery", 1, 1299), Line("2", "home", 1, 750)], mastercard=False)

    assert result.base_points == 20
    assert [line.base_points for line in result.lines] == [12, 8]


def test_excluded_categories_earn_nothing_and_do_not_count_as_grocery() -> None:
    lines = [
        Line("1", "grocery", 1, 4000),
        Line("2", "alcohol", 1, 2500),
        Line("3", "tobacco", 1, 1000),
        Line("4", "deposit", 1, 40),
        Line("5", "betting", 1, 500),
        Line("6", "gift_card", 1, 5000),
    ]

    result = score(RULES, lines, mastercard=False)

    assert result.base_points == 40
    assert result.eligible_cents == 4000
    assert result.grocery_cents == 4000
    assert result.total_cents == 4000 + 2500 + 1000 + 40 + 500 + 5000


def test_mastercard_doubles_base_points_only_inside_its_window() -> None:
    assert mastercard_applies(RULES, True, date(2026, 6, 1))
    assert not mastercard_applies(RULES, True, date(2027, 1, 1))
    assert not mastercard_applies(RULES, False, date(2026, 6, 1))
    assert not mastercard_applies(PointsSettings().rules(), True, date(2026, 6, 1))  # default window ended 2019

    result = score(RULES, [Line("1", "grocery", 1, 5050)], mastercard=True)

    assert (result.base_points, result.mastercard_points, result.points) == (50, 50, 100)
    assert result.grocery_cents == 5050  # the extra points do not change the grocery spend


def test_a_full_return_reverses_exactly_what_the_lines_earned() -> None:
    bought = [Line("1", "grocery", 2, 1050), Line("2", "home", 1, 990)]
    earned = score(RULES, bought, mastercard=True)

    outcome = apply_return(RULES, bought, [ReturnedLine("1", 2, 1050), ReturnedLine("2", 1, 990)], mastercard=True)

    assert outcome.points == earned.points == 40
    assert outcome.grocery_cents == 1050
    assert all(line.amount_cents == 0 for line in outcome.remaining)


def test_a_partial_return_reverses_the_points_the_purchase_no_longer_earns() -> None:
    # 10.50 + 9.90 = 20.40 -> 20 points; returning one 5.25 unit leaves 15.15 -> 15 points.
    bought = [Line("1", "grocery", 2, 1050), Line("2", "home", 1, 990)]

    outcome = apply_return(RULES, bought, [ReturnedLine("1", 1, 525)], mastercard=False)

    assert outcome.points == 5
    assert outcome.returned_cents == 525
    assert outcome.grocery_cents == 525


def test_a_return_of_more_than_was_bought_is_refused() -> None:
    bought = [Line("1", "grocery", 1, 1000)]

    with pytest.raises(ReturnExceedsPurchaseError):
        apply_return(RULES, bought, [ReturnedLine("1", 1, 1001)], mastercard=False)
    with pytest.raises(ReturnExceedsPurchaseError):
        apply_return(RULES, bought, [ReturnedLine("1", 2, 1000)], mastercard=False)
    with pytest.raises(UnknownLineError):
        apply_return(RULES, bought, [ReturnedLine("9", 1, 100)], mastercard=False)


def test_negative_absurd_and_inconsistent_figures_are_refused() -> None:
    with pytest.raises(InvalidPurchaseError, match="negative"):
        check_purchase(RULES, [LineFigures("1", 1, -100)], -100, AT, NOW)
    with pytest.raises(InvalidPurchaseError, match="beyond"):
        check_purchase(RULES, [LineFigures("1", 1, 999_999_999)], 999_999_999, AT, NOW)
    with pytest.raises(InvalidPurchaseError, match="total"):
        check_purchase(RULES, [LineFigures("1", 1, 100)], 200, AT, NOW)
    with pytest.raises(InvalidPurchaseError, match="quantity"):
        check_purchase(RULES, [LineFigures("1", 0, 100)], 100, AT, NOW)
    with pytest.raises(InvalidPurchaseError, match="repeat"):
        check_purchase(RULES, [LineFigures("1", 1, 100), LineFigures("1", 1, 100)], 200, AT, NOW)
    with pytest.raises(InvalidPurchaseError, match="nothing"):
        check_return(RULES, [LineFigures("1", 0, 0)], AT, NOW)
    check_purchase(RULES, [LineFigures("1", 1, 100)], 100, AT, NOW)


def test_a_purchase_dated_in_the_future_or_too_long_ago_is_refused_with_its_pointer() -> None:
    one = [LineFigures("1", 1, 100)]
    skew, age = timedelta(seconds=RULES.purchase_clock_skew_s), timedelta(days=RULES.purchase_max_age_days)

    with pytest.raises(InvalidPurchaseError) as future:
        check_purchase(RULES, one, 100, NOW + skew + timedelta(seconds=1), NOW)
    with pytest.raises(InvalidPurchaseError) as old:
        check_return(RULES, one, NOW - age - timedelta(seconds=1), NOW)
    check_purchase(RULES, one, 100, NOW + skew, NOW)
    check_purchase(RULES, one, 100, NOW - age, NOW)

    assert future.value.extras["errors"][0]["pointer"] == "/occurred_at"
    assert future.value.extras["errors"][0]["code"] == "in_the_future"
    assert old.value.extras["errors"][0]["code"] == "too_old"
