import asyncio
from typing import Any

import pytest

from plussa_cards.app import create_app
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi, problem, unique_person
from plussa_shared.testing.bus import BusProbe

PARALLEL = "/v1/me/household/parallel-holders"


async def test_the_main_holder_orders_parallel_cards_and_sees_every_card_of_the_household(
    api: CardsApi, bus: BusProbe
) -> None:
    main = await api.apply()
    first = await api.add_parallel(main, "Matti")
    second = await api.add_parallel(main, "Liisa")

    household = await (await api.client.get("/v1/me/household", headers=main.headers)).json()

    assert [m["role"] for m in household["members"]] == ["main", "parallel", "parallel"]
    numbers = {c["card_number"] for m in household["members"] for c in m["cards"]}
    assert numbers == {main.card["card_number"], first.card["card_number"], second.card["card_number"]}
    assert first.card["kind"] == "parallel"
    assert first.card["state"] == "active"
    added = await bus.wait_for("fi.plussa.cards.member.added", lambda e: e["data"]["role"] == "parallel", count=2)
    assert {e["data"]["person_id"] for e in added} == {first.person_id, second.person_id}
    assert all(e["data"]["can_use_money"] is False for e in added)
    await bus.wait_for("fi.plussa.cards.card.issued", lambda e: e["data"]["card"]["kind"] == "parallel", count=2)


async def test_a_parallel_holder_sees_themselves_their_own_cards_and_the_main_holder_by_name_only(
    api: CardsApi,
) -> None:
    main = await api.apply()
    first = await api.add_parallel(main)
    await api.add_parallel(main, "Liisa")

    household = await (await api.client.get("/v1/me/household", headers=first.headers)).json()
    cards = (await (await api.client.get("/v1/me/cards", headers=first.headers)).json())["items"]

    assert household["role"] == "parallel"
    assert [(m["person_id"], m["role"]) for m in household["members"]] == [
        (main.person_id, "main"),
        (first.person_id, "parallel"),
    ]
    main_seen, me = household["members"]
    assert main_seen["first_name"] == "Maija"
    assert main_seen["cards"] == []
    assert [c["card_id"] for c in me["cards"]] == [first.card["card_id"]]
    assert [c["card_id"] for c in cards] == [first.card["card_id"]]


async def test_a_parallel_holder_cannot_act_as_main_holder(api: CardsApi, bus: BusProbe) -> None:
    main = await api.apply()
    first = await api.add_parallel(main)
    second = await api.add_parallel(main, "Liisa")
    await bus.wait_for("fi.plussa.cards.card.issued", count=3)
    seen = len(bus.events)
    # The token claims "main"; the service trusts its own records, not the claim.
    forged = api.as_customer(first.person_id, first.household_id, role="main")

    attempts = [
        api.client.post(PARALLEL, json=unique_person(), headers=forged),
        api.client.put(f"{PARALLEL}/{second.person_id}/money-access", json={"can_use_money": True}, headers=forged),
        api.client.put(f"{PARALLEL}/{first.person_id}/money-access", json={"can_use_money": True}, headers=forged),
        api.client.delete(f"{PARALLEL}/{second.person_id}", headers=forged),
    ]
    for resp in await asyncio.gather(*attempts):
        assert await problem(resp) == (403, "main-holder-only")
    blocked = await api.client.post(
        f"/v1/cards/{second.card['card_id']}/block", json={"reason": "lost"}, headers=first.headers
    )
    assert await problem(blocked) == (403, "not-your-card")
    await asyncio.sleep(0.3)
    assert len(bus.events) == seen


async def test_money_access_is_granted_and_withdrawn_with_an_event_each(api: CardsApi, bus: BusProbe) -> None:
    main = await api.apply()
    first = await api.add_parallel(main)
    url = f"{PARALLEL}/{first.person_id}/money-access"

    granted = await api.client.put(url, json={"can_use_money": True}, headers=main.headers)
    again = await api.client.put(url, json={"can_use_money": True}, headers=main.headers)
    spend_with_access = (await api.look_up(first.card["card_number"]))["can_spend"]
    withdrawn = await api.client.put(url, json={"can_use_money": False}, headers=main.headers)
    spend_without = (await api.look_up(first.card["card_number"]))["can_spend"]

    assert (granted.status, again.status, withdrawn.status) == (200, 200, 200)
    assert (await granted.json())["can_use_money"] is True
    assert (await withdrawn.json())["can_use_money"] is False
    assert (spend_with_access, spend_without) == (True, False)
    [grant] = await bus.wait_for("fi.plussa.cards.access.granted")
    [withdrawal] = await bus.wait_for("fi.plussa.cards.access.withdrawn")
    assert grant["data"] == {
        "household_id": main.household_id,
        "person_id": first.person_id,
        "can_use_money": True,
        "occurred_at": grant["data"]["occurred_at"],
    }
    assert withdrawal["data"]["can_use_money"] is False
    assert len(bus.of_type("fi.plussa.cards.access.granted")) == 1


async def test_the_main_holders_own_access_cannot_be_changed(api: CardsApi) -> None:
    main = await api.apply()

    resp = await api.client.put(
        f"{PARALLEL}/{main.person_id}/money-access", json={"can_use_money": False}, headers=main.headers
    )

    assert await problem(resp) == (409, "not-a-parallel-holder")


async def test_the_tenth_parallel_holder_is_refused(api: CardsApi) -> None:
    main = await api.apply()
    for _ in range(9):
        await api.add_parallel(main)

    resp = await api.client.post(PARALLEL, json=unique_person("Kymmenes"), headers=main.headers)

    assert await problem(resp) == (409, "parallel-holder-limit-reached")
    household = await (await api.client.get("/v1/me/household", headers=main.headers)).json()
    assert len(household["members"]) == 10


async def test_two_orders_racing_for_the_last_free_slot_give_exactly_one_parallel_holder(
    aiohttp_client: Any, settings_for: Any, tokens: Any
) -> None:
    settings: CardsSettings = settings_for(CardsSettings, max_parallel_holders=2)
    api = CardsApi(await aiohttp_client(create_app(settings)), tokens)
    main = await api.apply()
    await api.add_parallel(main)

    racing = await asyncio.gather(
        *(api.client.post(PARALLEL, json=unique_person(), headers=main.headers) for _ in range(2))
    )

    assert sorted(r.status for r in racing) == [201, 409]
    loser = next(r for r in racing if r.status != 201)
    assert await problem(loser) == (409, "parallel-holder-limit-reached")
    household = await (await api.client.get("/v1/me/household", headers=main.headers)).json()
    assert len(household["members"]) == 3


async def test_a_removed_parallel_holder_loses_their_cards_and_their_access(api: CardsApi, bus: BusProbe) -> None:
    main = await api.apply()
    leaving = await api.add_parallel(main)
    url = f"{PARALLEL}/{leaving.person_id}"

    removed = await api.client.delete(url, headers=main.headers)
    again = await api.client.delete(url, headers=main.headers)

    assert removed.status == 204
    assert await problem(again) == (404, "member-not-found")
    [gone] = await bus.wait_for("fi.plussa.cards.member.removed")
    [closed] = await bus.wait_for("fi.plussa.cards.card.closed")
    assert gone["data"]["person_id"] == leaving.person_id
    assert closed["data"]["card"]["card_id"] == leaving.card["card_id"]
    assert closed["data"]["card"]["state"] == "closed"
    assert closed["data"]["reason"] == "member_removed"
    assert (await api.look_up(leaving.card["card_number"]))["can_earn"] is False
    # Their token still names the household; our records no longer do.
    for resp in await asyncio.gather(
        api.client.get("/v1/me/cards", headers=leaving.headers),
        api.client.get("/v1/me/household", headers=leaving.headers),
        api.client.post(f"/v1/cards/{main.card['card_id']}/block", json={"reason": "lost"}, headers=leaving.headers),
    ):
        assert await problem(resp) == (403, "not-a-member")
    household = await (await api.client.get("/v1/me/household", headers=main.headers)).json()
    assert [m["person_id"] for m in household["members"]] == [main.person_id]


async def test_a_main_holder_cannot_touch_members_of_another_household(api: CardsApi) -> None:
    mine = await api.apply()
    theirs = await api.apply("Outi")
    their_parallel = await api.add_parallel(theirs)
    # A token that claims the other household changes nothing: our records say which one is the caller's.
    forged = api.as_customer(mine.person_id, theirs.household_id, "main")

    attempts = [
        api.client.delete(f"{PARALLEL}/{their_parallel.person_id}", headers=forged),
        api.client.put(
            f"{PARALLEL}/{their_parallel.person_id}/money-access", json={"can_use_money": True}, headers=forged
        ),
    ]
    for resp in await asyncio.gather(*attempts):
        assert await problem(resp) == (404, "member-not-found")
    household = await (await api.client.get("/v1/me/household", headers=forged)).json()
    assert household["household_id"] == mine.household_id


async def test_a_person_who_is_already_a_member_elsewhere_cannot_be_added(api: CardsApi) -> None:
    elsewhere = await api.apply()
    person = unique_person("Pekka")
    other = await api.apply("Outi")
    assert (await api.client.post(PARALLEL, json=person, headers=other.headers)).status == 201

    resp = await api.client.post(PARALLEL, json=person, headers=elsewhere.headers)

    assert await problem(resp) == (409, "already-a-member")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": "Matti", "last_name": "Virtanen"}, "date_of_birth"),
        ({"first_name": "Matti", "last_name": "Virtanen", "date_of_birth": "1990-13-01"}, "date_of_birth"),
        ({"first_name": "<script>", "last_name": "Virtanen", "date_of_birth": "1990-01-01"}, "first_name"),
        ({"first_name": "Matti", "last_name": "V", "date_of_birth": "1990-01-01", "household_id": "x"}, "household_id"),
    ],
)
async def test_parallel_card_orders_with_invalid_details_are_refused(
    api: CardsApi, body: dict[str, Any], field: str
) -> None:
    main = await api.apply()

    resp = await api.client.post(PARALLEL, json=body, headers=main.headers)

    assert await problem(resp) == (422, "validation-failed")
    assert f"/{field}" in [e["pointer"] for e in (await resp.json())["errors"]]


async def test_a_store_orders_a_parallel_card_for_the_household_of_the_main_card_shown(
    api: CardsApi, bus: BusProbe
) -> None:
    main = await api.apply()
    body = {**unique_person("Ville"), "store_id": "k-citymarket-espoo-iso-omena"}

    resp = await api.client.post(
        "/v1/stores/parallel-cards",
        json={**body, "main_card_number": main.card["card_number"]},
        headers=api.as_service("cards:issue"),
    )

    assert resp.status == 201, await resp.text()
    added = await resp.json()
    assert added["household_id"] == main.household_id
    assert added["card"]["state"] == "active"
    await bus.wait_for("fi.plussa.cards.member.added", lambda e: e["data"]["person_id"] == added["person_id"])


async def test_a_store_needs_its_scope_and_the_main_holders_card(api: CardsApi) -> None:
    main = await api.apply()
    parallel = await api.add_parallel(main)
    body = {**unique_person("Ville"), "store_id": "k-market-1"}
    url = "/v1/stores/parallel-cards"
    store = api.as_service("cards:issue")

    no_scope = await api.client.post(
        url, json={**body, "main_card_number": main.card["card_number"]}, headers=api.as_service("cards:lookup")
    )
    customer = await api.client.post(
        url, json={**body, "main_card_number": main.card["card_number"]}, headers=main.headers
    )
    parallel_card = await api.client.post(
        url, json={**body, "main_card_number": parallel.card["card_number"]}, headers=store
    )
    bad_number = await api.client.post(url, json={**body, "main_card_number": "1234567812345678"}, headers=store)
    anonymous = await api.client.post(url, json={**body, "main_card_number": main.card["card_number"]})

    assert (no_scope.status, customer.status) == (403, 403)
    assert await problem(parallel_card) == (403, "main-holder-only")
    assert await problem(bad_number) == (422, "invalid-card-number")
    assert anonymous.status == 401


async def test_customer_service_reads_any_household_with_the_ops_scope_only(api: CardsApi) -> None:
    main = await api.apply()
    parallel = await api.add_parallel(main)
    url = f"/v1/households/{main.household_id}"
    operator = api.tokens.bearer(api.tokens.operator("agent-7", "ops"))

    read = await api.client.get(url, headers=operator)
    unknown = await api.client.get("/v1/households/no-such-household", headers=operator)
    by_customer = await api.client.get(url, headers=main.headers)
    by_till = await api.client.get(url, headers=api.as_service("cards:lookup"))

    assert read.status == 200
    members = (await read.json())["members"]
    assert [(m["person_id"], len(m["cards"])) for m in members] == [(main.person_id, 1), (parallel.person_id, 1)]
    assert await problem(unknown) == (404, "household-not-found")
    assert (by_customer.status, by_till.status) == (403, 403)
