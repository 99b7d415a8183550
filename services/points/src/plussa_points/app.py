"""Wiring of the points service: routes, subscriptions, indexes. No I/O here."""

from aiohttp import web

from plussa_points.settings import PointsSettings
from plussa_shared.app import ServiceSpec, create_service_app


def create_app(settings: PointsSettings) -> web.Application:
    """Build the points service's application."""
    return create_service_app(settings, ServiceSpec(title="Plussa points"))
