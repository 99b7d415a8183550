"""Answering identity's privacy requests for what the points service holds about a person."""

from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.events.consumed import PrivacyRequested
from plussa_points.events.published import ErasureCompleted, ExportCompleted
from plussa_points.use_cases import household


async def export(ctx: PointsContext, data: PrivacyRequested) -> None:
    """Publish the person's purchases, points entries and monthly totals."""

    async def work(uow: UnitOfWork) -> None:
        payload = await ctx.store.person.export(data.person_id, uow.session)
        event = ExportCompleted(request_id=data.request_id, person_id=data.person_id, data=payload)
        uow.publish(event, household(data.household_id) if data.household_id else None)

    await ctx.run(work)


async def erase(ctx: PointsContext, data: PrivacyRequested) -> None:
    """Anonymise the person's details; keep the household's amounts."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.person.erase(data.person_id, uow.session)
        now = ctx.now()
        event = ErasureCompleted(request_id=data.request_id, person_id=data.person_id, occurred_at=now)
        uow.publish(event, household(data.household_id) if data.household_id else None, now)

    await ctx.run(work)
