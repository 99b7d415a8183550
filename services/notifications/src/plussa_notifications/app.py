"""Wiring of the notifications service: routes, subscriptions, indexes, background work. No I/O here."""

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from plussa_notifications.context import NotificationsContext
from plussa_notifications.keys import CONTEXT
from plussa_notifications.routes import campaigns, chains, preferences, unsubscribe
from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.store import INDEXES
from plussa_notifications.subscriptions import subscriptions
from plussa_notifications.use_cases.campaigns import run_campaigns
from plussa_notifications.use_cases.chains import seed_chains
from plussa_notifications.use_cases.delivery import run_sender
from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.keys import DB, MONGO, OUTBOX


def create_app(settings: NotificationsSettings) -> web.Application:
    """Build the notifications service's application."""
    holder: list[NotificationsContext] = []
    spec = ServiceSpec(
        title="Plussa notifications",
        routes=[preferences.routes, unsubscribe.routes, chains.routes, campaigns.routes],
        subscriptions=subscriptions(lambda: holder[0]),
        indexes=INDEXES,
        contexts=[_context_ctx(settings, holder), _background_ctx],
    )
    return create_service_app(settings, spec)


def _context_ctx(settings: NotificationsSettings, holder: list[NotificationsContext]):  # type: ignore[no-untyped-def]
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        context = NotificationsContext(settings, app[MONGO], app[DB], app[OUTBOX])
        await seed_chains(context)
        app[CONTEXT] = context
        holder.append(context)
        yield

    return ctx


async def _background_ctx(app: web.Application) -> AsyncIterator[None]:
    """The mail sender and the campaign streamer run beside the service until it stops."""
    context = app[CONTEXT]
    tasks = [
        asyncio.create_task(run_sender(context), name="mail-sender"),
        asyncio.create_task(run_campaigns(context), name="campaign-streamer"),
    ]
    yield
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
