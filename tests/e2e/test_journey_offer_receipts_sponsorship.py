"""Journey 6: one trip to the store feeds an offer, a warranty receipt and a local cause.

K-Citymarket targets 500 campaign points for coffee at grocery shoppers. Aino keeps her
receipts in Oma Plussa and supports the scouts in her store's sponsorship programme.
Her groceries put her in the segment; she activates the offer; her next purchase (coffee
and a TV with a two-year warranty) is redeemed into campaign points, keeps the TV's
receipt and raises 1 % for the scouts, as her groceries did.
"""

from pathlib import Path
from typing import Any

from tests.e2e.stack import STORE, body, eventually, line, purchase, running_stack


async def test_an_activated_offer_is_redeemed_into_campaign_points_while_a_warranty_receipt_and_a_sponsorship_accrue(
    aiohttp_client: Any, settings_for: Any, tmp_path: Path
) -> None:
    store_id = STORE["store_id"]
    async with running_stack(aiohttp_client, settings_for, tmp_path) as stack:
        aino = await stack.customer("Aino", "Korhonen", "1990-04-04")
        chain = await stack.system("k-citymarket", "benefits:offers")
        store = await stack.system(store_id, "benefits:sponsorship")
        offer_id = await stack.chain_offer(chain, "kahvi-500-g", 500)
        await body(await stack.receipts.put("/v1/me/receipt-service", json={"enabled": True}, headers=aino.headers))

        await stack.joins_the_scouts(aino, store)

        groceries = purchase(aino.card["card_number"], line("Ruokaostokset", "grocery", 12_000))
        await stack.store_publishes("purchase.completed", groceries)
        assert await eventually(lambda: stack.offers_of(aino), "the coffee offer") == [offer_id]
        activated = await body(await stack.benefits.post(f"/v1/me/offers/{offer_id}/activate", headers=aino.headers))
        assert activated["activated"] is True

        trip = purchase(
            aino.card["card_number"],
            line("Kahvi 500 g", "grocery", 649),
            line('Televisio 55" 4K', "electronics", 79_900, warranty_months=24),
        )
        await stack.store_publishes("purchase.completed", trip)
        [granted] = await stack.bus.wait_for("fi.plussa.benefits.campaign_points.granted", timeout=20)
        [campaign] = await stack.bus.wait_for(
            "fi.plussa.points.points.earned", lambda e: e["data"]["reason"] == "campaign", timeout=20
        )
        redemptions = await body(await stack.benefits.get("/v1/me/redemptions", headers=aino.headers))

        async def receipts() -> list[Any]:
            found = await body(await stack.receipts.get("/v1/me/receipts", headers=aino.headers))
            return list(found["items"])

        [receipt] = await eventually(receipts, "the TV's warranty receipt")
        await stack.bus.wait_for("fi.plussa.benefits.sponsorship.accrued", count=2, timeout=20)
        raised = await body(await stack.benefits.get("/v1/me/sponsorships", headers=aino.headers))
        months = await body(await stack.benefits.get(f"/v1/stores/{store_id}/sponsorship/months", headers=store))

        month = await stack.month_end()
        statement = await body(await stack.points.get(f"/v1/me/statements/{month}", headers=aino.headers))

    assert (granted["data"]["person_id"], granted["data"]["purchase_id"], granted["data"]["points"]) == (
        aino.person_id,
        trip["purchase_id"],
        500,
    )
    assert (campaign["data"]["person_id"], campaign["data"]["points"]) == (aino.person_id, 500)
    assert [(r["offer_id"], r["purchase_id"], r["amount"]) for r in redemptions["items"]] == [
        (offer_id, trip["purchase_id"], 500)
    ]
    assert statement["campaign_points"] == 500
    assert receipt["purchase_id"] == trip["purchase_id"]
    assert [ln["product_name"] for ln in receipt["lines"]] == ['Televisio 55" 4K']
    # 1 % of 120.00 + 6.49 + 799.00 EUR
    assert raised["items"][0]["raised"] == [{"cause_id": "kamppi-scouts", "cents": 925, "currency": "EUR"}]
    assert [(m["total_cents"], m["closed"]) for m in months["items"]] == [(925, False)]
