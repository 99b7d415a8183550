"""The two figures of the benefits service, each against its raw ceiling in the same run.

    .venv/bin/python services/benefits/benchmarks/benefits_bench.py purchases [count]
    .venv/bin/python services/benefits/benchmarks/benefits_bench.py my-offers [seconds]

``purchases``: with 500 live offers over 50 segments and 2,000 people, completed
purchases published on the exchange and applied by the running service (inbox, card
look-up, features, targeting against every live offer, redemption, sponsorship,
outbox; purchases ready together share a transaction) against the raw ceiling:
RabbitMQ consume + JSON parse + one MongoDB transaction (an inbox insert) per message.

``my-offers``: ``GET /v1/me/offers`` of a person holding 40 offers, with wrk at 64
connections, against a raw aiohttp handler doing the same token check (the shared
verifier) and the same read (the person's wallet document) with no framework.
"""

import asyncio
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from aiohttp import web
from pymongo import AsyncMongoClient

from plussa_benefits.app import create_app
from plussa_benefits.domain.features import PersonFeatures
from plussa_benefits.domain.offers import Issuer, Offer, OfferState, OfferTerms, Qualification, Reward, RewardKind
from plussa_benefits.domain.segments import Segment, parse_rule
from plussa_benefits.domain.texts import Texts
from plussa_benefits.domain.wallet import Catalogue, Wallet
from plussa_benefits.settings import BenefitsSettings
from plussa_benefits.store import mappers
from plussa_shared.auth import StaticKeys, TokenVerifier
from plussa_shared.logging import configure_logging
from plussa_shared.mongo import Document, Session, create_client, run_in_transaction
from plussa_shared.testing.bus import envelope
from plussa_shared.testing.embedded_mongo import EmbeddedMongo, free_port
from plussa_shared.testing.isolation import isolated_values, remove_isolated
from plussa_shared.testing.tokens import JwksServer, TestTokens

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
PEOPLE = 2_000
OFFERS = 500
SEGMENTS = 50
CATEGORIES = ["grocery"] * 6 + ["alcohol", "home", "electronics", "fuel", "other"]
STORES = [f"store-{n}" for n in range(20)]
SKUS = 2_000
"""Products on sale: an offer names one, so a purchase meets few of a person's offers."""
ZONE_NOW = datetime.now(UTC)
HELSINKI = ZoneInfo("Europe/Helsinki")


def say(line: str) -> None:
    """Print one line of figures."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile by nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@asynccontextmanager
async def private_mongo() -> AsyncIterator[str]:
    """A single-node replica set under a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="benefits-bench-") as tmp:
        mongo = EmbeddedMongo(Path(tmp), cache_gb=1.0)
        url = await asyncio.to_thread(mongo.start)
        try:
            yield url
        finally:
            await asyncio.to_thread(mongo.stop)


def bench_settings(mongo_url: str, jwks_url: str, **overrides: Any) -> BenefitsSettings:
    """Settings for a fresh database, exchange and queue names."""
    values = isolated_values(
        "benefits",
        run_id=uuid.uuid4().hex[:8],
        label="bench",
        mongo_url=mongo_url,
        amqp_url=AMQP_URL,
        jwks_url=jwks_url,
    )
    settings = BenefitsSettings(**{**values, "log_level": "WARNING", "outbox_poll_interval_s": 0.02, **overrides})
    configure_logging(settings.log_format, settings.log_level)
    return settings


def card_number(i: int) -> str:
    return f"{6000_0000_0000_0000 + i:016d}"


def catalogue(rng: random.Random) -> tuple[list[Segment], list[Offer]]:
    """50 segments over spend, chains, stores and status; 500 offers over them."""
    segments = []
    for n in range(SEGMENTS):
        # Each segment is a store's shoppers of one category (or its Best Customers): a
        # person is in a few segments, so holds a few dozen of the 500 offers.
        spend = {"feature": "spend_cents", "months": 3, "category": rng.choice(CATEGORIES), "op": ">=", "value": 2_000}
        best = {"feature": "status", "op": "==", "value": "best_customer"}
        rule = {
            "all": [
                {"feature": "visited_store", "months": 6, "store_id": STORES[n % len(STORES)]},
                {"any": [spend, best]},
            ]
        }
        segments.append(Segment(f"seg-{n}", "k-citymarket", f"Segment {n}", parse_rule(rule)))
    offers = []
    for n in range(OFFERS):
        kind = rng.choice(list(RewardKind))
        amount = {RewardKind.CAMPAIGN_POINTS: 200, RewardKind.PERCENT: 500, RewardKind.EURO: 300}[kind]
        terms = OfferTerms(
            title=Texts(f"Tarjous {n}", f"Erbjudande {n}", f"Offer {n}"),
            description=Texts("Kuvaus", "Beskrivning", "Description"),
            valid_from=ZONE_NOW - timedelta(days=1),
            valid_until=ZONE_NOW + timedelta(days=30),
            qualification=Qualification(product_ids=frozenset({f"sku-{rng.randrange(SKUS)}"}), min_spend_cents=100),
            reward=Reward(kind, amount),
            needs_activation=rng.random() < 0.5,
            limit_per_person=3,
            segment_id=f"seg-{n % SEGMENTS}",
        )
        offers.append(Offer(f"off-{n}", Issuer("chain", "k-citymarket"), terms, OfferState.PUBLISHED, 2))
    return segments, offers


async def seed(
    db: Any, rng: random.Random, *, wallets_for: list[int] | None = None
) -> tuple[list[Segment], list[Offer]]:
    """Segments, offers, people with some history, their cards and a programme in every store."""
    segments, offers = catalogue(rng)
    await db["segments"].insert_many([mappers.segment_doc(s) for s in segments])
    await db["offers"].insert_many([mappers.offer_doc(o) for o in offers])
    await db["meta"].insert_one({"_id": "catalogue", "version": 1})
    await db["cards"].insert_many(
        [{"_id": card_number(i), "person_id": f"p{i}", "household_id": f"h{i}", "version": 1} for i in range(PEOPLE)]
    )
    people = []
    month = f"{ZONE_NOW.year:04d}-{ZONE_NOW.month:02d}"
    for i in range(PEOPLE):
        person = PersonFeatures(f"p{i}", f"h{i}", "main", rng.choice(["fi", "sv", "en"]))
        person.category_spend = {c: {month: rng.randrange(0, 30_000)} for c in rng.sample(CATEGORIES, 3)}
        person.chain_spend = {"k-citymarket": {month: 20_000}}
        person.stores = {rng.choice(STORES): month}
        people.append(person)
    await db["features"].insert_many([mappers.features_doc(p) for p in people])
    await db["programmes"].insert_many(
        [
            {
                "_id": s,
                "causes": [{"cause_id": "scouts", "name": {"fi": "P", "sv": "S", "en": "S"}}],
                "share_basis_points": 100,
                "active": True,
                "version": 1,
            }
            for s in STORES
        ]
    )
    await db["memberships"].insert_many(
        [
            {
                "_id": f"p{i}:{STORES[i % len(STORES)]}",
                "person_id": f"p{i}",
                "store_id": STORES[i % len(STORES)],
                "cause_id": "scouts",
                "joined_at": ZONE_NOW - timedelta(days=10),
                "version": 1,
            }
            for i in range(PEOPLE)
        ]
    )
    # Steady state: every person already holds the offers of the segments they are in.
    catalogue_now = Catalogue(tuple(offers), {s.segment_id: s for s in segments})
    everyone = Segment("everyone", "k-citymarket", "Everyone", parse_rule({"everyone": True}))
    wallets = []
    for i, person in enumerate(people):
        wallet = Wallet(person.person_id, person.household_id)
        if i in (wallets_for or []):
            for offer in offers[:40]:
                wallet.consider(offer, everyone, person, ZONE_NOW, HELSINKI, 500)
        else:
            wallet.retarget(catalogue_now, person, ZONE_NOW, HELSINKI, 500)
        held = [mappers.held_doc(h) for h in wallet.ranked()]
        wallets.append({"_id": wallet.person_id, "household_id": wallet.household_id, "version": 1, "held": held})
    for start in range(0, len(wallets), 200):
        await db["wallets"].insert_many(wallets[start : start + 200])
    return segments, offers


def purchase_event(rng: random.Random) -> dict[str, Any]:
    i = rng.randrange(PEOPLE)
    lines: list[dict[str, Any]] = [
        {
            "line_id": str(n),
            "product_id": f"sku-{rng.randrange(SKUS)}",
            "name": "product",
            "category": rng.choice(CATEGORIES),
            "quantity": 1,
            "unit_price_cents": (cents := rng.randrange(50, 5_000)),
            "amount_cents": cents,
            "warranty_months": None,
        }
        for n in range(1, rng.randrange(2, 10))
    ]
    purchase_id = uuid.uuid4().hex
    data = {
        "purchase_id": purchase_id,
        "card_number": card_number(i),
        "store_id": STORES[i % len(STORES)] if rng.random() < 0.5 else rng.choice(STORES),
        "store_name": "K-Market",
        "chain": "k-citymarket",
        "occurred_at": datetime.now(UTC).isoformat(),
        "payment": {"method": "cash", "network_token": None},
        "lines": lines,
        "total_cents": sum(x["amount_cents"] for x in lines),
    }
    return envelope("fi.plussa.stores.purchase.completed", data, subject=f"purchase/{purchase_id}")


async def publish_all(exchange_name: str, events: list[dict[str, Any]], key: str) -> float:
    """Publish from another process (so the publisher does not share the consumer's
    event loop and CPU), with confirms; when publishing started."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(events, file)
    started = time.perf_counter()
    publisher = await asyncio.create_subprocess_exec(sys.executable, __file__, "publish", exchange_name, key, file.name)
    await publisher.wait()
    await asyncio.to_thread(Path(file.name).unlink)
    if publisher.returncode != 0:
        raise RuntimeError("the publisher failed")
    return started


async def publish_file(exchange_name: str, key: str, path: str) -> None:
    """The publisher process: every event of ``path`` to ``exchange_name`` with ``key``."""
    events = json.loads(await asyncio.to_thread(Path(path).read_text))
    connection = await aio_pika.connect_robust(AMQP_URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = (
            await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)
            if exchange_name
            else channel.default_exchange
        )
        for start in range(0, len(events), 500):
            await asyncio.gather(
                *(
                    exchange.publish(
                        aio_pika.Message(
                            json.dumps(e).encode(), message_id=e["id"], delivery_mode=aio_pika.DeliveryMode.PERSISTENT
                        ),
                        routing_key=key,
                    )
                    for e in events[start : start + 500]
                )
            )
    finally:
        await connection.close()


async def raw_ceiling(mongo_url: str, prefetch: int, events: list[dict[str, Any]]) -> float:
    """Consume + parse + one transaction per message, nothing else."""
    client: AsyncMongoClient[Document] = create_client(mongo_url, app_name="raw")
    inbox = client[f"raw_{uuid.uuid4().hex[:6]}"]["inbox"]
    await inbox.database.create_collection("inbox")
    connection = await aio_pika.connect_robust(AMQP_URL)
    done: list[float] = []
    finished = asyncio.Event()
    try:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=prefetch)
        queue = await channel.declare_queue(f"bench.raw.{uuid.uuid4().hex[:6]}", durable=True)

        async def on_message(message: AbstractIncomingMessage) -> None:
            body = json.loads(message.body)

            async def work(session: Session) -> None:
                await inbox.insert_one(
                    {"_id": body["id"], "type": body["type"], "handled_at": datetime.now(UTC)}, session=session
                )

            await run_in_transaction(client, work)
            await message.ack()
            done.append(time.perf_counter())
            if len(done) == len(events):
                finished.set()

        tag = await queue.consume(on_message)
        started = await publish_all("", events, queue.name)
        await asyncio.wait_for(finished.wait(), 600)
        await queue.cancel(tag)
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()
        await client.drop_database(inbox.database.name)
        await client.close()
    rate = len(events) / (max(done) - started)
    say(f"raw ceiling (consume + 1 transaction): {len(events)} purchases = {rate:.0f} purchases/s")
    return rate


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def purchases(count: int) -> None:
    rng = random.Random(11)  # noqa: S311 - synthetic data
    tokens = TestTokens()
    jwks_server = JwksServer(tokens.jwks)
    jwks_server.start()
    try:
        async with private_mongo() as mongo_url:
            settings = bench_settings(mongo_url, jwks_server.url)
            say(
                f"purchase events: {count} purchases, {OFFERS} live offers over {SEGMENTS} segments, {PEOPLE} people, "
                f"prefetch {settings.consumer_prefetch}, batches of up to {settings.purchase_batch_max}"
            )
            ceiling = await raw_ceiling(
                mongo_url, settings.consumer_prefetch, [purchase_event(rng) for _ in range(count)]
            )
            client: AsyncMongoClient[Document] = create_client(mongo_url, app_name="seed")
            db = client[settings.mongo_database]
            await seed(db, rng)
            runner, _ = await serve(create_app(settings))
            connection = await aio_pika.connect_robust(AMQP_URL)
            try:
                channel = await connection.channel(publisher_confirms=True)
                await channel.declare_exchange(settings.amqp_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
                await asyncio.sleep(1.5)
                events = [purchase_event(rng) for _ in range(count)]
                started = await publish_all(settings.amqp_exchange, events, "stores.purchase.completed")
                published = time.perf_counter() - started
                deadline = started + 600
                while await db["purchases"].count_documents({}) < count:
                    if time.perf_counter() > deadline:
                        raise RuntimeError("the service did not apply every purchase in 10 minutes")
                    await asyncio.sleep(0.02)
                elapsed = time.perf_counter() - started
            finally:
                await connection.close()
                await runner.cleanup()
            redeemed = await db["redemptions"].count_documents({})
            accrued = await db["accruals"].count_documents({})
            held = [len(w["held"]) async for w in db["wallets"].find({}, {"held": 1})]
            await client.close()
            await remove_isolated(mongo_url, AMQP_URL, [settings])
            rate = count / elapsed
            say(
                f"end to end (features, targeting, redemption, sponsorship, outbox): {count} purchases in "
                f"{elapsed:.2f} s = {rate:.0f} purchases/s ({redeemed} redemptions, {accrued} accruals, "
                f"{sum(held) / max(1, len(held)):.0f} offers per wallet; all published after {published:.1f} s)"
            )
            say(f"ratio end to end / raw ceiling = {rate / ceiling:.2f} (target >= 0.5)")
    finally:
        jwks_server.stop()


def wrk(url: str, token: str, seconds: int) -> tuple[float, float]:
    """Requests per second and p99 in ms at 64 connections."""
    result = subprocess.run(  # noqa: S603 - wrk from the system with fixed arguments
        [
            shutil.which("wrk") or "wrk",
            "-t2",
            "-c64",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            "-H",
            "Accept-Language: sv",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))  # type: ignore[union-attr]
    p99_raw = re.search(r"99%\s+([\d.]+)(us|ms|s)", result.stdout)
    assert p99_raw is not None, result.stdout
    p99 = float(p99_raw.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99_raw.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if non2xx:
        raise RuntimeError(f"{non2xx.group(1)} failed requests: {result.stdout}")
    return rps, p99


def raw_app(db: Any, verifier: TokenVerifier, offers: dict[str, Offer]) -> web.Application:
    """The same token check and read (the wallet; the offers' texts from memory), no
    framework: the ceiling of the "my offers" read."""

    async def handler(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        who = await verifier.verify(header.removeprefix("Bearer "))
        doc = await db["wallets"].find_one({"_id": who.subject})
        held = sorted(doc["held"], key=lambda h: -h["score"]) if doc else []
        items = [
            {"offer_id": h["offer_id"], "title": offers[h["offer_id"]].terms.title.sv, "score": h["score"]}
            for h in held
        ]
        return web.json_response({"items": items, "next_cursor": None})

    app = web.Application()
    app.router.add_get("/v1/me/offers", handler)
    return app


async def my_offers(seconds: int) -> None:
    rng = random.Random(5)  # noqa: S311 - synthetic data
    tokens = TestTokens()
    jwks_server = JwksServer(tokens.jwks)
    jwks_server.start()
    try:
        async with private_mongo() as mongo_url:
            settings = bench_settings(mongo_url, jwks_server.url)
            client: AsyncMongoClient[Document] = create_client(mongo_url, app_name="seed")
            db = client[settings.mongo_database]
            _, offers = await seed(db, rng, wallets_for=[7])
            token = tokens.customer("p7", "h7", "main", ttl=timedelta(hours=1))
            verifier = TokenVerifier(
                StaticKeys(tokens.jwks), issuer=settings.jwt_issuer, audience=settings.jwt_audience
            )
            service_runs, raw_runs = [], []
            # Alternate the two, twice, and keep each one's best run: the machine is shared.
            for _ in range(2):
                runner, url = await serve(create_app(settings))
                await asyncio.sleep(1.0)
                service_runs.append(await asyncio.to_thread(wrk, f"{url}/v1/me/offers", token, seconds))
                await runner.cleanup()
                raw_runner, raw_url = await serve(raw_app(db, verifier, {o.offer_id: o for o in offers}))
                raw_runs.append(await asyncio.to_thread(wrk, f"{raw_url}/v1/me/offers", token, seconds))
                await raw_runner.cleanup()
            service_rps, service_p99 = max(service_runs)
            raw_rps, raw_p99 = max(raw_runs)
            await client.close()
            await remove_isolated(mongo_url, AMQP_URL, [settings])
            say(f"my offers (40 held offers, a page of 20, 64 connections, {seconds} s a run, best of 2, wrk)")
            say(f"service: {service_rps:.0f} requests/s, p99 {service_p99:.1f} ms")
            say(f"raw aiohttp handler (same token check and read): {raw_rps:.0f} requests/s, p99 {raw_p99:.1f} ms")
            say(f"ratio service / raw = {service_rps / raw_rps:.2f} (target >= 0.6, p99 < 50 ms)")
    finally:
        jwks_server.stop()


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "purchases"
    amount = int(sys.argv[2]) if len(sys.argv) > 2 and what != "publish" else 0
    if what == "publish":
        asyncio.run(publish_file(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif what == "my-offers":
        asyncio.run(my_offers(amount or 15))
    else:
        asyncio.run(purchases(amount or 3_000))
