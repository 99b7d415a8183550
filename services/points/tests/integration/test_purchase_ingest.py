"""Purchases, returns and campaign points arriving over the bus and over HTTP (real MongoDB and RabbitMQ)."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from plussa_points.events.consumed import CampaignPointsGranted
from plussa_points.use_cases import returns
from plussa_shared.testing.bus import bus_probe, drain

Start = Callable[..., Awaitable[Any]]
Harness = Any

PURCHASE = "fi.plussa.stores.purchase.completed"
RETURN = "fi.plussa.stores.purchase.returned"


def dead_queue(h: Harness) -> str:
    return f"{h.settings.amqp_queue_prefix}points.events.dead"


async def dead_letters(h: Harness, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
    messages = await drain(h.settings.amqp_url.get_secret_value(), dead_queue(h), count=count, timeout=timeout)
    return [dict(m.headers or {}) for m in messages]


async def consumer_ready(h: Harness) -> None:
    await asyncio.sleep(0.3)  # the consumer binds its queue just after start-up


async def test_purchases_from_the_bus_become_points_on_the_right_household_and_person(points: Start) -> None:
    h = await points()
    await consumer_ready(h)
    cards = [("1111222233334444", "p-main", "main"), ("5555666677778888", "p-par", "parallel")]
    for number, person, role in cards:
        await h.publish(
            "fi.plussa.cards.member.added",
            {
                "household_id": "h1",
                "person_id": person,
                "role": role,
                "first_name": "A",
                "last_name": "B",
                "date_of_birth": "1980-01-01",
                "email": None,
                "language": "fi",
                "can_use_money": False,
                "occurred_at": "2026-03-01T00:00:00Z",
            },
            subject="household/h1",
        )
        await h.publish(
            "fi.plussa.cards.card.activated",
            {"card": h.card_snapshot(number, "h1", person, kind=role), "occurred_at": "2026-03-01T00:00:00Z"},
            subject=f"card/card-{number}",
        )
    await h.until(lambda: h.db.cards.count_documents({}))
    await h.until(lambda: h.pts.store.members.card_by_number("5555666677778888"))

    async with bus_probe(*h.amqp, "points.#") as probe:
        await h.publish(
            PURCHASE, h.purchase_data("1111222233334444", [("grocery", 2599), ("alcohol", 1500)], purchase_id="buy-1")
        )
        await h.publish(PURCHASE, h.purchase_data("5555666677778888", [("home", 1099)], purchase_id="buy-2"))
        earned = await probe.wait_for("fi.plussa.points.points.earned", count=2)

    account = await h.account("h1")
    month = await h.db.household_months.find_one({"_id": "h1:2026-03"})
    main_month, parallel_month = month["persons"]["p-main"], month["persons"]["p-par"]
    assert account is not None
    assert account["points"] == 25 + 10
    assert main_month is not None
    assert main_month["points"] == 25
    assert parallel_month is not None
    assert parallel_month["points"] == 10
    assert sorted((e["data"]["person_id"], e["data"]["points"]) for e in earned) == [("p-main", 25), ("p-par", 10)]
    assert all(e["data"]["household_id"] == "h1" for e in earned)


async def test_a_purchase_delivered_twice_is_credited_once(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    await consumer_ready(h)
    data = h.purchase_data("1111222233334444", [("grocery", 1000)], purchase_id="dup-1")

    first = await h.publish(PURCHASE, data)
    await h.publish(PURCHASE, data, event_id=first)  # the same event redelivered
    await h.publish(PURCHASE, data)  # the same purchase sent again as a new event
    await h.until(lambda: h.db["inbox"].count_documents({}))
    await asyncio.sleep(0.5)

    assert await h.db.ledger.count_documents({"reason": "purchase"}) == 1
    account = await h.account("h1")
    assert account is not None
    assert account["points"] == 10


async def test_a_purchase_on_a_blocked_card_is_dead_lettered_with_its_reason_and_never_credited(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    await h.card("1111222233334444", "h1", "p1", state="blocked", version=2, can_earn=False, can_spend=False)
    await h.card("1111222233334444", "h1", "p1", state="active", version=1)  # an older snapshot arriving late
    await consumer_ready(h)

    await h.publish(PURCHASE, h.purchase_data("1111222233334444", [("grocery", 5000)]))
    [headers] = await dead_letters(h)

    assert headers["x-plussa-dead-reason"] == "card-cannot-earn"
    assert "card-cannot-earn" in headers["x-plussa-dead-detail"]
    assert await h.db.purchases.count_documents({}) == 0
    assert (await h.account("h1") or {}).get("points", 0) == 0


async def test_a_purchase_arriving_before_its_card_is_retried_and_credited_when_the_card_arrives(points: Start) -> None:
    h = await points(consumer_retry_delays_ms=[300, 600, 1200])
    await consumer_ready(h)
    await h.publish(PURCHASE, h.purchase_data("1111222233334444", [("grocery", 4200)], purchase_id="early"))
    await asyncio.sleep(0.1)
    await h.household("h1", "p1", "1111222233334444")

    purchase = await h.until(lambda: h.db.purchases.find_one({"_id": "early"}))

    assert purchase["household_id"] == "h1"
    assert purchase["points"] == 42


async def test_a_purchase_for_a_card_never_announced_ends_dead_lettered_after_its_retries(points: Start) -> None:
    h = await points()
    await consumer_ready(h)

    await h.publish(PURCHASE, h.purchase_data("9999888877776666", [("grocery", 4200)]))
    [headers] = await dead_letters(h)

    assert headers["x-plussa-dead-reason"] == "unknown-card"
    assert "unknown-card" in headers["x-plussa-dead-detail"]
    assert await h.db.purchases.count_documents({}) == 0


async def test_negative_and_absurd_amounts_are_refused_on_the_bus_and_over_http(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    await consumer_ready(h)
    negative = h.purchase_data("1111222233334444", [("grocery", -500)])
    absurd = h.purchase_data("1111222233334444", [("grocery", 900_000_000)])

    await h.publish(PURCHASE, negative)
    reasons = [x["x-plussa-dead-detail"] for x in await dead_letters(h)]
    http_negative = await h.client.post("/v1/purchases", json=negative, headers=h.service("points:ingest"))
    http_absurd = await h.client.post("/v1/purchases", json=absurd, headers=h.service("points:ingest"))

    assert "invalid-purchase" in reasons[0]
    assert http_negative.status == 422
    assert (await http_negative.json())["type"].endswith("/invalid-purchase")
    assert http_absurd.status == 422
    assert await h.db.purchases.count_documents({}) == 0


async def test_http_ingest_is_idempotent_refuses_a_reused_id_and_needs_its_scope(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    data = h.purchase_data("1111222233334444", [("grocery", 1234)], purchase_id="http-1")
    creds = h.service("points:ingest")

    first = await h.client.post("/v1/purchases", json=data, headers=creds)
    again = await h.client.post("/v1/purchases", json=data, headers=creds)
    reused = await h.client.post(
        "/v1/purchases",
        json={**data, "total_cents": 1300, "lines": [{**data["lines"][0], "amount_cents": 1300}]},
        headers=creds,
    )
    no_scope = await h.client.post("/v1/purchases", json=data, headers=h.service("points:spend"))
    unknown_card = await h.client.post(
        "/v1/purchases", json={**data, "purchase_id": "x", "card_number": "0000000000000000"}, headers=creds
    )

    assert first.status == 201
    assert (await first.json()) == {
        "reference": "http-1",
        "month": "2026-03",
        "points": 12,
        "duplicate": False,
    }
    assert (await again.json())["duplicate"] is True
    assert reused.status == 409
    assert no_scope.status == 403
    assert unknown_card.status == 422
    assert (await unknown_card.json())["type"].endswith("/unknown-card")
    assert await h.db.ledger.count_documents({}) == 1


async def test_a_return_reverses_the_returned_lines_and_never_more_than_was_bought(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    creds = h.service("points:ingest")
    data = h.purchase_data("1111222233334444", [("grocery", 2050), ("home", 1000)], purchase_id="r-1")
    await h.client.post("/v1/purchases", json=data, headers=creds)
    ret = {
        "return_id": "ret-1",
        "purchase_id": "r-1",
        "card_number": "1111222233334444",
        "store_id": "store-1",
        "occurred_at": "2026-04-02T10:00:00+00:00",
        "lines": [{"line_id": "1", "quantity": 1, "amount_cents": 2050}],
    }
    h.clock.now = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)

    returned = await h.client.post("/v1/returns", json=ret, headers=creds)
    too_much = await h.client.post("/v1/returns", json={**ret, "return_id": "ret-2"}, headers=creds)
    unknown = await h.client.post(
        "/v1/returns", json={**ret, "return_id": "ret-3", "purchase_id": "nope"}, headers=creds
    )

    assert returned.status == 201
    assert await returned.json() == {"reference": "ret-1", "month": "2026-04", "points": -20, "duplicate": False}
    assert too_much.status == 422
    assert (await too_much.json())["type"].endswith("/return-exceeds-purchase")
    assert unknown.status == 422
    assert (await unknown.json())["type"].endswith("/unknown-purchase")
    april = await h.db.household_months.find_one({"_id": "h1:2026-04"})
    assert april is not None
    assert april["reversed_points"] == 20
    assert april["grocery_cents"] == -2050
    account = await h.account("h1")
    assert account is not None
    assert account["points"] == 30 - 20


async def test_a_return_on_the_bus_for_an_unknown_purchase_or_of_too_much_is_dead_lettered(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    await h.client.post(
        "/v1/purchases",
        json=h.purchase_data("1111222233334444", [("grocery", 1000)], purchase_id="b-1"),
        headers=h.service("points:ingest"),
    )
    await consumer_ready(h)
    base = {"card_number": "1111222233334444", "store_id": "s", "occurred_at": "2026-03-14T10:00:00+00:00"}

    await h.publish(
        RETURN,
        {
            **base,
            "return_id": "x1",
            "purchase_id": "b-1",
            "lines": [{"line_id": "1", "quantity": 3, "amount_cents": 3000}],
        },
    )
    await h.publish(
        RETURN,
        {
            **base,
            "return_id": "x2",
            "purchase_id": "ghost",
            "lines": [{"line_id": "1", "quantity": 1, "amount_cents": 100}],
        },
    )
    details = sorted(x["x-plussa-dead-detail"] for x in await dead_letters(h, count=2))

    assert any("return-exceeds-purchase" in d for d in details)
    assert any("unknown-purchase" in d for d in details)
    assert await h.db.returns.count_documents({}) == 0


async def test_campaign_points_from_the_bus_are_credited_on_their_own_line_once(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    await consumer_ready(h)
    grant = {
        "grant_id": "g-1",
        "household_id": "h1",
        "person_id": "p1",
        "offer_id": "o-1",
        "purchase_id": None,
        "points": 300,
        "occurred_at": "2026-03-12T10:00:00+00:00",
    }

    await h.publish("fi.plussa.benefits.campaign_points.granted", grant)
    await h.publish("fi.plussa.benefits.campaign_points.granted", grant)
    month = await h.until(lambda: h.db.household_months.find_one({"_id": "h1:2026-03"}))
    await asyncio.sleep(0.3)

    assert month["campaign_points"] == 300
    assert month.get("grocery_cents", 0) == 0
    assert await h.db.ledger.count_documents({"reason": "campaign"}) == 1


async def test_the_same_purchase_sent_by_several_store_systems_at_once_is_recorded_once(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    data = h.purchase_data("1111222233334444", [("grocery", 1500)], purchase_id="race-1")

    answers = await asyncio.gather(
        *(h.client.post("/v1/purchases", json=data, headers=h.service("points:ingest")) for _ in range(10))
    )

    assert [a.status for a in answers] == [201] * 10
    assert sorted([(await a.json())["duplicate"] for a in answers]) == [False] + [True] * 9
    assert await h.db.ledger.count_documents({}) == 1


async def test_campaign_points_for_a_member_never_announced_end_dead_lettered_uncredited(points: Start) -> None:
    h = await points()
    await consumer_ready(h)
    grant = {
        "grant_id": "g-x",
        "household_id": "h9",
        "person_id": "p9",
        "offer_id": "o-1",
        "purchase_id": None,
        "points": 300,
        "occurred_at": "2026-03-12T10:00:00+00:00",
    }

    await h.publish("fi.plussa.benefits.campaign_points.granted", grant)
    [headers] = await dead_letters(h)

    assert headers["x-plussa-dead-reason"] == "unknown-member"
    assert "unknown-member" in headers["x-plussa-dead-detail"]
    assert await h.db.ledger.count_documents({}) == 0


async def test_campaign_points_arriving_together_are_credited_in_one_go_each_once(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    await h.household("h2", "p2", "1111222233335555")

    def grant(grant_id: str, household_id: str, person_id: str, points: int) -> CampaignPointsGranted:
        return CampaignPointsGranted.model_validate(
            {
                "grant_id": grant_id,
                "household_id": household_id,
                "person_id": person_id,
                "offer_id": "o-1",
                "purchase_id": None,
                "points": points,
                "occurred_at": "2026-03-12T10:00:00+00:00",
            }
        )

    await returns.record_campaign_points(h.pts, grant("g-0", "h1", "p1", 100))
    recorded = await returns.record_campaign_points_batch(
        h.pts,
        [
            grant("g-0", "h1", "p1", 100),  # credited already
            grant("g-1", "h1", "p1", 200),
            grant("g-2", "h2", "p2", 50),
            grant("g-1", "h1", "p1", 200),  # twice in one batch
        ],
    )

    assert [(r.reference, r.points, r.duplicate) for r in recorded] == [
        ("g-0", 100, True),
        ("g-1", 200, False),
        ("g-2", 50, False),
        ("g-1", 200, True),
    ]
    months = {doc["_id"]: doc["campaign_points"] async for doc in h.db.household_months.find({})}
    assert months == {"h1:2026-03": 300, "h2:2026-03": 50}
    assert await h.db.ledger.count_documents({"reason": "campaign"}) == 3
    assert await h.db.campaign_grants.count_documents({}) == 3
