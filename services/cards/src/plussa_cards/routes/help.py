"""Instructions for a lost or damaged card, for the BFF to show."""

from aiohttp import web
from pydantic import BaseModel

from plussa_cards import views
from plussa_cards.domain.lost_card_help import HelpLanguage
from plussa_cards.routes.models import Strict
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="help")


class HelpQuery(Strict):
    """The language wanted."""

    lang: HelpLanguage = "fi"


class LostCardHelpOut(BaseModel):
    """Instructions in one language."""

    language: HelpLanguage
    title: str
    steps: list[str]


@routes.get(
    "/v1/help/lost-card",
    summary="What to do when a card is lost or damaged (fi, sv, en)",
    access=Access.anyone(),
    query=HelpQuery,
    response=LostCardHelpOut,
    errors=(422,),
)
async def lost_card_help(request: web.Request, query: HelpQuery) -> LostCardHelpOut:
    """Finnish unless another language is asked for."""
    help_text = views.lost_card_help(query.lang)
    return LostCardHelpOut(language=query.lang, title=help_text.title, steps=list(help_text.steps))
