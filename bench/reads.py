"""The portal's hottest authenticated reads against a raw one-read handler, with wrk.

    .venv/bin/python bench/reads.py [--replicas 1] [--seconds 6] [--connections 64] [--rounds 5]
                                    [--share 0.7] [--paced 500 1000] [--only balance] [--log-level WARNING]

Starts a private mongod, a JWKS, and the cards, points and benefits services, each as
``--replicas`` processes of ``python -m plussa_<service>`` sharing one port (as replicas
behind one address; 1 by default), on one event exchange (as ``make run`` does). Makes a
household through cards' API (its events reach points over RabbitMQ), gives it Plussa
money and a month of purchases (published as store systems publish them), then loads
with wrk at 64 connections: points ``GET /v1/me/balance``, cards ``GET /v1/me/household``,
points ``GET /v1/me/purchases`` (this month's, and last month's, in which the household
bought nothing: its first read builds the month's page), benefits ``GET /v1/me/offers``,
each right after a raw aiohttp handler (as many processes on one port) that verifies the
same token with the same verifier (cache included) and does ONE ``find_one``, and compared
with that run of it; ``--rounds`` such pairs of each read, and the median of their ratios
(the rates of a shared machine move from one run to the next).
Then each read once more with wrk paced over the same connections, at each ``--share``
of its own median full-speed rate (0.7 by default: the autoscaler keeps a replica's CPU
at 70 %) and at each ``--paced`` rate: its p50 and p99 at a load the service carries,
where the full-speed runs' latency is mostly the queue of 64 requests (64 / rate).
Each is loaded unmeasured for two seconds first, so every process's connection pool has
grown to the load, as a service's that has been running has. The CPU time the loaded
service's processes and the ``mongod`` used during a run, divided
by the requests answered, is each read's CPU per request: a figure other work on the
machine moves far less than the rates.

``python bench/reads.py raw`` serves the raw handler alone (what the benchmark starts;
its settings in ``RAW_*`` environment variables).
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aio_pika
import aiohttp
from aiohttp import web
from pymongo import AsyncMongoClient

from plussa_cards.testing import CardsApi
from plussa_points.domain.calendar import month_of, shift_month
from plussa_points.settings import PointsSettings
from plussa_shared.auth import StaticKeys, TokenVerifier
from plussa_shared.heap import settle_heap
from plussa_shared.mongo import Document, create_client
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bench import AMQP_URL, WrkResult, jwks, load_average, private_mongo, publish_all, say, wrk
from plussa_shared.testing.bus import envelope
from plussa_shared.testing.embedded_mongo import free_port
from plussa_shared.testing.isolation import declare_exchanges, remove_broker_objects
from plussa_shared.testing.processes import (
    ServiceProcess,
    cpu_seconds,
    listening,
    mongod_pid,
    process_values,
    service_replicas,
)
from plussa_shared.testing.tokens import TestTokens

# The benefits benchmark's catalogue and wallets: reused, not copied.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "services", "benefits", "benchmarks"))
import benefits_bench_support as benefits  # type: ignore[import-not-found]

RAW = "raw: token check + one find_one"
SCRIPT = str(Path(__file__).resolve())
SERVICES = ("cards", "points", "benefits")
PURCHASES = 12


def raw_app(mongo_url: str, database: str, jwks_json: str, issuer: str, audience: str) -> web.Application:
    """Verify the bearer token, read one account document, answer it as JSON."""
    verifier = TokenVerifier(StaticKeys(json.loads(jwks_json)), issuer=issuer, audience=audience)
    client = create_client(mongo_url, app_name="raw-read")
    accounts = client[database]["accounts"]

    async def handler(request: web.Request) -> web.Response:
        principal = await verifier.verify(request.headers["Authorization"].removeprefix("Bearer "))
        doc = await accounts.find_one({"_id": principal.household_id})
        return web.json_response({"money_cents": (doc or {}).get("money_cents", 0)})

    async def settled(_: web.Application) -> None:
        settle_heap()  # as ``run_service`` does once a service has started

    app = web.Application()
    app.router.add_get("/raw", handler)
    app.on_startup.append(settled)
    return app


def serve_raw() -> None:
    """One process of the raw handler, from ``RAW_*`` variables, sharing its port."""
    env = os.environ
    app = raw_app(env["RAW_MONGO_URL"], env["RAW_DATABASE"], env["RAW_JWKS"], env["RAW_ISSUER"], env["RAW_AUDIENCE"])
    web.run_app(app, host="127.0.0.1", port=int(env["RAW_PORT"]), reuse_port=True, access_log=None, print=None)


@asynccontextmanager
async def raw_replicas(
    replicas: int, mongo_url: str, database: str, tokens: TestTokens, settings: PointsSettings
) -> AsyncIterator[tuple[str, list[int]]]:
    """``replicas`` processes of the raw handler on one port; yields its URL and their pids."""
    port = free_port()
    env = os.environ | {
        "RAW_MONGO_URL": mongo_url,
        "RAW_DATABASE": database,
        "RAW_JWKS": json.dumps(tokens.jwks),
        "RAW_ISSUER": settings.jwt_issuer,
        "RAW_AUDIENCE": settings.jwt_audience,
        "RAW_PORT": str(port),
    }
    processes = [await asyncio.create_subprocess_exec(sys.executable, SCRIPT, "raw", env=env) for _ in range(replicas)]
    try:
        deadline = time.perf_counter() + 60
        while not all(listening(p.pid, port) for p in processes):
            if time.perf_counter() > deadline or any(p.returncode is not None for p in processes):
                raise RuntimeError("the raw handler did not start")
            await asyncio.sleep(0.1)
        yield f"http://127.0.0.1:{port}/raw", [p.pid for p in processes]
    finally:
        for p in processes:
            if p.returncode is None:
                p.terminate()
        for p in processes:
            await p.wait()


def purchase(card_number: str, i: int, now: datetime) -> dict[str, Any]:
    """A store system's purchase on the household's main card, ``i`` minutes ago."""
    line = {"line_id": "1", "product_id": "p1", "name": "Maito", "category": "grocery", "quantity": 1}
    data = {
        "purchase_id": f"bench-{i}",
        "card_number": card_number,
        "store_id": "store-1",
        "store_name": "K-Market",
        "chain": "k-market",
        "occurred_at": (now - timedelta(minutes=i)).isoformat(),
        "payment": {"method": "cash", "network_token": None},
        "lines": [{**line, "unit_price_cents": 1000 + i, "amount_cents": 1000 + i, "warranty_months": None}],
        "total_cents": 1000 + i,
    }
    return envelope("fi.plussa.stores.purchase.completed", data, subject=f"purchase/bench-{i}")


async def seed_points(db: Any, exchange: Any, household_id: str, card_number: str) -> None:
    """Plussa money (written straight into its documents) and this month's purchases on the
    household's main card (published as a store system publishes them, and waited for)."""
    now = datetime.now(UTC)
    for _ in range(600):
        if await db["cards"].find_one({"card_number": card_number, "household_id": {"$ne": None}}):
            break
        await asyncio.sleep(0.05)
    else:
        raise RuntimeError("points never heard of the household's card")
    await db["lots"].insert_one(
        {
            "_id": "bench-lot",
            "household_id": household_id,
            "month": "2026-01",
            "cents": 1234,
            "remaining_cents": 1234,
            "paid_at": now - timedelta(days=20),
            "expires_at": now + timedelta(days=300),
            "saved_until": None,
        }
    )
    await db["accounts"].update_one({"_id": household_id}, {"$inc": {"money_cents": 1234}}, upsert=True)
    await publish_all(exchange, [purchase(card_number, i, now) for i in range(PURCHASES)])
    for _ in range(600):
        if await db["purchases"].count_documents({"household_id": household_id}) == PURCHASES:
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("points did not record the household's purchases")


def last_month(zone: str) -> str:
    """The programme month before this one: the household bought nothing in it."""
    return shift_month(month_of(datetime.now(UTC), ZoneInfo(zone)), -1)


@dataclass(frozen=True)
class Measured:
    """A wrk run and the CPU time per request it cost the loaded processes and the ``mongod``."""

    wrk: WrkResult
    service_us: float
    mongod_us: float


async def measure(
    url: str,
    headers: dict[str, str],
    pids: Sequence[int],
    mongod: int,
    connections: int,
    seconds: int,
    rate: float | None = None,
) -> Measured:
    """Load ``url`` with wrk (as fast as it answers, or paced at ``rate``), reading the CPU
    time of the processes serving it (``pids``) and of the ``mongod`` around it."""
    before = sum(map(cpu_seconds, pids)), cpu_seconds(mongod)
    result = await asyncio.to_thread(wrk, url, headers=headers, connections=connections, seconds=seconds, rate=rate)
    after = sum(map(cpu_seconds, pids)), cpu_seconds(mongod)
    per_request = 1e6 / max(result.requests, 1)
    return Measured(result, (after[0] - before[0]) * per_request, (after[1] - before[1]) * per_request)


def line(name: str, measured: Measured, raw: Measured | None) -> None:
    result = measured.wrk
    ratio = f", {result.requests_per_s / raw.wrk.requests_per_s:.2f} of the raw handler" if raw else ""
    say(f"{result.line(name)}{ratio}")
    say(cpu_line(measured, raw))


def cpu_line(measured: Measured, raw: Measured | None = None) -> str:
    """What a request cost the loaded processes and ``mongod``, and the service's against the raw handler's."""
    cpu = f"  CPU a request: service {measured.service_us:.0f} µs, mongod {measured.mongod_us:.0f} µs"
    if raw:
        cpu += f"; service {measured.service_us / raw.service_us:.2f} times the raw handler's"
    return cpu


@dataclass(frozen=True)
class Load:
    """A read to load: its URL, headers and the processes that answer it."""

    url: str
    headers: dict[str, str]
    pids: list[int]


async def prepare(
    values: dict[str, dict[str, Any]], running: dict[str, list[ServiceProcess]], tokens: TestTokens
) -> dict[str, Load]:
    """Seed a household, its money and purchases through the running services; the reads."""
    client: AsyncMongoClient[Document] = create_client(values["points"]["mongo_url"], app_name="reads-bench")
    connection = await aio_pika.connect_robust(AMQP_URL)
    try:
        async with aiohttp.ClientSession(base_url=running["cards"][0].url) as http:
            holder = await CardsApi(http, tokens).apply()
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(values["points"]["amqp_exchange"])
        points_db = client[values["points"]["mongo_database"]]
        await seed_points(points_db, exchange, holder.household_id, holder.card["card_number"])
    finally:
        await connection.close()
        await client.close()
    token = tokens.customer(holder.person_id, holder.household_id, "main", ttl=timedelta(hours=1))
    headers = {"Authorization": f"Bearer {token}"}
    offers_token = tokens.customer("p7", "h7", "main", ttl=timedelta(hours=1))

    def load(service: str, path: str, auth: dict[str, str] = headers) -> Load:
        return Load(f"{running[service][0].url}{path}", auth, [s.pid for s in running[service]])

    zone = PointsSettings.model_fields["programme_timezone"].default
    return {
        "points GET /v1/me/balance": load("points", "/v1/me/balance"),
        "cards GET /v1/me/household": load("cards", "/v1/me/household"),
        "points GET /v1/me/purchases": load("points", "/v1/me/purchases"),
        # A month without a purchase of the person (as every month is on its first days):
        # its first read builds the month's page, the rest read it.
        "points GET /v1/me/purchases?month=<last month>": load("points", f"/v1/me/purchases?month={last_month(zone)}"),
        "benefits GET /v1/me/offers": load("benefits", "/v1/me/offers", {"Authorization": f"Bearer {offers_token}"}),
    }


async def main(options: argparse.Namespace) -> None:
    """Start everything, seed one household, load each read, print the figures."""
    tokens = TestTokens()
    replicas, connections, seconds = options.replicas, options.connections, options.seconds
    say(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    async with private_mongo() as mongo_url, jwks(tokens) as jwks_url:
        every = process_values(uuid.uuid4().hex[:8], mongo_url, jwks_url)
        values = {name: every[name] | {"log_level": options.log_level} for name in SERVICES}
        points_settings = PointsSettings(**values["points"])
        await declare_exchanges(AMQP_URL, points_settings)
        seeding: AsyncMongoClient[Document] = create_client(mongo_url, app_name="reads-bench")
        await benefits.seed(seeding[values["benefits"]["mongo_database"]], random.Random(5), wallets_for=[7])  # noqa: S311
        await seeding.close()
        database = points_settings.mongo_database
        try:
            with tempfile.TemporaryDirectory(prefix="reads-bench-") as logs:
                async with (
                    service_replicas(values, Path(logs), replicas) as running,
                    raw_replicas(replicas, mongo_url, database, tokens, points_settings) as (raw_url, raw_pids),
                ):
                    loads = await prepare(values, running, tokens)
                    raw = Load(raw_url, loads["points GET /v1/me/balance"].headers, raw_pids)
                    await run_loads(raw, loads, mongod_pid(mongo_url), options)
        finally:
            await remove_broker_objects(AMQP_URL, [ServiceSettings(**v) for v in values.values()])
    say(f"{replicas} process(es) of each service and of the raw handler; {connections} connections, {seconds} s each")


async def run_loads(raw: Load, loads: dict[str, Load], mongod: int, options: argparse.Namespace) -> None:
    """The full-speed pairs, their medians, then the paced runs."""
    connections, seconds = options.connections, options.seconds
    chosen = {name: load for name, load in loads.items() if not options.only or options.only in name}

    async def run(load: Load, rate: float | None = None) -> Measured:
        return await measure(load.url, load.headers, load.pids, mongod, connections, seconds, rate)

    # Warm first, as a service that has been running is: each process's connection pool
    # grows to the load's 64 requests at once, and caches fill (unmeasured).
    for load in [raw, *chosen.values()]:
        await asyncio.to_thread(wrk, load.url, headers=load.headers, connections=connections, seconds=2)
    # The machine is shared: the load of others moves within a run, so each read is
    # measured right after its own run of the raw handler and compared with that.
    results: dict[str, list[tuple[Measured, Measured]]] = {}
    for _ in range(options.rounds):
        for name, load in chosen.items():
            raw_result = await run(raw)
            results.setdefault(name, []).append((raw_result, await run(load)))
    say(
        f"wrk, {connections} connections, {seconds} s each, 2 threads (on the same 2 cores), "
        f"{options.rounds} round(s); load average {load_average()} at the end"
    )
    for name, pairs in results.items():
        for raw_result, result in pairs:
            line(RAW, raw_result, None)
            line(name, result, raw_result)
        if len(pairs) > 1:
            ratios = sorted(r.wrk.requests_per_s / raw.wrk.requests_per_s for raw, r in pairs)
            say(
                f"{name}: median {statistics.median(ratios):.2f} of the raw handler over {len(pairs)} "
                f"rounds ({', '.join(f'{x:.2f}' for x in ratios)})"
            )
    # At full speed a closed loop's latency is the queue: 64 / rate. Paced, it is what a
    # request waits for at a load the service carries: a share of what each read answered
    # at full speed (the autoscaler keeps a replica's CPU at 70 %), or one rate for all.
    full = {RAW: [r.wrk.requests_per_s for pairs in results.values() for r, _ in pairs]}
    full |= {name: [r.wrk.requests_per_s for _, r in pairs] for name, pairs in results.items()}
    paced = [(RAW, raw), *chosen.items()]
    for share in options.share:
        say(f"paced: wrk offering {share:.0%} of each one's median full-speed rate, {connections} connections")
        for name, load in paced:
            rate = share * statistics.median(full[name])
            measured = await run(load, rate)
            say(f"{measured.wrk.line(name)} ({rate:.0f}/s offered)")
            say(cpu_line(measured))
    for rate in options.paced:
        say(f"paced: wrk offering about {rate:.0f} requests/s over {connections} connections, {seconds} s each")
        for name, load in paced:
            measured = await run(load, rate)
            say(measured.wrk.line(name))
            say(cpu_line(measured))


if __name__ == "__main__":
    if sys.argv[1:] == ["raw"]:
        serve_raw()
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicas", type=int, default=1, help="processes of each service (and of the raw handler)")
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--rounds", type=int, default=5, help="pairs of runs (raw, read) of each read; the median ratio is printed"
    )
    parser.add_argument(
        "--share",
        type=float,
        nargs="*",
        default=[0.7],
        help="then each read paced at these shares of its own median full-speed rate (0.7: the autoscaler's target)",
    )
    parser.add_argument("--paced", type=float, nargs="*", default=[], help="then each read paced at these requests/s")
    parser.add_argument("--only", help="load the raw handler and the reads whose name holds this (e.g. balance)")
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="the services' (INFO, as in production: a log line a request)",
    )
    asyncio.run(main(parser.parse_args()))
