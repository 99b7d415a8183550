"""200 concurrent till spends on one household over HTTP: never overspent, requests per second.

    .venv/bin/python services/points/benchmarks/points_spend_bench.py [requests]

The household has a main holder and nine parallel holders with money access, each
with a card; the requests come from all ten cards at once. Round 1 asks for more
than the balance (it must stop at exactly the balance); round 2 has money for all.
"""

import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta

import aiohttp
from points_bench_support import (  # type: ignore[import-not-found]  # the sibling script, run from here
    bench_settings,
    card_doc,
    jwks,
    percentile,
    private_mongo,
    remove_bench_resources,
    running_service,
    say,
)

from plussa_points.settings import PointsSettings
from plussa_shared.mongo import Database, create_client
from plussa_shared.testing.tokens import TestTokens

MEMBERS = 10


def card_number(household: str, i: int) -> str:
    return f"{7000_0000_0000_0000 + (1000 if household == 'h2' else 0) + i:016d}"


async def seed(db: Database, household: str, lots: int, lot_cents: int) -> None:
    now = datetime.now(UTC)
    await db["members"].insert_many(
        [
            {
                "_id": f"{household}:{household}p{i}",
                "household_id": household,
                "person_id": f"{household}p{i}",
                "role": "main" if i == 0 else "parallel",
                "can_use_money": True,
                "active": True,
            }
            for i in range(MEMBERS)
        ]
    )
    await db["cards"].insert_many(
        [
            card_doc(
                f"{household}-c{i}",
                card_number(household, i),
                household,
                f"{household}p{i}",
                "main" if i == 0 else "parallel",
            )
            for i in range(MEMBERS)
        ]
    )
    await db["lots"].insert_many(
        [
            {
                "_id": f"{household}-lot{i}",
                "household_id": household,
                "month": "2026-01",
                "cents": lot_cents,
                "remaining_cents": lot_cents,
                "paid_at": now - timedelta(days=60 - i),
                "expires_at": now + timedelta(days=300 + i),
                "saved_until": None,
            }
            for i in range(lots)
        ]
    )
    await db["accounts"].insert_one(
        {"_id": household, "kind": "household", "points": 0, "money_cents": lots * lot_cents}
    )


async def spend_round(
    base: str, bearer: dict[str, str], household: str, count: int, cents: int
) -> tuple[float, list[float], int, list[int]]:
    latencies: list[float] = []
    async with aiohttp.ClientSession(headers=bearer, connector=aiohttp.TCPConnector(limit=count)) as session:

        async def one(i: int) -> tuple[int, int]:
            body = {
                "till_transaction_id": f"{household}-t{i}",
                "card_number": card_number(household, i % MEMBERS),
                "amount_cents": cents,
            }
            started = time.perf_counter()
            async with session.post(f"{base}/v1/till/spends", json=body) as response:
                payload = await response.json()
            latencies.append((time.perf_counter() - started) * 1000)
            return response.status, int(payload.get("spent_cents", 0))

        started = time.perf_counter()
        results = await asyncio.gather(*(one(i) for i in range(count)))
        wall = time.perf_counter() - started
    statuses = sorted({status for status, _ in results})
    return wall, latencies, sum(spent for _, spent in results), statuses


async def check(db: Database, household: str) -> tuple[int, int, int]:
    lots = await db["lots"].find({"household_id": household}).to_list()
    cursor = await db["ledger"].aggregate(
        [{"$match": {"household_id": household}}, {"$group": {"_id": None, "c": {"$sum": "$cents"}}}]
    )
    ledger = await cursor.to_list()
    return (
        sum(lot["remaining_cents"] for lot in lots),
        min(lot["remaining_cents"] for lot in lots),
        ledger[0]["c"] if ledger else 0,
    )


async def main(count: int) -> None:
    tokens = TestTokens()
    async with private_mongo() as mongo_url, jwks(tokens) as jwks_url:
        settings: PointsSettings = await bench_settings(mongo_url, jwks_url)
        client = create_client(mongo_url, app_name="spend-bench")
        db = client[settings.mongo_database]
        await seed(db, "h1", lots=10, lot_cents=1_000)
        await seed(db, "h2", lots=10, lot_cents=100_000)
        bearer = tokens.bearer(tokens.service("till", "points:spend", ttl=timedelta(hours=1)))
        async with running_service(settings) as (_app, base):
            say(
                f"till spends: {count} concurrent requests on one household, {MEMBERS} cards, "
                "one service process, 2-core machine"
            )
            wall, latencies, spent, statuses = await spend_round(base, bearer, "h1", count, 73)
            left, lowest, ledger = await check(db, "h1")
            say(
                f"round 1 (asks {count * 73} cents of a 10000 cent balance): spent {spent} cents, left {left}, "
                f"lowest lot {lowest}, "
                f"ledger {ledger}; statuses {statuses}; {count / wall:.0f} requests/s, "
                f"latency p50 {percentile(latencies, 50):.0f} ms, p99 {percentile(latencies, 99):.0f} ms"
            )
            due = min(count * 73, 10_000)  # what the till can get: all it asks, at most the balance
            say(
                "never overspent: "
                + ("yes" if spent == due and left == 10_000 - due and lowest >= 0 and ledger == -due else "NO")
            )
            wall, latencies, spent, statuses = await spend_round(base, bearer, "h2", count, 73)
            left, lowest, ledger = await check(db, "h2")
            say(
                f"round 2 (money for all): spent {spent} cents, left {left}, ledger {ledger}; statuses {statuses}; "
                f"{count / wall:.0f} requests/s, "
                f"latency p50 {percentile(latencies, 50):.0f} ms, p99 {percentile(latencies, 99):.0f} ms"
            )
        await client.close()
        await remove_bench_resources(settings)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
