import asyncio

from plussa_cards.testing import CardsApi, problem, unique_person
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bus import BusProbe, drain, envelope, publish

ADDRESS = {"street": "Kauppakatu 2", "postal_code": "40100", "city": "Jyväskylä"}


async def until_consuming(api: CardsApi) -> None:
    for _ in range(100):
        if (await api.client.get("/health/ready")).status == 200:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the cards service did not become ready")


def request(kind: str, person_id: str, household_id: str) -> dict[str, object]:
    return envelope(
        f"fi.plussa.identity.{kind}.requested",
        {
            "request_id": f"req-{kind}-{person_id}",
            "person_id": person_id,
            "household_id": household_id,
            "occurred_at": "2026-11-25T10:00:00+00:00",
        },
        source="/plussa/identity",
    )


async def test_an_export_request_is_answered_with_the_persons_cards(
    api: CardsApi, bus: BusProbe, amqp_url: str, cards_settings: ServiceSettings
) -> None:
    main = await api.apply("Eeva")
    await until_consuming(api)

    await publish(amqp_url, cards_settings.amqp_exchange, request("export", main.person_id, main.household_id))

    [answer] = await bus.wait_for("fi.plussa.cards.export.completed")
    data = answer["data"]
    assert (data["request_id"], data["person_id"], data["service"]) == (
        f"req-export-{main.person_id}",
        main.person_id,
        "cards",
    )
    assert data["data"]["person"]["first_name"] == "Eeva"
    assert data["data"]["person"]["address"]["city"] == "Helsinki"
    assert [c["card_number"] for c in data["data"]["cards"]] == [main.card["card_number"]]


async def test_an_erasure_request_forgets_the_person_and_closes_their_cards_once(
    api: CardsApi, bus: BusProbe, amqp_url: str, cards_settings: ServiceSettings
) -> None:
    main = await api.apply()
    leaving = await api.add_parallel(main, "Kalle")
    await until_consuming(api)
    erasure = request("erasure", leaving.person_id, leaving.household_id)

    for _ in range(2):  # a redelivered request changes nothing more
        await publish(amqp_url, cards_settings.amqp_exchange, erasure)

    [done] = await bus.wait_for("fi.plussa.cards.erasure.completed")
    [closed] = await bus.wait_for("fi.plussa.cards.card.closed")
    [removed] = await bus.wait_for("fi.plussa.cards.member.removed")
    assert done["data"]["person_id"] == leaving.person_id
    assert (closed["data"]["card"]["card_id"], closed["data"]["reason"]) == (leaving.card["card_id"], "erased")
    assert removed["data"]["person_id"] == leaving.person_id
    household = await (await api.client.get("/v1/me/household", headers=main.headers)).json()
    assert [m["person_id"] for m in household["members"]] == [main.person_id]
    assert await problem(await api.client.get("/v1/me/cards", headers=leaving.headers)) == (403, "not-a-member")
    await publish(amqp_url, cards_settings.amqp_exchange, request("export", leaving.person_id, leaving.household_id))
    [export] = await bus.wait_for("fi.plussa.cards.export.completed")
    # nothing is held under the erased id any more: the kept records are under pseudonyms
    assert export["data"]["data"] == {"person": None, "cards": [], "payment_cards": []}
    assert len(bus.of_type("fi.plussa.cards.erasure.completed")) == 1


async def test_an_erased_main_holders_card_stops_earning_and_the_person_may_join_again(
    api: CardsApi, bus: BusProbe, amqp_url: str, cards_settings: ServiceSettings
) -> None:
    details = {**unique_person("Sanni"), "email": "sanni@example.fi", "address": ADDRESS}
    joined = await (await api.client.post("/v1/applications", json=details)).json()
    refused = await api.client.post("/v1/applications", json=details)
    await until_consuming(api)

    await publish(
        amqp_url, cards_settings.amqp_exchange, request("erasure", joined["person_id"], joined["household_id"])
    )
    await bus.wait_for("fi.plussa.cards.erasure.completed")

    till = await api.client.get(
        f"/v1/lookup/cards/{joined['card']['card_number']}", headers=api.as_service("cards:lookup")
    )
    again = await api.client.post("/v1/applications", json=details)
    assert await problem(refused) == (409, "already-a-member")
    assert await problem(till) == (404, "card-not-found")  # the closed card no longer has its number
    assert again.status == 201
    assert (await again.json())["person_id"] != joined["person_id"]


async def test_a_request_that_cannot_be_read_is_dead_lettered_with_its_reason(
    api: CardsApi, bus: BusProbe, amqp_url: str, cards_settings: ServiceSettings
) -> None:
    await until_consuming(api)
    unreadable = envelope("fi.plussa.identity.erasure.requested", {"request_id": "r1"}, source="/plussa/identity")

    await publish(amqp_url, cards_settings.amqp_exchange, unreadable)

    [dead] = await drain(amqp_url, f"{cards_settings.amqp_queue_prefix}cards.events.dead")
    assert (dead.headers or {})["x-plussa-dead-reason"] == "malformed-data"
    assert "person_id" in str((dead.headers or {})["x-plussa-dead-detail"])
    assert bus.of_type("fi.plussa.cards.erasure.completed") == []
