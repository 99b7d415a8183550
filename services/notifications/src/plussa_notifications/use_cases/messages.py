"""Queueing a message for a person, once per triggering event."""

import uuid
from typing import Any

from plussa_notifications.context import NotificationsContext
from plussa_notifications.domain.messages import FailureReason, Message, MessageKind, recipient_address
from plussa_shared.context import UnitOfWork
from plussa_shared.tracing import trace_headers


async def queue_message(
    ctx: NotificationsContext,
    *,
    trigger_id: str,
    person_id: str,
    kind: MessageKind,
    data: dict[str, Any],
    link_email: str | None = None,
    link_language: str | None = None,
    chain_id: str | None = None,
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
            chain_id=chain_id,
            to=to,
            trace=trace_headers(),  # the triggering event's trace: the mail is sent in it
        )
        if to is None:
            message.mark_failed(FailureReason.NO_VERIFIED_EMAIL.value, now)
        await ctx.store.add_messages(uow, [message])

    await ctx.run(work)
    ctx.mail_waiting.set()
