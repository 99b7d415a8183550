"""Marketing sends: queued for the people who consent to the chain, streamed in batches.

The recipients are read with a cursor over the preferences (by person id), one batch
per transaction that also moves the campaign's position, so memory stays flat for any
number of recipients and a restart resumes where the last batch ended.
"""

import asyncio
import contextlib
import uuid
from typing import Any

import structlog

from plussa_notifications.context import NotificationsContext
from plussa_notifications.domain.campaigns import LocalizedText, may_send_for
from plussa_notifications.domain.errors import ChainNotAllowedError, UnknownChainError
from plussa_notifications.domain.messages import Message, MessageKind
from plussa_shared.context import UnitOfWork
from plussa_shared.mongo import Document

log = structlog.get_logger(__name__)


async def start_campaign(
    ctx: NotificationsContext,
    *,
    chain_id: str,
    kind: MessageKind,
    title: LocalizedText,
    text: LocalizedText,
    sender_id: str,
    sender_scopes: frozenset[str],
) -> Document:
    """Accept a campaign; its recipients are queued in the background."""
    if not may_send_for(sender_scopes, chain_id):
        raise ChainNotAllowedError(chain_id=chain_id)
    now = ctx.now()
    campaign: Document = {
        "_id": f"campaign-{uuid.uuid4()}",
        "chain_id": chain_id,
        "kind": kind.value,
        "title": title.model_dump(),
        "text": text.model_dump(),
        "sender_id": sender_id,
        "created_at": now,
        "status": "streaming",
        "last_person_id": None,
        "queued": 0,
        "skipped": 0,
    }

    async def work(uow: UnitOfWork) -> None:
        chain = await ctx.store.chain(chain_id, uow.session)
        if chain is None:
            raise UnknownChainError(f"Unknown chain or partner: {chain_id}", chains=[chain_id])
        campaign["chain_names"] = chain.names.model_dump()
        await ctx.store.add_campaign(campaign, uow.session)

    await ctx.run(work)
    ctx.campaigns_waiting.set()
    return campaign


async def stream_batch(ctx: NotificationsContext, campaign_id: str) -> bool:
    """Queue the next batch of a campaign's recipients; False once it is done."""
    size = ctx.settings.campaign_batch_size
    now = ctx.now()

    async def work(uow: UnitOfWork) -> bool:
        found = await ctx.store.campaign(campaign_id, uow.session)
        if found is None or found["status"] != "streaming":
            return False
        ids = await ctx.store.opted_in(found["chain_id"], found["last_person_id"], size)
        already = await ctx.store.messages_for(campaign_id, ids, uow.session) if ids else set()
        people = await ctx.store.people(ids, uow.session) if ids else {}
        messages = []
        for person_id in ids:
            person = people.get(person_id)
            if person_id in already or person is None or person.verified_email is None:
                continue
            messages.append(_message(found, person_id, person.language, person.first_name, person.verified_email, now))
        await ctx.store.add_messages(uow, messages)
        done = len(ids) < size
        last = ids[-1] if ids else found["last_person_id"]
        await ctx.store.advance_campaign(campaign_id, last, len(messages), len(ids) - len(messages), done, uow.session)
        return not done

    more = await ctx.run(work)
    ctx.mail_waiting.set()
    return more


def _message(found: Document, person_id: str, language: str, first_name: str | None, to: str, now: Any) -> Message:
    title = LocalizedText.model_validate(found["title"])
    text = LocalizedText.model_validate(found["text"])
    names = LocalizedText.model_validate(found["chain_names"])
    return Message(
        message_id=str(uuid.uuid4()),
        person_id=person_id,
        kind=MessageKind(found["kind"]),
        trigger_id=found["_id"],
        language=language,
        data={
            "chain_name": names.in_language(language),
            "title": title.in_language(language),
            "text": text.in_language(language),
            "first_name": first_name,
        },
        created_at=now,
        chain_id=found["chain_id"],
        to=to,
    )


async def run_campaigns(ctx: NotificationsContext) -> None:
    """Stream every open campaign until cancelled."""
    while True:
        ctx.campaigns_waiting.clear()
        try:
            for open_campaign in await ctx.store.open_campaigns():
                more = True
                while more:
                    more = await stream_batch(ctx, open_campaign["_id"])
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("campaign_stream_failed", error=type(exc).__name__, detail=str(exc)[:200])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.campaigns_waiting.wait(), ctx.settings.sender_poll_interval_s * 5)
