"""Every event the receipts service consumes, and the use case that applies it: one table."""

from collections.abc import Sequence
from typing import Any

from plussa_receipts.context import ReceiptsContext
from plussa_receipts.events.consumed import CARD_EVENT_TYPES, CardChanged, PurchaseCompleted, PurchaseReturned
from plussa_receipts.use_cases import privacy, purchases
from plussa_shared.events import CloudEvent
from plussa_shared.privacy import privacy_subscriptions
from plussa_shared.subscription import Subscription


def subscriptions(ctx: ReceiptsContext) -> list[Subscription[Any]]:
    """The subscription table, bound once to the started service's context."""

    async def card_changed(event: CloudEvent[CardChanged]) -> None:
        await purchases.card_changed(ctx, event.data)

    async def purchase_completed(event: CloudEvent[PurchaseCompleted]) -> None:
        await purchases.save_purchase(ctx, event.data)

    async def purchases_completed(events: Sequence[CloudEvent[PurchaseCompleted]]) -> None:
        await purchases.save_purchases(ctx, [e.data for e in events])

    async def purchase_returned(event: CloudEvent[PurchaseReturned]) -> None:
        await purchases.record_return(ctx, event.data)

    return [
        *(Subscription(t, CardChanged, card_changed) for t in CARD_EVENT_TYPES),
        # The bulk of the traffic: many purchases a transaction; any failure in a batch (a
        # card not known yet) has the consumer save its purchases one by one.
        Subscription(
            "fi.plussa.stores.purchase.completed",
            PurchaseCompleted,
            purchase_completed,
            batch_max=ctx.settings.purchase_batch_max,
            batch_linger_ms=ctx.settings.purchase_batch_linger_ms,
            batch_handler=purchases_completed,
        ),
        Subscription("fi.plussa.stores.purchase.returned", PurchaseReturned, purchase_returned),
        *privacy_subscriptions(ctx, privacy.PARTICIPANT),
    ]
