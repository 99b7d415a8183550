"""Wiring of the benefits service: routes, context, subscriptions, indexes. No I/O here."""

from aiohttp import web

from plussa_benefits.context import BenefitsContext
from plussa_benefits.routes import ROUTES
from plussa_benefits.settings import BenefitsSettings
from plussa_benefits.store import INDEXES
from plussa_benefits.subscriptions import subscriptions
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.keys import DB, MONGO, OUTBOX


def create_app(settings: BenefitsSettings) -> web.Application:
    """Build the benefits service's application."""

    def context(app: web.Application) -> BenefitsContext:
        return BenefitsContext(settings=settings, client=app[MONGO], db=app[DB], outbox=app[OUTBOX])

    spec = ServiceSpec(
        title="Plussa benefits",
        routes=ROUTES,
        context=context,
        subscriptions=subscriptions,
        indexes=INDEXES,
    )
    return create_service_app(settings, spec)
