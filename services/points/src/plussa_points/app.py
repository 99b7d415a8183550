"""Wiring of the points service: routes, subscriptions, indexes. No I/O here."""

from collections.abc import AsyncIterator

from aiohttp import web

from plussa_points.context import Clock, Points, system_clock
from plussa_points.keys import POINTS
from plussa_points.routes import ingest, me, till
from plussa_points.settings import PointsSettings
from plussa_points.store import INDEXES
from plussa_points.subscriptions import subscriptions
from plussa_shared.app import CleanupCtx, ServiceSpec, create_service_app
from plussa_shared.keys import DB, MONGO, OUTBOX


class _Late:
    """The context, filled in when the application starts; the consumer starts after it."""

    points: Points | None = None

    def get(self) -> Points:
        if self.points is None:
            raise RuntimeError("the points context is not ready")
        return self.points


def _points_ctx(settings: PointsSettings, clock: Clock, late: _Late) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        pts = Points(settings=settings, client=app[MONGO], db=app[DB], outbox=app[OUTBOX], clock=clock)
        app[POINTS] = pts
        late.points = pts
        yield
        late.points = None

    return ctx


def create_app(settings: PointsSettings, *, clock: Clock = system_clock) -> web.Application:
    """Build the points service's application; ``clock`` is the time its use cases see."""
    late = _Late()
    spec = ServiceSpec(
        title="Plussa points",
        routes=[ingest.routes, till.routes, me.routes],
        subscriptions=subscriptions(
            late.get,
            purchase_batch_max=settings.purchase_batch_max,
            purchase_batch_linger_ms=settings.purchase_batch_linger_ms,
        ),
        indexes=INDEXES,
        contexts=[_points_ctx(settings, clock, late)],
    )
    return create_service_app(settings, spec)
