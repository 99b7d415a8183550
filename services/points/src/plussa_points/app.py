"""Wiring of the points service: routes, subscriptions, indexes. No I/O here."""

from collections.abc import AsyncIterator
from typing import Any, cast

from aiohttp import web

from plussa_points.context import Clock, PointsContext, system_clock
from plussa_points.keys import POINTS
from plussa_points.routes import ingest, me, till
from plussa_points.settings import PointsSettings
from plussa_points.store import INDEXES
from plussa_points.subscriptions import subscriptions
from plussa_shared.app import CleanupCtx, ServiceSpec, create_service_app
from plussa_shared.keys import DB, MONGO, OUTBOX


class _Late:
    """The context, filled in when the application starts; the consumer starts after it."""

    def __init__(self, settings: PointsSettings) -> None:
        self.settings = settings
        self.ctx: PointsContext | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ctx, name)


def _points_ctx(settings: PointsSettings, clock: Clock, late: _Late) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        pts = PointsContext(settings=settings, client=app[MONGO], db=app[DB], outbox=app[OUTBOX], clock=clock)
        app[POINTS] = pts
        late.ctx = pts
        yield
        late.ctx = None

    return ctx


def create_app(settings: PointsSettings, *, clock: Clock = system_clock) -> web.Application:
    """Build the points service's application; ``clock`` is the time its use cases see."""
    late = _Late(settings)
    spec = ServiceSpec(
        title="Plussa points",
        routes=[ingest.routes, till.routes, me.routes],
        subscriptions=subscriptions(cast(PointsContext, late)),
        indexes=INDEXES,
        contexts=[_points_ctx(settings, clock, late)],
    )
    return create_service_app(settings, spec)
