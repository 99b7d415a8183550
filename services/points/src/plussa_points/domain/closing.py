"""Month end of one household: its statement, its payout lot, its status, its ledger entries.

Charity takes whole thousands of the month's points first, then the rest converts to
whole cents and the odd points are carried. Best Customer status is recomputed from
the last months' purchases (net of returns). A payout made while saving is on stays
off the till until the saving's release time.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from plussa_points.domain.calendar import add_months, local_midnight, payout_date
from plussa_points.domain.ledger import Entry
from plussa_points.domain.rules import ProgrammeRules
from plussa_points.domain.statement import CharityChoice, MonthActivity, Statement, close_month
from plussa_points.domain.status import REGULAR, spend_in_window, status_of_spend, window_months


@dataclass(frozen=True)
class AccountState:
    """What month end reads of a household's account."""

    household_id: str
    carry_points: int = 0
    status: str = REGULAR
    spend_by_month: Mapping[str, int] | None = None
    charity: CharityChoice | None = None
    saving_until: datetime | None = None
    """The release time of the household's saving, when saving is on."""
    saving_cents: int | None = None
    """The amount of each payment saved (None: all of it)."""


@dataclass(frozen=True)
class OpenMonth:
    """One open month of a household's projection."""

    activity: MonthActivity
    purchase_cents: int


@dataclass(frozen=True)
class Closing:
    """A household's closed month and everything it changes."""

    household_id: str
    month: str
    statement: Statement
    status: str
    previous_status: str
    window_spend_cents: int
    closed_spend: Mapping[str, int]
    """Purchases of the closed months still inside the status window, by month."""
    dropped_months: tuple[str, ...]
    """Months of purchases that left the status window."""
    paid_at: datetime
    expires_at: datetime
    saved_until: datetime | None
    closed_at: datetime
    saved_cents: int | None = None
    """The part of the payout saved, when saving a chosen amount of each payment."""

    @property
    def saved_payout_cents(self) -> int:
        """How much of the payout is kept off the till."""
        if self.saved_until is None:
            return 0
        payout = self.statement.payout_cents
        return payout if self.saved_cents is None else min(self.saved_cents, payout)

    @property
    def statement_id(self) -> str:
        """``household:month``: a second run cannot pay the household twice."""
        return f"{self.household_id}:{self.month}"

    @property
    def lot_id(self) -> str:
        """The payout's lot."""
        return f"lot:{self.statement_id}"

    @property
    def points_change(self) -> int:
        """What the month end adds to (or takes from) the account's points."""
        st = self.statement
        return st.grocery_bonus_points - st.donation.points - st.converted_points

    def entries(self) -> list[Entry]:
        """The ledger entries of the closing: bonus, donation, conversion, payout."""
        st = self.statement
        charities = [{"charity_id": c, "cents": cents} for c, cents in st.donation.split]
        entries = []
        if st.grocery_bonus_points:
            entries.append(self._entry("bonus", points=st.grocery_bonus_points))
        if st.donation.points:
            details = {"donated_cents": st.donation.cents, "charities": charities}
            entries.append(self._entry("donation", points=-st.donation.points, details=details))
        if st.converted_points:
            entries.append(
                self._entry("conversion", points=-st.converted_points, details={"converted_cents": st.payout_cents})
            )
        if st.payout_cents:
            entries.append(self._entry("payout", cents=st.payout_cents, details={"lot_id": self.lot_id}))
        return entries

    def _entry(
        self, reason: str, *, points: int = 0, cents: int = 0, details: Mapping[str, object] | None = None
    ) -> Entry:
        return Entry(
            f"{reason}:{self.statement_id}",
            household_id=self.household_id,
            reason=reason,
            at=self.closed_at,
            month=self.month,
            points=points,
            cents=cents,
            reference=self.statement_id,
            details=details or {},
        )


def close_household(
    rules: ProgrammeRules, month: str, now: datetime, account: AccountState, open_months: Sequence[OpenMonth]
) -> Closing:
    """Close ``month`` (and any older month still open) for one household."""
    ordered = sorted(open_months, key=lambda m: m.activity.month)
    st = close_month(rules, account.carry_points, [m.activity for m in ordered], account.charity)
    paid_at, expires_at = _payout_times(month, rules.payout_day, rules.lot_validity_months, rules.zone)
    kept = _kept(window_months(rules, month))
    closed_spend = {m.activity.month: m.purchase_cents for m in ordered if m.activity.month in kept}
    spend = {**(account.spend_by_month or {}), **closed_spend}
    window_spend = spend_in_window(rules, spend, month)
    saving = account.saving_until
    saved_until = saving if saving is not None and saving > paid_at else None
    return Closing(
        household_id=account.household_id,
        month=month,
        statement=st,
        status=status_of_spend(rules, window_spend),
        previous_status=account.status,
        window_spend_cents=window_spend,
        closed_spend=closed_spend,
        dropped_months=tuple(m for m in spend if m not in kept and m <= month),
        paid_at=paid_at,
        expires_at=expires_at,
        saved_until=saved_until,
        closed_at=now,
        saved_cents=account.saving_cents if saved_until is not None else None,
    )


@lru_cache(maxsize=64)
def _payout_times(month: str, payout_day: int, validity_months: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    # The same for every household of the month: computed once per month.
    paid_on = payout_date(month, payout_day)
    return local_midnight(paid_on, zone), local_midnight(add_months(paid_on, validity_months), zone)


@lru_cache(maxsize=64)
def _kept(window: tuple[str, ...]) -> frozenset[str]:
    return frozenset(window)
