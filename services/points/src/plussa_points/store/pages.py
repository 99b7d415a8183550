"""The read model of ``GET /v1/me/purchases``' hot case: one ``month_pages`` document per
household, person and month holding the first page as the answer shows it, so the
route answers the month's first page (no cursor, ``limit`` up to the default page size)
from one ``find_one`` by ``_id``, access check included, with bytes joined, not models built.

A document holds:

- ``items``: the person's newest ``size + 1`` purchases of the month, each as
  ``{"at": occurred_at, "id": purchase_id, "json": PurchaseView's JSON}``, in the keyset
  order (``occurred_at`` then ``_id``, newest first): the extra one tells whether a next
  page exists, and ``at``/``id`` of the page's last item make its cursor exactly as
  ``keyset_cut`` makes it;
- ``points``, ``spend_cents``: the person's share of the household's month, moved by the
  same ``$inc`` as ``household_months.persons.<key>`` in ``Ledger.post``;
- ``members``: a copy of the household's ``balance_views.members``, so ``listed_member``
  and ``require_member`` work on it unchanged;
- ``expires_at``: a TTL index drops pages of months long gone (their reads take the
  aggregation path).

A document is complete or absent. It is first written by ``rebuild``, from the
purchases, the household month and the balance view as the transaction sees them, and
then only moved: a purchase is pushed with ``$each/$sort/$slice`` (one older than the
page's oldest when the page is full is sliced off at once and moves only the totals),
a return rewrites its item in place, a card move rebuilds the person's pages, an
erasure deletes them. A missing document only means the slow path, so documents
written before this model existed need no migration: the person's next purchase of the
month builds the page, and so does their first read of this month or the last
(``plussa_points.use_cases.pages``), so a month that has just begun (statement day
among its first days) is answered from its page from the second read on.

The ``_id`` names the page's ``shape`` (the JSON format and the page size): a service
configured with another ``page_limit_default`` or a changed ``PurchaseView`` finds no
document of its shape, rebuilds its own, and leaves the old ones to expire.

Membership: ``BalanceViews.refresh_members`` copies the new list to the household's pages
in its transaction (``copy_members``); ``rebuild`` reads the list from ``balance_views``
in the purchase's transaction. A membership change and a purchase of the same household
cannot pass each other: both transactions write the household's ``balance_views``
document (``refresh_members`` sets ``members``; the purchase's ``Ledger.post`` bumps the
points through ``BalanceViews.bump``, a return's likewise, a card move's ``refresh``),
so MongoDB's write conflict aborts one and it is retried on a snapshot that sees the other.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bson.datetime_ms import DatetimeMS
from pydantic import TypeAdapter
from pydantic_core import to_json
from pymongo import ReplaceOne, UpdateMany, UpdateOne

from plussa_points.domain.ingest import NewPurchase
from plussa_points.domain.ledger import Posting, account_kind
from plussa_points.purchase_view import PurchaseView, purchase_view
from plussa_points.store.collections import (
    BALANCE_VIEWS,
    HOUSEHOLD_MONTHS,
    MEMBERS_LIST,
    MONTH_PAGES,
    PURCHASES,
    month_key,
    person_key,
)
from plussa_points.store.mappers import purchase_doc
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.paging import Position, encode_cursor, page_json

PAGE_FORMAT = 1
"""Raise when ``PurchaseView``'s JSON changes: pages of the old format are then unused."""
KEPT_MONTHS = 4
"""A month's pages expire this many months after the month began."""
_BY_TIME = "occurred_at"
_ORDER = {"at": -1, "id": -1}
_PURCHASE = TypeAdapter(PurchaseView)

Key = tuple[str, str, str]
"""A page's household id, person id and month."""


@dataclass(frozen=True)
class PreparedPage:
    """A month page as read."""

    doc: Document

    @property
    def lists_members(self) -> bool:
        """Whether the document carries the household's members (else: the slow path)."""
        return MEMBERS_LIST in self.doc

    def body(self, limit: int) -> bytes:
        """The answer's JSON for a first page of ``limit`` items: what
        ``MonthPurchasesView.model_dump_json`` gives for the same page."""
        items = self.doc["items"]
        after = None
        if len(items) > limit:
            last = items[limit - 1]
            after = encode_cursor(Position(last["at"], last["id"]), _BY_TIME)
        head = page_json([i["json"] for i in items[:limit]], after)[:-1]
        d = self.doc
        return b'%s,"month":%s,"points":%d,"spend_cents":%d}' % (
            head,
            to_json(d["month"]),
            d.get("points", 0),
            d.get("spend_cents", 0),
        )


class MonthPages:
    """The ``month_pages`` collection."""

    def __init__(self, db: Database, size: int) -> None:
        self.pages = db[MONTH_PAGES]
        self.purchases = db[PURCHASES]
        self.months = db[HOUSEHOLD_MONTHS]
        self.views = db[BALANCE_VIEWS]
        self.size = size
        self.shape = f"{PAGE_FORMAT}.{size}"

    def key(self, household_id: str, person_id: str, month: str) -> str:
        """The ``_id`` of the page of this household, person and month in this shape."""
        return f"{month_key(household_id, month)}:{person_key(person_id)}:{self.shape}"

    async def read(self, household_id: str, person_id: str, month: str, limit: int) -> PreparedPage | None:
        """The page, when it can answer a first page of ``limit`` items (else None)."""
        if limit > self.size:
            return None
        doc = await self.pages.find_one({"_id": self.key(household_id, person_id, month)})
        return PreparedPage(doc) if doc is not None else None

    async def move_totals(self, postings: Sequence[Posting], session: Session) -> None:
        """Move the pages' totals as ``Ledger.post`` moves ``household_months.persons``
        (a page that does not exist stays so)."""
        updates = [
            UpdateOne(
                {"_id": self.key(p.account_id, p.entry.person_id, p.month)},
                {"$inc": {"points": p.entry.points, "spend_cents": p.spend_cents}},
            )
            for p in postings
            if p.entry.person_id is not None and account_kind(p.account_id) == "household"
        ]
        if updates:
            await self.pages.bulk_write(updates, ordered=True, session=session)

    async def add_purchases(self, purchases: Sequence[NewPurchase], recorded_at: datetime, session: Session) -> None:
        """Show new purchases (already written, their points posted) on their persons'
        pages: pushed onto the pages that exist (any household's, as the slow path lists
        a person's purchases of a month whatever the household), and the pages of their
        own household that do not exist yet built whole."""
        docs = [
            self._as_stored(purchase_doc(p, recorded_at))
            for p in purchases
            if p.earning.card.person_id is not None and account_kind(p.earning.account_id) == "household"
        ]
        if not docs:
            return
        keys = {(d["household_id"], d["person_id"], d["month"]) for d in docs}
        ids = {self.key(*k): k for k in keys}
        found = {d["_id"] async for d in self.pages.find({"_id": {"$in": list(ids)}}, {"_id": 1}, session=session)}
        items = {d["_id"]: self._item(d) for d in docs}
        by_person_month: dict[tuple[str, str], list[Document]] = {}
        for d in docs:
            by_person_month.setdefault((d["person_id"], d["month"]), []).append(items[d["_id"]])
        pushes = [
            UpdateMany(
                {"person_id": person_id, "month": month, "shape": self.shape},
                {"$push": {"items": {"$each": items, "$sort": _ORDER, "$slice": self.size + 1}}},
            )
            for (person_id, month), items in by_person_month.items()
        ]
        await self.pages.bulk_write(pushes, ordered=False, session=session)
        await self.rebuild([k for page_id, k in ids.items() if page_id not in found], session, items)

    async def purchase_changed(self, purchase_id: str, session: Session) -> None:
        """Rewrite a purchase's item (after a return) on the pages that show it."""
        doc = await self.purchases.find_one({"_id": purchase_id}, session=session)
        if doc is None or doc.get("person_id") is None:
            return
        await self.pages.update_many(
            {"person_id": doc["person_id"], "month": doc["month"], "items.id": purchase_id},
            {"$set": {"items.$.json": self._json(doc)}},
            session=session,
        )

    async def build(self, household_id: str, person_id: str, month: str, session: Session) -> bool:
        """Write the page of an active member of the household that has none (a month
        with no purchase of theirs yet, or a page gone); False when the person is not
        listed as one or the page exists. The household's balance view is written last
        (``pages_built``): a purchase, return, grant, card move or membership change of
        the household writes that document in its transaction, so one committed after
        this transaction's first read is a write conflict here, and the build runs again
        on a snapshot that sees it rather than writing a page without it."""
        listed = {"_id": household_id, f"{MEMBERS_LIST}.{person_key(person_id)}": {"$exists": True}}
        if await self.views.find_one(listed, {"_id": 1}, session=session) is None:
            return False
        if await self.pages.find_one({"_id": self.key(household_id, person_id, month)}, {"_id": 1}, session=session):
            return False
        await self.rebuild([(household_id, person_id, month)], session)
        await self.views.update_one({"_id": household_id}, {"$inc": {"pages_built": 1}}, session=session)
        return True

    async def rebuild_person(self, person_id: str, session: Session) -> None:
        """Rebuild every page of the person that exists (after their purchases or
        months moved, as when an unlinked card joins their household)."""
        where = {"person_id": person_id, "shape": self.shape}
        found = self.pages.find(where, {"household_id": 1, "month": 1}, session=session)
        await self.rebuild([(d["household_id"], person_id, d["month"]) async for d in found], session)

    async def rebuild(self, keys: Iterable[Key], session: Session, known: dict[str, Document] | None = None) -> None:
        """Write these pages whole from what the transaction sees: three reads for them all.
        ``known``: items already made of purchases the transaction wrote, by purchase id."""
        keys = list(dict.fromkeys(keys))
        if not keys:
            return
        items = await self._newest(keys, session, known or {})
        totals = await self._totals(keys, session)
        members = await self._members({h for h, _, _ in keys}, session)
        writes = []
        for household_id, person_id, month in keys:
            doc: Document = {
                "household_id": household_id,
                "person_id": person_id,
                "month": month,
                "shape": self.shape,
                **totals.get((household_id, person_id, month), {"points": 0, "spend_cents": 0}),
                "items": items.get((person_id, month), []),
                "expires_at": expiry(month),
            }
            if household_id in members:
                doc[MEMBERS_LIST] = members[household_id]
            writes.append(ReplaceOne({"_id": self.key(household_id, person_id, month)}, doc, upsert=True))
        await self.pages.bulk_write(writes, ordered=False, session=session)

    async def _newest(
        self, keys: list[Key], session: Session, known: dict[str, Document]
    ) -> dict[tuple[str, str], list[Document]]:
        pairs = list(dict.fromkeys((p, m) for _, p, m in keys))
        pipeline: list[Document] = [
            {"$match": {"$or": [{"person_id": p, "month": m} for p, m in pairs]}},
            {
                "$group": {
                    "_id": {"person_id": "$person_id", "month": "$month"},
                    "newest": {"$topN": {"n": self.size + 1, "sortBy": {_BY_TIME: -1, "_id": -1}, "output": "$$ROOT"}},
                }
            },
        ]
        found = await (await self.purchases.aggregate(pipeline, session=session)).to_list()
        return {
            (g["_id"]["person_id"], g["_id"]["month"]): [known.get(d["_id"]) or self._item(d) for d in g["newest"]]
            for g in found
        }

    async def _totals(self, keys: list[Key], session: Session) -> dict[Key, Document]:
        ids = list({month_key(h, m) for h, _, m in keys})
        fields = {f"persons.{person_key(p)}": 1 for _, p, _ in keys} | {"household_id": 1, "month": 1}
        months = {d["_id"]: d async for d in self.months.find({"_id": {"$in": ids}}, fields, session=session)}
        totals: dict[Key, Document] = {}
        for h, p, m in keys:
            share = months.get(month_key(h, m), {}).get("persons", {}).get(person_key(p), {})
            totals[(h, p, m)] = {"points": share.get("points", 0), "spend_cents": share.get("spend_cents", 0)}
        return totals

    async def _members(self, household_ids: set[str], session: Session) -> dict[str, Document]:
        found = self.views.find({"_id": {"$in": list(household_ids)}}, {MEMBERS_LIST: 1}, session=session)
        return {d["_id"]: d[MEMBERS_LIST] async for d in found if MEMBERS_LIST in d}

    def _as_stored(self, doc: Document) -> Document:
        """The document with its purchase time as MongoDB gives it back (in UTC, to the
        millisecond), so its item's JSON and keyset position are what the slow path reads:
        the one field of a page item that a write and a read back change."""
        at = DatetimeMS(doc[_BY_TIME]).as_datetime(self.purchases.codec_options)
        return {**doc, _BY_TIME: at}

    def _item(self, doc: Document) -> Document:
        return {"at": doc[_BY_TIME], "id": doc["_id"], "json": self._json(doc)}

    @staticmethod
    def _json(doc: Document) -> bytes:
        return _PURCHASE.dump_json(purchase_view(doc, doc["person_id"]))


async def copy_members(db: Database, listed: dict[str, Document], session: Session) -> None:
    """Copy the households' new lists of active members onto their pages (of every shape)."""
    updates = [UpdateMany({"household_id": h}, {"$set": {MEMBERS_LIST: members}}) for h, members in listed.items()]
    if updates:
        await db[MONTH_PAGES].bulk_write(updates, ordered=False, session=session)


def expiry(month: str) -> datetime:
    """When the pages of ``month`` (YYYY-MM) expire: ``KEPT_MONTHS`` after it began."""
    year, number = int(month[:4]), int(month[5:7]) - 1 + KEPT_MONTHS
    return datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
