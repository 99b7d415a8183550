"""Handing a household over, names owned by cards, and whether members have an online account."""

import asyncio
from datetime import UTC, date, datetime

from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi, Holder, problem, unique_person
from plussa_shared.testing.bus import BusProbe, envelope, publish
from plussa_shared.testing.contract import Contract

HAND_OVER = "/v1/me/household/hand-over"


async def until_consuming(api: CardsApi) -> None:
    for _ in range(100):
        if (await api.client.get("/health/ready")).status == 200:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the cards service did not become ready")


async def add_minor(api: CardsApi, main: Holder) -> Holder:
    person = {**unique_person("Pikku"), "date_of_birth": date(datetime.now(UTC).year - 10, 1, 1).isoformat()}
    resp = await api.client.post("/v1/me/household/parallel-holders", json=person, headers=main.headers)
    assert resp.status == 201, await resp.text()
    added = await resp.json()
    return Holder(added["person_id"], added["household_id"], added["card"], api.as_customer(added["person_id"]))


async def test_the_main_holder_hands_the_household_over_to_an_adult_parallel_holder(
    api: CardsApi, bus: BusProbe
) -> None:
    main = await api.apply("Aino")
    heir = await api.add_parallel(main, "Eero")

    resp = await api.client.post(HAND_OVER, json={"person_id": heir.person_id}, headers=main.headers)

    body = await Contract.of(api.client.app).check_response(resp)
    assert resp.status == 200
    assert (body["person_id"], body["role"], body["can_use_money"]) == (heir.person_id, "main", True)
    household = await (await api.client.get("/v1/me/household", headers=heir.headers)).json()
    roles = {m["person_id"]: (m["role"], m["can_use_money"]) for m in household["members"]}
    assert household["role"] == "main"
    assert roles == {heir.person_id: ("main", True), main.person_id: ("parallel", True)}
    assert {c["card_id"] for m in household["members"] for c in m["cards"]} == {
        main.card["card_id"],
        heir.card["card_id"],
    }
    # The new main holder manages the household; the former one no longer does.
    assert (
        await api.client.post("/v1/me/household/parallel-holders", json=unique_person("Uusi"), headers=heir.headers)
    ).status == 201
    refused = await api.client.post(HAND_OVER, json={"person_id": heir.person_id}, headers=main.headers)
    assert await problem(refused) == (403, "main-holder-only")
    [handed] = await bus.wait_for("fi.plussa.cards.household.handed_over")
    assert handed["data"]["previous_main_person_id"] == main.person_id
    assert handed["data"]["main_person_id"] == heir.person_id
    assert handed["subject"] == f"household/{main.household_id}"
    changes = await bus.wait_for("fi.plussa.cards.member.role_changed", count=2)
    assert {(e["data"]["person_id"], e["data"]["role"], e["data"]["can_use_money"]) for e in changes} == {
        (heir.person_id, "main", True),
        (main.person_id, "parallel", True),
    }


async def test_a_hand_over_to_an_outsider_a_minor_or_by_a_parallel_holder_is_refused(api: CardsApi) -> None:
    main = await api.apply()
    adult = await api.add_parallel(main)
    minor = await add_minor(api, main)
    outsider = await api.apply("Ulla")

    to_outsider = await api.client.post(HAND_OVER, json={"person_id": outsider.person_id}, headers=main.headers)
    to_minor = await api.client.post(HAND_OVER, json={"person_id": minor.person_id}, headers=main.headers)
    by_parallel = await api.client.post(HAND_OVER, json={"person_id": adult.person_id}, headers=adult.headers)

    assert await problem(to_outsider) == (404, "member-not-found")
    assert await problem(to_minor) == (422, "not-an-adult")
    assert await problem(by_parallel) == (403, "main-holder-only")
    household = await (await api.client.get("/v1/me/household", headers=main.headers)).json()
    assert household["role"] == "main"


async def test_a_renamed_member_shows_at_once_and_the_change_is_published(api: CardsApi, bus: BusProbe) -> None:
    main = await api.apply("Aino")
    read = await api.client.get("/v1/me/household", headers=main.headers)

    resp = await api.client.patch(
        "/v1/me/person",
        json={"first_name": "Aino-Maria", "last_name": "Virtanen"},
        headers={**main.headers, "If-Match": read.headers["ETag"]},
    )

    body = await Contract.of(api.client.app).check_response(resp)
    assert body["first_name"] == "Aino-Maria"
    household = await (await api.client.get("/v1/me/household", headers=main.headers)).json()
    assert (household["members"][0]["first_name"], household["members"][0]["last_name"]) == ("Aino-Maria", "Virtanen")
    assert resp.headers["ETag"] == f'"{household["version"]}"'
    [renamed] = await bus.wait_for("fi.plussa.cards.member.renamed")
    assert renamed["data"] == {
        "household_id": main.household_id,
        "person_id": main.person_id,
        "first_name": "Aino-Maria",
        "last_name": "Virtanen",
        "occurred_at": renamed["data"]["occurred_at"],
    }
    stale = await api.client.patch(
        "/v1/me/person", json={"first_name": "Aino", "last_name": "V"}, headers={**main.headers, "If-Match": '"1"'}
    )
    assert await problem(stale) == (412, "precondition-failed")


async def test_the_main_holder_corrects_a_parallel_holders_name_but_not_the_other_way_round(api: CardsApi) -> None:
    main = await api.apply("Aino")
    parallel = await api.add_parallel(main, "Eero")
    name = {"first_name": "Eerik", "last_name": "Virtanen"}

    corrected = await api.client.patch(
        f"/v1/me/household/members/{parallel.person_id}", json=name, headers=main.headers
    )
    refused = await api.client.patch(f"/v1/me/household/members/{main.person_id}", json=name, headers=parallel.headers)

    assert corrected.status == 200
    assert (await corrected.json())["first_name"] == "Eerik"
    assert await problem(refused) == (403, "main-holder-only")
    seen = await (await api.client.get("/v1/me/household", headers=parallel.headers)).json()
    assert {m["person_id"]: m["first_name"] for m in seen["members"]} == {
        main.person_id: "Aino",
        parallel.person_id: "Eerik",
    }


async def test_a_member_has_an_online_account_once_identity_registers_them_until_it_is_erased(
    api: CardsApi, amqp_url: str, cards_settings: CardsSettings
) -> None:
    main = await api.apply()
    parallel = await api.add_parallel(main)
    await until_consuming(api)

    async def accounts() -> dict[str, bool]:
        household = await (await api.client.get("/v1/me/household", headers=main.headers)).json()
        return {m["person_id"]: m["has_online_account"] for m in household["members"]}

    async def until(expected: dict[str, bool]) -> None:
        for _ in range(100):
            if await accounts() == expected:
                return
            await asyncio.sleep(0.05)
        assert await accounts() == expected

    assert await accounts() == {main.person_id: False, parallel.person_id: False}
    before = (await api.client.get("/v1/me/household", headers=main.headers)).headers["ETag"]
    registered = envelope(
        "fi.plussa.identity.customer.registered",
        {
            "person_id": parallel.person_id,
            "household_id": main.household_id,
            "email": "eero@example.fi",
            "language": "fi",
            "occurred_at": "2026-11-25T10:00:00+00:00",
        },
        source="/plussa/identity",
    )
    await publish(amqp_url, cards_settings.amqp_exchange, registered)
    await until({main.person_id: False, parallel.person_id: True})
    # The view changed, so a cached copy must not be confirmed with 304.
    again = await api.client.get("/v1/me/household", headers={**main.headers, "If-None-Match": before})
    assert again.status == 200

    erased = envelope(
        "fi.plussa.identity.erasure.completed",
        {
            "request_id": "r1",
            "person_id": parallel.person_id,
            "service": "identity",
            "occurred_at": "2026-11-26T10:00:00Z",
        },
        source="/plussa/identity",
    )
    await publish(amqp_url, cards_settings.amqp_exchange, erased)
    await until({main.person_id: False, parallel.person_id: False})
