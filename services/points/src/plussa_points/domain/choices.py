"""Validating the main holder's savings and charity choices."""

from dataclasses import dataclass
from datetime import date, datetime

from plussa_points.domain.calendar import add_months
from plussa_points.domain.errors import InvalidSettingError, refused
from plussa_points.domain.rules import ProgrammeRules


def check_release_date(rules: ProgrammeRules, release_on: date | None, today: date) -> date:
    """A savings release date must be after today and at most the configured months ahead."""
    if release_on is None:
        raise refused(InvalidSettingError, "missing", "Saving needs a release date", "/release_on")
    latest = add_months(today, rules.savings_max_months)
    if release_on <= today or release_on > latest:
        detail = f"The release date must be after {today.isoformat()} and no later than {latest.isoformat()}"
        raise refused(InvalidSettingError, "out_of_range", detail, "/release_on")
    return release_on


def check_charity(rules: ProgrammeRules, charity_id: str | None, max_thousands: int | None) -> None:
    """The charity must be configured; a cap must be a positive number of thousands."""
    if charity_id is not None and charity_id not in rules.charity_ids():
        raise refused(InvalidSettingError, "unknown_charity", "No such charity", "/charity_id")
    if max_thousands is not None and max_thousands < 1:
        detail = "The cap is a positive number of thousands of points"
        raise refused(InvalidSettingError, "too_small", detail, "/max_thousands")


def check_savings_amount(amount_cents: int | None, coming_cents: int) -> int | None:
    """A chosen amount of each payment is whole euros, positive, and no more than the
    money coming (the next payment as the points stand); None saves all of it."""
    if amount_cents is None:
        return None
    if amount_cents <= 0:
        raise refused(InvalidSettingError, "too_small", "Save a positive amount", "/amount/amount")
    if amount_cents % 100:
        raise refused(InvalidSettingError, "whole_euros", "Save whole euros", "/amount/amount")
    if amount_cents > coming_cents:
        detail = f"The money coming is {coming_cents} cents; save at most that"
        raise refused(InvalidSettingError, "too_big", detail, "/amount/amount")
    return amount_cents


@dataclass(frozen=True)
class SavingsChoice:
    """The main holder's saving: on until a release date (local midnight ``release_at``),
    all of each payment or ``amount_cents`` of it; or off."""

    on: bool
    release_on: date | None = None
    release_at: datetime | None = None
    amount_cents: int | None = None
