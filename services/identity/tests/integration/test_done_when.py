"""The issue's "Done when" through HTTP, with the card events published as the cards service would."""

from typing import Any

from plussa_identity.testing import Holder
from plussa_shared.testing.bus import BusProbe

PASSWORD = "kesäinen mökkiranta 42"
NEW_PASSWORD = "syksyinen sienimetsä 17"


async def test_a_card_holder_registers_verifies_logs_in_refreshes_edits_profile_ends_a_session_resets_and_downloads(
    client: Any, holder: Holder, probe: BusProbe
) -> None:
    email = f"aino.{holder.person_id[:6]}@example.fi"
    registered = await client.post(
        "/v1/registrations",
        json={
            "card_number": holder.card_number,
            "date_of_birth": holder.date_of_birth.isoformat(),
            "email": email,
            "password": PASSWORD,
            "language": "fi",
        },
    )
    assert registered.status == 201, await registered.text()
    assert (await registered.json())["person_id"] == holder.person_id

    [verification] = await probe.wait_for("fi.plussa.identity.email_verification.requested")
    not_yet = await client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert not_yet.status == 403
    verified = await client.post("/v1/email-verifications", json={"token": verification["data"]["token"]})
    assert verified.status == 200, await verified.text()

    first = await client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert first.status == 201, await first.text()
    first_tokens = await first.json()
    second = await client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    second_tokens = await second.json()

    refreshed = await client.post("/v1/sessions/refresh", json={"refresh_token": first_tokens["refresh_token"]})
    assert refreshed.status == 200, await refreshed.text()
    auth = {"Authorization": f"Bearer {(await refreshed.json())['access_token']}"}

    profile = await client.get("/v1/me/profile", headers=auth)
    assert (await profile.json())["email"] == email
    edited = await client.patch("/v1/me/profile", json={"phone": "+358 40 123 4567", "language": "sv"}, headers=auth)
    assert edited.status == 200, await edited.text()
    assert (await edited.json())["language"] == "sv"
    await probe.wait_for("fi.plussa.identity.profile.updated")

    listed = await client.get("/v1/me/sessions", headers=auth)
    listed_ids = {s["session_id"] for s in (await listed.json())["items"]}
    assert listed_ids == {first_tokens["session_id"], second_tokens["session_id"]}
    ended = await client.delete(f"/v1/me/sessions/{second_tokens['session_id']}", headers=auth)
    assert ended.status == 204
    after = await client.post("/v1/sessions/refresh", json={"refresh_token": second_tokens["refresh_token"]})
    assert after.status == 401

    asked = await client.post("/v1/password-resets", json={"email": email})
    assert asked.status == 202
    [reset] = await probe.wait_for("fi.plussa.identity.password_reset.requested")
    confirmed = await client.post(
        "/v1/password-resets/confirm", json={"token": reset["data"]["token"], "new_password": NEW_PASSWORD}
    )
    assert confirmed.status == 204, await confirmed.text()
    login = await client.post("/v1/sessions", json={"email": email, "password": NEW_PASSWORD})
    assert login.status == 201
    auth = {"Authorization": f"Bearer {(await login.json())['access_token']}"}

    export = await client.post("/v1/me/data-exports", headers=auth)
    assert export.status == 202, await export.text()
    request_id = (await export.json())["request_id"]
    [asked_export] = await probe.wait_for("fi.plussa.identity.export.requested")
    assert asked_export["data"]["request_id"] == request_id
