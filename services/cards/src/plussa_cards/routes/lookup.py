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
    operation_id="lookUpCard",
    description=(
        "A till asks what a card number may do: earn, and spend Plussa money (the card may spend and its "
        "holder may use the household's money). A number of the wrong form is 422; an unknown one 404."
    ),
    response_example={
        "card_id": "c1d2e3f4a5b64c7d8e9fa0b1c2d3e4f5",
        "kind": "main",
        "state": "active",
        "household_id": "5f0c6a9e2b7d4c1e8a3f9d2b6c4e1a70",
        "person_id": "0b9d2f7c4e6a48c1a5d3e7f9b1c2d3e4",
        "can_earn": True,
        "can_spend": True,
        "valid_until": None,
        "money_access": "full",
    },
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
