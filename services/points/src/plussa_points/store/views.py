"""Reads behind the customer views, as stored (``plussa_points.views`` shapes them)."""

from pymongo import ASCENDING, DESCENDING

from plussa_points.store.collections import (
    ACCOUNTS,
    HOUSEHOLD_MONTHS,
    LEDGER,
    LOTS,
    PURCHASES,
    STATEMENTS,
    month_key,
    person_key,
)
from plussa_shared.mongo import Database, Document


class Views:
    """Read-only queries over the projections."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def account(self, household_id: str) -> Document:
        """The household's account projection (empty if none yet)."""
        return await self.db[ACCOUNTS].find_one({"_id": household_id}) or {}

    async def month(self, household_id: str, month: str) -> Document:
        """The household's projection of one month (empty if none yet)."""
        return await self.db[HOUSEHOLD_MONTHS].find_one({"_id": month_key(household_id, month)}) or {}

    async def person_month(self, household_id: str, person_id: str, month: str) -> Document:
        """The person's share of the household's month (empty if none)."""
        doc = await self.month(household_id, month)
        share: Document = doc.get("persons", {}).get(person_key(person_id), {})
        return share

    async def lots(self, household_id: str) -> list[Document]:
        """Lots with money left, by payment time."""
        query = {"household_id": household_id, "remaining_cents": {"$gt": 0}}
        return await self.db[LOTS].find(query).sort([("paid_at", ASCENDING)]).to_list()

    async def entries(self, household_id: str, reasons: list[str], limit: int) -> list[Document]:
        """The household's ledger entries of these reasons, newest first."""
        query = {"household_id": household_id, "reason": {"$in": reasons}}
        return await self.db[LEDGER].find(query).sort([("at", DESCENDING)]).limit(limit).to_list()

    async def purchases(self, person_id: str, month: str) -> list[Document]:
        """The person's purchases counted in ``month``, newest first."""
        query = {"person_id": person_id, "month": month}
        return await self.db[PURCHASES].find(query).sort([("occurred_at", DESCENDING)]).to_list()

    async def statement(self, household_id: str, month: str) -> Document | None:
        """The household's statement of a closed month."""
        return await self.db[STATEMENTS].find_one({"_id": month_key(household_id, month)})
