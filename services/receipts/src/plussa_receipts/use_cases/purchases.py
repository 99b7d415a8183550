"""Store purchases become warranty receipts for the people who turned the service on."""

import uuid
from collections.abc import Sequence

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
    """Keep the purchase's warranty lines when its card holder has the service on."""
    [receipt] = await save_purchases(ctx, [data])
    return receipt


async def save_purchases(ctx: ReceiptsContext, purchases: Sequence[PurchaseCompleted]) -> list[WarrantyReceipt | None]:
    """Keep the warranty lines of each purchase whose card holder has the service on, in one
    transaction, with the same outcome as saving them one after the other: the receipt
    kept for each purchase, or None.

    Purchases on a card nobody holds (a temporary card not linked to a member), in other
    chains, before the service was turned on, or without warranty lines are not kept.
    A card not known yet fails them all (the consumer then saves them one by one)."""
    # Decided without a read: most purchases end here.
    candidates = {
        i: d for i, d in enumerate(purchases) if d.chain in ctx.chains and any(x.warranty_months for x in d.lines)
    }
    if not candidates:
        return [None] * len(purchases)

    async def work(uow: UnitOfWork) -> dict[int, WarrantyReceipt]:
        holders = await ctx.store.cards_by_number(uow, {d.card_number for d in candidates.values()})
        if any(d.card_number not in holders for d in candidates.values()):
            # The cards events may arrive after the purchase: the consumer tries again later.
            raise CardNotKnownYetError()
        enrolments = await ctx.store.enrolments(uow, {h.person_id for h in holders.values() if h.person_id})
        saving = {
            i: (d, holder, person_id)
            for i, d in candidates.items()
            if (person_id := (holder := holders[d.card_number]).person_id) is not None
            and enrolments[person_id].saves(purchased_at=d.occurred_at, chain=d.chain, chains=ctx.chains)
        }
        # A purchase sent again, under another event id or in this very batch, is kept once.
        held = await ctx.store.receipts_held(uow, {(person_id, d.purchase_id) for d, _, person_id in saving.values()})
        kept: dict[int, WarrantyReceipt] = {}
        for i, (d, holder, person_id) in saving.items():
            if (person_id, d.purchase_id) in held:
                continue
            held.add((person_id, d.purchase_id))
            receipt = WarrantyReceipt.keep(
                _purchase(d, holder, person_id),
                receipt_id=uuid.uuid4().hex,
                now=ctx.now(),
                keep_months_after=ctx.settings.keep_months_after_warranty,
            )
            if receipt is not None:
                kept[i] = receipt
        await ctx.store.add_receipts(uow, list(kept.values()))
        return kept

    kept = await ctx.run(work)
    for receipt in kept.values():
        log.info("receipt_saved", receipt_id=receipt.receipt_id, lines=len(receipt.lines))
    return [kept.get(i) for i in range(len(purchases))]


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
    """Learn whose a card is; an older version arriving late changes nothing, and neither
    does any version of an erased person's card, whoever it names as holder."""
    card = data.card
    holder = CardHolder(card.card_id, card.card_number, card.person_id, card.household_id, card.version)

    async def work(uow: UnitOfWork) -> None:
        if closed_for_erasure(card.state, data.reason):
            await ctx.store.forget_card(uow, card.card_id, card.person_id)
        elif not await ctx.store.erased_holders.refuses(card.card_id, card.person_id, uow.session):
            await ctx.store.save_card(uow, holder)

    await ctx.run(work)


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
