"""Wiring of the notifications service: routes, context, subscriptions, indexes. No I/O here."""

from aiohttp import web

from plussa_notifications.context import NotificationsContext
from plussa_notifications.routes import ROUTES
from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.store import INDEXES
from plussa_notifications.subscriptions import subscriptions
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.keys import DB, MONGO, OUTBOX


def create_app(settings: NotificationsSettings) -> web.Application:
    """Build the notifications service's application."""

    def context(app: web.Application) -> NotificationsContext:
        return NotificationsContext(settings=settings, client=app[MONGO], db=app[DB], outbox=app[OUTBOX])

    spec = ServiceSpec(
        title="Plussa notifications",
        routes=ROUTES,
        context=context,
        subscriptions=subscriptions,
        indexes=INDEXES,
    )
    return create_service_app(settings, spec)
