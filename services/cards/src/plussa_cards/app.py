"""Wiring of the cards service: routes, context, subscriptions, indexes. No I/O here."""

from aiohttp import web

from plussa_cards.context import CardsContext
from plussa_cards.routes import applications, bank, cards, help, household, lookup, members, stores
from plussa_cards.settings import CardsSettings
from plussa_cards.store import INDEXES
from plussa_cards.subscriptions import subscriptions
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.keys import DB, MONGO, OUTBOX


def create_app(settings: CardsSettings) -> web.Application:
    """Build the cards service's application."""

    def context(app: web.Application) -> CardsContext:
        return CardsContext(settings, app[MONGO], app[DB], app[OUTBOX])

    return create_service_app(
        settings,
        ServiceSpec(
            title="Plussa cards",
            routes=[
                applications.routes,
                household.routes,
                members.routes,
                cards.routes,
                stores.routes,
                lookup.routes,
                bank.routes,
                help.routes,
            ],
            context=context,
            subscriptions=subscriptions,
            indexes=INDEXES,
        ),
    )
