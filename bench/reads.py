"""The portal's hottest authenticated reads against a raw one-read handler, with wrk.

    .venv/bin/python bench/reads.py [--seconds 6] [--connections 64] [--rounds 5] [--share 0.7]
                                    [--paced 500 1000] [--loop uvloop] [--only balance]

Starts a private mongod, a JWKS, and the cards and points services on one event
exchange (as ``make run`` does), makes a household through cards' API (its events reach
points over RabbitMQ), gives it Plussa money and a month of purchases, then loads with wrk
at 64 connections: points ``GET /v1/me/balance``, cards ``GET /v1/me/household``, points
``GET /v1/me/purchases`` (this month's, and last month's, in which the household bought
nothing: its first read builds the month's page), benefits ``GET /v1/me/offers``, each
right after a raw aiohttp handler that verifies the same token (the same verifier, cache
included) and does ONE ``find_one``, and compared with that run of it; ``--rounds`` such
pairs of each read, and the median of their ratios (the rates of a shared machine move
from one run to the next).
Then each read once more with wrk paced over the same connections, at each ``--share``
of its own median full-speed rate (0.7 by default: the autoscaler keeps a replica's CPU
at 70 %) and at each ``--paced`` rate: its p50 and p99 at a load the service carries,
where the full-speed runs' latency is mostly the queue of 64 requests (64 / rate).
Every service runs in this one process, one at a time under load, so the CPU time this
process and the ``mongod`` used during a run, divided by the requests answered, is each
read's CPU per request: a figure other work on the machine moves far less than the rates.
"""

import argparse
import asyncio
import importlib
import os
import random
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from plussa_benefits.app import create_app as benefits_app
from plussa_benefits.settings import BenefitsSettings
from plussa_cards.app import create_app as cards_app
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi
from plussa_points.app import create_app as points_app
from plussa_points.domain.calendar import month_of, shift_month
from plussa_points.events.consumed import PurchaseCompleted
from plussa_points.keys import POINTS
from plussa_points.settings import PointsSettings
from plussa_points.use_cases import ingest
from plussa_shared.auth import StaticKeys, TokenVerifier
from plussa_shared.heap import settle_heap
from plussa_shared.mongo import create_client
from plussa_shared.testing.bench import (
    WrkResult,
    bench_settings,
    cpu_seconds,
    jwks,
    load_average,
    mongod_pid,
    private_mongo,
    say,
    serving,
    wrk,
)
from plussa_shared.testing.tokens import TestTokens

# The benefits benchmark's catalogue and wallets: reused, not copied.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "services", "benefits", "benchmarks"))
import benefits_bench_support as benefits  # type: ignore[import-not-found]

RAW = "raw: token check + one find_one"
SHARED = ("amqp_exchange", "amqp_partner_exchange", "amqp_private_exchange_prefix", "amqp_queue_prefix")


def raw_app(mongo_url: str, database: str, tokens: TestTokens, settings: PointsSettings) -> web.Application:
    """Verify the bearer token, read one account document, answer it as JSON."""
    verifier = TokenVerifier(StaticKeys(tokens.jwks), issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    client = create_client(mongo_url, app_name="raw-read")
    accounts = client[database]["accounts"]

    async def handler(request: web.Request) -> web.Response:
        principal = await verifier.verify(request.headers["Authorization"].removeprefix("Bearer "))
        doc = await accounts.find_one({"_id": principal.household_id})
        return web.json_response({"money_cents": (doc or {}).get("money_cents", 0)})

    app = web.Application()
    app.router.add_get("/raw", handler)
    return app


async def seed_points(app: web.Application, household_id: str, card_number: str) -> None:
    """Plussa money and this month's purchases on the household's main card."""
    ctx = app[POINTS]
    now = datetime.now(UTC)
    await ctx.db["lots"].insert_one(
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
    await ctx.db["accounts"].update_one({"_id": household_id}, {"$inc": {"money_cents": 1234}}, upsert=True)
    for i in range(12):
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
        await ingest.record_purchase(ctx, PurchaseCompleted.model_validate(data))


async def until_points_knows(app: web.Application, card_number: str) -> None:
    """Wait for cards' events to have reached points."""
    cards = app[POINTS].db["cards"]
    for _ in range(600):
        if await cards.find_one({"card_number": card_number, "household_id": {"$ne": None}}):
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("points never heard of the household's card")


def last_month(settings: PointsSettings) -> str:
    """The programme month before this one: ``seed_points`` buys nothing in it."""
    return shift_month(month_of(datetime.now(UTC), ZoneInfo(settings.programme_timezone)), -1)


@dataclass(frozen=True)
class Measured:
    """A wrk run and the CPU time per request it cost this process and the ``mongod``."""

    wrk: WrkResult
    service_us: float
    mongod_us: float


async def measure(
    url: str, headers: dict[str, str], mongod: int, connections: int, seconds: int, rate: float | None = None
) -> Measured:
    """Load ``url`` with wrk (as fast as it answers, or paced at ``rate``), reading this
    process's and the ``mongod``'s CPU time around it."""
    before = cpu_seconds(os.getpid()), cpu_seconds(mongod)
    result = await asyncio.to_thread(wrk, url, headers=headers, connections=connections, seconds=seconds, rate=rate)
    after = cpu_seconds(os.getpid()), cpu_seconds(mongod)
    per_request = 1e6 / max(result.requests, 1)
    return Measured(result, (after[0] - before[0]) * per_request, (after[1] - before[1]) * per_request)


def line(name: str, measured: Measured, raw: Measured | None) -> None:
    result = measured.wrk
    ratio = f", {result.requests_per_s / raw.wrk.requests_per_s:.2f} of the raw handler" if raw else ""
    say(f"{result.line(name)}{ratio}")
    cpu = f"  CPU a request: service {measured.service_us:.0f} µs, mongod {measured.mongod_us:.0f} µs"
    if raw:
        cpu += f"; service {measured.service_us / raw.service_us:.2f} times the raw handler's"
    say(cpu)


async def main(
    seconds: int,
    connections: int,
    only: str | None = None,
    rounds: int = 1,
    paced: Sequence[float] = (),
    shares: Sequence[float] = (),
) -> None:
    """Start everything, seed one household, load each read, print the figures."""
    tokens = TestTokens()
    say(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    async with private_mongo() as mongo_url, jwks(tokens) as jwks_url:
        cards_settings = await bench_settings(CardsSettings, mongo_url, jwks_url)
        shared: dict[str, Any] = {name: getattr(cards_settings, name) for name in SHARED}
        points_settings = await bench_settings(PointsSettings, mongo_url, jwks_url, **shared)
        benefits_settings = await bench_settings(BenefitsSettings, mongo_url, jwks_url, **shared)
        seeding = create_client(mongo_url, app_name="reads-bench")
        await benefits.seed(seeding[benefits_settings.mongo_database], random.Random(5), wallets_for=[7])  # noqa: S311
        await seeding.close()
        cards, points = cards_app(cards_settings), points_app(points_settings)
        offers = benefits_app(benefits_settings)
        raw = raw_app(mongo_url, points_settings.mongo_database, tokens, points_settings)
        async with (
            serving(cards) as cards_url,
            serving(points) as points_url,
            serving(offers) as benefits_url,
            serving(raw) as raw_url,
        ):
            async with aiohttp.ClientSession(base_url=cards_url) as http:
                holder = await CardsApi(http, tokens).apply()
            await until_points_knows(points, holder.card["card_number"])
            await seed_points(points, holder.household_id, holder.card["card_number"])
            token = tokens.customer(holder.person_id, holder.household_id, "main", ttl=timedelta(hours=1))
            headers = {"Authorization": f"Bearer {token}"}
            offers_token = tokens.customer("p7", "h7", "main", ttl=timedelta(hours=1))
            raw_load = f"{raw_url}/raw"
            loads = {
                "points GET /v1/me/balance": (f"{points_url}/v1/me/balance", headers),
                "cards GET /v1/me/household": (f"{cards_url}/v1/me/household", headers),
                "points GET /v1/me/purchases": (f"{points_url}/v1/me/purchases", headers),
                # A month without a purchase of the person (as every month is on its first
                # days): its first read builds the month's page, the rest read it.
                "points GET /v1/me/purchases?month=<last month>": (
                    f"{points_url}/v1/me/purchases?month={last_month(points_settings)}",
                    headers,
                ),
                "benefits GET /v1/me/offers": (
                    f"{benefits_url}/v1/me/offers",
                    {"Authorization": f"Bearer {offers_token}"},
                ),
            }
            # The machine is shared: the load of others moves within a run, so each read is
            # measured right after its own run of the raw handler and compared with that.
            mongod = mongod_pid(mongo_url)
            settle_heap()  # as ``run_service`` does once a service has started
            results: dict[str, list[tuple[Measured, Measured]]] = {}
            for _ in range(rounds):
                for name, (url, auth) in loads.items():
                    if only and only not in name:
                        continue
                    raw_result = await measure(raw_load, headers, mongod, connections, seconds)
                    result = await measure(url, auth, mongod, connections, seconds)
                    results.setdefault(name, []).append((raw_result, result))
            say(
                f"wrk, {connections} connections, {seconds} s each, 2 threads (on the same 2 cores), "
                f"{rounds} round(s); load average {load_average()} at the end"
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
            # At full speed a closed loop's latency is the queue: 64 / rate. Paced, it is
            # what a request waits for at a load the service carries: a share of what each
            # read answered at full speed (the autoscaler keeps a replica's CPU at 70 %),
            # or the same rate for every read.
            full = {RAW: [raw.wrk.requests_per_s for pairs in results.values() for raw, _ in pairs]}
            full |= {name: [r.wrk.requests_per_s for _, r in pairs] for name, pairs in results.items()}
            loaded = [(name, load) for name, load in [(RAW, (raw_load, headers)), *loads.items()] if name in full]
            for share in shares:
                say(f"paced: wrk offering {share:.0%} of each one's median full-speed rate, {connections} connections")
                for name, (url, auth) in loaded:
                    rate = share * statistics.median(full[name])
                    measured = await measure(url, auth, mongod, connections, seconds, rate=rate)
                    say(f"{measured.wrk.line(name)} ({rate:.0f}/s offered)")
            for rate in paced:
                say(f"paced: wrk offering about {rate:.0f} requests/s over {connections} connections, {seconds} s each")
                for name, (url, auth) in loaded:
                    say((await measure(url, auth, mongod, connections, seconds, rate=rate)).wrk.line(name))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="pairs of runs (raw, read) of each read; the median ratio is printed",
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
        "--loop", choices=["asyncio", "uvloop"], default="asyncio", help="event loop (uvloop must be installed)"
    )
    args = parser.parse_args()
    run = main(args.seconds, args.connections, args.only, args.rounds, args.paced, args.share)
    if args.loop == "uvloop":  # measured as a lever; not a dependency of the services
        importlib.import_module("uvloop").run(run)
    else:
        asyncio.run(run)
