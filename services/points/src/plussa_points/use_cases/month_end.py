"""Month end: close every household's month once, in batches.

A batch of households is closed in one transaction: statements (id household:month,
unique), ledger entries, lots and account projections, and their events. A household
whose account already records the month as closed is skipped, so a run that stops
halfway (crash, deploy, limit) and runs again pays every household exactly once.
Households are read by a cursor in id order; a bounded number of batches run at once.
With ``partition`` I/N, a run closes only its share of the households (domain/partition):
N runs at once close disjoint shares, and the exactly-once rule above holds per household
whatever the shares, so a run of one share may also overlap a run of the whole.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.domain.calendar import month_has_ended
from plussa_points.domain.closing import Closing, close_household
from plussa_points.domain.errors import MonthNotOverError
from plussa_points.domain.partition import Partition
from plussa_points.events.published import (
    CharityShare,
    MoneyDonated,
    MoneyPaid,
    MoneySaved,
    StatementClosed,
    StatusChanged,
)
from plussa_points.use_cases import household

AfterBatch = Callable[[int], Awaitable[None]]


@dataclass
class MonthEndReport:
    """What a run did."""

    month: str
    partition: str = "0/1"
    households_closed: int = 0
    batches: int = 0
    payout_cents: int = 0
    donated_cents: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Run:
    """One run's batches in flight, bounded by ``slots``."""

    ctx: PointsContext
    report: MonthEndReport
    now: datetime
    after_batch: AfterBatch | None
    slots: asyncio.Semaphore
    running: set[asyncio.Task[None]] = field(default_factory=set)
    failure: list[BaseException] = field(default_factory=list)
    number: int = 0

    async def start(self, ids: list[str]) -> None:
        """Close ``ids`` in a task of its own once a slot is free."""
        await self.slots.acquire()
        self.number += 1
        self.running.add(asyncio.create_task(self._batch(ids, self.number)))

    async def _batch(self, ids: list[str], number: int) -> None:
        try:
            closed = await close_batch(self.ctx, self.report.month, ids, self.now, self.report)
            self.report.households_closed += closed
            self.report.skipped += len(ids) - closed
            self.report.batches += 1
            if self.after_batch is not None:
                await self.after_batch(number)
        except BaseException as exc:
            self.failure.append(exc)
        finally:
            self.slots.release()


async def close_all(
    ctx: PointsContext,
    month: str,
    *,
    limit: int | None = None,
    after_batch: AfterBatch | None = None,
    partition: Partition = Partition(),
) -> MonthEndReport:
    """Close ``month`` for every household of ``partition`` not yet closed; ``limit`` stops after that many."""
    now = ctx.now()
    if not month_has_ended(month, now, ctx.rules.zone):
        raise MonthNotOverError(f"{month} has not ended yet")
    size = ctx.settings.month_end_batch_size
    run = _Run(
        ctx,
        MonthEndReport(month=month, partition=str(partition)),
        now,
        after_batch,
        asyncio.Semaphore(ctx.settings.month_end_concurrency),
    )
    batch: list[str] = []
    seen = 0
    households = ctx.store.ledger.households_to_close(month, max(size, 100))
    async for household_id in households:
        if run.failure or (limit is not None and seen >= limit):
            break
        if not partition.holds(household_id):
            continue
        batch.append(household_id)
        seen += 1
        if len(batch) >= size or (limit is not None and seen >= limit):
            await run.start(batch)
            batch = []
    await households.aclose()
    if batch and not run.failure:
        await run.start(batch)
    await asyncio.gather(*run.running)
    if run.failure:
        raise run.failure[0]
    return run.report


async def close_batch(ctx: PointsContext, month: str, ids: list[str], now: datetime, report: MonthEndReport) -> int:
    """Close ``month`` for the given households in one transaction; return how many were closed."""

    async def work(uow: UnitOfWork) -> list[Closing]:
        uow.group_events_by_subject()  # a household's two to four events: one outbox record
        open_households = await ctx.store.ledger.open_for_closing(ids, month, uow.session)
        closings = [close_household(ctx.rules, month, now, account, months) for account, months in open_households]
        await ctx.store.ledger.close(month, closings, uow.session)
        for closing in closings:
            _publish(uow, closing)
        return closings

    closings = await ctx.run(work)
    report.payout_cents += sum(c.statement.payout_cents for c in closings)
    report.donated_cents += sum(c.statement.donation.cents for c in closings)
    return len(closings)


def _publish(uow: UnitOfWork, c: Closing) -> None:
    st, now, subject = c.statement, c.closed_at, household(c.household_id)
    closed = StatementClosed(
        statement_id=c.statement_id,
        household_id=c.household_id,
        month=c.month,
        carried_in=st.carried_in,
        base_points=st.base_points,
        mastercard_points=st.mastercard_points,
        campaign_points=st.campaign_points,
        reversed_points=st.reversed_points,
        grocery_cents=st.grocery_cents,
        grocery_bonus_points=st.grocery_bonus_points,
        donated_points=st.donation.points,
        donated_cents=st.donation.cents,
        converted_points=st.converted_points,
        payout_cents=st.payout_cents,
        carried_out=st.carried_out,
        occurred_at=now,
    )
    uow.publish(closed, subject, now)
    if st.donation.points:
        shares = [CharityShare(charity_id=cid, cents=cents) for cid, cents in st.donation.split]
        donated = MoneyDonated(
            household_id=c.household_id,
            statement_id=c.statement_id,
            month=c.month,
            points=st.donation.points,
            cents=st.donation.cents,
            charities=shares,
            occurred_at=now,
        )
        uow.publish(donated, subject, now)
    if st.payout_cents:
        _publish_payout(uow, c)
    if c.status != c.previous_status:
        changed = StatusChanged(
            household_id=c.household_id,
            status=c.status,
            previous_status=c.previous_status,
            spend_cents=c.window_spend_cents,
            month=c.month,
            occurred_at=now,
        )
        uow.publish(changed, subject, now)


def _publish_payout(uow: UnitOfWork, c: Closing) -> None:
    subject = household(c.household_id)
    paid = MoneyPaid(
        household_id=c.household_id,
        lot_id=c.lot_id,
        month=c.month,
        cents=c.statement.payout_cents,
        paid_at=c.paid_at,
        expires_at=c.expires_at,
        saved_until=c.saved_until,
    )
    uow.publish(paid, subject, c.closed_at)
    if c.saved_until is not None and c.saved_payout_cents:
        saved = MoneySaved(
            household_id=c.household_id,
            cents=c.saved_payout_cents,
            saved_until=c.saved_until,
            occurred_at=c.closed_at,
        )
        uow.publish(saved, subject, c.closed_at)
