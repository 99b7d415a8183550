"""What people see: read-only queries over the projections, shaped as response models."""

from datetime import date, datetime

from pydantic import BaseModel
from pymongo import ASCENDING, DESCENDING

from plussa_points.context import Points
from plussa_points.domain.access import Member
from plussa_points.domain.calendar import month_of
from plussa_points.domain.errors import MainHolderOnlyError
from plussa_points.domain.lots import spendable_cents
from plussa_points.domain.statement import grocery_bonus
from plussa_points.store import month_key, person_key
from plussa_shared.errors import NotFoundError

MONEY_REASONS = ["payout", "spend", "expiry", "savings", "donation"]


class SavingsView(BaseModel):
    """The household's savings choice."""

    on: bool
    release_on: date | None = None


class CharityView(BaseModel):
    """The household's charity choice."""

    on: bool
    charity_id: str | None = None
    max_thousands: int | None = None


class BalanceView(BaseModel):
    """The household's Plussa money and points right now."""

    household_id: str
    spendable_cents: int
    saved_cents: int
    pending_cents: int
    total_cents: int
    points: int
    month: str
    month_grocery_cents: int
    projected_grocery_bonus: int
    status: str
    savings: SavingsView
    charity: CharityView
    next_expiry: datetime | None


class LotView(BaseModel):
    """One payout of Plussa money."""

    lot_id: str
    month: str
    cents: int
    remaining_cents: int
    paid_at: datetime
    expires_at: datetime
    saved_until: datetime | None


class MoneyUseView(BaseModel):
    """One movement of the household's money."""

    reason: str
    at: datetime
    cents: int
    reference: str | None
    details: dict[str, object] = {}


class LineView(BaseModel):
    """A purchase line with its points."""

    line_id: str
    name: str
    category: str
    quantity: int
    amount_cents: int
    eligible: bool
    points: int
    returned_quantity: int
    returned_cents: int


class PurchaseView(BaseModel):
    """One of the person's purchases."""

    purchase_id: str
    store_name: str
    chain: str
    occurred_at: datetime
    total_cents: int
    points: int
    points_reversed: int
    lines: list[LineView]


class MonthPurchasesView(BaseModel):
    """A person's purchases in one month."""

    month: str
    points: int
    spend_cents: int
    purchases: list[PurchaseView]


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
    status: str


class CharityOption(BaseModel):
    """A charity people may choose."""

    charity_id: str
    name: str


async def balance(pts: Points, member: Member) -> BalanceView:
    """Money spendable, saved and still to be paid; points this month; choices."""
    now = pts.clock()
    household_id = member.household_id
    account = await pts.store.account(household_id) or {}
    lots = await pts.store.open_lots(household_id)
    live = [lot for lot in lots if lot.expires_at > now]
    spendable = spendable_cents(live, now)
    saved = sum(lot.remaining_cents for lot in live if lot.saved_until and lot.saved_until > now and lot.paid_at <= now)
    pending = sum(lot.remaining_cents for lot in live if lot.paid_at > now)
    month = month_of(now, pts.rules.zone)
    current = await pts.store.household_months.find_one({"_id": month_key(household_id, month)}) or {}
    grocery = current.get("grocery_cents", 0)
    savings = account.get("savings") or {}
    charity = account.get("charity") or {}
    return BalanceView(
        household_id=household_id,
        spendable_cents=spendable,
        saved_cents=saved,
        pending_cents=pending,
        total_cents=sum(lot.remaining_cents for lot in live),
        points=account.get("points", 0),
        month=month,
        month_grocery_cents=grocery,
        projected_grocery_bonus=grocery_bonus(pts.rules, grocery),
        status=account.get("status", "regular"),
        savings=SavingsView(on=bool(savings.get("on")), release_on=savings.get("release_on")),
        charity=CharityView(
            on=bool(charity), charity_id=charity.get("charity_id"), max_thousands=charity.get("max_thousands")
        ),
        next_expiry=min((lot.expires_at for lot in live), default=None),
    )


async def lots(pts: Points, member: Member) -> list[LotView]:
    """The household's lots with money left, oldest first, with their expiry."""
    docs = (
        await pts.store.lots.find({"household_id": member.household_id, "remaining_cents": {"$gt": 0}})
        .sort([("paid_at", ASCENDING)])
        .to_list()
    )
    return [LotView.model_validate({**d, "lot_id": d["_id"]}) for d in docs]


async def money_use(pts: Points, member: Member) -> list[MoneyUseView]:
    """Payouts, spends, expiries, savings and donations, newest first."""
    docs = (
        await pts.store.ledger.find({"household_id": member.household_id, "reason": {"$in": MONEY_REASONS}})
        .sort([("at", DESCENDING)])
        .limit(pts.settings.money_use_limit)
        .to_list()
    )
    return [
        MoneyUseView(
            reason=d["reason"], at=d["at"], cents=d["cents"], reference=d.get("reference"), details=d.get("details", {})
        )
        for d in docs
    ]


async def purchases(pts: Points, member: Member, month: str) -> MonthPurchasesView:
    """The person's own purchases of a month with points per line."""
    docs = (
        await pts.store.purchases.find({"person_id": member.person_id, "month": month})
        .sort([("occurred_at", DESCENDING)])
        .to_list()
    )
    household_month = await pts.store.household_months.find_one({"_id": month_key(member.household_id, month)}) or {}
    totals = household_month.get("persons", {}).get(person_key(member.person_id), {})
    return MonthPurchasesView(
        month=month,
        points=totals.get("points", 0),
        spend_cents=totals.get("spend_cents", 0),
        purchases=[
            PurchaseView(
                purchase_id=d["_id"],
                store_name=d.get("store_name", ""),
                chain=d["chain"],
                occurred_at=d["occurred_at"],
                total_cents=d["total_cents"],
                points=d["points"],
                points_reversed=d.get("points_reversed", 0),
                lines=[LineView.model_validate(x) for x in d["lines"]],
            )
            for d in docs
        ],
    )


async def statement(pts: Points, member: Member, month: str) -> StatementView:
    """The household's statement of a closed month: main holder only."""
    if not member.is_main:
        raise MainHolderOnlyError("Only the main holder sees the household's statements")
    doc = await pts.store.statements.find_one({"_id": month_key(member.household_id, month)})
    if doc is None:
        raise NotFoundError("No statement for this month", slug="statement-not-found")
    return StatementView.model_validate(doc)


def charities(pts: Points) -> list[CharityOption]:
    """The configured charities."""
    return [CharityOption(charity_id=c.charity_id, name=c.name) for c in pts.rules.charities]
