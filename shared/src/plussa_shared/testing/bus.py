"""Watching and feeding the event bus from tests."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from plussa_shared.events import routing_key_for
from plussa_shared.testing.broker_users import harness_url

Event = dict[str, Any]


class BusProbe:
    """Collects every event published on the exchange under the given binding keys."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.headers: dict[str, dict[str, Any]] = {}
        """The AMQP headers each event arrived with, by event id."""
        self._changed = asyncio.Condition()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        async with message.process():
            event = json.loads(message.body)
            self.headers[str(event.get("id"))] = dict(message.headers or {})
            self.events.append(event)
            async with self._changed:
                self._changed.notify_all()

    def of_type(self, event_type: str) -> list[Event]:
        """Events seen so far with this CloudEvents type."""
        return [e for e in self.events if e.get("type") == event_type]

    async def wait_for(
        self, event_type: str, where: Callable[[Event], bool] = lambda _: True, *, count: int = 1, timeout: float = 10.0
    ) -> list[Event]:
        """Wait until ``count`` matching events have been seen; fail after ``timeout``."""

        def matching() -> list[Event]:
            return [e for e in self.of_type(event_type) if where(e)]

        async def wait() -> list[Event]:
            async with self._changed:
                await self._changed.wait_for(lambda: len(matching()) >= count)
            return matching()

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            seen = sorted({e.get("type", "?") for e in self.events})
            raise AssertionError(f"{count} x {event_type} not seen in {timeout}s; saw types {seen}") from None


@asynccontextmanager
async def bus_probe(amqp_url: str, exchange: str | Sequence[str], *binding_keys: str) -> AsyncIterator[BusProbe]:
    """A temporary exclusive queue on ``exchange`` (or on each of several, such as the
    internal one and a service's private one) bound to ``binding_keys`` (default all)."""
    connection = await aio_pika.connect_robust(harness_url(amqp_url))
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        for name in [exchange] if isinstance(exchange, str) else exchange:
            ex = await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)
            for key in binding_keys or ("#",):
                await queue.bind(ex, routing_key=key)
        probe = BusProbe()
        await queue.consume(probe._on_message)
        yield probe
    finally:
        await connection.close()


def envelope(
    event_type: str,
    data: dict[str, Any],
    *,
    source: str | None = None,
    subject: str | None = None,
    event_id: str | None = None,
) -> Event:
    """A CloudEvents envelope as another system would publish it; ``source`` defaults to
    the publisher's as the event contract says (``/plussa/<service>``, a store's
    ``/stores/<id>``)."""
    return {
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "source": source or source_of(event_type),
        "type": event_type,
        "time": datetime.now(UTC).isoformat(),
        "subject": subject,
        "datacontenttype": "application/json",
        "data": data,
    }


def source_of(event_type: str) -> str:
    """The CloudEvents source the contract gives the publisher of ``event_type``."""
    publisher = routing_key_for(event_type).split(".")[0]
    return "/stores/test-store" if publisher == "stores" else f"/plussa/{publisher}"


async def publish(
    amqp_url: str,
    exchange: str,
    event: Event | bytes,
    *,
    routing_key: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Publish one event (or raw bytes) to ``exchange`` with publisher confirms, with
    ``headers`` (a ``traceparent``, an ``x-request-id``) if given."""
    await publish_all(amqp_url, exchange, [event], routing_key=routing_key, headers=headers)


async def publish_all(
    amqp_url: str,
    exchange: str,
    events: Sequence[Event | bytes],
    *,
    routing_key: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Publish events (or raw bytes) to ``exchange`` in order on one channel, with
    publisher confirms: quickly enough for a consumer to take them as one batch."""
    connection = await aio_pika.connect(harness_url(amqp_url))
    try:
        channel = await connection.channel(publisher_confirms=True)
        ex = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        for event in events:
            if isinstance(event, bytes):
                body, key = event, routing_key or "unknown"
            else:
                body = json.dumps(event).encode()
                key = routing_key or str(event["type"]).removeprefix("fi.plussa.")
            await ex.publish(
                aio_pika.Message(
                    body,
                    message_id=str(uuid.uuid4()) if isinstance(event, bytes) else str(event["id"]),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    content_type="application/cloudevents+json",
                    headers=dict(headers or {}),
                ),
                routing_key=key,
            )
    finally:
        await connection.close()


async def drain(
    amqp_url: str, queue_name: str, *, timeout: float = 10.0, count: int = 1
) -> list[AbstractIncomingMessage]:
    """Take ``count`` messages from a queue (for example a dead-letter queue), waiting up to ``timeout``."""
    connection = await aio_pika.connect(harness_url(amqp_url))
    taken: list[AbstractIncomingMessage] = []
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True, passive=True)
        deadline = asyncio.get_running_loop().time() + timeout
        while len(taken) < count:
            message = await queue.get(fail=False, no_ack=True)
            if message is not None:
                taken.append(message)
                continue
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.1)
    finally:
        await connection.close()
    return taken
