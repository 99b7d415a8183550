"""Wiring of the notifications service: routes, subscriptions, indexes. No I/O here."""

from aiohttp import web

from plussa_notifications.settings import NotificationsSettings
from plussa_shared.app import ServiceSpec, create_service_app


def create_app(settings: NotificationsSettings) -> web.Application:
    """Build the notifications service's application."""
    return create_service_app(settings, ServiceSpec(title="Plussa notifications"))
