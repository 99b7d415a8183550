"""Journey 4: a lost card is blocked and replaced.

Aino blocks her lost card and orders a replacement, which she activates when it arrives.
The till accepts the new card; purchases with it earn for the same account; the old card
is refused by the till and by the card lookup; one service mail arrives for the block and one for the
replacement, and no more.
"""

import asyncio
from pathlib import Path
from typing import Any

from tests.e2e.stack import body, eventually, line, purchase, running_stack


async def test_a_lost_card_is_blocked_and_replaced_the_new_card_earns_for_the_same_account_and_one_mail_per_change(
    aiohttp_client: Any, settings_for: Any, tmp_path: Path
) -> None:
    async with running_stack(aiohttp_client, settings_for, tmp_path) as stack:
        aino = await stack.customer("Aino", "Heikkinen", "1968-12-01")
        till = await stack.system("till-kamppi-7", "points:spend", "cards:lookup")
        lost = aino.card

        before = purchase(lost["card_number"], line("Leipä", "grocery", 2_000))
        await stack.store_publishes("purchase.completed", before)
        await stack.bus.wait_for("fi.plussa.points.purchase.recorded", timeout=20)

        blocked = await body(
            await stack.cards.post(f"/v1/cards/{lost['card_id']}/block", json={"reason": "lost"}, headers=aino.headers)
        )
        new_card = await body(
            await stack.cards.post(
                f"/v1/cards/{lost['card_id']}/replacement", json={"reason": "lost"}, headers=aino.headers
            ),
            201,
        )
        activation = await stack.cards.post(f"/v1/cards/{new_card['card_id']}/activate", headers=aino.headers)
        activated = await body(activation)

        async def accepted_at_till() -> Any:
            answer = await stack.till_spends(till, new_card, 100)
            return answer if answer.status == 201 else None  # until points learns the card is active

        new_at_till = await body(await eventually(accepted_at_till, "the till to accept the new card"), 201)

        after = purchase(new_card["card_number"], line("Maito", "grocery", 3_050))
        await stack.store_publishes("purchase.completed", after)
        [recorded] = await stack.bus.wait_for(
            "fi.plussa.points.purchase.recorded", lambda e: e["data"]["purchase_id"] == after["purchase_id"], timeout=20
        )
        mine = await body(await stack.points.get("/v1/me/purchases", headers=aino.headers))

        old_at_till = await stack.till_spends(till, lost, 10)
        looked_up = await body(await stack.cards.get(f"/v1/lookup/cards/{lost['card_number']}", headers=till))

        await stack.wait_for_mail(aino.email, 3)
        await asyncio.sleep(1.5)  # time for a second mail about either change to arrive, if there were one
        verification, *mails = stack.mails_to(aino.email)

    assert blocked["state"] == "blocked"
    assert (activated["state"], activated["replaces_card_id"]) == ("active", lost["card_id"])
    assert new_at_till["spent_cents"] == 0  # accepted; no money paid yet
    assert (recorded["data"]["household_id"], recorded["data"]["person_id"]) == (aino.household_id, aino.person_id)
    assert {p["purchase_id"] for p in mine["items"]} == {before["purchase_id"], after["purchase_id"]}
    assert (old_at_till.status, (await old_at_till.json())["type"]) == (
        403,
        "https://api.plussa.fi/problems/card-cannot-spend",
    )
    assert (looked_up["state"], looked_up["can_earn"], looked_up["can_spend"]) == ("replaced", False, False)
    assert verification["Subject"] == "Vahvista sähköpostiosoitteesi"
    assert sorted(str(m["Subject"]) for m in mails) == [
        "Korvaava Plussa-kortti on tulossa",
        "Plussa-korttisi on suljettu",
    ]
