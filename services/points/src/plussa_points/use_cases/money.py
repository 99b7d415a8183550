"""The main holder's choices for the household's money: saving and charity.

Both are versioned on the household's account: a change sent with ``If-Match`` goes
ahead only on the version the caller read, checked in the transaction that writes it.
"""

from dataclasses import dataclass
from datetime import date

from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.domain.access import Member, require_main
from plussa_points.domain.calendar import local_midnight, month_of
from plussa_points.domain.choices import SavingsChoice, check_charity, check_release_date, check_savings_amount
from plussa_points.domain.errors import require_version
from plussa_points.domain.ledger import Entry
from plussa_points.domain.progress import coming_payment_cents
from plussa_points.domain.statement import CharityChoice
from plussa_points.events.published import MoneySaved
from plussa_points.use_cases import household
from plussa_points.use_cases.expiry import release_savings


@dataclass(frozen=True)
class SavingsRequest:
    """What the main holder asks of saving."""

    on: bool
    release_on: date | None = None
    amount_cents: int | None = None
    """A chosen amount of each payment (whole euros); None saves all of it."""


async def set_savings(
    ctx: PointsContext, member: Member, request: SavingsRequest, expected_version: int | None = None
) -> tuple[SavingsChoice, int]:
    """The main holder turns saving on (until a date, all or a chosen amount of each
    payment) or off; the household's money follows at once. Returns the choice and its version."""
    require_main(member)
    household_id = member.household_id
    now = ctx.now()
    if not request.on:
        async with ctx.locks.hold(household_id):
            await release_savings(ctx, household_id, now, turn_off=True, expected_version=expected_version)
        return SavingsChoice(on=False), await _savings_version(ctx, household_id)
    release = check_release_date(ctx.rules, request.release_on, now.astimezone(ctx.rules.zone).date())
    view = await ctx.store.ledger.balance.of(household_id)
    grocery = view.get("grocery", {}).get(month_of(now, ctx.rules.zone), 0)
    amount = check_savings_amount(request.amount_cents, coming_payment_cents(ctx.rules, view.get("points", 0), grocery))
    choice = SavingsChoice(True, release, local_midnight(release, ctx.rules.zone), amount)

    async def work(uow: UnitOfWork) -> int:
        version, _ = await ctx.store.ledger.choice_versions(household_id, uow.session)
        require_version(version, expected_version)
        entries = []
        if choice.amount_cents is None:  # all of the money: what is paid already is kept too
            entries = await _save_paid_lots(ctx, uow, member, choice)
        await ctx.store.ledger.move_money(household_id, 0, entries, uow.session, upsert=True, savings=choice)
        return version + 1

    async with ctx.locks.hold(household_id):
        return choice, await ctx.run(work)


async def _save_paid_lots(ctx: PointsContext, uow: UnitOfWork, member: Member, choice: SavingsChoice) -> list[Entry]:
    household_id, now = member.household_id, ctx.now()
    lots = await ctx.store.money.live_lots(household_id, now, uow.session)
    newly = sum(lot.remaining_cents for lot in lots if not lot.saved_until or lot.saved_until <= now)
    await ctx.store.money.save_until(lots, choice.release_at, uow.session)
    if not newly:
        return []
    assert choice.release_at is not None
    details = {"action": "saved", "saved_cents": newly, "saved_until": choice.release_at}
    saved = MoneySaved(household_id=household_id, cents=newly, saved_until=choice.release_at, occurred_at=now)
    uow.publish(saved, household(household_id), now)
    entry_id = f"savings:{household_id}:{now.isoformat()}"
    return [Entry(entry_id, household_id, "savings", now, person_id=member.person_id, details=details)]


async def _savings_version(ctx: PointsContext, household_id: str) -> int:
    async def work(uow: UnitOfWork) -> int:
        version, _ = await ctx.store.ledger.choice_versions(household_id, uow.session)
        return version

    return await ctx.run(work)


async def set_charity(
    ctx: PointsContext,
    member: Member,
    on: bool,
    charity_id: str | None,
    max_thousands: int | None,
    expected_version: int | None = None,
) -> tuple[CharityChoice | None, int]:
    """The main holder sets up or cancels charity; it applies from the next month end
    on. Returns the choice and its version."""
    require_main(member)
    choice = None
    if on:
        check_charity(ctx.rules, charity_id, max_thousands)
        choice = CharityChoice(charity_id, max_thousands)
    now = ctx.now()

    async def work(uow: UnitOfWork) -> int:
        _, version = await ctx.store.ledger.choice_versions(member.household_id, uow.session)
        require_version(version, expected_version)
        await ctx.store.ledger.set_charity(member.household_id, choice, now, uow.session)
        return version + 1

    return choice, await ctx.run(work)
