"""Month end for many households with one and with N workers at once: wall time, each
worker's CPU, ``mongod``'s CPU, peak memory; then the points service's outbox relay
publishing the events month end left.

    .venv/bin/python bench/month_end.py [--households 100000] [--workers 1 2] [--relay-batch 100]

Seeds (bulk inserts) each household's account, its month's projection and its balance
read model as a month of purchases leaves them (base and MasterCard points, grocery
spend, campaign points, a few returns, two members), with charity set up for 10 % and
saving on for 5 % of households. Then, for each worker count N, it runs N month-end processes at once as the
Indexed Job does (``python -m plussa_points.commands.month_end --partition I/N``) on a
fresh copy of the seeded database, and prints the figures. A rerun closes nothing.
Then the service's ``OutboxRelay`` (``--relay-batch`` records a batch, as
``OUTBOX_BATCH_SIZE`` sets it; 0: no relay) publishes the backlog to the machine's
RabbitMQ, where one durable queue bound to every exchange the events go to keeps them,
as the consumers' queues would: events per second, the relay's, ``mongod``'s and
RabbitMQ's CPU per event, and the messages the queue holds at the end.
"""

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import aio_pika

from plussa_points.settings import PointsSettings
from plussa_points.store import INDEXES
from plussa_shared.broker import Broker
from plussa_shared.commands import prepare_database
from plussa_shared.metrics import Metrics
from plussa_shared.mongo import create_client
from plussa_shared.outbox import OUTBOX, OutboxRelay
from plussa_shared.testing.bench import AMQP_URL, bench_settings, jwks, private_mongo, remove_bench_resources, say
from plussa_shared.testing.processes import cpu_seconds, mongod_pid, rabbitmq_pid
from plussa_shared.testing.tokens import TestTokens

MONTH = "2026-03"
CHUNK = 10_000
BATCH = 500
CONCURRENCY = 4


Document = dict[str, object]


def household_docs(i: int, rng: random.Random) -> tuple[Document, Document, Document]:
    """One household's account, its open month and its balance read model, as a month of
    purchases leaves them."""
    hid = f"h{i:08d}"
    grocery = rng.randrange(0, 120_000)
    other = rng.randrange(0, 40_000)
    base = (grocery + other) // 100
    mastercard = base if rng.random() < 0.1 else 0
    reversed_ = rng.randrange(0, 30) if rng.random() < 0.05 else 0
    campaign = rng.choice([0, 0, 0, 100, 200, 300])
    account: Document = {
        "_id": hid,
        "kind": "household",
        "points": base + mastercard + campaign - reversed_ + 1,
        "carry_points": 1,
        "last_closed_month": "2026-02",
        "status": "regular",
        "spend_by_month": {f"2025-{m:02d}": grocery + other for m in range(4, 13)} | {"2026-01": 50_000},
    }
    if rng.random() < 0.1:
        account["charity"] = {"charity_id": None, "max_thousands": 1}
    if rng.random() < 0.05:
        account["savings"] = {
            "on": True,
            "release_on": "2026-12-01",
            "release_at": datetime(2026, 11, 30, 22, tzinfo=UTC),
        }
    month = {
        "_id": f"{hid}:{MONTH}",
        "household_id": hid,
        "month": MONTH,
        "closed": False,
        "base_points": base,
        "mastercard_points": mastercard,
        "reversed_points": reversed_,
        "campaign_points": campaign,
        "grocery_cents": grocery,
        "purchase_cents": grocery + other,
        "purchases": rng.randrange(4, 20),
        "persons": {
            f"p{i}a": {"points": base // 2, "spend_cents": grocery},
            f"p{i}b": {"points": base - base // 2, "spend_cents": other},
        },
    }
    view: Document = {
        "_id": hid,
        "points": account["points"],
        "status": "regular",
        "grocery": {MONTH: grocery},
        "lots": [],
        **{name: account[name] for name in ("charity", "savings") if name in account},
        "version": month["purchases"],
    }
    return account, month, view


async def seed(mongo_url: str, database: str, households: int) -> float:
    """Seed ``households`` into ``database``; return the seconds it took."""
    rng = random.Random(11)  # noqa: S311 - synthetic households, not secrets
    client = create_client(mongo_url, app_name="month-end-bench")
    db = client[database]
    await prepare_database(db, INDEXES)
    started = time.perf_counter()
    for start in range(0, households, CHUNK):
        seeded = [household_docs(i, rng) for i in range(start, min(start + CHUNK, households))]
        for n, collection in enumerate(("accounts", "household_months", "balance_views")):
            await db[collection].insert_many([docs[n] for docs in seeded], ordered=False)
    await client.close()
    return time.perf_counter() - started


def worker_env(settings: PointsSettings) -> dict[str, str]:
    """The environment of a month-end process, as the Job's ConfigMap gives it."""
    return {
        **os.environ,
        "PLUSSA_POINTS_MONGO_URL": str(settings.mongo_url),
        "PLUSSA_POINTS_MONGO_DATABASE": settings.mongo_database,
        "PLUSSA_POINTS_MONTH_END_BATCH_SIZE": str(BATCH),
        "PLUSSA_POINTS_MONTH_END_CONCURRENCY": str(CONCURRENCY),
        "PLUSSA_POINTS_LOG_LEVEL": "WARNING",
    }


async def one_worker(index: int, count: int, env: dict[str, str]) -> tuple[dict[str, Any], float, float]:
    """Run share ``index`` of ``count``; return its summary, its CPU seconds and its peak MiB
    (with ``BENCH_PROFILE_DIR`` set, under py-spy, which must be on the PATH)."""
    command = [sys.executable, "-m", "plussa_points.commands.month_end", "--month", MONTH]
    command += ["--partition", f"{index}/{count}"]
    profile_dir = env.get("BENCH_PROFILE_DIR")
    if profile_dir:  # sampled with py-spy (on PyPI), collapsed stacks per worker
        spy = ["py-spy", "record", "--format", "raw", "--rate", "200", "--nonblocking"]
        command = [*spy, "-o", f"{profile_dir}/worker-{index}-of-{count}.txt", "--", *command]
    returncode, out, err, usage = await asyncio.to_thread(_run, command, env)
    if returncode != 0:
        raise RuntimeError(f"worker {index}/{count} failed: {err.decode()[-2000:]}")
    summary = json.loads([line for line in out.decode().splitlines() if line.startswith("{")][-1])
    return summary, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _run(command: list[str], env: dict[str, str]) -> tuple[int, bytes, bytes, Any]:
    # Waited for with wait4 on this one child: its own CPU and memory, not the other workers'.
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    out = process.stdout.read() if process.stdout else b""
    err = process.stderr.read() if process.stderr else b""
    return process.returncode, out, err, usage


async def run_workers(mongo_url: str, jwks_url: str, households: int, workers: int, relay_batch: int) -> None:
    """Seed a fresh database, close the month with ``workers`` processes at once, print the
    figures; then relay the events it left, ``relay_batch`` records at a time (0: not)."""
    settings = await bench_settings(PointsSettings, mongo_url, jwks_url)
    seeded = await seed(mongo_url, settings.mongo_database, households)
    env = worker_env(settings)
    mongod = mongod_pid(mongo_url)
    mongod_before = cpu_seconds(mongod)
    started = time.perf_counter()
    results = await asyncio.gather(*(one_worker(i, workers, env) for i in range(workers)))
    wall = time.perf_counter() - started
    mongod_cpu = cpu_seconds(mongod) - mongod_before
    closed = sum(int(r[0]["households_closed"]) for r in results)
    cpu = [r[1] for r in results]
    rate = closed / wall
    say(
        f"month end, {households} households (seeded in {seeded:.1f} s), {workers} worker(s) at once: "
        f"closed {closed} in {wall:.1f} s = {rate:.0f} households/s"
    )
    say(
        f"  CPU per worker {', '.join(f'{c:.1f} s' for c in cpu)}; CPU per household "
        f"{sum(cpu) / closed * 1e6:.0f} us; peak RSS per worker {max(r[2] for r in results):.0f} MiB"
    )
    say(
        f"  mongod CPU {mongod_cpu:.1f} s = {mongod_cpu / closed * 1e6:.0f} us per household; "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    say(f"  payout {sum(int(r[0]['payout_cents']) for r in results)} cents")
    rerun = await one_worker(0, 1, env)
    say(f"  rerun of the whole month closed {rerun[0]['households_closed']} households")
    client = create_client(mongo_url, app_name="month-end-bench")
    if relay_batch:
        await relay_backlog(client[settings.mongo_database], settings, mongod, relay_batch)
    await client.drop_database(settings.mongo_database)
    await client.close()
    await remove_bench_resources(settings)


async def relay_backlog(db: Any, settings: PointsSettings, mongod: int, batch: int) -> None:
    """Publish what month end left in the outbox with the service's relay, ``batch`` records
    at a time, into one queue bound to every exchange the records name; print the figures."""
    records = await db[OUTBOX].count_documents({"sent_at": None})
    sizes = db[OUTBOX].aggregate(
        [{"$group": {"_id": "$exchange", "events": {"$sum": {"$add": [1, {"$size": {"$ifNull": ["$more", []]}}]}}}}]
    )
    by_exchange = {d["_id"]: d["events"] async for d in await sizes}
    events = sum(by_exchange.values())
    connection = await aio_pika.connect(AMQP_URL)
    channel = await connection.channel()
    queue = await channel.declare_queue(f"{settings.amqp_queue_prefix}month-end-relay", durable=True)
    for name in by_exchange:
        exchange = await channel.declare_exchange(
            name or settings.amqp_exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        await queue.bind(exchange, "#")
    broker = Broker(settings.amqp_url.get_secret_value(), settings.amqp_exchange)
    await broker.start()
    relay = OutboxRelay(db, broker, Metrics(), batch_size=batch)
    rabbit = rabbitmq_pid()
    before = cpu_seconds(os.getpid()), cpu_seconds(mongod), cpu_seconds(rabbit) if rabbit else 0.0
    started = time.perf_counter()
    published = 0
    while sent := await relay.relay_once():
        published += sent
    wall = time.perf_counter() - started
    after = cpu_seconds(os.getpid()), cpu_seconds(mongod), cpu_seconds(rabbit) if rabbit else 0.0
    held = (await channel.declare_queue(queue.name, passive=True)).declaration_result.message_count
    per_event = [(a - b) / max(published, 1) * 1e6 for a, b in zip(after, before, strict=True)]
    say(
        f"  relay, {batch} records a batch: {published} events of {events} in {records} records published "
        f"in {wall:.1f} s = {published / wall:.0f} events/s; the queue holds {held}"
    )
    say(
        f"  CPU per event: relay {per_event[0]:.0f} us, mongod {per_event[1]:.0f} us, "
        + (f"RabbitMQ {per_event[2]:.0f} us" if rabbit else "RabbitMQ not readable")
    )
    await relay.release()
    await broker.close()
    await queue.delete(if_unused=False, if_empty=False)
    await connection.close()


async def main() -> None:
    """Parse the command line and run each worker count on its own seeded database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--relay-batch", type=int, default=100, help="records a relay batch (the service's default); 0: no relay"
    )
    args = parser.parse_args()
    load = os.getloadavg()
    say(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start")
    async with private_mongo(cache_gb=2.0) as mongo_url, jwks(TestTokens()) as jwks_url:
        for workers in args.workers:
            await run_workers(mongo_url, jwks_url, args.households, workers, args.relay_batch)


if __name__ == "__main__":
    asyncio.run(main())
