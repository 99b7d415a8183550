"""A session identity ended is refused at every service within about two seconds."""

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from plussa_shared.app import create_service_app
from plussa_shared.keys import DB
from plussa_shared.revocation import REVOKED_SESSIONS, SESSION_ENDED
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bus import envelope, publish
from plussa_shared.testing.sample import WRITER


def _token(tokens: Any, session_id: str) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": "https://identity.plussa.fi",
        "aud": "plussa",
        "sub": "p1",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "kind": "customer",
        "hh": "h1",
        "role": "main",
        "sid": session_id,
    }
    return str(tokens.sign(claims))


async def _write(client: Any, token: str) -> int:
    body = {"note_id": uuid.uuid4().hex[:8], "text": "x"}
    resp = await client.post("/v1/notes", json=body, headers={"Authorization": f"Bearer {token}"})
    return int(resp.status)


async def test_a_token_of_an_ended_session_gets_401_within_two_seconds_and_other_sessions_go_on(
    aiohttp_client: Any, settings_for: Any, amqp_url: str, tokens: Any
) -> None:
    settings = settings_for(ServiceSettings, service_name="writer")
    client = await aiohttp_client(create_service_app(settings, WRITER))
    ended, other = uuid.uuid4().hex, uuid.uuid4().hex
    token, other_token = _token(tokens, ended), _token(tokens, other)
    assert await _write(client, token) == 201  # verified, and now cached

    expires = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    data = {
        "session_id": ended,
        "person_id": "p1",
        "reason": "logout",
        "expires_at": expires,
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    await publish(amqp_url, settings.amqp_exchange, envelope(SESSION_ENDED, data, source="/plussa/identity"))
    published = time.monotonic()
    while await _write(client, token) != 401:
        assert time.monotonic() - published < 2.0, "the ended session's token was still accepted after 2 s"
        await asyncio.sleep(0.05)

    resp = await client.post(
        "/v1/notes", json={"note_id": "n", "text": "x"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status == 401
    assert (await resp.json())["type"].endswith("/session-ended")
    assert await _write(client, other_token) == 201


async def test_a_revocation_is_kept_only_until_the_sessions_tokens_expire(
    aiohttp_client: Any, settings_for: Any, amqp_url: str
) -> None:
    settings = settings_for(ServiceSettings, service_name="writer")
    client = await aiohttp_client(create_service_app(settings, WRITER))
    expires = datetime.now(UTC) + timedelta(minutes=15)
    data = {
        "session_id": "s-ttl",
        "person_id": "p1",
        "reason": "logout",
        "expires_at": expires.isoformat(),
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    await publish(amqp_url, settings.amqp_exchange, envelope(SESSION_ENDED, data, source="/plussa/identity"))
    collection = client.app[DB][REVOKED_SESSIONS]
    deadline = time.monotonic() + 10
    while (stored := await collection.find_one({"_id": "s-ttl"})) is None:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert abs(stored["expires_at"].replace(tzinfo=UTC) - expires) < timedelta(milliseconds=2)
    ttl = [i for i in await (await collection.list_indexes()).to_list() if i["name"] == "expiry_ttl"]
    assert [i["expireAfterSeconds"] for i in ttl] == [0]
