"""Refresh token rotation and reuse, logout, sessions, and membership changes."""

import asyncio
from typing import Any

import jwt

from plussa_identity.context import IdentityContext
from plussa_identity.testing import CardsFeed, Holder, IdentityApi, until_card_known
from plussa_shared.testing.bus import BusProbe

PASSWORD = "kesäinen mökkiranta 42"
PROBLEMS = "https://api.plussa.fi/problems/"


async def refresh(client: Any, token: str) -> Any:
    return await client.post("/v1/sessions/refresh", json={"refresh_token": token})


async def test_reusing_a_refresh_token_ends_the_whole_family(client: Any, probe: BusProbe, holder: Holder) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    first = await api.login("aino@example.fi", PASSWORD)
    second = await (await refresh(client, first["refresh_token"])).json()

    reused = await refresh(client, first["refresh_token"])
    assert reused.status == 401
    assert (await reused.json())["type"] == PROBLEMS + "refresh-token-reused"
    stolen_family = await refresh(client, second["refresh_token"])
    assert stolen_family.status == 401
    assert (await stolen_family.json())["type"] == PROBLEMS + "invalid-refresh-token"
    assert (await client.get("/v1/me/profile", headers=api.bearer(second))).status == 401


async def test_an_unknown_refresh_token_is_refused(client: Any) -> None:
    response = await refresh(client, "not-a-token")
    assert response.status == 401
    assert (await response.json())["type"] == PROBLEMS + "invalid-refresh-token"


async def test_logout_ends_the_session_and_its_refresh_token(client: Any, probe: BusProbe, holder: Holder) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    tokens = await api.login("aino@example.fi", PASSWORD)
    assert (await client.delete("/v1/sessions/current", headers=api.bearer(tokens))).status == 204
    assert (await refresh(client, tokens["refresh_token"])).status == 401
    after = await client.get("/v1/me/sessions", headers=api.bearer(tokens))
    assert (await after.json())["type"] == PROBLEMS + "session-ended"


async def test_a_person_cannot_end_another_persons_session(
    client: Any, identity: IdentityContext, cards: CardsFeed, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    parallel = await cards.parallel(holder)
    await until_card_known(identity, parallel)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    await api.registered(parallel, "eetu@example.fi", PASSWORD)
    aino = await api.login("aino@example.fi", PASSWORD)
    eetu = await api.login("eetu@example.fi", PASSWORD)
    response = await client.delete(f"/v1/me/sessions/{aino['session_id']}", headers=api.bearer(eetu))
    assert response.status == 404
    assert (await refresh(client, aino["refresh_token"])).status == 200


async def test_a_parallel_holder_gets_their_role_and_household_and_cannot_refresh_once_removed(
    client: Any, identity: IdentityContext, cards: CardsFeed, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    parallel = await cards.parallel(holder)
    await until_card_known(identity, parallel)
    await api.registered(parallel, "eetu@example.fi", PASSWORD)
    tokens = await api.login("eetu@example.fi", PASSWORD)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert (claims["role"], claims["hh"], claims["kind"]) == ("parallel", holder.household_id, "customer")

    await cards.member_removed(parallel)
    for _ in range(100):
        member = await identity.store.member(parallel.person_id)
        if member is not None and member.removed:
            break
        await asyncio.sleep(0.05)
    response = await refresh(client, tokens["refresh_token"])
    assert response.status == 401  # removing the member ended the session
    assert (await response.json())["type"] == PROBLEMS + "invalid-refresh-token"
    login = await client.post("/v1/sessions", json={"email": "eetu@example.fi", "password": PASSWORD})
    assert login.status == 403
    assert (await login.json())["type"] == PROBLEMS + "membership-ended"
