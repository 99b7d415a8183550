"""Keeping one test's or benchmark's databases, exchange and queues apart from every
other run on the same MongoDB and RabbitMQ, and removing them afterwards."""

import contextlib
from collections.abc import Sequence
from typing import Any

import aio_pika
from pymongo import AsyncMongoClient

from plussa_shared.bus_access import SERVICES, all_event_classes, partner_routing_keys
from plussa_shared.queues import QueueNames
from plussa_shared.settings import ServiceSettings

EARLIER_RETRY_LEVELS = 5
"""Delay queues were once numbered by level; remove such names too."""


def isolated_values(
    service_name: str, *, run_id: str, label: str, mongo_url: str, amqp_url: str, jwks_url: str
) -> dict[str, Any]:
    """Settings values that give ``service_name`` its own database and put every service
    of the run ``run_id`` on one exchange of their own (so events flow between them)."""
    return {
        "service_name": service_name,
        "log_format": "console",
        "mongo_url": mongo_url,
        "mongo_database": f"{label}_{run_id}_{service_name}",
        "amqp_url": amqp_url,
        "amqp_exchange": f"{label}.{run_id}",
        "amqp_partner_exchange": f"{label}.{run_id}.partner",
        "amqp_private_exchange_prefix": f"{label}.{run_id}.private.",
        "amqp_queue_prefix": f"{label}.{run_id}.",
        "jwks_url": jwks_url,
    }


def exchanges_of(settings: ServiceSettings) -> list[str]:
    """The exchanges a run's broker has (as the definitions make them in production):
    internal, partner, and a private one for every service and for ``settings``'s own."""
    recipients = sorted({*SERVICES, settings.service_name})
    return [settings.amqp_exchange, settings.amqp_partner_exchange, *(settings.private_exchange(r) for r in recipients)]


async def declare_exchanges(amqp_url: str, settings: ServiceSettings) -> None:
    """Make the run's exchanges and the partner bindings of the loaded event classes,
    as an administrator (services themselves only declare exchanges passively)."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        made = {}
        for name in exchanges_of(settings):
            made[name] = await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)
        partner = made[settings.amqp_partner_exchange]
        for key in partner_routing_keys(all_event_classes()):
            await partner.bind(made[settings.amqp_exchange], routing_key=key)
    finally:
        await connection.close()


async def remove_isolated(mongo_url: str, amqp_url: str, made: Sequence[ServiceSettings]) -> None:
    """Drop the databases and delete the queues and exchanges that ``made`` name."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        for settings in made:
            await client.drop_database(settings.mongo_database)
    finally:
        await client.close()
    await remove_broker_objects(amqp_url, made)


async def remove_broker_objects(amqp_url: str, made: Sequence[ServiceSettings]) -> None:
    """Delete the queues (main, dead letters, delay queues) and exchanges ``made`` name."""
    connection = await aio_pika.connect(amqp_url)
    try:
        for settings in made:
            names = QueueNames(settings.event_queue)
            queues = [
                names.main,
                names.dead,
                *(names.delay(ms) for ms in settings.consumer_retry_delays_ms),
                *(names.retry(level) for level in range(1, EARLIER_RETRY_LEVELS + 1)),
            ]
            for queue in queues:
                await _quietly(connection, "queue_delete", queue)
            await _quietly(connection, "exchange_delete", names.requeue)
        for exchange in sorted({name for settings in made for name in exchanges_of(settings)}):
            await _quietly(connection, "exchange_delete", exchange)
    finally:
        await connection.close()


async def _quietly(connection: aio_pika.abc.AbstractConnection, method: str, name: str) -> None:
    # A failed delete closes its channel, so each delete gets a channel of its own.
    channel = await connection.channel()
    with contextlib.suppress(aio_pika.exceptions.AMQPError):
        await getattr(channel, method)(name)
    if not channel.is_closed:
        await channel.close()
