"""What the cards service does on the events it consumes: one table, event type -> use case."""

from collections.abc import Sequence
from typing import Any

from plussa_cards.context import CardsContext
from plussa_cards.events.erasure_completed import ErasureCompleted
from plussa_cards.events.erasure_requested import ErasureRequested
from plussa_cards.events.export_completed import ExportCompleted
from plussa_cards.events.export_requested import ExportRequested
from plussa_cards.use_cases import privacy
from plussa_shared.consumer import Subscription
from plussa_shared.events import CloudEvent
from plussa_shared.mongo import Session


def subscriptions(ctx: CardsContext) -> Sequence[Subscription[Any]]:
    """The subscriptions of the cards service, bound to ``ctx``."""

    async def on_export_requested(event: CloudEvent[ExportRequested], session: Session) -> None:
        with ctx.joined(session) as uow:
            data = await privacy.export(ctx, event.data.person_id)
            completed = ExportCompleted(request_id=event.data.request_id, person_id=event.data.person_id, data=data)
            uow.publish(completed, completed.subject)
            await ctx.flush(uow)

    async def on_erasure_requested(event: CloudEvent[ErasureRequested], session: Session) -> None:
        with ctx.joined(session) as uow:
            await privacy.erase(ctx, event.data.person_id)
            completed = ErasureCompleted(
                request_id=event.data.request_id, person_id=event.data.person_id, occurred_at=ctx.now()
            )
            uow.publish(completed, completed.subject)
            await ctx.flush(uow)

    return [
        Subscription(ExportRequested.event_type, ExportRequested, on_export_requested),
        Subscription(ErasureRequested.event_type, ErasureRequested, on_erasure_requested),
    ]
