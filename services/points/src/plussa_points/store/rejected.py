"""Purchases that could not be credited, kept with why for customer service.

Written outside the transaction that failed (it rolls back): one upsert per attempt
keyed by the purchase id, so however many times a purchase is retried or replayed it is
one record, with the last reason and the number of attempts. The purchase as it arrived
is kept, so it can be applied again once the cause is fixed.
"""

from datetime import datetime

from plussa_points.store.collections import PURCHASES, REJECTED_PURCHASES
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.paging import keyset_page


class RejectedPurchases:
    """The rejected_purchases collection."""

    def __init__(self, db: Database) -> None:
        self.rejected = db[REJECTED_PURCHASES]
        self.purchases = db[PURCHASES]

    async def record(self, purchase: Document, reason: str, detail: str, at: datetime) -> None:
        """Keep (or update) the record of a purchase refused for ``reason``."""
        await self.rejected.update_one(
            {"_id": purchase["purchase_id"]},
            {
                "$set": {
                    "card_number": purchase["card_number"],
                    "purchase": purchase,
                    "reason": reason,
                    "detail": detail[:500],
                    "last_rejected_at": at,
                },
                "$setOnInsert": {"first_rejected_at": at},
                "$inc": {"attempts": 1},
            },
            upsert=True,
        )

    async def get(self, purchase_id: str) -> Document | None:
        """One record by purchase id."""
        return await self.rejected.find_one({"_id": purchase_id})

    async def page(
        self, *, card_number: str | None, purchase_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Document], set[str], str | None]:
        """Records of a card (newest first) or of one purchase, with which of them have
        been credited since."""
        where = {"card_number": card_number} if card_number is not None else {"_id": purchase_id}
        docs, after = await keyset_page(self.rejected, where, sort_key="last_rejected_at", limit=limit, cursor=cursor)
        ids = [d["_id"] for d in docs]
        credited = {d["_id"] async for d in self.purchases.find({"_id": {"$in": ids}}, {"_id": 1})}
        return docs, credited, after

    async def mark_reapplied(self, purchase_id: str, at: datetime, session: Session) -> None:
        """The purchase was credited by a re-application."""
        await self.rejected.update_one({"_id": purchase_id}, {"$set": {"reapplied_at": at}}, session=session)
