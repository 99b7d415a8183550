"""Best Customer counted on eligible spend, and saving a chosen amount of each payment
(real MongoDB and RabbitMQ)."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from plussa_points.events.consumed import PurchaseCompleted, PurchaseReturned
from plussa_points.use_cases import ingest, returns
from plussa_points.use_cases.month_end import close_all
from plussa_shared.testing.contract import Contract

Start = Callable[..., Awaitable[Any]]
APRIL_2ND = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)


async def buy(h: Any, card: str, lines: list[tuple[str, int]], purchase_id: str | None = None) -> None:
    data = h.purchase_data(card, lines, purchase_id=purchase_id)
    await ingest.record_purchase(h.pts, PurchaseCompleted.model_validate(data))


async def test_best_customer_counts_only_the_lines_that_earn_points_with_returns_taken_off(points: Start) -> None:
    h = await points(best_customer_threshold_cents=100_000)
    for n, household in enumerate(("h-drinks", "h-returned", "h-groceries")):
        await h.household(household, f"p{n}", f"111122223333{n:04d}")
    await buy(h, "1111222233330000", [("alcohol", 90_000), ("grocery", 20_000)])
    await buy(h, "1111222233330001", [("grocery", 120_000)], purchase_id="big")
    await buy(h, "1111222233330002", [("grocery", 120_000)])
    back = {
        "return_id": "ret-big",
        "purchase_id": "big",
        "occurred_at": "2026-03-12T10:00:00+00:00",
        "lines": [{"line_id": "1", "quantity": 0, "amount_cents": 30_000}],
    }
    await returns.record_return(h.pts, PurchaseReturned.model_validate(back))
    h.clock.now = APRIL_2ND

    await close_all(h.pts, "2026-03")

    statuses = {d["_id"]: d["status"] for d in await h.db.accounts.find({}).to_list()}
    assert statuses == {"h-drinks": "regular", "h-returned": "regular", "h-groceries": "best_customer"}


async def test_the_main_holder_saves_a_chosen_amount_of_each_payment_and_the_rest_is_paid_as_usual(
    points: Start,
) -> None:
    h = await points()
    card = "1111222233334444"
    await h.household("h1", "p1", card)
    await buy(h, card, [("home", 250_000)])  # 2,500 points: 12.50 EUR coming at month end
    me = h.customer("p1", "h1")
    contract = Contract.of(h.client.app)

    def asking(cents: int) -> dict[str, Any]:
        return {"on": True, "release_on": "2026-12-01", "amount": {"amount": cents, "currency": "EUR"}}

    refused = [await h.client.put("/v1/me/savings", json=asking(c), headers=me) for c in (2_000, -100, 150)]
    saved = await h.client.put("/v1/me/savings", json=asking(500), headers=me)
    stale = await h.client.put("/v1/me/savings", json=asking(1_000), headers={**me, "If-Match": '"99"'})
    current = await h.client.get("/v1/me/savings", headers=me)
    coming = (await (await h.client.get("/v1/me/balance", headers=me)).json())["coming_payment"]
    h.clock.now = APRIL_2ND
    await close_all(h.pts, "2026-03")
    h.clock.now = datetime(2026, 4, 5, 10, 0, tzinfo=UTC)
    balance = await h.client.get("/v1/me/balance", headers=me)
    spent = await h.client.post(
        "/v1/till/spends",
        json={"till_transaction_id": "t-1", "card_number": card, "amount_cents": 1_000},
        headers=h.service("points:spend"),
    )

    codes = [[e["code"] for e in (await r.json())["errors"]] for r in refused]
    assert [r.status for r in refused] == [422, 422, 422]
    assert codes == [["too_big"], ["too_small"], ["whole_euros"]]
    answer = await contract.check_response(saved)
    assert (answer["amount"], saved.headers["ETag"]) == ({"amount": 500, "currency": "EUR"}, '"1"')
    assert stale.status == 412
    assert (await current.json())["amount"] == {"amount": 500, "currency": "EUR"}
    assert current.headers["ETag"] == '"1"'
    money = await contract.check_response(balance)
    assert coming == {"amount": 1_250, "currency": "EUR"}
    assert (money["spendable"]["amount"], money["saved"]["amount"]) == (750, 500)
    assert (await spent.json())["spent_cents"] == 750
