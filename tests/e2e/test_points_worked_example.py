"""The points programme end to end on the real stack, with one household's worked example.

Cards, purchases, campaign points and a return arrive over RabbitMQ as the cards
service, the stores and the benefits service publish them; month end closes
February and March; the main holder reads the March statement; a till spends the
money oldest lot first; savings and charity change where the money goes.

Worked example (household h1, March 2026, MasterCard double points window on):

| step                        | figure                                                       |
|-----------------------------|--------------------------------------------------------------|
| carried from February       | 11 points -> 5 cents paid, 1 point carried                   |
| purchase 1 (MasterCard)     | grocery 180.40, alcohol 25.00, deposit 0.80 -> base 180      |
| MasterCard extra            | +180 (not counted for the grocery steps)                     |
| purchase 2 (parallel card)  | grocery 250.99, tobacco 9.50, home 40.00 -> base 290         |
| purchase 3                  | grocery 95.55, gift card 50.00 -> base 95                    |
| return of the home line     | -40 (in March, the month of the return)                      |
| campaign points             | +301 on their own line                                       |
| grocery spend               | 180.40 + 250.99 + 95.55 = 526.94 EUR -> 500 EUR step, +2/EUR |
| grocery bonus               | 526 x 2 = 1,052                                              |
| month's points              | 565 + 180 + 301 + 1,052 - 40 = 2,058                         |
| charity (UNICEF, max 1,000) | -1,000 points = 500 cents donated                            |
| conversion                  | 1 + 2,058 - 1,000 = 1,059 points -> 529 cents, 1 carried     |
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from plussa_points.app import create_app
from plussa_points.keys import POINTS
from plussa_points.settings import PointsSettings
from plussa_points.use_cases.month_end import close_all
from plussa_shared.testing.bus import bus_probe, envelope, publish

MAIN_CARD, PARALLEL_CARD = "4111000011112222", "4111000033334444"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def snapshot(number: str, person: str, kind: str) -> dict[str, Any]:
    return {
        "card_id": f"card-{number}",
        "card_number": number,
        "kind": kind,
        "state": "active",
        "household_id": "h1",
        "person_id": person,
        "can_earn": True,
        "can_spend": True,
        "valid_until": None,
        "replaces_card_id": None,
        "version": 1,
    }


def purchase(
    purchase_id: str, card: str, day: int, lines: list[tuple[str, int]], token: str | None = None
) -> dict[str, Any]:
    return {
        "purchase_id": purchase_id,
        "card_number": card,
        "store_id": "k-cm-espoo",
        "store_name": "K-Citymarket Espoo",
        "chain": "k-citymarket",
        "occurred_at": datetime(2026, 3 if purchase_id != "feb" else 2, day, 12, tzinfo=UTC).isoformat(),
        "payment": {"method": "payment_card" if token else "cash", "network_token": token},
        "lines": [
            {
                "line_id": str(i),
                "product_id": f"sku-{i}",
                "name": f"item {i}",
                "category": category,
                "quantity": 1,
                "unit_price_cents": cents,
                "amount_cents": cents,
                "warranty_months": None,
            }
            for i, (category, cents) in enumerate(lines, start=1)
        ],
        "total_cents": sum(cents for _, cents in lines),
    }


async def until(check: Callable[[], Awaitable[Any]], timeout: float = 15.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := await check()):
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)
    return value


async def test_a_household_earns_on_the_bus_is_paid_to_the_cent_and_spends_oldest_first(
    aiohttp_client: Any, settings_for: Any, tokens: Any, bus_recorder: Any, response_recorder: Any
) -> None:
    clock = Clock(datetime(2026, 2, 20, 10, tzinfo=UTC))
    settings = settings_for(
        PointsSettings,
        mastercard_window_start=date(2026, 1, 1),
        mastercard_window_end=date(2026, 12, 31),
        consumer_retry_delays_ms=[200, 500, 1000],
    )
    app = create_app(settings, clock=clock)
    client = await response_recorder.client(aiohttp_client, app)
    pts = app[POINTS]
    bus = (settings.amqp_url.get_secret_value(), settings.amqp_exchange)
    async with bus_recorder(settings) as recorded:
        main = tokens.bearer(tokens.customer("p1", "h1", "main"))
        till = tokens.bearer(tokens.service("till-7", "points:spend"))
        await asyncio.sleep(0.3)

        async def send(event_type: str, data: dict[str, Any], subject: str | None = None) -> None:
            await publish(*bus, envelope(event_type, data, subject=subject))

        # The cards service announces the household, its members, cards and the MasterCard.
        at = "2026-02-01T00:00:00Z"
        await send(
            "fi.plussa.cards.household.created", {"household_id": "h1", "main_person_id": "p1", "occurred_at": at}
        )
        for person, role in (("p1", "main"), ("p2", "parallel")):
            member = {
                "household_id": "h1",
                "person_id": person,
                "role": role,
                "first_name": "X",
                "last_name": "Y",
                "date_of_birth": "1980-01-01",
                "email": None,
                "language": "fi",
                "can_use_money": role == "parallel",
                "occurred_at": at,
            }
            await send("fi.plussa.cards.member.added", member, "household/h1")
        await send("fi.plussa.cards.card.activated", {"card": snapshot(MAIN_CARD, "p1", "main"), "occurred_at": at})
        await send(
            "fi.plussa.cards.card.activated", {"card": snapshot(PARALLEL_CARD, "p2", "parallel"), "occurred_at": at}
        )
        await send(
            "fi.plussa.cards.payment_card.linked",
            {
                "payment_card_id": "mc-1",
                "household_id": "h1",
                "person_id": "p1",
                "network": "mastercard",
                "network_token": "tok-1",
                "last4": "1234",
                "occurred_at": at,
            },
        )
        await until(lambda: pts.db.payment_cards.find_one({"network_token": "tok-1"}))
        await until(lambda: pts.store.members.card_by_number(PARALLEL_CARD))
        await until(lambda: pts.store.members.member("h1", "p2"))

        # February: 11 points -> 5 cents paid on 4 March, 1 point carried.
        await send("fi.plussa.stores.purchase.completed", purchase("feb", MAIN_CARD, 15, [("grocery", 1100)]))
        await until(lambda: pts.db.purchases.find_one({"_id": "feb"}))
        clock.now = datetime(2026, 3, 2, 8, tzinfo=UTC)
        await close_all(pts, "2026-02")
        charity = await client.put(
            "/v1/me/charity", json={"on": True, "charity_id": "unicef", "max_thousands": 1}, headers=main
        )
        assert charity.status == 200

        # March arrives over the bus (seen on its last day: nothing is dated ahead of the
        # clock): three purchases, a campaign grant and a return.
        clock.now = datetime(2026, 3, 31, 12, tzinfo=UTC)
        async with bus_probe(*bus, "points.#") as probe:
            await send(
                "fi.plussa.stores.purchase.completed",
                purchase("m1", MAIN_CARD, 5, [("grocery", 18040), ("alcohol", 2500), ("deposit", 80)], token="tok-1"),
            )
            await send(
                "fi.plussa.stores.purchase.completed",
                purchase("m2", PARALLEL_CARD, 12, [("grocery", 25099), ("tobacco", 950), ("home", 4000)]),
            )
            await send(
                "fi.plussa.stores.purchase.completed",
                purchase("m3", MAIN_CARD, 20, [("grocery", 9555), ("gift_card", 5000)]),
            )
            await send(
                "fi.plussa.benefits.campaign_points.granted",
                {
                    "grant_id": "g1",
                    "household_id": "h1",
                    "person_id": "p2",
                    "offer_id": "offer-coffee",
                    "purchase_id": "m2",
                    "points": 301,
                    "occurred_at": "2026-03-12T13:00:00Z",
                },
            )
            await probe.wait_for("fi.plussa.points.purchase.recorded", count=3)
            await send(
                "fi.plussa.stores.purchase.returned",
                {
                    "return_id": "r1",
                    "purchase_id": "m2",
                    "card_number": PARALLEL_CARD,
                    "store_id": "k-cm-espoo",
                    "occurred_at": "2026-03-25T10:00:00Z",
                    "lines": [{"line_id": "3", "quantity": 1, "amount_cents": 4000}],
                },
            )
            reversed_ = await probe.wait_for("fi.plussa.points.points.reversed")
            earned = await probe.wait_for("fi.plussa.points.points.earned", count=4)
        await until(lambda: pts.db.campaign_grants.find_one({"_id": "g1"}))

        by_reference = {e["data"]["reference"]: (e["data"]["person_id"], e["data"]["points"]) for e in earned}
        assert by_reference["m1"] == ("p1", 360)  # base 180 + MasterCard 180
        assert by_reference["m2"] == ("p2", 290)
        assert by_reference["m3"] == ("p1", 95)
        assert by_reference["g1"] == ("p2", 301)
        assert reversed_[0]["data"]["points"] == 40

        # Month end for March, then the main holder's statement shows every step.
        clock.now = datetime(2026, 4, 2, 8, tzinfo=UTC)
        report = await close_all(pts, "2026-03")
        statement = await (await client.get("/v1/me/statements/2026-03", headers=main)).json()

        assert report.households_closed == 1
        assert statement["carried_in"] == 1
        assert statement["base_points"] == 180 + 290 + 95
        assert statement["mastercard_points"] == 180
        assert statement["reversed_points"] == 40
        assert statement["campaign_points"] == 301
        assert statement["grocery_cents"] == 52_694
        assert statement["grocery_bonus_points"] == 1_052
        assert statement["month_points"] == 2_058
        assert (statement["donated_points"], statement["donated_cents"]) == (1_000, 500)
        assert statement["donations"] == [{"charity_id": "unicef", "cents": 500}]
        assert statement["converted_points"] == 1_058
        assert statement["payout_cents"] == 529
        assert statement["carried_out"] == 1

        # On 10 April the parallel holder (with access) pays 3.00 EUR: February's lot first.
        clock.now = datetime(2026, 4, 10, 9, tzinfo=UTC)
        spent = await client.post(
            "/v1/till/spends",
            json={"till_transaction_id": "till-1", "card_number": PARALLEL_CARD, "amount_cents": 300},
            headers=till,
        )
        lots = await (await client.get("/v1/me/lots", headers=main)).json()

        assert await spent.json() == {
            "till_transaction_id": "till-1",
            "spent_cents": 300,
            "remaining_cents": 234,
            "state": "spent",
        }
        assert [(lot["lot_id"], lot["remaining_cents"]) for lot in lots["items"]] == [
            ("lot:h1:2026-03", 234)
        ]  # February's 5 cents used

        # Savings on: the money is kept from the till; off: it is offered again.
        await client.put("/v1/me/savings", json={"on": True, "release_on": "2026-06-01"}, headers=main)
        saved = await client.post(
            "/v1/till/spends",
            json={"till_transaction_id": "till-2", "card_number": MAIN_CARD, "amount_cents": 100},
            headers=till,
        )
        balance = await (await client.get("/v1/me/balance", headers=main)).json()
        await client.put("/v1/me/savings", json={"on": False}, headers=main)
        released = await client.post(
            "/v1/till/spends",
            json={"till_transaction_id": "till-3", "card_number": MAIN_CARD, "amount_cents": 100},
            headers=till,
        )

        assert (await saved.json())["spent_cents"] == 0
        assert (balance["spendable_cents"], balance["saved_cents"]) == (0, 234)
        assert (await released.json())["spent_cents"] == 100

    assert {"fi.plussa.points.purchase.recorded", "fi.plussa.points.money.spent"} <= set(recorded.types)
    response_recorder.assert_all_documented()
    assert len(response_recorder.checked) == 9  # every call of the test
