"""Instructions for a lost or damaged card, for the BFF to show."""

from aiohttp import web
from pydantic import BaseModel, Field

from plussa_cards import views
from plussa_shared.auth import Access
from plussa_shared.caching import Cache
from plussa_shared.languages import Language, language_of
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="help")


class LostCardHelpOut(BaseModel):
    """Instructions in one language."""

    language: Language = Field(description="The language of the texts, as `Content-Language` says.")
    title: str
    steps: list[str]


@routes.get(
    "/v1/help/lost-card",
    summary="What to do when a card is lost or damaged (fi, sv, en)",
    access=Access.anyone(),
    response=LostCardHelpOut,
    errors=(422,),
    operation_id="getLostCardHelp",
    description=(
        "Public instructions for a lost or damaged card, in the language `Accept-Language` prefers "
        "among Finnish, Swedish and English (Finnish otherwise); `Content-Language` says which. "
        "Cacheable: the answer varies only by `Accept-Language`."
    ),
    response_example={
        "language": "en",
        "title": "Lost or damaged Plussa card",
        "steps": ["If your card is lost or stolen, block it at once in Oma Plussa under Cards."],
    },
    cache=Cache.public(3600),
    localized="negotiated",
)
async def lost_card_help(request: web.Request) -> LostCardHelpOut:
    """Finnish unless ``Accept-Language`` prefers Swedish or English."""
    language = language_of(request)
    help_text = views.lost_card_help(language)
    return LostCardHelpOut(language=language, title=help_text.title, steps=list(help_text.steps))
