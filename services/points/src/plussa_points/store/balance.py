"""The portal's read model: one ``balance_views`` document per household, kept current
by the ledger repository in the same transaction as every write of the household's
account, lots or month projection, so ``GET /v1/me/balance`` is one read of one document.

Points and grocery spend move by ``$inc`` with each posting (the hot path: purchases);
month end moves what it changes (points, status, the closed months' grocery spend, the
payout's lot) the same way, since it knows all of it; every other change (spends,
savings, charity, expiry, a linked card) rewrites the document from the account, the
lots with money left and the open months.
What depends on the time (which lots are spendable, saved or expired now) is decided
when it is read, so the document never goes stale as time passes.

The document also lists the household's active members (``members``: role and money
access by person), rewritten from the members projection in the transaction of every
change of a membership, so the route's access check and its answer are the same read.
A document without that list (written before it existed, until
``plussa_points.commands.build_balance_members`` or the household's next membership
change fills it) is checked against the members projection instead.
"""

from collections.abc import Sequence
from datetime import datetime

from pymongo import UpdateOne

from plussa_points.domain.closing import Closing
from plussa_points.domain.ledger import Posting, account_kind
from plussa_points.store.collections import (
    ACCOUNTS,
    BALANCE_VIEWS,
    HOUSEHOLD_MONTHS,
    LOTS,
    MEMBERS,
    MEMBERS_LIST,
    person_key,
)
from plussa_points.store.months import open_months
from plussa_points.store.pages import copy_members
from plussa_shared.mongo import Database, Document, Session

_LOT_FIELDS = {"remaining_cents": 1, "paid_at": 1, "expires_at": 1, "saved_until": 1, "saved_cents": 1}


class BalanceViews:
    """The ``balance_views`` collection."""

    def __init__(self, db: Database) -> None:
        self.views = db[BALANCE_VIEWS]
        self.accounts = db[ACCOUNTS]
        self.lots = db[LOTS]
        self.months = db[HOUSEHOLD_MONTHS]
        self.members = db[MEMBERS]
        self.db = db

    async def bump(self, postings: Sequence[Posting], session: Session) -> None:
        """Move the households' points and grocery spend of the postings' months."""
        updates = [
            UpdateOne(
                {"_id": p.account_id},
                {
                    "$inc": {
                        "points": p.entry.points,
                        f"grocery.{p.month}": p.figures.get("grocery_cents", 0),
                        "version": 1,
                    }
                },
                upsert=True,
            )
            for p in postings
            if account_kind(p.account_id) == "household"
        ]
        if updates:
            await self.views.bulk_write(updates, ordered=True, session=session)

    async def refresh(self, household_ids: Sequence[str], session: Session) -> None:
        """Rewrite the households' documents from what their account, lots and open months hold now."""
        ids = [h for h in dict.fromkeys(household_ids) if account_kind(h) == "household"]
        if not ids:
            return
        accounts = {d["_id"]: d for d in await self.accounts.find({"_id": {"$in": ids}}, session=session).to_list()}
        lots: dict[str, list[Document]] = {h: [] for h in ids}
        query = {"household_id": {"$in": ids}, "remaining_cents": {"$gt": 0}}
        async for lot in self.lots.find(query, {**_LOT_FIELDS, "household_id": 1}, session=session).sort("paid_at"):
            lots[lot["household_id"]].append(lot_view(lot))
        grocery: dict[str, dict[str, int]] = {h: {} for h in ids}
        known = [accounts.get(h, {"_id": h}) for h in ids]
        async for month in self.months.find(open_months(known), session=session):
            grocery[month["household_id"]][month["month"]] = month.get("grocery_cents", 0)
        updates = [UpdateOne({"_id": h}, _rewrite(accounts.get(h, {}), lots[h], grocery[h]), upsert=True) for h in ids]
        await self.views.bulk_write(updates, ordered=False, session=session)

    async def refresh_members(self, household_ids: Sequence[str], session: Session) -> None:
        """Rewrite the households' lists of active members from the members projection,
        here and on their month pages (``plussa_points.store.pages``)."""
        ids = list(dict.fromkeys(household_ids))
        if not ids:
            return
        listed: dict[str, Document] = {h: {} for h in ids}
        active = {"household_id": {"$in": ids}, "active": {"$ne": False}}
        fields = {"household_id": 1, "person_id": 1, "role": 1, "can_use_money": 1}
        async for m in self.members.find(active, fields, session=session):
            entry = {"person_id": m["person_id"], "role": m["role"], "can_use_money": bool(m.get("can_use_money"))}
            listed[m["household_id"]][person_key(m["person_id"])] = entry
        updates = [UpdateOne({"_id": h}, {"$set": {MEMBERS_LIST: listed[h]}}, upsert=True) for h in ids]
        await self.views.bulk_write(updates, ordered=False, session=session)
        await copy_members(self.db, listed, session)

    async def households_with_members(self, after: str | None, limit: int) -> list[str]:
        """Ids of households with a membership (of up to ``limit`` memberships), in order,
        after ``after``: ``build_balance_members`` walks them."""
        where = {"household_id": {"$gt": after}} if after is not None else {}
        found = self.members.find(where, {"household_id": 1}).sort("household_id").limit(limit)
        return list(dict.fromkeys([d["household_id"] async for d in found]))

    async def close_months(self, closings: Sequence[Closing], lots: Sequence[Document], session: Session) -> None:
        """Month end's change of the households' documents, written without reading them:
        points moved by the closing, the status set, the closed months' grocery spend gone,
        the payout's lot (of ``lots``, the documents just written) added in the order paid.
        Should a household have no document yet (an account older than the read model),
        the batch's documents are rewritten whole instead (``refresh``)."""
        paid = {lot["household_id"]: lot_view(lot) for lot in lots}
        updates = [UpdateOne({"_id": c.household_id}, _closed(c, paid.get(c.household_id))) for c in closings]
        if not updates:
            return
        result = await self.views.bulk_write(updates, ordered=False, session=session)
        if result.matched_count < len(updates):
            await self.refresh([c.household_id for c in closings], session)

    async def of(self, household_id: str) -> Document:
        """The household's document (empty when nothing happened on its account yet)."""
        return await self.views.find_one({"_id": household_id}) or {}

    async def end_savings_due(self, now: datetime) -> None:
        """Saving whose release date has come is over (as on the accounts)."""
        await self.views.update_many(
            {"savings.on": True, "savings.release_at": {"$lte": now}},
            {"$set": {"savings": {"on": False}}, "$inc": {"version": 1, "savings_version": 1}},
        )


def lot_view(lot: Document) -> Document:
    """A lot as the document lists it (from the lot's document, or the fields of it read)."""
    return {"lot_id": lot["_id"], **{name: lot.get(name) for name in _LOT_FIELDS}}


def _closed(c: Closing, lot: Document | None) -> Document:
    update: Document = {
        "$inc": {"points": c.points_change, "version": 1},
        "$set": {"status": c.status},
        "$unset": {f"grocery.{month}": "" for month in c.statement.months},
    }
    if lot is not None:
        update["$push"] = {"lots": {"$each": [lot], "$sort": {"paid_at": 1}}}
    return update


def _rewrite(account: Document, lots: list[Document], grocery: dict[str, int]) -> Document:
    return {
        "$set": {
            "points": account.get("points", 0),
            "status": account.get("status", "regular"),
            "savings": account.get("savings") or {"on": False},
            "savings_version": account.get("savings_version", 0),
            "charity": account.get("charity"),
            "charity_version": account.get("charity_version", 0),
            "lots": lots,
            "grocery": grocery,
        },
        "$inc": {"version": 1},
    }
