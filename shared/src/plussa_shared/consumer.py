"""The idempotent event consumer with retries and a dead-letter queue: it declares a
service's queues, reads each message into its subscription's event, keeps the order,
gathers batches and acks what was applied.

Each service has one durable queue bound to the topic exchange for the event types
it subscribes to. A message is handled inside one MongoDB transaction that also
records its event id in the service's ``inbox`` collection (``plussa_shared.applying``);
a redelivered or duplicated event finds its id there and changes nothing. A failing
handler is retried through delay queues with growing delays, then dead-lettered with
its reason (``plussa_shared.settling``); a message that cannot be read at all is
dead-lettered at once.

Within one process, events about one subject are applied in the order they
arrived; events about different subjects run concurrently (up to the prefetch).
A retried event comes back after its delay, behind later events of its subject:
a handler that needs an earlier event first raises, and is retried until it came.

A subscription may opt in to batches (``batch_max`` above one): up to that many
ready events of its type, gathered for at most ``batch_linger_ms`` (longer while
``batch_concurrency`` batches are in flight, see ``plussa_shared.batches``), are
applied in ONE transaction that records each event id in the inbox. Ids already handled, and
repeats inside the batch, are skipped; events about one subject never share a
batch, so their order holds. When the batch transaction fails, its events are
handled one by one as above, so a bad event is retried or dead-lettered alone.
Messages are acked only after the transaction that applied them committed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue
from opentelemetry import trace
from pydantic import ValidationError
from pymongo import AsyncMongoClient

from plussa_shared.acks import Acks
from plussa_shared.applying import Applier
from plussa_shared.batches import Batcher, Pending, message_context
from plussa_shared.broker import Broker
from plussa_shared.events import CloudEvent, RawEvent
from plussa_shared.locks import KeyedLocks
from plussa_shared.metrics import Metrics
from plussa_shared.mongo import Database, Document
from plussa_shared.queues import QueueNames, QueueRole, QueueType, queue_arguments
from plussa_shared.settling import Settler
from plussa_shared.subscription import Subscription
from plussa_shared.tracing import consuming

log = structlog.get_logger(__name__)


class EventConsumer:
    """Consumes a service's queue; start with ``start`` and stop with ``stop``."""

    def __init__(
        self,
        *,
        queue_name: str,
        subscriptions: Sequence[Subscription[Any]],
        broker: Broker,
        client: AsyncMongoClient[Document],
        db: Database,
        metrics: Metrics,
        prefetch: int = 32,
        retry_delays_ms: Sequence[int] = (1_000, 10_000, 60_000),
        after_commit: Callable[[], None] | None = None,
        private_exchange: str | None = None,
        queue_type: QueueType = "classic",
        delivery_limit: int = 20,
        tracer: trace.Tracer | None = None,
    ) -> None:
        self.names = QueueNames(queue_name)
        self._tracer = tracer or trace.get_tracer(__name__)
        self._private_exchange = private_exchange
        self._subscriptions = {s.event_type: s for s in subscriptions}
        # Each subscription's envelope with its own data schema, to read a message in one pass.
        self._envelopes: dict[str, type[CloudEvent[Any]]] = {
            s.event_type: CloudEvent[s.schema]  # type: ignore[name-defined]  # a class known at run time
            for s in subscriptions
        }
        self._last_type = ""
        self._broker = broker
        self._applier = Applier(client, db)
        self._metrics = metrics
        self._prefetch = prefetch
        self._retry_delays_ms = list(retry_delays_ms)
        self._queue_type: QueueType = queue_type
        self._delivery_limit = delivery_limit
        # Handlers may add follow-up events to the outbox; wake its relay once they commit.
        self._after_commit = after_commit
        self._channel: AbstractChannel | None = None
        self._queue: AbstractQueue | None = None
        self._consumer_tag: str | None = None
        self._in_order = KeyedLocks()
        self._acks = Acks()
        self._settle = Settler(self.names, retry_delays_ms, self._acks, metrics)
        self._batchers = {
            s.event_type: Batcher(
                partial(self._settle_batch, s),
                batch_max=s.batch_max,
                linger_ms=s.batch_linger_ms,
                concurrency=s.batch_concurrency,
            )
            for s in subscriptions
            if s.batch_max > 1
        }

    async def start(self) -> None:
        """Declare the topology and begin consuming.

        The channel is robust: after a reconnect aio-pika declares the queues and
        bindings again and restores the consumer. When declaring fails (a queue
        declared before with other arguments, say) the channel is closed and the
        error raised, so a retry starts clean.
        """
        channel = await self._broker.channel(publisher_confirms=True, prefetch=self._prefetch)
        try:
            await self._declare_and_consume(channel)
        except BaseException:
            if not channel.is_closed:
                with contextlib.suppress(Exception):
                    await channel.close()
            raise
        self._channel = channel
        log.info("consumer_started", queue=self.names.main, types=sorted(self._subscriptions))

    @property
    def is_ready(self) -> bool:
        """Whether the queue is declared, bound and consumed on an open channel."""
        return self._consumer_tag is not None and self._channel is not None and not self._channel.is_closed

    @property
    def channel(self) -> AbstractChannel | None:
        """The channel messages arrive on, once started."""
        return self._channel

    async def _declare_and_consume(self, channel: AbstractChannel) -> None:
        self._channel = channel
        exchange = await self._broker.declare_exchange(channel)
        requeue = await channel.declare_exchange(self.names.requeue, aio_pika.ExchangeType.DIRECT, durable=True)
        dead = await channel.declare_queue(self.names.dead, durable=True, arguments=self._typed(QueueRole.DEAD))
        await dead.bind(requeue, routing_key=self.names.dead)
        for delay in sorted(set(self._retry_delays_ms)):
            delayed = await channel.declare_queue(
                self.names.delay(delay),
                durable=True,
                arguments={
                    "x-message-ttl": delay,
                    "x-dead-letter-exchange": self.names.requeue,
                    "x-dead-letter-routing-key": self.names.main,
                    **self._typed(QueueRole.DELAY),
                },
            )
            await delayed.bind(requeue, routing_key=self.names.delay(delay))
        self._settle.requeue = requeue
        queue = await channel.declare_queue(
            self.names.main,
            durable=True,
            arguments={
                "x-dead-letter-exchange": self.names.requeue,
                "x-dead-letter-routing-key": self.names.dead,
                **self._typed(QueueRole.MAIN),
            },
        )
        await queue.bind(requeue, routing_key=self.names.main)
        private = None
        for subscription in self._subscriptions.values():
            if subscription.private:
                if self._private_exchange is None:
                    raise ValueError(f"{subscription.event_type} is private but the consumer has no private exchange")
                private = private or await self._broker.declare_exchange(channel, self._private_exchange)
                await queue.bind(private, routing_key=subscription.routing_key)
            else:
                await queue.bind(exchange, routing_key=subscription.routing_key)
        self._queue = queue
        self._consumer_tag = await queue.consume(self._on_message)

    def _typed(self, role: QueueRole) -> dict[str, Any]:
        """The queue-type arguments (quorum or classic) of a queue playing ``role``."""
        return queue_arguments(role, self._queue_type, self._delivery_limit)

    async def stop(self) -> None:
        """Stop consuming; in-flight messages not yet acked are redelivered later."""
        if self._queue is not None and self._consumer_tag is not None:
            try:
                await self._queue.cancel(self._consumer_tag)
            except Exception as exc:  # the channel may already be gone
                log.debug("consumer_cancel_failed", error=type(exc).__name__)
        # Batches already taken are applied and acked before the channel closes.
        for batcher in self._batchers.values():
            await batcher.drain()
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()

    async def dead_letter_depth(self) -> int:
        """How many messages wait in the dead-letter queue; also sets the gauge.

        Asked on a channel of its own: a failed passive declare closes its channel,
        which must not be the one messages are consumed on."""
        channel = await self._broker.channel(publisher_confirms=False)
        try:
            queue = await channel.declare_queue(self.names.dead, passive=True)
            depth = int(queue.declaration_result.message_count or 0)
        finally:
            if not channel.is_closed:
                await channel.close()
        self._metrics.dead_letter_depth.labels(self.names.dead).set(depth)
        return depth

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self._acks.delivered(message)
        request_id = (message.headers or {}).get("x-request-id") or None
        structlog.contextvars.bind_contextvars(message_id=message.message_id, request_id=request_id)
        # The handling continues the trace the message carries (traceparent), as a consumer span.
        with consuming(self._tracer, message.headers, message.type or message.routing_key or "event"):
            try:
                await self._handle(message)
            except Exception as exc:
                await self._settle.deferred(message, exc)
            finally:
                structlog.contextvars.unbind_contextvars("message_id", "request_id", "event_id", "event_type")

    async def _handle(self, message: AbstractIncomingMessage) -> None:
        event = self._read_at_once(message)
        if event is None:
            event = await self._read_in_steps(message)
            if event is None:
                return  # dead-lettered
        else:
            structlog.contextvars.bind_contextvars(event_id=event.id, event_type=event.type)
        self._last_type = event.type
        subscription = self._subscriptions[event.type]
        # Messages arrive in order but each runs in its own task; events about one
        # subject (an aggregate), or of one order key, are applied one after the other,
        # in arrival order.
        # Everything above runs without awaiting, so the lock is queued for in order.
        # A batched event holds its subject's lock until its batch is settled, so the
        # next event about that subject waits for a later batch.
        async with self._in_order.hold(subscription.order_of(event)):
            batcher = self._batchers.get(event.type)
            if batcher is None:
                await self._apply_and_settle(message, subscription, event)
            else:
                await batcher.submit(message, event)

    def _read_at_once(self, message: AbstractIncomingMessage) -> CloudEvent[Any] | None:
        """The message's event read in one pass, envelope and data, when the type it says it
        is (or, as store systems do not say, the type of the message before it) is one
        subscribed to and turns out to be the event's; else None, and it is read in steps."""
        expected = message.type or self._last_type
        envelope = self._envelopes.get(expected)
        if envelope is None:
            return None
        try:
            event = envelope.model_validate_json(message.body)
        except ValidationError:
            return None  # the steps tell a bad envelope from bad data, or another type
        return event if event.type == expected else None

    async def _read_in_steps(self, message: AbstractIncomingMessage) -> CloudEvent[Any] | None:
        """The envelope, then its data by the subscription of its type; None when the message
        was dead-lettered instead, with which of the three was wrong."""
        try:
            raw = RawEvent.model_validate_json(message.body)
        except ValidationError as exc:
            await self._settle.dead_letter(message, "malformed-envelope", _summary(exc))
            return None
        structlog.contextvars.bind_contextvars(event_id=raw.id, event_type=raw.type)
        subscription = self._subscriptions.get(raw.type)
        if subscription is None:
            await self._settle.dead_letter(message, "no-handler", f"no subscription for {raw.type}", raw.type)
            return None
        try:
            data = subscription.schema.model_validate(raw.data)
        except ValidationError as exc:
            await self._settle.dead_letter(message, "malformed-data", _summary(exc), raw.type)
            return None
        # The envelope is valid already: only its data changes, with no second validation.
        event: CloudEvent[Any] = raw.model_copy(update={"data": data})
        return event

    async def _apply_and_settle(
        self, message: AbstractIncomingMessage, subscription: Subscription[Any], event: CloudEvent[Any]
    ) -> None:
        try:
            applied = await self._applier.apply(subscription, event)
            if applied and self._after_commit is not None:
                self._after_commit()
        except Exception as exc:
            await self._settle.failure(message, exc, event.type)
            return
        await self.acknowledge(message)
        self._metrics.events_consumed.labels(event.type, _outcome(applied)).inc()
        log.info("event_handled", duplicate=not applied)

    async def _settle_batch(self, subscription: Subscription[Any], batch: list[Pending]) -> None:
        """Apply ``batch`` in one transaction and ack it, or handle its events one by one."""
        self._metrics.event_batch_size.labels(subscription.event_type).observe(len(batch))
        try:
            if len(batch) == 1:  # nothing to share a transaction with
                with message_context(batch[0]):
                    await self._settle_alone(batch[0], subscription)
                return
            try:
                fresh = await self._applier.apply_batch(subscription, batch)
            except Exception as exc:
                log.info("event_batch_failed", size=len(batch), error=type(exc).__name__, detail=str(exc)[:200])
                for pending in batch:
                    with message_context(pending):
                        await self._settle_alone(pending, subscription)
                return
            if any(fresh) and self._after_commit is not None:
                self._after_commit()
            try:
                await self.acknowledge(*(pending.message for pending in batch))
            except Exception as exc:
                for pending in batch:
                    with message_context(pending):
                        await self._settle.deferred(pending.message, exc)
                return
            self._count_handled(subscription.event_type, fresh)
            if log.is_enabled_for(logging.INFO):
                for pending, applied in zip(batch, fresh, strict=True):
                    with message_context(pending):
                        log.info("event_handled", duplicate=not applied, batch=len(batch))
        finally:
            for pending in batch:
                if not pending.done.done():
                    pending.done.set_result(None)

    def _count_handled(self, event_type: str, fresh: list[bool]) -> None:
        """Count a batch's events by outcome: one step of each counter, not one per event."""
        applied = sum(fresh)
        if applied:
            self._metrics.events_consumed.labels(event_type, _outcome(True)).inc(applied)
        if applied < len(fresh):
            self._metrics.events_consumed.labels(event_type, _outcome(False)).inc(len(fresh) - applied)

    async def _settle_alone(self, pending: Pending, subscription: Subscription[Any]) -> None:
        try:
            await self._apply_and_settle(pending.message, subscription, pending.event)
        except Exception as exc:
            await self._settle.deferred(pending.message, exc)

    async def acknowledge(self, *messages: AbstractIncomingMessage) -> None:
        """Ack messages whose effects have committed (a batch's with one frame where it can).

        A process may die between the commit and this ack; tests stage exactly that
        by replacing this method on an instance.
        """
        await self._acks.ack(messages)


def _outcome(applied: bool) -> str:
    return "applied" if applied else "duplicate"


def _summary(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:10])
