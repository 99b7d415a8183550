"""The programme's figures as the domain reads them (built from settings)."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class GroceryStep:
    """From ``from_cents`` of grocery spend in a month, ``points_per_euro`` extra points per euro."""

    from_cents: int
    points_per_euro: int


@dataclass(frozen=True)
class Charity:
    """A charity points may be donated to."""

    charity_id: str
    name: str


@dataclass(frozen=True)
class ProgrammeRules:
    """Every figure of the earning, money and status rules."""

    timezone: str
    base_points_per_euro: int
    excluded_categories: frozenset[str]
    grocery_categories: frozenset[str]
    grocery_steps: tuple[GroceryStep, ...]
    mastercard_multiplier: int
    mastercard_window_start: date | None
    mastercard_window_end: date | None
    conversion_points: int
    conversion_cents: int
    payout_day: int
    lot_validity_months: int
    savings_max_months: int
    charities: tuple[Charity, ...]
    best_customer_threshold_cents: int
    best_customer_window_months: int
    max_purchase_cents: int
    max_purchase_lines: int
    max_line_quantity: int
    max_campaign_points: int
    max_spend_cents: int
    purchase_clock_skew_s: int
    purchase_max_age_days: int

    @cached_property
    def zone(self) -> ZoneInfo:
        """The programme's calendar: months and payout days are local to it."""
        return ZoneInfo(self.timezone)

    def charity_ids(self) -> list[str]:
        """The configured charities, in their configured order."""
        return [c.charity_id for c in self.charities]
