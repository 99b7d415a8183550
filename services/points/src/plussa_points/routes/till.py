"""Spending Plussa money at a till."""

from aiohttp import web
from pydantic import BaseModel, Field, StrictInt

from plussa_points.domain.till import Spend
from plussa_points.events.consumed import CardNumber
from plussa_points.keys import POINTS
from plussa_points.routes import not_known_yet_is_invalid
from plussa_points.use_cases import till
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable
from plussa_shared.strict import Id

routes = RouteTable(tag="till")
SPEND = Access.services("points:spend")
WHO = "A till with the `points:spend` scope."


class SpendIn(BaseModel):
    """A till's request to use the household's money as a discount."""

    till_transaction_id: Id
    card_number: CardNumber
    amount_cents: StrictInt = Field(description="The most the till would take off, in cents")


class SpendOut(BaseModel):
    """What the till takes off the total, and what stays usable."""

    till_transaction_id: str
    spent_cents: int
    remaining_cents: int
    state: str = Field(json_schema_extra={"enum": ["spent", "cancelled"]})


SPENT = SpendOut(till_transaction_id="till-7781", spent_cents=300, remaining_cents=934, state="spent")


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
    status=201,
    errors=(403, 409, 422),
    operation_id="spendPlussaMoney",
    description="Takes up to `amount_cents` of the household's spendable money, oldest payment first, never "
    "more than the balance however many members pay at once; once per `till_transaction_id`. A parallel "
    "holder's card needs the main holder's permission (403). " + WHO,
    request_example=SpendIn(till_transaction_id="till-7781", card_number="1111222233334444", amount_cents=300),
    response_example=SPENT,
    idempotent=True,
    location="/v1/till/spends/{till_transaction_id}",
)
async def post_spend(request: web.Request, body: SpendIn) -> SpendOut:
    """Oldest lots first, never more than the balance; idempotent per till transaction."""
    with not_known_yet_is_invalid():
        result = await till.spend(request.app[POINTS], body.till_transaction_id, body.card_number, body.amount_cents)
    return _out(result)


@routes.get(
    "/v1/till/spends/{till_transaction_id}",
    summary="A spend as recorded",
    access=SPEND,
    response=SpendOut,
    errors=(404,),
    operation_id="getSpend",
    description="What a till transaction took and whether it was cancelled. " + WHO,
    response_example=SPENT,
)
async def get_spend(request: web.Request, till_transaction_id: str) -> SpendOut:
    """A recorded spend, 404 when none."""
    return _out(await till.recorded_spend(request.app[POINTS], till_transaction_id))


@routes.post(
    "/v1/till/spends/{till_transaction_id}/cancel",
    summary="Give a spend's money back",
    access=SPEND,
    response=SpendOut,
    errors=(404,),
    operation_id="cancelSpend",
    description="The purchase was cancelled or returned: the money goes back to the lots it came from, "
    "once (cancelling again answers the same). " + WHO,
    response_example=SpendOut(
        till_transaction_id="till-7781", spent_cents=300, remaining_cents=1234, state="cancelled"
    ),
    idempotent=True,
)
async def cancel_spend(request: web.Request, till_transaction_id: str) -> SpendOut:
    """The purchase was cancelled or returned: the money goes back to its lots."""
    return _out(await till.cancel_spend(request.app[POINTS], till_transaction_id))
