"""Plussa money lots and till spends."""

from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING

from plussa_points.domain.lots import Lot
from plussa_points.domain.till import Spend
from plussa_points.store.collections import LOTS, SPENDS
from plussa_points.store.mappers import lot_from, spend_doc, spend_from
from plussa_shared.mongo import Database, Document, Session

_LEFT = {"remaining_cents": {"$gt": 0}}


class Money:
    """The lots and spends collections."""

    def __init__(self, db: Database) -> None:
        self.lots = db[LOTS]
        self.spends = db[SPENDS]

    async def open_lots(self, household_id: str, session: Session | None = None) -> list[Lot]:
        """Lots with money left, oldest first."""
        docs = (
            await self.lots.find({"household_id": household_id, **_LEFT}, session=session)
            .sort([("paid_at", ASCENDING), ("_id", ASCENDING)])
            .to_list()
        )
        return [lot_from(d) for d in docs]

    async def take(self, lot: Lot, cents: int, session: Session) -> bool:
        """Take ``cents`` off a lot if it still holds what was read; False if it changed."""
        changed = await self.lots.update_one(
            {"_id": lot.lot_id, "remaining_cents": lot.remaining_cents},
            {"$inc": {"remaining_cents": -cents}},
            session=session,
        )
        return changed.modified_count == 1

    async def give_back(self, parts: Sequence[tuple[str, int]], session: Session) -> None:
        """Return cents to the lots they were taken from."""
        for lot_id, cents in parts:
            await self.lots.update_one({"_id": lot_id}, {"$inc": {"remaining_cents": cents}}, session=session)

    async def households_with_expired(self, now: datetime, limit: int) -> list[str]:
        """Households with money left in a lot past its validity (the oldest first)."""
        docs = (
            await self.lots.find({**_LEFT, "expires_at": {"$lte": now}}, {"household_id": 1})
            .sort([("expires_at", ASCENDING)])
            .limit(limit)
            .to_list()
        )
        return sorted({d["household_id"] for d in docs})

    async def households_with_release_due(self, now: datetime) -> list[str]:
        """Households with saved money whose release time has come."""
        found = await self.lots.distinct("household_id", {**_LEFT, "saved_until": {"$lte": now}})
        return [str(h) for h in found]

    async def expired_lots(self, household_id: str, now: datetime, session: Session) -> list[Lot]:
        """The household's lots past their validity with money left."""
        query = {"household_id": household_id, **_LEFT, "expires_at": {"$lte": now}}
        return [lot_from(d) for d in await self.lots.find(query, session=session).to_list()]

    async def expire(self, lot: Lot, session: Session) -> None:
        """What is left of the lot expires (if it still holds what was read)."""
        await self.lots.update_one(
            {"_id": lot.lot_id, "remaining_cents": lot.remaining_cents},
            {"$set": {"remaining_cents": 0}, "$inc": {"expired_cents": lot.remaining_cents}},
            session=session,
        )

    async def saved_lots(self, household_id: str, due: datetime | None, session: Session) -> list[Lot]:
        """The household's saved lots with money left; only those due by ``due`` when given."""
        query: Document = {"household_id": household_id, **_LEFT, "saved_until": {"$ne": None}}
        if due is not None:
            query["saved_until"] = {"$lte": due}
        return [lot_from(d) for d in await self.lots.find(query, session=session).to_list()]

    async def live_lots(self, household_id: str, now: datetime, session: Session) -> list[Lot]:
        """The household's lots with money left and not expired."""
        query = {"household_id": household_id, **_LEFT, "expires_at": {"$gt": now}}
        return [lot_from(d) for d in await self.lots.find(query, session=session).to_list()]

    async def save_until(self, lots: Sequence[Lot], until: datetime | None, session: Session) -> None:
        """Keep lots off the till until ``until`` (None: release them)."""
        await self.lots.update_many(
            {"_id": {"$in": [lot.lot_id for lot in lots]}}, {"$set": {"saved_until": until}}, session=session
        )

    async def spend(self, till_transaction_id: str, session: Session | None = None) -> Spend | None:
        """A till spend as recorded."""
        doc = await self.spends.find_one({"_id": till_transaction_id}, session=session)
        return spend_from(doc) if doc else None

    async def add_spend(self, spend: Spend, session: Session) -> None:
        """Record a till spend."""
        await self.spends.insert_one(spend_doc(spend), session=session)

    async def cancel_spend(self, spend: Spend, session: Session) -> None:
        """Record a spend as cancelled."""
        await self.spends.update_one(
            {"_id": spend.till_transaction_id},
            {
                "$set": {
                    "state": spend.state,
                    "cancelled_at": spend.cancelled_at,
                    "remaining_cents": spend.remaining_cents,
                }
            },
            session=session,
        )
