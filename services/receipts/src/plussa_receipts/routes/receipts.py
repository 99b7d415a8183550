"""A person's warranty receipts: search, open, print, delete."""

from aiohttp import web

from plussa_receipts import views
from plussa_receipts.domain.search_text import ReceiptQuery
from plussa_receipts.keys import context
from plussa_receipts.routes.models import EXAMPLE_RECEIPT, ID_PATTERN, ReceiptOut, ReceiptsQuery
from plussa_receipts.use_cases import receipts
from plussa_shared.auth import Access
from plussa_shared.errors import NotFoundError
from plussa_shared.keys import principal
from plussa_shared.languages import language_of
from plussa_shared.paging import Page
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="receipts")

_ID = __import__("re").compile(ID_PATTERN)


def _receipt_id(value: str) -> str:
    # A malformed id answers like an unknown one: nothing to learn from the difference.
    if not _ID.fullmatch(value):
        raise NotFoundError("No such warranty receipt", slug="receipt-not-found")
    return value


@routes.get(
    "/v1/me/receipts",
    summary="My warranty receipts, newest first",
    access=Access.customers(),
    query=ReceiptsQuery,
    response=Page[ReceiptOut],
    errors=(422,),
    operation_id="listMyReceipts",
    description="The signed-in person's own receipts (a parallel holder sees only theirs), "
    "searchable by product text, store and purchase dates, a page at a time.",
    response_example=Page[ReceiptOut](items=[EXAMPLE_RECEIPT], next_cursor=None),
)
async def list_receipts(request: web.Request, query: ReceiptsQuery) -> Page[ReceiptOut]:
    """A page of receipts matching the search."""
    ctx = context(request)
    search = ReceiptQuery(
        person_id=principal(request).require_customer(),
        today=ctx.now().date(),
        text=query.q,
        store_id=query.store_id,
        purchased_from=query.purchased_from,
        purchased_to=query.purchased_to,
    )
    found, cursor = await views.search(ctx, search, limit=query.size, cursor=query.cursor)
    return Page[ReceiptOut](items=[ReceiptOut.of(r) for r in found], next_cursor=cursor)


@routes.get(
    "/v1/me/receipts/{receipt_id}",
    summary="One of my warranty receipts",
    access=Access.customers(),
    response=ReceiptOut,
    errors=(404,),
    operation_id="getMyReceipt",
    description="Another person's receipt, a deleted or an expired one all answer 404.",
    response_example=EXAMPLE_RECEIPT,
)
async def get_receipt(request: web.Request, receipt_id: str) -> ReceiptOut:
    """The receipt."""
    found = await views.receipt(context(request), principal(request).require_customer(), _receipt_id(receipt_id))
    return ReceiptOut.of(found)


@routes.get(
    "/v1/me/receipts/{receipt_id}/pdf",
    summary="One of my warranty receipts as a printable PDF",
    access=Access.customers(),
    errors=(404,),
    operation_id="getMyReceiptPdf",
    description="An A4 PDF (application/pdf) with the store, purchase date, products, prices, "
    "warranty ends and the purchase reference, in the language of Accept-Language (fi, sv, en).",
)
async def get_receipt_pdf(request: web.Request, receipt_id: str) -> web.Response:
    """The printable receipt."""
    language = language_of(request)
    document = await views.receipt_pdf(
        context(request), principal(request).require_customer(), _receipt_id(receipt_id), language
    )
    return web.Response(
        body=document,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="warranty-receipt-{receipt_id}.pdf"',
            "Content-Language": language,
            "Vary": "Accept-Language",
        },
    )


@routes.delete(
    "/v1/me/receipts/{receipt_id}",
    summary="Delete one of my warranty receipts",
    access=Access.customers(),
    status=204,
    errors=(404,),
    operation_id="deleteMyReceipt",
    description="The receipt is gone for good; another person's receipt answers 404.",
)
async def delete_receipt(request: web.Request, receipt_id: str) -> None:
    """Delete it."""
    await receipts.delete_receipt(context(request), principal(request).require_customer(), _receipt_id(receipt_id))
