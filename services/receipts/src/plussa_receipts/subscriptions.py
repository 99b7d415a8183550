"""Every event the receipts service consumes, and the use case that applies it: one table."""

from collections.abc import Sequence
from functools import partial
from typing import Any

from plussa_receipts.context import ReceiptsContext
from plussa_receipts.events.consumed import CARD_EVENT_TYPES, CardChanged, PurchaseCompleted, PurchaseReturned
from plussa_receipts.use_cases import purchases
from plussa_shared.consumer import Subscription


def subscriptions(ctx: ReceiptsContext) -> Sequence[Subscription[Any]]:
    """The subscription table, bound to the started service's context."""
    return [
        *(Subscription(t, CardChanged, partial(purchases.card_changed, ctx)) for t in CARD_EVENT_TYPES),
        Subscription("fi.plussa.stores.purchase.completed", PurchaseCompleted, partial(purchases.save_purchase, ctx)),
        Subscription("fi.plussa.stores.purchase.returned", PurchaseReturned, partial(purchases.record_return, ctx)),
    ]
