"""Identity's privacy requests answered over the bus: export and erasure of a person's points data."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from plussa_shared.testing.bus import bus_probe

Start = Callable[..., Awaitable[Any]]
MAIN = "1111222233334444"


async def scene(points: Start) -> Any:
    h = await points()
    await h.household("h1", "p1", MAIN)
    creds = h.service("points:ingest")
    await h.client.post(
        "/v1/purchases", json=h.purchase_data(MAIN, [("grocery", 2500)], purchase_id="b1"), headers=creds
    )
    await asyncio.sleep(0.3)
    return h


async def test_an_export_request_is_answered_with_the_persons_purchases_and_points(points: Start) -> None:
    h = await scene(points)
    request = {"request_id": "rq-1", "person_id": "p1", "household_id": "h1", "occurred_at": "2026-03-20T10:00:00Z"}

    async with bus_probe(h.amqp[0], [h.settings.private_exchange("identity")], "points.export.completed") as probe:
        await h.publish("fi.plussa.identity.export.requested", request)
        [event] = await probe.wait_for("fi.plussa.points.export.completed")

    data = event["data"]
    assert (data["request_id"], data["person_id"], data["service"]) == ("rq-1", "p1", "points")
    assert [p["_id"] for p in data["data"]["purchases"]] == ["b1"]
    assert data["data"]["purchases"][0]["lines"][0]["points"] == 25
    assert data["data"]["monthly_totals"] == [{"month": "2026-03", "points": 25, "spend_cents": 2500}]


async def test_an_erasure_request_anonymises_the_person_and_keeps_the_households_amounts(points: Start) -> None:
    h = await scene(points)
    request = {"request_id": "rq-2", "person_id": "p1", "household_id": "h1", "occurred_at": "2026-03-20T10:00:00Z"}

    async with bus_probe(*h.amqp, "points.erasure.completed") as probe:
        await h.publish("fi.plussa.identity.erasure.requested", request)
        [event] = await probe.wait_for("fi.plussa.points.erasure.completed")

    purchase = await h.db.purchases.find_one({"_id": "b1"})
    month = await h.db.household_months.find_one({"_id": "h1:2026-03"})
    assert event["data"]["person_id"] == "p1"
    assert purchase is not None
    assert (purchase["person_id"], purchase["lines"][0]["name"], purchase["total_cents"]) == (None, "", 2500)
    assert await h.db.ledger.count_documents({"person_id": "p1"}) == 0
    assert month is not None
    assert month["base_points"] == 25
    assert "p1" not in month.get("persons", {})
    assert await h.pts.store.members.member("h1", "p1") is None
