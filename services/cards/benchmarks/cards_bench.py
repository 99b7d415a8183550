"""Throughput and latency of the cards service on the real stack: a private mongod, the
local RabbitMQ, the service over HTTP. Prints figures; asserts nothing.

    .venv/bin/python services/cards/benchmarks/cards_bench.py [--members 400] [--concurrency 20]
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from plussa_cards.app import create_app
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi, unique_person
from plussa_shared.logging import configure_logging
from plussa_shared.testing.embedded_mongo import EmbeddedMongo
from plussa_shared.testing.isolation import isolated_values, remove_isolated
from plussa_shared.testing.tokens import JwksServer, TestTokens

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


def say(line: str) -> None:
    """Print one line of figures."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def timed(label: str, count: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> None:
    """Run ``one(i)`` for ``count`` items, ``concurrency`` at a time; print rate and latencies."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def run(i: int) -> None:
        async with gate:
            started = time.perf_counter()
            await one(i)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(run(i) for i in range(count)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    say(
        f"{label:<34} {count:>6} in {elapsed:6.2f} s = {count / elapsed:8.1f}/s"
        f"   p50 {cuts[49] * 1000:6.1f} ms   p95 {cuts[94] * 1000:6.1f} ms   (concurrency {concurrency})"
    )


async def bench(members: int, concurrency: int) -> None:
    tokens = TestTokens()
    jwks = JwksServer(tokens.jwks)
    jwks.start()
    with tempfile.TemporaryDirectory(prefix="cards-bench-") as tmp:
        mongo = EmbeddedMongo(Path(tmp))
        mongo_url = await asyncio.to_thread(mongo.start)
        values: dict[str, Any] = {
            **isolated_values(
                "cards",
                run_id=uuid.uuid4().hex[:8],
                label="bench",
                mongo_url=mongo_url,
                amqp_url=AMQP_URL,
                jwks_url=jwks.url,
            ),
            "log_level": "WARNING",
        }
        settings = CardsSettings.model_validate(values)
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        try:
            api = CardsApi(client, tokens)
            say(f"cards benchmark: {members} members, mongod {mongo_url}")
            holders: list[Any] = [None] * members

            async def apply(i: int) -> None:
                holders[i] = await api.apply()

            async def add_parallel(i: int) -> None:
                await api.add_parallel(holders[i])

            async def look_up(i: int) -> None:
                await api.look_up(holders[i % members].card["card_number"])

            async def household(i: int) -> None:
                resp = await client.get("/v1/me/household", headers=holders[i % members].headers)
                assert resp.status == 200
                await resp.read()

            statuses: list[int] = []

            async def race_for_one_household(i: int) -> None:
                resp = await client.post(
                    "/v1/me/household/parallel-holders", json=unique_person(), headers=holders[0].headers
                )
                await resp.read()
                statuses.append(resp.status)

            await timed("applications", members, concurrency, apply)
            await timed("parallel card orders", members, concurrency, add_parallel)
            await timed("till look-ups", members * 5, concurrency, look_up)
            await timed("household views", members * 2, concurrency, household)
            await timed("orders racing on one household", 40, concurrency, race_for_one_household)
            view = await (await client.get("/v1/me/household", headers=holders[0].headers)).json()
            say(
                f"  of 40 racing orders {statuses.count(201)} won, {statuses.count(409)} refused; "
                f"the household has {len(view['members']) - 1} parallel holders (limit {settings.max_parallel_holders})"
            )
        finally:
            await client.close()
            await remove_isolated(mongo_url, AMQP_URL, [settings])
            await asyncio.to_thread(mongo.stop)
            jwks.stop()


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    configure_logging("console", "WARNING")
    asyncio.run(bench(args.members, args.concurrency))


if __name__ == "__main__":
    main()
