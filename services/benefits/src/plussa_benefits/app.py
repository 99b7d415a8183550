"""Wiring of the benefits service: routes, subscriptions, indexes. No I/O here."""

from aiohttp import web

from plussa_benefits.context import BenefitsContext
from plussa_benefits.routes import ROUTES
from plussa_benefits.settings import BenefitsSettings
from plussa_benefits.store import INDEXES
from plussa_benefits.subscriptions import subscriptions
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.context import Clock, system_clock
from plussa_shared.keys import DB, MONGO, OUTBOX


def create_app(settings: BenefitsSettings, clock: Clock = system_clock) -> web.Application:
    """Build the benefits service's application (tests pass a clock they move)."""

    def _context(app: web.Application) -> BenefitsContext:
        return BenefitsContext(settings, app[MONGO], app[DB], app[OUTBOX], clock)

    return create_service_app(
        settings,
        ServiceSpec(
            title="Plussa benefits",
            routes=ROUTES,
            subscriptions=subscriptions,
            indexes=INDEXES,
            context=_context,
        ),
    )
