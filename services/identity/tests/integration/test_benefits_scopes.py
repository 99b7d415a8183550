"""The benefits service's credentials: chains and partners manage offers, stores run sponsorship."""

from typing import Any

import jwt


async def test_a_chain_and_a_store_get_tokens_with_the_benefits_scopes(client: Any, operator: dict[str, str]) -> None:
    for client_id, scope in (("k-citymarket", "benefits:offers"), ("k-market-kallio", "benefits:sponsorship")):
        created = await client.post("/v1/clients", json={"client_id": client_id, "scopes": [scope]}, headers=operator)
        assert created.status == 201, await created.text()
        secret = (await created.json())["client_secret"]

        issued = await client.post(
            "/v1/oauth/token",
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "scope": scope},
        )

        assert issued.status == 200, await issued.text()
        claims = jwt.decode((await issued.json())["access_token"], options={"verify_signature": False})
        assert (claims["sub"], claims["scope"]) == (client_id, scope)
