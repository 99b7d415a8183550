"""A partner chain's consumer, as docs/partners.md describes it, run under the partner's
own broker user: it binds its queue to the partner exchange, verifies each event with the
cloudevents SDK, handles each CloudEvent id once although the broker redelivers it and
the platform publishes it again, and never sees an event that is not meant for partners.

``LoyaltyPartner`` is the example: everything above the tests is what a partner runs.
"""

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import aio_pika
import yaml
from aio_pika.abc import AbstractIncomingMessage
from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_rabbitmq
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from plussa_cards.app import create_app
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi
from plussa_shared.testing.broker_users import SessionBrokerUsers
from plussa_shared.testing.bus import bus_probe, publish

ASYNCAPI = Path(__file__).resolve().parent.parent / "docs" / "asyncapi.yaml"
TYPE_PREFIX = "fi.plussa."


def partner_event_types(asyncapi: Path) -> set[str]:
    """The CloudEvents types of the AsyncAPI channels whose audience is ``partner``."""
    document = yaml.safe_load(asyncapi.read_text())
    return {channel["title"] for channel in document["channels"].values() if channel["x-plussa-audience"] == "partner"}


class LoyaltyPartner:
    """A partner chain's consumer of Plussa events.

    It verifies every message as a CloudEvent (the SDK's RabbitMQ binding; a JSON null
    counts as an absent attribute, as the CloudEvents JSON format says), accepts only the
    partner types of the AsyncAPI document from the source that owns them, and handles each
    CloudEvent ``id`` once: a redelivery or a second copy of an event is acknowledged and
    skipped. A real consumer keeps the ids it handled in its database, written in the same
    transaction as the effect, for longer than the queue's message TTL (seven days).
    """

    def __init__(self, known_types: set[str]) -> None:
        self.known_types = known_types
        self.handled: list[CloudEvent] = []
        self.handled_ids: set[str] = set()
        self.skipped_duplicates = 0
        self.refused: list[str] = []
        self.lose_next_ack = False
        """Set to simulate a crash after handling, before the ack: the broker delivers it again."""

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        """Verify, deduplicate, handle, then acknowledge."""
        try:
            event = self.verify(message)
        except ValueError as refused:
            self.refused.append(str(refused))
            await message.reject(requeue=False)  # to the partner's own dead-letter queue, if it has one
            return
        if event.get_id() in self.handled_ids:
            self.skipped_duplicates += 1
            await message.ack()
            return
        self.handled.append(event)
        self.handled_ids.add(event.get_id())
        if self.lose_next_ack:
            self.lose_next_ack = False
            await message.nack(requeue=True)  # as if the consumer died after its commit, before the ack
            return
        await message.ack()

    def verify(self, message: AbstractIncomingMessage) -> CloudEvent:
        """The message as a verified CloudEvent; ValueError when it is not one we accept."""
        envelope = json.loads(message.body)
        body = json.dumps({k: v for k, v in envelope.items() if v is not None or k == "data"}).encode()
        headers = {str(k): str(v) for k, v in (message.headers or {}).items()}
        try:
            event = from_rabbitmq(RabbitMQMessage(headers, message.content_type, body), JSONFormat(), CloudEvent)
        except Exception as exc:
            raise ValueError(f"not a CloudEvent: {exc}") from exc
        assert isinstance(event, CloudEvent)
        event_type = event.get_type()
        if event_type not in self.known_types:
            raise ValueError(f"not a partner event type: {event_type}")
        owner = event_type.removeprefix(TYPE_PREFIX).split(".")[0]
        if event.get_source() != f"/plussa/{owner}":
            raise ValueError(f"{event_type} from {event.get_source()}, not /plussa/{owner}")
        if message.routing_key != event_type.removeprefix(TYPE_PREFIX):
            raise ValueError(f"{event_type} under routing key {message.routing_key}")
        return event


async def consume_as_partner(
    partner_url: str, exchange: str, queue_name: str, partner: LoyaltyPartner
) -> aio_pika.abc.AbstractConnection:
    """Declare the partner's durable queue, bind it to the partner exchange for every
    partner routing key and start consuming. Returns the connection to close."""
    connection = await aio_pika.connect_robust(partner_url)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=20)
    queue = await channel.declare_queue(queue_name, durable=True)
    # The exchange exists already: a partner may not declare it, only name it.
    partner_exchange = await channel.get_exchange(exchange, ensure=False)
    for event_type in sorted(partner.known_types):
        await queue.bind(partner_exchange, routing_key=event_type.removeprefix(TYPE_PREFIX))
    await queue.consume(partner.on_message)
    return connection


async def until(condition: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not reached in time"
        await asyncio.sleep(0.05)


async def test_a_partner_consumer_verifies_a_card_event_and_handles_each_id_once(
    aiohttp_client: Any, settings_for: Any, tokens: Any, broker_users: SessionBrokerUsers, amqp_url: str
) -> None:
    settings: CardsSettings = settings_for(CardsSettings)
    cards = CardsApi(await aiohttp_client(create_app(settings)), tokens)
    partner = LoyaltyPartner(partner_event_types(ASYNCAPI))
    queue = f"{settings.amqp_partner_exchange}.example.card-{uuid.uuid4().hex[:6]}"
    connection = await consume_as_partner(
        broker_users.url_for("partner"), settings.amqp_partner_exchange, queue, partner
    )
    try:
        async with bus_probe(amqp_url, settings.amqp_exchange, "cards.#") as internal:
            holder = await cards.apply("Kaisa")  # household, member and card: nothing for partners
            partner.lose_next_ack = True  # the block event is handled, then delivered again
            blocked = await cards.client.post(
                f"/v1/cards/{holder.card['card_id']}/block", json={"reason": "lost"}, headers=holder.headers
            )
            assert blocked.status == 200, await blocked.text()
            await until(lambda: partner.skipped_duplicates == 1)
            [original] = await internal.wait_for("fi.plussa.cards.card.blocked")
            # The platform publishes at least once: the same envelope may come again.
            await publish(amqp_url, settings.amqp_exchange, original)
            await until(lambda: partner.skipped_duplicates == 2)
            everything_internal = {e["type"] for e in internal.events}
    finally:
        await _delete_queue(broker_users.url_for("partner"), queue)
        await connection.close()

    handled_types = [event.get_type() for event in partner.handled]
    assert handled_types == ["fi.plussa.cards.card.blocked"]
    assert partner.skipped_duplicates == 2  # the redelivery after the lost ack, and the second copy
    assert partner.refused == []
    [block] = partner.handled
    assert block.get_source() == "/plussa/cards"
    assert block.get_id() == original["id"]
    assert block.get_data() == original["data"]
    assert block.get_data()["reason"] == "lost"
    # What stayed on the internal exchange never reached the partner: people's details among it.
    assert {"fi.plussa.cards.household.created", "fi.plussa.cards.member.added"} <= everything_internal


def test_the_partner_types_are_the_documented_partner_channels() -> None:
    assert partner_event_types(ASYNCAPI) == {
        "fi.plussa.benefits.offer.changed",
        "fi.plussa.benefits.offer.published",
        "fi.plussa.benefits.offer.withdrawn",
        "fi.plussa.cards.card.activated",
        "fi.plussa.cards.card.blocked",
        "fi.plussa.cards.card.closed",
        "fi.plussa.cards.card.expired",
        "fi.plussa.cards.card.replaced",
        "fi.plussa.points.status.changed",
    }


async def _delete_queue(url: str, name: str) -> None:
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        await channel.queue_delete(name)
    finally:
        await connection.close()
