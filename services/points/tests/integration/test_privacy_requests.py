"""Identity's privacy requests answered over the bus: export and erasure of a person's points data."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from plussa_shared.testing.bus import bus_probe
from plussa_shared.testing.privacy import LATE_VERSIONS, documents_naming, late_version

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


async def naming(h: Any, event_id: str, *ids: str) -> list[str]:
    """Once the event ``event_id`` is handled (its id in the inbox, in the handler's own
    transaction: absorbed, not dead-lettered), the documents still naming any of ``ids``."""
    await h.until(lambda: h.db.inbox.find_one({"_id": event_id}))
    return await documents_naming(h.db, ids)


@LATE_VERSIONS
async def test_an_older_card_event_arriving_after_the_erasure_brings_back_no_copy_of_the_persons_card(
    points: Start, names_holder: bool
) -> None:
    h = await points()
    person, household, number = f"p-{uuid.uuid4().hex}", f"h-{uuid.uuid4().hex}", "6046000000000034"
    await h.household(household, person, number)
    held = await h.db.cards.find_one({"card_number": number})
    assert held is not None
    card = {**{k: v for k, v in held.items() if k != "_id"}, "card_id": held["_id"]}
    erasure = {"request_id": "rq-3", "person_id": person, "household_id": household, "household_alone": True}
    async with bus_probe(*h.amqp, "points.erasure.completed") as probe:
        await h.publish("fi.plussa.identity.erasure.requested", erasure)
        await probe.wait_for("fi.plussa.points.erasure.completed")

    # The card's version before the erasure, delivered again late.
    late = late_version(card, names_holder)
    event_id = await h.publish("fi.plussa.cards.card.issued", {"card": late}, subject=f"card/{card['card_id']}")
    other = {"card_id": "card-other", "card_number": "6046000000000042", "person_id": "p-other", "household_id": "h-o"}
    await h.publish("fi.plussa.cards.card.issued", {"card": card | other})

    assert await naming(h, event_id, person, household, number, f"card-{number}") == []
    assert await h.pts.store.members.card_by_number(number) is None
    assert await h.until(lambda: h.pts.store.members.card_by_number("6046000000000042"))


@LATE_VERSIONS
async def test_an_older_card_event_after_the_card_was_closed_for_the_erasure_does_not_bring_the_card_back(
    points: Start, names_holder: bool
) -> None:
    h = await points()
    await h.household("h-4", "p-4", "6046000000000059")
    await h.card("6046000000000059", "h-4", "p-4", state="closed", version=2)
    closed = await h.db.cards.find_one({"card_number": "6046000000000059"})
    assert closed is not None
    card = {**{k: v for k, v in closed.items() if k != "_id"}, "card_id": closed["_id"]}
    await h.publish("fi.plussa.cards.card.closed", {"card": card, "reason": "erased"})

    async def forgotten() -> bool:
        return await h.db.cards.count_documents({"card_number": "6046000000000059"}) == 0

    await h.until(forgotten)
    unclosed = late_version(card, names_holder, state="active", version=1)
    late = await h.publish("fi.plussa.cards.card.issued", {"card": unclosed})
    await h.until(lambda: h.db.inbox.find_one({"_id": late}))

    assert await forgotten()
