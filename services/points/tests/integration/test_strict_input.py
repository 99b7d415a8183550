"""Strict input at every boundary of points: request bodies, and purchases from store
systems over HTTP and over the bus (real MongoDB and RabbitMQ)."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from plussa_shared.testing.bus import drain

Start = Callable[..., Awaitable[Any]]
MAIN = "1111222233334444"
PURCHASE = "fi.plussa.stores.purchase.completed"


def pointers(problem: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e.get("pointer") or e.get("parameter", ""), e["code"]) for e in problem["errors"]]


async def test_a_string_for_a_number_and_a_boolean_or_number_for_a_date_or_count_are_refused(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", MAIN)
    me = h.customer("p1", "h1")

    spend = await h.client.post(
        "/v1/till/spends",
        json={"till_transaction_id": "t1", "card_number": MAIN, "amount_cents": "100"},
        headers=h.service("points:spend"),
    )
    charity = await h.client.put("/v1/me/charity", json={"on": True, "max_thousands": False}, headers=me)
    savings = await h.client.put("/v1/me/savings", json={"on": True, "release_on": 0}, headers=me)

    assert [r.status for r in (spend, charity, savings)] == [422, 422, 422]
    assert pointers(await spend.json()) == [("/amount_cents", "int_type")]
    assert pointers(await charity.json()) == [("/max_thousands", "int_type")]
    assert [p for p, _ in pointers(await savings.json())] == ["/release_on"]
    assert await h.db.spends.count_documents({}) == 0


async def test_purchase_ids_and_times_that_cannot_be_real_are_refused_over_http(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", MAIN)
    creds = h.service("points:ingest")
    cases = {
        "/store_id": {"store_id": "kauppa-ä"},
        "/purchase_id": {"purchase_id": "p\x00-1"},
        "/occurred_at": {"occurred_at": "2999-01-01T00:00:00+00:00"},
        "/lines/0/amount_cents": {
            "lines": [{"line_id": "1", "category": "grocery", "quantity": 1, "amount_cents": "5"}]
        },
    }

    answers = {}
    for pointer, change in cases.items():
        resp = await h.client.post(
            "/v1/purchases", json={**h.purchase_data(MAIN, [("grocery", 500)]), **change}, headers=creds
        )
        answers[pointer] = (resp.status, await resp.json())
    ancient = await h.client.post(
        "/v1/purchases",
        json={**h.purchase_data(MAIN, [("grocery", 500)]), "occurred_at": "0001-01-01T00:00:00+00:00"},
        headers=creds,
    )

    for pointer, (status, problem) in answers.items():
        assert status == 422, pointer
        assert pointer in [p for p, _ in pointers(problem)], pointer
    assert ancient.status == 422
    assert pointers(await ancient.json()) == [("/occurred_at", "too_old")]
    assert answers["/occurred_at"][1]["type"].endswith("/invalid-purchase")
    assert await h.db.purchases.count_documents({}) == 0


async def test_a_purchase_from_the_future_or_with_a_foreign_store_id_on_the_bus_is_dead_lettered_with_why(
    points: Start,
) -> None:
    h = await points()
    await h.household("h1", "p1", MAIN)
    await asyncio.sleep(0.3)  # the consumer binds its queue just after start-up

    await h.publish(PURCHASE, {**h.purchase_data(MAIN, [("grocery", 500)]), "occurred_at": "2999-01-01T00:00:00Z"})
    await h.publish(PURCHASE, {**h.purchase_data(MAIN, [("grocery", 500)]), "store_id": "kauppa\u00e4"})
    messages = await drain(
        h.settings.amqp_url.get_secret_value(), f"{h.settings.amqp_queue_prefix}points.events.dead", count=2
    )
    reasons = sorted(str((m.headers or {})["x-plussa-dead-reason"]) for m in messages)

    assert reasons == ["invalid-purchase", "malformed-data"]
    details = " ".join(str((m.headers or {})["x-plussa-dead-detail"]) for m in messages)
    assert "future" in details
    assert await h.db.purchases.count_documents({}) == 0
