"""Re-applying a purchase that was rejected, once its cause is fixed (a card that became
known late, a card unblocked by mistake). Exactly once whichever way it comes back
(here, or a replay of its dead letter): the purchase id is recorded once."""

from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.domain.errors import RejectedPurchaseNotFoundError
from plussa_points.domain.ingest import Recorded
from plussa_points.events.consumed import PurchaseCompleted
from plussa_points.use_cases import ingest


async def reapply(ctx: PointsContext, purchase_id: str) -> Recorded:
    """Apply a rejected purchase again as it arrived; a purchase credited since answers
    what was recorded (``duplicate``); one still refused is refused again, with the new reason kept."""
    found = await ctx.store.rejected.get(purchase_id)
    if found is None:
        raise RejectedPurchaseNotFoundError("No rejected purchase with this id")
    recorded = await ingest.record_purchase(ctx, PurchaseCompleted.model_validate(found["purchase"]))
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.rejected.mark_reapplied(purchase_id, now, uow.session)

    await ctx.run(work)
    return recorded
