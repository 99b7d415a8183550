"""Programme months (``YYYY-MM`` in the programme's time zone) and purchase categories.

Month arithmetic runs for every offer of every purchase, so its answers are cached.
"""

import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

CATEGORIES = frozenset(
    {
        "grocery",
        "alcohol",
        "tobacco",
        "deposit",
        "betting",
        "gift_card",
        "electronics",
        "hardware",
        "home",
        "fuel",
        "other",
    }
)


@lru_cache(maxsize=4096)
def month_of(at: datetime, zone: ZoneInfo) -> str:
    """The programme month an instant falls in."""
    local = at.astimezone(zone)
    return f"{local.year:04d}-{local.month:02d}"


@lru_cache(maxsize=4096)
def shift_month(month: str, months: int) -> str:
    """The month ``months`` after (or before, when negative) ``month``."""
    if not re.match(MONTH_PATTERN, month):
        raise ValueError(f"not a month: {month!r}")
    year, mon = (int(part) for part in month.split("-"))
    index = year * 12 + (mon - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@lru_cache(maxsize=1024)
def months_back(month: str, count: int) -> tuple[str, ...]:
    """``month`` and the ``count - 1`` months before it, newest first."""
    return tuple(shift_month(month, -offset) for offset in range(count))
