"""Logout everywhere: every way a session ends publishes ``identity.session.ended``, and
another service refuses the ended session's access token within two seconds."""

import asyncio
import time
import uuid
from datetime import datetime
from typing import Any

import jwt

from plussa_identity.context import IdentityContext
from plussa_identity.testing import CardsFeed, Holder, IdentityApi, until_card_known
from plussa_shared.app import create_service_app
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bus import BusProbe, Event
from plussa_shared.testing.sample import WRITER

PASSWORD = "kesäinen mökkiranta 42"
NEW = "syksyinen sienimetsä 17"
ENDED = "fi.plussa.identity.session.ended"


def of_session(tokens: dict[str, Any]) -> Any:
    return lambda e: e["data"]["session_id"] == tokens["session_id"]


def covers_token(event: Event, claims: dict[str, Any]) -> bool:
    """The revocation lasts until the token expires (its ``exp`` is whole seconds), not much longer."""
    expires_at = datetime.fromisoformat(event["data"]["expires_at"]).timestamp()
    return bool(claims["exp"] <= expires_at < claims["exp"] + 1)


async def ended_event(probe: BusProbe, tokens: dict[str, Any]) -> Event:
    [event] = await probe.wait_for(ENDED, of_session(tokens))
    return event


async def signed_in(client: Any, probe: BusProbe, holder: Holder, logins: int = 1) -> list[dict[str, Any]]:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    return [await api.login("aino@example.fi", PASSWORD) for _ in range(logins)]


async def write_note(writer: Any, tokens: dict[str, Any]) -> int:
    body = {"note_id": uuid.uuid4().hex[:8], "text": "muistiinpano"}
    return int((await writer.post("/v1/notes", json=body, headers=IdentityApi.bearer(tokens))).status)


async def test_after_logout_another_service_refuses_the_same_token_within_two_seconds(
    aiohttp_client: Any, settings_for: Any, client: Any, probe: BusProbe, holder: Holder
) -> None:
    jwks_url = str(client.make_url("/.well-known/jwks.json"))
    writer = await aiohttp_client(
        create_service_app(settings_for(ServiceSettings, service_name="writer", jwks_url=jwks_url), WRITER)
    )
    [tokens, other] = await signed_in(client, probe, holder, logins=2)
    assert await write_note(writer, tokens) == 201  # verified through identity's keys, and cached

    assert (await client.delete("/v1/sessions/current", headers=IdentityApi.bearer(tokens))).status == 204
    logged_out = time.monotonic()
    while (status := await write_note(writer, tokens)) != 401:
        assert status == 201
        assert time.monotonic() - logged_out < 2.0, "the logged-out token was still accepted after 2 s"
        await asyncio.sleep(0.05)
    assert await write_note(writer, other) == 201  # the person's other session goes on

    event = await ended_event(probe, tokens)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert event["subject"] == f"person/{holder.person_id}"
    assert event["data"]["person_id"] == holder.person_id
    assert event["data"]["reason"] == "logout"
    assert covers_token(event, claims)
    assert set(event["data"]) == {"session_id", "person_id", "reason", "expires_at", "occurred_at"}


async def test_ending_one_session_from_the_list_announces_that_session_only(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    [here, lost_phone] = await signed_in(client, probe, holder, logins=2)
    path = f"/v1/me/sessions/{lost_phone['session_id']}"
    assert (await client.delete(path, headers=IdentityApi.bearer(here))).status == 204
    assert (await ended_event(probe, lost_phone))["data"]["reason"] == "ended-by-person"
    await asyncio.sleep(0.3)
    assert [e["data"]["session_id"] for e in probe.of_type(ENDED)] == [lost_phone["session_id"]]


async def test_a_password_change_announces_every_other_session_and_keeps_this_one(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    [here, *elsewhere] = await signed_in(client, probe, holder, logins=3)
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert (await client.put("/v1/me/password", json=body, headers=IdentityApi.bearer(here))).status == 204
    events = await probe.wait_for(ENDED, count=2)
    assert {e["data"]["session_id"] for e in events} == {t["session_id"] for t in elsewhere}
    assert {e["data"]["reason"] for e in events} == {"password-changed"}
    await asyncio.sleep(0.3)
    assert here["session_id"] not in {e["data"]["session_id"] for e in probe.of_type(ENDED)}


async def test_a_password_reset_announces_every_session(client: Any, probe: BusProbe, holder: Holder) -> None:
    sessions = await signed_in(client, probe, holder, logins=2)
    assert (await client.post("/v1/password-resets", json={"email": "aino@example.fi"})).status == 202
    [reset] = await probe.wait_for("fi.plussa.identity.password_reset.requested")
    confirm = {"token": reset["data"]["token"], "new_password": NEW}
    assert (await client.post("/v1/password-resets/confirm", json=confirm)).status == 204
    events = await probe.wait_for(ENDED, count=2)
    assert {e["data"]["session_id"] for e in events} == {t["session_id"] for t in sessions}
    assert {e["data"]["reason"] for e in events} == {"password-reset"}


async def test_a_reused_refresh_token_announces_the_end_of_its_family(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    [first] = await signed_in(client, probe, holder)
    rotated = await client.post("/v1/sessions/refresh", json={"refresh_token": first["refresh_token"]})
    newest = await rotated.json()
    reused = await client.post("/v1/sessions/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status == 401
    event = await ended_event(probe, first)
    assert event["data"]["reason"] == "refresh-token-reused"
    claims = jwt.decode(newest["access_token"], options={"verify_signature": False})
    assert covers_token(event, claims)  # the latest token of the family


async def test_leaving_the_household_announces_the_persons_sessions(
    client: Any, identity: IdentityContext, cards: CardsFeed, probe: BusProbe, holder: Holder
) -> None:
    parallel = await cards.parallel(holder)
    await until_card_known(identity, parallel)
    api = IdentityApi(client, probe)
    await api.registered(parallel, "eetu@example.fi", PASSWORD)
    tokens = await api.login("eetu@example.fi", PASSWORD)
    await cards.member_removed(parallel)
    assert (await ended_event(probe, tokens))["data"]["reason"] == "membership-ended"
