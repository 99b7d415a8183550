"""Wiring of the identity service: routes, subscriptions, indexes. No I/O here."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import TypeAdapter

from plussa_identity.adapters.signing_keys import KeyRing
from plussa_identity.context import IdentityContext, system_clock
from plussa_identity.keys import IDENTITY, KEYRING
from plussa_identity.routes import jwks, oauth, passwords, privacy, profile, registrations, sessions
from plussa_identity.settings import IdentitySettings
from plussa_identity.store import INDEXES, IdentityStore
from plussa_identity.subscriptions import table
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.auth import KeySource
from plussa_shared.consumer import Subscription
from plussa_shared.events import CloudEvent
from plussa_shared.keys import DB, MONGO, OPENAPI, OUTBOX
from plussa_shared.mongo import Session


def create_app(settings: IdentitySettings) -> web.Application:
    """Build the identity service's application."""
    started: dict[str, IdentityContext] = {}
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
            subscriptions=_subscriptions(settings, started),
            indexes=INDEXES,
            contexts=[_identity_ctx(settings, started)],
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


def _identity_ctx(
    settings: IdentitySettings, started: dict[str, IdentityContext]
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        await app[KEYRING].start()
        identity = IdentityContext.build(settings, app[MONGO], app[DB], app[OUTBOX], app[KEYRING])
        app[IDENTITY] = started["identity"] = identity
        yield

    return ctx


def _subscriptions(settings: IdentitySettings, started: dict[str, IdentityContext]) -> list[Subscription[Any]]:
    """The subscription table, bound to the context once it is started."""

    def bind(use_case: Callable[[IdentityContext, Any], Awaitable[None]]) -> Callable[[Any, Session], Awaitable[None]]:
        async def handle(event: CloudEvent[Any], session: Session) -> None:
            ctx = started.get("identity")
            if ctx is None:
                raise RuntimeError("identity is not started yet")
            await ctx.joining(session, lambda: use_case(ctx, event))

        return handle

    rows = table(settings)
    return [Subscription(event_type, schema, bind(use_case)) for event_type, schema, use_case in rows]


def _describe_form_body(document: dict[str, Any]) -> None:
    """The token endpoint reads a form (RFC 6749), which the JSON route declarations cannot say."""
    document["paths"]["/v1/oauth/token"]["post"]["requestBody"] = oauth.FORM_SCHEMA
    document["components"]["schemas"]["TokenRequest"] = TypeAdapter(oauth.TokenRequest).json_schema()
