"""Hand-overs and MasterCards that leave with their holder, as the cards service
announces them on the bus (real MongoDB and RabbitMQ)."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from plussa_points.events.consumed import PurchaseCompleted
from plussa_points.use_cases import ingest

Start = Callable[..., Awaitable[Any]]
MAIN, PARALLEL = "1111222233334444", "5555666677778888"
AT = "2026-03-14T10:00:00Z"


async def test_after_a_hand_over_the_new_main_holder_manages_the_money_and_the_former_one_keeps_access(
    points: Start,
) -> None:
    h = await points()
    await h.household("h1", "p1", MAIN)
    await h.member("h1", "p2", "parallel", can_use_money=False)
    await asyncio.sleep(0.3)  # the consumer binds its queue just after start-up
    new_main, former = h.customer("p2", "h1", "main"), h.customer("p1", "h1", "parallel")
    before = await h.client.get("/v1/me/savings", headers=new_main)

    await h.publish(
        "fi.plussa.cards.household.handed_over",
        {"household_id": "h1", "previous_main_person_id": "p1", "main_person_id": "p2", "occurred_at": AT},
        subject="household/h1",
    )
    for person, role in (("p2", "main"), ("p1", "parallel")):
        await h.publish(
            "fi.plussa.cards.member.role_changed",
            {"household_id": "h1", "person_id": person, "role": role, "can_use_money": True, "occurred_at": AT},
            subject="household/h1",
        )
    await h.until(lambda: _role(h, "p1", "parallel"))
    savings = await h.client.get("/v1/me/savings", headers=new_main)
    refused = await h.client.put("/v1/me/charity", json={"on": False}, headers=former)
    balance = await h.client.get("/v1/me/balance", headers=former)

    assert before.status == 403
    assert savings.status == 200
    assert refused.status == 403
    assert (await refused.json())["type"].endswith("/main-holder-only")
    assert balance.status == 200


async def test_a_mastercard_unlinked_from_the_household_earns_no_more_mastercard_points_there(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", MAIN)
    await h.mastercard("tok-9", "h1", "p1")
    await asyncio.sleep(0.3)
    paid_with_it = PurchaseCompleted.model_validate(h.purchase_data(MAIN, [("grocery", 2000)], token="tok-9"))
    before = await ingest.record_purchase(h.pts, paid_with_it)

    await h.publish(
        "fi.plussa.cards.payment_card.unlinked",
        {
            "payment_card_id": "pc-tok-9",
            "household_id": "h1",
            "person_id": "p1",
            "network_token": "tok-9",
            "reason": "member_removed",
            "occurred_at": AT,
        },
        subject="household/h1",
    )
    await h.until(lambda: h.db.payment_cards.find_one({"_id": "pc-tok-9", "unlinked": True}))
    again = PurchaseCompleted.model_validate(h.purchase_data(MAIN, [("grocery", 2000)], token="tok-9"))
    after = await ingest.record_purchase(h.pts, again)

    assert (before.points, after.points) == (40, 20)


async def _role(h: Any, person_id: str, role: str) -> bool:
    doc = await h.db.members.find_one({"_id": f"h1:{person_id}"})
    return bool(doc and doc["role"] == role)
