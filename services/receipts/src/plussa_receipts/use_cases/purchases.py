"""Store purchases become warranty receipts for the people who turned the service on."""

import uuid

import structlog

from plussa_receipts.context import ReceiptsContext
from plussa_receipts.domain.errors import CardNotKnownYetError
from plussa_receipts.domain.receipt import Purchase, PurchasedLine, WarrantyReceipt
from plussa_receipts.events.consumed import CardChanged, PurchaseCompleted, PurchaseReturned
from plussa_receipts.store import CardHolder
from plussa_shared.context import UnitOfWork
from plussa_shared.privacy import closed_for_erasure

log = structlog.get_logger(__name__)


async def save_purchase(ctx: ReceiptsContext, data: PurchaseCompleted) -> WarrantyReceipt | None:
    """Keep the purchase's warranty lines when its card holder has the service on.

    Purchases on a card nobody holds (a temporary card not linked to a member), in other
    chains, before the service was turned on, or without warranty lines are not kept."""
    if data.chain not in ctx.chains or not any(line.warranty_months for line in data.lines):
        return None  # decided without a read: most purchases end here

    async def work(uow: UnitOfWork) -> WarrantyReceipt | None:
        holder = await _holder(ctx, uow, data.card_number)
        if holder.person_id is None:
            return None
        enrolment = await ctx.store.enrolment(uow, holder.person_id)
        if not enrolment.saves(purchased_at=data.occurred_at, chain=data.chain, chains=ctx.chains):
            return None
        if await ctx.store.has_receipt(uow, holder.person_id, data.purchase_id):
            return None  # the same purchase sent again under another event id
        purchase = _purchase(data, holder, holder.person_id)
        receipt = WarrantyReceipt.keep(
            purchase,
            receipt_id=uuid.uuid4().hex,
            now=ctx.now(),
            keep_months_after=ctx.settings.keep_months_after_warranty,
        )
        if receipt is not None:
            await ctx.store.add_receipt(uow, receipt)
        return receipt

    receipt = await ctx.run(work)
    if receipt is not None:
        log.info("receipt_saved", receipt_id=receipt.receipt_id, lines=len(receipt.lines))
    return receipt


async def record_return(ctx: ReceiptsContext, data: PurchaseReturned) -> bool:
    """Mark the returned lines on the purchase's receipt, if one was kept."""

    async def work(uow: UnitOfWork) -> bool:
        holder = await ctx.store.card_by_number(uow, data.card_number)
        if holder is None or holder.person_id is None:
            return False  # no receipt can have been kept for an unknown holder
        receipt = await ctx.store.receipt_of_purchase(uow, holder.person_id, data.purchase_id)
        if receipt is None:
            return False
        returned: dict[str, int] = {}
        for line in data.lines:
            returned[line.line_id] = returned.get(line.line_id, 0) + line.quantity
        if not receipt.mark_returned(returned):
            return False
        await ctx.store.save_returns(uow, receipt)
        return True

    return await ctx.run(work)


async def card_changed(ctx: ReceiptsContext, data: CardChanged) -> None:
    """Learn whose a card is; an older version arriving late changes nothing."""
    card = data.card
    holder = CardHolder(card.card_id, card.card_number, card.person_id, card.household_id, card.version)

    async def work(uow: UnitOfWork) -> None:
        if closed_for_erasure(card.state, data.reason):
            await ctx.store.forget_card(uow, card.card_id)
        else:
            await ctx.store.save_card(uow, holder)

    await ctx.run(work)


async def _holder(ctx: ReceiptsContext, uow: UnitOfWork, card_number: str) -> CardHolder:
    holder = await ctx.store.card_by_number(uow, card_number)
    if holder is None:
        # The cards events may arrive after the purchase: the consumer tries again later.
        raise CardNotKnownYetError()
    return holder


def _purchase(data: PurchaseCompleted, holder: CardHolder, person_id: str) -> Purchase:
    return Purchase(
        purchase_id=data.purchase_id,
        person_id=person_id,
        household_id=holder.household_id,
        store_id=data.store_id,
        store_name=data.store_name,
        chain=data.chain,
        purchased_at=data.occurred_at,
        card_last4=data.card_number[-4:],
        lines=tuple(
            PurchasedLine(
                line.line_id,
                line.product_id,
                line.name,
                line.quantity,
                line.unit_price_cents,
                line.amount_cents,
                line.warranty_months,
            )
            for line in data.lines
        ),
    )
