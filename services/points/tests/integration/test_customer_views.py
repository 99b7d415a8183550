"""What people see, checked against the points service's own membership records."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from plussa_points.events.consumed import PurchaseCompleted
from plussa_points.use_cases import ingest
from plussa_points.use_cases.month_end import close_all

Start = Callable[..., Awaitable[Any]]
MAIN, PARALLEL = "1111222233334444", "5555666677778888"


async def scene(points: Start, *, access: bool = False) -> Any:
    h = await points()
    await h.household("h1", "p1", MAIN)
    await h.member("h1", "p2", "parallel", can_use_money=access)
    await h.card(PARALLEL, "h1", "p2", kind="parallel")
    await h.household("h2", "q1", "2222333344445555")
    for card, lines in ((MAIN, [("grocery", 1999), ("alcohol", 900)]), (PARALLEL, [("home", 4550)])):
        data = PurchaseCompleted.model_validate(h.purchase_data(card, lines))
        await ingest.record_purchase(h.pts, data)
    return h


async def test_the_main_holder_sees_balance_lots_expiry_and_the_use_of_the_money(points: Start) -> None:
    h = await scene(points)
    paid = h.clock.now - timedelta(days=5)
    await h.lot("h1", "lot-1", 700, paid, paid + timedelta(days=395))
    me = h.customer("p1", "h1")

    balance = await (await h.client.get("/v1/me/balance", headers=me)).json()
    lots = await (await h.client.get("/v1/me/lots", headers=me)).json()
    await h.client.post(
        "/v1/till/spends",
        json={"till_transaction_id": "t1", "card_number": MAIN, "amount_cents": 200},
        headers=h.service("points:spend"),
    )
    use = await (await h.client.get("/v1/me/money-use", headers=me)).json()

    assert (balance["spendable_cents"], balance["points"], balance["month_grocery_cents"]) == (700, 19 + 45, 1999)
    assert [(lot["lot_id"], lot["remaining_cents"]) for lot in lots["items"]] == [("lot-1", 700)]
    assert lots["items"][0]["expires_at"] == "2027-04-09T10:00:00Z"
    assert [(u["reason"], u["cents"], u["amount"]) for u in use["items"]] == [
        ("spend", -200, {"amount": -200, "currency": "EUR"})
    ]


async def test_a_parallel_holder_without_access_sees_no_money_but_their_own_purchases(points: Start) -> None:
    h = await scene(points)
    me = h.customer("p2", "h1", "parallel")

    money_views = [
        await h.client.get(path, headers=me) for path in ("/v1/me/balance", "/v1/me/lots", "/v1/me/money-use")
    ]
    purchases = await (await h.client.get("/v1/me/purchases?month=2026-03", headers=me)).json()
    statement = await h.client.get("/v1/me/statements/2026-03", headers=me)
    savings = await h.client.put("/v1/me/savings", json={"on": False}, headers=me)

    assert [r.status for r in money_views] == [403, 403, 403]
    assert (await money_views[0].json())["type"].endswith("/no-money-access")
    assert [p["points"] for p in purchases["items"]] == [45]  # only their own purchase
    assert statement.status == 403
    assert savings.status == 403


async def test_a_parallel_holder_with_access_sees_the_money(points: Start) -> None:
    h = await scene(points, access=True)

    response = await h.client.get("/v1/me/balance", headers=h.customer("p2", "h1", "parallel"))

    assert response.status == 200


async def test_every_person_sees_their_purchases_month_by_month_with_points_per_line(points: Start) -> None:
    h = await scene(points)

    march = await (await h.client.get("/v1/me/purchases?month=2026-03", headers=h.customer("p1", "h1"))).json()
    april = await (await h.client.get("/v1/me/purchases?month=2026-04", headers=h.customer("p1", "h1"))).json()
    bad = await h.client.get("/v1/me/purchases?month=2026-13", headers=h.customer("p1", "h1"))

    assert march["points"] == 19
    [purchase] = march["items"]
    assert [(line["category"], line["points"]) for line in purchase["lines"]] == [("grocery", 19), ("alcohol", 0)]
    assert april["items"] == []
    assert bad.status == 422


async def test_a_token_for_another_household_or_an_unknown_person_finds_nothing(points: Start) -> None:
    h = await scene(points)

    other_household = await h.client.get("/v1/me/balance", headers=h.customer("p1", "h2"))
    stranger = await h.client.get("/v1/me/purchases", headers=h.customer("nobody", "h1"))
    service = await h.client.get("/v1/me/balance", headers=h.service("points:spend"))

    assert other_household.status == 404
    assert stranger.status == 404
    assert service.status == 403


async def test_the_main_holder_sees_the_monthly_statement_and_sets_savings_and_charity(points: Start) -> None:
    h = await scene(points)
    me = h.customer("p1", "h1")
    charity = await h.client.put("/v1/me/charity", json={"on": True, "charity_id": "unicef"}, headers=me)
    bad_charity = await h.client.put("/v1/me/charity", json={"on": True, "charity_id": "nope"}, headers=me)
    too_late = await h.client.put("/v1/me/savings", json={"on": True, "release_on": "2028-01-01"}, headers=me)
    savings = await h.client.put("/v1/me/savings", json={"on": True, "release_on": "2026-12-01"}, headers=me)
    charities = await (await h.client.get("/v1/charities", headers=me)).json()
    h.clock.now = datetime(2026, 4, 2, tzinfo=UTC)
    await close_all(h.pts, "2026-03")

    statement = await h.client.get("/v1/me/statements/2026-03", headers=me)
    missing = await h.client.get("/v1/me/statements/2026-02", headers=me)

    assert charity.status == 200
    assert bad_charity.status == 422
    assert too_late.status == 422
    assert await savings.json() == {"on": True, "release_on": "2026-12-01", "amount": None, "version": 1}
    assert [c["charity_id"] for c in charities["items"]] == ["red-cross", "unicef", "mll"]
    body = await statement.json()
    assert (body["base_points"], body["carried_in"], body["payout_cents"], body["carried_out"]) == (64, 0, 32, 0)
    assert missing.status == 404
