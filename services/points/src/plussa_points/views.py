"""What people see: read-only queries over the projections, shaped as response models.

Views read the store directly and skip the domain, except for the figures the domain
computes (spendable money, the projected grocery bonus)."""

from datetime import date, datetime

from pydantic import BaseModel

from plussa_points.context import PointsContext
from plussa_points.domain.access import Member, require_member
from plussa_points.domain.calendar import month_of
from plussa_points.domain.choices import SavingsChoice
from plussa_points.domain.errors import MainHolderOnlyError, StatementNotFoundError
from plussa_points.domain.lots import spendable_cents
from plussa_points.domain.statement import CharityChoice, grocery_bonus

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


async def member(ctx: PointsContext, person_id: str, household_id: str | None) -> Member:
    """The caller's active membership of the household their token names, else 404."""
    found = await ctx.store.members.member(household_id or "", person_id)
    return require_member(found, household_id)


async def balance(ctx: PointsContext, member: Member) -> BalanceView:
    """Money spendable, saved and still to be paid; points this month; choices."""
    now = ctx.now()
    household_id = member.household_id
    account = await ctx.store.views.account(household_id)
    live = [lot for lot in await ctx.store.money.open_lots(household_id) if lot.expires_at > now]
    saved = sum(lot.remaining_cents for lot in live if lot.saved_until and lot.saved_until > now and lot.paid_at <= now)
    month = month_of(now, ctx.rules.zone)
    grocery = (await ctx.store.views.month(household_id, month)).get("grocery_cents", 0)
    savings = account.get("savings") or {}
    charity = account.get("charity") or {}
    return BalanceView(
        household_id=household_id,
        spendable_cents=spendable_cents(live, now),
        saved_cents=saved,
        pending_cents=sum(lot.remaining_cents for lot in live if lot.paid_at > now),
        total_cents=sum(lot.remaining_cents for lot in live),
        points=account.get("points", 0),
        month=month,
        month_grocery_cents=grocery,
        projected_grocery_bonus=grocery_bonus(ctx.rules, grocery),
        status=account.get("status", "regular"),
        savings=SavingsView(on=bool(savings.get("on")), release_on=savings.get("release_on")),
        charity=CharityView(
            on=bool(charity), charity_id=charity.get("charity_id"), max_thousands=charity.get("max_thousands")
        ),
        next_expiry=min((lot.expires_at for lot in live), default=None),
    )


async def lots(ctx: PointsContext, member: Member) -> list[LotView]:
    """The household's lots with money left, oldest first, with their expiry."""
    return [LotView.model_validate({**d, "lot_id": d["_id"]}) for d in await ctx.store.views.lots(member.household_id)]


async def money_use(ctx: PointsContext, member: Member) -> list[MoneyUseView]:
    """Payouts, spends, expiries, savings and donations, newest first."""
    docs = await ctx.store.views.entries(member.household_id, MONEY_REASONS, ctx.settings.money_use_limit)
    return [
        MoneyUseView(
            reason=d["reason"], at=d["at"], cents=d["cents"], reference=d.get("reference"), details=d.get("details", {})
        )
        for d in docs
    ]


async def purchases(ctx: PointsContext, member: Member, month: str) -> MonthPurchasesView:
    """The person's own purchases of a month with points per line."""
    docs = await ctx.store.views.purchases(member.person_id, month)
    totals = await ctx.store.views.person_month(member.household_id, member.person_id, month)
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


async def statement(ctx: PointsContext, member: Member, month: str) -> StatementView:
    """The household's statement of a closed month: main holder only."""
    if not member.is_main:
        raise MainHolderOnlyError("Only the main holder sees the household's statements")
    doc = await ctx.store.views.statement(member.household_id, month)
    if doc is None:
        raise StatementNotFoundError("No statement for this month")
    return StatementView.model_validate(doc)


def charities(ctx: PointsContext) -> list[CharityOption]:
    """The configured charities."""
    return [CharityOption(charity_id=c.charity_id, name=c.name) for c in ctx.rules.charities]


def savings_view(choice: SavingsChoice) -> SavingsView:
    """The household's savings choice as answered."""
    return SavingsView(on=choice.on, release_on=choice.release_on)


def charity_view(choice: CharityChoice | None) -> CharityView:
    """The household's charity choice as answered."""
    if choice is None:
        return CharityView(on=False)
    return CharityView(on=True, charity_id=choice.charity_id, max_thousands=choice.max_thousands)
