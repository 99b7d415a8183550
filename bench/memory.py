"""Resident memory (RSS) of each of the six services at rest and under load.

    .venv/bin/python bench/memory.py [--purchases 3000] [--seconds 15]

Starts every service as its own ``python -m plussa_<service>`` process with its settings
in the environment (as the dev stack does), all on one exchange and a private mongod,
with the pipeline benchmark's 2,000 people seeded in points, benefits and receipts. At
rest: ``VmRSS`` of ``/proc/<pid>/status`` ten seconds after every service is ready.
Under load: for ``--seconds``, wrk at 16 connections on one hot read of each service
that has one for a customer (points' balance, benefits' offers, cards' household,
receipts' list, identity's JWKS; notifications has no customer read yet, so its
readiness check) while a burst of purchase
events goes through points, benefits and receipts; RSS sampled every 0.2 s, the peak
and the value after the load are printed.
"""

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import aio_pika
import aiohttp
import pipeline  # type: ignore[import-not-found]  # the sibling script, run from here

from plussa_cards.testing import CardsApi
from plussa_shared.mongo import create_client
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bench import AMQP_URL, Event, jwks, load_average, private_mongo, publish_all, say, wrk
from plussa_shared.testing.isolation import declare_exchanges, remove_isolated
from plussa_shared.testing.processes import ServiceProcess, process_values, rss_mib, service_processes
from plussa_shared.testing.tokens import TestTokens

TARGET_MIB = 120
HOT_READS = {
    "identity": "/.well-known/jwks.json",
    "cards": "/v1/me/household",
    "points": "/v1/me/balance",
    "benefits": "/v1/me/offers",
    "notifications": "/health/ready",  # no customer route yet: its readiness check (MongoDB, RabbitMQ)
    "receipts": "/v1/me/receipts",
}


async def sample(running: dict[str, ServiceProcess], peaks: dict[str, float], stop: asyncio.Event) -> None:
    """Keep the highest RSS of each service until ``stop``."""
    while not stop.is_set():
        for name, service in running.items():
            peaks[name] = max(peaks.get(name, 0.0), rss_mib(service.pid))
        await asyncio.sleep(0.2)


async def load(
    running: dict[str, ServiceProcess],
    exchange_name: str,
    tokens: dict[str, str],
    events: list[Event],
    seconds: int,
) -> str:
    """wrk on each service's hot read at once (with the token ``tokens`` gives that
    service), and the purchase burst; what wrk saw."""
    connection = await aio_pika.connect_robust(AMQP_URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(exchange_name)
        reads = [
            asyncio.to_thread(
                wrk,
                f"{running[n].url}{path}",
                headers={"Authorization": f"Bearer {tokens[n]}"},
                connections=16,
                seconds=seconds,
                threads=1,
            )
            for n, path in HOT_READS.items()
        ]
        burst = asyncio.create_task(publish_all(exchange, events))
        results = await asyncio.gather(*reads)
        await burst
    finally:
        await connection.close()
    return "; ".join(
        f"{n} {r.requests_per_s:.0f}/s ({r.errors} non-2xx)" for n, r in zip(HOT_READS, results, strict=True)
    )


async def main(purchases: int, seconds: int) -> None:
    """Start the six, measure at rest, load, measure again."""
    rng = random.Random(23)  # noqa: S311 - synthetic purchases, not secrets
    tokens = TestTokens()
    say(f"machine: 2-core shared, load average {load_average()} at the start")
    async with private_mongo() as mongo_url, jwks(tokens) as jwks_url:
        values = process_values(uuid.uuid4().hex[:8], mongo_url, jwks_url)
        await declare_exchanges(AMQP_URL, ServiceSettings(**values["points"]))
        client = create_client(mongo_url, app_name="memory-bench")
        databases = {name: values[name]["mongo_database"] for name in pipeline.CONSUMERS}
        await pipeline.seed(client, databases, rng)
        events = [pipeline.purchase_event(rng) for _ in range(purchases)]
        token = tokens.customer("p7", "h7", "main", ttl=timedelta(hours=1))
        try:
            with tempfile.TemporaryDirectory(prefix="memory-bench-") as logs:
                async with service_processes(values, Path(logs)) as running:
                    # cards' read needs a household of its own: made through its API.
                    async with aiohttp.ClientSession(base_url=running["cards"].url) as http:
                        holder = await CardsApi(http, tokens).apply()
                    holder_token = tokens.customer(
                        holder.person_id, holder.household_id, "main", ttl=timedelta(hours=1)
                    )
                    by_service = {name: holder_token if name == "cards" else token for name in HOT_READS}
                    await asyncio.sleep(10)
                    at_rest = {name: rss_mib(s.pid) for name, s in running.items()}
                    peaks: dict[str, float] = {}
                    stop = asyncio.Event()
                    sampler = asyncio.create_task(sample(running, peaks, stop))
                    started = time.perf_counter()
                    served = await load(running, values["points"]["amqp_exchange"], by_service, events, seconds)
                    await pipeline.until_applied(client, databases, purchases, started)
                    stop.set()
                    await sampler
                    load_during = load_average()
                    after = {name: rss_mib(s.pid) for name, s in running.items()}
        finally:
            await client.close()
            await remove_isolated(mongo_url, AMQP_URL, [ServiceSettings(**v) for v in values.values()])
    say(
        f"under load: wrk 16 connections for {seconds} s on each: {served}; "
        f"{purchases} purchases through three consumers"
    )
    say(
        f"{'service':<14}{'at rest':>10}{'peak under load':>18}{'after load':>12}"
        f"   (MiB RSS; load average {load_during})"
    )
    for name in values:
        flag = "" if at_rest[name] < TARGET_MIB else f"  over the {TARGET_MIB} MB target"
        say(f"{name:<14}{at_rest[name]:>10.1f}{peaks[name]:>18.1f}{after[name]:>12.1f}{flag}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--purchases", type=int, default=3_000)
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(main(args.purchases, args.seconds))
