"""Wiring of the benefits service: routes, subscriptions, indexes. No I/O here."""

from aiohttp import web

from plussa_benefits.settings import BenefitsSettings
from plussa_shared.app import ServiceSpec, create_service_app


def create_app(settings: BenefitsSettings) -> web.Application:
    """Build the benefits service's application."""
    return create_service_app(settings, ServiceSpec(title="Plussa benefits"))
