"""Month end: close every household's month once, in batches.

A batch of households is closed in one transaction: statements (id household:month,
unique), ledger entries, lots and account projections, and their events. A household
whose account already records the month as closed is skipped, so a run that stops
halfway (crash, deploy, limit) and runs again pays every household exactly once.
Households are read by a cursor in id order; a bounded number of batches run at once.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, UpdateOne

from plussa_points.context import Points
from plussa_points.domain.calendar import add_months, local_midnight, month_has_ended, payout_date
from plussa_points.domain.statement import CharityChoice, MonthActivity, Statement, close_month
from plussa_points.domain.status import REGULAR, spend_in_window, status_for, window_months
from plussa_points.events.published import (
    CharityShare,
    MoneyDonated,
    MoneyPaid,
    MoneySaved,
    StatementClosed,
    StatusChanged,
)
from plussa_points.store import ledger_entry, month_key
from plussa_shared.events import CloudEvent
from plussa_shared.mongo import Document, Session

AfterBatch = Callable[[int], Awaitable[None]]


class MonthNotOverError(Exception):
    """Month end asked for a month that has not ended yet."""


@dataclass
class MonthEndReport:
    """What a run did."""

    month: str
    households_closed: int = 0
    batches: int = 0
    payout_cents: int = 0
    donated_cents: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Closing:
    """The writes of one batch."""

    statements: list[Document] = field(default_factory=list)
    entries: list[Document] = field(default_factory=list)
    lots: list[Document] = field(default_factory=list)
    accounts: list[UpdateOne] = field(default_factory=list)
    events: list[CloudEvent[Any]] = field(default_factory=list)
    payout_cents: int = 0
    donated_cents: int = 0


def _activity(doc: Document) -> MonthActivity:
    return MonthActivity(
        month=doc["month"],
        base_points=doc.get("base_points", 0),
        mastercard_points=doc.get("mastercard_points", 0),
        reversed_points=doc.get("reversed_points", 0),
        campaign_points=doc.get("campaign_points", 0),
        grocery_cents=doc.get("grocery_cents", 0),
    )


def _charity(account: Document) -> CharityChoice | None:
    choice = account.get("charity")
    if not choice:
        return None
    return CharityChoice(choice.get("charity_id"), choice.get("max_thousands"))


async def close_all(
    pts: Points,
    month: str,
    *,
    limit: int | None = None,
    after_batch: AfterBatch | None = None,
) -> MonthEndReport:
    """Close ``month`` for every household not yet closed; ``limit`` stops after that many."""
    now = pts.clock()
    if not month_has_ended(month, now, pts.rules.zone):
        raise MonthNotOverError(f"{month} has not ended yet")
    report = MonthEndReport(month=month)
    size = pts.settings.month_end_batch_size
    slots = asyncio.Semaphore(pts.settings.month_end_concurrency)
    running: set[asyncio.Task[None]] = set()
    failure: list[BaseException] = []

    async def run_batch(ids: list[str], number: int) -> None:
        try:
            closed = await close_batch(pts, month, ids, now, report)
            report.households_closed += closed
            report.skipped += len(ids) - closed
            report.batches += 1
            if after_batch is not None:
                await after_batch(number)
        except BaseException as exc:
            failure.append(exc)
        finally:
            slots.release()

    cursor = pts.store.accounts.find(
        {"kind": {"$ne": "card"}, "last_closed_month": {"$not": {"$gte": month}}}, {"_id": 1}
    ).sort([("_id", ASCENDING)])
    batch: list[str] = []
    seen = 0
    number = 0
    async for doc in cursor.batch_size(max(size, 100)):
        if failure or (limit is not None and seen >= limit):
            break
        batch.append(doc["_id"])
        seen += 1
        if len(batch) >= size or (limit is not None and seen >= limit):
            await slots.acquire()
            number += 1
            running.add(asyncio.create_task(run_batch(batch, number)))
            batch = []
    await cursor.close()
    if batch and not failure:
        await slots.acquire()
        number += 1
        running.add(asyncio.create_task(run_batch(batch, number)))
    await asyncio.gather(*running)
    if failure:
        raise failure[0]
    return report


async def close_batch(pts: Points, month: str, ids: list[str], now: datetime, report: MonthEndReport) -> int:
    """Close ``month`` for the given households in one transaction; return how many were closed."""

    async def work(session: Session) -> _Closing:
        s = pts.store
        accounts = await s.accounts.find(
            {"_id": {"$in": ids}, "last_closed_month": {"$not": {"$gte": month}}}, session=session
        ).to_list()
        if not accounts:
            return _Closing()
        open_ids = [a["_id"] for a in accounts]
        month_docs = await s.household_months.find(
            {"household_id": {"$in": open_ids}, "month": {"$lte": month}, "closed": False}, session=session
        ).to_list()
        by_household: dict[str, list[Document]] = {}
        for doc in month_docs:
            by_household.setdefault(doc["household_id"], []).append(doc)
        closing = _Closing()
        for account in accounts:
            _close_one(pts, month, now, account, by_household.get(account["_id"], []), closing)
        if closing.statements:
            await s.statements.insert_many(closing.statements, ordered=False, session=session)
        if closing.entries:
            await s.ledger.insert_many(closing.entries, ordered=False, session=session)
        if closing.lots:
            await s.lots.insert_many(closing.lots, ordered=False, session=session)
        await s.accounts.bulk_write(closing.accounts, ordered=False, session=session)
        if month_docs:
            await s.household_months.update_many(
                {"_id": {"$in": [d["_id"] for d in month_docs]}}, {"$set": {"closed": True}}, session=session
            )
        await pts.outbox.add(session, closing.events)
        return closing

    closing = await pts.run(work)
    report.payout_cents += closing.payout_cents
    report.donated_cents += closing.donated_cents
    return len(closing.statements)


def _close_one(
    pts: Points, month: str, now: datetime, account: Document, month_docs: list[Document], out: _Closing
) -> None:
    rules = pts.rules
    household_id = account["_id"]
    statement_id = month_key(household_id, month)
    activity = [_activity(d) for d in sorted(month_docs, key=lambda d: str(d["month"]))]
    st = close_month(rules, account.get("carry_points", 0), activity, _charity(account))
    paid_on = payout_date(month, rules.payout_day)
    paid_at = local_midnight(paid_on, rules.zone)
    expires_at = local_midnight(add_months(paid_on, rules.lot_validity_months), rules.zone)
    saved_until = _saved_until(pts, account, paid_at)
    kept = set(window_months(rules, month))
    closed_spend = {d["month"]: d.get("purchase_cents", 0) for d in month_docs if d["month"] in kept}
    spend = {**account.get("spend_by_month", {}), **closed_spend}
    status = status_for(rules, spend, month)
    previous_status = account.get("status", REGULAR)
    lot_id = f"lot:{statement_id}"
    doc = _statement_doc(statement_id, household_id, month, st, now, status)
    doc["lot_id"] = lot_id if st.payout_cents else None
    out.statements.append(doc)
    out.entries.extend(_entries(statement_id, household_id, month, st, now, lot_id))
    if st.payout_cents:
        out.lots.append(
            {
                "_id": lot_id,
                "household_id": household_id,
                "month": month,
                "cents": st.payout_cents,
                "remaining_cents": st.payout_cents,
                "paid_at": paid_at,
                "expires_at": expires_at,
                "saved_until": saved_until,
            }
        )
    unset = {f"spend_by_month.{m}": "" for m in spend if m not in kept and m <= month}
    update: dict[str, Any] = {
        "$set": {
            "last_closed_month": month,
            "carry_points": st.carried_out,
            "status": status,
            **{f"spend_by_month.{m}": cents for m, cents in closed_spend.items()},
        },
        "$inc": {
            "points": st.grocery_bonus_points - st.donation.points - st.converted_points,
            "money_cents": st.payout_cents,
        },
    }
    if unset:
        update["$unset"] = unset
    out.accounts.append(UpdateOne({"_id": household_id}, update))
    out.payout_cents += st.payout_cents
    out.donated_cents += st.donation.cents
    out.events.extend(
        _events(pts, statement_id, household_id, month, st, now, lot_id, paid_at, expires_at, saved_until)
    )
    if status != previous_status:
        out.events.append(
            pts.event(
                StatusChanged(
                    household_id=household_id,
                    status=status,
                    previous_status=previous_status,
                    spend_cents=spend_in_window(rules, spend, month),
                    month=month,
                    occurred_at=now,
                ),
                household_id,
                now,
            )
        )


def _saved_until(pts: Points, account: Document, paid_at: datetime) -> datetime | None:
    savings = account.get("savings") or {}
    if not savings.get("on"):
        return None
    until: datetime | None = savings.get("release_at")
    return until if until is not None and until > paid_at else None


def _statement_doc(
    statement_id: str, household_id: str, month: str, st: Statement, now: datetime, status: str
) -> Document:
    return {
        "_id": statement_id,
        "household_id": household_id,
        "month": month,
        "months": list(st.months),
        "carried_in": st.carried_in,
        "base_points": st.base_points,
        "mastercard_points": st.mastercard_points,
        "campaign_points": st.campaign_points,
        "reversed_points": st.reversed_points,
        "grocery_cents": st.grocery_cents,
        "grocery_bonus_points": st.grocery_bonus_points,
        "month_points": st.month_points,
        "donated_points": st.donation.points,
        "donated_cents": st.donation.cents,
        "donations": [{"charity_id": c, "cents": cents} for c, cents in st.donation.split],
        "converted_points": st.converted_points,
        "payout_cents": st.payout_cents,
        "carried_out": st.carried_out,
        "status": status,
        "closed_at": now,
    }


def _entries(
    statement_id: str, household_id: str, month: str, st: Statement, now: datetime, lot_id: str
) -> list[Document]:
    common: dict[str, Any] = {"household_id": household_id, "at": now, "month": month, "reference": statement_id}
    entries = []
    if st.grocery_bonus_points:
        entries.append(ledger_entry(f"bonus:{statement_id}", reason="bonus", points=st.grocery_bonus_points, **common))
    if st.donation.points:
        entries.append(
            ledger_entry(
                f"donation:{statement_id}",
                reason="donation",
                points=-st.donation.points,
                donated_cents=st.donation.cents,
                charities=[{"charity_id": c, "cents": cents} for c, cents in st.donation.split],
                **common,
            )
        )
    if st.converted_points:
        entries.append(
            ledger_entry(
                f"conversion:{statement_id}",
                reason="conversion",
                points=-st.converted_points,
                converted_cents=st.payout_cents,
                **common,
            )
        )
    if st.payout_cents:
        entries.append(
            ledger_entry(f"payout:{statement_id}", reason="payout", cents=st.payout_cents, lot_id=lot_id, **common)
        )
    return entries


def _events(
    pts: Points,
    statement_id: str,
    household_id: str,
    month: str,
    st: Statement,
    now: datetime,
    lot_id: str,
    paid_at: datetime,
    expires_at: datetime,
    saved_until: datetime | None,
) -> list[CloudEvent[Any]]:
    events = [
        pts.event(
            StatementClosed(
                statement_id=statement_id,
                household_id=household_id,
                month=month,
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
            ),
            household_id,
            now,
        )
    ]
    if st.donation.points:
        shares = [CharityShare(charity_id=c, cents=cents) for c, cents in st.donation.split]
        events.append(
            pts.event(
                MoneyDonated(
                    household_id=household_id,
                    statement_id=statement_id,
                    month=month,
                    points=st.donation.points,
                    cents=st.donation.cents,
                    charities=shares,
                    occurred_at=now,
                ),
                household_id,
                now,
            )
        )
    if st.payout_cents:
        paid = MoneyPaid(
            household_id=household_id,
            lot_id=lot_id,
            month=month,
            cents=st.payout_cents,
            paid_at=paid_at,
            expires_at=expires_at,
            saved_until=saved_until,
        )
        events.append(pts.event(paid, household_id, now))
        if saved_until is not None:
            saved = MoneySaved(
                household_id=household_id, cents=st.payout_cents, saved_until=saved_until, occurred_at=now
            )
            events.append(pts.event(saved, household_id, now))
    return events
