import asyncio
from datetime import timedelta
from typing import Any

from plussa_benefits.events.consumed import PurchaseCompleted
from plussa_benefits.use_cases import purchases
from plussa_shared.testing.bus import bus_probe, drain
from plussa_shared.testing.sample import wait_until

from .conftest import Harness, _event


async def _activated_offer(harness: Harness, **changes: Any) -> str:
    await harness.person("aino")
    await harness.buy("aino", "history", ("grocery", 12_000))
    offer_id = await harness.live_offer(**changes)
    answer = await harness.client.post(f"/v1/me/offers/{offer_id}/activate", headers=harness.customer("aino"))
    assert answer.status == 200
    return offer_id


async def test_a_purchase_delivered_twice_redeems_once_and_grants_campaign_points_once(harness: Harness) -> None:
    offer_id = await _activated_offer(harness)
    amqp = harness.settings.amqp_url.get_secret_value()
    data = harness.purchase_data("aino", "p-coffee", ("grocery", 1_500), ("fuel", 4_000))

    async with bus_probe(amqp, harness.settings.amqp_exchange, "benefits.campaign_points.granted") as probe:
        await harness.publish("fi.plussa.stores.purchase.completed", data)
        await harness.publish("fi.plussa.stores.purchase.completed", data)  # the same purchase, another event id

        async def two_purchases_handled() -> bool:
            return await harness.count("inbox", {"type": "fi.plussa.stores.purchase.completed"}) == 2

        await wait_until(two_purchases_handled, what="both deliveries handled")
        await wait_until(lambda: _received(probe, 1), what="the grant published")
        await asyncio.sleep(0.3)

    assert len(probe.events) == 1
    granted = probe.events[0]["data"]
    assert granted == {
        "grant_id": f"{offer_id}:p-coffee",
        "household_id": "hh-1",
        "person_id": "aino",
        "offer_id": offer_id,
        "purchase_id": "p-coffee",
        "points": 500,
        "occurred_at": granted["occurred_at"],
    }
    assert await harness.count("redemptions") == 1


async def _received(probe: Any, count: int) -> bool:
    return len(probe.events) >= count


async def test_two_purchases_racing_for_the_last_use_redeem_once(harness: Harness) -> None:
    await _activated_offer(harness, limit_per_person=1)
    events = [
        _event(
            "fi.plussa.stores.purchase.completed",
            PurchaseCompleted.model_validate(harness.purchase_data("aino", f"race-{n}", ("grocery", 2_000))),
        )
        for n in range(2)
    ]

    await asyncio.gather(*(purchases.record_purchase(harness.ctx, event) for event in events))

    assert await harness.count("redemptions") == 1
    assert await harness.count("purchases", {"_id": {"$in": ["race-0", "race-1"]}}) == 2
    wallet = await harness.ctx.db.wallets.find_one({"_id": "aino"})
    assert wallet is not None
    assert wallet["held"][0]["redeemed"] == 1


async def test_what_each_offer_gave_me_is_listed_and_a_return_reverses_it(harness: Harness) -> None:
    offer_id = await _activated_offer(harness)
    await harness.buy("aino", "p-coffee", ("grocery", 1_500))

    before = await harness.client.get("/v1/me/redemptions", headers=harness.customer("aino"))
    await harness.publish(
        "fi.plussa.stores.purchase.returned",
        {
            "return_id": "r-1",
            "purchase_id": "p-coffee",
            "card_number": harness.cards["aino"],
            "store_id": "store-1",
            "occurred_at": harness.clock.now.isoformat(),
            "lines": [{"line_id": "l0", "quantity": 1, "amount_cents": 1_500}],
        },
    )

    async def reversed_() -> bool:
        return await harness.count("redemptions", {"reversed": 500}) == 1

    await wait_until(reversed_, what="the redemption reversed")
    after = await harness.client.get("/v1/me/redemptions", headers=harness.customer("aino"))

    assert [(r["offer_id"], r["amount"], r["reversed"]) for r in (await before.json())["items"]] == [(offer_id, 500, 0)]
    assert [(r["offer_id"], r["amount"], r["reversed"]) for r in (await after.json())["items"]] == [
        (offer_id, 500, 500)
    ]
    assert await harness.count("outbox", {"type": "fi.plussa.benefits.offer.reversed"}) == 1
    assert (await harness.my_offers("aino"))[0]["times_used"] == 0


async def test_a_purchase_before_activation_gives_nothing(harness: Harness) -> None:
    await harness.person("aino")
    await harness.buy("aino", "history", ("grocery", 12_000))
    await harness.live_offer()

    await harness.buy("aino", "p-coffee", ("grocery", 1_500))

    assert await harness.count("redemptions") == 0


async def test_an_automatic_offer_gives_its_benefit_without_activation(harness: Harness) -> None:
    await harness.person("aino")
    await harness.buy("aino", "history", ("grocery", 12_000))
    await harness.live_offer(needs_activation=False, reward={"kind": "percent", "amount": 1_000})

    await harness.buy("aino", "p-coffee", ("grocery", 1_500))

    redemption = await harness.ctx.db.redemptions.find_one({"purchase_id": "p-coffee"})
    assert redemption is not None
    assert (redemption["reward_kind"], redemption["amount"]) == ("percent", 150)
    assert await harness.count("outbox", {"type": "fi.plussa.benefits.campaign_points.granted"}) == 0


async def test_a_purchase_with_a_card_not_yet_known_is_dead_lettered_after_retries(harness: Harness) -> None:
    harness.cards["ghost"] = "4999000000000000"

    await harness.publish(
        "fi.plussa.stores.purchase.completed", harness.purchase_data("ghost", "p-ghost", ("grocery", 100))
    )

    [dead] = await drain(
        harness.settings.amqp_url.get_secret_value(), f"{harness.settings.event_queue}.dead", timeout=15
    )
    assert (dead.headers or {})["x-plussa-dead-reason"] == "unknown-card"
    assert await harness.count("purchases") == 0


async def test_a_purchase_dated_far_in_the_future_or_with_a_control_character_is_dead_lettered(
    harness: Harness,
) -> None:
    await harness.person("aino")
    future = harness.purchase_data("aino", "p-future", ("grocery", 100))
    future["occurred_at"] = "2999-01-01T00:00:00+00:00"
    control = harness.purchase_data("aino", "p-\x00nul", ("grocery", 100))

    await harness.publish("fi.plussa.stores.purchase.completed", future)
    await harness.publish("fi.plussa.stores.purchase.completed", control)

    dead = await drain(harness.settings.amqp_url.get_secret_value(), f"{harness.settings.event_queue}.dead", count=2)
    reasons = sorted(str((message.headers or {})["x-plussa-dead-reason"]) for message in dead)
    assert reasons == ["malformed-data", "purchase-out-of-window"]
    assert await harness.count("purchases") == 0
    assert await harness.count("features", {"purchase_counts": {"$ne": {}}}) == 0


async def test_a_purchase_writes_what_it_changed_in_the_wallet_and_keeps_the_rest(harness: Harness) -> None:
    ending = await harness.live_offer(valid_until=(harness.clock.now + timedelta(days=1)).isoformat())
    used = await _activated_offer(harness)
    fuel = await harness.segment(
        {"feature": "spend_cents", "months": 3, "category": "fuel", "op": ">=", "value": 3_000}
    )
    new = await harness.live_offer(fuel, qualification={"categories": ["fuel"], "min_spend_cents": 100_000})
    before = await harness.ctx.db.wallets.find_one({"_id": "aino"})
    assert before is not None
    assert {entry["offer_id"] for entry in before["held"]} == {ending, used}

    harness.clock.now += timedelta(days=2)  # the first offer has ended
    await harness.buy("aino", "p-coffee", ("grocery", 1_500), ("fuel", 4_000))

    after = await harness.ctx.db.wallets.find_one({"_id": "aino"})
    assert after is not None
    held = {entry["offer_id"]: entry for entry in after["held"]}
    assert set(held) == {used, new}
    kept = next(entry for entry in before["held"] if entry["offer_id"] == used)
    assert held[used] == {**kept, "redeemed": 1, "score": held[used]["score"]}
    assert held[new]["targeted_at"] == harness.clock.now
    assert after["version"] == before["version"] + 1
    shown = [offer["offer_id"] for offer in await harness.my_offers("aino")]
    assert shown == sorted(held, key=lambda offer_id: (-held[offer_id]["score"], offer_id))
    assert [entry.split(" ")[0] for entry in await harness.shown("aino")] == shown
