"""OAuth 2.0 client credentials for store, partner and operator systems."""

import asyncio
import base64
import os
import sys
from typing import Any

import jwt

from plussa_identity.context import IdentityContext
from plussa_identity.settings import IdentitySettings
from plussa_identity.testing import Holder, IdentityApi
from plussa_shared.testing.bus import BusProbe

PROBLEMS = "https://api.plussa.fi/problems/"


async def token(client: Any, **form: str) -> Any:
    return await client.post("/v1/oauth/token", data={"grant_type": "client_credentials", **form})


async def test_an_operator_creates_a_till_client_whose_secret_gets_a_scoped_service_token(
    client: Any, identity: IdentityContext, operator: dict[str, str]
) -> None:
    created = await client.post(
        "/v1/clients", json={"client_id": "till-42", "scopes": ["points:spend", "cards:lookup"]}, headers=operator
    )
    assert created.status == 201, await created.text()
    secret = (await created.json())["client_secret"]
    stored = await identity.store.client("till-42")
    assert stored is not None
    assert stored["secret_hash"].startswith("$argon2id$")
    assert secret not in str(stored)

    issued = await token(client, client_id="till-42", client_secret=secret, scope="points:spend")
    assert issued.status == 200, await issued.text()
    assert issued.headers["Cache-Control"] == "no-store"
    body = await issued.json()
    assert (body["token_type"], body["scope"]) == ("Bearer", "points:spend")
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["kind"], claims["scope"]) == ("till-42", "service", "points:spend")
    assert "hh" not in claims


async def test_http_basic_client_authentication_and_a_json_body_are_accepted(
    client: Any, identity: IdentityContext, operator: dict[str, str]
) -> None:
    created = await (
        await client.post("/v1/clients", json={"client_id": "bank-1", "scopes": ["cards:bank"]}, headers=operator)
    ).json()
    basic = base64.b64encode(f"bank-1:{created['client_secret']}".encode()).decode()
    by_basic = await client.post(
        "/v1/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert by_basic.status == 200, await by_basic.text()
    by_json = await client.post(
        "/v1/oauth/token",
        json={"grant_type": "client_credentials", "client_id": "bank-1", "client_secret": created["client_secret"]},
    )
    assert (await by_json.json())["scope"] == "cards:bank"


async def test_a_wrong_secret_an_unknown_client_and_a_scope_not_held_are_refused(
    client: Any, operator: dict[str, str]
) -> None:
    created = await (
        await client.post("/v1/clients", json={"client_id": "till-7", "scopes": ["points:spend"]}, headers=operator)
    ).json()
    wrong = await token(client, client_id="till-7", client_secret="not-the-secret")
    unknown = await token(client, client_id="nobody", client_secret="not-the-secret")
    assert wrong.status == unknown.status == 401
    assert (await wrong.json())["error"] == (await unknown.json())["error"] == "invalid_client"
    greedy = await token(client, client_id="till-7", client_secret=created["client_secret"], scope="ops")
    assert greedy.status == 400
    assert (await greedy.json())["type"] == PROBLEMS + "invalid-scope"
    bad_grant = await client.post("/v1/oauth/token", data={"grant_type": "password", "client_id": "till-7"})
    assert bad_grant.status == 400
    assert (await bad_grant.json())["error"] == "invalid_request"


async def test_only_operators_create_clients_and_only_with_known_scopes(
    client: Any, probe: BusProbe, holder: Holder, operator: dict[str, str]
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", "kesäinen mökkiranta 42")
    customer = api.bearer(await api.login("aino@example.fi", "kesäinen mökkiranta 42"))
    body = {"client_id": "sneaky", "scopes": ["ops"], "kind": "operator"}
    assert (await client.post("/v1/clients", json=body)).status == 401
    assert (await client.post("/v1/clients", json=body, headers=customer)).status == 403
    unknown_scope = await client.post("/v1/clients", json={"client_id": "x-1", "scopes": ["root"]}, headers=operator)
    assert unknown_scope.status == 400
    assert (await unknown_scope.json())["type"] == PROBLEMS + "invalid-scope"
    dup = await client.post("/v1/clients", json={"client_id": "ops-console", "scopes": ["ops"]}, headers=operator)
    assert dup.status == 409


async def test_the_command_line_creates_a_client_from_the_services_environment_and_prints_its_secret_once(
    client: Any, settings: IdentitySettings
) -> None:
    env = {
        **os.environ,
        "PLUSSA_IDENTITY_MONGO_URL": str(settings.mongo_url),
        "PLUSSA_IDENTITY_MONGO_DATABASE": settings.mongo_database,
        "PLUSSA_IDENTITY_ARGON2_MEMORY_COST_KIB": "64",
        "PLUSSA_IDENTITY_ARGON2_TIME_COST": "1",
    }
    args = [
        "-m",
        "plussa_identity.commands.clients",
        "create",
        "--client-id",
        "store-9",
        "--scopes",
        "points:ingest cards:issue",
    ]
    process = await asyncio.create_subprocess_exec(
        sys.executable, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    secret = out.decode().strip()
    issued = await token(client, client_id="store-9", client_secret=secret)
    assert (await issued.json())["scope"] == "cards:issue points:ingest"

    again = await asyncio.create_subprocess_exec(
        sys.executable, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await again.communicate()
    assert again.returncode == 1
    assert out == b""
