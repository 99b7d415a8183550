"""Password change and reset by e-mail."""

from datetime import UTC, datetime, timedelta
from typing import Any

from plussa_identity.adapters.opaque_tokens import token_hash
from plussa_identity.context import IdentityContext
from plussa_identity.store import LINK_TOKENS
from plussa_identity.testing import Holder, IdentityApi
from plussa_shared.testing.bus import BusProbe

PASSWORD = "kesäinen mökkiranta 42"
NEW = "syksyinen sienimetsä 17"
PROBLEMS = "https://api.plussa.fi/problems/"
RESET = "fi.plussa.identity.password_reset.requested"


async def reset_token(client: Any, probe: BusProbe, email: str) -> str:
    assert (await client.post("/v1/password-resets", json={"email": email})).status == 202
    events = await probe.wait_for(RESET, lambda e: e["data"]["email"] == email)
    return str(events[-1]["data"]["token"])


async def confirm(client: Any, token: str, password: str = NEW) -> Any:
    return await client.post("/v1/password-resets/confirm", json={"token": token, "new_password": password})


async def test_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    await IdentityApi(client, probe).registered(holder, "aino@example.fi", PASSWORD)
    unknown = await client.post("/v1/password-resets", json={"email": "nobody@example.fi"})
    malformed = await client.post("/v1/password-resets", json={"email": "not an address"})
    assert unknown.status == malformed.status == 202
    assert await unknown.read() == await malformed.read() == b""
    await reset_token(client, probe, "aino@example.fi")
    assert [e["data"]["email"] for e in probe.of_type(RESET)] == ["aino@example.fi"]


async def test_a_reset_token_works_once_and_ends_every_session(client: Any, probe: BusProbe, holder: Holder) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    before = await api.login("aino@example.fi", PASSWORD)
    token = await reset_token(client, probe, "aino@example.fi")

    assert (await confirm(client, token)).status == 204
    again = await confirm(client, token, "talvinen hiihtolatu 88")
    assert again.status == 400
    assert (await again.json())["type"] == PROBLEMS + "invalid-link-token"
    assert (await client.post("/v1/sessions/refresh", json={"refresh_token": before["refresh_token"]})).status == 401
    assert (await client.post("/v1/sessions", json={"email": "aino@example.fi", "password": PASSWORD})).status == 401
    await api.login("aino@example.fi", NEW)
    await probe.wait_for("fi.plussa.identity.password.changed")


async def test_an_expired_reset_token_is_refused_and_changes_nothing(
    client: Any, identity: IdentityContext, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    token = await reset_token(client, probe, "aino@example.fi")
    await identity.store.db[LINK_TOKENS].update_one(
        {"_id": token_hash(token)}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}}
    )
    response = await confirm(client, token)
    assert response.status == 400
    assert (await response.json())["type"] == PROBLEMS + "expired-link-token"
    await api.login("aino@example.fi", PASSWORD)


async def test_a_weak_new_password_does_not_use_the_reset_token_up(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    await IdentityApi(client, probe).registered(holder, "aino@example.fi", PASSWORD)
    token = await reset_token(client, probe, "aino@example.fi")
    weak = await confirm(client, token, "password1234")
    assert (await weak.json())["type"] == PROBLEMS + "breached-password"
    assert (await confirm(client, token)).status == 204


async def test_a_newer_reset_link_replaces_the_older_one(client: Any, probe: BusProbe, holder: Holder) -> None:
    await IdentityApi(client, probe).registered(holder, "aino@example.fi", PASSWORD)
    older = await reset_token(client, probe, "aino@example.fi")
    assert (await client.post("/v1/password-resets", json={"email": "aino@example.fi"})).status == 202
    await probe.wait_for(RESET, count=2)
    assert (await confirm(client, older)).status == 400


async def test_changing_the_password_ends_the_other_sessions_but_not_this_one(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    here = await api.login("aino@example.fi", PASSWORD)
    elsewhere = await api.login("aino@example.fi", PASSWORD)
    wrong = await client.put(
        "/v1/me/password", json={"current_password": "väärä salasana 1", "new_password": NEW}, headers=api.bearer(here)
    )
    assert wrong.status == 403  # signed in, not allowed: never 401, which a BFF reads as "log out"
    problem = await wrong.json()
    assert problem["type"] == PROBLEMS + "wrong-current-password"
    assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [("/current_password", "wrong_password")]
    assert (await client.get("/v1/me/profile", headers=api.bearer(here))).status == 200
    changed = await client.put(
        "/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW}, headers=api.bearer(here)
    )
    assert changed.status == 204, await changed.text()
    assert (await client.get("/v1/me/profile", headers=api.bearer(here))).status == 200
    assert (await client.post("/v1/sessions/refresh", json={"refresh_token": elsewhere["refresh_token"]})).status == 401
    assert (await client.post("/v1/sessions/refresh", json={"refresh_token": here["refresh_token"]})).status == 200
