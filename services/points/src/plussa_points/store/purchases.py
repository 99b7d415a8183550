"""Purchases, returns and campaign grants as recorded, and what recording them reads first."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from plussa_points.domain.access import Card
from plussa_points.domain.ingest import NewGrant, NewPurchase, NewReturn, RecordedPurchase, Seen
from plussa_points.store.collections import ACCOUNTS, CARDS, GRANTS, PAYMENT_CARDS, PURCHASES, RETURNS
from plussa_points.store.mappers import (
    card_from,
    grant_doc,
    purchase_doc,
    recorded_purchase_from,
    return_doc,
    seen_from,
)
from plussa_shared.mongo import Database, Document, Session


@dataclass
class PurchaseReads:
    """What recording purchases needs to read first."""

    cards: dict[str, Card] = field(default_factory=dict)
    """By card number."""
    seen: dict[str, Seen] = field(default_factory=dict)
    """Purchases already recorded, by purchase id."""
    mastercard_tokens: set[str] = field(default_factory=set)
    last_closed_month: dict[str, str | None] = field(default_factory=dict)
    """By household id, for the households of the cards."""


class Purchases:
    """The purchases, returns and campaign_grants collections."""

    def __init__(self, db: Database) -> None:
        self.cards = db[CARDS]
        self.purchases = db[PURCHASES]
        self.returns = db[RETURNS]
        self.grants = db[GRANTS]

    async def reads(
        self, card_numbers: Sequence[str], purchase_ids: Sequence[str], network_tokens: Sequence[str], session: Session
    ) -> PurchaseReads:
        """In one round trip, for one purchase or many: their cards (with the closing
        state of their households' accounts), the purchases already recorded with
        their ids, and which of the payment tokens are active K-Plussa MasterCards."""
        ids = list(set(purchase_ids))
        pipeline = _reads_pipeline(list(set(card_numbers)), ids, list(set(network_tokens)))
        reads = PurchaseReads()
        docs = await (await self.cards.aggregate(pipeline, session=session)).to_list()
        if not docs:  # none of the cards is known: only recorded purchases matter
            async for doc in self.purchases.find({"_id": {"$in": ids}}, _SEEN, session=session):
                reads.seen[doc["_id"]] = seen_from(doc)
            return reads
        [found] = docs
        for doc in found["cards"]:
            account = doc.pop("account")
            card = card_from(doc)
            reads.cards[doc["card_number"]] = card
            if card.household_id is not None:
                reads.last_closed_month[card.household_id] = account[0].get("last_closed_month") if account else None
        reads.seen = {doc["_id"]: seen_from(doc) for doc in found["existing"]}
        reads.mastercard_tokens = {doc["network_token"] for doc in found["tokens"]}
        return reads

    async def add(self, purchases: Sequence[NewPurchase], recorded_at: datetime, session: Session) -> None:
        """Record new purchases with their lines' points."""
        if purchases:
            docs = [purchase_doc(p, recorded_at) for p in purchases]
            await self.purchases.insert_many(docs, ordered=True, session=session)

    async def recorded(self, purchase_id: str, session: Session) -> RecordedPurchase | None:
        """A recorded purchase with what remains of its lines."""
        doc = await self.purchases.find_one({"_id": purchase_id}, session=session)
        return recorded_purchase_from(doc) if doc else None

    async def return_seen(self, return_id: str, session: Session) -> Seen | None:
        """A return already recorded under this id."""
        doc = await self.returns.find_one({"_id": return_id}, session=session)
        return seen_from(doc, "points_reversed") if doc else None

    async def add_return(self, ret: NewReturn, session: Session) -> None:
        """Record a return and take its lines off the purchase."""
        inc: Document = {"points_reversed": ret.outcome.points}
        filters = []
        for i, (line_id, (quantity, cents)) in enumerate(ret.returned.items()):
            inc[f"lines.$[l{i}].returned_quantity"] = quantity
            inc[f"lines.$[l{i}].returned_cents"] = cents
            filters.append({f"l{i}.line_id": line_id})
        await self.purchases.update_one(
            {"_id": ret.purchase.purchase_id}, {"$inc": inc}, array_filters=filters, session=session
        )
        await self.returns.insert_one(return_doc(ret), session=session)

    async def grants_seen(self, grant_ids: Sequence[str], session: Session) -> dict[str, Seen]:
        """Campaign points already recorded under these grant ids, by id."""
        found = self.grants.find({"_id": {"$in": list(set(grant_ids))}}, _SEEN, session=session)
        return {doc["_id"]: seen_from(doc) async for doc in found}

    async def add_grants(self, grants: Sequence[NewGrant], session: Session) -> None:
        """Record campaign points."""
        if grants:
            await self.grants.insert_many([grant_doc(g) for g in grants], ordered=True, session=session)

    async def reattribute(self, account_id: str, household_id: str, person_id: str | None, session: Session) -> None:
        """Purchases made on an unlinked card's account now belong to the household and person."""
        await self.purchases.update_many(
            {"household_id": account_id},
            {"$set": {"household_id": household_id, "person_id": person_id}},
            session=session,
        )


_SEEN = {"fingerprint": 1, "month": 1, "points": 1}


def _reads_pipeline(card_numbers: list[str], purchase_ids: list[str], tokens: list[str]) -> list[Document]:
    return [
        {"$match": {"card_number": {"$in": card_numbers}}},
        {
            "$lookup": {
                "from": ACCOUNTS,
                "localField": "household_id",
                "foreignField": "_id",
                "pipeline": [{"$project": {"last_closed_month": 1}}],
                "as": "account",
            }
        },
        {"$group": {"_id": None, "cards": {"$push": "$$ROOT"}}},
        {
            "$lookup": {
                "from": PURCHASES,
                "pipeline": [{"$match": {"_id": {"$in": purchase_ids}}}, {"$project": _SEEN}],
                "as": "existing",
            }
        },
        {
            "$lookup": {
                "from": PAYMENT_CARDS,
                "pipeline": [
                    {"$match": {"network_token": {"$in": tokens}, "blocked": False, "unlinked": {"$ne": True}}},
                    {"$project": {"network_token": 1}},
                ],
                "as": "tokens",
            }
        },
    ]
