"""Journey 3: a parallel holder and the household's Plussa money.

Aino orders a parallel card for Eero. Eero registers with it and sees his own purchases
and the offers his shopping brought him, but not the household's money. Aino grants him
money access: now he sees the balance and spends at a till with his card. Aino withdraws
the grant: the balance is hidden from him again and the till is refused.
"""

from pathlib import Path
from typing import Any

from tests.e2e.stack import Customer, Stack, body, eventually, line, purchase, running_stack


async def balance_status(stack: Stack, person: Customer) -> int:
    """What points answers ``person`` asking for the household's balance."""
    return int((await stack.points.get("/v1/me/balance", headers=person.headers)).status)


async def test_a_parallel_holder_sees_own_purchases_and_offers_and_the_money_only_while_the_main_holder_allows(
    aiohttp_client: Any, settings_for: Any, tmp_path: Path
) -> None:
    async with running_stack(aiohttp_client, settings_for, tmp_path) as stack:
        aino = await stack.customer("Aino", "Laine", "1975-02-11")
        eero = await stack.signed_up(await stack.order_parallel_card(aino, "Eero", "2003-08-21"))
        chain = await stack.system("k-citymarket", "benefits:offers")
        till = await stack.system("till-kamppi-5", "points:spend")
        offer_id = await stack.chain_offer(chain, "kahvi-500-g", 200)

        his = purchase(eero.card["card_number"], line("Ruokaostokset", "grocery", 15_000))
        hers = purchase(aino.card["card_number"], line("Villasukat", "clothing", 4_000))
        await stack.store_publishes("purchase.completed", his)
        await stack.store_publishes("purchase.completed", hers)
        await stack.bus.wait_for("fi.plussa.points.purchase.recorded", count=2, timeout=20)

        eeros = await body(await stack.points.get("/v1/me/purchases", headers=eero.headers))
        assert [(p["purchase_id"], p["mine"]) for p in eeros["items"]] == [(his["purchase_id"], True)]
        assert await eventually(lambda: stack.offers_of(eero), "Eero's offer") == [offer_id]
        assert await stack.offers_of(aino) == []
        assert await balance_status(stack, eero) == 403

        await stack.month_end()
        stack.payday()
        money = await body(await stack.points.get("/v1/me/balance", headers=aino.headers))
        assert money["spendable_cents"] == 95  # 190 points

        async def set_access(allowed: bool) -> None:
            await body(
                await stack.cards.put(
                    f"/v1/me/household/parallel-holders/{eero.person_id}/money-access",
                    json={"can_use_money": allowed},
                    headers=aino.headers,
                )
            )

        await set_access(True)
        await eventually(lambda: _is(balance_status(stack, eero), 200), "Eero's access in points")
        seen = await body(await stack.points.get("/v1/me/balance", headers=eero.headers))
        spent = await body(await stack.till_spends(till, eero.card, 40), 201)
        assert (seen["spendable_cents"], spent["spent_cents"], spent["remaining_cents"]) == (95, 40, 55)

        await set_access(False)
        await eventually(lambda: _is(balance_status(stack, eero), 403), "Eero's access withdrawn in points")
        refused = await stack.till_spends(till, eero.card, 10)
        problem = await refused.json()
        left = await body(await stack.points.get("/v1/me/balance", headers=aino.headers))

    assert (refused.status, problem["type"]) == (403, "https://api.plussa.fi/problems/no-money-access")
    assert left["spendable_cents"] == 55


async def _is(status: Any, expected: int) -> bool:
    return bool(await status == expected)
