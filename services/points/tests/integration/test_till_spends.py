"""Spending Plussa money at a till on the real MongoDB: oldest first, rights, races, cancellation, expiry."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from plussa_points.context import PointsContext
from plussa_points.use_cases import till
from plussa_points.use_cases.expiry import expire_lots

Start = Callable[..., Awaitable[Any]]
NOW = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
MAIN, PARALLEL, TEMP = "1111222233334444", "5555666677778888", "9999000011112222"


async def scene(points: Start, *, parallel_access: bool = False) -> Any:
    h = await points()
    await h.household("h1", "p1", MAIN)
    await h.member("h1", "p2", "parallel", can_use_money=parallel_access)
    await h.card(PARALLEL, "h1", "p2", kind="parallel")
    await h.card(TEMP, "h1", "p1", kind="temporary")
    await h.lot("h1", "lot-new", 1000, NOW - timedelta(days=10), NOW + timedelta(days=380))
    await h.lot("h1", "lot-old", 400, NOW - timedelta(days=40), NOW + timedelta(days=350))
    return h


def spend_body(tx: str, amount: int, card: str = MAIN) -> dict[str, Any]:
    return {"till_transaction_id": tx, "card_number": card, "amount_cents": amount}


async def test_a_till_spends_the_oldest_lot_first_and_a_repeat_of_the_same_transaction_changes_nothing(
    points: Start,
) -> None:
    h = await scene(points)
    creds = h.service("points:spend")

    first = await h.client.post("/v1/till/spends", json=spend_body("t1", 600), headers=creds)
    repeat = await h.client.post("/v1/till/spends", json=spend_body("t1", 600), headers=creds)
    reused = await h.client.post("/v1/till/spends", json=spend_body("t1", 700), headers=creds)

    assert first.status == 201
    assert first.headers["Location"] == "/v1/till/spends/t1"
    assert await first.json() == {
        "till_transaction_id": "t1",
        "spent_cents": 600,
        "remaining_cents": 800,
        "state": "spent",
    }
    assert await repeat.json() == await first.json()
    assert reused.status == 409
    assert await h.remaining("h1") == {"lot-old": 0, "lot-new": 800}
    assert await h.db.ledger.count_documents({"reason": "spend"}) == 1


async def test_a_till_never_takes_more_than_the_balance(points: Start) -> None:
    h = await scene(points)

    response = await h.client.post("/v1/till/spends", json=spend_body("t1", 5000), headers=h.service("points:spend"))

    assert await response.json() == {
        "till_transaction_id": "t1",
        "spent_cents": 1400,
        "remaining_cents": 0,
        "state": "spent",
    }


async def test_a_temporary_card_a_blocked_card_and_a_parallel_holder_without_access_cannot_spend(points: Start) -> None:
    h = await scene(points)
    creds = h.service("points:spend")

    temporary = await h.client.post("/v1/till/spends", json=spend_body("t1", 100, TEMP), headers=creds)
    parallel = await h.client.post("/v1/till/spends", json=spend_body("t2", 100, PARALLEL), headers=creds)
    await h.card(MAIN, "h1", "p1", state="blocked", version=2, can_earn=False, can_spend=False)
    blocked = await h.client.post("/v1/till/spends", json=spend_body("t3", 100, MAIN), headers=creds)
    customer = await h.client.post("/v1/till/spends", json=spend_body("t4", 100), headers=h.customer("p1", "h1"))
    negative = await h.client.post("/v1/till/spends", json=spend_body("t5", -100, PARALLEL), headers=creds)

    assert temporary.status == 403
    assert (await temporary.json())["type"].endswith("/card-cannot-spend")
    assert parallel.status == 403
    assert (await parallel.json())["type"].endswith("/no-money-access")
    assert blocked.status == 403
    assert customer.status == 403
    assert negative.status == 422
    assert await h.remaining("h1") == {"lot-old": 400, "lot-new": 1000}


async def test_a_parallel_holder_with_access_spends_the_household_money(points: Start) -> None:
    h = await scene(points, parallel_access=True)

    response = await h.client.post(
        "/v1/till/spends", json=spend_body("t1", 500, PARALLEL), headers=h.service("points:spend")
    )

    assert (await response.json())["spent_cents"] == 500
    spend = await h.db.spends.find_one({"_id": "t1"})
    assert spend is not None
    assert spend["person_id"] == "p2"


async def test_two_tills_spending_the_last_euro_at_once_spend_it_once(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", MAIN)
    await h.member("h1", "p2", "parallel", can_use_money=True)
    await h.card(PARALLEL, "h1", "p2", kind="parallel")
    await h.lot("h1", "last", 100, NOW - timedelta(days=1), NOW + timedelta(days=300))
    # A second context shares the database but not the in-process lock: like another replica.
    other = PointsContext(settings=h.settings, client=h.pts.client, db=h.pts.db, outbox=h.pts.outbox, clock=h.clock)

    results = await asyncio.gather(till.spend(h.pts, "a", MAIN, 100), till.spend(other, "b", PARALLEL, 100))

    assert sorted(r.spent_cents for r in results) == [0, 100]
    assert await h.remaining("h1") == {"last": 0}


async def test_many_members_paying_at_the_same_moment_never_overspend(points: Start) -> None:
    h = await scene(points, parallel_access=True)
    creds = h.service("points:spend")
    other = PointsContext(settings=h.settings, client=h.pts.client, db=h.pts.db, outbox=h.pts.outbox, clock=h.clock)
    requests = [
        h.client.post("/v1/till/spends", json=spend_body(f"t{i}", 130, MAIN if i % 2 else PARALLEL), headers=creds)
        for i in range(24)
    ]
    direct = [till.spend(other, f"d{i}", MAIN, 70) for i in range(6)]

    answers = await asyncio.gather(*requests)
    results = await asyncio.gather(*direct)

    spent = sum([(await a.json())["spent_cents"] for a in answers]) + sum(r.spent_cents for r in results)
    assert all(a.status == 201 for a in answers)
    assert spent == 1400
    assert await h.remaining("h1") == {"lot-old": 0, "lot-new": 0}
    cursor = await h.db.ledger.aggregate([{"$group": {"_id": None, "cents": {"$sum": "$cents"}}}])
    ledger = await cursor.to_list()
    assert ledger[0]["cents"] == -1400


async def test_a_cancelled_spend_gives_the_money_back_to_its_lots_once(points: Start) -> None:
    h = await scene(points)
    creds = h.service("points:spend")
    await h.client.post("/v1/till/spends", json=spend_body("t1", 600), headers=creds)

    cancelled = await h.client.post("/v1/till/spends/t1/cancel", headers=creds)
    again = await h.client.post("/v1/till/spends/t1/cancel", headers=creds)
    unknown = await h.client.post("/v1/till/spends/nope/cancel", headers=creds)

    assert await cancelled.json() == {
        "till_transaction_id": "t1",
        "spent_cents": 600,
        "remaining_cents": 1400,
        "state": "cancelled",
    }
    assert (await again.json())["state"] == "cancelled"
    assert unknown.status == 404
    assert await h.remaining("h1") == {"lot-old": 400, "lot-new": 1000}


async def test_a_lot_expiring_the_same_second_it_is_spent_is_either_spent_or_expired_never_both(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", MAIN)
    expires = NOW + timedelta(seconds=1)
    await h.lot("h1", "ending", 900, NOW - timedelta(days=395), expires)
    h.clock.now = expires - timedelta(microseconds=1)
    expiry = PointsContext(settings=h.settings, client=h.pts.client, db=h.pts.db, outbox=h.pts.outbox, clock=h.clock)

    spent, expired = await asyncio.gather(till.spend(h.pts, "t1", MAIN, 900), expire_lots(expiry, expires))

    assert spent.spent_cents + expired.expired_cents == 900
    assert await h.remaining("h1") == {"ending": 0}
    h.clock.now = expires
    at_expiry = await till.spend(h.pts, "t2", MAIN, 100)
    assert at_expiry.spent_cents == 0


async def test_one_till_transaction_sent_to_two_replicas_at_once_spends_once(points: Start) -> None:
    h = await scene(points)
    other = PointsContext(settings=h.settings, client=h.pts.client, db=h.pts.db, outbox=h.pts.outbox, clock=h.clock)

    first, second = await asyncio.gather(till.spend(h.pts, "same", MAIN, 500), till.spend(other, "same", MAIN, 500))

    assert first == second
    assert first.spent_cents == 500
    assert sum((await h.remaining("h1")).values()) == 900
