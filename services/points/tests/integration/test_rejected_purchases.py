"""Purchases that cannot be credited are kept with why, customer service sees them, and
once the cause is fixed they are credited exactly once, whichever way they come back
(real MongoDB and RabbitMQ)."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from plussa_shared.dead_letters import dead_letter_queue
from plussa_shared.testing.contract import Contract

Start = Callable[..., Awaitable[Any]]
PURCHASE = "fi.plussa.stores.purchase.completed"
LATE = "9999888877776666"


async def dead_letter_ids(h: Any, expected: int) -> list[str]:
    async def letters() -> list[Any]:
        async with dead_letter_queue(h.settings) as queue:
            found = await queue.letters()
        return found if len(found) >= expected else []

    return [letter.event_id for letter in await h.until(letters)]


async def test_an_unknown_card_purchase_is_dead_lettered_shown_to_customer_service_and_credited_once_when_reapplied(
    points: Start,
) -> None:
    h = await points()
    await asyncio.sleep(0.3)  # the consumer binds its queue just after start-up
    ops = h.service("ops")
    contract = Contract.of(h.client.app)
    purchase = h.purchase_data(LATE, [("grocery", 2550), ("alcohol", 900)], purchase_id="late-1")

    await h.publish(PURCHASE, purchase, subject="purchase/late-1")
    [event_id] = await dead_letter_ids(h, 1)
    seen = await h.client.get(f"/v1/ops/rejected-purchases?card_number={LATE}", headers=ops)
    by_id = await h.client.get("/v1/ops/rejected-purchases?purchase_id=late-1", headers=ops)
    too_early = await h.client.post("/v1/ops/rejected-purchases/late-1/reapply", headers=ops)

    await h.household("h9", "p9", LATE)  # the card becomes known
    reapplied = await h.client.post("/v1/ops/rejected-purchases/late-1/reapply", headers=ops)
    again = await h.client.post("/v1/ops/rejected-purchases/late-1/reapply", headers=ops)
    async with dead_letter_queue(h.settings) as queue:
        replayed = await queue.replay(lambda letter: letter.event_id == event_id)
    await h.until(lambda: _inbox_has(h, event_id))
    after = await (await h.client.get("/v1/ops/rejected-purchases?purchase_id=late-1", headers=ops)).json()

    listed = await contract.check_response(seen)
    assert [(r["purchase_id"], r["reason"], r["state"]) for r in listed["items"]] == [
        ("late-1", "unknown-card", "rejected")
    ]
    assert listed["items"][0]["attempts"] == 3  # the first delivery and two retries
    assert listed["items"][0]["total"] == {"amount": 3450, "currency": "EUR"}
    assert (await by_id.json())["items"][0]["card_number"] == LATE
    assert too_early.status == 422
    assert (await too_early.json())["type"].endswith("/unknown-card")
    assert await contract.check_response(reapplied) == {
        "reference": "late-1",
        "month": "2026-03",
        "points": 25,
        "duplicate": False,
    }
    assert (await again.json())["duplicate"] is True
    assert len(replayed) == 1
    assert after["items"][0]["state"] == "credited"
    assert (await h.account("h9") or {})["points"] == 25
    assert await h.db.ledger.count_documents({"reference": "late-1"}) == 1


async def test_a_blocked_card_and_impossible_content_are_kept_with_their_reason_and_only_operators_see_them(
    points: Start,
) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    await h.card("5555666677778888", "h1", "p1", kind="parallel", state="blocked", can_earn=False)
    ingest = h.service("points:ingest")

    blocked = await h.client.post(
        "/v1/purchases", json=h.purchase_data("5555666677778888", [("grocery", 500)], purchase_id="b-1"), headers=ingest
    )
    wrong_total = {**h.purchase_data("1111222233334444", [("grocery", 500)], purchase_id="b-2"), "total_cents": 1}
    impossible = await h.client.post("/v1/purchases", json=wrong_total, headers=ingest)
    reasons = {
        pid: (
            await (await h.client.get(f"/v1/ops/rejected-purchases?purchase_id={pid}", headers=h.service("ops"))).json()
        )["items"][0]["reason"]
        for pid in ("b-1", "b-2")
    }
    customer = await h.client.get("/v1/ops/rejected-purchases?purchase_id=b-1", headers=h.customer("p1", "h1"))
    neither = await h.client.get("/v1/ops/rejected-purchases", headers=h.service("ops"))

    assert (blocked.status, impossible.status) == (422, 422)
    assert reasons == {"b-1": "card-cannot-earn", "b-2": "invalid-purchase"}
    assert customer.status == 403
    assert neither.status == 422


async def _inbox_has(h: Any, event_id: str) -> bool:
    return await h.db.inbox.find_one({"_id": event_id}) is not None
