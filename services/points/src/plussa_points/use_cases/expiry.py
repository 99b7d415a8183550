"""Expiry of Plussa money past its validity, and release of saved money whose date has come.

Both as ledger entries, each household in its own transaction, queued on the
household's lock so they do not collide with its spends in this process.
"""

from dataclasses import dataclass
from datetime import datetime

from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.domain.choices import SavingsChoice
from plussa_points.domain.errors import require_version
from plussa_points.domain.ledger import Entry
from plussa_points.events.published import MoneyExpired, MoneyReleased
from plussa_points.use_cases import household


@dataclass
class ExpiryReport:
    """What an expiry run did."""

    lots_expired: int = 0
    expired_cents: int = 0
    households_released: int = 0
    released_cents: int = 0


async def expire_lots(ctx: PointsContext, now: datetime, *, batch: int = 1_000) -> ExpiryReport:
    """Expire what is left of every lot past its validity, then release saved money that is due."""
    report = ExpiryReport()
    while households := await ctx.store.money.households_with_expired(now, batch):
        for household_id in households:
            async with ctx.locks.hold(household_id):
                lots, cents = await expire_household(ctx, household_id, now)
            report.lots_expired += lots
            report.expired_cents += cents
    for household_id in await ctx.store.money.households_with_release_due(now):
        async with ctx.locks.hold(household_id):
            released = await release_savings(ctx, household_id, now, turn_off=False)
        report.households_released += 1
        report.released_cents += released
    await ctx.store.ledger.end_savings_due(now)
    return report


async def expire_household(ctx: PointsContext, household_id: str, now: datetime) -> tuple[int, int]:
    """Expire the household's lots past their validity: (lots, cents)."""

    async def work(uow: UnitOfWork) -> tuple[int, int]:
        lots = await ctx.store.money.expired_lots(household_id, now, uow.session)
        entries = []
        for lot in lots:
            await ctx.store.money.expire(lot, uow.session)
            entries.append(
                Entry(
                    f"expiry:{lot.lot_id}:{now.isoformat()}",
                    household_id=household_id,
                    reason="expiry",
                    at=now,
                    cents=-lot.remaining_cents,
                    reference=lot.lot_id,
                )
            )
            expired = MoneyExpired(
                household_id=household_id, lot_id=lot.lot_id, cents=lot.remaining_cents, occurred_at=now
            )
            uow.publish(expired, household(household_id), now)
        total = sum(lot.remaining_cents for lot in lots)
        await ctx.store.ledger.move_money(household_id, -total, entries, uow.session)
        return len(lots), total

    return await ctx.run(work)


async def release_savings(
    ctx: PointsContext, household_id: str, now: datetime, *, turn_off: bool, expected_version: int | None = None
) -> int:
    """Put saved money back on the till: what is due (or all of it when saving is
    turned off, only from ``expected_version`` of the choice when given); return the cents released."""

    async def work(uow: UnitOfWork) -> int:
        if expected_version is not None:
            savings_version, _ = await ctx.store.ledger.choice_versions(household_id, uow.session)
            require_version(savings_version, expected_version)
        lots = await ctx.store.money.saved_lots(household_id, None if turn_off else now, uow.session)
        cents = sum(lot.held_cents for lot in lots if lot.expires_at > now)
        await ctx.store.money.save_until(lots, None, uow.session)
        entries = []
        if cents:
            details = {"action": "released", "released_cents": cents}
            entry_id = f"savings-release:{household_id}:{now.isoformat()}"
            entries.append(Entry(entry_id, household_id=household_id, reason="savings", at=now, details=details))
            uow.publish(
                MoneyReleased(household_id=household_id, cents=cents, occurred_at=now), household(household_id), now
            )
        savings = SavingsChoice(on=False) if turn_off else None
        await ctx.store.ledger.move_money(household_id, 0, entries, uow.session, savings=savings)
        return cents

    return await ctx.run(work)
