"""Wiring of the cards service: routes, subscriptions, indexes, the context. No I/O here."""

from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from plussa_cards.context import CardsContext
from plussa_cards.events.erasure_requested import ErasureRequested
from plussa_cards.events.export_requested import ExportRequested
from plussa_cards.keys import CONTEXT
from plussa_cards.routes import applications, bank, cards, help, household, lookup, stores
from plussa_cards.settings import CardsSettings
from plussa_cards.store import INDEXES
from plussa_cards.subscriptions import subscriptions
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.consumer import Subscription
from plussa_shared.events import CloudEvent
from plussa_shared.keys import DB, MONGO, OUTBOX
from plussa_shared.mongo import Session


def create_app(settings: CardsSettings) -> web.Application:
    """Build the cards service's application."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        app[CONTEXT] = CardsContext(settings, app[MONGO], app[DB], app[OUTBOX])
        yield

    def late(index: int) -> Any:
        async def handler(event: CloudEvent[Any], session: Session) -> None:
            await subscriptions(app[CONTEXT])[index].handler(event, session)

        return handler

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
                Subscription(ExportRequested.event_type, ExportRequested, late(0)),
                Subscription(ErasureRequested.event_type, ErasureRequested, late(1)),
            ],
            indexes=INDEXES,
            contexts=[context],
        ),
    )
    return app
