"""A holder's cards: list, block, replace, activate, and link a temporary card."""

from typing import Literal

from aiohttp import web

from plussa_cards import views
from plussa_cards.domain.card import BlockReason
from plussa_cards.domain.replacement import ReplacementReason
from plussa_cards.keys import context
from plussa_cards.routes.models import CardNumberText, CardOut, Strict
from plussa_cards.use_cases import cards, mobile_cards, temporary_cards
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="cards")


class BlockIn(Strict):
    """Why the holder blocks the card."""

    reason: Literal["lost", "stolen"]


class ReplacementIn(Strict):
    """Why the card is replaced: a lost card is blocked at once; a damaged one works until its successor is active."""

    reason: Literal["lost", "damaged"]


class LinkIn(Strict):
    """The number printed on the temporary card."""

    card_number: CardNumberText


@routes.get(
    "/v1/me/cards",
    summary="My cards (the main holder: the household's)",
    access=Access.customers(),
    response=list[CardOut],
)
async def my_cards(request: web.Request) -> list[CardOut]:
    """Live cards: ordered, active or blocked."""
    ctx = context(request)
    today = ctx.today()
    return [CardOut.of(c, today) for c in await views.my_cards(ctx, principal(request).require_customer())]


@routes.post(
    "/v1/cards/{card_id}/block",
    summary="Block a lost or stolen card at once",
    access=Access.customers(),
    body=BlockIn,
    response=CardOut,
    errors=(403, 404, 409, 422),
)
async def block_card(request: web.Request, card_id: str, body: BlockIn) -> CardOut:
    """A blocked card never earns or spends again."""
    ctx = context(request)
    card = await cards.block_card(ctx, principal(request).require_customer(), card_id, BlockReason(body.reason))
    return CardOut.of(card, ctx.today())


@routes.post(
    "/v1/cards/{card_id}/replacement",
    summary="Order a replacement card with a new number on the same account",
    access=Access.customers(),
    body=ReplacementIn,
    response=CardOut,
    status=201,
    errors=(403, 404, 409, 422),
)
async def order_replacement(request: web.Request, card_id: str, body: ReplacementIn) -> CardOut:
    """The new card is ``ordered``; the holder activates it when it arrives."""
    ctx = context(request)
    successor = await cards.order_card_replacement(
        ctx, principal(request).require_customer(), card_id, ReplacementReason(body.reason)
    )
    return CardOut.of(successor, ctx.today())


@routes.post(
    "/v1/cards/{card_id}/activate",
    summary="Activate a card that arrived",
    access=Access.customers(),
    response=CardOut,
    errors=(403, 404, 409),
)
async def activate_card(request: web.Request, card_id: str) -> CardOut:
    """Activating a replacement for a damaged card retires the damaged one."""
    ctx = context(request)
    card = await cards.activate_card(ctx, principal(request).require_customer(), card_id)
    return CardOut.of(card, ctx.today())


@routes.post(
    "/v1/me/mobile-cards",
    summary="Add a mobile card: a card number for the phone app, on my account",
    access=Access.customers(),
    response=CardOut,
    status=201,
    errors=(403, 409),
)
async def add_mobile_card(request: web.Request) -> CardOut:
    """The mobile card is active at once; a person has one (configurable)."""
    ctx = context(request)
    card = await mobile_cards.issue_mobile_card(ctx, principal(request).require_customer())
    return CardOut.of(card, ctx.today())


@routes.post(
    "/v1/me/temporary-cards/link",
    summary="Link a temporary card from a store to my membership",
    access=Access.customers(),
    body=LinkIn,
    response=CardOut,
    errors=(403, 404, 409, 422),
)
async def link_temporary_card(request: web.Request, body: LinkIn) -> CardOut:
    """The card then earns for the household and no longer expires; it still never spends."""
    ctx = context(request)
    card = await temporary_cards.link_temporary_card(ctx, principal(request).require_customer(), body.card_number)
    return CardOut.of(card, ctx.today())
