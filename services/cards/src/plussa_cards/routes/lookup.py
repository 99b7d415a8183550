"""Card look-ups for tills."""

from datetime import date
from typing import Literal

from aiohttp import web
from pydantic import BaseModel

from plussa_cards import views
from plussa_cards.events.card_snapshot import CardKindName, CardStateName
from plussa_cards.keys import context
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="lookup")


class CardLookupOut(BaseModel):
    """What a till may do with a card number."""

    card_id: str
    kind: CardKindName
    state: CardStateName
    household_id: str | None
    person_id: str | None
    can_earn: bool
    can_spend: bool
    """The card may spend and its holder may use the household's Plussa money."""
    valid_until: date | None
    money_access: Literal["full", "none"]


@routes.get(
    "/v1/lookup/cards/{card_number}",
    summary="Look a card number up at a till",
    access=Access.services("cards:lookup"),
    response=CardLookupOut,
    errors=(404, 422),
)
async def look_up_card(request: web.Request, card_number: str) -> CardLookupOut:
    """A number of the wrong form is 422; an unknown one 404."""
    ctx = context(request)
    found = await views.look_up(ctx, card_number)
    snapshot = found.card.snapshot(ctx.today())
    can_spend = snapshot.can_spend and found.holder_may_use_money
    return CardLookupOut(
        card_id=snapshot.card_id,
        kind=snapshot.kind,
        state=snapshot.state,
        household_id=snapshot.household_id,
        person_id=snapshot.person_id,
        can_earn=snapshot.can_earn,
        can_spend=can_spend,
        valid_until=snapshot.valid_until,
        money_access="full" if found.holder_may_use_money else "none",
    )
