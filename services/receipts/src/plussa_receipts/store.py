"""The only code that touches the receipts service's collections, with typed mappers.

``cards`` is this service's projection of the cards events (whose card a number is);
``enrolments`` holds each person's choice; ``receipts`` the warranty receipts."""

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from plussa_receipts.domain.enrolment import Enrolment
from plussa_receipts.domain.receipt import ReceiptLine, WarrantyReceipt
from plussa_receipts.domain.search_text import ReceiptQuery, fold
from plussa_shared.context import UnitOfWork
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.paging import keyset_page
from plussa_shared.privacy import ERASED_HOLDERS, ErasedHolders

CARDS = "cards"
ENROLMENTS = "enrolments"
RECEIPTS = "receipts"

INDEXES: dict[str, Sequence[IndexModel]] = {
    CARDS: [IndexModel([("card_number", ASCENDING)], unique=True), IndexModel([("person_id", ASCENDING)])],
    ERASED_HOLDERS: [],
    ENROLMENTS: [],
    RECEIPTS: [
        # One receipt per purchase and person, however often the purchase arrives.
        IndexModel([("person_id", ASCENDING), ("purchase_id", ASCENDING)], unique=True),
        # The list, newest first, and its cursor.
        IndexModel([("person_id", ASCENDING), ("purchased_at", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("kept_until", ASCENDING)]),
    ],
}


@dataclass(frozen=True)
class CardHolder:
    """Whose a card is, as the cards events last said."""

    card_id: str
    card_number: str
    person_id: str | None
    household_id: str | None
    version: int


def _session(uow: UnitOfWork | None) -> Session | None:
    return uow.session if uow is not None else None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class ReceiptsStore:
    """Loads and saves receipts, enrolments and the card projection."""

    def __init__(self, db: Database) -> None:
        self._cards = db[CARDS]
        self._enrolments = db[ENROLMENTS]
        self._receipts = db[RECEIPTS]
        self.erased_holders = ErasedHolders(db)

    # The card projection

    async def card_by_number(self, uow: UnitOfWork | None, card_number: str) -> CardHolder | None:
        """Whose card ``card_number`` is, or None when the cards events have not said yet."""
        doc = await self._cards.find_one({"card_number": card_number}, session=_session(uow))
        return _holder(doc) if doc else None

    async def cards_by_number(self, uow: UnitOfWork, card_numbers: Collection[str]) -> dict[str, CardHolder]:
        """Whose each of ``card_numbers`` is, by number; a number the cards events have not
        told of yet is missing."""
        cursor = self._cards.find({"card_number": {"$in": list(card_numbers)}}, session=uow.session)
        return {doc["card_number"]: _holder(doc) async for doc in cursor}

    async def save_card(self, uow: UnitOfWork, holder: CardHolder) -> bool:
        """Keep ``holder`` unless a newer version is already known; returns whether it was kept."""
        doc = {
            "card_number": holder.card_number,
            "person_id": holder.person_id,
            "household_id": holder.household_id,
            "version": holder.version,
        }
        result = await self._cards.update_one(
            {"_id": holder.card_id, "version": {"$lt": holder.version}}, {"$set": doc}, session=uow.session
        )
        if result.matched_count:
            return True
        if await self._cards.find_one({"_id": holder.card_id}, {"_id": 1}, session=uow.session):
            return False  # stale: a later version arrived first
        await self._cards.insert_one({"_id": holder.card_id, **doc}, session=uow.session)
        return True

    async def forget_person_cards(self, uow: UnitOfWork, person_id: str) -> None:
        """Forget the person's cards (erasure), and that they and their cards were erased."""
        card_ids = await self._cards.distinct("_id", {"person_id": person_id}, session=uow.session)
        await self._cards.delete_many({"person_id": person_id}, session=uow.session)
        await self.erased_holders.record(person_id, uow.session, card_ids=card_ids)

    async def forget_card(self, uow: UnitOfWork, card_id: str, person_id: str | None) -> None:
        """Forget a card closed because its holder was erased, and that the card and the
        holder were."""
        await self._cards.delete_one({"_id": card_id}, session=uow.session)
        await self.erased_holders.record(person_id, uow.session, card_ids=[card_id])

    # Enrolments

    async def enrolment(self, uow: UnitOfWork | None, person_id: str) -> Enrolment:
        """The person's choice; a person who never chose has the service off."""
        doc = await self._enrolments.find_one({"_id": person_id}, session=_session(uow))
        enrolment = _enrolment(person_id, doc)
        if uow is not None:
            uow.track(enrolment)
        return enrolment

    async def enrolments(self, uow: UnitOfWork, person_ids: Collection[str]) -> dict[str, Enrolment]:
        """Each person's choice, by person id (off for one who never chose), tracked."""
        found = {
            doc["_id"]: doc
            async for doc in self._enrolments.find({"_id": {"$in": list(person_ids)}}, session=uow.session)
        }
        enrolments = {person_id: _enrolment(person_id, found.get(person_id)) for person_id in person_ids}
        uow.track(*enrolments.values())
        return enrolments

    async def save_enrolment(self, uow: UnitOfWork, enrolment: Enrolment, loaded_version: int) -> bool:
        """Save a changed enrolment if nobody changed it since ``loaded_version``."""
        doc = {"enabled": enrolment.enabled, "enabled_at": enrolment.enabled_at, "version": enrolment.version}
        if loaded_version == 0:
            # A first choice: two at once clash on the _id and the later one runs again.
            await self._enrolments.update_one(
                {"_id": enrolment.person_id, "version": 0}, {"$set": doc}, upsert=True, session=uow.session
            )
            return True
        result = await self._enrolments.update_one(
            {"_id": enrolment.person_id, "version": loaded_version}, {"$set": doc}, session=uow.session
        )
        return result.matched_count == 1

    async def delete_enrolment(self, uow: UnitOfWork, person_id: str) -> None:
        """Forget the person's choice (erasure)."""
        await self._enrolments.delete_one({"_id": person_id}, session=uow.session)

    # Receipts

    async def add_receipts(self, uow: UnitOfWork, receipts: Sequence[WarrantyReceipt]) -> None:
        """Store new receipts in one write (the unique index refuses a second one for a purchase)."""
        if receipts:
            uow.track(*receipts)
            await self._receipts.insert_many([receipt_document(r) for r in receipts], session=uow.session)

    async def receipts_held(self, uow: UnitOfWork, keys: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of the (person id, purchase id) pairs already have a receipt."""
        if not keys:
            return set()
        # Both fields' values: the (person_id, purchase_id) index answers it.
        query = {
            "person_id": {"$in": list({person_id for person_id, _ in keys})},
            "purchase_id": {"$in": list({purchase_id for _, purchase_id in keys})},
        }
        cursor = self._receipts.find(query, {"person_id": 1, "purchase_id": 1}, session=uow.session)
        return {pair async for doc in cursor if (pair := (doc["person_id"], doc["purchase_id"])) in keys}

    async def receipt_of_purchase(self, uow: UnitOfWork, person_id: str, purchase_id: str) -> WarrantyReceipt | None:
        """The person's receipt of ``purchase_id``, tracked for changes."""
        doc = await self._receipts.find_one({"person_id": person_id, "purchase_id": purchase_id}, session=uow.session)
        return self._tracked(uow, _receipt_from(doc)) if doc else None

    async def save_returns(self, uow: UnitOfWork, receipt: WarrantyReceipt) -> None:
        """Save the returned quantities of the receipt's lines."""
        lines = [_line_document(line) for line in receipt.lines]
        await self._receipts.update_one({"_id": receipt.receipt_id}, {"$set": {"lines": lines}}, session=uow.session)

    async def receipt(
        self, uow: UnitOfWork | None, person_id: str, receipt_id: str, today: date
    ) -> WarrantyReceipt | None:
        """The person's visible receipt ``receipt_id``: another person's answers like none."""
        query = {"_id": receipt_id, "person_id": person_id, "kept_until": {"$gte": _midnight(today)}}
        doc = await self._receipts.find_one(query, session=_session(uow))
        return _receipt_from(doc) if doc else None

    async def delete_receipt(self, uow: UnitOfWork, person_id: str, receipt_id: str) -> bool:
        """Delete the person's receipt; returns whether there was one."""
        result = await self._receipts.delete_one({"_id": receipt_id, "person_id": person_id}, session=uow.session)
        return result.deleted_count == 1

    async def delete_receipts_of(self, uow: UnitOfWork, person_id: str) -> int:
        """Delete every receipt of the person; returns how many there were."""
        result = await self._receipts.delete_many({"person_id": person_id}, session=uow.session)
        return result.deleted_count

    async def search(
        self, query: ReceiptQuery, *, limit: int, cursor: str | None
    ) -> tuple[list[WarrantyReceipt], str | None]:
        """A page of the person's visible receipts matching ``query``, newest first."""
        filters: dict[str, Any] = {"person_id": query.person_id, "kept_until": {"$gte": _midnight(query.today)}}
        if query.text:
            # The text is matched literally: the pattern is escaped, never a regex or operator.
            filters["search_text"] = {"$regex": re.escape(fold(query.text))}
        if query.store_id:
            filters["store_id"] = query.store_id
        purchased: dict[str, datetime] = {}
        if query.purchased_from:
            purchased["$gte"] = _midnight(query.purchased_from)
        if query.purchased_to:
            purchased["$lt"] = _midnight(query.purchased_to + timedelta(days=1))
        if purchased:
            filters["purchased_at"] = purchased
        docs, next_cursor = await keyset_page(
            self._receipts, filters, sort_key="purchased_at", limit=limit, cursor=cursor
        )
        return [_receipt_from(doc) for doc in docs], next_cursor

    async def receipts_of(self, person_id: str) -> list[WarrantyReceipt]:
        """Every receipt the person has (for their data export)."""
        docs = await self._receipts.find({"person_id": person_id}).sort("purchased_at", ASCENDING).to_list()
        return [_receipt_from(doc) for doc in docs]

    async def expired(self, uow: UnitOfWork, today: date, limit: int) -> list[WarrantyReceipt]:
        """Receipts past their keeping day, oldest first, tracked so their expiry is published."""
        query = {"kept_until": {"$lt": _midnight(today)}}
        docs = (
            await self._receipts.find(query, session=uow.session).sort("kept_until", ASCENDING).limit(limit).to_list()
        )
        return [self._tracked(uow, _receipt_from(doc)) for doc in docs]

    async def delete_expired(self, uow: UnitOfWork, receipt_ids: list[str]) -> None:
        """Remove receipts whose expiry was recorded."""
        await self._receipts.delete_many({"_id": {"$in": receipt_ids}}, session=uow.session)

    @staticmethod
    def _tracked(uow: UnitOfWork, receipt: WarrantyReceipt) -> WarrantyReceipt:
        uow.track(receipt)
        return receipt


def _enrolment(person_id: str, doc: Document | None) -> Enrolment:
    if doc is None:
        return Enrolment(person_id)
    return Enrolment(person_id, doc["enabled"], doc.get("enabled_at"), doc["version"])


def _holder(doc: Document) -> CardHolder:
    return CardHolder(doc["_id"], doc["card_number"], doc.get("person_id"), doc.get("household_id"), doc["version"])


def _line_document(line: ReceiptLine) -> Document:
    return {
        "line_id": line.line_id,
        "product_id": line.product_id,
        "name": line.name,
        "quantity": line.quantity,
        "unit_price_cents": line.unit_price_cents,
        "amount_cents": line.amount_cents,
        "warranty_months": line.warranty_months,
        "warranty_ends_on": _midnight(line.warranty_ends_on),
        "returned_quantity": line.returned_quantity,
    }


def receipt_document(receipt: WarrantyReceipt) -> Document:
    return {
        "_id": receipt.receipt_id,
        "person_id": receipt.person_id,
        "purchase_id": receipt.purchase_id,
        "store_id": receipt.store_id,
        "store_name": receipt.store_name,
        "chain": receipt.chain,
        "purchased_at": receipt.purchased_at,
        "card_last4": receipt.card_last4,
        "lines": [_line_document(line) for line in receipt.lines],
        "kept_until": _midnight(receipt.kept_until),
        "saved_at": receipt.saved_at,
        "search_text": receipt.search_text,
    }


def _receipt_from(doc: Document) -> WarrantyReceipt:
    lines = [
        ReceiptLine(
            line_id=line["line_id"],
            product_id=line["product_id"],
            name=line["name"],
            quantity=line["quantity"],
            unit_price_cents=line["unit_price_cents"],
            amount_cents=line["amount_cents"],
            warranty_months=line["warranty_months"],
            warranty_ends_on=line["warranty_ends_on"].date(),
            returned_quantity=line.get("returned_quantity", 0),
        )
        for line in doc["lines"]
    ]
    return WarrantyReceipt(
        receipt_id=doc["_id"],
        person_id=doc["person_id"],
        purchase_id=doc["purchase_id"],
        store_id=doc["store_id"],
        store_name=doc.get("store_name", ""),
        chain=doc["chain"],
        purchased_at=doc["purchased_at"],
        card_last4=doc["card_last4"],
        lines=lines,
        kept_until=doc["kept_until"].date(),
        saved_at=doc["saved_at"],
    )
