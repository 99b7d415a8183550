"""The privacy participant: how a service answers identity's export and erasure requests.

Identity publishes ``fi.plussa.identity.export.requested`` and ``erasure.requested``
{``request_id``, ``person_id``, ``household_id``, ``occurred_at``}. Every service
holding personal data answers with ``fi.plussa.{service}.export.completed``
{``request_id``, ``person_id``, ``service``, ``data``} or ``erasure.completed``
{``request_id``, ``person_id``, ``service``, ``occurred_at``} (docs/event-contract.md).
A service gives what only it knows, ``export(ctx, person_id) -> dict`` and
``erase(ctx, person_id)``, and its own answer event classes (they stay in its
``events/published.py``, where the AsyncAPI document finds them); this module does
the rest. Both run in the consumer's transaction (their own ``ctx.run`` joins it), so
the erasure and its answer commit together or not at all.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from plussa_shared.consumer import Subscription
from plussa_shared.context import ServiceContext, UnitOfWork
from plussa_shared.events import CloudEvent, ConsumedEventData, EventData

EXPORT_REQUESTED = "fi.plussa.identity.export.requested"
ERASURE_REQUESTED = "fi.plussa.identity.erasure.requested"

C = TypeVar("C", bound=ServiceContext[Any])


class PrivacyRequested(ConsumedEventData):
    """A participant's copy of identity's export or erasure request."""

    request_id: str
    person_id: str
    household_id: str | None = None
    occurred_at: datetime | None = None


def person_subject(request: PrivacyRequested) -> str | None:
    """``person/{person_id}``: the default subject of the answers."""
    return f"person/{request.person_id}"


def household_subject(request: PrivacyRequested) -> str | None:
    """``household/{household_id}`` (none when the person has no household)."""
    return f"household/{request.household_id}" if request.household_id else None


@dataclass(frozen=True)
class PrivacyParticipant(Generic[C]):
    """What one service contributes to answering privacy requests."""

    export: Callable[[C, str], Awaitable[dict[str, Any]]]
    """Everything the service holds about the person (empty parts when it knows nothing)."""
    erase: Callable[[C, str], Awaitable[None]]
    """Erase or anonymise what the service holds about the person."""
    export_completed: type[EventData]
    """The service's ``export.completed`` class: {request_id, person_id, service, data}."""
    erasure_completed: type[EventData]
    """The service's ``erasure.completed`` class: {request_id, person_id, service, occurred_at}."""
    subject: Callable[[PrivacyRequested], str | None] = person_subject
    """The envelope subject of the answers."""


def privacy_subscriptions(ctx: C, participant: PrivacyParticipant[C]) -> list[Subscription[Any]]:
    """The two subscriptions of a privacy participant, bound to ``ctx``; add them to the
    service's table in ``subscriptions.py``."""

    async def on_export(event: CloudEvent[PrivacyRequested]) -> None:
        request = event.data
        data = await participant.export(ctx, request.person_id)
        answer = participant.export_completed.model_validate(
            {"request_id": request.request_id, "person_id": request.person_id, "data": data}
        )
        await _publish(ctx, answer, participant.subject(request))

    async def on_erasure(event: CloudEvent[PrivacyRequested]) -> None:
        request = event.data
        await participant.erase(ctx, request.person_id)
        answer = participant.erasure_completed.model_validate(
            {"request_id": request.request_id, "person_id": request.person_id, "occurred_at": ctx.now()}
        )
        await _publish(ctx, answer, participant.subject(request))

    return [
        Subscription(EXPORT_REQUESTED, PrivacyRequested, on_export),
        Subscription(ERASURE_REQUESTED, PrivacyRequested, on_erasure),
    ]


async def _publish(ctx: ServiceContext[Any], answer: EventData, subject: str | None) -> None:
    async def work(uow: UnitOfWork) -> None:
        uow.publish(answer, subject)

    await ctx.run(work)
