"""Wiring of the cards service: routes, subscriptions, indexes. No I/O here."""

from collections.abc import AsyncIterator

from aiohttp import web

from plussa_cards.events.erasure_requested import ErasureRequested
from plussa_cards.events.export_requested import ExportRequested
from plussa_cards.keys import CARDS, PRIVACY
from plussa_cards.privacy import PrivacyRequests
from plussa_cards.routes import applications, bank, cards, help, household, lookup, stores
from plussa_cards.service import CardsService, utc_now
from plussa_cards.settings import CardsSettings
from plussa_cards.store import INDEXES
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.consumer import Subscription
from plussa_shared.events import CloudEvent
from plussa_shared.keys import DB, MONGO, OUTBOX
from plussa_shared.mongo import Session


def create_app(settings: CardsSettings) -> web.Application:
    """Build the cards service's application."""

    async def use_cases(app: web.Application) -> AsyncIterator[None]:
        app[CARDS] = CardsService(app[MONGO], app[DB], app[OUTBOX], settings)
        app[PRIVACY] = PrivacyRequests(app[DB], app[OUTBOX], settings.event_source, utc_now)
        yield

    async def on_export_requested(event: CloudEvent[ExportRequested], session: Session) -> None:
        await app[PRIVACY].export(event, session)

    async def on_erasure_requested(event: CloudEvent[ErasureRequested], session: Session) -> None:
        await app[PRIVACY].erase(event, session)

    app = create_service_app(
        settings,
        ServiceSpec(
            title="Plussa cards",
            routes=[
                applications.routes,
                household.routes,
                cards.routes,
                stores.routes,
                lookup.routes,
                bank.routes,
                help.routes,
            ],
            subscriptions=[
                Subscription(ExportRequested.event_type, ExportRequested, on_export_requested),
                Subscription(ErasureRequested.event_type, ErasureRequested, on_erasure_requested),
            ],
            indexes=INDEXES,
            contexts=[use_cases],
        ),
    )
    return app
