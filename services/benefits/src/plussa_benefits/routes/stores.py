"""A store's sponsorship programme: run by its own store system (scope ``benefits:sponsorship``),
read by customers choosing a cause.

A store credential's client id is its store id: it sees and runs its own store only.
"""

from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from plussa_benefits import views
from plussa_benefits.domain.errors import OtherStoreError
from plussa_benefits.domain.sponsorship import Cause
from plussa_benefits.domain.texts import Texts
from plussa_benefits.keys import context
from plussa_benefits.routes import examples
from plussa_benefits.routes.common import path_id
from plussa_benefits.use_cases import sponsorship
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.languages import language_of
from plussa_shared.paging import Page, PageQuery
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="sponsorship")
STORE = Access.services("benefits:sponsorship", "ops")
SIGNED_IN = Access.customers("benefits:sponsorship", "ops")


class CauseIn(BaseModel):
    """A local cause."""

    model_config = ConfigDict(extra="forbid")

    cause_id: str = Field(pattern=r"^[a-z0-9\-]{1,64}$")
    name: Annotated[
        dict[Literal["fi", "sv", "en"], Annotated[str, Field(max_length=200)]],
        Field(max_length=3, description="The name in fi, sv and en: all three are required"),
    ]


class ProgrammeIn(BaseModel):
    """The store's causes and the share of eligible spend they get (default 100 basis points, 1 %)."""

    model_config = ConfigDict(extra="forbid")

    causes: list[CauseIn] = Field(max_length=50)
    share_basis_points: int | None = Field(default=None, ge=-(10**6), le=10**6)
    active: bool = True


def _own_store(request: web.Request, store_id: str) -> str:
    who = principal(request)
    if who.kind == "service" and who.subject != store_id:
        raise OtherStoreError("A store credential reads and runs its own store only")
    return path_id(store_id)


@routes.get(
    "/v1/stores/{store_id}/sponsorship",
    summary="A store's sponsorship programme",
    access=SIGNED_IN,
    response=views.ProgrammeView,
    errors=(404,),
    operation_id="getStoreSponsorship",
    description="The causes a customer may join in the store, names in the `Accept-Language` language.",
    response_example=examples.PROGRAMME,
    localized="negotiated",
    etag="version",
)
async def get_programme(request: web.Request, store_id: str) -> views.ProgrammeView:
    """Read."""
    return await views.programme_of(context(request), path_id(store_id), language_of(request).value)


@routes.put(
    "/v1/stores/{store_id}/sponsorship",
    summary="Run the store's sponsorship programme",
    access=STORE,
    body=ProgrammeIn,
    response=views.ProgrammeView,
    errors=(403, 422),
    operation_id="runStoreSponsorship",
    description=(
        "Only the store's own credential. 1 to 20 causes, each named in fi, sv and en; the share is 1 to 2000 "
        "basis points of eligible spend (alcohol, tobacco, deposits, betting and gift cards give nothing)."
    ),
    request_example=examples.PROGRAMME_IN,
    response_example=examples.PROGRAMME,
    localized="negotiated",
    etag="version",
)
async def run_programme(request: web.Request, store_id: str, body: ProgrammeIn) -> views.ProgrammeView:
    """Run."""
    store = _own_store(request, store_id)
    causes = tuple(Cause(c.cause_id, Texts.parse(c.name, f"causes/{c.cause_id}/name")) for c in body.causes)
    made = await sponsorship.run_programme(context(request), store, causes, body.share_basis_points, body.active)
    return views.programme(made, language_of(request).value)


@routes.get(
    "/v1/stores/{store_id}/sponsorship/months",
    summary="The store's totals per cause and month",
    access=STORE,
    query=PageQuery,
    response=Page[views.MonthTotalsView],
    errors=(403,),
    operation_id="listStoreSponsorshipMonths",
    description="Newest month first; a closed month's totals no longer change. 403 `other-store` for another store.",
    response_example=examples.MONTHS,
)
async def months(request: web.Request, store_id: str, query: PageQuery) -> Page[views.MonthTotalsView]:
    """List."""
    store = _own_store(request, store_id)
    items, cursor = await views.months_of(context(request), store, query.size, query.cursor)
    return Page[views.MonthTotalsView](items=items, next_cursor=cursor)
