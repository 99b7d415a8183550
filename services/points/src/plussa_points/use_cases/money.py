"""The main holder's choices for the household's money: saving and charity."""

from datetime import date

from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.domain.access import Member, require_main
from plussa_points.domain.calendar import local_midnight
from plussa_points.domain.choices import SavingsChoice, check_charity, check_release_date
from plussa_points.domain.ledger import Entry
from plussa_points.domain.statement import CharityChoice
from plussa_points.events.published import MoneySaved
from plussa_points.use_cases import household
from plussa_points.use_cases.expiry import release_savings


async def set_savings(ctx: PointsContext, member: Member, on: bool, release_on: date | None) -> SavingsChoice:
    """The main holder turns saving on (until a date) or off; the household's money follows at once."""
    require_main(member)
    household_id = member.household_id
    now = ctx.now()
    if not on:
        async with ctx.locks.hold(household_id):
            await release_savings(ctx, household_id, now, turn_off=True)
        return SavingsChoice(on=False)
    release = check_release_date(ctx.rules, release_on, now.astimezone(ctx.rules.zone).date())
    choice = SavingsChoice(on=True, release_on=release, release_at=local_midnight(release, ctx.rules.zone))

    async def work(uow: UnitOfWork) -> None:
        lots = await ctx.store.money.live_lots(household_id, now, uow.session)
        newly = sum(lot.remaining_cents for lot in lots if not lot.saved_until or lot.saved_until <= now)
        await ctx.store.money.save_until(lots, choice.release_at, uow.session)
        entries = []
        if newly:
            assert choice.release_at is not None
            details = {"action": "saved", "saved_cents": newly, "saved_until": choice.release_at}
            entry_id = f"savings:{household_id}:{now.isoformat()}"
            entries.append(Entry(entry_id, household_id, "savings", now, person_id=member.person_id, details=details))
            saved = MoneySaved(household_id=household_id, cents=newly, saved_until=choice.release_at, occurred_at=now)
            uow.publish(saved, household(household_id), now)
        await ctx.store.ledger.move_money(household_id, 0, entries, uow.session, upsert=True, savings=choice)

    async with ctx.locks.hold(household_id):
        await ctx.run(work)
    return choice


async def set_charity(
    ctx: PointsContext, member: Member, on: bool, charity_id: str | None, max_thousands: int | None
) -> CharityChoice | None:
    """The main holder sets up or cancels charity; it applies from the next month end on."""
    require_main(member)
    choice = None
    if on:
        check_charity(ctx.rules, charity_id, max_thousands)
        choice = CharityChoice(charity_id, max_thousands)
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.ledger.set_charity(member.household_id, choice, now, uow.session)

    await ctx.run(work)
    return choice
