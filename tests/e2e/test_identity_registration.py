"""The issue's "Done when" on the real stack: a person whose card the cards service
issued registers on identity, verifies the e-mail, logs in, refreshes, edits the
profile, ends a session, resets the password and downloads their data, which the
cards and points services contribute to. Identity's tokens are verified by cards
through identity's JWKS."""

import asyncio
from typing import Any

from plussa_cards.app import create_app as create_cards_app
from plussa_cards.settings import CardsSettings
from plussa_identity.app import create_app as create_identity_app
from plussa_identity.settings import IdentitySettings
from plussa_identity.testing import IdentityApi
from plussa_points.app import create_app as create_points_app
from plussa_points.settings import PointsSettings
from plussa_shared.testing.bus import bus_probe

PASSWORD = "kesäinen mökkiranta 42"
NEW_PASSWORD = "syksyinen sienimetsä 17"
FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}
APPLICANT = {
    "first_name": "Aino",
    "last_name": "Virtanen",
    "date_of_birth": "1984-05-17",
    "email": "aino.virtanen@example.fi",
    "language": "fi",
    "address": {"street": "Mannerheimintie 1", "postal_code": "00100", "city": "Helsinki"},
}


async def until(check: Any, timeout: float = 20.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_a_person_whose_card_was_issued_by_cards_registers_and_uses_every_identity_feature(
    aiohttp_client: Any, settings_for: Any
) -> None:
    # the privacy participants deployed in this test (the default lists every service)
    participants = ["identity", "cards", "points"]
    identity_settings = settings_for(IdentitySettings, privacy_participants=participants, **FAST_HASHING)
    async with bus_probe(
        identity_settings.amqp_url.get_secret_value(),
        [identity_settings.amqp_exchange, identity_settings.private_exchange("notifications")],
        "identity.#",
    ) as probe:
        identity = await aiohttp_client(create_identity_app(identity_settings))
        jwks_url = str(identity.make_url("/.well-known/jwks.json"))
        cards = await aiohttp_client(create_cards_app(settings_for(CardsSettings, jwks_url=jwks_url)))
        await aiohttp_client(create_points_app(settings_for(PointsSettings, jwks_url=jwks_url)))
        api = IdentityApi(identity, probe)

        applied = await cards.post("/v1/applications", json=APPLICANT)
        assert applied.status == 201, await applied.text()
        card = (await applied.json())["card"]
        registration = {
            "card_number": card["card_number"],
            "date_of_birth": APPLICANT["date_of_birth"],
            "email": "aino@example.fi",
            "password": PASSWORD,
            "language": "fi",
        }

        async def registered() -> Any:
            response = await identity.post("/v1/registrations", json=registration)
            return response if response.status != 422 else None  # identity has not heard of the card yet

        response = await until(registered)
        assert response.status == 201, await response.text()
        token = await api.verification_token("aino@example.fi")
        assert (await identity.post("/v1/email-verifications", json={"token": token})).status == 200

        first = await api.login("aino@example.fi", PASSWORD)
        other = await api.login("aino@example.fi", PASSWORD)
        refreshed = await identity.post("/v1/sessions/refresh", json={"refresh_token": first["refresh_token"]})
        assert refreshed.status == 200
        auth = api.bearer(await refreshed.json())

        my_cards = await cards.get("/v1/me/cards", headers=auth)
        assert my_cards.status == 200, await my_cards.text()
        assert card["card_number"] in await my_cards.text()

        profile = await (await identity.get("/v1/me/profile", headers=auth)).json()
        assert (profile["first_name"], profile["last_name"]) == ("Aino", "Virtanen")
        edited = await identity.patch("/v1/me/profile", json={"phone": "+358 40 123 4567"}, headers=auth)
        assert (await edited.json())["phone"] == "+358 40 123 4567"

        assert (await identity.delete(f"/v1/me/sessions/{other['session_id']}", headers=auth)).status == 204
        ended = await identity.post("/v1/sessions/refresh", json={"refresh_token": other["refresh_token"]})
        assert ended.status == 401

        assert (await identity.post("/v1/password-resets", json={"email": "aino@example.fi"})).status == 202
        [reset] = await probe.wait_for("fi.plussa.identity.password_reset.requested")
        confirmed = await identity.post(
            "/v1/password-resets/confirm", json={"token": reset["data"]["token"], "new_password": NEW_PASSWORD}
        )
        assert confirmed.status == 204
        auth = api.bearer(await api.login("aino@example.fi", NEW_PASSWORD))

        export = await (await identity.post("/v1/me/data-exports", headers=auth)).json()
        path = f"/v1/me/data-exports/{export['request_id']}"

        async def complete() -> Any:
            body = await (await identity.get(path, headers=auth)).json()
            return body if body["status"] == "completed" else None

        progress = await until(complete)
        assert {p["service"] for p in progress["participants"]} == {"identity", "cards", "points"}
        download = await identity.get(f"{path}/download", headers=auth)
        assert download.status == 200
        document = await download.json()
        assert card["card_number"] in str(document["services"]["cards"])
        assert document["services"]["identity"]["profile"]["phone"] == "+358 40 123 4567"
        assert "points" in document["services"]
