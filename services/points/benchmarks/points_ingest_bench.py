"""Purchase ingest end to end against the raw ceiling, measured in the same run.

    .venv/bin/python services/points/benchmarks/points_ingest_bench.py [purchases] [--one-by-one]

Raw ceiling: RabbitMQ consume + JSON parse + one MongoDB transaction per message
(an inbox insert), no business logic, same prefetch. End to end: the purchase event
published on the exchange, consumed by the running points service (inbox, card and
MasterCard look-ups, purchase, ledger entry, three projections, outbox; purchases
ready together share a transaction, see ``purchase_batch_max``), and the
``points.purchase.recorded`` event relayed back out. ``--one-by-one`` runs the end
to end part with batching off, for comparison. Both are fed the same burst;
latency is also measured at a paced half of the end-to-end rate.
"""

import asyncio
import json
import random
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage
from aiohttp import web
from points_bench_support import (  # type: ignore[import-not-found]  # the sibling script, run from here
    AMQP_URL,
    bench_settings,
    card_doc,
    jwks,
    percentile,
    private_mongo,
    remove_bench_resources,
    running_service,
    say,
)
from pymongo import AsyncMongoClient

from plussa_points.settings import PointsSettings
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.events import CloudEvent, ConsumedEventData
from plussa_shared.keys import DB
from plussa_shared.mongo import Document, Session, create_client, run_in_transaction
from plussa_shared.subscription import Subscription
from plussa_shared.testing.bus import envelope
from plussa_shared.testing.tokens import TestTokens

HOUSEHOLDS = 2_000
CATEGORIES = ["grocery"] * 6 + ["alcohol", "deposit", "home", "electronics", "tobacco", "other"]


def card_number(i: int) -> str:
    return f"{6000_0000_0000_0000 + i:016d}"


def purchase_event(rng: random.Random) -> dict[str, Any]:
    household = rng.randrange(HOUSEHOLDS)
    lines: list[dict[str, Any]] = [
        {
            "line_id": str(n),
            "product_id": f"sku-{rng.randrange(10_000)}",
            "name": "product",
            "category": rng.choice(CATEGORIES),
            "quantity": 1,
            "unit_price_cents": (cents := rng.randrange(50, 5_000)),
            "amount_cents": cents,
            "warranty_months": None,
        }
        for n in range(1, rng.randrange(2, 10))
    ]
    token = f"tok-{household}" if rng.random() < 0.1 else None
    purchase_id = uuid.uuid4().hex
    data = {
        "purchase_id": purchase_id,
        "card_number": card_number(household),
        "store_id": "store-1",
        "store_name": "K-Market",
        "chain": "k-market",
        "occurred_at": datetime.now(UTC).isoformat(),
        "payment": {"method": "payment_card" if token else "cash", "network_token": token},
        "lines": lines,
        "total_cents": sum(x["amount_cents"] for x in lines),
    }
    # Store systems name the purchase as the subject, so purchases are applied in parallel.
    return envelope("fi.plussa.stores.purchase.completed", data, subject=f"purchase/{purchase_id}")


async def seed(db: Any) -> None:
    """Cards, members and MasterCard tokens of the households, as the cards events would have left them."""
    await db["cards"].insert_many([card_doc(f"card-{i}", card_number(i), f"h{i}", f"p{i}") for i in range(HOUSEHOLDS)])
    await db["members"].insert_many(
        [
            {
                "_id": f"h{i}:p{i}",
                "household_id": f"h{i}",
                "person_id": f"p{i}",
                "role": "main",
                "can_use_money": True,
                "active": True,
            }
            for i in range(HOUSEHOLDS)
        ]
    )
    await db["payment_cards"].insert_many(
        [
            {"_id": f"pc-{i}", "network_token": f"tok-{i}", "household_id": f"h{i}", "blocked": False}
            for i in range(HOUSEHOLDS)
        ]
    )
    await db["accounts"].insert_many([{"_id": f"h{i}", "points": 0, "kind": "household"} for i in range(HOUSEHOLDS)])


async def publish_all(
    exchange: AbstractExchange, events: list[dict[str, Any]], sent: dict[str, float], key: str | None = None
) -> None:
    """Publish with confirms in chunks, remembering when each left."""
    for start in range(0, len(events), 500):
        chunk = events[start : start + 500]
        now = time.perf_counter()
        for event in chunk:
            sent[event["data"]["purchase_id"]] = now
        await asyncio.gather(
            *(
                exchange.publish(
                    aio_pika.Message(
                        json.dumps(event).encode(),
                        message_id=event["id"],
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=key or "stores.purchase.completed",
                )
                for event in chunk
            )
        )


async def wait_for(done: dict[str, float], count: int, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while len(done) < count:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"only {len(done)} of {count} done in {timeout}s")
        await asyncio.sleep(0.01)


def figures(name: str, sent: dict[str, float], done: dict[str, float]) -> float:
    latencies = [(done[k] - sent[k]) * 1000 for k in done]
    elapsed = max(done.values()) - min(sent.values())
    rate = len(done) / elapsed
    say(
        f"{name}: {len(done)} purchases in {elapsed:.2f} s = {rate:.0f} purchases/s; "
        f"latency p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms"
    )
    return rate


async def raw_ceiling(mongo_url: str, prefetch: int, events: list[dict[str, Any]]) -> float:
    """Consume + parse + one transaction per message, nothing else."""
    client: AsyncMongoClient[Document] = create_client(mongo_url, app_name="raw")
    inbox = client[f"raw_{uuid.uuid4().hex[:6]}"]["inbox"]
    await inbox.database.create_collection("inbox")
    connection = await aio_pika.connect_robust(AMQP_URL)
    sent: dict[str, float] = {}
    done: dict[str, float] = {}
    try:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=prefetch)
        # Durable, like the service's queue, so persistent messages cost the broker the same.
        queue = await channel.declare_queue(f"bench.raw.{uuid.uuid4().hex[:6]}", durable=True)

        async def on_message(message: AbstractIncomingMessage) -> None:
            body = json.loads(message.body)

            async def work(session: Session) -> None:
                await inbox.insert_one(
                    {"_id": body["id"], "type": body["type"], "handled_at": datetime.now(UTC)}, session=session
                )

            await run_in_transaction(client, work)
            await message.ack()
            done[body["data"]["purchase_id"]] = time.perf_counter()

        tag = await queue.consume(on_message)
        await publish_all(channel.default_exchange, events, sent, key=queue.name)
        await wait_for(done, len(events), 300)
        await queue.cancel(tag)
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()
        await client.drop_database(inbox.database.name)
        await client.close()
    return figures("raw ceiling (consume + 1 transaction)", sent, done)


async def platform_ceiling(mongo_url: str, jwks_url: str, events: list[dict[str, Any]]) -> float:
    """The shared consumer (envelope check, inbox, one transaction) with a handler that does nothing."""
    settings = await bench_settings(mongo_url, jwks_url, service_name="ceiling")

    async def nothing(event: CloudEvent[ConsumedEventData], session: Session) -> None:
        return None

    spec = ServiceSpec(
        title="ceiling", subscriptions=[Subscription("fi.plussa.stores.purchase.completed", ConsumedEventData, nothing)]
    )
    app = create_service_app(settings, spec)
    runner = web.AppRunner(app)
    await runner.setup()
    sent: dict[str, float] = {}
    try:
        connection = await aio_pika.connect_robust(AMQP_URL)
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(settings.amqp_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        await asyncio.sleep(1.5)  # the consumer binds its queue
        started = time.perf_counter()
        await publish_all(exchange, events, sent)
        inbox = app[DB]["inbox"]
        while True:  # the inbox holds one document per applied event
            if await inbox.count_documents({}) >= len(events):
                break
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        await connection.close()
    finally:
        await runner.cleanup()
    await remove_bench_resources(settings)
    rate = len(events) / elapsed
    say(
        f"platform ceiling (shared consumer, inbox, no-op handler): {len(events)} purchases in {elapsed:.2f} s "
        f"= {rate:.0f} purchases/s"
    )
    return rate


async def end_to_end(
    settings: PointsSettings,
    burst: list[dict[str, Any]],
    paced: list[dict[str, Any]],
    pace_rate: Callable[[float], float],
) -> tuple[float, list[float]]:
    client: AsyncMongoClient[Document] = create_client(str(settings.mongo_url), app_name="seed")
    await seed(client[settings.mongo_database])
    await client.close()
    async with running_service(settings) as (_app, _):
        connection = await aio_pika.connect_robust(AMQP_URL)
        sent: dict[str, float] = {}
        done: dict[str, float] = {}
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.declare_exchange(settings.amqp_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
            out = await channel.declare_queue(exclusive=True)
            await out.bind(exchange, routing_key="points.purchase.recorded")

            async def on_out(message: AbstractIncomingMessage) -> None:
                done[json.loads(message.body)["data"]["purchase_id"]] = time.perf_counter()
                await message.ack()

            await out.consume(on_out)
            await asyncio.sleep(1.5)  # the service's consumer binds its queue
            await publish_all(exchange, burst, sent)
            await wait_for(done, len(burst), 600)
            rate = figures("end to end (event in, points committed, event out)", sent, done)
            # Latency at a steady half of that rate.
            psent: dict[str, float] = {}
            pdone_start = len(done)
            interval = 1 / pace_rate(rate)
            for event in paced:
                await publish_all(exchange, [event], psent)
                await asyncio.sleep(interval)
            await wait_for(done, pdone_start + len(paced), 120)
            latencies = [(done[k] - psent[k]) * 1000 for k in psent]
        finally:
            await connection.close()
    await remove_bench_resources(settings)
    return rate, latencies


async def main(count: int, one_by_one: bool) -> None:
    rng = random.Random(7)  # noqa: S311 - synthetic purchases, not secrets
    tokens = TestTokens()
    async with private_mongo() as mongo_url, jwks(tokens) as jwks_url:
        batching = {"purchase_batch_max": 1} if one_by_one else {}
        settings = await bench_settings(mongo_url, jwks_url, outbox_poll_interval_s=0.02, **batching)
        say(
            f"purchase ingest, {count} purchases over {HOUSEHOLDS} households, prefetch {settings.consumer_prefetch}, "
            f"purchase batches of up to {settings.purchase_batch_max} (linger {settings.purchase_batch_linger_ms} ms), "
            f"2-core machine, private mongod (replica set of one) and the local RabbitMQ"
        )
        ceiling = await raw_ceiling(mongo_url, settings.consumer_prefetch, [purchase_event(rng) for _ in range(count)])
        platform = await platform_ceiling(mongo_url, jwks_url, [purchase_event(rng) for _ in range(count)])
        paced = [purchase_event(rng) for _ in range(min(1_000, count // 3))]
        rate, latencies = await end_to_end(
            settings, [purchase_event(rng) for _ in range(count)], paced, lambda r: r / 2
        )
        say(
            f"end to end at half that rate ({rate / 2:.0f}/s, {len(latencies)} purchases): "
            f"latency p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms"
        )
        say(
            f"ratio end to end / raw ceiling = {rate / ceiling:.2f}; "
            f"end to end / platform ceiling = {rate / platform:.2f}"
        )


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--one-by-one"]
    asyncio.run(main(int(args[0]) if args else 3_000, "--one-by-one" in sys.argv[1:]))
