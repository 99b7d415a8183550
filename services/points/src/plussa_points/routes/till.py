"""Spending Plussa money at a till."""

from aiohttp import web
from pydantic import BaseModel, Field

from plussa_points.domain.till import Spend
from plussa_points.keys import POINTS
from plussa_points.routes import not_known_yet_is_invalid
from plussa_points.use_cases import till
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="till")
SPEND = Access.services("points:spend")


class SpendIn(BaseModel):
    """A till's request to use the household's money as a discount."""

    till_transaction_id: str = Field(min_length=1, max_length=100)
    card_number: str = Field(pattern=r"^\d{16}$")
    amount_cents: int


class SpendOut(BaseModel):
    """What the till takes off the total, and what stays usable."""

    till_transaction_id: str
    spent_cents: int
    remaining_cents: int
    state: str


def _out(result: Spend) -> SpendOut:
    return SpendOut(
        till_transaction_id=result.till_transaction_id,
        spent_cents=result.spent_cents,
        remaining_cents=result.remaining_cents,
        state=result.state,
    )


@routes.post(
    "/v1/till/spends",
    summary="Use Plussa money for a purchase",
    access=SPEND,
    body=SpendIn,
    response=SpendOut,
    errors=(403, 409, 422),
)
async def post_spend(request: web.Request, body: SpendIn) -> SpendOut:
    """Oldest lots first, never more than the balance; idempotent per till transaction."""
    with not_known_yet_is_invalid():
        result = await till.spend(request.app[POINTS], body.till_transaction_id, body.card_number, body.amount_cents)
    return _out(result)


@routes.post(
    "/v1/till/spends/{till_transaction_id}/cancel",
    summary="Give a spend's money back",
    access=SPEND,
    response=SpendOut,
    errors=(404,),
)
async def cancel_spend(request: web.Request, till_transaction_id: str) -> SpendOut:
    """The purchase was cancelled or returned: the money goes back to its lots."""
    return _out(await till.cancel_spend(request.app[POINTS], till_transaction_id))
