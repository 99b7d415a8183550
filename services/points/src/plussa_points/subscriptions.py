"""Every event the points service consumes, and the use case that applies it: one table.

Ordering across queues is not guaranteed: a purchase may arrive before the event
that announces its card, and a return before its purchase. Such a message is
retried with the consumer's back-off and dead-lettered with its reason only when it
is still unknown after the last retry. A message that can never be applied (blocked
card, impossible figures, reused id) is dead-lettered at once.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from plussa_points.context import PointsContext, joined
from plussa_points.domain.errors import UnknownCardError, UnknownMemberError, UnknownPurchaseError
from plussa_points.events.consumed import (
    CARD_EVENT_TYPES,
    AccessChanged,
    CampaignPointsGranted,
    CardChanged,
    HouseholdCreated,
    MemberAdded,
    MemberRemoved,
    PaymentCardBlocked,
    PaymentCardLinked,
    PrivacyRequested,
    PurchaseCompleted,
    PurchaseReturned,
)
from plussa_points.use_cases import cards, ingest, privacy, returns
from plussa_shared.consumer import RejectEventError, Subscription
from plussa_shared.errors import ProblemError
from plussa_shared.events import CloudEvent
from plussa_shared.mongo import Session

D = TypeVar("D", bound=BaseModel)
Handler = Callable[[CloudEvent[Any]], Awaitable[Any]]


class NotKnownYetError(Exception):
    """What the event refers to has not arrived yet; the consumer retries with back-off."""


def _in(handle: Handler) -> Callable[[CloudEvent[Any], Session], Awaitable[None]]:
    async def apply(event: CloudEvent[Any], session: Session) -> None:
        try:
            with joined(session):
                await handle(event)
        except (UnknownCardError, UnknownMemberError, UnknownPurchaseError) as exc:
            raise NotKnownYetError(f"{exc.problem_slug}: {exc.detail}") from exc
        except ProblemError as exc:
            raise RejectEventError(f"{exc.problem_slug}: {exc.detail}") from exc

    return apply


def _data(use_case: Callable[[PointsContext, D], Awaitable[Any]], ctx: PointsContext) -> Handler:
    """A use case of the event's data."""
    return lambda event: use_case(ctx, event.data)


def _timed(use_case: Callable[[PointsContext, D, Any], Awaitable[Any]], ctx: PointsContext) -> Handler:
    """A use case of the event's data and time."""
    return lambda event: use_case(ctx, event.data, event.time)


def subscriptions(ctx: PointsContext) -> list[Subscription[Any]]:
    """The points service's subscriptions, bound to its context.

    Completed purchases, the bulk of the traffic, are applied in batches of up to
    ``purchase_batch_max`` per transaction; everything else one per transaction.
    """
    table: list[tuple[str, type[Any], Handler]] = [
        *[(t, CardChanged, _timed(cards.apply_card, ctx)) for t in CARD_EVENT_TYPES],
        ("fi.plussa.cards.household.created", HouseholdCreated, _data(cards.household_created, ctx)),
        ("fi.plussa.cards.member.added", MemberAdded, _timed(cards.member_added, ctx)),
        ("fi.plussa.cards.member.removed", MemberRemoved, _timed(cards.member_removed, ctx)),
        ("fi.plussa.cards.access.granted", AccessChanged, _timed(cards.access_changed, ctx)),
        ("fi.plussa.cards.access.withdrawn", AccessChanged, _timed(cards.access_changed, ctx)),
        ("fi.plussa.cards.payment_card.linked", PaymentCardLinked, _data(cards.payment_card_linked, ctx)),
        ("fi.plussa.cards.payment_card.blocked", PaymentCardBlocked, _data(cards.payment_card_blocked, ctx)),
    ]
    after: list[tuple[str, type[Any], Handler]] = [
        ("fi.plussa.stores.purchase.returned", PurchaseReturned, _data(returns.record_return, ctx)),
        (
            "fi.plussa.benefits.campaign_points.granted",
            CampaignPointsGranted,
            _data(returns.record_campaign_points, ctx),
        ),
        ("fi.plussa.identity.export.requested", PrivacyRequested, _data(privacy.export, ctx)),
        ("fi.plussa.identity.erasure.requested", PrivacyRequested, _data(privacy.erase, ctx)),
    ]
    return [
        *[Subscription(t, schema, _in(handle)) for t, schema, handle in table],
        _purchases(ctx),
        *[Subscription(t, schema, _in(handle)) for t, schema, handle in after],
    ]


def _purchases(ctx: PointsContext) -> Subscription[Any]:
    """Completed purchases in batches; any failure in a batch (an unknown card, a reused
    id) has the consumer apply its purchases one by one."""

    async def batch(events: Sequence[CloudEvent[PurchaseCompleted]], session: Session) -> None:
        with joined(session):
            await ingest.record_purchases(ctx, [e.data for e in events])

    return Subscription(
        "fi.plussa.stores.purchase.completed",
        PurchaseCompleted,
        _in(_data(ingest.record_purchase, ctx)),
        batch_max=ctx.settings.purchase_batch_max,
        batch_linger_ms=ctx.settings.purchase_batch_linger_ms,
        batch_handler=batch,
    )
