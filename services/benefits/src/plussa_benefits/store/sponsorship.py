"""Store programmes, memberships, accruals and month totals."""

from collections.abc import Iterable

from pymongo import UpdateOne

from plussa_benefits.domain.sponsorship import Accrual, Membership, MonthTotals, Programme
from plussa_benefits.store import mappers as m
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.paging import keyset_page


class SponsorshipStore:
    """The ``programmes``, ``memberships``, ``accruals`` and ``month_totals`` collections."""

    def __init__(self, db: Database) -> None:
        self.programmes = db["programmes"]
        self.memberships = db["memberships"]
        self.accruals = db["accruals"]
        self.month_totals = db["month_totals"]

    async def programme(self, store_id: str, s: Session | None) -> Programme | None:
        """A store's programme, if it has one."""
        return m.programme_from(await self.programmes.find_one({"_id": store_id}, session=s))

    async def programmes_of(self, store_ids: Iterable[str], s: Session) -> dict[str, Programme]:
        """Programmes of these stores (those that have one)."""
        found = self.programmes.find({"_id": {"$in": list(set(store_ids))}}, session=s)
        return {doc["_id"]: p async for doc in found if (p := m.programme_from(doc)) is not None}

    async def save_programme(self, programme: Programme, s: Session) -> None:
        """Write a store's programme."""
        await self.programmes.replace_one(
            {"_id": programme.store_id}, m.programme_doc(programme), upsert=True, session=s
        )

    async def membership(self, person_id: str, store_id: str, s: Session) -> Membership | None:
        """A person's membership in a store's programme."""
        doc = await self.memberships.find_one({"_id": m.membership_id(person_id, store_id)}, session=s)
        return m.membership_from(doc)

    async def memberships_of(self, pairs: Iterable[tuple[str, str]], s: Session) -> dict[tuple[str, str], Membership]:
        """Memberships by (person, store)."""
        ids = list({m.membership_id(person, store) for person, store in pairs})
        found = self.memberships.find({"_id": {"$in": ids}}, session=s)
        return {(ms.person_id, ms.store_id): ms async for doc in found if (ms := m.membership_from(doc)) is not None}

    async def save_membership(self, membership: Membership, s: Session) -> None:
        """Write a membership."""
        doc = m.membership_doc(membership)
        await self.memberships.replace_one({"_id": doc["_id"]}, doc, upsert=True, session=s)

    async def person_memberships(
        self, person_id: str, limit: int, cursor: str | None, store_id: str | None = None
    ) -> tuple[list[Document], str | None]:
        """A page of a person's memberships (current and left), by store."""
        where: Document = {"person_id": person_id, **({"store_id": store_id} if store_id else {})}
        return await keyset_page(
            self.memberships, where, sort_key="store_id", limit=limit, cursor=cursor, descending=False
        )

    async def closed_months(self, keys: Iterable[tuple[str, str]], s: Session) -> set[tuple[str, str]]:
        """Which (store, month) pairs are closed."""
        ids = [m.totals_id(store, month) for store, month in set(keys)]
        found = self.month_totals.find({"_id": {"$in": ids}, "closed_at": {"$ne": None}}, session=s)
        return {(doc["store_id"], doc["month"]) async for doc in found}

    async def add_accruals(self, accruals: list[Accrual], s: Session) -> None:
        """Store accruals and add them to their month's totals."""
        if not accruals:
            return
        await self.accruals.insert_many(
            [
                {
                    "_id": a.purchase_id,
                    "store_id": a.store_id,
                    "cause_id": a.cause_id,
                    "person_id": a.person_id,
                    "month": a.month,
                    "eligible_cents": a.eligible_cents,
                    "cents": a.cents,
                }
                for a in accruals
            ],
            ordered=False,
            session=s,
        )
        ops = [
            UpdateOne(
                {"_id": m.totals_id(a.store_id, a.month)},
                {"$inc": {f"totals.{a.cause_id}": a.cents}, "$setOnInsert": {"store_id": a.store_id, "month": a.month}},
                upsert=True,
            )
            for a in accruals
        ]
        await self.month_totals.bulk_write(ops, ordered=True, session=s)

    async def raised_by(self, person_id: str) -> list[Document]:
        """What a person's purchases gave, per store and cause."""
        pipeline: list[Document] = [
            {"$match": {"person_id": person_id}},
            {"$group": {"_id": {"store_id": "$store_id", "cause_id": "$cause_id"}, "cents": {"$sum": "$cents"}}},
            {"$sort": {"_id.store_id": 1, "_id.cause_id": 1}},
        ]
        return [doc async for doc in await self.accruals.aggregate(pipeline)]

    async def month(self, store_id: str, month: str, s: Session | None) -> MonthTotals:
        """A store's totals of one month."""
        doc = await self.month_totals.find_one({"_id": m.totals_id(store_id, month)}, session=s)
        return m.totals_from(doc, store_id, month)

    async def months(self, store_id: str, limit: int, cursor: str | None) -> tuple[list[MonthTotals], str | None]:
        """A page of a store's months, newest first."""
        docs, next_cursor = await keyset_page(
            self.month_totals, {"store_id": store_id}, sort_key="month", limit=limit, cursor=cursor
        )
        return [m.totals_from(doc, store_id, doc["month"]) for doc in docs], next_cursor

    async def stores_with_month(self, month: str, s: Session | None) -> list[str]:
        """Stores with totals in ``month`` not yet closed."""
        found = self.month_totals.find({"month": month, "closed_at": None}, {"store_id": 1}, session=s)
        return [doc["store_id"] async for doc in found]

    async def close(self, totals: MonthTotals, s: Session) -> None:
        """Mark a month closed (the document exists once something accrued; an empty month is written too)."""
        await self.month_totals.update_one(
            {"_id": m.totals_id(totals.store_id, totals.month)},
            {
                "$set": {"closed_at": totals.closed_at},
                "$setOnInsert": {"store_id": totals.store_id, "month": totals.month, "totals": {}},
            },
            upsert=True,
            session=s,
        )
