"""The public keys that verify identity's tokens."""

from typing import Any

from aiohttp import web
from pydantic import BaseModel

from plussa_identity.keys import context
from plussa_identity.use_cases.signing_keys import published_keys
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="keys")


class Jwks(BaseModel):
    """A JSON Web Key Set (RFC 7517)."""

    keys: list[dict[str, Any]]


@routes.get(
    "/.well-known/jwks.json", summary="Public keys that verify access tokens", access=Access.anyone(), response=Jwks
)
async def get_jwks(request: web.Request) -> web.Response:
    """The active key and recently retired ones; cached briefly by verifiers."""
    body = await published_keys(context(request))
    return web.json_response(body, headers={"Cache-Control": "public, max-age=60"})
