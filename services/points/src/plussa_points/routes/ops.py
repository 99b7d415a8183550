"""Customer service's view of purchases that could not be credited, and re-applying them."""

from datetime import datetime

from aiohttp import web
from pydantic import model_validator

from plussa_points import answers, views
from plussa_points.events.consumed import CardNumber
from plussa_points.keys import POINTS
from plussa_points.routes import not_known_yet_is_invalid
from plussa_points.routes.ingest import RecordedOut
from plussa_points.use_cases import rejected
from plussa_shared.auth import Access
from plussa_shared.money import Money
from plussa_shared.paging import Page, PageQuery
from plussa_shared.routing import RouteTable
from plussa_shared.strict import Id

routes = RouteTable(tag="ops")
OPS = Access.services("ops")
WHO = "Customer service, with the `ops` scope."


class RejectedQuery(PageQuery):
    """Which rejected purchases: a card's, or one purchase."""

    card_number: CardNumber | None = None
    purchase_id: Id | None = None

    @model_validator(mode="after")
    def _one_of(self) -> "RejectedQuery":
        if (self.card_number is None) == (self.purchase_id is None):
            raise ValueError("name either card_number or purchase_id")
        return self


EXAMPLE = answers.RejectedPurchaseView(
    purchase_id="k-citymarket-1042-77812",
    card_number="1111222233334444",
    store_id="k-citymarket-1042",
    occurred_at=datetime.fromisoformat("2026-03-10T14:05:00+00:00"),
    total=Money.eur(1999),
    reason="unknown-card",
    detail="No card with this number is known",
    attempts=3,
    first_rejected_at=datetime.fromisoformat("2026-03-10T14:05:01+00:00"),
    last_rejected_at=datetime.fromisoformat("2026-03-10T14:05:31+00:00"),
    state="rejected",
)


@routes.get(
    "/v1/ops/rejected-purchases",
    summary="Purchases that could not be credited",
    access=OPS,
    query=RejectedQuery,
    response=Page[answers.RejectedPurchaseView],
    errors=(422,),
    operation_id="listRejectedPurchases",
    description="By `card_number` (newest first) or by `purchase_id`: each purchase refused for an unknown or "
    "blocked card or impossible content, with the reason and whether it has been credited since. " + WHO,
    response_example=Page(items=[EXAMPLE], next_cursor=None),
)
async def list_rejected(request: web.Request, query: RejectedQuery) -> Page[answers.RejectedPurchaseView]:
    """A page of records."""
    ctx = request.app[POINTS]
    return await views.rejected_purchases(ctx, query.card_number, query.purchase_id, query.size, query.cursor)


@routes.post(
    "/v1/ops/rejected-purchases/{purchase_id}/reapply",
    summary="Apply a rejected purchase again",
    access=OPS,
    response=RecordedOut,
    errors=(404, 409, 422),
    operation_id="reapplyRejectedPurchase",
    description="Once the cause is fixed (the card became known), credits the purchase as it arrived, exactly "
    "once: a purchase credited since (here or by replaying its dead letter) answers `duplicate: true`. Still "
    "refused: 422 with the reason, which the record keeps. " + WHO,
    response_example=RecordedOut(reference="k-citymarket-1042-77812", month="2026-03", points=19, duplicate=False),
    idempotent=True,
)
async def reapply(request: web.Request, purchase_id: str) -> RecordedOut:
    """Re-apply one."""
    with not_known_yet_is_invalid():
        done = await rejected.reapply(request.app[POINTS], purchase_id)
    return RecordedOut(reference=done.reference, month=done.month, points=done.points, duplicate=done.duplicate)
