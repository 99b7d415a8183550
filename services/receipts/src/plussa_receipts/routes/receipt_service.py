"""The person's warranty receipt service: on or off."""

from aiohttp import web

from plussa_receipts import views
from plussa_receipts.keys import context
from plussa_receipts.routes.models import EXAMPLE_SERVICE, ReceiptService, ServiceChange
from plussa_receipts.use_cases import enrolment
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="receipt service")


@routes.get(
    "/v1/me/receipt-service",
    summary="Is my warranty receipt service on?",
    access=Access.customers(),
    response=ReceiptService,
    operation_id="getMyReceiptService",
    description="A signed-in person (main or parallel holder) reads their own choice; "
    "each person decides for their own purchases.",
    response_example=EXAMPLE_SERVICE,
    etag="version",
)
async def get_service(request: web.Request) -> ReceiptService:
    """The person's choice."""
    ctx = context(request)
    found = await views.enrolment(ctx, principal(request).require_customer())
    return ReceiptService.of(found, ctx.settings.receipt_chains)


@routes.put(
    "/v1/me/receipt-service",
    summary="Turn my warranty receipt service on or off",
    access=Access.customers(),
    body=ServiceChange,
    response=ReceiptService,
    errors=(412, 422),
    operation_id="setMyReceiptService",
    description="Purchases made after turning it on are saved in K-market, K-supermarket and "
    "K-citymarket stores. Turning it off stops saving; `keep_saved_receipts: false` also deletes "
    "what was saved. Send the ETag you read as If-Match to avoid overwriting a change made elsewhere.",
    request_example=ServiceChange(enabled=True),
    response_example=EXAMPLE_SERVICE,
    etag="version",
    conditional=True,
)
async def set_service(request: web.Request, body: ServiceChange, expected_version: int | None) -> ReceiptService:
    """Turn it on, or off keeping or deleting the saved receipts."""
    ctx = context(request)
    person_id = principal(request).require_customer()
    if body.enabled:
        changed = await enrolment.turn_on(ctx, person_id, expected_version=expected_version)
    else:
        changed = await enrolment.turn_off(
            ctx, person_id, keep_receipts=body.keep_saved_receipts, expected_version=expected_version
        )
    return ReceiptService.of(changed, ctx.settings.receipt_chains)
