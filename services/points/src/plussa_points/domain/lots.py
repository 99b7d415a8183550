"""Plussa money lots: each month's payout is one lot, valid for a fixed time.

Spending and expiry take the oldest lot first. Saved lots are not offered at the
till until their release time. A lot is usable from its payment time until (not
including) its expiry time, so at the very second a lot expires it is no longer
spendable and belongs to expiry.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Lot:
    """One payout of Plussa money and what is left of it."""

    lot_id: str
    paid_at: datetime
    expires_at: datetime
    remaining_cents: int
    saved_until: datetime | None = None
    saved_cents: int | None = None
    """How much of the lot saving keeps off the till until ``saved_until`` (a chosen
    amount of each payment); None: all of it."""

    @property
    def held_cents(self) -> int:
        """The cents saving holds while it lasts."""
        return self.remaining_cents if self.saved_cents is None else min(self.saved_cents, self.remaining_cents)

    def saved_part(self, now: datetime) -> int:
        """The cents of the lot kept off the till right now."""
        if self.saved_until is None or self.saved_until <= now:
            return 0
        return self.held_cents

    def spendable_part(self, now: datetime) -> int:
        """The cents of the lot the till may offer right now."""
        if self.remaining_cents <= 0 or not self.paid_at <= now < self.expires_at:
            return 0
        return self.remaining_cents - self.saved_part(now)

    def is_spendable(self, now: datetime) -> bool:
        """Offered at the till right now."""
        return self.spendable_part(now) > 0

    def is_expired(self, now: datetime) -> bool:
        """Past its validity with money left."""
        return self.remaining_cents > 0 and now >= self.expires_at


def oldest_first(lots: Sequence[Lot]) -> list[Lot]:
    """Lots in the order money is taken from them."""
    return sorted(lots, key=lambda lot: (lot.paid_at, lot.lot_id))


def spendable_cents(lots: Sequence[Lot], now: datetime) -> int:
    """Money the till may offer now."""
    return sum(lot.spendable_part(now) for lot in lots)


def allocate_spend(lots: Sequence[Lot], amount_cents: int, now: datetime) -> list[tuple[str, int]]:
    """Take up to ``amount_cents`` from spendable lots, oldest first: [(lot_id, cents)]."""
    left = amount_cents
    taken = []
    for lot in oldest_first(lots):
        if left <= 0:
            break
        if not lot.is_spendable(now):
            continue
        cents = min(lot.spendable_part(now), left)
        taken.append((lot.lot_id, cents))
        left -= cents
    return taken
