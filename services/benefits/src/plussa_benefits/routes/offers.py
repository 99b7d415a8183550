"""Chains and partners manage their offers and segments (scope ``benefits:offers``)."""

from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from plussa_benefits import views
from plussa_benefits.domain.offers import Issuer, OfferTerms, Qualification, Reward, RewardKind
from plussa_benefits.domain.texts import Texts
from plussa_benefits.routes.common import ID, ctx_of, expected_version, path_id
from plussa_benefits.use_cases import catalogue
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="offers")
ISSUER = Access.services("benefits:offers")
K_CHAINS = frozenset({"k-citymarket", "k-supermarket", "k-market", "k-rauta"})

Id = Annotated[str, Field(pattern=ID)]
TextsIn = Annotated[dict[Literal["fi", "sv", "en"], Annotated[str, Field(max_length=2000)]], Field(max_length=3)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SegmentIn(_In):
    """A segment: a name and a rule over person features (see the segment rule language)."""

    name: str = Field(min_length=1, max_length=200, examples=["Grocery regulars"])
    rule: dict[str, Any] = Field(
        examples=[{"feature": "spend_cents", "months": 3, "category": "grocery", "op": ">=", "value": 20000}]
    )


class QualificationIn(_In):
    """What a purchase must hold; empty lists mean any product or any store."""

    product_ids: list[Id] = Field(default_factory=list, max_length=500)
    categories: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=20)
    min_spend_cents: int = 0
    store_ids: list[Id] = Field(default_factory=list, max_length=500)
    chains: list[Id] = Field(default_factory=list, max_length=20)


class RewardIn(_In):
    """``campaign_points`` (points), ``percent`` (basis points, 1000 = 10 %) or ``euro`` (cents)."""

    kind: Literal["campaign_points", "percent", "euro"]
    amount: int = Field(ge=-(10**12), le=10**12, examples=[500])


class OfferIn(_In):
    """An offer's terms."""

    title: TextsIn = Field(examples=[{"fi": "Kahvi", "sv": "Kaffe", "en": "Coffee"}])
    description: TextsIn
    valid_from: AwareDatetime
    valid_until: AwareDatetime
    qualification: QualificationIn
    reward: RewardIn
    needs_activation: bool = True
    limit_per_person: int = Field(default=1, ge=-(10**6), le=10**6)
    segment_id: Id

    def terms(self) -> OfferTerms:
        """The domain's terms (texts checked for every language)."""
        q = self.qualification
        return OfferTerms(
            title=Texts.parse(self.title, "title"),
            description=Texts.parse(self.description, "description"),
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            qualification=Qualification(
                frozenset(q.product_ids),
                frozenset(q.categories),
                q.min_spend_cents,
                frozenset(q.store_ids),
                frozenset(q.chains),
            ),
            reward=Reward(RewardKind(self.reward.kind), self.reward.amount),
            needs_activation=self.needs_activation,
            limit_per_person=self.limit_per_person,
            segment_id=self.segment_id,
        )


class OfferPage(BaseModel):
    """A page of offers."""

    items: list[views.OfferView]
    next_cursor: str | None


class PageQuery(_In):
    """``limit`` and ``cursor`` of a list."""

    limit: int = Field(default=50, ge=1, le=200)
    cursor: Id | None = None


def _issuer(request: web.Request) -> Issuer:
    subject = principal(request).subject
    return Issuer("chain" if subject in K_CHAINS else "partner", subject)


def _tagged(view: BaseModel, version: int, status: int = 200, location: str | None = None) -> web.Response:
    response = web.json_response(text=view.model_dump_json(), status=status)
    response.headers["ETag"] = f'"{version}"'
    if location:
        response.headers["Location"] = location
    return response


@routes.post(
    "/v1/segments",
    summary="Create a segment",
    access=ISSUER,
    body=SegmentIn,
    response=views.SegmentView,
    status=201,
    errors=(422,),
)
async def create_segment(request: web.Request, body: SegmentIn) -> web.Response:
    """A rule that does not parse is a 422 ``invalid-segment-rule`` naming where and why."""
    made = await catalogue.create_segment(
        ctx_of(request), _issuer(request).issuer_id, catalogue.NewSegment(body.name, body.rule)
    )
    return _tagged(views.segment(made), made.version, 201, f"/v1/segments/{made.segment_id}")


@routes.get(
    "/v1/segments/{segment_id}", summary="One of my segments", access=ISSUER, response=views.SegmentView, errors=(404,)
)
async def get_segment(request: web.Request, segment_id: str) -> web.Response:
    """Another issuer's segment is 404."""
    found = await catalogue.get_segment(ctx_of(request), _issuer(request).issuer_id, path_id(segment_id))
    return _tagged(views.segment(found), found.version)


@routes.put(
    "/v1/segments/{segment_id}",
    summary="Change a segment's rule",
    access=ISSUER,
    body=SegmentIn,
    response=views.SegmentView,
    errors=(404, 412, 422),
)
async def change_segment(request: web.Request, segment_id: str, body: SegmentIn) -> web.Response:
    """Honours ``If-Match``."""
    changed = await catalogue.change_segment(
        ctx_of(request),
        _issuer(request).issuer_id,
        path_id(segment_id),
        catalogue.NewSegment(body.name, body.rule),
        expected_version(request),
    )
    return _tagged(views.segment(changed), changed.version)


@routes.post(
    "/v1/offers",
    summary="Create a draft offer",
    access=ISSUER,
    body=OfferIn,
    response=views.OfferView,
    status=201,
    errors=(422,),
)
async def create_offer(request: web.Request, body: OfferIn) -> web.Response:
    """Refused with 422: an empty or inverted window, an unknown category, a missing language, a bad reward."""
    made = await catalogue.create_offer(ctx_of(request), _issuer(request), body.terms())
    return _tagged(views.offer(made), made.version, 201, f"/v1/offers/{made.offer_id}")


@routes.get("/v1/offers", summary="My offers as an issuer", access=ISSUER, query=PageQuery, response=OfferPage)
async def list_offers(request: web.Request, query: PageQuery) -> OfferPage:
    """In id order, a page at a time."""
    ctx = ctx_of(request)
    found = await ctx.store.issuer_offers(_issuer(request).issuer_id, query.cursor, query.limit + 1)
    more = len(found) > query.limit
    found = found[: query.limit]
    return OfferPage(items=[views.offer(o) for o in found], next_cursor=found[-1].offer_id if more else None)


@routes.get("/v1/offers/{offer_id}", summary="One of my offers", access=ISSUER, response=views.OfferView, errors=(404,))
async def get_offer(request: web.Request, offer_id: str) -> web.Response:
    """Another issuer's offer is 404."""
    found = await catalogue.get_offer(ctx_of(request), _issuer(request).issuer_id, path_id(offer_id))
    return _tagged(views.offer(found), found.version)


@routes.put(
    "/v1/offers/{offer_id}",
    summary="Change an offer before it starts",
    access=ISSUER,
    body=OfferIn,
    response=views.OfferView,
    errors=(404, 409, 412, 422),
)
async def change_offer(request: web.Request, offer_id: str, body: OfferIn) -> web.Response:
    """409 ``offer-already-started`` once its window has begun; honours ``If-Match``."""
    changed = await catalogue.change_offer(
        ctx_of(request), _issuer(request).issuer_id, path_id(offer_id), body.terms(), expected_version(request)
    )
    return _tagged(views.offer(changed), changed.version)


@routes.post(
    "/v1/offers/{offer_id}/publish",
    summary="Publish an offer",
    access=ISSUER,
    response=views.OfferView,
    errors=(404, 409, 412),
)
async def publish_offer(request: web.Request, offer_id: str) -> web.Response:
    """Live at once for everyone already in its segment; publishing again changes nothing."""
    done = await catalogue.publish_offer(
        ctx_of(request), _issuer(request).issuer_id, path_id(offer_id), expected_version(request)
    )
    return _tagged(views.offer(done), done.version)


@routes.post(
    "/v1/offers/{offer_id}/withdraw",
    summary="Withdraw an offer",
    access=ISSUER,
    response=views.OfferView,
    errors=(404, 412),
)
async def withdraw_offer(request: web.Request, offer_id: str) -> web.Response:
    """Nobody sees it or gets its benefit any more."""
    done = await catalogue.withdraw_offer(
        ctx_of(request), _issuer(request).issuer_id, path_id(offer_id), expected_version(request)
    )
    return _tagged(views.offer(done), done.version)
