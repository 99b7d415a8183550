"""Journey 2: a month of shopping becomes Plussa money, and a till spends some of it.

The bank links Aino's K-Plussa MasterCard while its double-points window is open. A store
puts three purchases on the bus: one paid with the MasterCard, one with lines that never
earn (alcohol, tobacco), one whose home line is later returned. Month end pays the money;
Aino reads her purchases, the statement and the balance; a till spends part of it; the
mail saying the money was paid arrives.

| purchase                         | points                                   |
|----------------------------------|------------------------------------------|
| MasterCard: groceries 120.00     | 120 base + 120 MasterCard                |
| groceries 30.00, alcohol, tobacco| 30 (the excluded lines earn nothing)     |
| home 80.00, groceries 10.00      | 90, then -80 when the home line returns  |
| month                            | 280 points -> 1.40 EUR (2 points a cent) |
"""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.stack import body, line, purchase, running_stack

TODAY = datetime.now(UTC).date()
MASTERCARD_WINDOW = {
    "mastercard_window_start": TODAY - timedelta(days=30),
    "mastercard_window_end": TODAY + timedelta(days=30),
}


async def test_purchases_on_the_bus_become_plussa_money_at_month_end_that_a_till_spends_and_a_mail_announces(
    aiohttp_client: Any, settings_for: Any, tmp_path: Path
) -> None:
    async with running_stack(aiohttp_client, settings_for, tmp_path, **MASTERCARD_WINDOW) as stack:
        aino = await stack.customer("Aino", "Mäkinen", "1979-09-14")
        bank = await stack.system("k-pankki", "cards:bank")
        till = await stack.system("till-kamppi-3", "points:spend")
        number = aino.card["card_number"]

        # Random, but never a run of 12 digits: cards refuses whatever looks like a card number.
        token = f"tok-{uuid.uuid4().hex[:8]}"
        await body(
            await stack.cards.post(
                "/v1/bank/payment-cards",
                json={"person_id": aino.person_id, "network": "mastercard", "network_token": token, "last4": "4242"},
                headers=bank,
            ),
            201,
        )
        await stack.bus.wait_for("fi.plussa.cards.payment_card.linked")

        paid_with_mastercard = purchase(number, line("Jauheliha 2 kg", "grocery", 12_000), network_token=token)
        with_excluded_lines = purchase(
            number,
            line("Kahvi 500 g", "grocery", 3_000),
            line("Punaviini", "alcohol", 2_000),
            line("Savukkeet", "tobacco", 950),
        )
        later_returned = purchase(number, line("Pöytävalaisin", "home", 8_000), line("Omenat", "grocery", 1_000))
        for bought in (paid_with_mastercard, with_excluded_lines, later_returned):
            await stack.store_publishes("purchase.completed", bought)
        await stack.bus.wait_for("fi.plussa.points.purchase.recorded", count=3, timeout=20)
        await stack.store_publishes(
            "purchase.returned",
            {
                "return_id": uuid.uuid4().hex,
                "purchase_id": later_returned["purchase_id"],
                "card_number": number,
                "store_id": later_returned["store_id"],
                "occurred_at": datetime.now(UTC).isoformat(),
                "lines": [{"line_id": "1", "quantity": 1, "amount_cents": 8_000}],
            },
        )
        [reversed_] = await stack.bus.wait_for("fi.plussa.points.points.reversed", timeout=20)
        assert reversed_["data"]["points"] == 80

        month = stack.this_month()
        purchases = await body(await stack.points.get("/v1/me/purchases", headers=aino.headers))
        by_id = {p["purchase_id"]: p for p in purchases["items"]}
        assert by_id[paid_with_mastercard["purchase_id"]]["points"] == 240
        excluded = by_id[with_excluded_lines["purchase_id"]]["lines"]
        assert [(ln["category"], ln["eligible"], ln["points"]) for ln in excluded] == [
            ("grocery", True, 30),
            ("alcohol", False, 0),
            ("tobacco", False, 0),
        ]
        returned = by_id[later_returned["purchase_id"]]
        assert (returned["points"], returned["points_reversed"]) == (90, 80)
        assert returned["lines"][0]["returned_cents"] == 8_000

        await stack.month_end()
        [paid] = await stack.bus.wait_for("fi.plussa.points.money.paid", timeout=20)
        statement = await body(await stack.points.get(f"/v1/me/statements/{month}", headers=aino.headers))
        stack.payday()
        before = await body(await stack.points.get("/v1/me/balance", headers=aino.headers))
        spent = await body(await stack.till_spends(till, aino.card, 50), 201)
        after = await body(await stack.points.get("/v1/me/balance", headers=aino.headers))
        _verification, *mails = await stack.wait_for_mail(aino.email, 2)

    assert paid["data"]["household_id"] == aino.household_id
    assert (statement["base_points"], statement["mastercard_points"], statement["reversed_points"]) == (240, 120, 80)
    assert (statement["month_points"], statement["converted_points"], statement["payout_cents"]) == (280, 280, 140)
    assert (before["spendable_cents"], spent["spent_cents"], spent["remaining_cents"]) == (140, 50, 90)
    assert after["spendable_cents"] == 90
    money_mails = [m for m in mails if str(m["Subject"]).startswith("Plussa-rahaa maksettu")]
    assert len(money_mails) == 1
    assert "1,40" in str(money_mails[0]["Subject"])
