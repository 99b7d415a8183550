"""Typed application state of the identity service."""

from aiohttp import web

from plussa_identity.adapters.signing_keys import KeyRing
from plussa_identity.context import IdentityContext
from plussa_shared.keys import context_of

KEYRING = web.AppKey("keyring", KeyRing)
"""Made before the context: the token verifier needs identity's own keys first."""


def context(request: web.Request) -> IdentityContext:
    """The identity service's context."""
    return context_of(request.app, IdentityContext)
