"""Typed application state of the cards service."""

from aiohttp import web

from plussa_cards.privacy import PrivacyRequests
from plussa_cards.service import CardsService

CARDS = web.AppKey("cards_service", CardsService)
PRIVACY = web.AppKey("cards_privacy", PrivacyRequests)


def cards(request: web.Request) -> CardsService:
    """The cards use cases of this request's application."""
    return request.app[CARDS]
