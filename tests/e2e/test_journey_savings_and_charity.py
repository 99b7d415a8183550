"""Journey 5: savings and charity decide where the next month's money goes.

Aino's month earns 2,500 points. Before month end she gives up to a thousand points to
UNICEF and turns saving on: month end donates 1,000 points (5.00 EUR) and pays the rest,
7.50 EUR, into savings, which the till cannot touch. She turns saving off and the money
is hers to spend. The thank-you and the paid-money mails arrive.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.stack import body, line, purchase, running_stack


async def test_charity_and_savings_chosen_before_month_end_donate_part_of_the_money_and_keep_the_rest_from_the_till(
    aiohttp_client: Any, settings_for: Any, tmp_path: Path
) -> None:
    async with running_stack(aiohttp_client, settings_for, tmp_path) as stack:
        aino = await stack.customer("Aino", "Nieminen", "1982-06-30")
        till = await stack.system("till-kamppi-9", "points:spend")
        sofa = purchase(aino.card["card_number"], line("Sohva", "home", 250_000))
        await stack.store_publishes("purchase.completed", sofa)
        await stack.bus.wait_for("fi.plussa.points.purchase.recorded", timeout=20)

        release_on = (datetime.now(UTC) + timedelta(days=90)).date().isoformat()
        charity = await body(
            await stack.points.put(
                "/v1/me/charity", json={"on": True, "charity_id": "unicef", "max_thousands": 1}, headers=aino.headers
            )
        )
        savings = await body(
            await stack.points.put("/v1/me/savings", json={"on": True, "release_on": release_on}, headers=aino.headers)
        )
        assert (charity["on"], charity["charity_id"], savings["on"]) == (True, "unicef", True)

        month = await stack.month_end()
        statement = await body(await stack.points.get(f"/v1/me/statements/{month}", headers=aino.headers))
        stack.payday()
        saved = await body(await stack.points.get("/v1/me/balance", headers=aino.headers))
        kept_from_till = await body(await stack.till_spends(till, aino.card, 100), 201)

        await body(await stack.points.put("/v1/me/savings", json={"on": False}, headers=aino.headers))
        released = await body(await stack.points.get("/v1/me/balance", headers=aino.headers))
        _verification, *mails = await stack.wait_for_mail(aino.email, 3)

    assert (statement["donated_points"], statement["donated_cents"]) == (1_000, 500)
    assert statement["donations"] == [{"charity_id": "unicef", "cents": 500}]
    assert (statement["converted_points"], statement["payout_cents"]) == (1_500, 750)
    assert (saved["saved_cents"], saved["spendable_cents"]) == (750, 0)
    assert kept_from_till["spent_cents"] == 0
    assert (released["saved_cents"], released["spendable_cents"]) == (0, 750)
    subjects = sorted(str(m["Subject"]) for m in mails)
    assert subjects[0] == "Kiitos lahjoituksestasi"
    assert subjects[1].startswith("Plussa-rahaa maksettu")
    assert "7,50" in subjects[1]
