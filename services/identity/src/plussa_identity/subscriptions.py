"""Every event identity consumes, in one table: event type -> its schema -> the use case it runs."""

from collections.abc import Awaitable, Callable
from typing import Any

from plussa_identity.context import IdentityContext
from plussa_identity.events.consumed import (
    CARD_EVENT_TYPES,
    AccessChanged,
    CardChanged,
    ErasureAnswer,
    ExportAnswer,
    HouseholdCreated,
    MemberAdded,
    MemberRemoved,
)
from plussa_identity.settings import IdentitySettings
from plussa_identity.use_cases import privacy, read_model
from plussa_shared.consumer import Subscription
from plussa_shared.events import CloudEvent
from plussa_shared.mongo import Session

UseCase = Callable[[IdentityContext, CloudEvent[Any]], Awaitable[None]]


def table(settings: IdentitySettings) -> list[tuple[str, type[Any], UseCase]]:
    """What identity consumes: its read model of cards and members, and the participants'
    answers to export and erasure requests."""
    answers = [service for service in settings.privacy_participants if service != "identity"]
    return [
        *((event_type, CardChanged, read_model.card_changed) for event_type in CARD_EVENT_TYPES),
        ("fi.plussa.cards.household.created", HouseholdCreated, read_model.household_created),
        ("fi.plussa.cards.member.added", MemberAdded, read_model.member_added),
        ("fi.plussa.cards.member.removed", MemberRemoved, read_model.member_removed),
        ("fi.plussa.cards.access.granted", AccessChanged, read_model.access_changed),
        ("fi.plussa.cards.access.withdrawn", AccessChanged, read_model.access_changed),
        *((f"fi.plussa.{service}.export.completed", ExportAnswer, privacy.export_answered) for service in answers),
        *((f"fi.plussa.{service}.erasure.completed", ErasureAnswer, privacy.erasure_answered) for service in answers),
    ]


def subscriptions(ctx: IdentityContext) -> list[Subscription[Any]]:
    """The table's rows bound to the built context."""
    return [
        Subscription(event_type, schema, _bound(ctx, use_case)) for event_type, schema, use_case in table(ctx.settings)
    ]


def _bound(ctx: IdentityContext, use_case: UseCase) -> Callable[[Any, Session], Awaitable[None]]:
    async def handle(event: CloudEvent[Any], session: Session) -> None:
        await ctx.joining(session, lambda: use_case(ctx, event))

    return handle
