"""Purchases and returns over HTTP, for store systems that cannot publish events."""

from aiohttp import web
from pydantic import BaseModel

from plussa_points.events.consumed import PurchaseCompleted, PurchaseReturned
from plussa_points.keys import POINTS
from plussa_points.routes import not_known_yet_is_invalid
from plussa_points.use_cases import ingest, returns
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="ingest")
INGEST = Access.services("points:ingest")


class RecordedOut(BaseModel):
    """What was recorded: the month it counts in and its points (negative for a return)."""

    reference: str
    month: str
    points: int
    duplicate: bool


@routes.post(
    "/v1/purchases",
    summary="Record a completed purchase",
    access=INGEST,
    body=PurchaseCompleted,
    response=RecordedOut,
    status=201,
    errors=(409, 422),
)
async def post_purchase(request: web.Request, body: PurchaseCompleted) -> RecordedOut:
    """Idempotent on ``purchase_id``: sending it again answers what was recorded."""
    with not_known_yet_is_invalid():
        done = await ingest.record_purchase(request.app[POINTS], body)
    return RecordedOut(reference=done.reference, month=done.month, points=done.points, duplicate=done.duplicate)


@routes.post(
    "/v1/returns",
    summary="Record a return of purchase lines",
    access=INGEST,
    body=PurchaseReturned,
    response=RecordedOut,
    status=201,
    errors=(409, 422),
)
async def post_return(request: web.Request, body: PurchaseReturned) -> RecordedOut:
    """Idempotent on ``return_id``; reverses the returned lines' points."""
    with not_known_yet_is_invalid():
        done = await returns.record_return(request.app[POINTS], body)
    return RecordedOut(reference=done.reference, month=done.month, points=-done.points, duplicate=done.duplicate)
