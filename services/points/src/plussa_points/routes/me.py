"""What a signed-in person sees and sets, checked against this service's own membership records."""

from datetime import date

from aiohttp import web
from pydantic import BaseModel, Field

from plussa_points import views
from plussa_points.context import PointsContext
from plussa_points.domain.access import Member, require_money_access
from plussa_points.domain.calendar import MONTH_PATTERN, month_of
from plussa_points.keys import POINTS
from plussa_points.use_cases import money
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="me")
CUSTOMER = Access.customers()


async def _me(request: web.Request) -> tuple[PointsContext, Member]:
    ctx = request.app[POINTS]
    who = principal(request)
    person_id = who.require_customer()
    return ctx, await views.member(ctx, person_id, who.household_id)


class MonthQuery(BaseModel):
    """A calendar month; default the current one."""

    month: str | None = Field(default=None, pattern=MONTH_PATTERN)


class SavingsIn(BaseModel):
    """Turn saving on until a date, or off."""

    on: bool
    release_on: date | None = None


class CharityIn(BaseModel):
    """Donate to one charity (or split among all when none), all points or up to N thousands; or stop."""

    on: bool
    charity_id: str | None = Field(default=None, max_length=64)
    max_thousands: int | None = None


@routes.get("/v1/me/balance", summary="The household's Plussa money", access=CUSTOMER, response=views.BalanceView)
async def get_balance(request: web.Request) -> views.BalanceView:
    """Main holder, or a parallel holder with access."""
    ctx, me = await _me(request)
    return await views.balance(ctx, require_money_access(me))


@routes.get("/v1/me/lots", summary="Plussa money by payout, with expiry", access=CUSTOMER, response=list[views.LotView])
async def get_lots(request: web.Request) -> list[views.LotView]:
    """Main holder, or a parallel holder with access."""
    ctx, me = await _me(request)
    return await views.lots(ctx, require_money_access(me))


@routes.get("/v1/me/money-use", summary="How the money was used", access=CUSTOMER, response=list[views.MoneyUseView])
async def get_money_use(request: web.Request) -> list[views.MoneyUseView]:
    """Main holder, or a parallel holder with access."""
    ctx, me = await _me(request)
    return await views.money_use(ctx, require_money_access(me))


@routes.get(
    "/v1/me/purchases",
    summary="My purchases of a month, with points per line",
    access=CUSTOMER,
    query=MonthQuery,
    response=views.MonthPurchasesView,
)
async def get_purchases(request: web.Request, query: MonthQuery) -> views.MonthPurchasesView:
    """Every member sees their own purchases."""
    ctx, me = await _me(request)
    return await views.purchases(ctx, me, query.month or month_of(ctx.now(), ctx.rules.zone))


@routes.get(
    "/v1/me/statements/{month}",
    summary="The household's statement of a month",
    access=CUSTOMER,
    response=views.StatementView,
    errors=(403, 404),
)
async def get_statement(request: web.Request, month: str) -> views.StatementView:
    """Main holder only."""
    ctx, me = await _me(request)
    return await views.statement(ctx, me, month)


@routes.put(
    "/v1/me/savings",
    summary="Turn saving on or off",
    access=CUSTOMER,
    body=SavingsIn,
    response=views.SavingsView,
    errors=(403, 422),
)
async def put_savings(request: web.Request, body: SavingsIn) -> views.SavingsView:
    """Main holder only; applies at once to the household's money and future payouts."""
    ctx, me = await _me(request)
    return views.savings_view(await money.set_savings(ctx, me, body.on, body.release_on))


@routes.put(
    "/v1/me/charity",
    summary="Set up or cancel charity",
    access=CUSTOMER,
    body=CharityIn,
    response=views.CharityView,
    errors=(403, 422),
)
async def put_charity(request: web.Request, body: CharityIn) -> views.CharityView:
    """Main holder only; applies from the next month end on."""
    ctx, me = await _me(request)
    return views.charity_view(await money.set_charity(ctx, me, body.on, body.charity_id, body.max_thousands))


@routes.get(
    "/v1/charities", summary="The charities to choose from", access=CUSTOMER, response=list[views.CharityOption]
)
async def get_charities(request: web.Request) -> list[views.CharityOption]:
    """Configuration."""
    return views.charities(request.app[POINTS])
