"""What the points service holds about a person, for identity's privacy requests.

The shared privacy participant (``plussa_shared.privacy``) consumes the requests and
publishes the answers; these give what only points knows. Erasure anonymises
person-level details and keeps the amounts and points accounting law requires.
"""

from typing import Any

from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.events.published import ErasureCompleted, ExportCompleted
from plussa_shared.privacy import PrivacyParticipant, household_subject


async def export(ctx: PointsContext, person_id: str) -> dict[str, Any]:
    """The person's purchases, points entries and monthly totals."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return await ctx.store.person.export(person_id, uow.session)

    return await ctx.run(work)


async def erase(ctx: PointsContext, person_id: str) -> None:
    """Anonymise the person's details; keep the household's amounts."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.person.erase(person_id, uow.session)

    await ctx.run(work)


async def forget_household(ctx: PointsContext, household_id: str) -> None:
    """The household was the erased person's alone: its records keep no id of it."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.person.forget_household(household_id, uow.session)

    await ctx.run(work)


PARTICIPANT: PrivacyParticipant[PointsContext] = PrivacyParticipant(
    export=export,
    erase=erase,
    export_completed=ExportCompleted,
    erasure_completed=ErasureCompleted,
    subject=household_subject,
    forget_household=forget_household,
)
