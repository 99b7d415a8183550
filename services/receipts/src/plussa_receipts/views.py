"""Read-only queries of a person's receipts: no domain rules change here."""

import asyncio

from plussa_receipts.context import ReceiptsContext
from plussa_receipts.domain.enrolment import Enrolment
from plussa_receipts.domain.errors import InvalidDateRangeError, ReceiptNotFoundError
from plussa_receipts.domain.receipt import WarrantyReceipt
from plussa_receipts.domain.search_text import ReceiptQuery
from plussa_shared.errors import field_error
from plussa_shared.languages import Language


async def enrolment(ctx: ReceiptsContext, person_id: str) -> Enrolment:
    """Whether the person has the service on."""
    return await ctx.store.enrolment(None, person_id)


async def receipt(ctx: ReceiptsContext, person_id: str, receipt_id: str) -> WarrantyReceipt:
    """The person's visible receipt; another person's, a deleted or an expired one answer alike."""
    found = await ctx.store.receipt(None, person_id, receipt_id, ctx.now().date())
    if found is None:
        raise ReceiptNotFoundError()
    return found


async def receipt_pdf(ctx: ReceiptsContext, person_id: str, receipt_id: str, language: Language) -> bytes:
    """The printable receipt in ``language``."""
    found = await receipt(ctx, person_id, receipt_id)
    # Rendering takes tens of milliseconds of CPU: a worker thread keeps other requests moving.
    return await asyncio.to_thread(ctx.pdf.render, found, language)


async def search(
    ctx: ReceiptsContext, query: ReceiptQuery, *, limit: int, cursor: str | None
) -> tuple[list[WarrantyReceipt], str | None]:
    """A page of the person's receipts, newest first, and the next page's cursor."""
    if query.purchased_from and query.purchased_to and query.purchased_from > query.purchased_to:
        raise InvalidDateRangeError(errors=[field_error("inverted", "from is after to", parameter="from")])
    return await ctx.store.search(query, limit=limit, cursor=cursor)
