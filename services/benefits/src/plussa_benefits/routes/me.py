"""What a signed-in person sees and does: their own offers, benefits and causes.

Every member, main or parallel holder, has their own offers from their own purchases:
nothing here reads the household's.
"""

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from plussa_benefits import views
from plussa_benefits.domain.errors import OfferNotFoundError
from plussa_benefits.keys import context
from plussa_benefits.routes import examples
from plussa_benefits.routes.common import ID, path_id
from plussa_benefits.use_cases import sponsorship, wallets
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.languages import language_of
from plussa_shared.paging import Page, PageQuery, Position, decode_cursor, encode_cursor, page_json
from plussa_shared.routing import PreparedJson, RouteTable

routes = RouteTable(tag="me")
CUSTOMER = Access.customers()
RANK = "rank"


class JoinIn(BaseModel):
    """The cause to support in a store."""

    model_config = ConfigDict(extra="forbid")

    cause_id: str = Field(pattern=ID)


def _me(request: web.Request) -> str:
    return principal(request).require_customer()


@routes.get(
    "/v1/me/offers",
    summary="My offers, ranked, in my language",
    access=CUSTOMER,
    query=PageQuery,
    response=Page[views.MyOfferView],
    operation_id="listMyOffers",
    description=(
        "The offers targeted to me from my own purchases, valid now or coming, the most valuable to me "
        "first (`expected_value_cents`), texts in the `Accept-Language` language. One read of my own wallet."
    ),
    response_example=examples.MY_OFFERS,
    localized="negotiated",
)
async def my_offers(request: web.Request, query: PageQuery) -> PreparedJson:
    """List: a ``Page[MyOfferView]`` joined from each offer's prepared JSON."""
    start = int(decode_cursor(query.cursor, RANK).value) if query.cursor else 0
    language = language_of(request).value
    items, last, more = await views.offers_json(context(request), _me(request), language, start=start, size=query.size)
    cursor = encode_cursor(Position(start + query.size, last), RANK) if more and last else None
    return PreparedJson(page_json(items, cursor))


@routes.post(
    "/v1/me/offers/{offer_id}/activate",
    summary="Activate one of my offers",
    access=CUSTOMER,
    response=views.MyOfferView,
    errors=(404, 409),
    operation_id="activateMyOffer",
    description=(
        "Purchases after the activation get the offer's benefit. Activating again changes nothing. "
        "404 `offer-not-found` for an offer that is not mine (another person's, untargeted, withdrawn); "
        "409 `offer-not-active` for one that has ended."
    ),
    response_example=examples.MY_OFFER,
    idempotent=True,
    localized="negotiated",
)
async def activate(request: web.Request, offer_id: str) -> views.MyOfferView:
    """Activate."""
    ctx = context(request)
    me = _me(request)
    await wallets.activate_offer(ctx, me, path_id(offer_id))
    ranked, _, _ = await views.ranked_offers(ctx, me)
    for entry, offer in ranked:
        if offer.offer_id == offer_id:
            return views.my_offer(entry, offer, language_of(request).value)
    raise OfferNotFoundError("No such offer among your offers")


@routes.get(
    "/v1/me/redemptions",
    summary="What my offers gave me",
    access=CUSTOMER,
    query=PageQuery,
    response=Page[views.RedemptionView],
    operation_id="listMyRedemptions",
    description="Per purchase and offer, newest first: points or cents given, and what returns took back.",
    response_example=examples.REDEMPTIONS,
)
async def my_redemptions(request: web.Request, query: PageQuery) -> Page[views.RedemptionView]:
    """List."""
    items, cursor = await views.redemptions_of(context(request), _me(request), query.size, query.cursor)
    return Page[views.RedemptionView](items=items, next_cursor=cursor)


@routes.get(
    "/v1/me/sponsorships",
    summary="My causes and what my purchases raised",
    access=CUSTOMER,
    query=PageQuery,
    response=Page[views.MySponsorshipView],
    operation_id="listMySponsorships",
    description="Per store: the cause I support now (null once I left) and what my purchases there gave each cause.",
    response_example=examples.MY_SPONSORSHIPS,
)
async def my_sponsorships(request: web.Request, query: PageQuery) -> Page[views.MySponsorshipView]:
    """List."""
    items, cursor = await views.my_sponsorships(context(request), _me(request), query.size, query.cursor)
    return Page[views.MySponsorshipView](items=items, next_cursor=cursor)


@routes.put(
    "/v1/me/sponsorships/{store_id}",
    summary="Join or switch to a cause in a store",
    access=CUSTOMER,
    body=JoinIn,
    response=views.MySponsorshipView,
    errors=(404, 422),
    operation_id="joinStoreCause",
    description=(
        "My purchases in the store give its share to this cause from now on. 404 `sponsorship-not-found` "
        "when the store runs no programme; 422 `unknown-cause` for a cause it does not have."
    ),
    request_example=examples.JOIN_IN,
    response_example=examples.MY_SPONSORSHIP,
)
async def join(request: web.Request, store_id: str, body: JoinIn) -> views.MySponsorshipView:
    """Join."""
    ctx = context(request)
    me = _me(request)
    membership = await sponsorship.join_cause(ctx, me, path_id(store_id), body.cause_id)
    return await views.my_sponsorship(ctx, me, membership.store_id)


@routes.delete(
    "/v1/me/sponsorships/{store_id}",
    summary="Leave a store's cause",
    access=CUSTOMER,
    status=204,
    errors=(404,),
    operation_id="leaveStoreCause",
    description="Later purchases give nothing; what my purchases raised stays.",
)
async def leave(request: web.Request, store_id: str) -> None:
    """Leave."""
    await sponsorship.leave_cause(context(request), _me(request), path_id(store_id))
