"""Every event the points service consumes, and the use case that applies it: one table.

Ordering across queues is not guaranteed: a purchase may arrive before the event
that announces its card, and a return before its purchase. The use case then raises
an error of kind NOT_KNOWN_YET: the consumer retries it with its back-off and
dead-letters it with its slug only when it is still unknown after the last retry. A
message that can never be applied (blocked card, impossible figures, reused id) is
dead-lettered at once with its slug.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from plussa_points.context import PointsContext
from plussa_points.events.consumed import (
    CARD_EVENT_TYPES,
    AccessChanged,
    CampaignPointsGranted,
    CardChanged,
    HouseholdCreated,
    HouseholdHandedOver,
    MemberAdded,
    MemberRemoved,
    MemberRoleChanged,
    PaymentCardBlocked,
    PaymentCardLinked,
    PaymentCardUnlinked,
    PurchaseCompleted,
    PurchaseReturned,
)
from plussa_points.use_cases import cards, ingest, privacy, returns
from plussa_shared.events import CloudEvent
from plussa_shared.privacy import privacy_subscriptions
from plussa_shared.subscription import Subscription

Handler = Callable[[CloudEvent[Any]], Awaitable[Any]]


def _data(use_case: Callable[[PointsContext, Any], Awaitable[Any]], ctx: PointsContext) -> Handler:
    """A use case of the event's data."""
    return lambda event: use_case(ctx, event.data)


def _timed(use_case: Callable[[PointsContext, Any, Any], Awaitable[Any]], ctx: PointsContext) -> Handler:
    """A use case of the event's data and time."""
    return lambda event: use_case(ctx, event.data, event.time)


def subscriptions(ctx: PointsContext) -> list[Subscription[Any]]:
    """The points service's subscriptions, bound to its context once it is built."""
    return [
        *[Subscription(t, CardChanged, _timed(cards.apply_card, ctx)) for t in CARD_EVENT_TYPES],
        Subscription("fi.plussa.cards.household.created", HouseholdCreated, _data(cards.household_created, ctx)),
        Subscription("fi.plussa.cards.member.added", MemberAdded, _timed(cards.member_added, ctx)),
        Subscription("fi.plussa.cards.member.removed", MemberRemoved, _timed(cards.member_removed, ctx)),
        Subscription("fi.plussa.cards.access.granted", AccessChanged, _timed(cards.access_changed, ctx)),
        Subscription("fi.plussa.cards.access.withdrawn", AccessChanged, _timed(cards.access_changed, ctx)),
        Subscription("fi.plussa.cards.payment_card.linked", PaymentCardLinked, _data(cards.payment_card_linked, ctx)),
        Subscription(
            "fi.plussa.cards.payment_card.blocked", PaymentCardBlocked, _data(cards.payment_card_blocked, ctx)
        ),
        Subscription(
            "fi.plussa.cards.payment_card.unlinked", PaymentCardUnlinked, _data(cards.payment_card_unlinked, ctx)
        ),
        Subscription("fi.plussa.cards.member.role_changed", MemberRoleChanged, _timed(cards.role_changed, ctx)),
        Subscription("fi.plussa.cards.household.handed_over", HouseholdHandedOver, _timed(cards.handed_over, ctx)),
        _purchases(ctx),
        Subscription("fi.plussa.stores.purchase.returned", PurchaseReturned, _data(returns.record_return, ctx)),
        _campaign_points(ctx),
        *privacy_subscriptions(ctx, privacy.PARTICIPANT),
    ]


def _purchases(ctx: PointsContext) -> Subscription[Any]:
    """Completed purchases, the bulk of the traffic, in batches of up to
    ``purchase_batch_max`` per transaction; any failure in a batch (an unknown card, a
    reused id) has the consumer apply its purchases one by one."""
    subscription = _batched(
        ctx, "fi.plussa.stores.purchase.completed", PurchaseCompleted, ingest.record_purchase, ingest.record_purchases
    )
    # one card's purchases write one household's account and months
    return replace(subscription, order_key=_card_of)


def _card_of(purchase: PurchaseCompleted) -> str:
    return purchase.card_number


def _campaign_points(ctx: PointsContext) -> Subscription[Any]:
    """Campaign points, one grant per redeemed offer: batched like the purchases they
    follow, so that each does not cost a transaction of its own."""
    return _batched(
        ctx,
        "fi.plussa.benefits.campaign_points.granted",
        CampaignPointsGranted,
        returns.record_campaign_points,
        returns.record_campaign_points_batch,
    )


def _batched(
    ctx: PointsContext,
    event_type: str,
    schema: type[Any],
    one: Callable[[PointsContext, Any], Awaitable[Any]],
    many: Callable[[PointsContext, Sequence[Any]], Awaitable[Any]],
) -> Subscription[Any]:
    """A subscription applied in batches of up to ``purchase_batch_max`` per transaction."""

    async def batch(events: Sequence[CloudEvent[Any]]) -> None:
        await many(ctx, [e.data for e in events])

    return Subscription(
        event_type,
        schema,
        _data(one, ctx),
        batch_max=ctx.settings.purchase_batch_max,
        batch_linger_ms=ctx.settings.purchase_batch_linger_ms,
        batch_handler=batch,
    )
