"""Store sponsorship: programmes, joining causes, month closing."""

from plussa_benefits.context import BenefitsContext
from plussa_benefits.domain.errors import NotJoinedError
from plussa_benefits.domain.sponsorship import Cause, Membership, MonthTotals, Programme, require_programme
from plussa_benefits.events.published import (
    CauseTotal,
    SponsorshipJoined,
    SponsorshipLeft,
    SponsorshipMonthClosed,
    SponsorshipSwitched,
)
from plussa_shared.context import UnitOfWork


async def run_programme(
    ctx: BenefitsContext, store_id: str, causes: tuple[Cause, ...], share_basis_points: int | None, active: bool
) -> Programme:
    """Start or change a store's programme: its causes and share (default 1 %)."""

    async def work(uow: UnitOfWork) -> Programme:
        current = await ctx.sponsorship.programme(store_id, uow.session)
        share = share_basis_points or ctx.settings.default_share_basis_points
        programme = Programme(store_id, causes, share, active, (current.version + 1) if current else 1)
        programme.check()
        await ctx.sponsorship.save_programme(programme, uow.session)
        return programme

    return await ctx.run(work)


async def join_cause(ctx: BenefitsContext, person_id: str, store_id: str, cause_id: str) -> Membership:
    """Join (or switch to) a cause of the store's programme, from now on."""

    async def work(uow: UnitOfWork) -> Membership:
        programme = require_programme(await ctx.sponsorship.programme(store_id, uow.session))
        membership = await ctx.sponsorship.membership(person_id, store_id, uow.session)
        now = ctx.now()
        if membership is None:
            membership = Membership.join(programme, person_id, cause_id, now)
            uow.publish(
                SponsorshipJoined(person_id=person_id, store_id=store_id, cause_id=cause_id, occurred_at=now),
                f"store/{store_id}",
            )
        elif membership.cause_id != cause_id:
            previous = membership.switch(programme, cause_id, now)
            uow.publish(
                SponsorshipSwitched(
                    person_id=person_id,
                    store_id=store_id,
                    cause_id=cause_id,
                    previous_cause_id=previous,
                    occurred_at=now,
                ),
                f"store/{store_id}",
            )
        await ctx.sponsorship.save_membership(membership, uow.session)
        return membership

    return await ctx.run(work)


async def leave_cause(ctx: BenefitsContext, person_id: str, store_id: str) -> None:
    """Stop supporting the store's cause; later purchases give nothing."""

    async def work(uow: UnitOfWork) -> None:
        membership = await ctx.sponsorship.membership(person_id, store_id, uow.session)
        if membership is None:
            raise NotJoinedError("Not a member of the store's programme")
        left = membership.leave()
        await ctx.sponsorship.save_membership(membership, uow.session)
        uow.publish(
            SponsorshipLeft(person_id=person_id, store_id=store_id, cause_id=left, occurred_at=ctx.now()),
            f"store/{store_id}",
        )

    await ctx.run(work)


async def close_month(ctx: BenefitsContext, store_id: str, month: str) -> MonthTotals:
    """Close a store's month of totals once, after the month; publishes what each cause raised."""

    async def work(uow: UnitOfWork) -> MonthTotals:
        totals = await ctx.sponsorship.month(store_id, month, uow.session)
        now = ctx.now()
        totals.close(now, ctx.zone)
        await ctx.sponsorship.close(totals, uow.session)
        causes = [CauseTotal(cause_id=cause, cents=cents) for cause, cents in sorted(totals.totals.items())]
        closed = SponsorshipMonthClosed(
            store_id=store_id, month=month, totals=causes, total_cents=sum(totals.totals.values()), occurred_at=now
        )
        uow.publish(closed, f"store/{store_id}")
        return totals

    return await ctx.run(work)


async def close_all(ctx: BenefitsContext, month: str) -> list[MonthTotals]:
    """Close ``month`` for every store with totals not yet closed (each store its own transaction)."""
    return [
        await close_month(ctx, store_id, month) for store_id in await ctx.sponsorship.stores_with_month(month, None)
    ]
