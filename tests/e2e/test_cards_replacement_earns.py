"""A replacement card's purchases land on the same account: the cards and points
services run together on one exchange, as in production."""

import asyncio
import uuid
from typing import Any

from plussa_cards.app import create_app as create_cards_app
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi, problem
from plussa_points.app import create_app as create_points_app
from plussa_points.settings import PointsSettings
from plussa_shared.testing.bus import bus_probe

CATCHING_UP = {"unknown-card", "card-cannot-earn"}


def purchase(card_number: str, amount_cents: int) -> dict[str, Any]:
    return {
        "purchase_id": uuid.uuid4().hex,
        "card_number": card_number,
        "store_id": "k-citymarket-1",
        "store_name": "K-Citymarket Tampere",
        "chain": "k-citymarket",
        "occurred_at": "2026-11-20T12:00:00+00:00",
        "payment": {"method": "cash", "network_token": None},
        "lines": [
            {
                "line_id": "1",
                "product_id": "p1",
                "name": "Ruisleipä",
                "category": "grocery",
                "quantity": 1,
                "unit_price_cents": amount_cents,
                "amount_cents": amount_cents,
                "warranty_months": None,
            }
        ],
        "total_cents": amount_cents,
    }


async def post_once_points_has_caught_up(points: Any, headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Points learns of cards and their activation from the bus; until it has, it answers
    ``unknown-card`` or ``card-cannot-earn`` (the card still ``ordered``)."""
    for _ in range(100):
        resp = await points.post("/v1/purchases", json=body, headers=headers)
        if resp.status != 422 or (await resp.json())["type"].rsplit("/", 1)[-1] not in CATCHING_UP:
            return resp
        await asyncio.sleep(0.05)
    raise AssertionError("points never caught up with the card")


async def test_purchases_with_a_replacement_card_earn_for_the_same_household_and_the_lost_card_earns_nothing(
    aiohttp_client: Any, settings_for: Any, tokens: Any, amqp_url: str
) -> None:
    cards_settings: CardsSettings = settings_for(CardsSettings)
    points_settings: PointsSettings = settings_for(PointsSettings)
    cards = CardsApi(await aiohttp_client(create_cards_app(cards_settings)), tokens)
    points = await aiohttp_client(create_points_app(points_settings))
    store = tokens.bearer(tokens.service("store-1", "points:ingest"))
    for client in (cards.client, points):
        for _ in range(100):
            if (await client.get("/health/ready")).status == 200:
                break
            await asyncio.sleep(0.05)

    async with bus_probe(amqp_url, cards_settings.amqp_exchange, "points.#") as bus:
        main = await cards.apply("Aila")
        before = await post_once_points_has_caught_up(points, store, purchase(main.card["card_number"], 2000))
        assert before.status == 201, await before.text()

        lost = main.card
        await cards.client.post(f"/v1/cards/{lost['card_id']}/block", json={"reason": "lost"}, headers=main.headers)
        replaced = await cards.client.post(
            f"/v1/cards/{lost['card_id']}/replacement", json={"reason": "lost"}, headers=main.headers
        )
        new_card = await replaced.json()
        await cards.client.post(f"/v1/cards/{new_card['card_id']}/activate", headers=main.headers)

        after = await post_once_points_has_caught_up(points, store, purchase(new_card["card_number"], 3050))
        assert after.status == 201, await after.text()
        assert (await after.json())["points"] == 30

        earned = await bus.wait_for("fi.plussa.points.points.earned", count=2)
        assert [(e["data"]["household_id"], e["data"]["person_id"], e["data"]["points"]) for e in earned] == [
            (main.household_id, main.person_id, 20),
            (main.household_id, main.person_id, 30),
        ]

        # The lost card never earns again, whatever arrives for it.
        for _ in range(100):
            late = await points.post("/v1/purchases", json=purchase(lost["card_number"], 1000), headers=store)
            if late.status != 201:
                break
            await asyncio.sleep(0.05)
        assert await problem(late) == (422, "card-cannot-earn")
