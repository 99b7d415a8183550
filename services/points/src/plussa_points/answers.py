"""The answers of the customer routes: what each field means is what a BFF reads.

Money fields added for the portal are ``Money`` (integer cents with the currency);
fields named ``*_cents`` predate it and stay for the clients that read them.
"""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# A purchase's answer is defined apart, for the read model that stores it as JSON.
from plussa_points.purchase_view import LineView as LineView
from plussa_points.purchase_view import PurchaseView as PurchaseView
from plussa_shared.languages import LocalizedText
from plussa_shared.money import Money
from plussa_shared.paging import Page

Status = Literal["best_customer", "regular"]
MoneyReason = Literal["payout", "spend", "expiry", "savings", "donation"]


class SavingsView(BaseModel):
    """The household's savings choice."""

    on: bool
    release_on: date | None = Field(default=None, description="The day saved money returns to the till")
    amount: Money | None = Field(default=None, description="Saved of each payment; null: all of it")
    version: int = Field(ge=0, description="Send as If-Match (quoted) to change the choice")


class CharityView(BaseModel):
    """The household's charity choice."""

    on: bool
    charity_id: str | None = Field(default=None, description="Null: split among all charities")
    max_thousands: int | None = Field(default=None, description="Null: all whole thousands of points")
    version: int = Field(ge=0, description="Send as If-Match (quoted) to change the choice")


class GroceryStepView(BaseModel):
    """A monthly grocery bonus step."""

    model_config = ConfigDict(frozen=True)  # one per configured step, shared by every answer

    from_spend: Money = Field(description="The month's grocery spend from which the step applies")
    points_per_euro: int = Field(description="Extra points per euro of the month's grocery spend")


class GroceryProgressView(BaseModel):
    """This month's grocery spend on the bonus steps."""

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    steps: list[GroceryStepView]
    spend: Money
    current_step: GroceryStepView | None = Field(description="The highest step reached; null: none yet")
    next_step: GroceryStepView | None = Field(description="The next step; null: the top step is reached")
    gap_to_next_step: Money | None = Field(description="Grocery spend still needed for the next step")
    projected_bonus_points: int = Field(description="The bonus as the month stands; paid at month end")


class ExpiryView(BaseModel):
    """The money that expires first."""

    amount: Money
    at: datetime


class BalanceView(BaseModel):
    """The household's Plussa money, points, grocery progress and choices right now."""

    household_id: str
    spendable: Money = Field(description="Offered at the till now")
    saved: Money = Field(description="Kept off the till by saving")
    pending: Money = Field(description="Paid out but not payable yet")
    total: Money
    coming_payment: Money = Field(description="What the next month end would pay as the points stand (before charity)")
    spendable_cents: int
    saved_cents: int
    pending_cents: int
    total_cents: int
    points: int
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    month_grocery_cents: int
    projected_grocery_bonus: int
    grocery: GroceryProgressView
    status: Status
    savings: SavingsView
    charity: CharityView
    next_expiry: datetime | None
    next_expiring: ExpiryView | None = Field(description="The amount and time of the next expiry")


class LotView(BaseModel):
    """One payout of Plussa money."""

    lot_id: str
    month: str
    cents: int
    remaining_cents: int
    remaining: Money
    paid_at: datetime
    expires_at: datetime
    saved_until: datetime | None


class MoneyUseView(BaseModel):
    """One movement of the household's money."""

    reason: MoneyReason
    at: datetime
    cents: int
    amount: Money = Field(description="Negative when money left the account")
    reference: str | None
    details: dict[str, object] = {}


class MonthPurchasesView(Page[PurchaseView]):
    """A person's purchases in one month, a page at a time, with the month's totals."""

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    points: int
    spend_cents: int


class StatementSummaryView(BaseModel):
    """A closed month in the list of statements."""

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    payout: Money
    month_points: int
    status: Status


class DonationShareView(BaseModel):
    """One charity's share."""

    charity_id: str
    cents: int


class StatementView(BaseModel):
    """A household's closed month, step by step."""

    month: str
    carried_in: int
    base_points: int
    mastercard_points: int
    campaign_points: int
    reversed_points: int
    grocery_cents: int
    grocery_bonus_points: int
    month_points: int
    donated_points: int
    donated_cents: int
    donations: list[DonationShareView]
    converted_points: int
    payout_cents: int
    carried_out: int
    status: Status


class CharityOption(BaseModel):
    """A charity people may choose, named in Finnish, Swedish and English."""

    charity_id: str
    name: LocalizedText


class RejectedPurchaseView(BaseModel):
    """A purchase that could not be credited, and why."""

    purchase_id: str
    card_number: str
    store_id: str
    occurred_at: datetime
    total: Money
    reason: str = Field(description="The problem slug: unknown-card, card-cannot-earn, invalid-purchase")
    detail: str
    attempts: int = Field(description="How many times it was refused (retries, replays, re-applications)")
    first_rejected_at: datetime
    last_rejected_at: datetime
    state: str = Field(json_schema_extra={"enum": ["rejected", "credited"]}, description="credited: applied since")
