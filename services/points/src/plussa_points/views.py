"""What people see: read-only queries over the projections, shaped as the answers of
``plussa_points.answers``. Views read the store directly and skip the domain, except
for the figures the domain computes (money by state now, grocery progress, the coming
payment). The balance is one read of the household's read model."""

import functools
from typing import Any, Literal

from plussa_points.answers import (
    BalanceView,
    CharityOption,
    CharityView,
    ExpiryView,
    GroceryProgressView,
    GroceryStepView,
    LotView,
    MoneyReason,
    MoneyUseView,
    MonthPurchasesView,
    PurchaseView,
    RejectedPurchaseView,
    SavingsView,
    StatementSummaryView,
    StatementView,
)
from plussa_points.context import PointsContext
from plussa_points.domain.access import Member, require_main, require_member
from plussa_points.domain.calendar import month_of
from plussa_points.domain.errors import MainHolderOnlyError, RecordNotFoundError, StatementNotFoundError
from plussa_points.domain.ingest import Recorded
from plussa_points.domain.lots import Lot
from plussa_points.domain.progress import coming_payment_cents, grocery_progress, money_now
from plussa_points.domain.rules import GroceryStep
from plussa_points.purchase_view import purchase_view
from plussa_points.store.collections import MEMBERS_LIST
from plussa_points.store.mappers import listed_member
from plussa_points.use_cases import pages
from plussa_shared.money import Money
from plussa_shared.mongo import Document
from plussa_shared.paging import Page
from plussa_shared.routing import PreparedJson

MONEY_REASONS: list[MoneyReason] = ["payout", "spend", "expiry", "savings", "donation"]
Scope = Literal["mine", "household"]


async def member(ctx: PointsContext, person_id: str, household_id: str | None) -> Member:
    """The caller's active membership of the household their token names, else 404."""
    found = await ctx.store.members.member(household_id or "", person_id)
    return require_member(found, household_id)


async def member_and_balance(ctx: PointsContext, person_id: str, household_id: str | None) -> tuple[Member, Document]:
    """The caller's active membership of the household their token names (else 404) and
    the household's balance view: one read, the view lists the household's active members."""
    doc = await ctx.store.ledger.balance.of(household_id or "")
    if MEMBERS_LIST in doc:
        return require_member(listed_member(doc, household_id or "", person_id), household_id), doc
    return await member(ctx, person_id, household_id), doc  # a view that does not list its members yet


async def balance(ctx: PointsContext, member: Member, doc: Document) -> BalanceView:
    """Money by state, points, this month's grocery progress, the next expiry and the
    choices, from the household's balance view ``doc``."""
    now = ctx.now()
    lots = [_lot(d) for d in doc.get("lots", [])]
    money = money_now(lots, now)
    month = month_of(now, ctx.rules.zone)
    grocery = doc.get("grocery", {}).get(month, 0)
    progress = grocery_progress(ctx.rules, grocery)
    points = doc.get("points", 0)
    expiring = None
    if money.next_expiry_at is not None:
        expiring = ExpiryView(amount=Money.eur(money.next_expiry_cents), at=money.next_expiry_at)
    return BalanceView(
        household_id=member.household_id,
        spendable=Money.eur(money.spendable_cents),
        saved=Money.eur(money.saved_cents),
        pending=Money.eur(money.pending_cents),
        total=Money.eur(money.total_cents),
        coming_payment=Money.eur(coming_payment_cents(ctx.rules, points, grocery)),
        spendable_cents=money.spendable_cents,
        saved_cents=money.saved_cents,
        pending_cents=money.pending_cents,
        total_cents=money.total_cents,
        points=points,
        month=month,
        month_grocery_cents=grocery,
        projected_grocery_bonus=progress.projected_bonus_points,
        grocery=GroceryProgressView(
            month=month,
            steps=[_step(s) for s in progress.steps],
            spend=Money.eur(grocery),
            current_step=_step(progress.current) if progress.current else None,
            next_step=_step(progress.next) if progress.next else None,
            gap_to_next_step=Money.eur(progress.gap_cents) if progress.gap_cents is not None else None,
            projected_bonus_points=progress.projected_bonus_points,
        ),
        status=doc.get("status", "regular"),
        savings=savings_of(doc),
        charity=charity_of(doc),
        next_expiry=money.next_expiry_at,
        next_expiring=expiring,
    )


async def savings(ctx: PointsContext, member: Member) -> SavingsView:
    """The household's savings choice with its version."""
    return savings_of(await ctx.store.ledger.balance.of(require_main(member).household_id))


async def charity(ctx: PointsContext, member: Member) -> CharityView:
    """The household's charity choice with its version."""
    return charity_of(await ctx.store.ledger.balance.of(require_main(member).household_id))


def savings_of(doc: Document) -> SavingsView:
    """The savings choice as the read model holds it."""
    chosen = doc.get("savings") or {}
    amount = chosen.get("amount_cents")
    return SavingsView(
        on=bool(chosen.get("on")),
        release_on=chosen.get("release_on"),
        amount=Money.eur(amount) if amount is not None else None,
        version=doc.get("savings_version", 0),
    )


def charity_of(doc: Document) -> CharityView:
    """The charity choice as the read model holds it."""
    chosen = doc.get("charity") or {}
    return CharityView(
        on=bool(chosen),
        charity_id=chosen.get("charity_id"),
        max_thousands=chosen.get("max_thousands"),
        version=doc.get("charity_version", 0),
    )


async def lots(ctx: PointsContext, member: Member, limit: int, cursor: str | None) -> Page[LotView]:
    """The household's lots with money left, oldest first, with their expiry."""
    docs, after = await ctx.store.views.lots_page(member.household_id, limit, cursor)
    items = [
        # A lot never saved is stored without ``saved_until``; the answer still names it.
        LotView.model_validate(
            {**d, "lot_id": d["_id"], "remaining": Money.eur(d["remaining_cents"]), "saved_until": d.get("saved_until")}
        )
        for d in docs
    ]
    return Page(items=items, next_cursor=after)


async def money_use(ctx: PointsContext, member: Member, limit: int, cursor: str | None) -> Page[MoneyUseView]:
    """Payouts, spends, expiries, savings and donations, newest first."""
    docs, after = await ctx.store.views.entries_page(member.household_id, list(MONEY_REASONS), limit, cursor)
    items = [
        MoneyUseView(
            reason=d["reason"],
            at=d["at"],
            cents=d["cents"],
            amount=Money.eur(d["cents"]),
            reference=d.get("reference"),
            details=d.get("details", {}),
        )
        for d in docs
    ]
    return Page(items=items, next_cursor=after)


async def purchases(
    ctx: PointsContext, person_id: str, household_id: str | None, month: str, limit: int, cursor: str | None
) -> MonthPurchasesView | PreparedJson:
    """The caller's own purchases of a month with points per line, and the month's totals,
    if they are an active member of the household their token names (else 404). A first
    page of the default size or less is one read of the month's page, which lists the
    household's active members and holds the answer's items as JSON; any other page (or
    one whose document is missing or lists no members) is one aggregation over the
    household's balance view. A first page of this month or the last whose document is
    missing has it built once the aggregation has answered (``use_cases.pages``)."""
    first_page = cursor is None and limit <= ctx.store.pages.size
    page = await ctx.store.pages.read(household_id or "", person_id, month, limit) if first_page else None
    if page is not None and page.lists_members:
        require_member(listed_member(page.doc, household_id or "", person_id), household_id)
        return PreparedJson(page.body(limit))
    answer = await month_purchases(ctx, person_id, household_id, month, limit, cursor)
    if first_page and page is None and household_id is not None and pages.kept_on_read(ctx, month):
        await pages.build_month_page(ctx, household_id, person_id, month)
    return answer


async def month_purchases(
    ctx: PointsContext, person_id: str, household_id: str | None, month: str, limit: int, cursor: str | None
) -> MonthPurchasesView:
    """``purchases`` read from the purchases themselves: one aggregation over the
    household's balance view, which lists its active members."""
    found = await ctx.store.views.month_purchases(household_id or "", person_id, month, limit, cursor)
    if found is None or MEMBERS_LIST not in found[0]:  # a view that does not list its members yet
        caller = await member(ctx, person_id, household_id)
        docs, after = await ctx.store.views.purchases_page({"person_id": person_id, "month": month}, limit, cursor)
        totals = await ctx.store.views.person_month(caller.household_id, person_id, month)
    else:
        listed, docs, after, totals = found
        caller = require_member(listed_member(listed, household_id or "", person_id), household_id)
    return MonthPurchasesView(
        month=month,
        points=totals.get("points", 0),
        spend_cents=totals.get("spend_cents", 0),
        items=[purchase_view(d, caller.person_id) for d in docs],
        next_cursor=after,
    )


async def latest_purchases(
    ctx: PointsContext, member: Member, scope: Scope, limit: int, cursor: str | None
) -> Page[PurchaseView]:
    """The latest purchases across months: the person's own, or (the main holder only)
    the household's, each with whose card it was made on."""
    where: dict[str, Any] = {"person_id": member.person_id}
    if scope == "household":
        if not member.is_main:
            raise MainHolderOnlyError("Only the main holder sees the household's purchases")
        where = {"household_id": member.household_id}
    docs, after = await ctx.store.views.purchases_page(where, limit, cursor)
    return Page(items=[purchase_view(d, member.person_id) for d in docs], next_cursor=after)


async def statements(ctx: PointsContext, member: Member, limit: int, cursor: str | None) -> Page[StatementSummaryView]:
    """The months with a statement, newest first: main holder only."""
    require_main(member)
    docs, after = await ctx.store.views.statements_page(member.household_id, limit, cursor)
    items = [
        StatementSummaryView(
            month=d["month"],
            payout=Money.eur(d.get("payout_cents", 0)),
            month_points=d.get("month_points", 0),
            status=d.get("status", "regular"),
        )
        for d in docs
    ]
    return Page(items=items, next_cursor=after)


async def statement(ctx: PointsContext, member: Member, month: str) -> StatementView:
    """The household's statement of a closed month: main holder only."""
    if not member.is_main:
        raise MainHolderOnlyError("Only the main holder sees the household's statements")
    doc = await ctx.store.views.statement(member.household_id, month)
    if doc is None:
        raise StatementNotFoundError("No statement for this month")
    return StatementView.model_validate(doc)


async def recorded(ctx: PointsContext, what: Literal["purchase", "return"], reference: str) -> Recorded:
    """A recorded purchase or return by its id, else not found."""
    found = await ctx.store.views.recorded(what, reference)
    if found is None:
        raise RecordNotFoundError(f"No {what} with this id is recorded")
    return Recorded(reference, found["month"], found["points_reversed" if what == "return" else "points"])


async def rejected_purchases(
    ctx: PointsContext, card_number: str | None, purchase_id: str | None, limit: int, cursor: str | None
) -> Page[RejectedPurchaseView]:
    """Purchases that could not be credited, a card's or one, and whether each was credited since."""
    docs, credited, after = await ctx.store.rejected.page(
        card_number=card_number, purchase_id=purchase_id, limit=limit, cursor=cursor
    )
    return Page(items=[_rejected(d, d["_id"] in credited) for d in docs], next_cursor=after)


def charities(ctx: PointsContext) -> list[CharityOption]:
    """The configured charities, named in all three languages."""
    return [CharityOption(charity_id=c.charity_id, name=c.name) for c in ctx.settings.charities]


@functools.cache  # the configured steps are few and fixed: each is made once
def _step(step: GroceryStep) -> GroceryStepView:
    return GroceryStepView(from_spend=Money.eur(step.from_cents), points_per_euro=step.points_per_euro)


def _lot(d: Document) -> Lot:
    return Lot(
        lot_id=d["lot_id"],
        paid_at=d["paid_at"],
        expires_at=d["expires_at"],
        remaining_cents=d["remaining_cents"],
        saved_until=d.get("saved_until"),
        saved_cents=d.get("saved_cents"),
    )


def _rejected(doc: Document, credited: bool) -> RejectedPurchaseView:
    purchase = doc["purchase"]
    return RejectedPurchaseView(
        purchase_id=doc["_id"],
        card_number=doc["card_number"],
        store_id=purchase["store_id"],
        occurred_at=purchase["occurred_at"],
        total=Money.eur(purchase["total_cents"]),
        reason=doc["reason"],
        detail=doc["detail"],
        attempts=doc["attempts"],
        first_rejected_at=doc["first_rejected_at"],
        last_rejected_at=doc["last_rejected_at"],
        state="credited" if credited else "rejected",
    )
