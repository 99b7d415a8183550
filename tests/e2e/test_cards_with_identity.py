"""A new member applies for a card, registers in Oma Plussa with its number, and manages
the household with the token identity signs: cards verifies it through identity's JWKS."""

import asyncio
from typing import Any

from plussa_cards.app import create_app as create_cards_app
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi, problem, unique_person
from plussa_identity.app import create_app as create_identity_app
from plussa_identity.settings import IdentitySettings
from plussa_shared.testing.bus import bus_probe

PASSWORD = "talvinen saaristoreitti 7"
FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}


async def register_once_identity_knows_the_card(identity: Any, body: dict[str, Any]) -> Any:
    """Identity learns of cards from the bus; until then the card number is not recognised."""
    for _ in range(100):
        resp = await identity.post("/v1/registrations", json=body)
        if resp.status == 201:
            return resp
        await asyncio.sleep(0.05)
    raise AssertionError(f"registration never accepted: {resp.status} {await resp.text()}")


async def test_a_member_registers_with_the_card_number_and_manages_the_household_with_identitys_token(
    aiohttp_client: Any, settings_for: Any, tokens: Any, amqp_url: str, bus_recorder: Any, response_recorder: Any
) -> None:
    identity_settings: IdentitySettings = settings_for(IdentitySettings, **FAST_HASHING)
    identity = await response_recorder.client(aiohttp_client, create_identity_app(identity_settings))
    cards_settings: CardsSettings = settings_for(
        CardsSettings, jwks_url=str(identity.make_url("/.well-known/jwks.json"))
    )
    cards = CardsApi(await response_recorder.client(aiohttp_client, create_cards_app(cards_settings)), tokens)
    person = unique_person("Tuuli")
    email = f"tuuli.{person['last_name'].lower()}@example.fi"

    async with (
        bus_recorder(identity_settings) as recorded,
        bus_probe(
            amqp_url,
            [identity_settings.amqp_exchange, identity_settings.private_exchange("notifications")],
            "identity.#",
        ) as bus,
    ):
        applied = await cards.client.post(
            "/v1/applications",
            json={
                **person,
                "email": email,
                "language": "fi",
                "address": {"street": "Aleksanterinkatu 9", "postal_code": "00100", "city": "Helsinki"},
            },
        )
        joined = await applied.json()
        registered = await register_once_identity_knows_the_card(
            identity,
            {
                "card_number": joined["card"]["card_number"],
                "date_of_birth": person["date_of_birth"],
                "email": email,
                "password": PASSWORD,
                "language": "fi",
            },
        )
        assert (await registered.json())["person_id"] == joined["person_id"]
        [verification] = await bus.wait_for("fi.plussa.identity.email_verification.requested")
        await identity.post("/v1/email-verifications", json={"token": verification["data"]["token"]})
        login = await identity.post("/v1/sessions", json={"email": email, "password": PASSWORD})
        assert login.status == 201, await login.text()
        signed_by_identity = {"Authorization": f"Bearer {(await login.json())['access_token']}"}

        household = await cards.client.get("/v1/me/household", headers=signed_by_identity)
        ordered = await cards.client.post(
            "/v1/me/household/parallel-holders", json=unique_person("Usva"), headers=signed_by_identity
        )
        forged = await cards.client.get(
            "/v1/me/household", headers=tokens.bearer(tokens.customer(joined["person_id"], joined["household_id"]))
        )

    assert household.status == 200, await household.text()
    assert (await household.json())["household_id"] == joined["household_id"]
    assert ordered.status == 201, await ordered.text()
    # A token signed by any key other than identity's is refused.
    assert await problem(forged) == (401, "invalid-token")
    assert {"fi.plussa.cards.household.created", "fi.plussa.identity.customer.registered"} <= set(recorded.types)
    response_recorder.assert_all_documented()
