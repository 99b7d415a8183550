"""The broker enforces who reads and writes what, under the users production has."""

import asyncio
import json
import uuid
from typing import Any, ClassVar

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused

from plussa_shared.events import EventData
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.broker_users import SessionBrokerUsers
from plussa_shared.testing.bus import envelope, publish


class CardFrozen(EventData):
    """A partner-readable fact (ids only): the broker copies it to the partner exchange."""

    event_type: ClassVar[str] = "fi.plussa.cards.card.frozen"
    partner: ClassVar[bool] = True
    card_id: str


class SecretHanded(EventData):
    """An event meant for one recipient only."""

    event_type: ClassVar[str] = "fi.plussa.cards.secret.handed"
    recipient: ClassVar[str | None] = "identity"
    token: str


@pytest.fixture
def bus(settings_for: Any, broker_users: SessionBrokerUsers, topic_permissions: Any) -> ServiceSettings:
    settings: ServiceSettings = settings_for(ServiceSettings, service_name="cards")
    topic_permissions(settings)
    return settings


async def _refused(url: str, action: Any) -> None:
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        with pytest.raises(ChannelAccessRefused):
            await action(channel)
    finally:
        await connection.close()


def _partner_queue(settings: ServiceSettings) -> str:
    return f"{settings.amqp_partner_exchange}.example.{uuid.uuid4().hex[:6]}"


async def test_a_partner_is_refused_when_it_binds_a_queue_to_the_internal_exchange(
    bus: ServiceSettings, broker_users: SessionBrokerUsers
) -> None:
    async def bind_internal(channel: Any) -> None:
        queue = await channel.declare_queue(_partner_queue(bus), exclusive=True)
        internal = await channel.get_exchange(bus.amqp_exchange, ensure=False)
        await queue.bind(internal, routing_key="#")

    await _refused(broker_users.url_for("partner"), bind_internal)


async def test_a_partner_is_refused_a_private_exchange_too(
    bus: ServiceSettings, broker_users: SessionBrokerUsers
) -> None:
    async def bind_private(channel: Any) -> None:
        queue = await channel.declare_queue(_partner_queue(bus), exclusive=True)
        private = await channel.get_exchange(bus.private_exchange("notifications"), ensure=False)
        await queue.bind(private, routing_key="#")

    await _refused(broker_users.url_for("partner"), bind_private)


@pytest.mark.parametrize("target", ["partner", "internal", "default"])
async def test_a_partner_cannot_publish_anywhere(
    bus: ServiceSettings, broker_users: SessionBrokerUsers, target: str
) -> None:
    names = {"partner": bus.amqp_partner_exchange, "internal": bus.amqp_exchange}

    async def send(channel: Any) -> None:
        exchange = (
            channel.default_exchange if target == "default" else await channel.get_exchange(names[target], ensure=False)
        )
        body = json.dumps(envelope("fi.plussa.cards.card.frozen", {"card_id": "c1"})).encode()
        await exchange.publish(aio_pika.Message(body), routing_key="cards.card.frozen")

    await _refused(broker_users.url_for("partner"), send)


async def test_a_partner_consumer_receives_partner_events_and_nothing_internal_or_private(
    bus: ServiceSettings, broker_users: SessionBrokerUsers, amqp_url: str
) -> None:
    connection = await aio_pika.connect(broker_users.url_for("partner"))
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(_partner_queue(bus), exclusive=True)
        await queue.bind(await channel.get_exchange(bus.amqp_partner_exchange, ensure=False), routing_key="#")
        await publish(
            amqp_url, bus.amqp_exchange, envelope("fi.plussa.cards.card.blocked.internal", {"email": "a@b.fi"})
        )
        await publish(
            amqp_url, bus.private_exchange("identity"), envelope(SecretHanded.event_type, {"token": "s3cret"})
        )
        await publish(amqp_url, bus.amqp_exchange, envelope(CardFrozen.event_type, {"card_id": "c1"}))
        received = []
        async with asyncio.timeout(10):
            async with queue.iterator() as messages:
                async for message in messages:
                    await message.ack()
                    received.append(json.loads(message.body)["type"])
                    if CardFrozen.event_type in received:
                        break
        await asyncio.sleep(0.3)  # anything else routed would have arrived by now
        leftover = await queue.get(fail=False)
        assert received == [CardFrozen.event_type]
        assert leftover is None
    finally:
        await connection.close()


async def test_a_service_cannot_publish_another_services_event_types(
    bus: ServiceSettings, broker_users: SessionBrokerUsers
) -> None:
    async def send_as_points(channel: Any) -> None:
        exchange = await channel.get_exchange(bus.amqp_exchange, ensure=False)
        await exchange.publish(aio_pika.Message(b"{}"), routing_key="points.money.paid")

    await _refused(broker_users.url_for("cards"), send_as_points)


async def test_a_service_publishes_its_own_event_types(bus: ServiceSettings, broker_users: SessionBrokerUsers) -> None:
    connection = await aio_pika.connect(broker_users.url_for("cards"))
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(bus.amqp_exchange, ensure=False)
        confirmation = await exchange.publish(aio_pika.Message(b"{}"), routing_key="cards.card.blocked")
        assert confirmation is not None
    finally:
        await connection.close()


async def test_a_service_cannot_read_another_services_private_exchange(
    bus: ServiceSettings, broker_users: SessionBrokerUsers
) -> None:
    async def bind_identitys(channel: Any) -> None:
        queue = await channel.declare_queue(f"{bus.amqp_queue_prefix}cards.events.spy", exclusive=True)
        await queue.bind(await channel.get_exchange(bus.private_exchange("identity"), ensure=False), routing_key="#")

    await _refused(broker_users.url_for("cards"), bind_identitys)


async def test_store_systems_publish_only_store_events(bus: ServiceSettings, broker_users: SessionBrokerUsers) -> None:
    async def send_as_cards(channel: Any) -> None:
        exchange = await channel.get_exchange(bus.amqp_exchange, ensure=False)
        await exchange.publish(aio_pika.Message(b"{}"), routing_key="cards.card.blocked")

    await _refused(broker_users.url_for("stores"), send_as_cards)
