"""What the portal's front page shows of a household right now: its money by state, the
next expiry, the grocery bonus steps and the month's progress on them, and the money
coming at the next month end. Computed from the read model at the time of reading."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from plussa_points.domain.lots import Lot
from plussa_points.domain.rules import GroceryStep, ProgrammeRules
from plussa_points.domain.statement import grocery_bonus, points_to_cents


@dataclass(frozen=True)
class MoneyNow:
    """The household's Plussa money at one instant."""

    spendable_cents: int
    saved_cents: int
    pending_cents: int
    total_cents: int
    next_expiry_at: datetime | None
    next_expiry_cents: int


def money_now(lots: Sequence[Lot], now: datetime) -> MoneyNow:
    """Spendable, saved and not yet paid money of the lots not expired, and what expires first."""
    live = [lot for lot in lots if lot.remaining_cents > 0 and lot.expires_at > now]
    paid = [lot for lot in live if lot.paid_at <= now]
    next_at = min((lot.expires_at for lot in live), default=None)
    return MoneyNow(
        spendable_cents=sum(lot.spendable_part(now) for lot in live),
        saved_cents=sum(lot.saved_part(now) for lot in paid),
        pending_cents=sum(lot.remaining_cents for lot in live if lot.paid_at > now),
        total_cents=sum(lot.remaining_cents for lot in live),
        next_expiry_at=next_at,
        next_expiry_cents=sum(lot.remaining_cents for lot in live if lot.expires_at == next_at),
    )


@dataclass(frozen=True)
class GroceryProgress:
    """The month's grocery spend on the bonus steps."""

    steps: tuple[GroceryStep, ...]
    spend_cents: int
    current: GroceryStep | None
    next: GroceryStep | None
    gap_cents: int | None
    """Spend still needed to reach the next step (None: the top step is reached)."""
    projected_bonus_points: int


def grocery_progress(rules: ProgrammeRules, spend_cents: int) -> GroceryProgress:
    """Which step the month's grocery spend has reached and how far the next one is."""
    reached = [step for step in rules.grocery_steps if spend_cents >= step.from_cents]
    ahead = [step for step in rules.grocery_steps if spend_cents < step.from_cents]
    following = ahead[0] if ahead else None
    return GroceryProgress(
        steps=rules.grocery_steps,
        spend_cents=spend_cents,
        current=reached[-1] if reached else None,
        next=following,
        gap_cents=following.from_cents - spend_cents if following else None,
        projected_bonus_points=grocery_bonus(rules, spend_cents),
    )


def coming_payment_cents(rules: ProgrammeRules, points: int, month_grocery_cents: int) -> int:
    """The money the next month end would pay as the points stand now (before any
    charity), with the month's projected grocery bonus."""
    cents, _ = points_to_cents(rules, points + grocery_bonus(rules, month_grocery_cents))
    return cents
