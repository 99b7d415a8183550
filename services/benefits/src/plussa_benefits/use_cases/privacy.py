"""A person's data export and erasure, answering identity's requests.

Erasure deletes what describes the person (features, offers held, memberships) and
keeps, without the person, what others' figures rest on: redemptions (the campaign
points already credited) and sponsorship shares (a store's totals per cause).
"""

from typing import Any

from plussa_benefits.context import BenefitsContext
from plussa_benefits.events.published import ErasureCompleted, ExportCompleted
from plussa_shared.context import UnitOfWork
from plussa_shared.privacy import PrivacyParticipant

ERASED = "erased"


async def export(ctx: BenefitsContext, person_id: str) -> dict[str, Any]:
    """Everything held about the person."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return await ctx.store.person_data(person_id, uow.session)

    return await ctx.run(work)


async def erase(ctx: BenefitsContext, person_id: str) -> None:
    """Delete the person's features, wallet and memberships; anonymise their redemptions and shares."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.erase_person(person_id, ERASED, uow.session)

    await ctx.run(work)


async def forget_household(ctx: BenefitsContext, household_id: str) -> None:
    """The household was the erased person's alone: what is kept no longer names it."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.forget_household(household_id, uow.session)

    await ctx.run(work)


PARTICIPANT = PrivacyParticipant[BenefitsContext](
    export=export,
    erase=erase,
    export_completed=ExportCompleted,
    erasure_completed=ErasureCompleted,
    forget_household=forget_household,
)
