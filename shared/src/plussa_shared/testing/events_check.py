"""Holding every event on the bus to its contract, and recording a test's bus.

A message passes when the ``cloudevents`` SDK reads it as a valid CloudEvents 1.0 event
through its RabbitMQ (AMQP 0-9-1) binding, its type is a message of the AsyncAPI document
(``docs/asyncapi.yaml``), it came with that message's content type and routing key, and
the whole envelope (``source`` and ``data`` included) matches that message's payload
schema. ``EventContract.problems`` says what is wrong; ``EventContract.check`` fails.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aio_pika
import yaml
from aio_pika.abc import AbstractIncomingMessage
from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_rabbitmq
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

from plussa_shared.events import routing_key_for
from plussa_shared.testing.broker_users import harness_url

ROOT_ID = "urn:plussa:asyncapi"
SETTLE_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class ReceivedMessage:
    """One message as a consumer received it from the broker."""

    body: bytes
    content_type: str | None
    routing_key: str
    exchange: str = ""
    message_id: str | None = None
    headers: Mapping[str, Any] = field(default_factory=dict)

    def envelope(self) -> dict[str, Any]:
        """The body as JSON (empty when it is not a JSON object)."""
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}


def read_cloud_event(message: ReceivedMessage) -> CloudEvent:
    """The message as the ``cloudevents`` SDK reads it; raises when it is no valid
    CloudEvents 1.0 event."""
    body = message.body
    envelope = message.envelope()
    if envelope:
        # The JSON event format says a null attribute is the same as an absent one; the
        # SDK's reader checks the value as given, so nulls are dropped first.
        body = json.dumps({k: v for k, v in envelope.items() if v is not None or k == "data"}).encode()
    headers = {str(k): str(v) for k, v in message.headers.items()}
    event = from_rabbitmq(RabbitMQMessage(headers, message.content_type, body), JSONFormat(), CloudEvent)
    assert isinstance(event, CloudEvent)
    return event


class EventContract:
    """The messages of one AsyncAPI document, by CloudEvents type."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.messages: dict[str, tuple[str, dict[str, Any]]] = {
            message["name"]: (key, message) for key, message in document["components"]["messages"].items()
        }
        self._root = {"$schema": "http://json-schema.org/draft-07/schema#", "$id": ROOT_ID, **document}

    @classmethod
    def from_file(cls, path: Path) -> "EventContract":
        """The contract of an AsyncAPI document in YAML."""
        return cls(yaml.safe_load(path.read_text()))

    def problems(self, message: ReceivedMessage) -> list[str]:
        """Everything that makes ``message`` break the contract; empty when it keeps it."""
        try:
            event = read_cloud_event(message)
        except Exception as exc:
            return [f"not a valid CloudEvent: {type(exc).__name__}: {exc}"]
        event_type = event.get_type()
        if event_type not in self.messages:
            return [f"{event_type} is not a message of the AsyncAPI document"]
        key, spec = self.messages[event_type]
        found = []
        if message.content_type != spec["contentType"]:
            found.append(f"content type {message.content_type!r}, the document says {spec['contentType']!r}")
        if message.routing_key != routing_key_for(event_type):
            found.append(f"routing key {message.routing_key!r} for {event_type}")
        if message.message_id is not None and message.message_id != event.get_id():
            found.append(f"AMQP message id {message.message_id!r} is not the CloudEvent id {event.get_id()!r}")
        payload = {"allOf": [{"$ref": f"#/components/messages/{key}/payload"}]}
        validator = Draft7Validator({**self._root, **payload}, format_checker=Draft7Validator.FORMAT_CHECKER)
        found += [_describe(error) for error in validator.iter_errors(message.envelope())]
        return found

    def check(self, message: ReceivedMessage) -> dict[str, Any]:
        """Fail unless ``message`` keeps the contract; returns its envelope."""
        found = self.problems(message)
        if found:
            envelope = message.envelope()
            label = envelope.get("type") or message.routing_key
            raise AssertionError(f"{label} (id {envelope.get('id')}) breaks the event contract: " + "; ".join(found))
        return message.envelope()


def _describe(error: ValidationError) -> str:
    deepest = min([error, *error.context], key=lambda e: -len(e.absolute_path)) if error.context else error
    where = "/" + "/".join(str(p) for p in deepest.absolute_path)
    return f"{where}: {deepest.message[:300]}"


class BusRecorder:
    """Every message seen on the recorded exchanges, in arrival order."""

    def __init__(self, contract: EventContract) -> None:
        self.contract = contract
        self.messages: list[ReceivedMessage] = []

    async def _on_message(self, incoming: AbstractIncomingMessage) -> None:
        async with incoming.process():
            self.messages.append(
                ReceivedMessage(
                    body=incoming.body,
                    content_type=incoming.content_type,
                    routing_key=incoming.routing_key or "",
                    exchange=incoming.exchange or "",
                    message_id=incoming.message_id,
                    headers=dict(incoming.headers or {}),
                )
            )

    @property
    def types(self) -> list[str]:
        """The CloudEvents types seen, in arrival order."""
        return [str(m.envelope().get("type")) for m in self.messages]

    def problems(self) -> list[str]:
        """One line per message that breaks the contract, with everything it breaks."""
        found = []
        for message in self.messages:
            broken = self.contract.problems(message)
            if broken:
                label = message.envelope().get("type") or message.routing_key
                found.append(f"{label} on {message.exchange}: " + "; ".join(broken))
        return found

    def assert_all_valid(self) -> None:
        """Fail listing every recorded message that breaks the contract."""
        found = self.problems()
        if found:
            raise AssertionError(f"{len(found)} events break the contract:\n  " + "\n  ".join(found))


@asynccontextmanager
async def record_bus(amqp_url: str, exchanges: Sequence[str], contract: EventContract) -> AsyncIterator[BusRecorder]:
    """Record every message published on ``exchanges`` (a temporary queue bound to ``#``)
    while the block runs; when it ends without an error, wait until the queue is drained
    and fail unless every message keeps ``contract``."""
    connection = await aio_pika.connect_robust(harness_url(amqp_url))
    recorder = BusRecorder(contract)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        for name in exchanges:
            exchange = await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)
            await queue.bind(exchange, routing_key="#")
        await queue.consume(recorder._on_message)
        yield recorder
        await _drained(channel, queue.name)
    finally:
        await connection.close()
    recorder.assert_all_valid()


async def _drained(channel: aio_pika.abc.AbstractChannel, queue: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_TIMEOUT_S
    while loop.time() < deadline:
        state = await channel.declare_queue(queue, passive=True)
        if not state.declaration_result.message_count:
            return
        await asyncio.sleep(0.05)
