import asyncio
from typing import Any

from plussa_cards.domain.card_number import passes_luhn
from plussa_cards.testing import CardsApi, problem, unique_person
from plussa_shared.testing.bus import BusProbe

ADDRESS = {"street": "Hämeenkatu 5", "postal_code": "33100", "city": "Tampere"}


def application(**overrides: Any) -> dict[str, Any]:
    person = unique_person("Aino")
    return {
        **person,
        "email": f"{person['last_name']}@example.fi",
        "language": "sv",
        "address": ADDRESS,
        **overrides,
    }


async def test_an_applicant_becomes_main_holder_of_a_new_household_with_an_active_card(
    api: CardsApi, bus: BusProbe
) -> None:
    resp = await api.client.post("/v1/applications", json=application())

    assert resp.status == 201, await resp.text()
    joined = await resp.json()
    card = joined["card"]
    assert len(card["card_number"]) == 16
    assert passes_luhn(card["card_number"])
    assert card["kind"] == "main"
    assert card["state"] == "active"
    assert card["household_id"] == joined["household_id"]
    assert card["person_id"] == joined["person_id"]
    assert card["can_earn"]
    assert card["can_spend"]
    assert card["version"] == 1

    hh = joined["household_id"]
    [created] = await bus.wait_for("fi.plussa.cards.household.created")
    [added] = await bus.wait_for("fi.plussa.cards.member.added")
    [issued] = await bus.wait_for("fi.plussa.cards.card.issued")
    assert created["data"]["main_person_id"] == joined["person_id"]
    assert created["subject"] == f"household/{hh}"
    assert added["data"]["role"] == "main"
    assert added["data"]["language"] == "sv"
    assert added["data"]["can_use_money"]
    assert issued["data"]["card"]["card_number"] == card["card_number"]
    assert issued["subject"] == f"card/{card['card_id']}"


async def test_the_new_member_sees_their_household_and_card(api: CardsApi) -> None:
    main = await api.apply()

    resp = await api.client.get("/v1/me/household", headers=main.headers)

    assert resp.status == 200
    household = await resp.json()
    assert household["role"] == "main"
    [me] = household["members"]
    assert me["person_id"] == main.person_id
    assert [c["card_number"] for c in me["cards"]] == [main.card["card_number"]]


async def test_the_same_person_cannot_apply_twice(api: CardsApi) -> None:
    first = application()
    assert (await api.client.post("/v1/applications", json=first)).status == 201

    same_person_other_email = {
        **first,
        "first_name": first["first_name"].upper(),
        "email": "another@example.fi",
    }
    same_email_other_person = {**application(), "email": first["email"].upper()}

    for body in (same_person_other_email, same_email_other_person):
        assert await problem(await api.client.post("/v1/applications", json=body)) == (409, "already-a-member")


async def test_two_simultaneous_applications_of_one_person_make_one_membership(api: CardsApi) -> None:
    body = application()

    responses = await asyncio.gather(*(api.client.post("/v1/applications", json=body) for _ in range(2)))

    assert sorted(r.status for r in responses) == [201, 409]


async def test_invalid_applications_are_refused_with_the_failing_fields(api: CardsApi, bus: BusProbe) -> None:
    cases = [
        ({**application(), "date_of_birth": "2999-01-01"}, 422, "date_of_birth"),
        ({**application(), "email": "not-an-email"}, 422, "email"),
        ({**application(), "first_name": "   "}, 422, "first_name"),
        ({**application(), "language": "de"}, 422, "language"),
        ({**application(), "address": {**ADDRESS, "postal_code": "1"}}, 422, "address.postal_code"),
        ({**application(), "role": "main"}, 422, "role"),
        ({k: v for k, v in application().items() if k != "address"}, 422, "address"),
    ]
    for body, status, field in cases:
        resp = await api.client.post("/v1/applications", json=body)
        assert await problem(resp) == (status, "validation-failed"), body
        assert "/" + field.replace(".", "/") in [e["pointer"] for e in (await resp.json())["errors"]]

    malformed = await api.client.post(
        "/v1/applications", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert await problem(malformed) == (400, "malformed-json")
    await asyncio.sleep(0.3)
    assert bus.events == []
