"""Spending Plussa money at a till, and giving it back when the purchase is cancelled.

Never more than the balance, however many members pay at once: every spend of a
household updates the household's account document inside its transaction, so two
concurrent spends meet as a MongoDB write conflict and the later one runs again on
fresh data; the lots are also updated only if they still hold what was read. Within
one process, spends of a household also queue on a lock so they do not collide.
"""

from datetime import datetime

from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.domain.access import require_spending
from plussa_points.domain.errors import (
    InvalidPurchaseError,
    LotChangedError,
    SpendNotFoundError,
    UnknownCardError,
    refused,
)
from plussa_points.domain.ledger import Entry
from plussa_points.domain.lots import allocate_spend, spendable_cents
from plussa_points.domain.till import Spend, lot_parts
from plussa_points.events.published import MoneySpendCancelled, MoneySpent
from plussa_points.use_cases import household


async def spend(ctx: PointsContext, till_transaction_id: str, card_number: str, amount_cents: int) -> Spend:
    """Take up to ``amount_cents`` of the household's spendable money, oldest lots first."""
    if not 0 < amount_cents <= ctx.rules.max_spend_cents:
        raise refused(InvalidPurchaseError, "out_of_range", "The amount is out of range", "/amount_cents")
    card = await ctx.store.members.card_by_number(card_number)
    if card is None:
        raise UnknownCardError("No card with this number is known")
    async with ctx.locks.hold(card.household_id or card.card_id):
        now = ctx.now()

        async def work(uow: UnitOfWork) -> Spend:
            existing = await ctx.store.money.spend(till_transaction_id, uow.session)
            if existing is not None:
                return existing.again(card_number, amount_cents)
            return await _spend(ctx, uow, till_transaction_id, card_number, amount_cents, now)

        return await ctx.run(work)


async def _spend(
    ctx: PointsContext, uow: UnitOfWork, till_transaction_id: str, card_number: str, amount_cents: int, now: datetime
) -> Spend:
    session = uow.session
    card = await ctx.store.members.card_by_number(card_number, session)
    if card is None:
        raise UnknownCardError("No card with this number is known")
    member = await ctx.store.members.member(card.household_id or "", card.person_id or "", session)
    member = require_spending(card, member)
    household_id = member.household_id
    lots = await ctx.store.money.open_lots(household_id, session)
    taken = allocate_spend(lots, amount_cents, now)
    by_id = {lot.lot_id: lot for lot in lots}
    for lot_id, cents in taken:
        if not await ctx.store.money.take(by_id[lot_id], cents, session):
            raise LotChangedError()
    spent = sum(cents for _, cents in taken)
    done = Spend(
        till_transaction_id,
        household_id,
        member.person_id,
        card.card_id,
        card_number,
        requested_cents=amount_cents,
        spent_cents=spent,
        remaining_cents=spendable_cents(lots, now) - spent,
        lots=tuple(taken),
        at=now,
    )
    await ctx.store.money.add_spend(done, session)
    entries = []
    if spent:
        details = {"lots": lot_parts(done.lots)}
        entry_id = f"spend:{till_transaction_id}"
        entries.append(
            Entry(
                entry_id,
                household_id,
                "spend",
                now,
                person_id=member.person_id,
                cents=-spent,
                reference=till_transaction_id,
                details=details,
            )
        )
        event = MoneySpent(
            household_id=household_id,
            person_id=member.person_id,
            card_id=card.card_id,
            till_transaction_id=till_transaction_id,
            cents=spent,
            lots=lot_parts(done.lots),
            occurred_at=now,
        )
        uow.publish(event, household(household_id), now)
    # Written on every spend, even of nothing: this is what serialises a household's spends.
    await ctx.store.ledger.move_money(household_id, -spent, entries, session, upsert=True)
    return done


async def recorded_spend(ctx: PointsContext, till_transaction_id: str) -> Spend:
    """A spend as recorded, else SpendNotFoundError."""
    found = await ctx.store.money.spend(till_transaction_id)
    if found is None:
        raise SpendNotFoundError("No spend with this till transaction id")
    return found


async def cancel_spend(ctx: PointsContext, till_transaction_id: str) -> Spend:
    """Give a spend's money back to the lots it came from (once)."""
    found = await ctx.store.money.spend(till_transaction_id)
    if found is None:
        raise SpendNotFoundError("No spend with this till transaction id")
    async with ctx.locks.hold(found.household_id):
        now = ctx.now()

        async def work(uow: UnitOfWork) -> Spend:
            done = await ctx.store.money.spend(till_transaction_id, uow.session)
            assert done is not None
            if done.state == "cancelled":
                return done
            await ctx.store.money.give_back(done.lots, uow.session)
            entries = []
            if done.spent_cents:
                entries.append(_cancel_entry(done, now))
                event = MoneySpendCancelled(
                    household_id=done.household_id,
                    till_transaction_id=till_transaction_id,
                    cents=done.spent_cents,
                    occurred_at=now,
                )
                uow.publish(event, household(done.household_id), now)
            await ctx.store.ledger.move_money(done.household_id, done.spent_cents, entries, uow.session)
            lots = await ctx.store.money.open_lots(done.household_id, uow.session)
            cancelled = done.cancelled(now, spendable_cents(lots, now))
            await ctx.store.money.cancel_spend(cancelled, uow.session)
            return cancelled

        return await ctx.run(work)


def _cancel_entry(done: Spend, now: datetime) -> Entry:
    return Entry(
        f"spend-cancel:{done.till_transaction_id}",
        done.household_id,
        "spend",
        now,
        person_id=done.person_id,
        cents=done.spent_cents,
        reference=done.till_transaction_id,
        details={"cancels": f"spend:{done.till_transaction_id}", "lots": lot_parts(done.lots)},
    )
