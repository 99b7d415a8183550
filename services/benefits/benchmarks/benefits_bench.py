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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from aiohttp import web
from benefits_bench_support import (  # type: ignore[import-not-found]  # the sibling script, run from here
    OFFERS,
    PEOPLE,
    SEGMENTS,
    bench_settings,
    purchase_event,
    seed,
)
from pymongo import AsyncMongoClient

from plussa_benefits.app import create_app
from plussa_benefits.domain.offers import Offer
from plussa_shared.auth import StaticKeys, TokenVerifier
from plussa_shared.heap import settle_heap
from plussa_shared.mongo import Document, Session, create_client, run_in_transaction
from plussa_shared.testing.bench import AMQP_URL, load_average, private_mongo, say
from plussa_shared.testing.embedded_mongo import free_port
from plussa_shared.testing.isolation import remove_isolated
from plussa_shared.testing.processes import cpu_seconds, mongod_pid
from plussa_shared.testing.tokens import JwksServer, TestTokens


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
            settings = await bench_settings(mongo_url, jwks_server.url)
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
            settle_heap()  # as ``run_service`` does once a service has started
            connection = await aio_pika.connect_robust(AMQP_URL)
            try:
                channel = await connection.channel(publisher_confirms=True)
                await channel.declare_exchange(settings.amqp_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
                await asyncio.sleep(1.5)
                events = [purchase_event(rng) for _ in range(count)]
                mongod = mongod_pid(mongo_url)
                cpu_before = (time.process_time(), cpu_seconds(mongod))
                started = await publish_all(settings.amqp_exchange, events, "stores.purchase.completed")
                published = time.perf_counter() - started
                deadline = started + 600
                while await db["purchases"].count_documents({}) < count:
                    if time.perf_counter() > deadline:
                        raise RuntimeError("the service did not apply every purchase in 10 minutes")
                    await asyncio.sleep(0.02)
                elapsed = time.perf_counter() - started
                cpu = (time.process_time() - cpu_before[0], cpu_seconds(mongod) - cpu_before[1])
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
            say(
                f"CPU per purchase: service {1000 * cpu[0] / count:.2f} ms (with this script's polling), "
                f"mongod {1000 * cpu[1] / count:.2f} ms; load average {load_average()}"
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


def raw_app(db: Any, verifier: TokenVerifier, offers: dict[str, Offer], page_size: int) -> web.Application:
    """The same token check and read (the wallet's ranked ``shown`` entries; the offers'
    texts from memory), no framework: the ceiling of the "my offers" read."""

    async def handler(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        who = await verifier.verify(header.removeprefix("Bearer "))
        doc = await db["wallets"].find_one({"_id": who.subject}, {"shown": 1})
        page = [entry.split(" ") for entry in (doc or {}).get("shown", [])[:page_size]]
        items = [
            {"offer_id": offer_id, "title": offers[offer_id].terms.title.sv, "score": int(score)}
            for offer_id, score, _, _ in page
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
            settings = await bench_settings(mongo_url, jwks_server.url)
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
                raw_runner, raw_url = await serve(
                    raw_app(db, verifier, {o.offer_id: o for o in offers}, settings.page_limit_default)
                )
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
