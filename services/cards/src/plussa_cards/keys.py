"""Typed application state of the cards service."""

from aiohttp import web

from plussa_cards.context import CardsContext
from plussa_shared.keys import context_of


def context(request: web.Request) -> CardsContext:
    """The cards context of this request's application."""
    return context_of(request.app, CardsContext)
