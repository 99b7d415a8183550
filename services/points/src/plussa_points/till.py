"""Spending Plussa money at a till, and giving it back when the purchase is cancelled.

Never more than the balance, however many members pay at once: every spend of a
household updates the household's account document inside its transaction, so two
concurrent spends meet as a MongoDB write conflict and the later one runs again on
fresh data; the lots are also updated only if they still hold what was read. Within
one process, spends of a household also queue on a lock so they do not collide.
"""

from dataclasses import dataclass
from datetime import datetime

from plussa_points.context import Points
from plussa_points.domain.access import require_spending
from plussa_points.domain.errors import DuplicateIdConflictError, InvalidPurchaseError, UnknownCardError
from plussa_points.domain.lots import allocate_spend, spendable_cents
from plussa_points.events.published import MoneySpendCancelled, MoneySpent
from plussa_points.store import ledger_entry
from plussa_shared.errors import ConflictError, NotFoundError
from plussa_shared.mongo import Document, Session


@dataclass(frozen=True)
class SpendResult:
    """What the till may take off the total, and what stays usable."""

    till_transaction_id: str
    spent_cents: int
    remaining_cents: int
    state: str


class LotChangedError(ConflictError):
    """A lot changed under a spend (only another replica's write can cause this); retry."""

    slug = "concurrent-spend"
    title = "The balance changed; try again"


def _result(doc: Document) -> SpendResult:
    return SpendResult(doc["_id"], doc["spent_cents"], doc["remaining_cents"], doc["state"])


async def spend(pts: Points, till_transaction_id: str, card_number: str, amount_cents: int) -> SpendResult:
    """Take up to ``amount_cents`` of the household's spendable money, oldest lots first."""
    if not 0 < amount_cents <= pts.rules.max_spend_cents:
        raise InvalidPurchaseError("The amount is out of range", field="amount_cents")
    card = await pts.store.card_by_number(card_number)
    if card is None:
        raise UnknownCardError("No card with this number is known")
    async with pts.locks.hold(card.household_id or card.card_id):
        now = pts.clock()

        async def work(session: Session) -> SpendResult:
            existing = await pts.store.spends.find_one({"_id": till_transaction_id}, session=session)
            if existing is not None:
                if existing["card_number"] != card_number or existing["requested_cents"] != amount_cents:
                    raise DuplicateIdConflictError("The till transaction id was already used for another spend")
                return _result(existing)
            return await _spend(pts, session, till_transaction_id, card_number, amount_cents, now)

        return await pts.run(work)


async def _spend(
    pts: Points, session: Session, till_transaction_id: str, card_number: str, amount_cents: int, now: datetime
) -> SpendResult:
    card = await pts.store.card_by_number(card_number, session)
    if card is None:
        raise UnknownCardError("No card with this number is known")
    member = await pts.store.member(card.household_id or "", card.person_id or "", session)
    member = require_spending(card, member)
    household_id = member.household_id
    lots = await pts.store.open_lots(household_id, session)
    taken = allocate_spend(lots, amount_cents, now)
    remaining_by_id = {lot.lot_id: lot.remaining_cents for lot in lots}
    for lot_id, cents in taken:
        changed = await pts.store.lots.update_one(
            {"_id": lot_id, "remaining_cents": remaining_by_id[lot_id]},
            {"$inc": {"remaining_cents": -cents}},
            session=session,
        )
        if changed.modified_count != 1:
            raise LotChangedError()
    spent = sum(cents for _, cents in taken)
    # Written on every spend, even of nothing: this is what serialises a household's spends.
    await pts.store.accounts.update_one(
        {"_id": household_id}, {"$inc": {"money_cents": -spent, "money_version": 1}}, upsert=True, session=session
    )
    parts = [{"lot_id": lot_id, "cents": cents} for lot_id, cents in taken]
    doc: Document = {
        "_id": till_transaction_id,
        "household_id": household_id,
        "person_id": member.person_id,
        "card_id": card.card_id,
        "card_number": card_number,
        "requested_cents": amount_cents,
        "spent_cents": spent,
        "remaining_cents": spendable_cents(lots, now) - spent,
        "lots": parts,
        "state": "spent",
        "at": now,
    }
    await pts.store.spends.insert_one(doc, session=session)
    if spent:
        await pts.store.ledger.insert_one(
            ledger_entry(
                f"spend:{till_transaction_id}",
                household_id=household_id,
                person_id=member.person_id,
                reason="spend",
                at=now,
                cents=-spent,
                reference=till_transaction_id,
                lots=doc["lots"],
            ),
            session=session,
        )
        await pts.outbox.add(
            session,
            [
                pts.event(
                    MoneySpent(
                        household_id=household_id,
                        person_id=member.person_id,
                        card_id=card.card_id,
                        till_transaction_id=till_transaction_id,
                        cents=spent,
                        lots=parts,
                        occurred_at=now,
                    ),
                    household_id,
                    now,
                )
            ],
        )
    return _result(doc)


async def cancel_spend(pts: Points, till_transaction_id: str) -> SpendResult:
    """Give a spend's money back to the lots it came from (once)."""
    found = await pts.store.spends.find_one({"_id": till_transaction_id}, {"household_id": 1})
    if found is None:
        raise NotFoundError("No spend with this till transaction id", slug="spend-not-found")
    async with pts.locks.hold(found["household_id"]):
        now = pts.clock()

        async def work(session: Session) -> SpendResult:
            doc = await pts.store.spends.find_one({"_id": till_transaction_id}, session=session)
            assert doc is not None
            if doc["state"] == "cancelled":
                return _result(doc)
            household_id, spent = doc["household_id"], doc["spent_cents"]
            for part in doc["lots"]:
                await pts.store.lots.update_one(
                    {"_id": part["lot_id"]}, {"$inc": {"remaining_cents": part["cents"]}}, session=session
                )
            await pts.store.accounts.update_one(
                {"_id": household_id}, {"$inc": {"money_cents": spent, "money_version": 1}}, session=session
            )
            lots = await pts.store.open_lots(household_id, session)
            remaining = spendable_cents(lots, now)
            await pts.store.spends.update_one(
                {"_id": till_transaction_id},
                {"$set": {"state": "cancelled", "cancelled_at": now, "remaining_cents": remaining}},
                session=session,
            )
            if spent:
                await pts.store.ledger.insert_one(
                    ledger_entry(
                        f"spend-cancel:{till_transaction_id}",
                        household_id=household_id,
                        person_id=doc.get("person_id"),
                        reason="spend",
                        at=now,
                        cents=spent,
                        reference=till_transaction_id,
                        cancels=f"spend:{till_transaction_id}",
                        lots=doc["lots"],
                    ),
                    session=session,
                )
                event = MoneySpendCancelled(
                    household_id=household_id, till_transaction_id=till_transaction_id, cents=spent, occurred_at=now
                )
                await pts.outbox.add(session, [pts.event(event, household_id, now)])
            return SpendResult(till_transaction_id, spent, remaining, "cancelled")

        return await pts.run(work)
