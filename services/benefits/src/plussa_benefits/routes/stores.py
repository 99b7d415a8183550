"""A store's sponsorship programme: run by its own store system (scope ``benefits:sponsorship``),
read by customers choosing a cause.

A store credential's subject is its store id: it sees and runs its own store only.
"""

from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from plussa_benefits import views
from plussa_benefits.domain.errors import NoSponsorshipError, OtherStoreError
from plussa_benefits.domain.sponsorship import Cause
from plussa_benefits.domain.texts import Texts
from plussa_benefits.routes.common import ctx_of, language, path_id
from plussa_benefits.use_cases import sponsorship
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="sponsorship")
STORE = Access.services("benefits:sponsorship", "ops")
ANYONE_SIGNED_IN = Access.customers("benefits:sponsorship", "ops")
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class CauseIn(BaseModel):
    """A local cause."""

    model_config = ConfigDict(extra="forbid")

    cause_id: str = Field(pattern=r"^[a-z0-9\-]{1,64}$", examples=["kallio-scouts"])
    name: Annotated[dict[Literal["fi", "sv", "en"], Annotated[str, Field(max_length=200)]], Field(max_length=3)]


class ProgrammeIn(BaseModel):
    """The store's causes and the share of eligible spend they get (default 1 %)."""

    model_config = ConfigDict(extra="forbid")

    causes: list[CauseIn] = Field(max_length=50)
    share_basis_points: int | None = Field(default=None, ge=-(10**6), le=10**6, examples=[100])
    active: bool = True


class MonthsPage(BaseModel):
    """A store's months, newest first."""

    items: list[views.MonthTotalsView]
    next_cursor: str | None


class MonthsQuery(BaseModel):
    """``limit`` and ``cursor`` (a month)."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=13, ge=1, le=60)
    cursor: str | None = Field(default=None, pattern=MONTH)


def _own_store(request: web.Request, store_id: str) -> str:
    who = principal(request)
    if who.kind == "service" and who.subject != store_id:
        raise OtherStoreError("A store credential reads and runs its own store only")
    return path_id(store_id)


@routes.get(
    "/v1/stores/{store_id}/sponsorship",
    summary="A store's programme",
    access=ANYONE_SIGNED_IN,
    response=views.ProgrammeView,
    errors=(404,),
)
async def get_programme(request: web.Request, store_id: str) -> web.Response:
    """The causes in the caller's language."""
    found = await ctx_of(request).sponsorship.programme(path_id(store_id), None)
    if found is None:
        raise NoSponsorshipError("The store runs no sponsorship programme")
    lang = language(request)
    return web.json_response(text=views.programme(found, lang).model_dump_json(), headers={"Content-Language": lang})


@routes.put(
    "/v1/stores/{store_id}/sponsorship",
    summary="Run the store's programme",
    access=STORE,
    body=ProgrammeIn,
    response=views.ProgrammeView,
    errors=(403, 422),
)
async def run_programme(request: web.Request, store_id: str, body: ProgrammeIn) -> views.ProgrammeView:
    """Causes need names in fi, sv and en; the share is 1 to 2000 basis points."""
    store = _own_store(request, store_id)
    causes = tuple(Cause(c.cause_id, Texts.parse(c.name, f"causes/{c.cause_id}/name")) for c in body.causes)
    made = await sponsorship.run_programme(ctx_of(request), store, causes, body.share_basis_points, body.active)
    return views.programme(made, language(request))


@routes.get(
    "/v1/stores/{store_id}/sponsorship/months",
    summary="The store's totals per cause and month",
    access=STORE,
    query=MonthsQuery,
    response=MonthsPage,
    errors=(403,),
)
async def months(request: web.Request, store_id: str, query: MonthsQuery) -> MonthsPage:
    """403 ``other-store`` for another store's totals."""
    store = _own_store(request, store_id)
    found = await ctx_of(request).sponsorship.months(store, query.cursor, query.limit + 1)
    more = len(found) > query.limit
    found = found[: query.limit]
    return MonthsPage(items=[views.month_totals(t) for t in found], next_cursor=found[-1].month if more else None)
