"""Access tokens: what identity signs, what it refuses, and key rotation without logouts."""

import asyncio
import base64
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from plussa_identity.context import IdentityContext
from plussa_identity.settings import IdentitySettings
from plussa_identity.testing import Holder, IdentityApi
from plussa_shared.auth import RemoteJwks, TokenVerifier
from plussa_shared.testing.bus import BusProbe
from plussa_shared.testing.tokens import TestTokens

PASSWORD = "kesäinen mökkiranta 42"
PROBLEMS = "https://api.plussa.fi/problems/"


async def signed_in(client: Any, probe: BusProbe, holder: Holder) -> dict[str, Any]:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    return await api.login("aino@example.fi", PASSWORD)


async def refused(client: Any, token: str, slug: str = "invalid-token") -> None:
    response = await client.get("/v1/me/profile", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401, await response.text()
    assert (await response.json())["type"] == PROBLEMS + slug


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_another_service_verifies_a_customer_token_against_the_jwks_and_reads_its_claims(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    tokens = await signed_in(client, probe, holder)
    verifier = TokenVerifier(
        RemoteJwks(str(client.make_url("/.well-known/jwks.json")), client.session),
        issuer="https://identity.plussa.fi",
        audience="plussa",
    )
    principal = await verifier.verify(tokens["access_token"])
    assert principal.kind == "customer"
    assert principal.subject == holder.person_id
    assert principal.household_id == holder.household_id
    assert principal.role == "main"
    assert principal.session_id == tokens["session_id"]
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == "EdDSA"
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert 0 < claims["exp"] - claims["iat"] <= 300


async def test_a_tampered_token_is_refused(client: Any, probe: BusProbe, holder: Holder) -> None:
    tokens = await signed_in(client, probe, holder)
    header, _payload, signature = tokens["access_token"].split(".")
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    forged = b64({**claims, "sub": "someone-else", "role": "main"})
    await refused(client, f"{header}.{forged}.{signature}")


async def test_a_token_with_alg_none_is_refused(client: Any, probe: BusProbe, holder: Holder) -> None:
    tokens = await signed_in(client, probe, holder)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    kid = jwt.get_unverified_header(tokens["access_token"])["kid"]
    await refused(client, f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{b64(claims)}.")


async def test_a_token_signed_with_another_key_under_identitys_kid_is_refused(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    tokens = await signed_in(client, probe, holder)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    kid = jwt.get_unverified_header(tokens["access_token"])["kid"]
    await refused(client, TestTokens().sign(claims, kid=kid, key=Ed25519PrivateKey.generate()))


async def test_a_token_of_an_unknown_key_is_refused(client: Any, tokens: TestTokens, holder: Holder) -> None:
    await refused(client, tokens.customer(holder.person_id, holder.household_id))


async def test_an_expired_token_is_refused(
    client: Any, identity: IdentityContext, probe: BusProbe, holder: Holder
) -> None:
    tokens = await signed_in(client, probe, holder)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    signer = await identity.keys.signer()
    past = datetime.now(UTC) - timedelta(hours=1)
    expired = jwt.encode(
        {**claims, "iat": past, "exp": past + timedelta(minutes=5)},
        signer.private_key,
        algorithm="EdDSA",
        headers={"kid": signer.kid},
    )
    await refused(client, expired, "token-expired")


async def test_rotating_the_key_logs_nobody_out_and_new_tokens_use_the_new_key(
    client: Any, probe: BusProbe, holder: Holder, operator: dict[str, str]
) -> None:
    before = await signed_in(client, probe, holder)
    old_kid = jwt.get_unverified_header(before["access_token"])["kid"]
    rotated = await client.post("/v1/keys/rotate", headers=operator)
    assert rotated.status == 200, await rotated.text()
    new_kid = (await rotated.json())["kid"]

    still = await client.get("/v1/me/profile", headers=IdentityApi.bearer(before))
    assert still.status == 200, await still.text()
    published = {k["kid"] for k in (await (await client.get("/.well-known/jwks.json")).json())["keys"]}
    assert published == {old_kid, new_kid}
    refreshed = await client.post("/v1/sessions/refresh", json={"refresh_token": before["refresh_token"]})
    assert jwt.get_unverified_header((await refreshed.json())["access_token"])["kid"] == new_kid


async def test_the_command_line_rotates_the_signing_key_as_the_operator_route_does(
    client: Any, probe: BusProbe, holder: Holder, settings: IdentitySettings
) -> None:
    before = await signed_in(client, probe, holder)
    old_kid = jwt.get_unverified_header(before["access_token"])["kid"]
    env = {
        **os.environ,
        "PLUSSA_IDENTITY_MONGO_URL": str(settings.mongo_url),
        "PLUSSA_IDENTITY_MONGO_DATABASE": settings.mongo_database,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "plussa_identity.commands.rotate_keys",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    new_kid = out.decode().strip()

    assert new_kid not in ("", old_kid)
    published = {k["kid"] for k in (await (await client.get("/.well-known/jwks.json")).json())["keys"]}
    assert published == {old_kid, new_kid}
    still = await client.get("/v1/me/profile", headers=IdentityApi.bearer(before))
    assert still.status == 200, await still.text()


async def test_only_an_operator_with_the_ops_scope_rotates_keys(
    client: Any, probe: BusProbe, holder: Holder, tokens: TestTokens
) -> None:
    customer = await signed_in(client, probe, holder)
    as_customer = await client.post("/v1/keys/rotate", headers=IdentityApi.bearer(customer))
    assert as_customer.status == 403
    as_till = await client.post("/v1/keys/rotate", headers=tokens.bearer(tokens.service("till-1", "points:spend")))
    assert as_till.status == 401  # signed by a key identity never published


async def test_private_keys_are_stored_encrypted(client: Any, identity: IdentityContext) -> None:
    document = await identity.store.db["signing_keys"].find_one({"active": True})
    assert document is not None
    assert b"ENCRYPTED PRIVATE KEY" in document["private_pem"]
    assert "d" not in document["public_jwk"]
