import asyncio

from plussa_cards.testing import CardsApi, problem
from plussa_shared.testing.bus import BusProbe

MOBILE = "/v1/me/mobile-cards"


async def test_a_member_adds_one_mobile_card_that_works_at_once(api: CardsApi, bus: BusProbe) -> None:
    main = await api.apply()

    added = await api.client.post(MOBILE, headers=main.headers)
    second = await api.client.post(MOBILE, headers=main.headers)

    assert added.status == 201, await added.text()
    card = await added.json()
    assert (card["kind"], card["state"], card["household_id"]) == ("mobile", "active", main.household_id)
    assert await problem(second) == (409, "mobile-card-limit-reached")
    assert (await api.look_up(card["card_number"]))["can_spend"] is True
    await bus.wait_for("fi.plussa.cards.card.issued", lambda e: e["data"]["card"]["kind"] == "mobile")


async def test_two_simultaneous_requests_give_one_mobile_card(api: CardsApi) -> None:
    main = await api.apply()

    racing = await asyncio.gather(*(api.client.post(MOBILE, headers=main.headers) for _ in range(2)))

    assert sorted(r.status for r in racing) == [201, 409]
    cards = (await (await api.client.get("/v1/me/cards", headers=main.headers)).json())["items"]
    assert [c["kind"] for c in cards].count("mobile") == 1


async def test_a_blocked_mobile_card_makes_room_for_a_new_one_only_once_replaced(api: CardsApi) -> None:
    main = await api.apply()
    card = await (await api.client.post(MOBILE, headers=main.headers)).json()
    await api.client.post(f"/v1/cards/{card['card_id']}/block", json={"reason": "stolen"}, headers=main.headers)

    while_blocked = await api.client.post(MOBILE, headers=main.headers)
    replaced = await api.client.post(
        f"/v1/cards/{card['card_id']}/replacement", json={"reason": "lost"}, headers=main.headers
    )

    assert await problem(while_blocked) == (409, "mobile-card-limit-reached")
    assert replaced.status == 201
    assert (await replaced.json())["kind"] == "mobile"
