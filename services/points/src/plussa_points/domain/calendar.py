"""Calendar months of the programme: a month is ``YYYY-MM`` in the programme's time zone."""

import calendar
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def month_of(at: datetime, zone: ZoneInfo) -> str:
    """The programme month an instant falls in."""
    local = at.astimezone(zone)
    return f"{local.year:04d}-{local.month:02d}"


def parse_month(month: str) -> tuple[int, int]:
    """``2026-03`` -> (2026, 3); ValueError for anything else."""
    if not re.match(MONTH_PATTERN, month):
        raise ValueError(f"not a month: {month!r}")
    year, mon = month.split("-")
    return int(year), int(mon)


def shift_month(month: str, months: int) -> str:
    """The month ``months`` after (or before, when negative) ``month``."""
    year, mon = parse_month(month)
    index = year * 12 + (mon - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_start(month: str, zone: ZoneInfo) -> datetime:
    """The first instant of a month, in UTC."""
    year, mon = parse_month(month)
    return datetime.combine(date(year, mon, 1), time(0), tzinfo=zone).astimezone(UTC)


def month_has_ended(month: str, now: datetime, zone: ZoneInfo) -> bool:
    """Whether ``now`` is past the end of ``month``."""
    return now >= month_start(shift_month(month, 1), zone)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, mon = index // 12, index % 12 + 1
    return date(year, mon, min(day.day, calendar.monthrange(year, mon)[1]))


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of a local day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def payout_date(month: str, payout_day: int) -> date:
    """The day a month's Plussa money is paid: ``payout_day`` of the next month."""
    year, mon = parse_month(shift_month(month, 1))
    return date(year, mon, payout_day)


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive."""
    out = []
    current = first
    while current <= last:
        out.append(current)
        current = shift_month(current, 1)
    return out


def accounting_month(occurred_month: str, last_closed_month: str | None) -> str:
    """The month a ledger entry counts in: its own, or the first still open when that one is closed."""
    if last_closed_month is None or occurred_month > last_closed_month:
        return occurred_month
    return shift_month(last_closed_month, 1)
