"""Recording completed purchases: one or many in one transaction, with the same outcome.

A few reads for them all (cards with their households' closing state, purchases
already recorded, MasterCard tokens), then one write per collection through the
ledger repository. Raises as soon as one of them cannot be recorded; the consumer
then applies a batch's purchases one by one, so only the bad one is retried or
dead-lettered.
"""

from collections.abc import Sequence

from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.domain.calendar import accounting_month, month_of
from plussa_points.domain.earning import Line
from plussa_points.domain.errors import CardCannotEarnError, InvalidPurchaseError, UnknownCardError
from plussa_points.domain.ingest import (
    Earning,
    NewPurchase,
    PurchaseLine,
    Recorded,
    Seen,
    duplicate,
    earn,
    fingerprint,
)
from plussa_points.domain.validation import LineFigures, check_purchase
from plussa_points.events.consumed import PurchaseCompleted
from plussa_points.events.published import PointsEarned, PurchaseRecorded
from plussa_points.store import PurchaseReads
from plussa_points.use_cases import household


async def record_purchase(ctx: PointsContext, data: PurchaseCompleted) -> Recorded:
    """Record a completed purchase and credit its points, once per purchase id. One that
    cannot be credited (unknown or blocked card, impossible content) is kept with why
    before the error goes on to be answered, retried or dead-lettered."""
    try:
        [recorded] = await record_purchases(ctx, [data])
    except (UnknownCardError, CardCannotEarnError, InvalidPurchaseError) as exc:
        # Its own write: the transaction that failed rolls back, the record must stay.
        await ctx.store.rejected.record(data.model_dump(mode="json"), exc.problem_slug, exc.detail, ctx.now())
        raise
    return recorded


async def record_purchases(ctx: PointsContext, purchases: Sequence[PurchaseCompleted]) -> list[Recorded]:
    """Record several completed purchases at once, with the same outcome as recording
    them one after the other."""

    async def work(uow: UnitOfWork) -> list[Recorded]:
        uow.group_events_by_subject()  # a purchase's recorded and earned events: one outbox record
        return await _record(ctx, uow, purchases)

    return await ctx.run(work)


async def _record(ctx: PointsContext, uow: UnitOfWork, purchases: Sequence[PurchaseCompleted]) -> list[Recorded]:
    digests = [_check_and_digest(ctx, data) for data in purchases]
    reads = await ctx.store.purchases.reads(
        [d.card_number for d in purchases],
        [d.purchase_id for d in purchases],
        [t for t in map(_payment_token, purchases) if t is not None],
        uow.session,
    )
    seen = dict(reads.seen)
    last_closed = dict(reads.last_closed_month)
    recorded: list[Recorded] = []
    new: list[NewPurchase] = []
    for data, digest in zip(purchases, digests, strict=True):
        if data.purchase_id in seen:
            recorded.append(duplicate(data.purchase_id, digest, seen[data.purchase_id], "purchase"))
            continue
        earning = _earning(ctx, data, reads)
        if earning.account_id not in last_closed:  # an unlinked card's own account
            last_closed |= await ctx.store.ledger.last_closed([earning.account_id], uow.session)
        month = accounting_month(month_of(data.occurred_at, ctx.rules.zone), last_closed[earning.account_id])
        purchase = _new_purchase(data, digest, earning, month)
        new.append(purchase)
        seen[data.purchase_id] = Seen(digest, month, earning.scored.points)
        recorded.append(Recorded(data.purchase_id, month, earning.scored.points))
    if new:
        await ctx.store.purchases.add(new, ctx.now(), uow.session)
        await ctx.store.ledger.post([p.posting() for p in new], uow.session)
        await ctx.store.pages.add_purchases(new, ctx.now(), uow.session)
        for purchase in new:
            _publish(uow, purchase)
    return recorded


def _check_and_digest(ctx: PointsContext, data: PurchaseCompleted) -> str:
    lines = [LineFigures(x.line_id, x.quantity, x.amount_cents) for x in data.lines]
    check_purchase(ctx.rules, lines, data.total_cents, data.occurred_at, ctx.now())
    return fingerprint(data)


def _payment_token(data: PurchaseCompleted) -> str | None:
    return data.payment.network_token if data.payment.method == "payment_card" else None


def _earning(ctx: PointsContext, data: PurchaseCompleted, reads: PurchaseReads) -> Earning:
    paid_with_mastercard = _payment_token(data) in reads.mastercard_tokens
    lines = [Line(x.line_id, x.category, x.quantity, x.amount_cents) for x in data.lines]
    return earn(ctx.rules, reads.cards.get(data.card_number), lines, paid_with_mastercard, data.occurred_at)


def _new_purchase(data: PurchaseCompleted, digest: str, earning: Earning, month: str) -> NewPurchase:
    return NewPurchase(
        purchase_id=data.purchase_id,
        fingerprint=digest,
        earning=earning,
        store_id=data.store_id,
        store_name=data.store_name,
        chain=data.chain,
        occurred_at=data.occurred_at,
        month=month,
        total_cents=data.total_cents,
        lines=tuple(
            PurchaseLine(x.line_id, x.product_id, x.name, x.category, x.quantity, x.amount_cents) for x in data.lines
        ),
    )


def _publish(uow: UnitOfWork, purchase: NewPurchase) -> None:
    card, scored, account_id = purchase.earning.card, purchase.earning.scored, purchase.earning.account_id
    recorded = PurchaseRecorded(
        purchase_id=purchase.purchase_id,
        household_id=account_id,
        person_id=card.person_id,
        card_id=card.card_id,
        store_id=purchase.store_id,
        chain=purchase.chain,
        month=purchase.month,
        total_cents=purchase.total_cents,
        eligible_cents=scored.eligible_cents,
        points=scored.points,
        occurred_at=purchase.occurred_at,
    )
    uow.publish(recorded, household(account_id))
    if scored.points:
        earned = PointsEarned(
            household_id=account_id,
            person_id=card.person_id,
            reason="purchase",
            reference=purchase.purchase_id,
            month=purchase.month,
            points=scored.points,
            occurred_at=purchase.occurred_at,
        )
        uow.publish(earned, household(account_id))
