"""Best Customer status: household purchases over a threshold in the previous months,
counted on eligible spend only (the lines that earn points, returns taken off)."""

from collections.abc import Mapping
from functools import lru_cache

from plussa_points.domain.calendar import shift_month
from plussa_points.domain.rules import ProgrammeRules

BEST_CUSTOMER = "best_customer"
REGULAR = "regular"


def window_months(rules: ProgrammeRules, month: str) -> tuple[str, ...]:
    """The months counted when status is computed at the end of ``month``."""
    return _window(month, rules.best_customer_window_months)


@lru_cache(maxsize=64)
def _window(month: str, length: int) -> tuple[str, ...]:
    # Month end asks this for every household of one month: computed once per month.
    return tuple(shift_month(month, -i) for i in range(length))


def spend_in_window(rules: ProgrammeRules, spend_by_month: Mapping[str, int], month: str) -> int:
    """Eligible spend (net of returns) in the window ending with ``month``."""
    return sum(spend_by_month.get(m, 0) for m in window_months(rules, month))


def status_for(rules: ProgrammeRules, spend_by_month: Mapping[str, int], month: str) -> str:
    """``best_customer`` when the window's purchases exceed the threshold, else ``regular``."""
    return status_of_spend(rules, spend_in_window(rules, spend_by_month, month))


def status_of_spend(rules: ProgrammeRules, window_spend_cents: int) -> str:
    """The status of a household whose purchases in the window came to ``window_spend_cents``."""
    return BEST_CUSTOMER if window_spend_cents > rules.best_customer_threshold_cents else REGULAR
