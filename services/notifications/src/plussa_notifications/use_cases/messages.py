"""Queueing a message for a person, once per triggering event, and reporting its fate."""

import uuid
from datetime import datetime
from typing import Any

from plussa_notifications.context import NotificationsContext, UnitOfWork
from plussa_notifications.domain.messages import FailureReason, Message, MessageKind, recipient_address
from plussa_notifications.events.published import MessageFailed, MessageSent


async def queue_message(
    ctx: NotificationsContext,
    *,
    trigger_id: str,
    person_id: str,
    kind: MessageKind,
    data: dict[str, Any],
    link_email: str | None = None,
    link_language: str | None = None,
) -> None:
    """Queue ``kind`` for the person unless this trigger already did. Without a verified
    address the message is recorded as failed at once, and no mail goes anywhere."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        if await ctx.store.has_message(trigger_id, person_id, uow.session):
            return
        person = await ctx.store.person(person_id, uow.session)
        to = recipient_address(kind, person.verified_email if person else None, link_email)
        message = Message(
            message_id=str(uuid.uuid4()),
            person_id=person_id,
            kind=kind,
            trigger_id=trigger_id,
            language=link_language or (person.language if person else "fi"),
            data={**data, "first_name": person.first_name if person else None},
            created_at=now,
            to=to,
        )
        if to is None:
            message.mark_failed(FailureReason.NO_VERIFIED_EMAIL.value, now)
        await ctx.store.add_messages([message], uow.session)
        for event in outcome_events(ctx, message, now):
            uow.add(event)

    await ctx.run(work)
    ctx.mail_waiting.set()


def outcome_events(ctx: NotificationsContext, message: Message, at: datetime) -> list[Any]:
    """The message.sent / message.failed events of what just happened to ``message``."""
    events = []
    common: dict[str, Any] = {
        "message_id": message.message_id,
        "person_id": message.person_id,
        "kind": message.kind.value,
        "trigger_id": message.trigger_id,
        "chain_id": message.chain_id,
        "occurred_at": at,
    }
    for outcome in message.outcome:
        data = MessageSent(**common) if outcome == "sent" else MessageFailed(**common, reason=message.reason or "")
        events.append(ctx.event(data, f"person/{message.person_id}", at))
    message.outcome.clear()
    return events
