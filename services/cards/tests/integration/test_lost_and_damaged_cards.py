import asyncio

from plussa_cards.testing import CardsApi, problem
from plussa_shared.testing.bus import BusProbe


def block(card_id: str) -> str:
    return f"/v1/cards/{card_id}/block"


def replace(card_id: str) -> str:
    return f"/v1/cards/{card_id}/replacement"


def activate(card_id: str) -> str:
    return f"/v1/cards/{card_id}/activate"


async def test_a_lost_card_is_blocked_at_once_and_never_earns_again(api: CardsApi, bus: BusProbe) -> None:
    main = await api.apply()
    card_id = main.card["card_id"]

    blocked = await api.client.post(block(card_id), json={"reason": "lost"}, headers=main.headers)
    twice = await api.client.post(block(card_id), json={"reason": "stolen"}, headers=main.headers)
    reactivated = await api.client.post(activate(card_id), headers=main.headers)

    assert blocked.status == 200
    assert (await blocked.json())["state"] == "blocked"
    assert await problem(twice) == (409, "card-already-blocked")
    assert await problem(reactivated) == (409, "illegal-card-transition")
    till = await api.look_up(main.card["card_number"])
    assert (till["state"], till["can_earn"], till["can_spend"]) == ("blocked", False, False)
    [event] = await bus.wait_for("fi.plussa.cards.card.blocked")
    assert event["data"]["reason"] == "lost"
    assert event["data"]["card"]["can_earn"] is False
    assert event["data"]["card"]["version"] == 2


async def test_a_lost_card_is_replaced_by_a_new_number_on_the_same_account(api: CardsApi, bus: BusProbe) -> None:
    main = await api.apply()
    old = main.card

    resp = await api.client.post(replace(old["card_id"]), json={"reason": "lost"}, headers=main.headers)

    assert resp.status == 201, await resp.text()
    new = await resp.json()
    assert new["card_number"] != old["card_number"]
    assert (new["household_id"], new["person_id"], new["kind"]) == (main.household_id, main.person_id, "main")
    assert (new["state"], new["replaces_card_id"]) == ("ordered", old["card_id"])
    assert (await api.look_up(old["card_number"]))["state"] == "replaced"

    activated = await api.client.post(activate(new["card_id"]), headers=main.headers)

    assert (await activated.json())["state"] == "active"
    till = await api.look_up(new["card_number"])
    assert (till["household_id"], till["person_id"]) == (main.household_id, main.person_id)
    assert till["can_earn"] is True
    assert till["can_spend"] is True
    [blocked] = await bus.wait_for("fi.plussa.cards.card.blocked")
    [replaced] = await bus.wait_for("fi.plussa.cards.card.replaced")
    [issued] = await bus.wait_for(
        "fi.plussa.cards.card.issued", lambda e: e["data"]["card"]["card_id"] == new["card_id"]
    )
    [active] = await bus.wait_for("fi.plussa.cards.card.activated")
    assert blocked["data"]["card"]["card_id"] == old["card_id"]
    assert replaced["data"]["card"]["state"] == "replaced"
    assert replaced["data"]["new_card_id"] == new["card_id"]
    assert issued["data"]["card"]["household_id"] == main.household_id
    assert issued["data"]["card"]["replaces_card_id"] == old["card_id"]
    assert active["data"]["card"]["card_number"] == new["card_number"]


async def test_a_damaged_card_works_until_its_replacement_is_activated(api: CardsApi, bus: BusProbe) -> None:
    main = await api.apply()
    old = main.card

    new = await (
        await api.client.post(replace(old["card_id"]), json={"reason": "damaged"}, headers=main.headers)
    ).json()
    before = await api.look_up(old["card_number"])
    not_yet = await api.look_up(new["card_number"])
    await api.client.post(activate(new["card_id"]), headers=main.headers)
    after = await api.look_up(old["card_number"])

    assert (before["state"], before["can_earn"]) == ("active", True)
    assert (not_yet["state"], not_yet["can_earn"]) == ("ordered", False)
    assert (after["state"], after["can_earn"]) == ("replaced", False)
    [replaced] = await bus.wait_for("fi.plussa.cards.card.replaced")
    assert replaced["data"]["new_card_id"] == new["card_id"]
    assert bus.of_type("fi.plussa.cards.card.blocked") == []


async def test_a_card_is_replaced_only_once(api: CardsApi) -> None:
    main = await api.apply()
    url = replace(main.card["card_id"])
    await api.client.post(url, json={"reason": "damaged"}, headers=main.headers)

    again = await api.client.post(url, json={"reason": "lost"}, headers=main.headers)

    assert await problem(again) == (409, "replacement-already-ordered")


async def test_a_closed_card_cannot_be_replaced_or_blocked(api: CardsApi) -> None:
    main = await api.apply()
    parallel = await api.add_parallel(main)
    await api.client.delete(f"/v1/me/household/parallel-holders/{parallel.person_id}", headers=main.headers)
    card_id = parallel.card["card_id"]

    for reason in ("lost", "damaged"):
        resp = await api.client.post(replace(card_id), json={"reason": reason}, headers=main.headers)
        assert await problem(resp) == (409, "illegal-card-transition")
    blocked = await api.client.post(block(card_id), json={"reason": "lost"}, headers=main.headers)
    assert await problem(blocked) == (409, "illegal-card-transition")


async def test_the_main_holder_blocks_and_replaces_a_parallel_holders_card(api: CardsApi) -> None:
    main = await api.apply()
    parallel = await api.add_parallel(main)

    blocked = await api.client.post(block(parallel.card["card_id"]), json={"reason": "stolen"}, headers=main.headers)
    new = await api.client.post(replace(parallel.card["card_id"]), json={"reason": "lost"}, headers=main.headers)
    activated = await api.client.post(activate((await new.json())["card_id"]), headers=parallel.headers)

    assert (blocked.status, new.status, activated.status) == (200, 201, 200)
    assert (await activated.json())["person_id"] == parallel.person_id


async def test_another_households_card_is_not_found_whatever_is_tried(api: CardsApi, bus: BusProbe) -> None:
    mine = await api.apply()
    theirs = await api.apply("Outi")
    await bus.wait_for("fi.plussa.cards.card.issued", count=2)
    seen = len(bus.events)
    card_id = theirs.card["card_id"]

    attempts = await asyncio.gather(
        api.client.post(block(card_id), json={"reason": "lost"}, headers=mine.headers),
        api.client.post(replace(card_id), json={"reason": "lost"}, headers=mine.headers),
        api.client.post(activate(card_id), headers=mine.headers),
        api.client.post(block("no-such-card"), json={"reason": "lost"}, headers=mine.headers),
    )

    answers = [await problem(resp) for resp in attempts]
    assert answers == [(404, "card-not-found")] * 4
    bodies = [await resp.json() for resp in attempts[:1] + attempts[3:]]
    assert bodies[0]["detail"] == bodies[1]["detail"]  # the same answer as for a card that does not exist
    assert (await api.look_up(theirs.card["card_number"]))["state"] == "active"
    await asyncio.sleep(0.3)
    assert len(bus.events) == seen


async def test_block_and_replacement_reasons_are_checked(api: CardsApi) -> None:
    main = await api.apply()
    card_id = main.card["card_id"]

    bad_block = await api.client.post(block(card_id), json={"reason": "issuer"}, headers=main.headers)
    bad_replace = await api.client.post(replace(card_id), json={"reason": "stolen"}, headers=main.headers)
    no_body = await api.client.post(block(card_id), headers=main.headers)
    service = await api.client.post(block(card_id), json={"reason": "lost"}, headers=api.as_service("cards:issue"))

    assert await problem(bad_block) == (422, "validation-failed")
    assert await problem(bad_replace) == (422, "validation-failed")
    assert await problem(no_body) == (415, "unsupported-media-type")
    assert service.status == 403
    assert (await api.look_up(main.card["card_number"]))["state"] == "active"


async def test_two_simultaneous_blocks_and_replacements_take_effect_once(api: CardsApi, bus: BusProbe) -> None:
    main = await api.apply()
    parallel = await api.add_parallel(main)

    blocks = await asyncio.gather(
        api.client.post(block(main.card["card_id"]), json={"reason": "lost"}, headers=main.headers),
        api.client.post(block(main.card["card_id"]), json={"reason": "stolen"}, headers=main.headers),
    )
    replacements = await asyncio.gather(
        api.client.post(replace(parallel.card["card_id"]), json={"reason": "damaged"}, headers=parallel.headers),
        api.client.post(replace(parallel.card["card_id"]), json={"reason": "damaged"}, headers=main.headers),
    )

    assert sorted(r.status for r in blocks) == [200, 409]
    assert sorted(r.status for r in replacements) == [201, 409]
    await bus.wait_for("fi.plussa.cards.card.blocked")
    await bus.wait_for("fi.plussa.cards.card.issued", lambda e: e["data"]["card"]["replaces_card_id"] is not None)
    await asyncio.sleep(0.3)
    assert len(bus.of_type("fi.plussa.cards.card.blocked")) == 1
    successors = [e for e in bus.of_type("fi.plussa.cards.card.issued") if e["data"]["card"]["replaces_card_id"]]
    assert len(successors) == 1
