"""The whole purchase pipeline: store systems' purchases consumed by points, benefits and
receipts together, each its own running process on one exchange, against the raw
RabbitMQ + MongoDB ceiling measured in the same run.

    .venv/bin/python bench/pipeline.py [--purchases 3000] [--log-level INFO --logs DIR] [--profile DIR]

2,000 people (one household each) as the cards events would have left them in every
service: points knows their cards, members and MasterCard tokens; benefits holds 500
live offers over 50 segments and each person's offers in a steady state; receipts has
30 % of people with warranty receipts turned on. Each ``fi.plussa.stores.purchase.completed``
(2-9 lines, one purchase in ten with a warranty line, one in ten paid with a MasterCard)
is published once on the run's exchange; the benchmark waits until every service has
applied every purchase, then checks nothing was lost: each inbox holds one entry per
purchase sent, points' ledger one entry per credited purchase, no purchase rejected
and every dead-letter queue empty. The raw ceiling is one consumer doing RabbitMQ
consume + JSON parse + one MongoDB transaction + ack per message (same prefetch).
Each service's CPU seconds per purchase are printed too: on a shared machine they are
steadier than the rate. ``--profile DIR`` samples each service with py-spy (on the PATH)
from the first purchase published to the last one applied, as collapsed stacks
``DIR/<service>.txt``.
"""

import argparse
import asyncio
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient

from plussa_shared.mongo import Document, create_client
from plussa_shared.queues import QueueNames
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bench import (
    AMQP_URL,
    Event,
    jwks,
    load_average,
    private_mongo,
    publish_all,
    raw_ceiling,
    say,
)
from plussa_shared.testing.isolation import declare_exchanges, remove_broker_objects
from plussa_shared.testing.processes import cpu_seconds, mongod_pid, process_values, service_processes
from plussa_shared.testing.tokens import TestTokens

ROOT = Path(__file__).resolve().parent.parent
# The services' own benchmarks seed the same 2,000 people (card numbers 6000...i, person
# p<i>, household h<i>): reuse their seeding rather than copy it.
sys.path[:0] = [str(ROOT / "services" / "benefits" / "benchmarks"), str(ROOT / "services" / "points" / "benchmarks")]
import benefits_bench_support as benefits  # type: ignore[import-not-found]  # noqa: E402
import points_ingest_bench as points  # type: ignore[import-not-found]  # noqa: E402

CONSUMERS = ("points", "benefits", "receipts")
PURCHASE = "fi.plussa.stores.purchase.completed"
RECEIPTS_ON = 0.3
WARRANTY_SHARE = 0.1
MASTERCARD_SHARE = 0.1
CARD_BASE = 6000_0000_0000_0000


def purchase_event(rng: random.Random) -> Event:
    """A purchase of the benefits benchmark's mix, some with a warranty line or a MasterCard."""
    event: Event = benefits.purchase_event(rng)
    data = event["data"]
    if rng.random() < WARRANTY_SHARE:
        cents = rng.randrange(5_000, 120_000)
        tv = {"name": "Televisio", "category": "electronics", "warranty_months": 24}
        data["lines"][0] |= {**tv, "unit_price_cents": cents, "amount_cents": cents}
        data["total_cents"] = sum(x["amount_cents"] for x in data["lines"])
    if rng.random() < MASTERCARD_SHARE:
        person = int(data["card_number"]) - CARD_BASE
        data["payment"] = {"method": "payment_card", "network_token": f"tok-{person}"}
    return event


async def seed_receipts(db: Any, rng: random.Random) -> None:
    """Receipts' cards, and 30 % of people with warranty receipts turned on."""
    await db["cards"].insert_many(
        [
            {
                "_id": f"card-{i}",
                "card_number": benefits.card_number(i),
                "person_id": f"p{i}",
                "household_id": f"h{i}",
                "version": 1,
            }
            for i in range(benefits.PEOPLE)
        ]
    )
    since = benefits.ZONE_NOW - timedelta(days=1)
    await db["enrolments"].insert_many(
        [
            {"_id": f"p{i}", "enabled": True, "enabled_at": since, "version": 1}
            for i in range(benefits.PEOPLE)
            if rng.random() < RECEIPTS_ON
        ]
    )


async def seed(client: AsyncMongoClient[Document], databases: dict[str, str], rng: random.Random) -> None:
    """Every consumer's view of the 2,000 people, as the cards events would have left it."""
    assert points.HOUSEHOLDS == benefits.PEOPLE, "the two seeds must describe the same people"
    await points.seed(client[databases["points"]])
    await benefits.seed(client[databases["benefits"]], rng)
    await seed_receipts(client[databases["receipts"]], rng)


async def applied(client: AsyncMongoClient[Document], database: str) -> int:
    """How many purchases a service's inbox says it applied."""
    return await client[database]["inbox"].count_documents({"type": PURCHASE})


async def until_applied(
    client: AsyncMongoClient[Document], databases: dict[str, str], count: int, started: float
) -> dict[str, float]:
    """Wait until each consumer applied ``count`` purchases; when each finished, in seconds."""
    finished: dict[str, float] = {}
    deadline = started + 600
    while len(finished) < len(databases):
        for name, database in databases.items():
            # The inbox's size from its metadata first: an exact count scans it, and
            # scanning every 50 ms would take mongod's CPU from the services measured.
            if name in finished or await client[database]["inbox"].estimated_document_count() < count:
                continue
            if await applied(client, database) >= count:
                finished[name] = time.perf_counter() - started
        if time.perf_counter() > deadline:
            raise RuntimeError(f"not every purchase applied in 600 s: done {sorted(finished)}")
        await asyncio.sleep(0.05)
    return finished


async def dead_letters(values: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Messages in each consumer's dead-letter queue."""
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        counts = {}
        for name in CONSUMERS:
            queue = QueueNames(ServiceSettings(**values[name]).event_queue).dead
            declared = await channel.declare_queue(queue, passive=True)
            counts[name] = declared.declaration_result.message_count or 0
        return counts
    finally:
        await connection.close()


async def check_nothing_lost(
    client: AsyncMongoClient[Document], values: dict[str, dict[str, Any]], count: int
) -> list[str]:
    """What was lost, if anything (empty: nothing)."""
    databases = {name: values[name]["mongo_database"] for name in CONSUMERS}
    problems = []
    for name, database in databases.items():
        if (n := await applied(client, database)) != count:
            problems.append(f"{name} inbox holds {n} purchases of {count}")
    points_db = client[databases["points"]]
    ledger = await points_db["ledger"].count_documents({"reason": "purchase"})
    recorded = await points_db["purchases"].count_documents({})
    rejected = await points_db["rejected_purchases"].count_documents({})
    if not ledger == recorded == count:
        problems.append(f"points: {recorded} purchases recorded, {ledger} ledger entries, of {count} sent")
    if rejected:
        problems.append(f"points rejected {rejected} purchases")
    problems += [f"{name}: {n} dead-lettered" for name, n in (await dead_letters(values)).items() if n]
    return problems


async def effects(client: AsyncMongoClient[Document], databases: dict[str, str]) -> str:
    """What the purchases did besides being applied, for the record."""
    receipts = await client[databases["receipts"]]["receipts"].count_documents({})
    redemptions = await client[databases["benefits"]]["redemptions"].count_documents({})
    campaign = await client[databases["points"]]["ledger"].count_documents({"reason": "campaign"})
    return (
        f"{receipts} warranty receipts kept, {redemptions} offers redeemed, {campaign} campaign points grants credited"
    )


async def batch_sizes(urls: dict[str, str]) -> str:
    """How each service batched the purchases (its ``/metrics``): how many transactions,
    their mean size, and the share that held at most 1, 4 and 16 purchases."""
    parts = []
    async with aiohttp.ClientSession() as http:
        for name, url in urls.items():
            async with http.get(f"{url}/metrics") as response:
                text = await response.text()
            samples = [
                sample
                for family in text_string_to_metric_families(text)
                if family.name == "event_batch_size"
                for sample in family.samples
                if sample.labels.get("type") == PURCHASE
            ]
            count = sum(x.value for x in samples if x.name.endswith("_count"))
            total = sum(x.value for x in samples if x.name.endswith("_sum"))
            buckets = {float(x.labels["le"]): x.value for x in samples if x.name.endswith("_bucket")}
            if not count:
                parts.append(f"{name} none batched")
                continue
            upto = ", ".join(f"≤{le} {buckets.get(le, 0) / count:.0%}" for le in (1, 4, 16))
            parts.append(f"{name} {count:.0f} transactions of {total / count:.1f} ({upto})")
    return "; ".join(parts)


@contextmanager
def sampled(pids: dict[str, int], directory: Path | None) -> Iterator[None]:
    """Each process of ``pids`` sampled by py-spy while the block runs (nothing without a directory)."""
    if directory is None:
        yield
        return
    binary = shutil.which("py-spy")
    if binary is None:
        raise RuntimeError("--profile needs py-spy on the PATH")
    directory.mkdir(parents=True, exist_ok=True)
    record = [binary, "record", "--format", "raw", "--rate", "100", "--nonblocking"]
    spies = [
        subprocess.Popen(  # noqa: S603 - our own py-spy on our own processes
            [*record, "-p", str(pid), "-o", str(directory / f"{name}.txt")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
    ]
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)  # py-spy writes what it sampled and exits
        for spy in spies:
            spy.wait(30)


async def pipeline(mongo_url: str, jwks_url: str, count: int, rng: random.Random, options: argparse.Namespace) -> float:
    """Seed, start the three consumers, publish ``count`` purchases once; purchases per second."""
    values = process_values(uuid.uuid4().hex[:8], mongo_url, jwks_url)
    consumers = {name: values[name] | {"log_level": options.log_level} for name in CONSUMERS}
    databases = {name: consumers[name]["mongo_database"] for name in CONSUMERS}
    await declare_exchanges(AMQP_URL, ServiceSettings(**values["points"]))
    client: AsyncMongoClient[Document] = create_client(mongo_url, app_name="pipeline-bench")
    events = [purchase_event(rng) for _ in range(count)]
    try:
        await seed(client, databases, rng)
        with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as logs:
            async with service_processes(consumers, options.logs or Path(logs)) as running:
                connection = await aio_pika.connect_robust(AMQP_URL)
                try:
                    channel = await connection.channel(publisher_confirms=True)
                    exchange = await channel.get_exchange(values["points"]["amqp_exchange"])
                    await asyncio.sleep(2.0)  # benefits reads its catalogue
                    load_before = load_average()
                    pids = {name: s.pid for name, s in running.items()} | {"mongod": mongod_pid(mongo_url)}
                    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
                    with sampled({name: s.pid for name, s in running.items()}, options.profile):
                        started = time.perf_counter()
                        await publish_all(exchange, events)
                        published = time.perf_counter() - started
                        finished = await until_applied(client, databases, count, started)
                    load_after = load_average()
                    cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
                    batches = await batch_sizes({name: s.url for name, s in running.items()})
                finally:
                    await connection.close()
                await asyncio.sleep(1.0)  # anything late (a retry, a dead letter) shows now
                problems = await check_nothing_lost(client, values, count)
                done = await effects(client, databases)
    finally:
        for database in databases.values():
            await client.drop_database(database)
        await client.close()
        await remove_broker_objects(AMQP_URL, [ServiceSettings(**v) for v in consumers.values()])
    elapsed = max(finished.values())
    say(
        f"pipeline: {count} purchases through points, benefits and receipts in {elapsed:.2f} s = "
        f"{count / elapsed:.0f} purchases/s (all published after {published:.1f} s; "
        + ", ".join(f"{name} done after {s:.1f} s" for name, s in finished.items())
        + f"); load average {load_before} before, {load_after} after"
    )
    say(f"  {done}")
    say(f"  purchases a transaction: {batches}")
    say(
        "  CPU per purchase: "
        + ", ".join(f"{name} {seconds / count * 1000:.2f} ms ({seconds:.1f} s)" for name, seconds in cpu.items())
        + f"; {sum(cpu.values()) / count * 1000:.2f} ms in all (RabbitMQ's, shared with other jobs, not counted)"
    )
    say(
        "  nothing lost: every inbox holds every purchase, points' ledger one entry per purchase, no dead letters"
        if not problems
        else f"  LOST: {'; '.join(problems)}"
    )
    return count / elapsed


async def main(count: int, options: argparse.Namespace) -> None:
    """Raw ceiling, then the pipeline, in one run."""
    rng = random.Random(17)  # noqa: S311 - synthetic purchases, not secrets
    say(f"machine: 2-core shared, load average {load_average()} at the start; private mongod, local RabbitMQ")
    async with private_mongo() as mongo_url, jwks(TestTokens()) as jwks_url:
        events = [purchase_event(rng) for _ in range(count)]
        mongod = mongod_pid(mongo_url)
        before = resource.getrusage(resource.RUSAGE_SELF), cpu_seconds(mongod)
        ceiling = await raw_ceiling(mongo_url, 32, events)
        after = resource.getrusage(resource.RUSAGE_SELF), cpu_seconds(mongod)
        own = after[0].ru_utime + after[0].ru_stime - before[0].ru_utime - before[0].ru_stime
        say(
            f"raw ceiling (one consumer: consume + 1 transaction + ack, prefetch 32): {ceiling:.0f}/s "
            f"(load average {load_average()}); CPU per message {own / count * 1000:.2f} ms in the consumer "
            f"(publisher included), {(after[1] - before[1]) / count * 1000:.2f} ms in mongod"
        )
        rate = await pipeline(mongo_url, jwks_url, count, rng, options)
        say(f"ratio pipeline / raw ceiling = {rate / ceiling:.2f}; target at least 300 purchases/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--purchases", type=int, default=3_000)
    parser.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.add_argument("--logs", type=Path, help="keep the services' logs in this directory")
    parser.add_argument("--profile", type=Path, help="py-spy samples of each service into this directory")
    args = parser.parse_args()
    asyncio.run(main(args.purchases, args))
