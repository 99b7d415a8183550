"""Typed application state of the benefits service."""

from aiohttp import web

from plussa_benefits.context import BenefitsContext
from plussa_shared.keys import context_of


def context(request: web.Request) -> BenefitsContext:
    """The benefits context of this request's application, for a route to pass to a use case."""
    return context_of(request.app, BenefitsContext)
