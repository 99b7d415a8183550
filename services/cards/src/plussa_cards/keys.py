"""Typed application state of the cards service."""

from aiohttp import web

from plussa_cards.context import CardsContext

CONTEXT = web.AppKey("cards_context", CardsContext)


def context(request: web.Request) -> CardsContext:
    """The cards context of this request's application."""
    return request.app[CONTEXT]
