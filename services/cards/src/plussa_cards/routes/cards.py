"""A holder's cards: list, read, block, replace, activate, and link a temporary card."""

from typing import Literal

from aiohttp import web

from plussa_cards import views
from plussa_cards.domain.card import BlockReason
from plussa_cards.domain.replacement import ReplacementReason
from plussa_cards.keys import context
from plussa_cards.routes import examples as ex
from plussa_cards.routes.models import CardNumberText, CardOut, Strict
from plussa_cards.use_cases import cards, mobile_cards, temporary_cards
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.paging import Page, PageQuery
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="cards")

IF_MATCH = " `If-Match` takes the card's `ETag`; the answer carries the new one."


class BlockIn(Strict):
    """Why the holder blocks the card."""

    reason: Literal["lost", "stolen"]


class ReplacementIn(Strict):
    """Why the card is replaced: a lost card is blocked at once; a damaged one works until its successor is active."""

    reason: Literal["lost", "damaged"]


class LinkIn(Strict):
    """The number printed on the temporary card."""

    card_number: CardNumberText


class CardsQuery(PageQuery):
    """A page of my cards."""


@routes.get(
    "/v1/me/cards",
    summary="My cards (the main holder: the household's)",
    access=Access.customers(),
    query=CardsQuery,
    response=Page[CardOut],
    errors=(403, 422),
    operation_id="listMyCards",
    description=(
        "The caller's live cards (ordered, active or blocked), oldest first, a page at a time; the main "
        "holder gets every live card of the household."
    ),
    response_example={"items": [ex.card(), ex.PARALLEL_CARD], "next_cursor": None},
)
async def my_cards(request: web.Request, query: CardsQuery) -> Page[CardOut]:
    """Live cards: ordered, active or blocked."""
    ctx = context(request)
    today = ctx.today()
    found, next_cursor = await views.my_cards(ctx, principal(request).require_customer(), query.size, query.cursor)
    return Page[CardOut](items=[CardOut.of(c, today) for c in found], next_cursor=next_cursor)


@routes.get(
    "/v1/cards/{card_id}",
    summary="One of my cards",
    access=Access.customers(),
    response=CardOut,
    errors=(403, 404),
    operation_id="getCard",
    description=(
        "A card of the caller (the main holder: any card of the household), in any state. Answers with "
        "`ETag`; `If-None-Match` with it gets 304 while the card is unchanged."
    ),
    response_example=ex.card(),
    etag="version",
)
async def get_card(request: web.Request, card_id: str) -> CardOut:
    """Another household's card is 404."""
    ctx = context(request)
    return CardOut.of(await views.card_view(ctx, principal(request).require_customer(), card_id), ctx.today())


@routes.post(
    "/v1/cards/{card_id}/block",
    summary="Block a lost or stolen card at once",
    access=Access.customers(),
    body=BlockIn,
    response=CardOut,
    errors=(403, 404, 409, 412, 422),
    operation_id="blockCard",
    description="The holder, or their main holder, blocks a card; a blocked card never earns or spends again."
    + IF_MATCH,
    request_example={"reason": "lost"},
    response_example=ex.card(state="blocked", can_earn=False, can_spend=False, version=2),
    idempotent=True,
    etag="version",
    conditional=True,
)
async def block_card(request: web.Request, card_id: str, body: BlockIn, expected_version: int | None) -> CardOut:
    """A blocked card never earns or spends again."""
    ctx = context(request)
    caller = principal(request).require_customer()
    card = await cards.block_card(ctx, caller, card_id, BlockReason(body.reason), expected_version)
    return CardOut.of(card, ctx.today())


@routes.post(
    "/v1/cards/{card_id}/replacement",
    summary="Order a replacement card with a new number on the same account",
    access=Access.customers(),
    body=ReplacementIn,
    response=CardOut,
    status=201,
    errors=(403, 404, 409, 412, 422),
    operation_id="orderReplacementCard",
    description=(
        "Orders a new card with a new number on the same account; it is `ordered` until the holder "
        "activates it. A lost card is blocked at once; a damaged one works until its successor is active. "
        "`If-Match` takes the `ETag` of the card being replaced. The answer is the new card."
    ),
    request_example={"reason": "damaged"},
    response_example=ex.card(
        card_id="e5f6a7b8c9d04e1f8a2b3c4d5e6f7a81",
        state="ordered",
        can_earn=False,
        can_spend=False,
        replaces_card_id=ex.CARD_ID,
    ),
    idempotent=True,
    location="/v1/cards/{card_id}",
    etag="version",
    conditional=True,
)
async def order_replacement(
    request: web.Request, card_id: str, body: ReplacementIn, expected_version: int | None
) -> CardOut:
    """The new card is ``ordered``; the holder activates it when it arrives."""
    ctx = context(request)
    caller = principal(request).require_customer()
    successor = await cards.order_card_replacement(
        ctx, caller, card_id, ReplacementReason(body.reason), expected_version
    )
    return CardOut.of(successor, ctx.today())


@routes.post(
    "/v1/cards/{card_id}/activate",
    summary="Activate a card that arrived",
    access=Access.customers(),
    response=CardOut,
    errors=(403, 404, 409, 412),
    operation_id="activateCard",
    description="The holder activates a card that arrived; activating the replacement of a damaged card "
    "retires the damaged one." + IF_MATCH,
    response_example=ex.card(version=2),
    idempotent=True,
    etag="version",
    conditional=True,
)
async def activate_card(request: web.Request, card_id: str, expected_version: int | None) -> CardOut:
    """Activating a replacement for a damaged card retires the damaged one."""
    ctx = context(request)
    card = await cards.activate_card(ctx, principal(request).require_customer(), card_id, expected_version)
    return CardOut.of(card, ctx.today())


@routes.post(
    "/v1/me/mobile-cards",
    summary="Add a mobile card: a card number for the phone app, on my account",
    access=Access.customers(),
    response=CardOut,
    status=201,
    errors=(403, 409),
    operation_id="addMobileCard",
    description="A card number for the phone app, on the caller's account, active at once; a person has "
    "one (a setting).",
    response_example=ex.card(kind="mobile"),
    idempotent=True,
    location="/v1/cards/{card_id}",
    etag="version",
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
    operation_id="linkTemporaryCard",
    description="Puts a temporary card a store handed over on the caller's account: it then earns for the "
    "household and no longer expires; it still never spends.",
    request_example={"card_number": "6040129876543210"},
    response_example=ex.card(kind="temporary", can_spend=False, version=2),
    idempotent=True,
    etag="version",
)
async def link_temporary_card(request: web.Request, body: LinkIn) -> CardOut:
    """The card then earns for the household and no longer expires; it still never spends."""
    ctx = context(request)
    card = await temporary_cards.link_temporary_card(ctx, principal(request).require_customer(), body.card_number)
    return CardOut.of(card, ctx.today())
