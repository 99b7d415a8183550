"""Wiring of the points service: routes, context, subscriptions, indexes. No I/O here."""

from aiohttp import web

from plussa_points.context import Clock, PointsContext, system_clock
from plussa_points.keys import POINTS
from plussa_points.routes import charities, ingest, me, ops, purchases, till
from plussa_points.settings import PointsSettings
from plussa_points.store import INDEXES
from plussa_points.subscriptions import subscriptions
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.keys import DB, MONGO, OUTBOX


def create_app(settings: PointsSettings, *, clock: Clock = system_clock) -> web.Application:
    """Build the points service's application; ``clock`` is the time its use cases see."""

    def context(app: web.Application) -> PointsContext:
        ctx = PointsContext(settings=settings, client=app[MONGO], db=app[DB], outbox=app[OUTBOX], clock=clock)
        app[POINTS] = ctx
        return ctx

    spec = ServiceSpec(
        title="Plussa points",
        routes=[ingest.routes, till.routes, me.routes, purchases.routes, charities.routes, ops.routes],
        context=context,
        subscriptions=subscriptions,
        indexes=INDEXES,
    )
    return create_service_app(settings, spec)
