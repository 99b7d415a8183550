"""Every event the points service consumes, wired in one place.

Ordering across queues is not guaranteed: a purchase may arrive before the event
that announces its card, and a return before its purchase. Such a message is
retried with the consumer's back-off (a plain exception) and dead-lettered with its
reason only when it is still unknown after the last retry. A message that can never
be applied (blocked card, impossible figures, reused id) is dead-lettered at once.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from plussa_points import ingest, privacy, read_model
from plussa_points.context import Points
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
from plussa_shared.consumer import RejectEventError, Subscription
from plussa_shared.errors import ProblemError
from plussa_shared.events import CloudEvent
from plussa_shared.mongo import Session

D = TypeVar("D", bound=BaseModel)


class NotKnownYetError(Exception):
    """What the event refers to has not arrived yet; the consumer retries with back-off."""


def _handler(
    points: Callable[[], Points], apply: Callable[[Points, CloudEvent[D], Session], Awaitable[Any]]
) -> Callable[[CloudEvent[D], Session], Awaitable[None]]:
    async def handle(event: CloudEvent[D], session: Session) -> None:
        try:
            await apply(points(), event, session)
        except (UnknownCardError, UnknownMemberError, UnknownPurchaseError) as exc:
            raise NotKnownYetError(f"{exc.problem_slug}: {exc.detail}") from exc
        except ProblemError as exc:
            raise RejectEventError(f"{exc.problem_slug}: {exc.detail}") from exc

    return handle


def _purchases(
    points: Callable[[], Points],
) -> Callable[[Sequence[CloudEvent[PurchaseCompleted]], Session], Awaitable[None]]:
    async def handle(events: Sequence[CloudEvent[PurchaseCompleted]], session: Session) -> None:
        await ingest.record_purchases(points(), [e.data for e in events], session)

    return handle


def subscriptions(
    points: Callable[[], Points], *, purchase_batch_max: int = 1, purchase_batch_linger_ms: float = 10.0
) -> list[Subscription[Any]]:
    """The points service's subscriptions; handlers get the context from ``points`` when called.

    Completed purchases, the bulk of the traffic, are applied in batches of up to
    ``purchase_batch_max`` per transaction; everything else one per transaction.
    """

    def sub(
        event_type: str, schema: type[D], apply: Callable[[Points, CloudEvent[D], Session], Awaitable[Any]]
    ) -> Subscription[Any]:
        return Subscription(event_type, schema, _handler(points, apply))

    cards = [sub(t, CardChanged, lambda p, e, s: read_model.apply_card(p, e.data, s, e.time)) for t in CARD_EVENT_TYPES]
    return [
        *cards,
        sub(
            "fi.plussa.cards.household.created",
            HouseholdCreated,
            lambda p, e, s: read_model.household_created(p, e.data, s),
        ),
        sub("fi.plussa.cards.member.added", MemberAdded, lambda p, e, s: read_model.member_added(p, e.data, s, e.time)),
        sub(
            "fi.plussa.cards.member.removed",
            MemberRemoved,
            lambda p, e, s: read_model.member_removed(p, e.data, s, e.time),
        ),
        sub(
            "fi.plussa.cards.access.granted",
            AccessChanged,
            lambda p, e, s: read_model.access_changed(p, e.data, s, e.time),
        ),
        sub(
            "fi.plussa.cards.access.withdrawn",
            AccessChanged,
            lambda p, e, s: read_model.access_changed(p, e.data, s, e.time),
        ),
        sub(
            "fi.plussa.cards.payment_card.linked",
            PaymentCardLinked,
            lambda p, e, s: read_model.payment_card_linked(p, e.data, s),
        ),
        sub(
            "fi.plussa.cards.payment_card.blocked",
            PaymentCardBlocked,
            lambda p, e, s: read_model.payment_card_blocked(p, e.data, s),
        ),
        Subscription(
            "fi.plussa.stores.purchase.completed",
            PurchaseCompleted,
            _handler(points, lambda p, e, s: ingest.record_purchase(p, e.data, s)),
            batch_max=purchase_batch_max,
            batch_linger_ms=purchase_batch_linger_ms,
            # Any failure here (an unknown card, a reused id) has the consumer apply
            # the batch's purchases one by one with the handler above.
            batch_handler=_purchases(points),
        ),
        sub("fi.plussa.stores.purchase.returned", PurchaseReturned, lambda p, e, s: ingest.record_return(p, e.data, s)),
        sub(
            "fi.plussa.benefits.campaign_points.granted",
            CampaignPointsGranted,
            lambda p, e, s: ingest.record_campaign_points(p, e.data, s),
        ),
        sub("fi.plussa.identity.export.requested", PrivacyRequested, lambda p, e, s: privacy.export(p, e.data, s)),
        sub("fi.plussa.identity.erasure.requested", PrivacyRequested, lambda p, e, s: privacy.erase(p, e.data, s)),
    ]
