"""Wiring of the identity service: routes, subscriptions, indexes. No I/O here."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import TypeAdapter

from plussa_identity.bootstrap import Identity
from plussa_identity.events.card_events import (
    CARD_EVENT_TYPES,
    AccessChanged,
    CardChanged,
    HouseholdCreated,
    MemberAdded,
    MemberRemoved,
)
from plussa_identity.events.privacy_events import ErasureAnswer, ExportAnswer
from plussa_identity.keys import IDENTITY, KEYRING
from plussa_identity.routes import jwks, oauth, passwords, privacy, profile, registrations, sessions
from plussa_identity.settings import IdentitySettings
from plussa_identity.signing_keys import KeyRing
from plussa_identity.store import INDEXES
from plussa_identity.use_cases import privacy as privacy_cases
from plussa_identity.use_cases import read_model
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.auth import KeySource
from plussa_shared.consumer import Subscription
from plussa_shared.events import CloudEvent
from plussa_shared.keys import DB, MONGO, OPENAPI, OUTBOX
from plussa_shared.mongo import Session

Handler = Callable[[Identity, Any, Session], Awaitable[None]]
"""A use case applying an event (``CloudEvent`` of the subscription's schema)."""


def create_app(settings: IdentitySettings) -> web.Application:
    """Build the identity service's application."""
    started: dict[str, Identity] = {}
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
        keys = KeyRing(app[MONGO], app[DB], settings)
        app[KEYRING] = keys
        return keys

    return source


def _identity_ctx(
    settings: IdentitySettings, started: dict[str, Identity]
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        await app[KEYRING].start()
        identity = Identity.build(settings, app[MONGO], app[DB], app[OUTBOX], app[KEYRING])
        app[IDENTITY] = started["identity"] = identity
        yield

    return ctx


def _subscriptions(settings: IdentitySettings, started: dict[str, Identity]) -> list[Subscription[Any]]:
    """Every event identity consumes, in one place; handlers get the started service's dependencies."""

    def bind(handler: Handler) -> Callable[[Any, Session], Awaitable[None]]:
        async def handle(event: Any, session: Session) -> None:
            identity = started.get("identity")
            if identity is None:
                raise RuntimeError("identity is not started yet")
            await handler(identity, event, session)

        return handle

    subscriptions: list[Subscription[Any]] = [
        *(Subscription(t, CardChanged, bind(read_model.card_changed)) for t in CARD_EVENT_TYPES),
        Subscription("fi.plussa.cards.household.created", HouseholdCreated, bind(read_model.household_created)),
        Subscription("fi.plussa.cards.member.added", MemberAdded, bind(read_model.member_added)),
        Subscription("fi.plussa.cards.member.removed", MemberRemoved, bind(read_model.member_removed)),
        Subscription("fi.plussa.cards.access.granted", AccessChanged, bind(read_model.access_changed)),
        Subscription("fi.plussa.cards.access.withdrawn", AccessChanged, bind(read_model.access_changed)),
    ]

    async def on_export(identity: Identity, event: CloudEvent[ExportAnswer], session: Session) -> None:
        await privacy_cases.record_answer(identity, event, session, "export", event.data.data)

    async def on_erasure(identity: Identity, event: CloudEvent[ErasureAnswer], session: Session) -> None:
        await privacy_cases.record_answer(identity, event, session, "erasure", None)

    for service in settings.privacy_participants:
        if service != "identity":
            subscriptions.append(
                Subscription(f"fi.plussa.{service}.export.completed", ExportAnswer, bind(on_export), private=True)
            )
            subscriptions.append(
                Subscription(f"fi.plussa.{service}.erasure.completed", ErasureAnswer, bind(on_erasure))
            )
    return subscriptions


def _describe_form_body(document: dict[str, Any]) -> None:
    """The token endpoint reads a form (RFC 6749), which the JSON route declarations cannot say."""
    document["paths"]["/v1/oauth/token"]["post"]["requestBody"] = oauth.FORM_SCHEMA
    document["components"]["schemas"]["TokenRequest"] = TypeAdapter(oauth.TokenRequest).json_schema()
