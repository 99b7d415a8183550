"""A person's purchases and the household's statements."""

from typing import Literal

from aiohttp import web
from pydantic import Field

from plussa_points import answers, views
from plussa_points.domain.calendar import MONTH_PATTERN, month_of
from plussa_points.keys import POINTS
from plussa_points.routes import examples
from plussa_points.routes.me import CUSTOMER, MAIN_ONLY, me
from plussa_shared.keys import principal
from plussa_shared.paging import Page, PageQuery
from plussa_shared.routing import PreparedJson, RouteTable

routes = RouteTable(tag="purchases")


class MonthPageQuery(PageQuery):
    """A page of one calendar month; default the current one."""

    month: str | None = Field(default=None, pattern=MONTH_PATTERN, description="YYYY-MM; default this month")


class LatestQuery(PageQuery):
    """The latest purchases, the caller's own or (main holder) the household's."""

    scope: Literal["mine", "household"] = Field(
        default="mine", description="`household`: every member's purchases (main holder only)"
    )


@routes.get(
    "/v1/me/purchases",
    summary="My purchases of a month, with points per line",
    access=CUSTOMER,
    query=MonthPageQuery,
    response=answers.MonthPurchasesView,
    errors=(404,),
    operation_id="listMyMonthPurchases",
    description="The caller's own purchases counted in a month, newest first, with the points of each line "
    "and the month's totals. Every member, main or parallel, sees their own.",
    response_example=examples.MONTH_PURCHASES,
)
async def get_purchases(request: web.Request, query: MonthPageQuery) -> answers.MonthPurchasesView | PreparedJson:
    """A page of the month: one read, the membership check included."""
    ctx = request.app[POINTS]
    who = principal(request)
    month = query.month or month_of(ctx.now(), ctx.rules.zone)
    return await views.purchases(ctx, who.require_customer(), who.household_id, month, query.size, query.cursor)


@routes.get(
    "/v1/me/purchases/latest",
    summary="The latest purchases across months",
    access=CUSTOMER,
    query=LatestQuery,
    response=Page[answers.PurchaseView],
    errors=(403, 404),
    operation_id="listMyLatestPurchases",
    description="The latest purchases whatever their month, newest first (`limit` of them): the caller's own, "
    "or with `scope=household` every member's, each with whose card (`card_id`, `person_id`, `mine`). "
    "Every member sees their own; `scope=household` is for the main holder only (else 403).",
    response_example=examples.LATEST,
)
async def get_latest_purchases(request: web.Request, query: LatestQuery) -> Page[answers.PurchaseView]:
    """A page of the latest purchases."""
    ctx, member = await me(request)
    return await views.latest_purchases(ctx, member, query.scope, query.size, query.cursor)


@routes.get(
    "/v1/me/statements",
    summary="The months with a statement",
    access=CUSTOMER,
    query=PageQuery,
    response=Page[answers.StatementSummaryView],
    errors=(403, 404),
    operation_id="listMyStatements",
    description="The household's closed months, newest first, with each month's payout: the month picker of "
    "the statements page. " + MAIN_ONLY,
    response_example=examples.STATEMENTS,
)
async def get_statements(request: web.Request, query: PageQuery) -> Page[answers.StatementSummaryView]:
    """A page of closed months."""
    ctx, member = await me(request)
    return await views.statements(ctx, member, query.size, query.cursor)


@routes.get(
    "/v1/me/statements/{month}",
    summary="The household's statement of a month",
    access=CUSTOMER,
    response=answers.StatementView,
    errors=(403, 404, 422),
    operation_id="getMyStatement",
    description="A closed month step by step: points earned, grocery bonus, charity, conversion to Plussa "
    "money and what was carried over. 404 for a month not closed. " + MAIN_ONLY,
    response_example=examples.STATEMENT,
    path_patterns={"month": MONTH_PATTERN},
)
async def get_statement(request: web.Request, month: str) -> answers.StatementView:
    """One closed month."""
    ctx, member = await me(request)
    return await views.statement(ctx, member, month)
