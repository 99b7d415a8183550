"""Month end split over workers (``--partition I/N``) on the real MongoDB: three worker
processes at once, one killed midway and run again, pay every household exactly once
and the same as one worker alone.

Where the kill lands is fixed, not left to the machine's speed: an unfinished
transaction of the test's holds one household of the killed worker's share, so that
worker closes the households before it, then waits on that one (its transaction
conflicts and is retried) until it is killed there. A transaction the killed process
left open on the server is ended at once, as the server would end it once it outlived
its lifetime limit (60 s here): until then it would hold its locks, and the rerun and
the test's clean-up would wait on them."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from plussa_points.commands.month_end import main
from plussa_points.domain.partition import Partition
from plussa_points.use_cases.month_end import close_all
from plussa_shared.mongo import Database

Start = Callable[..., Awaitable[Any]]
MONTH = "2026-03"
HOUSEHOLDS = 60
COMMAND_APP_NAME = "points-command"
"""The name the command processes' database connections go by."""
CLOSED_BEFORE_KILL = 3
"""The killed worker closes this many households of its share, then is killed on the next."""


async def seed(db: Database, count: int) -> None:
    """Households with an open March, as a month of purchases leaves them (bulk inserts)."""
    accounts, months = [], []
    for i in range(count):
        hid = f"hh-{i:05d}"
        grocery = 1_000 + (i * 731) % 90_000
        accounts.append({"_id": hid, "kind": "household", "points": grocery // 100, "last_closed_month": "2026-02"})
        months.append(
            {
                "_id": f"{hid}:{MONTH}",
                "household_id": hid,
                "month": MONTH,
                "closed": False,
                "base_points": grocery // 100,
                "grocery_cents": grocery,
                "purchase_cents": grocery,
            }
        )
    await db.accounts.insert_many(accounts)
    await db.household_months.insert_many(months)


def worker(h: Any, partition: str) -> subprocess.Popen[str]:
    """One month-end process of the Indexed Job, closing one transaction per household."""
    env = {
        **os.environ,
        "PLUSSA_POINTS_MONGO_URL": str(h.settings.mongo_url),
        "PLUSSA_POINTS_MONGO_DATABASE": h.settings.mongo_database,
        "PLUSSA_POINTS_MONTH_END_BATCH_SIZE": "1",
        "PLUSSA_POINTS_MONTH_END_CONCURRENCY": "1",
        "PLUSSA_POINTS_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "plussa_points.commands.month_end", "--month", MONTH, "--partition", partition]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603


async def end_sessions_of_commands(db: Database) -> None:
    """End the sessions (and any transaction open in them) that month-end processes left
    on the server, once it has dropped their connections (so no command of theirs is
    still on its way). Call it when none of them runs any more."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        left = await db.client.admin.aggregate(
            [
                {"$currentOp": {"idleConnections": True, "idleSessions": True}},
                {"$match": {"appName": COMMAND_APP_NAME}},
            ]
        )
        found = await left.to_list()
        sessions = [op["lsid"] for op in found if "lsid" in op]
        if sessions:
            await db.client.admin.command("killSessions", sessions)
        if not found:
            return
        assert asyncio.get_running_loop().time() < deadline, f"month-end connections stay: {found}"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def held(db: Database, household_id: str) -> AsyncIterator[None]:
    """While the block runs, an unfinished transaction has written the household's account,
    so a month end closing it conflicts and retries; the transaction is then aborted,
    leaving nothing behind."""
    async with db.client.start_session() as session:
        await session.start_transaction()
        written = await db.accounts.update_one({"_id": household_id}, {"$set": {"held": True}}, session=session)
        assert written.modified_count == 1
        try:
            yield
        finally:
            await session.abort_transaction()


async def finished(process: subprocess.Popen[str]) -> str:
    out, err = await asyncio.to_thread(process.communicate, timeout=120)
    assert process.returncode == 0, err
    return out


async def paid(db: Database) -> dict[str, tuple[int, int, int]]:
    """Each statement's payout, carried points and lot, by statement id."""
    lots = {d["_id"].removeprefix("lot:"): d["cents"] for d in await db.lots.find({}).to_list()}
    return {
        d["_id"]: (d["payout_cents"], d["carried_out"], lots.get(d["_id"], 0))
        for d in await db.statements.find({}).to_list()
    }


async def test_three_workers_at_once_one_killed_midway_and_run_again_pay_every_household_once_as_one_worker_would(
    points: Start,
) -> None:
    split = await points()
    alone = await points(mongo_database=f"{split.settings.mongo_database}_alone")
    await seed(split.db, HOUSEHOLDS)
    await seed(alone.db, HOUSEHOLDS)
    share = [hid for i in range(HOUSEHOLDS) if Partition(1, 3).holds(hid := f"hh-{i:05d}")]
    alone.clock.now = split.clock.now = split.clock.now.replace(month=4, day=2)

    async def killed_worker_closed() -> int:
        return await split.db.statements.count_documents({"household_id": {"$in": share}})

    async def killed_worker_reached_the_held_household() -> bool:
        return await killed_worker_closed() >= CLOSED_BEFORE_KILL

    async with held(split.db, share[CLOSED_BEFORE_KILL]):
        workers = [worker(split, f"{i}/3") for i in range(3)]
        await split.until(killed_worker_reached_the_held_household, 60)
        workers[1].send_signal(signal.SIGKILL)
        await asyncio.to_thread(workers[1].wait, 60)
    killed_after = await killed_worker_closed()
    await finished(workers[0])
    await finished(workers[2])
    await end_sessions_of_commands(split.db)
    rerun = await finished(worker(split, "1/3"))
    again = await close_all(split.pts, MONTH)
    await close_all(alone.pts, MONTH)

    assert workers[1].returncode == -signal.SIGKILL
    assert killed_after == CLOSED_BEFORE_KILL < len(share)
    assert f'"households_closed": {len(share) - killed_after}' in rerun
    assert again.households_closed == 0
    assert await split.db.statements.count_documents({}) == HOUSEHOLDS
    assert await split.db.lots.count_documents({}) == HOUSEHOLDS
    assert await split.db.ledger.count_documents({"reason": "payout"}) == HOUSEHOLDS
    assert await paid(split.db) == await paid(alone.db)
    total = {"$group": {"_id": None, "cents": {"$sum": "$money_cents"}, "points": {"$sum": "$points"}}}
    split_money = await (await split.db.accounts.aggregate([total])).to_list()
    alone_money = await (await alone.db.accounts.aggregate([total])).to_list()
    assert split_money == alone_money
    assert split_money[0]["cents"] > 0


def test_the_month_end_command_refuses_a_partition_outside_its_count(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--partition", "3/3"])

    assert code == 2
    assert "--partition must be I/N" in capsys.readouterr().err
