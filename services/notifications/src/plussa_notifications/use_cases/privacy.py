"""A person's data export and erasure: what the notifications service holds about them."""

from typing import Any

from plussa_notifications.context import NotificationsContext
from plussa_notifications.events.published import ErasureCompleted, ExportCompleted
from plussa_shared.context import UnitOfWork
from plussa_shared.privacy import PrivacyParticipant


async def export(ctx: NotificationsContext, person_id: str) -> dict[str, Any]:
    """The address and language known, the current consents, the consent history and the
    messages (kind, status, times; never a link)."""
    return await ctx.store.export(person_id)


async def erase(ctx: NotificationsContext, person_id: str) -> None:
    """Forget the person: address, consents and their history, messages."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.erase(person_id, uow.session)

    await ctx.run(work)


PARTICIPANT: PrivacyParticipant[NotificationsContext] = PrivacyParticipant(
    export=export, erase=erase, export_completed=ExportCompleted, erasure_completed=ErasureCompleted
)
