"""Warranty periods: when a warranty ends and how long its receipt is kept."""

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """``start`` plus whole calendar months, clamped to the last day of a shorter month
    (31 January + 1 month is 28 or 29 February)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def warranty_ends_on(purchased_on: date, warranty_months: int) -> date:
    """The last day a shop honours a warranty of ``warranty_months`` bought on ``purchased_on``."""
    return add_months(purchased_on, warranty_months)


def kept_until(last_warranty_end: date, keep_months_after: int) -> date:
    """The receipt stays visible until this day: ``keep_months_after`` after its last warranty ends."""
    return add_months(last_warranty_end, keep_months_after)
