"""The public keys that verify identity's tokens."""

from typing import Any

from aiohttp import web
from pydantic import BaseModel

from plussa_identity.keys import context
from plussa_identity.use_cases.signing_keys import published_keys
from plussa_shared.auth import Access
from plussa_shared.caching import Cache
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="keys")


class Jwks(BaseModel):
    """A JSON Web Key Set (RFC 7517)."""

    keys: list[dict[str, Any]]


@routes.get(
    "/.well-known/jwks.json",
    summary="Public keys that verify access tokens",
    access=Access.anyone(),
    response=Jwks,
    operation_id="getSigningKeys",
    description=(
        "The active Ed25519 key and recently retired ones (RFC 7517); verifiers pick the key by the token's "
        "`kid` and may cache the set for a minute."
    ),
    response_example=Jwks(
        keys=[
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                "kid": "3fa91c2e7b5d4a60",
                "alg": "EdDSA",
                "use": "sig",
            }
        ]
    ),
    cache=Cache.public(60),
)
async def get_jwks(request: web.Request) -> Jwks:
    """The active key and recently retired ones."""
    return Jwks.model_validate(await published_keys(context(request)))
