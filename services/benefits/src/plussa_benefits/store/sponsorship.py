"""Store programmes, memberships, accruals and month totals."""

from collections.abc import Iterable

from plussa_benefits.domain.sponsorship import Accrual, Membership, MonthTotals, Programme
from plussa_benefits.store import mappers as m
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.paging import Position, decode_cursor, encode_cursor, keyset_page


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

    async def closed_months(self, keys: Iterable[tuple[str, str]], s: Session | None) -> set[tuple[str, str]]:
        """Which (store, month) pairs are closed (a totals document exists only once closed)."""
        ids = [m.totals_id(store, month) for store, month in set(keys)]
        found = self.month_totals.find({"_id": {"$in": ids}}, {"store_id": 1, "month": 1}, session=s)
        return {(doc["store_id"], doc["month"]) async for doc in found}

    async def add_accruals(self, accruals: list[Accrual], s: Session) -> None:
        """Store accruals. Totals are summed from them when read or closed: a shared
        counter per store would make every purchase in a store collide with the others."""
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

    async def raised_by(self, person_id: str) -> list[Document]:
        """What a person's purchases gave, per store and cause."""
        pipeline: list[Document] = [
            {"$match": {"person_id": person_id}},
            {"$group": {"_id": {"store_id": "$store_id", "cause_id": "$cause_id"}, "cents": {"$sum": "$cents"}}},
            {"$sort": {"_id.store_id": 1, "_id.cause_id": 1}},
        ]
        return [doc async for doc in await self.accruals.aggregate(pipeline)]

    async def _summed(self, match: Document, limit: int, s: Session | None) -> dict[str, dict[str, int]]:
        """month -> cause -> cents of the accruals matching ``match``, newest months first."""
        pipeline: list[Document] = [
            {"$match": match},
            {"$group": {"_id": {"month": "$month", "cause_id": "$cause_id"}, "cents": {"$sum": "$cents"}}},
            {"$sort": {"_id.month": -1, "_id.cause_id": 1}},
        ]
        months: dict[str, dict[str, int]] = {}
        async for row in await self.accruals.aggregate(pipeline, session=s):
            month = row["_id"]["month"]
            if month not in months and len(months) == limit:
                break
            months.setdefault(month, {})[row["_id"]["cause_id"]] = row["cents"]
        return months

    async def month(self, store_id: str, month: str, s: Session | None) -> MonthTotals:
        """A store's totals of one month: as closed, or summed so far."""
        closed = await self.month_totals.find_one({"_id": m.totals_id(store_id, month)}, session=s)
        if closed is not None:
            return m.totals_from(closed, store_id, month)
        summed = await self._summed({"store_id": store_id, "month": month}, 1, s)
        return MonthTotals(store_id, month, summed.get(month, {}))

    async def months(self, store_id: str, limit: int, cursor: str | None) -> tuple[list[MonthTotals], str | None]:
        """A page of a store's months with accruals, newest first (the cursor is the last month shown)."""
        before = decode_cursor(cursor, "month").value if cursor else None
        match: Document = {"store_id": store_id, **({"month": {"$lt": before}} if before else {})}
        summed = await self._summed(match, limit + 1, None)
        shown = list(summed)[:limit]
        closed = self.month_totals.find({"_id": {"$in": [m.totals_id(store_id, month) for month in shown]}})
        closed_at = {doc["month"]: doc["closed_at"] async for doc in closed}
        page = [MonthTotals(store_id, month, summed[month], closed_at.get(month)) for month in shown]
        more = len(summed) > limit
        return page, encode_cursor(Position(shown[-1], shown[-1]), "month") if more else None

    async def stores_with_month(self, month: str, s: Session | None) -> list[str]:
        """Stores with accruals in ``month`` that is not yet closed."""
        stores = await self.accruals.distinct("store_id", {"month": month}, session=s)
        closed = await self.closed_months([(store, month) for store in stores], s) if stores else set()
        return sorted(store for store in stores if (store, month) not in closed)

    async def close(self, totals: MonthTotals, s: Session) -> None:
        """Keep a closed month's totals; a second close of it clashes on the id."""
        await self.month_totals.insert_one(
            {
                "_id": m.totals_id(totals.store_id, totals.month),
                "store_id": totals.store_id,
                "month": totals.month,
                "totals": totals.totals,
                "closed_at": totals.closed_at,
            },
            session=s,
        )
