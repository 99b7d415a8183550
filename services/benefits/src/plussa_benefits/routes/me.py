"""What a signed-in person sees and does: their own offers, benefits and causes.

Every member, main or parallel holder, has their own offers from their own purchases:
nothing here reads the household's.
"""

from datetime import datetime

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from plussa_benefits import views
from plussa_benefits.domain.errors import OfferNotFoundError
from plussa_benefits.routes.common import ID, ctx_of, language, path_id
from plussa_benefits.use_cases import sponsorship, wallets
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="me")
CUSTOMER = Access.customers()


class MyOffers(BaseModel):
    """My offers valid now or coming, the most valuable to me first, in my language."""

    items: list[views.MyOfferView]
    next_cursor: str | None = None


class RedemptionPage(BaseModel):
    """What my purchases got from my offers, newest first."""

    items: list[views.RedemptionView]
    next_cursor: str | None


class RedemptionQuery(BaseModel):
    """``limit`` and ``cursor`` (the ``next_cursor`` of the previous page)."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=200)
    cursor: AwareDatetime | None = None


class Activation(BaseModel):
    """The activated offer."""

    activated_now: bool = Field(description="False when it was already active")
    offer: views.MyOfferView


class JoinIn(BaseModel):
    """The cause to support in a store."""

    model_config = ConfigDict(extra="forbid")

    cause_id: str = Field(pattern=ID, examples=["kallio-scouts"])


class MySponsorships(BaseModel):
    """My causes per store and what my purchases raised."""

    items: list[views.MySponsorshipView]
    next_cursor: str | None = None


def _me(request: web.Request) -> str:
    return principal(request).require_customer()


@routes.get("/v1/me/offers", summary="My offers, ranked, in my language", access=CUSTOMER, response=MyOffers)
async def my_offers(request: web.Request) -> web.Response:
    """One indexed read of my own wallet; texts follow ``Accept-Language``."""
    ctx = ctx_of(request)
    lang = language(request)
    doc = await ctx.store.wallet_doc(_me(request))
    body = MyOffers(items=views.my_offers(doc, lang, ctx.now()))
    return web.json_response(
        text=body.model_dump_json(), headers={"Content-Language": lang, "Cache-Control": "no-store"}
    )


@routes.post(
    "/v1/me/offers/{offer_id}/activate",
    summary="Activate one of my offers",
    access=CUSTOMER,
    response=Activation,
    errors=(404, 409),
)
async def activate(request: web.Request, offer_id: str) -> Activation:
    """404 for an offer that is not mine; 409 ``offer-not-active`` for an ended or withdrawn one."""
    ctx = ctx_of(request)
    me = _me(request)
    done = await wallets.activate_offer(ctx, me, path_id(offer_id))
    shown = [
        v
        for v in views.my_offers(await ctx.store.wallet_doc(me), language(request), ctx.now())
        if v.offer_id == offer_id
    ]
    if not shown:
        raise OfferNotFoundError("No such offer among your offers")
    return Activation(activated_now=done, offer=shown[0])


@routes.get(
    "/v1/me/redemptions",
    summary="What my offers gave me",
    access=CUSTOMER,
    query=RedemptionQuery,
    response=RedemptionPage,
)
async def my_redemptions(request: web.Request, query: RedemptionQuery) -> RedemptionPage:
    """Per purchase and offer, with anything returns took back."""
    docs = await ctx_of(request).ledger.redemptions_of_person(_me(request), query.cursor, query.limit + 1)
    more = len(docs) > query.limit
    docs = docs[: query.limit]
    cursor: datetime | None = docs[-1]["occurred_at"] if more else None
    return RedemptionPage(items=[views.redemption(d) for d in docs], next_cursor=cursor.isoformat() if cursor else None)


@routes.get(
    "/v1/me/sponsorships", summary="My causes and what my purchases raised", access=CUSTOMER, response=MySponsorships
)
async def my_sponsorships(request: web.Request) -> MySponsorships:
    """Per store: the cause I support now and what my purchases there gave each cause."""
    return MySponsorships(items=await views.my_sponsorships(ctx_of(request), _me(request)))


@routes.put(
    "/v1/me/sponsorships/{store_id}",
    summary="Join or switch to a cause in a store",
    access=CUSTOMER,
    body=JoinIn,
    response=views.MySponsorshipView,
    errors=(404, 422),
)
async def join(request: web.Request, store_id: str, body: JoinIn) -> views.MySponsorshipView:
    """404 ``sponsorship-not-found`` when the store runs none; 422 ``unknown-cause``."""
    ctx = ctx_of(request)
    me = _me(request)
    membership = await sponsorship.join_cause(ctx, me, path_id(store_id), body.cause_id)
    mine = [s for s in await views.my_sponsorships(ctx, me) if s.store_id == membership.store_id]
    return mine[0]


@routes.delete(
    "/v1/me/sponsorships/{store_id}", summary="Leave a store's cause", access=CUSTOMER, status=204, errors=(404,)
)
async def leave(request: web.Request, store_id: str) -> None:
    """Later purchases give nothing; what was raised stays."""
    await sponsorship.leave_cause(ctx_of(request), _me(request), path_id(store_id))
