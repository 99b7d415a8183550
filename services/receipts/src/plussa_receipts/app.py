"""Wiring of the receipts service: routes, context, subscriptions, indexes. No I/O here."""

from aiohttp import web

from plussa_receipts.context import ReceiptsContext
from plussa_receipts.routes import ROUTES
from plussa_receipts.settings import ReceiptsSettings
from plussa_receipts.store import INDEXES
from plussa_receipts.subscriptions import subscriptions
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.keys import DB, MONGO, OUTBOX


def create_app(settings: ReceiptsSettings) -> web.Application:
    """Build the receipts service's application."""

    def context(app: web.Application) -> ReceiptsContext:
        return ReceiptsContext(settings=settings, client=app[MONGO], db=app[DB], outbox=app[OUTBOX])

    spec = ServiceSpec(
        title="Plussa receipts",
        routes=ROUTES,
        context=context,
        subscriptions=subscriptions,
        indexes=INDEXES,
    )
    return create_service_app(settings, spec)
