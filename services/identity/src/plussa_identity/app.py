"""Wiring of the identity service: routes, context, subscriptions, indexes. No I/O here."""

from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web
from pydantic import TypeAdapter

from plussa_identity.adapters.signing_keys import KeyRing
from plussa_identity.context import IdentityContext
from plussa_identity.keys import KEYRING
from plussa_identity.routes import jwks, oauth, passwords, privacy, profile, registrations, sessions
from plussa_identity.settings import IdentitySettings
from plussa_identity.store import INDEXES, IdentityStore
from plussa_identity.subscriptions import subscriptions
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.auth import KeySource
from plussa_shared.context import system_clock
from plussa_shared.keys import DB, MONGO, OPENAPI, OUTBOX


def create_app(settings: IdentitySettings) -> web.Application:
    """Build the identity service's application."""
    app = create_service_app(
        settings,
        ServiceSpec(
            title="Plussa identity",
            routes=[
                jwks.routes,
                registrations.routes,
                sessions.routes,
                passwords.routes,
                profile.routes,
                privacy.routes,
                oauth.routes,
            ],
            context=_context(settings),
            subscriptions=subscriptions,
            indexes=INDEXES,
            contexts=[_first_signing_key],
            key_source=_key_ring(settings),
        ),
    )
    _describe_form_body(app[OPENAPI])
    return app


def _key_ring(settings: IdentitySettings) -> Callable[[web.Application], KeySource]:
    """Identity verifies its own tokens with its own keys, read from its database."""

    def source(app: web.Application) -> KeySource:
        keys = KeyRing(IdentityStore(app[DB]), settings, system_clock)
        app[KEYRING] = keys
        return keys

    return source


def _context(settings: IdentitySettings) -> Callable[[web.Application], IdentityContext]:
    def build(app: web.Application) -> IdentityContext:
        return IdentityContext.build(settings, app[MONGO], app[DB], app[OUTBOX], app[KEYRING])

    return build


async def _first_signing_key(app: web.Application) -> AsyncIterator[None]:
    """Make the first signing key if there is none, before the first request is served."""
    await app[KEYRING].start()
    yield


def _describe_form_body(document: dict[str, Any]) -> None:
    """The token endpoint reads a form (RFC 6749), which the JSON route declarations cannot say."""
    document["paths"]["/v1/oauth/token"]["post"]["requestBody"] = oauth.FORM_SCHEMA
    document["components"]["schemas"]["TokenRequest"] = TypeAdapter(oauth.TokenRequest).json_schema()
