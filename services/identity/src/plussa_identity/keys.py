"""Typed application state of the identity service."""

from aiohttp import web

from plussa_identity.adapters.signing_keys import KeyRing
from plussa_identity.context import IdentityContext

IDENTITY = web.AppKey("identity", IdentityContext)
KEYRING = web.AppKey("keyring", KeyRing)
