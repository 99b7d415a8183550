"""What becomes of a consumed message that was not applied: retried through the delay
queues with growing delays, then dead-lettered with its reason, or dead-lettered at once;
and, when settling itself fails, left to the broker to deliver again."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage

from plussa_shared.acks import Acks
from plussa_shared.domain import DomainError, ErrorKind
from plussa_shared.metrics import Metrics
from plussa_shared.outages import describe, is_outage
from plussa_shared.queues import QueueNames

log = structlog.get_logger(__name__)

RETRY_HEADER = "x-plussa-retries"
LAST_ERROR_HEADER = "x-plussa-last-error"
DEAD_REASON_HEADER = "x-plussa-dead-reason"
DEAD_DETAIL_HEADER = "x-plussa-dead-detail"
DEAD_AT_HEADER = "x-plussa-dead-at"
ORIGINAL_ROUTING_KEY_HEADER = "x-plussa-original-routing-key"

CHANNEL_GONE = (
    aio_pika.exceptions.ChannelInvalidStateError,
    aio_pika.exceptions.ChannelClosed,
    aio_pika.exceptions.AMQPConnectionError,
    ConnectionError,
)
"""Settling failed because the channel or its connection closed under it."""

RETRIED_KINDS = frozenset({ErrorKind.NOT_KNOWN_YET, ErrorKind.UNAVAILABLE})
"""Domain error kinds that may pass with time: retried with back-off, then dead-lettered.
Every other kind is dead-lettered at once, its slug the reason."""


class RejectEventError(Exception):
    """Deprecated: raise a ``DomainError`` (its kind decides) instead.

    Raised by a handler for an event that can never be applied (for example a
    purchase on a blocked card): it is dead-lettered at once with reason ``rejected``."""


class Settler:
    """Settles the messages a consumer could not apply, on its channel's requeue exchange
    (``requeue``, set once the channel is declared)."""

    def __init__(self, names: QueueNames, retry_delays_ms: Sequence[int], acks: Acks, metrics: Metrics) -> None:
        self._names = names
        self._retry_delays_ms = list(retry_delays_ms)
        self._acks = acks
        self._metrics = metrics
        self.requeue: AbstractExchange | None = None

    async def failure(self, message: AbstractIncomingMessage, exc: Exception, event_type: str) -> None:
        """The one place that decides what a failed event becomes.

        A ``DomainError`` of a kind that may pass with time is retried, then
        dead-lettered with its slug; any other kind is dead-lettered at once with its
        slug. ``RejectEventError`` (deprecated) is dead-lettered at once as
        ``rejected``; any other exception is retried, then dead-lettered as
        ``handler-failed``.
        """
        if isinstance(exc, DomainError):
            detail = f"{exc.problem_slug}: {exc.detail}"
            if exc.kind in RETRIED_KINDS:
                log.info("event_not_applicable_yet", reason=exc.problem_slug, detail=exc.detail[:500])
                await self._retry_or_dead_letter(message, exc, event_type, reason=exc.problem_slug, detail=detail)
            else:
                await self.dead_letter(message, exc.problem_slug, detail, event_type)
        elif isinstance(exc, RejectEventError):
            await self.dead_letter(message, "rejected", str(exc), event_type)
        else:
            # The database being away is reported once, as an outage, not per event.
            report = log.info if is_outage(exc) else log.warning
            report("event_handler_failed", error=type(exc).__name__, detail=str(exc)[:500])
            await self._retry_or_dead_letter(message, exc, event_type)

    async def _retry_or_dead_letter(
        self,
        message: AbstractIncomingMessage,
        exc: Exception,
        event_type: str,
        *,
        reason: str = "handler-failed",
        detail: str | None = None,
    ) -> None:
        raw_retries = (message.headers or {}).get(RETRY_HEADER, 0)
        retries = raw_retries if isinstance(raw_retries, int) else 0
        detail = detail or f"{type(exc).__name__}: {str(exc)[:500]}"
        if retries >= len(self._retry_delays_ms):
            await self.dead_letter(message, reason, detail, event_type)
            return
        headers = {
            **(message.headers or {}),
            RETRY_HEADER: retries + 1,
            LAST_ERROR_HEADER: detail,
            ORIGINAL_ROUTING_KEY_HEADER: _original_routing_key(message),
        }
        await self._publish_copy(message, self._names.delay(self._retry_delays_ms[retries]), headers)
        await self._acks.ack([message])
        self._metrics.events_consumed.labels(event_type, "retried").inc()

    async def dead_letter(
        self, message: AbstractIncomingMessage, reason: str, detail: str, event_type: str = "unknown"
    ) -> None:
        """Park ``message`` unchanged in the dead-letter queue with why, then ack it."""
        headers = {
            **(message.headers or {}),
            DEAD_REASON_HEADER: reason,
            DEAD_DETAIL_HEADER: detail[:2000],
            DEAD_AT_HEADER: datetime.now(UTC).isoformat(),
            ORIGINAL_ROUTING_KEY_HEADER: _original_routing_key(message),
        }
        await self._publish_copy(message, self._names.dead, headers)
        await self._acks.ack([message])
        self._metrics.events_dead_lettered.labels(reason).inc()
        self._metrics.events_consumed.labels(event_type, "dead-lettered").inc()
        log.warning("event_dead_lettered", reason=reason, detail=detail[:500])

    async def deferred(self, message: AbstractIncomingMessage, exc: Exception) -> None:
        """Acking or dead-lettering a message failed: the broker redelivers it (unacked
        messages of a closed channel go back to the queue) and the inbox makes the second
        handling a no-op. A channel closed by a broker outage is that expected case."""
        if isinstance(exc, CHANNEL_GONE):
            log.info("event_settle_deferred", cause=describe(exc))
        else:
            log.error("event_settle_failed", exc_info=exc)
        self._acks.forget(message)
        with contextlib.suppress(Exception):
            await message.nack(requeue=True)

    async def _publish_copy(self, message: AbstractIncomingMessage, queue: str, headers: dict[str, Any]) -> None:
        assert self.requeue is not None
        copy = aio_pika.Message(
            body=message.body,
            headers=headers,
            content_type=message.content_type,
            message_id=message.message_id,
            type=message.type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await self.requeue.publish(copy, routing_key=queue)


def _original_routing_key(message: AbstractIncomingMessage) -> str:
    """The key the event was published with: a retried or replayed message arrives
    from the default exchange under the queue's name, and carries the original."""
    original = (message.headers or {}).get(ORIGINAL_ROUTING_KEY_HEADER)
    if isinstance(original, bytes):
        original = original.decode(errors="replace")
    return str(original or message.routing_key or "")
