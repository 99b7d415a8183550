"""What store systems do with their service credential: parallel cards and temporary cards."""

from aiohttp import web

from plussa_cards.keys import context
from plussa_cards.routes import examples as ex
from plussa_cards.routes.models import CardNumberText, CardOut, ParallelHolderOut, PersonIn, StoreId, Strict
from plussa_cards.use_cases import household, temporary_cards
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="stores")

ISSUE = "cards:issue"


class StoreParallelCardIn(PersonIn):
    """A parallel card ordered in a store: the main holder shows their card."""

    store_id: StoreId
    main_card_number: CardNumberText


class TemporaryCardIn(Strict):
    """The store handing over a temporary card."""

    store_id: StoreId


@routes.post(
    "/v1/stores/parallel-cards",
    summary="Order a parallel card in a store for the household of the main holder's card",
    access=Access.services(ISSUE),
    body=StoreParallelCardIn,
    response=ParallelHolderOut,
    status=201,
    errors=(403, 404, 409, 422),
    operation_id="orderParallelCardInStore",
    description=(
        "A store system orders a parallel card for the household of the main holder's card it was shown; "
        "the parallel card is handed over and active at once."
    ),
    request_example={**ex.PERSON, "store_id": "k-citymarket-tampere-1", "main_card_number": "6040121234567897"},
    response_example=ex.PARALLEL_HOLDER,
    idempotent=True,
    location="/v1/cards/{card[card_id]}",
)
async def order_parallel_card(request: web.Request, body: StoreParallelCardIn) -> ParallelHolderOut:
    """The parallel card is handed over and active at once."""
    ctx = context(request)
    added = await household.order_parallel_card_in_store(ctx, body.main_card_number, body.details(), body.store_id)
    return ParallelHolderOut(
        person_id=added.member.person_id,
        household_id=added.member.household_id,
        can_use_money=added.member.may_use_money,
        card=CardOut.of(added.card, ctx.today()),
    )


@routes.post(
    "/v1/stores/temporary-cards",
    summary="Issue a temporary card: it collects points, cannot spend, and expires unless linked",
    access=Access.services(ISSUE),
    body=TemporaryCardIn,
    response=CardOut,
    status=201,
    errors=(422,),
    operation_id="issueTemporaryCard",
    description=(
        "A store system hands over a temporary card: it collects points at once, never spends, and "
        "expires unless a member links it in time."
    ),
    request_example={"store_id": "k-citymarket-tampere-1"},
    response_example=ex.card(
        kind="temporary", household_id=None, person_id=None, can_spend=False, valid_until="2026-06-30"
    ),
    idempotent=True,
    location="/v1/cards/{card_id}",
)
async def issue_temporary_card(request: web.Request, body: TemporaryCardIn) -> CardOut:
    """The card is active at once, on no account until a member links it."""
    ctx = context(request)
    return CardOut.of(await temporary_cards.issue_temporary_card(ctx, body.store_id), ctx.today())
