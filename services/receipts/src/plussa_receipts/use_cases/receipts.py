"""A person deletes one of their receipts; the expiry job removes receipts past their keeping."""

import structlog

from plussa_receipts.context import ReceiptsContext
from plussa_receipts.domain.errors import ReceiptNotFoundError
from plussa_shared.context import UnitOfWork

log = structlog.get_logger(__name__)


async def delete_receipt(ctx: ReceiptsContext, person_id: str, receipt_id: str) -> None:
    """Delete the person's receipt; another person's answers as if there were none."""

    async def work(uow: UnitOfWork) -> None:
        if not await ctx.store.delete_receipt(uow, person_id, receipt_id):
            raise ReceiptNotFoundError()

    await ctx.run(work)
    log.info("receipt_deleted", receipt_id=receipt_id)


async def expire_receipts(ctx: ReceiptsContext) -> int:
    """Remove every receipt past its keeping day, a batch per transaction; returns how many."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> int:
        receipts = await ctx.store.expired(uow, now.date(), ctx.settings.expiry_batch_size)
        for receipt in receipts:
            receipt.expire(now)
        await ctx.store.delete_expired(uow, [r.receipt_id for r in receipts])
        return len(receipts)

    removed = 0
    while True:
        batch = await ctx.run(work)
        removed += batch
        if batch < ctx.settings.expiry_batch_size:
            break
    log.info("receipts_expired", count=removed)
    return removed
