"""The profile ("Omat tiedot") and e-mail address changes."""

import asyncio
from datetime import UTC, datetime
from typing import Any

from plussa_identity.context import IdentityContext
from plussa_identity.testing import CardsFeed, Holder, IdentityApi, until_card_known
from plussa_shared.testing.bus import BusProbe
from plussa_shared.testing.contract import Contract

PASSWORD = "kesäinen mökkiranta 42"
PROBLEMS = "https://api.plussa.fi/problems/"


async def test_the_profile_starts_from_the_card_application_and_changes_are_published(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    auth = api.bearer(await api.login("aino@example.fi", PASSWORD))
    profile = await (await client.get("/v1/me/profile", headers=auth)).json()
    assert (profile["first_name"], profile["last_name"], profile["email_verified"]) == ("Aino", "Virtanen", True)

    address = {"street": "Mannerheimintie 1 A 2", "postal_code": "00100", "city": "Helsinki", "country": "FI"}
    changed = await client.patch("/v1/me/profile", json={"postal_address": address, "language": "sv"}, headers=auth)
    assert changed.status == 200, await changed.text()
    [event] = await probe.wait_for("fi.plussa.identity.profile.updated")
    assert event["data"]["changed"] == ["language", "postal_address"]
    assert event["data"]["language"] == "sv"
    assert event["data"]["postal_address"]["city"] == "Helsinki"
    assert "password_hash" not in event["data"]


async def test_a_new_email_address_takes_effect_only_once_verified(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    auth = api.bearer(await api.login("aino@example.fi", PASSWORD))
    pending = await (await client.patch("/v1/me/profile", json={"email": "aino@uusi.fi"}, headers=auth)).json()
    assert (pending["email"], pending["pending_email"]) == ("aino@example.fi", "aino@uusi.fi")
    await api.login("aino@example.fi", PASSWORD)

    token = await api.verification_token("aino@uusi.fi")
    assert (await client.post("/v1/email-verifications", json={"token": token})).status == 200
    await api.login("aino@uusi.fi", PASSWORD)
    assert (await client.post("/v1/sessions", json={"email": "aino@example.fi", "password": PASSWORD})).status == 401
    assert (await client.post("/v1/email-verifications", json={"token": token})).status == 400


async def test_an_email_address_of_another_login_cannot_be_taken(
    client: Any, identity: IdentityContext, cards: CardsFeed, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    parallel = await cards.parallel(holder)
    await until_card_known(identity, parallel)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    await api.registered(parallel, "eetu@example.fi", PASSWORD)
    auth = api.bearer(await api.login("eetu@example.fi", PASSWORD))
    taken = await client.patch("/v1/me/profile", json={"email": "aino@example.fi"}, headers=auth)
    assert taken.status == 409
    assert (await taken.json())["type"] == PROBLEMS + "email-in-use"


async def test_invalid_profile_values_are_refused_and_nothing_changes(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    auth = api.bearer(await api.login("aino@example.fi", PASSWORD))
    for body, slug in [
        ({"phone": "call me"}, "validation-failed"),
        ({"language": "de"}, "validation-failed"),
        ({"email": "no-at-sign"}, "invalid-email"),
        ({"first_name": None}, "validation-failed"),
        ({"is_admin": True}, "validation-failed"),
    ]:
        response = await client.patch("/v1/me/profile", json=body, headers=auth)
        assert response.status == 422, body
        assert (await response.json())["type"] == PROBLEMS + slug
    profile = await (await client.get("/v1/me/profile", headers=auth)).json()
    assert (profile["phone"], profile["language"], profile["first_name"]) == (None, "fi", "Aino")
    assert probe.of_type("fi.plussa.identity.profile.updated") == []


async def test_a_name_is_not_changed_here_but_says_where_and_a_rename_at_cards_shows_in_the_profile(
    client: Any, identity: IdentityContext, cards: CardsFeed, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    auth = api.bearer(await api.login("aino@example.fi", PASSWORD))
    refused = await client.patch("/v1/me/profile", json={"first_name": "Aino-Maria", "phone": "+358401"}, headers=auth)
    assert refused.status == 422
    problem = await refused.json()
    assert problem["type"] == PROBLEMS + "validation-failed"
    [error] = problem["errors"]
    assert (error["pointer"], error["code"]) == ("/first_name", "owned_by_cards")
    assert "cards" in error["detail"]

    await cards.publish(
        "fi.plussa.cards.member.renamed",
        {
            "household_id": holder.household_id,
            "person_id": holder.person_id,
            "first_name": "Aino-Maria",
            "last_name": "Virtanen",
            "occurred_at": datetime.now(UTC).isoformat(),
        },
        f"household/{holder.household_id}",
    )
    deadline = asyncio.get_running_loop().time() + 10
    while (profile := await (await client.get("/v1/me/profile", headers=auth)).json())["first_name"] != "Aino-Maria":
        assert asyncio.get_running_loop().time() < deadline, profile
        await asyncio.sleep(0.05)
    assert probe.of_type("fi.plussa.identity.profile.updated") == []  # identity does not republish cards' fact


async def test_the_profile_has_an_etag_and_a_stale_if_match_is_412_and_changes_nothing(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    auth = api.bearer(await api.login("aino@example.fi", PASSWORD))
    contract = Contract.of(client.app)
    read = await client.get("/v1/me/profile", headers=auth)
    body = await contract.check_response(read)
    tag = read.headers["ETag"]
    assert tag == f'"{body["version"]}"'
    assert (await client.get("/v1/me/profile", headers={**auth, "If-None-Match": tag})).status == 304

    changed = await client.patch("/v1/me/profile", json={"language": "en"}, headers={**auth, "If-Match": tag})
    await contract.check_response(changed)
    assert changed.status == 200
    assert changed.headers["ETag"] == f'"{body["version"] + 1}"'
    stale = await client.patch("/v1/me/profile", json={"language": "sv"}, headers={**auth, "If-Match": tag})
    assert stale.status == 412
    await contract.check_response(stale)
    assert (await stale.json())["type"] == PROBLEMS + "precondition-failed"
    after = await (await client.get("/v1/me/profile", headers=auth)).json()
    assert (after["language"], after["version"]) == ("en", body["version"] + 1)
