"""The one table of what the benefits service consumes and which use case applies it."""

from collections.abc import Sequence
from functools import partial
from typing import Any

from plussa_benefits.context import BenefitsContext
from plussa_benefits.events.consumed import (
    CARD_EVENT_TYPES,
    CardChanged,
    MemberAdded,
    PurchaseCompleted,
    PurchaseReturned,
    StatusChanged,
)
from plussa_benefits.use_cases import people, privacy, purchases
from plussa_shared.privacy import privacy_subscriptions
from plussa_shared.subscription import Subscription


def subscriptions(ctx: BenefitsContext) -> Sequence[Subscription[Any]]:
    """Event type -> use case, bound to the context."""
    cards: list[Subscription[Any]] = [
        Subscription(event_type, CardChanged, partial(people.card_changed, ctx)) for event_type in CARD_EVENT_TYPES
    ]
    return [
        *cards,
        Subscription("fi.plussa.cards.member.added", MemberAdded, partial(people.member_added, ctx)),
        Subscription("fi.plussa.points.status.changed", StatusChanged, partial(people.status_changed, ctx)),
        Subscription(
            "fi.plussa.stores.purchase.completed",
            PurchaseCompleted,
            partial(purchases.record_purchase, ctx),
            batch_max=ctx.settings.purchase_batch_max,
            batch_linger_ms=ctx.settings.purchase_batch_linger_ms,
            batch_handler=partial(purchases.record_purchases, ctx),
            # one card's purchases write one person's features and wallet
            order_key=_card_of,
        ),
        Subscription("fi.plussa.stores.purchase.returned", PurchaseReturned, partial(purchases.record_return, ctx)),
        *privacy_subscriptions(ctx, privacy.PARTICIPANT),
    ]


def _card_of(purchase: PurchaseCompleted) -> str:
    return purchase.card_number
