"""Wiring of the notifications service: routes, context, subscriptions, indexes, background work. No I/O here."""

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from plussa_notifications.context import NotificationsContext
from plussa_notifications.routes import ROUTES
from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.store import INDEXES
from plussa_notifications.subscriptions import subscriptions
from plussa_notifications.use_cases.campaigns import run_campaigns
from plussa_notifications.use_cases.chains import seed_chains
from plussa_notifications.use_cases.delivery import run_sender
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.keys import DB, MONGO, OUTBOX, TRACING, context_of


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
        contexts=[_background],
    )
    return create_service_app(settings, spec)


async def _background(app: web.Application) -> AsyncIterator[None]:
    """The shipped chains are loaded; the mail sender and the campaign streamer run beside
    the service until it stops."""
    ctx = context_of(app, NotificationsContext)
    await seed_chains(ctx)
    tasks = [
        asyncio.create_task(run_sender(ctx, app[TRACING]), name="mail-sender"),
        asyncio.create_task(run_campaigns(ctx), name="campaign-streamer"),
    ]
    yield
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
