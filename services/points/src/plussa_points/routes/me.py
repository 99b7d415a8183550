"""The household's money and the main holder's choices, checked against this service's
own membership records."""

from datetime import date

from aiohttp import web
from pydantic import BaseModel, Field

from plussa_points import answers, views
from plussa_points.context import PointsContext
from plussa_points.domain.access import Member, require_money_access
from plussa_points.keys import POINTS
from plussa_points.routes import examples
from plussa_points.use_cases import money
from plussa_shared.auth import Access
from plussa_shared.errors import ValidationFailedError, field_error
from plussa_shared.keys import principal
from plussa_shared.money import Money
from plussa_shared.paging import Page, PageQuery
from plussa_shared.routing import RouteTable
from plussa_shared.strict import Id

routes = RouteTable(tag="me")
CUSTOMER = Access.customers()
MONEY_READERS = "The main holder, or a parallel holder the main holder gave access to the money (else 403)."
MAIN_ONLY = "The main holder only (else 403)."


async def me(request: web.Request) -> tuple[PointsContext, Member]:
    """The service's context and the caller's active membership (404 when none)."""
    ctx = request.app[POINTS]
    who = principal(request)
    person_id = who.require_customer()
    return ctx, await views.member(ctx, person_id, who.household_id)


class SavingsIn(BaseModel):
    """Turn saving on until a date (all of each payment, or a chosen amount), or off."""

    on: bool
    release_on: date | None = Field(default=None, description="After today, at most 12 months ahead; needed when on")
    amount: Money | None = Field(
        default=None, description="Whole euros of each payment, at most the money coming; omit to save all of it"
    )


class CharityIn(BaseModel):
    """Donate to one charity (or split among all when none), all points or up to N thousands; or stop."""

    on: bool
    charity_id: Id | None = Field(default=None, max_length=64)
    max_thousands: int | None = Field(default=None, ge=1, le=1_000_000)


@routes.get(
    "/v1/me/balance",
    summary="The household's Plussa money, points and grocery progress",
    access=CUSTOMER,
    response=answers.BalanceView,
    errors=(403, 404),
    operation_id="getMyBalance",
    description="Everything the front page shows in one call: money spendable, saved and pending, the money "
    "the next month end would pay, the grocery bonus steps with this month's spend, the step reached and the "
    "gap to the next, the amount and time of the next expiry, status and choices. " + MONEY_READERS,
    response_example=examples.BALANCE,
)
async def get_balance(request: web.Request) -> answers.BalanceView:
    """One read of the household's read model, which also lists its active members."""
    ctx = request.app[POINTS]
    who = principal(request)
    member, doc = await views.member_and_balance(ctx, who.require_customer(), who.household_id)
    return await views.balance(ctx, require_money_access(member), doc)


@routes.get(
    "/v1/me/lots",
    summary="Plussa money by payout, with expiry",
    access=CUSTOMER,
    query=PageQuery,
    response=Page[answers.LotView],
    errors=(403, 404),
    operation_id="listMyMoneyLots",
    description="Each month's payout with money left, oldest first (spent and expiring first). " + MONEY_READERS,
    response_example=examples.LOTS,
)
async def get_lots(request: web.Request, query: PageQuery) -> Page[answers.LotView]:
    """A page of lots."""
    ctx, member = await me(request)
    return await views.lots(ctx, require_money_access(member), query.size, query.cursor)


@routes.get(
    "/v1/me/money-use",
    summary="How the money was used",
    access=CUSTOMER,
    query=PageQuery,
    response=Page[answers.MoneyUseView],
    errors=(403, 404),
    operation_id="listMyMoneyUse",
    description="Payouts, spends, expiries, savings and donations, newest first; `amount` is negative when "
    "money left the account. " + MONEY_READERS,
    response_example=examples.MONEY_USE,
)
async def get_money_use(request: web.Request, query: PageQuery) -> Page[answers.MoneyUseView]:
    """A page of movements."""
    ctx, member = await me(request)
    return await views.money_use(ctx, require_money_access(member), query.size, query.cursor)


@routes.get(
    "/v1/me/savings",
    summary="The household's savings choice",
    access=CUSTOMER,
    response=answers.SavingsView,
    errors=(403, 404),
    operation_id="getMySavings",
    description="Whether saving is on, until when and how much of each payment, with its version "
    "(`ETag`). " + MAIN_ONLY,
    response_example=examples.SAVINGS,
    etag="version",
)
async def get_savings(request: web.Request) -> answers.SavingsView:
    """The choice and its version."""
    ctx, member = await me(request)
    return await views.savings(ctx, member)


@routes.put(
    "/v1/me/savings",
    summary="Turn saving on or off",
    access=CUSTOMER,
    body=SavingsIn,
    response=answers.SavingsView,
    errors=(403, 404, 412, 422),
    operation_id="setMySavings",
    description="Saving all of the money keeps what is paid already off the till too; saving a chosen amount "
    "keeps that much of each coming payment. Turning it off returns the saved money to the till at once. "
    "With `If-Match` the change goes ahead only on that version (412 otherwise, nothing changed). " + MAIN_ONLY,
    request_example=SavingsIn(on=True, release_on=date(2026, 12, 1), amount=Money.eur(1000)),
    response_example=examples.SAVINGS,
    etag="version",
    conditional=True,
)
async def put_savings(request: web.Request, body: SavingsIn, expected_version: int | None) -> answers.SavingsView:
    """Applies at once to the household's money and future payouts."""
    ctx, member = await me(request)
    asked = money.SavingsRequest(body.on, body.release_on, _cents(body.amount))
    choice, version = await money.set_savings(ctx, member, asked, expected_version)
    amount = Money.eur(choice.amount_cents) if choice.amount_cents is not None else None
    return answers.SavingsView(on=choice.on, release_on=choice.release_on, amount=amount, version=version)


@routes.get(
    "/v1/me/charity",
    summary="The household's charity choice",
    access=CUSTOMER,
    response=answers.CharityView,
    errors=(403, 404),
    operation_id="getMyCharity",
    description="Which charity the month's points go to, and how many thousands, with its version (`ETag`). "
    + MAIN_ONLY,
    response_example=examples.CHARITY,
    etag="version",
)
async def get_charity(request: web.Request) -> answers.CharityView:
    """The choice and its version."""
    ctx, member = await me(request)
    return await views.charity(ctx, member)


@routes.put(
    "/v1/me/charity",
    summary="Set up or cancel charity",
    access=CUSTOMER,
    body=CharityIn,
    response=answers.CharityView,
    errors=(403, 404, 412, 422),
    operation_id="setMyCharity",
    description="Applies from the next month end on. With `If-Match` the change goes ahead only on that "
    "version (412 otherwise, nothing changed). " + MAIN_ONLY,
    request_example=CharityIn(on=True, charity_id="unicef", max_thousands=2),
    response_example=examples.CHARITY,
    etag="version",
    conditional=True,
)
async def put_charity(request: web.Request, body: CharityIn, expected_version: int | None) -> answers.CharityView:
    """Set up or cancel."""
    ctx, member = await me(request)
    choice, version = await money.set_charity(
        ctx, member, body.on, body.charity_id, body.max_thousands, expected_version
    )
    if choice is None:
        return answers.CharityView(on=False, version=version)
    return answers.CharityView(
        on=True, charity_id=choice.charity_id, max_thousands=choice.max_thousands, version=version
    )


def _cents(amount: Money | None) -> int | None:
    if amount is None:
        return None
    if amount.currency != "EUR":
        raise ValidationFailedError(
            errors=[field_error("currency", "Plussa money is in EUR", pointer="/amount/currency")]
        )
    return amount.amount
