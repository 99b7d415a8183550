"""Month end for many households: wall time, extrapolation to 2.2 million, peak memory.

    .venv/bin/python services/points/benchmarks/points_month_end_bench.py [households]

Seeds (bulk inserts) each household's account and its month's projection as a
month of purchases leaves them (base and MasterCard points, grocery spend, campaign
points, a few returns, two members), with charity set up for 10 % and saving on for
5 % of households, then runs the real month end (batched transactions, bounded
concurrency) and prints the figures.
"""

import asyncio
import random
import resource
import sys
import time
from datetime import UTC, datetime

from points_bench_support import bench_settings, jwks, private_mongo, say  # type: ignore[import-not-found]  # the sibling script

from plussa_points.context import PointsContext
from plussa_points.store import INDEXES
from plussa_points.use_cases.month_end import close_all
from plussa_shared.mongo import create_client, ensure_collections, ensure_indexes
from plussa_shared.outbox import OUTBOX, OUTBOX_INDEXES, Outbox
from plussa_shared.testing.tokens import TestTokens

MONTH = "2026-03"
CHUNK = 10_000


def household_docs(i: int, rng: random.Random) -> tuple[dict[str, object], dict[str, object]]:
    hid = f"h{i:08d}"
    grocery = rng.randrange(0, 120_000)
    other = rng.randrange(0, 40_000)
    base = (grocery + other) // 100
    mastercard = base if rng.random() < 0.1 else 0
    reversed_ = rng.randrange(0, 30) if rng.random() < 0.05 else 0
    campaign = rng.choice([0, 0, 0, 100, 200, 300])
    account: dict[str, object] = {
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
    return account, month


async def main(households: int) -> None:
    rng = random.Random(11)  # noqa: S311 - synthetic households, not secrets
    async with private_mongo(cache_gb=2.0) as mongo_url, jwks(TestTokens()) as jwks_url:
        settings = bench_settings(mongo_url, jwks_url, month_end_batch_size=500, month_end_concurrency=4)
        client = create_client(mongo_url, app_name="month-end-bench")
        db = client[settings.mongo_database]
        indexes = {**OUTBOX_INDEXES, **INDEXES}
        await ensure_collections(db, [OUTBOX, *indexes])
        await ensure_indexes(db, indexes)
        seed_started = time.perf_counter()
        for start in range(0, households, CHUNK):
            pairs = [household_docs(i, rng) for i in range(start, min(start + CHUNK, households))]
            await db["accounts"].insert_many([a for a, _ in pairs], ordered=False)
            await db["household_months"].insert_many([m for _, m in pairs], ordered=False)
        say(
            f"month end, {households} households seeded in {time.perf_counter() - seed_started:.1f} s "
            f"(batch {settings.month_end_batch_size}, concurrency {settings.month_end_concurrency}, 2-core machine)"
        )
        pts = PointsContext(
            settings=settings,
            client=client,
            db=db,
            outbox=Outbox(db),
            clock=lambda: datetime(2026, 4, 1, 3, tzinfo=UTC),
        )
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        report = await close_all(pts, MONTH)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        statements = await db["statements"].count_documents({})
        events = await db[OUTBOX].estimated_document_count()
        rerun_started = time.perf_counter()
        rerun = await close_all(pts, MONTH)
        rerun_wall = time.perf_counter() - rerun_started
        await client.close()
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    say(
        f"closed {report.households_closed} households ({statements} statements, {events} events in the outbox) "
        f"in {wall:.1f} s = {report.households_closed / wall:.0f} households/s; this process's CPU {cpu:.1f} s"
    )
    say(f"paid {report.payout_cents} cents, donated {report.donated_cents} cents")
    say(f"extrapolated to 2,200,000 households: {2_200_000 / (report.households_closed / wall) / 60:.1f} min")
    say(f"peak memory of the process (ru_maxrss): {after.ru_maxrss / 1024:.0f} MiB")
    say(f"rerun closed {rerun.households_closed} households in {rerun_wall:.1f} s (nothing left to pay)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
