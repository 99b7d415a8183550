"""Wiring of the cards service: routes, subscriptions, indexes. No I/O here."""

from aiohttp import web

from plussa_cards.settings import CardsSettings
from plussa_shared.app import ServiceSpec, create_service_app


def create_app(settings: CardsSettings) -> web.Application:
    """Build the cards service's application."""
    return create_service_app(settings, ServiceSpec(title="Plussa cards"))
