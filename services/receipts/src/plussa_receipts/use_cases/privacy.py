"""A person's warranty receipts in their data export, and gone on erasure."""

from typing import Any

from plussa_receipts.context import ReceiptsContext
from plussa_receipts.events.published import ErasureCompleted, ExportCompleted
from plussa_receipts.routes.models import ReceiptOut
from plussa_shared.context import UnitOfWork
from plussa_shared.privacy import PrivacyParticipant


async def export(ctx: ReceiptsContext, person_id: str) -> dict[str, Any]:
    """The person's choice and every receipt kept for them."""
    enrolment = await ctx.store.enrolment(None, person_id)
    receipts = await ctx.store.receipts_of(person_id)
    return {
        "receipt_service": {"enabled": enrolment.enabled, "enabled_at": enrolment.enabled_at},
        "receipts": [ReceiptOut.of(receipt).model_dump(mode="json") for receipt in receipts],
    }


async def erase(ctx: ReceiptsContext, person_id: str) -> None:
    """Delete the person's receipts and choice, and forget whose their cards were."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.delete_receipts_of(uow, person_id)
        await ctx.store.delete_enrolment(uow, person_id)
        await ctx.store.forget_person_cards(uow, person_id)

    await ctx.run(work)


PARTICIPANT = PrivacyParticipant[ReceiptsContext](
    export=export, erase=erase, export_completed=ExportCompleted, erasure_completed=ErasureCompleted
)
