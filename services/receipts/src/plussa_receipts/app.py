"""Wiring of the receipts service: routes, subscriptions, indexes. No I/O here."""

from aiohttp import web

from plussa_receipts.settings import ReceiptsSettings
from plussa_shared.app import ServiceSpec, create_service_app


def create_app(settings: ReceiptsSettings) -> web.Application:
    """Build the receipts service's application."""
    return create_service_app(settings, ServiceSpec(title="Plussa receipts"))
