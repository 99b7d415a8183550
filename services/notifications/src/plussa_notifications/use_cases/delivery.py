"""Sending queued messages: render in the person's language, hand to SMTP, record the fate.

A batch of due messages is leased, sent over a few SMTP connections at once, and its
outcomes recorded with their events in one transaction. Marketing is checked against
the person's consent again just before sending, so a withdrawal stops mail already queued.

Each mail is sent in the trace it was queued in (a span of its own, the child of the
stored context, or the root of a new trace for a message queued outside any): the lines
logged while sending it and its ``message.sent`` or ``message.failed`` event carry that
trace; the batch as a whole belongs to none.
"""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

import structlog

from plussa_notifications.context import NotificationsContext
from plussa_notifications.domain.consent import ContactPreferences
from plussa_notifications.domain.messages import FailureReason, Message, MessageKind
from plussa_notifications.mail.composer import Envelope, compose, envelope
from plussa_notifications.mail.smtp import Outcome, SmtpSender
from plussa_notifications.mail.unsubscribe import UnsubscribeClaim
from plussa_shared.context import UnitOfWork
from plussa_shared.tracing import Tracing, resumed, trace_headers

log = structlog.get_logger(__name__)

_RECORD_ATTEMPTS = 8
_SECRET_LINK_KINDS = (MessageKind.EMAIL_VERIFICATION, MessageKind.PASSWORD_RESET)


class SenderPool:
    """A few SMTP connections, each used by one message at a time."""

    def __init__(self, ctx: NotificationsContext) -> None:
        self._free: asyncio.Queue[SmtpSender] = asyncio.Queue()
        self._all = [SmtpSender(ctx.settings.smtp()) for _ in range(ctx.settings.smtp_connections)]
        for sender in self._all:
            self._free.put_nowait(sender)

    @asynccontextmanager
    async def sender(self) -> AsyncIterator[SmtpSender]:
        """Borrow a connection."""
        sender = await self._free.get()
        try:
            yield sender
        finally:
            self._free.put_nowait(sender)

    async def close(self) -> None:
        """Close every connection."""
        for sender in self._all:
            await sender.close()


def unsubscribe_url(ctx: NotificationsContext, message: Message) -> str:
    """The one-click link of a marketing message, valid once, for its person and chain."""
    assert message.chain_id is not None
    claim = UnsubscribeClaim(person_id=message.person_id, chain_id=message.chain_id, token_id=message.message_id)
    token = ctx.tokens.issue(claim, ctx.now())
    base = str(ctx.settings.unsubscribe_base_url).rstrip("/")
    return f"{base}/v1/unsubscribe/{message.person_id}/{message.chain_id}?token={token}"


async def send_due(ctx: NotificationsContext, pool: SenderPool, owner: str, tracing: Tracing) -> int:
    """Send one batch of due messages, each in its own trace; how many were tried."""
    settings = ctx.settings
    lease = timedelta(seconds=settings.sender_lease_s)
    claimed = await ctx.store.claim_due(ctx.now(), settings.sender_batch_size, lease, owner)
    if not claimed:
        return 0
    marketing = [m.person_id for m in claimed if m.kind.is_marketing]
    consents = await ctx.store.preferences_of(marketing) if marketing else {}
    traces = await asyncio.gather(*(_traced(ctx, pool, tracing, message, consents) for message in claimed))
    await _record(ctx, claimed, dict(zip((m.message_id for m in claimed), traces, strict=True)))
    return len(claimed)


async def _traced(
    ctx: NotificationsContext,
    pool: SenderPool,
    tracing: Tracing,
    message: Message,
    consents: dict[str, ContactPreferences],
) -> dict[str, str]:
    """One attempt in the message's trace; the send span's context, for its outcome event."""
    kind = {"plussa.message.kind": message.kind.value}
    with resumed(tracing.tracer, message.trace, "mail send", attributes=kind) as span:
        await _attempt(ctx, pool, message, consents)
        span.set_attribute("plussa.message.status", message.status.value)
        # No address, name or server reply (which may quote the address): ids and the outcome.
        log.info("mail_attempt", message_id=message.message_id, kind=message.kind, status=message.status)
        return trace_headers()


async def _attempt(
    ctx: NotificationsContext, pool: SenderPool, message: Message, consents: dict[str, ContactPreferences]
) -> None:
    if message.to is None:
        message.mark_failed(FailureReason.NO_VERIFIED_EMAIL.value, ctx.now())
        return
    unsubscribe = None
    if message.kind.is_marketing:
        prefs = consents.get(message.person_id)
        if message.chain_id is None or prefs is None or not prefs.may_receive_marketing(message.chain_id):
            message.mark_failed(FailureReason.CONSENT_WITHDRAWN.value, ctx.now())
            return
        unsubscribe = unsubscribe_url(ctx, message)
    try:
        mail = _mail(ctx, message, message.to, unsubscribe)
    except Exception as exc:  # a message that cannot be written never will be: fail it, keep the rest going
        log.error("mail_not_rendered", message_id=message.message_id, kind=message.kind, error=type(exc).__name__)
        message.mark_failed(f"{FailureReason.NOT_RENDERED}: {type(exc).__name__}", ctx.now())
        return
    async with pool.sender() as sender:
        delivery = await sender.send(mail)
    at = ctx.now()
    if delivery.outcome is Outcome.SENT:
        message.mark_sent(at)
    elif delivery.outcome is Outcome.FAILED:
        message.mark_failed(f"{FailureReason.REFUSED}: {delivery.reason}", at)
    else:
        message.retry_later(delivery.reason, at, ctx.settings.retry_policy())


def _mail(ctx: NotificationsContext, message: Message, to: str, unsubscribe: str | None) -> Envelope:
    action = message.data.get("action_url")
    rendered = ctx.renderer.render(
        message.kind, message.language, message.data, action_url=action, unsubscribe_url=unsubscribe
    )
    sender_address = ctx.settings.sender_address()
    mime = compose(
        rendered, message_id=message.message_id, to=to, sender=sender_address, at=ctx.now(), unsubscribe_url=unsubscribe
    )
    return envelope(mime, sender=sender_address, to=to)


async def _record(ctx: NotificationsContext, messages: Sequence[Message], traces: dict[str, dict[str, str]]) -> None:
    for message in messages:
        if message.kind in _SECRET_LINK_KINDS and message.status != "queued":
            # The link holds a login secret: keep it only while the mail may still need it.
            message.data.pop("action_url", None)

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.save_outcomes(messages, uow.session)
        for message in messages:
            # Copies, not pulled: a transaction that is run again publishes them again.
            for recorded in message.recorded_events:
                uow.publish(recorded.data, recorded.subject, recorded.at, trace=traces[message.message_id])

    # The mails are out: record that, retrying rather than leaving them to be sent again
    # when their lease runs out (a receiver could still tell a repeat by its Message-ID).
    for attempt in range(_RECORD_ATTEMPTS):
        try:
            await ctx.run(work)
            break
        except Exception as exc:
            if attempt == _RECORD_ATTEMPTS - 1:
                raise
            log.warning("mail_outcomes_not_recorded", error=type(exc).__name__, attempt=attempt + 1)
            await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
    for message in messages:
        message.pull_events()
    log.info(
        "mail_batch",
        sent=sum(1 for m in messages if m.status == "sent"),
        failed=sum(1 for m in messages if m.status == "failed"),
        waiting=sum(1 for m in messages if m.status == "queued"),
    )


async def run_sender(ctx: NotificationsContext, tracing: Tracing) -> None:
    """Send until cancelled: at once when messages are queued, else every poll interval."""
    pool = SenderPool(ctx)
    owner = uuid.uuid4().hex
    try:
        while True:
            try:
                tried = await send_due(ctx, pool, owner, tracing)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("mail_sender_failed", error=type(exc).__name__, detail=str(exc)[:200])
                tried = 0
            if tried == 0:
                await _wait(ctx)
    finally:
        await pool.close()


async def _wait(ctx: NotificationsContext) -> None:
    ctx.mail_waiting.clear()
    timeout = ctx.settings.sender_poll_interval_s
    next_due = await ctx.store.next_due()
    if next_due is not None:
        timeout = min(timeout, max((next_due - ctx.now()).total_seconds(), 0.01))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ctx.mail_waiting.wait(), timeout)
