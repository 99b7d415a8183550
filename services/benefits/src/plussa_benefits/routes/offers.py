"""Chains and partners manage their offers and segments (scope ``benefits:offers``).

The credential's client id is the issuer: an issuer sees and changes only its own
offers and segments; anyone else's answer 404.
"""

from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from plussa_benefits import views
from plussa_benefits.domain.offers import Issuer, OfferTerms, Qualification, Reward, RewardKind
from plussa_benefits.domain.texts import Texts
from plussa_benefits.keys import context
from plussa_benefits.routes import examples
from plussa_benefits.routes.common import ID, path_id
from plussa_benefits.use_cases import catalogue
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.paging import Page, PageQuery
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="offers")
ISSUER = Access.services("benefits:offers")
K_CHAINS = frozenset({"k-citymarket", "k-supermarket", "k-market", "k-rauta"})

Id = Annotated[str, Field(pattern=ID)]
TextsIn = Annotated[
    dict[Literal["fi", "sv", "en"], Annotated[str, Field(max_length=2000)]],
    Field(max_length=3, description="The text in fi, sv and en: all three are required"),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SegmentIn(_In):
    """A segment: a name and a rule over person features."""

    name: str = Field(min_length=1, max_length=200)
    rule: dict[str, Any] = Field(
        description=(
            "A rule tree: `all`/`any` (lists of rules), `not` (a rule), `everyone: true`, or a condition "
            "`{feature, op, value, ...}` over `spend_cents` (months 1-12, optional category or chain), "
            "`purchase_count` (months), `visited_store` (months, store_id), `household_role`, `status`, `language`"
        )
    )


class QualificationIn(_In):
    """What a purchase must hold; empty lists mean any product or any store."""

    product_ids: list[Id] = Field(default_factory=list, max_length=500)
    categories: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=20)
    min_spend_cents: int = Field(default=0, description="Spend on the qualifying lines, in cents")
    store_ids: list[Id] = Field(default_factory=list, max_length=500)
    chains: list[Id] = Field(default_factory=list, max_length=20)


class RewardIn(_In):
    """``campaign_points`` (points), ``percent`` (basis points, 1000 = 10 %) or ``euro`` (cents)."""

    kind: Literal["campaign_points", "percent", "euro"]
    amount: int = Field(ge=-(10**12), le=10**12)


class OfferIn(_In):
    """An offer's terms."""

    title: TextsIn
    description: TextsIn
    valid_from: AwareDatetime
    valid_until: AwareDatetime
    qualification: QualificationIn
    reward: RewardIn
    needs_activation: bool = True
    limit_per_person: int = Field(default=1, ge=-(10**6), le=10**6, description="Redemptions per person")
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


def _issuer(request: web.Request) -> Issuer:
    subject = principal(request).subject
    return Issuer("chain" if subject in K_CHAINS else "partner", subject)


@routes.post(
    "/v1/segments",
    summary="Create a segment",
    access=ISSUER,
    body=SegmentIn,
    response=views.SegmentView,
    status=201,
    errors=(422,),
    operation_id="createSegment",
    description="A rule that does not parse is a 422 `invalid-segment-rule` with `errors[]` pointing into `/rule`.",
    request_example=examples.SEGMENT_IN,
    response_example=examples.SEGMENT,
    idempotent=True,
    location="/v1/segments/{segment_id}",
    etag="version",
)
async def create_segment(request: web.Request, body: SegmentIn) -> views.SegmentView:
    """Create."""
    new = catalogue.NewSegment(body.name, body.rule)
    return views.segment(await catalogue.create_segment(context(request), _issuer(request).issuer_id, new))


@routes.get(
    "/v1/segments/{segment_id}",
    summary="One of my segments",
    access=ISSUER,
    response=views.SegmentView,
    errors=(404,),
    operation_id="getSegment",
    description="Another issuer's segment is 404.",
    response_example=examples.SEGMENT,
    etag="version",
)
async def get_segment(request: web.Request, segment_id: str) -> views.SegmentView:
    """Read."""
    return views.segment(await catalogue.get_segment(context(request), _issuer(request).issuer_id, path_id(segment_id)))


@routes.put(
    "/v1/segments/{segment_id}",
    summary="Change a segment",
    access=ISSUER,
    body=SegmentIn,
    response=views.SegmentView,
    errors=(404, 412, 422),
    operation_id="changeSegment",
    description="People are judged by the new rule from their next purchase on. Honours `If-Match`.",
    request_example=examples.SEGMENT_IN,
    response_example=examples.SEGMENT,
    etag="version",
    conditional=True,
)
async def change_segment(
    request: web.Request, segment_id: str, body: SegmentIn, expected_version: int | None
) -> views.SegmentView:
    """Change."""
    changed = await catalogue.change_segment(
        context(request),
        _issuer(request).issuer_id,
        path_id(segment_id),
        catalogue.NewSegment(body.name, body.rule),
        expected_version,
    )
    return views.segment(changed)


@routes.post(
    "/v1/offers",
    summary="Create a draft offer",
    access=ISSUER,
    body=OfferIn,
    response=views.OfferView,
    status=201,
    errors=(422,),
    operation_id="createOffer",
    description=(
        "A draft for one of my segments. 422 `invalid-offer` (empty, inverted, ended or overlong window; "
        "limit out of bounds), `unknown-category`, `missing-language`, `invalid-reward` (not positive, "
        "beyond the limits, a euro benefit above the minimum spend), `unknown-segment`."
    ),
    request_example=examples.OFFER_IN,
    response_example=examples.OFFER,
    idempotent=True,
    location="/v1/offers/{offer_id}",
    etag="version",
)
async def create_offer(request: web.Request, body: OfferIn) -> views.OfferView:
    """Create."""
    return views.offer(await catalogue.create_offer(context(request), _issuer(request), body.terms()))


@routes.get(
    "/v1/offers",
    summary="My offers as an issuer",
    access=ISSUER,
    query=PageQuery,
    response=Page[views.OfferView],
    operation_id="listOffers",
    description="Every offer of mine, the latest ending first.",
    response_example=examples.OFFER_PAGE,
)
async def list_offers(request: web.Request, query: PageQuery) -> Page[views.OfferView]:
    """List."""
    items, cursor = await views.offers_of_issuer(context(request), _issuer(request).issuer_id, query.size, query.cursor)
    return Page[views.OfferView](items=items, next_cursor=cursor)


@routes.get(
    "/v1/offers/{offer_id}",
    summary="One of my offers",
    access=ISSUER,
    response=views.OfferView,
    errors=(404,),
    operation_id="getOffer",
    description="Another issuer's offer is 404.",
    response_example=examples.OFFER,
    etag="version",
)
async def get_offer(request: web.Request, offer_id: str) -> views.OfferView:
    """Read."""
    return views.offer(await catalogue.get_offer(context(request), _issuer(request).issuer_id, path_id(offer_id)))


@routes.put(
    "/v1/offers/{offer_id}",
    summary="Change an offer before it starts",
    access=ISSUER,
    body=OfferIn,
    response=views.OfferView,
    errors=(404, 409, 412, 422),
    operation_id="changeOffer",
    description="409 `offer-already-started` once its window has begun; people holding it see the change at once.",
    request_example=examples.OFFER_IN,
    response_example=examples.OFFER,
    etag="version",
    conditional=True,
)
async def change_offer(
    request: web.Request, offer_id: str, body: OfferIn, expected_version: int | None
) -> views.OfferView:
    """Change."""
    issuer = _issuer(request).issuer_id
    changed = await catalogue.change_offer(context(request), issuer, path_id(offer_id), body.terms(), expected_version)
    return views.offer(changed)


@routes.post(
    "/v1/offers/{offer_id}/publish",
    summary="Publish an offer",
    access=ISSUER,
    response=views.OfferView,
    errors=(404, 409, 412),
    operation_id="publishOffer",
    description="Live at once for everyone already in its segment, and for anyone whose purchases bring them in.",
    response_example=examples.OFFER,
    idempotent=True,
    etag="version",
    conditional=True,
)
async def publish_offer(request: web.Request, offer_id: str, expected_version: int | None) -> views.OfferView:
    """Publish."""
    issuer = _issuer(request).issuer_id
    return views.offer(await catalogue.publish_offer(context(request), issuer, path_id(offer_id), expected_version))


@routes.post(
    "/v1/offers/{offer_id}/withdraw",
    summary="Withdraw an offer",
    access=ISSUER,
    response=views.OfferView,
    errors=(404, 412),
    operation_id="withdrawOffer",
    description="It leaves every person's offers and gives no benefit from now on.",
    response_example=examples.OFFER,
    idempotent=True,
    etag="version",
    conditional=True,
)
async def withdraw_offer(request: web.Request, offer_id: str, expected_version: int | None) -> views.OfferView:
    """Withdraw."""
    issuer = _issuer(request).issuer_id
    return views.offer(await catalogue.withdraw_offer(context(request), issuer, path_id(offer_id), expected_version))
