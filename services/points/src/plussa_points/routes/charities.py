"""The charities to choose from: public reference data."""

from aiohttp import web

from plussa_points import answers, views
from plussa_points.keys import POINTS
from plussa_points.routes import examples
from plussa_shared.auth import Access
from plussa_shared.caching import Cache
from plussa_shared.paging import Page
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="reference")


@routes.get(
    "/v1/charities",
    summary="The charities to choose from",
    access=Access.anyone(),
    response=Page[answers.CharityOption],
    operation_id="listCharities",
    description="The charities points may be donated to, each named in Finnish, Swedish and English "
    "(`Content-Language: fi, sv, en`); public reference data a BFF may cache for an hour.",
    response_example=Page(items=examples.CHARITIES, next_cursor=None),
    cache=Cache.public(3600),
    localized="all",
)
async def get_charities(request: web.Request) -> Page[answers.CharityOption]:
    """Configuration: one short page."""
    return Page(items=views.charities(request.app[POINTS]), next_cursor=None)
