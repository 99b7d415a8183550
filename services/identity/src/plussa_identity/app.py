"""Wiring of the identity service: routes, subscriptions, indexes. No I/O here."""

from aiohttp import web

from plussa_identity.settings import IdentitySettings
from plussa_shared.app import ServiceSpec, create_service_app


def create_app(settings: IdentitySettings) -> web.Application:
    """Build the identity service's application."""
    return create_service_app(settings, ServiceSpec(title="Plussa identity"))
