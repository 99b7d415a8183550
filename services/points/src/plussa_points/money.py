"""Use cases of the household's money over time: expiry of old lots, savings and charity choices."""

from dataclasses import dataclass
from datetime import date, datetime

from pymongo import ASCENDING

from plussa_points.context import Points
from plussa_points.domain.access import Member, require_main
from plussa_points.domain.calendar import local_midnight
from plussa_points.domain.choices import check_charity, check_release_date
from plussa_points.events.published import MoneyExpired, MoneyReleased, MoneySaved
from plussa_points.store import ledger_entry, lot_from
from plussa_shared.mongo import Session


@dataclass
class ExpiryReport:
    """What an expiry run did."""

    lots_expired: int = 0
    expired_cents: int = 0
    households_released: int = 0
    released_cents: int = 0


async def expire_lots(pts: Points, now: datetime, *, batch: int = 1_000) -> ExpiryReport:
    """Expire what is left of every lot past its validity, one household per transaction."""
    report = ExpiryReport()
    while True:
        docs = (
            await pts.store.lots.find({"remaining_cents": {"$gt": 0}, "expires_at": {"$lte": now}}, {"household_id": 1})
            .sort([("expires_at", ASCENDING)])
            .limit(batch)
            .to_list()
        )
        households = sorted({d["household_id"] for d in docs})
        if not households:
            break
        for household_id in households:
            async with pts.locks.hold(household_id):
                lots, cents = await _run_expiry(pts, household_id, now)
            report.lots_expired += lots
            report.expired_cents += cents
    for household_id in await pts.store.lots.distinct(
        "household_id", {"remaining_cents": {"$gt": 0}, "saved_until": {"$lte": now}}
    ):
        async with pts.locks.hold(household_id):
            released = await _run_release(pts, household_id, now, turn_off=False)
        report.households_released += 1
        report.released_cents += released
    # Saving whose release date has come is over; later payouts go straight to the till.
    await pts.store.accounts.update_many(
        {"savings.on": True, "savings.release_at": {"$lte": now}}, {"$set": {"savings": {"on": False}}}
    )
    return report


async def _run_expiry(pts: Points, household_id: str, now: datetime) -> tuple[int, int]:
    async def work(session: Session) -> tuple[int, int]:
        return await _expire_household(pts, household_id, now, session)

    return await pts.run(work)


async def _run_release(pts: Points, household_id: str, now: datetime, *, turn_off: bool) -> int:
    async def work(session: Session) -> int:
        return await _release(pts, household_id, now, session, turn_off=turn_off)

    return await pts.run(work)


async def _expire_household(pts: Points, household_id: str, now: datetime, session: Session) -> tuple[int, int]:
    lots = [
        lot_from(d)
        for d in await pts.store.lots.find(
            {"household_id": household_id, "remaining_cents": {"$gt": 0}, "expires_at": {"$lte": now}},
            session=session,
        ).to_list()
    ]
    total = 0
    events = []
    for lot in lots:
        await pts.store.lots.update_one(
            {"_id": lot.lot_id, "remaining_cents": lot.remaining_cents},
            {"$set": {"remaining_cents": 0}, "$inc": {"expired_cents": lot.remaining_cents}},
            session=session,
        )
        await pts.store.ledger.insert_one(
            ledger_entry(
                f"expiry:{lot.lot_id}:{now.isoformat()}",
                household_id=household_id,
                reason="expiry",
                at=now,
                cents=-lot.remaining_cents,
                reference=lot.lot_id,
            ),
            session=session,
        )
        total += lot.remaining_cents
        expired = MoneyExpired(household_id=household_id, lot_id=lot.lot_id, cents=lot.remaining_cents, occurred_at=now)
        events.append(pts.event(expired, household_id, now))
    await pts.store.accounts.update_one(
        {"_id": household_id}, {"$inc": {"money_cents": -total, "money_version": 1}}, session=session
    )
    await pts.outbox.add(session, events)
    return len(lots), total


async def _release(pts: Points, household_id: str, now: datetime, session: Session, *, turn_off: bool) -> int:
    query: dict[str, object] = {
        "household_id": household_id,
        "remaining_cents": {"$gt": 0},
        "saved_until": {"$ne": None},
    }
    if not turn_off:
        query["saved_until"] = {"$lte": now}
    docs = await pts.store.lots.find(query, session=session).to_list()
    cents = int(sum(d["remaining_cents"] for d in docs if d["expires_at"] > now))
    await pts.store.lots.update_many(
        {"_id": {"$in": [d["_id"] for d in docs]}}, {"$set": {"saved_until": None}}, session=session
    )
    account_update: dict[str, object] = {"$inc": {"money_version": 1}}
    if turn_off:
        account_update["$set"] = {"savings": {"on": False}}
    await pts.store.accounts.update_one({"_id": household_id}, account_update, session=session)
    if cents:
        await pts.store.ledger.insert_one(
            ledger_entry(
                f"savings-release:{household_id}:{now.isoformat()}",
                household_id=household_id,
                reason="savings",
                at=now,
                action="released",
                released_cents=cents,
            ),
            session=session,
        )
        released = MoneyReleased(household_id=household_id, cents=cents, occurred_at=now)
        await pts.outbox.add(session, [pts.event(released, household_id, now)])
    return cents


async def set_savings(pts: Points, member: Member, on: bool, release_on: date | None) -> dict[str, object]:
    """The main holder turns saving on (until a date) or off; the household's money follows at once."""
    require_main(member)
    household_id = member.household_id
    now = pts.clock()
    if not on:
        async with pts.locks.hold(household_id):
            await _run_release(pts, household_id, now, turn_off=True)
        return {"on": False, "release_on": None}
    release = check_release_date(pts.rules, release_on, now.astimezone(pts.rules.zone).date())
    until = local_midnight(release, pts.rules.zone)

    async def work(session: Session) -> None:
        docs = await pts.store.lots.find(
            {"household_id": household_id, "remaining_cents": {"$gt": 0}, "expires_at": {"$gt": now}}, session=session
        ).to_list()
        newly = sum(d["remaining_cents"] for d in docs if not d.get("saved_until") or d["saved_until"] <= now)
        await pts.store.lots.update_many(
            {"_id": {"$in": [d["_id"] for d in docs]}}, {"$set": {"saved_until": until}}, session=session
        )
        await pts.store.accounts.update_one(
            {"_id": household_id},
            {
                "$set": {"savings": {"on": True, "release_on": release.isoformat(), "release_at": until}},
                "$inc": {"money_version": 1},
            },
            upsert=True,
            session=session,
        )
        if newly:
            await pts.store.ledger.insert_one(
                ledger_entry(
                    f"savings:{household_id}:{now.isoformat()}",
                    household_id=household_id,
                    person_id=member.person_id,
                    reason="savings",
                    at=now,
                    action="saved",
                    saved_cents=newly,
                    saved_until=until,
                ),
                session=session,
            )
            saved = MoneySaved(household_id=household_id, cents=newly, saved_until=until, occurred_at=now)
            await pts.outbox.add(session, [pts.event(saved, household_id, now)])

    async with pts.locks.hold(household_id):
        await pts.run(work)
    return {"on": True, "release_on": release}


async def set_charity(
    pts: Points, member: Member, on: bool, charity_id: str | None, max_thousands: int | None
) -> dict[str, object]:
    """The main holder sets up or cancels charity; it applies from the next month end on."""
    require_main(member)
    choice: dict[str, object] | None = None
    if on:
        check_charity(pts.rules, charity_id, max_thousands)
        choice = {"charity_id": charity_id, "max_thousands": max_thousands, "since": pts.clock()}

    async def work(session: Session) -> None:
        await pts.store.accounts.update_one(
            {"_id": member.household_id}, {"$set": {"charity": choice}}, upsert=True, session=session
        )

    await pts.run(work)
    return {"on": on, "charity_id": charity_id if on else None, "max_thousands": max_thousands if on else None}
