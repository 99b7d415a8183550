"""Typed application state of the identity service."""

from aiohttp import web

from plussa_identity.bootstrap import Identity
from plussa_identity.signing_keys import KeyRing

IDENTITY = web.AppKey("identity", Identity)
KEYRING = web.AppKey("keyring", KeyRing)
