"""A month's pages expire four months after the month began, across a year's end too."""

from datetime import UTC, datetime

from plussa_points.store.pages import expiry


def test_a_months_pages_expire_four_months_after_it_began_across_the_years_end() -> None:
    assert expiry("2026-03") == datetime(2026, 7, 1, tzinfo=UTC)
    assert expiry("2026-08") == datetime(2026, 12, 1, tzinfo=UTC)
    assert expiry("2026-09") == datetime(2027, 1, 1, tzinfo=UTC)
    assert expiry("2026-12") == datetime(2027, 4, 1, tzinfo=UTC)
