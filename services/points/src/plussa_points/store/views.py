"""Reads behind the customer views, as stored (``plussa_points.views`` shapes them)."""

from pymongo import ASCENDING, DESCENDING

from plussa_points.store.collections import (
    ACCOUNTS,
    BALANCE_VIEWS,
    HOUSEHOLD_MONTHS,
    LEDGER,
    LOTS,
    MEMBERS_LIST,
    PURCHASES,
    RETURNS,
    STATEMENTS,
    month_key,
    person_key,
)
from plussa_shared.mongo import Database, Document
from plussa_shared.paging import keyset_cut, keyset_order, keyset_page, keyset_query

_BY_TIME = "occurred_at"


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

    async def lots_page(self, household_id: str, limit: int, cursor: str | None) -> tuple[list[Document], str | None]:
        """Lots with money left, oldest payment first."""
        where = {"household_id": household_id, "remaining_cents": {"$gt": 0}}
        return await keyset_page(self.db[LOTS], where, sort_key="paid_at", limit=limit, cursor=cursor, descending=False)

    async def entries_page(
        self, household_id: str, reasons: list[str], limit: int, cursor: str | None
    ) -> tuple[list[Document], str | None]:
        """The household's ledger entries of these reasons, newest first."""
        where = {"household_id": household_id, "reason": {"$in": reasons}}
        return await keyset_page(self.db[LEDGER], where, sort_key="at", limit=limit, cursor=cursor)

    async def purchases_page(
        self, where: Document, limit: int, cursor: str | None
    ) -> tuple[list[Document], str | None]:
        """Purchases matching ``where`` (a person's or a household's, of a month or of
        all months), newest first."""
        return await keyset_page(self.db[PURCHASES], where, sort_key=_BY_TIME, limit=limit, cursor=cursor)

    async def month_purchases(
        self, household_id: str, person_id: str, month: str, limit: int, cursor: str | None
    ) -> tuple[Document, list[Document], str | None, Document] | None:
        """The household's list of active members (its balance view without the rest), a
        page of the person's purchases of ``month`` with the next page's cursor, and the
        person's share of the month: one aggregation, one round trip. None when the
        household has no balance view."""
        where = keyset_query({"person_id": person_id, "month": month}, sort_key=_BY_TIME, cursor=cursor)
        page = [{"$match": where}, {"$sort": keyset_order(_BY_TIME)}, {"$limit": limit + 1}]
        share = [
            {"$match": {"_id": month_key(household_id, month)}},
            {"$project": {"share": f"$persons.{person_key(person_id)}"}},
        ]
        pipeline: list[Document] = [
            {"$match": {"_id": household_id}},
            {"$project": {MEMBERS_LIST: 1}},
            {"$lookup": {"from": PURCHASES, "pipeline": page, "as": "purchases"}},
            {"$lookup": {"from": HOUSEHOLD_MONTHS, "pipeline": share, "as": "month"}},
        ]
        found = await (await self.db[BALANCE_VIEWS].aggregate(pipeline)).to_list()
        if not found:
            return None
        doc = found[0]
        docs, after = keyset_cut(doc.pop("purchases"), sort_key=_BY_TIME, limit=limit)
        month_doc = doc.pop("month")
        return doc, docs, after, (month_doc[0].get("share") or {}) if month_doc else {}

    async def statements_page(
        self, household_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Document], str | None]:
        """The household's closed months, newest first."""
        where = {"household_id": household_id}
        return await keyset_page(self.db[STATEMENTS], where, sort_key="month", limit=limit, cursor=cursor)

    async def recorded(self, what: str, reference: str) -> Document | None:
        """A recorded purchase or return (month and points) by its id."""
        collection = self.db[PURCHASES if what == "purchase" else RETURNS]
        return await collection.find_one({"_id": reference}, {"month": 1, "points": 1, "points_reversed": 1})
