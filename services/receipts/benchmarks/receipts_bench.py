"""Warranty receipts: purchase events through the service against the raw ceiling, search
over one person's 2,000 receipts under 64 connections, and PDF downloads per second.

    .venv/bin/python services/receipts/benchmarks/receipts_bench.py [purchases]

Raw ceiling: RabbitMQ consume + JSON parse + one MongoDB transaction per message, same
prefetch, measured in the same run. End to end: the purchase events published on the
exchange and handled by the running receipts service (card look-up, the person's
choice, the receipt and its event for the 30 % of people who turned the service on).
HTTP figures come from wrk (Debian package ``wrk``) on this machine, so the load
generator shares its two cores with the service.
"""

import asyncio
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika

from plussa_receipts.app import create_app
from plussa_receipts.domain.receipt import Purchase, PurchasedLine, WarrantyReceipt
from plussa_receipts.settings import ReceiptsSettings
from plussa_receipts.store import receipt_document
from plussa_shared.keys import DB
from plussa_shared.testing.bench import (
    AMQP_URL,
    bench_settings,
    jwks,
    private_mongo,
    publish_all,
    raw_ceiling,
    remove_bench_resources,
    say,
    serving,
    until_handled,
    wrk,
)
from plussa_shared.testing.bus import envelope
from plussa_shared.testing.tokens import TestTokens

PEOPLE = 3_000
OPTED_IN = 0.3
CHAINS = ["k-citymarket", "k-supermarket", "k-market", "k-rauta", "neste-k"]
NOW = datetime.now(UTC)


def card_number(i: int) -> str:
    return f"{6046_0000_0000_0000 + i:016d}"


def purchase_event(rng: random.Random) -> dict[str, Any]:
    person = rng.randrange(PEOPLE)
    lines: list[dict[str, Any]] = [
        {
            "line_id": str(n),
            "product_id": f"sku-{rng.randrange(10_000)}",
            "name": rng.choice(["Maito", "Leipä", "Kahvi", "Televisio", "Porakone", "Kahvinkeitin"]),
            "category": "other",
            "quantity": 1,
            "unit_price_cents": (cents := rng.randrange(100, 90_000)),
            "amount_cents": cents,
            "warranty_months": rng.choice([None, None, None, 12, 24]),
        }
        for n in range(1, rng.randrange(2, 8))
    ]
    purchase_id = uuid.uuid4().hex
    data = {
        "purchase_id": purchase_id,
        "card_number": card_number(person),
        "store_id": "store-1",
        "store_name": "K-Citymarket Bench",
        "chain": rng.choice(CHAINS),
        "occurred_at": NOW.isoformat(),
        "payment": {"method": "cash", "network_token": None},
        "lines": lines,
        "total_cents": sum(int(x["amount_cents"]) for x in lines),
    }
    return envelope("fi.plussa.stores.purchase.completed", data, subject=f"purchase/{purchase_id}")


async def seed_people(db: Any, rng: random.Random) -> None:
    """Cards as the cards events would have left them; 30 % of people with the service on."""
    await db["cards"].insert_many(
        [
            {
                "_id": f"card-{i}",
                "card_number": card_number(i),
                "person_id": f"p{i}",
                "household_id": f"h{i}",
                "version": 1,
            }
            for i in range(PEOPLE)
        ]
    )
    since = NOW - timedelta(days=1)
    await db["enrolments"].insert_many(
        [
            {"_id": f"p{i}", "enabled": True, "enabled_at": since, "version": 1}
            for i in range(PEOPLE)
            if rng.random() < OPTED_IN
        ]
    )


async def seed_receipts(db: Any, person_id: str, count: int, rng: random.Random) -> None:
    """``count`` receipts of one person, one in five with a TV on it."""
    docs = []
    for n in range(count):
        name = "Samsung TV 55" if n % 5 == 0 else rng.choice(["Porakone", "Kahvinkeitin", "Pölynimuri", "Tabletti"])
        purchase = Purchase(
            f"bench-{n}",
            person_id,
            "h",
            "store-1",
            "K-Citymarket Bench",
            "k-citymarket",
            NOW - timedelta(hours=n),
            "0018",
            (PurchasedLine("1", "sku", name, 1, 19900, 19900, 24),),
        )
        receipt = WarrantyReceipt.keep(purchase, receipt_id=uuid.uuid4().hex, now=NOW, keep_months_after=6)
        assert receipt is not None
        docs.append(receipt_document(receipt))
    await db["receipts"].insert_many(docs)


async def ingest(settings: ReceiptsSettings, events: list[dict[str, Any]], rng: random.Random) -> float:
    """Purchases per second through the running service."""
    app = create_app(settings)
    async with serving(app):
        db = app[DB]
        await seed_people(db, rng)
        connection = await aio_pika.connect_robust(AMQP_URL)
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(settings.amqp_exchange)
            await asyncio.sleep(1.0)  # the consumer binds its queue
            started = time.perf_counter()
            await publish_all(exchange, events)
            await until_handled(db, len(events))
            elapsed = time.perf_counter() - started
            saved = await db["receipts"].count_documents({})
        finally:
            await connection.close()
    say(
        f"end to end: {len(events)} purchases in {elapsed:.2f} s = {len(events) / elapsed:.0f}/s "
        f"({saved} receipts saved)"
    )
    return len(events) / elapsed


async def http(settings: ReceiptsSettings, tokens: TestTokens, rng: random.Random) -> None:
    """Search and PDF figures from wrk against the running service."""
    app = create_app(settings)
    async with serving(app) as url:
        await seed_receipts(app[DB], "reader", 2_000, rng)
        headers = {"Authorization": f"Bearer {tokens.customer('reader', 'h', ttl=timedelta(hours=1))}"}
        page = await asyncio.to_thread(wrk, f"{url}/v1/me/receipts", headers=headers)
        say(page.line("first page of 2,000 receipts, 64 connections"))
        search = await asyncio.to_thread(wrk, f"{url}/v1/me/receipts?q=tv", headers=headers)
        say(search.line("search 'tv' over 2,000 receipts, 64 connections"))
        first = await app[DB]["receipts"].find_one({"person_id": "reader"})
        assert first is not None
        pdf = await asyncio.to_thread(wrk, f"{url}/v1/me/receipts/{first['_id']}/pdf", headers=headers, connections=8)
        say(pdf.line("PDF downloads, 8 connections"))


async def main(count: int) -> None:
    rng = random.Random(13)  # noqa: S311 - synthetic purchases, not secrets
    tokens = TestTokens()
    async with private_mongo() as mongo_url, jwks(tokens) as jwks_url:
        settings = await bench_settings(ReceiptsSettings, mongo_url, jwks_url)
        say(
            f"receipts: {count} purchases over {PEOPLE} people, {OPTED_IN:.0%} with the service on, "
            f"prefetch {settings.consumer_prefetch}; 2-core machine, private mongod, local RabbitMQ"
        )
        ceiling = await raw_ceiling(mongo_url, settings.consumer_prefetch, [purchase_event(rng) for _ in range(count)])
        say(f"raw ceiling (consume + 1 transaction + ack): {ceiling:.0f}/s")
        rate = await ingest(settings, [purchase_event(rng) for _ in range(count)], rng)
        say(f"ratio end to end / raw ceiling = {rate / ceiling:.2f} (target at least 0.5)")
        await remove_bench_resources(settings)
        settings = await bench_settings(ReceiptsSettings, mongo_url, jwks_url)
        await http(settings, tokens, rng)
        await remove_bench_resources(settings)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3_000))
