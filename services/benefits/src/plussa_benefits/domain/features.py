"""What targeting knows about a person, kept current from their own purchases.

Spend is kept in monthly buckets (per category, per chain, and purchase counts), so a
window of the last N months is a sum of N buckets: windows roll as months pass without
rescanning purchases, and buckets older than the longest window are dropped.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from plussa_benefits.domain.calendar import month_of, months_back, shift_month
from plussa_benefits.domain.purchases import Purchase

KEEP_MONTHS = 13
"""Buckets kept: a 12-month window plus the month in progress."""
MAX_STORES = 200
"""Stores remembered per person, the most recently visited first."""

Buckets = dict[str, dict[str, int]]
"""key (category or chain) -> month -> cents."""


@dataclass
class PersonFeatures:
    """A person's features; what segment rules read."""

    person_id: str
    household_id: str | None = None
    role: str | None = None
    language: str = "fi"
    status: str = "regular"
    category_spend: Buckets = field(default_factory=dict)
    chain_spend: Buckets = field(default_factory=dict)
    purchase_counts: dict[str, int] = field(default_factory=dict)
    stores: dict[str, str] = field(default_factory=dict)
    """store id -> the month of the last visit."""
    _memo: dict[tuple[object, ...], Any] = field(default_factory=dict, repr=False, compare=False)
    """Answers already computed since the last change: every segment of every offer asks."""

    def add_purchase(self, purchase: Purchase, zone: ZoneInfo) -> None:
        """Count a purchase in its month's buckets; returns subtract through ``add_return``."""
        self._memo.clear()
        month = month_of(purchase.occurred_at, zone)
        for line in purchase.lines:
            _add(self.category_spend, line.category, month, line.amount_cents)
        _add(self.chain_spend, purchase.chain, month, sum(line.amount_cents for line in purchase.lines))
        self.purchase_counts[month] = self.purchase_counts.get(month, 0) + 1
        if self.stores.get(purchase.store_id, "") <= month:
            self.stores[purchase.store_id] = month
        self._prune(month)

    def add_return(self, purchase: Purchase, returned: dict[str, int], zone: ZoneInfo) -> None:
        """Take returned cents off the purchase's month, never below zero."""
        self._memo.clear()
        month = month_of(purchase.occurred_at, zone)
        total = 0
        for line in purchase.lines:
            cents = min(returned.get(line.line_id, 0), line.amount_cents)
            total += cents
            _add(self.category_spend, line.category, month, -cents)
        _add(self.chain_spend, purchase.chain, month, -total)

    def spend(self, now: datetime, zone: ZoneInfo, months: int, category: str | None, chain: str | None) -> int:
        """Cents spent in the last ``months`` months (this one included), optionally in one category or chain."""
        # Keyed by the instant itself: every segment and offer asks at the same ``now``,
        # and finding its month is dearer than the sum.
        key = ("spend", now, zone, months, category, chain)
        if key not in self._memo:
            window = months_back(month_of(now, zone), months)
            if category is not None:
                self._memo[key] = _sum(self.category_spend.get(category, {}), window)
            elif chain is not None:
                self._memo[key] = _sum(self.chain_spend.get(chain, {}), window)
            else:
                self._memo[key] = sum(_sum(buckets, window) for buckets in self.chain_spend.values())
        return int(self._memo[key])

    def purchases(self, now: datetime, zone: ZoneInfo, months: int) -> int:
        """Purchases in the last ``months`` months."""
        return _sum(self.purchase_counts, months_back(month_of(now, zone), months))

    def visited(self, now: datetime, zone: ZoneInfo, months: int) -> frozenset[str]:
        """Stores visited in the last ``months`` months."""
        key = ("visited", now, zone, months)
        if key not in self._memo:
            oldest = shift_month(month_of(now, zone), -(months - 1))
            self._memo[key] = frozenset(store for store, month in self.stores.items() if month >= oldest)
        visited: frozenset[str] = self._memo[key]
        return visited

    def _prune(self, latest: str) -> None:
        oldest = shift_month(latest, -(KEEP_MONTHS - 1))
        for spend in (self.category_spend, self.chain_spend):
            for key in list(spend):
                spend[key] = {m: c for m, c in spend[key].items() if m >= oldest}
                if not spend[key]:
                    del spend[key]
        self.purchase_counts = {m: c for m, c in self.purchase_counts.items() if m >= oldest}
        recent = sorted(self.stores.items(), key=lambda item: item[1], reverse=True)
        self.stores = {store: month for store, month in recent[:MAX_STORES] if month >= oldest}


def _add(buckets: Buckets, key: str, month: str, cents: int) -> None:
    months = buckets.setdefault(key, {})
    months[month] = max(0, months.get(month, 0) + cents)


def _sum(months: dict[str, int], window: tuple[str, ...]) -> int:
    return sum(months.get(month, 0) for month in window)
