"""Purchases and returns over HTTP, for store systems that cannot publish events."""

from aiohttp import web
from pydantic import BaseModel, Field

from plussa_points import views
from plussa_points.events.consumed import PurchaseCompleted, PurchaseReturned
from plussa_points.keys import POINTS
from plussa_points.routes import not_known_yet_is_invalid
from plussa_points.use_cases import ingest, returns
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="ingest")
INGEST = Access.services("points:ingest")
WHO = "A store system with the `points:ingest` scope."


class RecordedOut(BaseModel):
    """What was recorded: the month it counts in and its points (negative for a return)."""

    reference: str = Field(description="The purchase id or return id")
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="The month it counts in")
    points: int
    duplicate: bool = Field(description="True when the same content had been recorded before")


PURCHASE_EXAMPLE = PurchaseCompleted.model_validate(
    {
        "purchase_id": "k-citymarket-1042-77812",
        "card_number": "1111222233334444",
        "store_id": "k-citymarket-1042",
        "store_name": "K-Citymarket Ruoholahti",
        "chain": "k-citymarket",
        "occurred_at": "2026-03-10T14:05:00Z",
        "payment": {"method": "cash", "network_token": None},
        "lines": [
            {
                "line_id": "1",
                "product_id": "6410405082657",
                "name": "Kahvi 500 g",
                "category": "grocery",
                "quantity": 1,
                "unit_price_cents": 1999,
                "amount_cents": 1999,
            },
        ],
        "total_cents": 1999,
    }
)
RETURN_EXAMPLE = PurchaseReturned.model_validate(
    {
        "return_id": "k-citymarket-1042-r-991",
        "purchase_id": "k-citymarket-1042-77812",
        "card_number": "1111222233334444",
        "store_id": "k-citymarket-1042",
        "occurred_at": "2026-03-12T09:00:00Z",
        "lines": [{"line_id": "1", "quantity": 1, "amount_cents": 1999}],
    }
)


@routes.post(
    "/v1/purchases",
    summary="Record a completed purchase",
    access=INGEST,
    body=PurchaseCompleted,
    response=RecordedOut,
    status=201,
    errors=(409, 422),
    operation_id="recordPurchase",
    description="Credits the purchase's points to the card's household, once per `purchase_id` (the same "
    "content again answers what was recorded, `duplicate: true`; other content under a used id is 409). "
    "A purchase that cannot be credited (unknown or blocked card, impossible figures or time) is 422 and is "
    "kept for customer service. " + WHO,
    request_example=PURCHASE_EXAMPLE,
    response_example=RecordedOut(reference="k-citymarket-1042-77812", month="2026-03", points=19, duplicate=False),
    idempotent=True,
    location="/v1/purchases/{reference}",
)
async def post_purchase(request: web.Request, body: PurchaseCompleted) -> RecordedOut:
    """Idempotent on ``purchase_id``: sending it again answers what was recorded."""
    with not_known_yet_is_invalid():
        done = await ingest.record_purchase(request.app[POINTS], body)
    return RecordedOut(reference=done.reference, month=done.month, points=done.points, duplicate=done.duplicate)


@routes.get(
    "/v1/purchases/{purchase_id}",
    summary="What was recorded of a purchase",
    access=INGEST,
    response=RecordedOut,
    errors=(404,),
    operation_id="getRecordedPurchase",
    description="The month a recorded purchase counts in and its points. " + WHO,
    response_example=RecordedOut(reference="k-citymarket-1042-77812", month="2026-03", points=19, duplicate=False),
)
async def get_purchase(request: web.Request, purchase_id: str) -> RecordedOut:
    """A recorded purchase, 404 when none."""
    done = await views.recorded(request.app[POINTS], "purchase", purchase_id)
    return RecordedOut(reference=done.reference, month=done.month, points=done.points, duplicate=False)


@routes.post(
    "/v1/returns",
    summary="Record a return of purchase lines",
    access=INGEST,
    body=PurchaseReturned,
    response=RecordedOut,
    status=201,
    errors=(409, 422),
    operation_id="recordReturn",
    description="Reverses the returned lines' points in the month of the return, once per `return_id`; "
    "never more than was bought. " + WHO,
    request_example=RETURN_EXAMPLE,
    response_example=RecordedOut(reference="k-citymarket-1042-r-991", month="2026-03", points=-19, duplicate=False),
    idempotent=True,
    location="/v1/returns/{reference}",
)
async def post_return(request: web.Request, body: PurchaseReturned) -> RecordedOut:
    """Idempotent on ``return_id``; reverses the returned lines' points."""
    with not_known_yet_is_invalid():
        done = await returns.record_return(request.app[POINTS], body)
    return RecordedOut(reference=done.reference, month=done.month, points=-done.points, duplicate=done.duplicate)


@routes.get(
    "/v1/returns/{return_id}",
    summary="What was recorded of a return",
    access=INGEST,
    response=RecordedOut,
    errors=(404,),
    operation_id="getRecordedReturn",
    description="The month a recorded return counts in and the points it reversed (negative). " + WHO,
    response_example=RecordedOut(reference="k-citymarket-1042-r-991", month="2026-03", points=-19, duplicate=False),
)
async def get_return(request: web.Request, return_id: str) -> RecordedOut:
    """A recorded return, 404 when none."""
    done = await views.recorded(request.app[POINTS], "return", return_id)
    return RecordedOut(reference=done.reference, month=done.month, points=-done.points, duplicate=False)
