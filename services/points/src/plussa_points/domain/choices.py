"""Validating the main holder's savings and charity choices."""

from dataclasses import dataclass
from datetime import date, datetime

from plussa_points.domain.calendar import add_months
from plussa_points.domain.errors import InvalidSettingError
from plussa_points.domain.rules import ProgrammeRules


def check_release_date(rules: ProgrammeRules, release_on: date | None, today: date) -> date:
    """A savings release date must be after today and at most the configured months ahead."""
    if release_on is None:
        raise InvalidSettingError("Saving needs a release date", field="release_on")
    latest = add_months(today, rules.savings_max_months)
    if release_on <= today or release_on > latest:
        raise InvalidSettingError(
            f"The release date must be after {today.isoformat()} and no later than {latest.isoformat()}",
            field="release_on",
        )
    return release_on


def check_charity(rules: ProgrammeRules, charity_id: str | None, max_thousands: int | None) -> None:
    """The charity must be configured; a cap must be a positive number of thousands."""
    if charity_id is not None and charity_id not in rules.charity_ids():
        raise InvalidSettingError("No such charity", field="charity_id")
    if max_thousands is not None and max_thousands < 1:
        raise InvalidSettingError("The cap is a positive number of thousands of points", field="max_thousands")


@dataclass(frozen=True)
class SavingsChoice:
    """The main holder's saving: on until a release date (local midnight ``release_at``), or off."""

    on: bool
    release_on: date | None = None
    release_at: datetime | None = None
