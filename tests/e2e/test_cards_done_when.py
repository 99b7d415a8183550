"""The cards service's acceptance flow through its HTTP API on real MongoDB and RabbitMQ:
a person applies and gets a card, orders two parallel cards, authorises one, blocks a
lost card and gets a replacement on the same account, and a store issues a temporary
card that is later linked. Every change appears as an event on the bus."""

from typing import Any

from plussa_cards.app import create_app
from plussa_cards.domain.card_number import passes_luhn
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi
from plussa_shared.testing.bus import bus_probe

CARDS = "fi.plussa.cards."


async def test_a_household_joins_grows_authorises_replaces_a_lost_card_and_links_a_temporary_card(
    aiohttp_client: Any, settings_for: Any, tokens: Any, amqp_url: str
) -> None:
    settings: CardsSettings = settings_for(CardsSettings)
    async with bus_probe(amqp_url, settings.amqp_exchange, "cards.#") as bus:
        api = CardsApi(await aiohttp_client(create_app(settings)), tokens)

        # A person applies and gets a card.
        main = await api.apply("Helmi")
        assert passes_luhn(main.card["card_number"])
        assert main.card["state"] == "active"

        # Orders two parallel cards; authorises one.
        son = await api.add_parallel(main, "Eetu")
        daughter = await api.add_parallel(main, "Ella")
        granted = await api.client.put(
            f"/v1/me/household/parallel-holders/{daughter.person_id}/money-access",
            json={"can_use_money": True},
            headers=main.headers,
        )
        assert granted.status == 200
        assert (await api.look_up(daughter.card["card_number"]))["can_spend"] is True
        assert (await api.look_up(son.card["card_number"]))["can_spend"] is False

        # The son loses his card: it is blocked at once and replaced on the same account.
        lost = son.card
        blocked = await api.client.post(
            f"/v1/cards/{lost['card_id']}/block", json={"reason": "lost"}, headers=son.headers
        )
        assert (await blocked.json())["state"] == "blocked"
        ordered = await api.client.post(
            f"/v1/cards/{lost['card_id']}/replacement", json={"reason": "lost"}, headers=son.headers
        )
        replacement = await ordered.json()
        activated = await api.client.post(f"/v1/cards/{replacement['card_id']}/activate", headers=son.headers)
        assert (await activated.json())["state"] == "active"
        new_card = await api.look_up(replacement["card_number"])
        old_card = await api.look_up(lost["card_number"])
        assert (new_card["household_id"], new_card["person_id"], new_card["can_earn"]) == (
            main.household_id,
            son.person_id,
            True,
        )
        assert (old_card["state"], old_card["can_earn"]) == ("replaced", False)

        # A store issues a temporary card that the main holder later links.
        issued = await api.client.post(
            "/v1/stores/temporary-cards", json={"store_id": "k-supermarket-1"}, headers=api.as_service("cards:issue")
        )
        temporary = await issued.json()
        linked = await api.client.post(
            "/v1/me/temporary-cards/link", json={"card_number": temporary["card_number"]}, headers=main.headers
        )
        assert (await linked.json())["household_id"] == main.household_id

        # The main holder sees every live card of the household.
        household = await (await api.client.get("/v1/me/household", headers=main.headers)).json()
        seen = {c["card_id"] for m in household["members"] for c in m["cards"]}
        assert seen == {
            main.card["card_id"],
            daughter.card["card_id"],
            replacement["card_id"],
            temporary["card_id"],
        }

        # Every change appeared on the bus.
        expected = {
            "household.created": 1,
            "member.added": 3,
            "card.issued": 5,
            "access.granted": 1,
            "card.blocked": 1,
            "card.replaced": 1,
            "card.activated": 1,
            "card.linked": 1,
        }
        for kind, count in expected.items():
            await bus.wait_for(CARDS + kind, count=count)
        assert {e["type"].removeprefix(CARDS) for e in bus.events} == set(expected)
        for kind, count in expected.items():
            assert len(bus.of_type(CARDS + kind)) == count, kind
        versions = [e["data"]["card"]["version"] for e in bus.events if e["subject"] == f"card/{lost['card_id']}"]
        assert versions == [1, 2, 3]
