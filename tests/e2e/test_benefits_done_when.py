"""Benefits' acceptance flow on real MongoDB and RabbitMQ, through HTTP and the bus only,
with the real cards, points and benefits services.

A chain publishes an offer for a segment of grocery shoppers; a person whose purchases
put them in it sees it in Swedish, activates it and buys the product; the campaign
points arrive in points once although the purchase event is delivered twice; another
person of the same household does not see the offer. A store runs a sponsorship
programme; the customer joins a cause and sees what their purchases raised, and the
store sees the month's total.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from plussa_benefits.app import create_app as benefits_app
from plussa_benefits.settings import BenefitsSettings
from plussa_cards.app import create_app as cards_app
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi, Holder
from plussa_points.app import create_app as points_app
from plussa_points.settings import PointsSettings
from plussa_shared.testing.bus import bus_probe, envelope, publish

STORE = "k-citymarket-kallio"
GROCERY_SHOPPERS = {"feature": "spend_cents", "months": 3, "category": "grocery", "op": ">=", "value": 10_000}


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 45.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def purchase(purchase_id: str, card_number: str, lines: list[tuple[str, str, int]]) -> dict[str, Any]:
    return {
        "purchase_id": purchase_id,
        "card_number": card_number,
        "store_id": STORE,
        "store_name": "K-Citymarket Kallio",
        "chain": "k-citymarket",
        "occurred_at": datetime.now(UTC).isoformat(),
        "payment": {"method": "cash", "network_token": None},
        "lines": [
            {
                "line_id": str(n),
                "product_id": product,
                "name": product,
                "category": category,
                "quantity": 1,
                "unit_price_cents": cents,
                "amount_cents": cents,
                "warranty_months": None,
            }
            for n, (product, category, cents) in enumerate(lines)
        ],
        "total_cents": sum(cents for _, _, cents in lines),
    }


async def test_a_targeted_offer_gives_campaign_points_once_and_a_store_cause_raises_money(
    aiohttp_client: Any, settings_for: Any, tokens: Any, amqp_url: str
) -> None:
    cards = CardsApi(await aiohttp_client(cards_app(settings_for(CardsSettings))), tokens)
    # Retries spaced as in production (a purchase may arrive before its card's events under load).
    retries = {"consumer_retry_delays_ms": [200, 1000, 3000, 10000]}
    await aiohttp_client(points_app(settings_for(PointsSettings, **retries)))  # credits the campaign points
    benefits_settings: BenefitsSettings = settings_for(BenefitsSettings, **retries)
    benefits = await aiohttp_client(benefits_app(benefits_settings))
    exchange = benefits_settings.amqp_exchange
    chain = tokens.bearer(tokens.service("k-citymarket", "benefits:offers"))
    store = tokens.bearer(tokens.service(STORE, "benefits:sponsorship"))

    async with bus_probe(amqp_url, exchange, "points.points.earned", "benefits.#") as bus:
        main: Holder = await cards.apply("Aino", language="sv")
        parallel: Holder = await cards.add_parallel(main, "Eero")
        sv = {**main.headers, "Accept-Language": "sv"}

        # A chain publishes an offer for grocery shoppers.
        segment = await (
            await benefits.post(
                "/v1/segments", json={"name": "Grocery shoppers", "rule": GROCERY_SHOPPERS}, headers=chain
            )
        ).json()
        now = datetime.now(UTC)
        made = await benefits.post(
            "/v1/offers",
            json={
                "title": {"fi": "Kahvista 500 pistettä", "sv": "500 poäng för kaffe", "en": "500 points for coffee"},
                "description": {"fi": "Osta kahvia", "sv": "Köp kaffe", "en": "Buy coffee"},
                "valid_from": (now - timedelta(hours=1)).isoformat(),
                "valid_until": (now + timedelta(days=30)).isoformat(),
                "qualification": {"product_ids": ["coffee-500g"], "min_spend_cents": 500},
                "reward": {"kind": "campaign_points", "amount": 500},
                "needs_activation": True,
                "limit_per_person": 1,
                "segment_id": segment["segment_id"],
            },
            headers=chain,
        )
        offer_id = (await made.json())["offer_id"]
        assert (await benefits.post(f"/v1/offers/{offer_id}/publish", headers=chain)).status == 200

        # The store runs a sponsorship programme; the main holder joins a cause.
        programme = {
            "causes": [{"cause_id": "kallio-scouts", "name": {"fi": "Partio", "sv": "Scouter", "en": "Scouts"}}]
        }
        assert (await benefits.put(f"/v1/stores/{STORE}/sponsorship", json=programme, headers=store)).status == 200

        async def member_known() -> bool:
            joined = await benefits.put(
                f"/v1/me/sponsorships/{STORE}", json={"cause_id": "kallio-scouts"}, headers=main.headers
            )
            return joined.status == 200

        await eventually(member_known, "joining the cause")
        amqp = (amqp_url, exchange)

        # Groceries put the main holder in the segment: the offer appears, in Swedish.
        groceries = purchase("p-groceries", main.card["card_number"], [("bread", "grocery", 12_000)])
        await publish(*amqp, envelope("fi.plussa.stores.purchase.completed", groceries))

        async def my_offers() -> list[dict[str, Any]]:
            return list((await (await benefits.get("/v1/me/offers", headers=sv)).json())["items"])

        async def offer_shown() -> bool:
            return [o["offer_id"] for o in await my_offers()] == [offer_id]

        await eventually(offer_shown, "the offer in the main holder's list")
        assert (await my_offers())[0]["title"] == "500 poäng för kaffe"
        activated = await benefits.post(f"/v1/me/offers/{offer_id}/activate", headers=sv)
        assert (await activated.json())["activated"] is True

        # The coffee purchase is delivered twice: campaign points arrive once.
        coffee = purchase("p-coffee", main.card["card_number"], [("coffee-500g", "grocery", 649)])
        await publish(*amqp, envelope("fi.plussa.stores.purchase.completed", coffee))
        await publish(*amqp, envelope("fi.plussa.stores.purchase.completed", coffee))

        def campaign_points() -> list[dict[str, Any]]:
            return [e for e in bus.of_type("fi.plussa.points.points.earned") if e["data"]["reason"] == "campaign"]

        async def credited() -> bool:
            return len(campaign_points()) >= 1

        await eventually(credited, "campaign points in the points service")
        await asyncio.sleep(1.0)  # time for a second credit to show, if there were one
        assert [(e["data"]["person_id"], e["data"]["points"]) for e in campaign_points()] == [(main.person_id, 500)]
        assert len(bus.of_type("fi.plussa.benefits.campaign_points.granted")) == 1
        gave = await (await benefits.get("/v1/me/redemptions", headers=main.headers)).json()
        assert [(r["offer_id"], r["purchase_id"], r["amount"]) for r in gave["items"]] == [(offer_id, "p-coffee", 500)]

        # The parallel holder of the same household sees none of it.
        theirs = await (await benefits.get("/v1/me/offers", headers=parallel.headers)).json()
        assert theirs["items"] == []

        # What the main holder's purchases raised, and the store's month total: 1 % of 126.49 euros.
        mine = await (await benefits.get("/v1/me/sponsorships", headers=main.headers)).json()
        assert mine["items"][0]["raised"] == [{"cause_id": "kallio-scouts", "cents": 126, "currency": "EUR"}]
        months = await (await benefits.get(f"/v1/stores/{STORE}/sponsorship/months", headers=store)).json()
        assert [(m["total_cents"], m["closed"]) for m in months["items"]] == [(126, False)]
