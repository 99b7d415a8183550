"""The points service's collections, their indexes, and reads of its read model."""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from plussa_points.domain.access import Card, Member
from plussa_points.domain.lots import Lot
from plussa_shared.mongo import Database, Document, Session

CARDS = "cards"
MEMBERS = "members"
PAYMENT_CARDS = "payment_cards"
ACCOUNTS = "accounts"
PURCHASES = "purchases"
RETURNS = "returns"
GRANTS = "campaign_grants"
LEDGER = "ledger"
HOUSEHOLD_MONTHS = "household_months"
STATEMENTS = "statements"
LOTS = "lots"
SPENDS = "spends"

INDEXES: dict[str, Sequence[IndexModel]] = {
    CARDS: [IndexModel([("card_number", ASCENDING)], unique=True)],
    MEMBERS: [IndexModel([("household_id", ASCENDING)]), IndexModel([("person_id", ASCENDING)])],
    PAYMENT_CARDS: [IndexModel([("network_token", ASCENDING)])],
    ACCOUNTS: [],
    PURCHASES: [
        IndexModel([("person_id", ASCENDING), ("month", ASCENDING), ("occurred_at", DESCENDING)]),
        IndexModel([("household_id", ASCENDING), ("month", ASCENDING)]),
    ],
    RETURNS: [IndexModel([("purchase_id", ASCENDING)])],
    GRANTS: [],
    LEDGER: [
        IndexModel([("household_id", ASCENDING), ("at", DESCENDING)]),
        IndexModel([("person_id", ASCENDING)], sparse=True),
    ],
    HOUSEHOLD_MONTHS: [IndexModel([("household_id", ASCENDING), ("month", ASCENDING)])],
    STATEMENTS: [IndexModel([("household_id", ASCENDING), ("month", ASCENDING)])],
    LOTS: [
        IndexModel([("household_id", ASCENDING), ("paid_at", ASCENDING)]),
        IndexModel(
            [("expires_at", ASCENDING)],
            name="open_by_expiry",
            partialFilterExpression={"remaining_cents": {"$gt": 0}},
        ),
        IndexModel([("saved_until", ASCENDING)], sparse=True),
    ],
    SPENDS: [IndexModel([("household_id", ASCENDING)])],
}


def member_key(household_id: str, person_id: str) -> str:
    """The id of a membership document."""
    return f"{household_id}:{person_id}"


def month_key(owner_id: str, month: str) -> str:
    """The id of a household's monthly projection (and of its statement)."""
    return f"{owner_id}:{month}"


def person_key(person_id: str) -> str:
    """A person's key inside a household month: the id itself when it is a safe field name."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,100}", person_id):
        return person_id
    return "x" + hashlib.sha256(person_id.encode()).hexdigest()[:40]


class Store:
    """Reads of the points database; writes happen in the use cases, inside their transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.cards = db[CARDS]
        self.members = db[MEMBERS]
        self.payment_cards = db[PAYMENT_CARDS]
        self.accounts = db[ACCOUNTS]
        self.purchases = db[PURCHASES]
        self.returns = db[RETURNS]
        self.grants = db[GRANTS]
        self.ledger = db[LEDGER]
        self.household_months = db[HOUSEHOLD_MONTHS]
        self.statements = db[STATEMENTS]
        self.lots = db[LOTS]
        self.spends = db[SPENDS]

    async def card_by_number(self, card_number: str, session: Session | None = None) -> Card | None:
        """The card with this number, as last announced."""
        doc = await self.cards.find_one({"card_number": card_number}, session=session)
        return card_from(doc) if doc else None

    async def member(self, household_id: str, person_id: str, session: Session | None = None) -> Member | None:
        """A membership, active or not."""
        doc = await self.members.find_one({"_id": member_key(household_id, person_id)}, session=session)
        return member_from(doc) if doc else None

    async def membership_of(self, person_id: str, session: Session | None = None) -> Member | None:
        """The person's active membership."""
        doc = await self.members.find_one({"person_id": person_id, "active": True}, session=session)
        return member_from(doc) if doc else None

    async def purchase_context(
        self, card_number: str, purchase_id: str, network_token: str | None, session: Session
    ) -> tuple[Card | None, Document | None, bool]:
        """In one round trip: the card, a purchase already recorded with this id, and
        whether the payment token is an active K-Plussa MasterCard."""
        pipeline: list[Document] = [
            {"$match": {"card_number": card_number}},
            {
                "$lookup": {
                    "from": PURCHASES,
                    "pipeline": [
                        {"$match": {"_id": purchase_id}},
                        {"$project": {"fingerprint": 1, "month": 1, "points": 1}},
                    ],
                    "as": "existing",
                }
            },
        ]
        if network_token is not None:
            pipeline.append(
                {
                    "$lookup": {
                        "from": PAYMENT_CARDS,
                        "pipeline": [
                            {"$match": {"network_token": network_token, "blocked": False}},
                            {"$limit": 1},
                            {"$project": {"_id": 1}},
                        ],
                        "as": "mastercard",
                    }
                }
            )
        cursor = await self.cards.aggregate(pipeline, session=session)
        docs = await cursor.to_list()
        if not docs:
            existing = await self.purchases.find_one({"_id": purchase_id}, session=session)
            return None, existing, False
        doc = docs[0]
        existing_docs = doc.pop("existing")
        return card_from(doc), (existing_docs[0] if existing_docs else None), bool(doc.pop("mastercard", None))

    async def purchases_context(
        self, card_numbers: Sequence[str], purchase_ids: Sequence[str], network_tokens: Sequence[str], session: Session
    ) -> "PurchasesContext":
        """In one round trip, for several purchases: their cards (with the closing
        state of their households' accounts), the purchases already recorded with
        their ids, and which of the payment tokens are active K-Plussa MasterCards."""
        ids = list(set(purchase_ids))
        pipeline: list[Document] = [
            {"$match": {"card_number": {"$in": list(set(card_numbers))}}},
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
                    "pipeline": [
                        {"$match": {"_id": {"$in": ids}}},
                        {"$project": {"fingerprint": 1, "month": 1, "points": 1}},
                    ],
                    "as": "existing",
                }
            },
            {
                "$lookup": {
                    "from": PAYMENT_CARDS,
                    "pipeline": [
                        {"$match": {"network_token": {"$in": list(set(network_tokens))}, "blocked": False}},
                        {"$project": {"network_token": 1}},
                    ],
                    "as": "tokens",
                }
            },
        ]
        context = PurchasesContext()
        docs = await (await self.cards.aggregate(pipeline, session=session)).to_list()
        if not docs:  # none of the cards is known: only recorded purchases matter
            context.existing = {
                doc["_id"]: doc async for doc in self.purchases.find({"_id": {"$in": ids}}, session=session)
            }
            return context
        [found] = docs
        for doc in found["cards"]:
            account = doc.pop("account")
            card = card_from(doc)
            context.cards[doc["card_number"]] = card
            if card.household_id is not None:
                context.last_closed_month[card.household_id] = account[0].get("last_closed_month") if account else None
        context.existing = {doc["_id"]: doc for doc in found["existing"]}
        context.mastercard_tokens = {doc["network_token"] for doc in found["tokens"]}
        return context

    async def last_closed_month(self, account_id: str, session: Session | None = None) -> str | None:
        """The last month the account's statement was closed for, if any."""
        doc = await self.accounts.find_one({"_id": account_id}, {"last_closed_month": 1}, session=session)
        return (doc or {}).get("last_closed_month")

    async def mastercard_token_active(self, network_token: str, session: Session | None = None) -> bool:
        """Whether the token belongs to a linked, unblocked K-Plussa MasterCard."""
        doc = await self.payment_cards.find_one(
            {"network_token": network_token, "blocked": False}, {"_id": 1}, session=session
        )
        return doc is not None

    async def account(self, household_id: str, session: Session | None = None) -> Document | None:
        """The household's account projection."""
        return await self.accounts.find_one({"_id": household_id}, session=session)

    async def open_lots(self, household_id: str, session: Session | None = None) -> list[Lot]:
        """Lots with money left, oldest first."""
        docs = (
            await self.lots.find({"household_id": household_id, "remaining_cents": {"$gt": 0}}, session=session)
            .sort([("paid_at", ASCENDING), ("_id", ASCENDING)])
            .to_list()
        )
        return [lot_from(d) for d in docs]


@dataclass
class PurchasesContext:
    """What recording several purchases needs to read first."""

    cards: dict[str, Card] = field(default_factory=dict)
    """By card number."""
    existing: dict[str, Document] = field(default_factory=dict)
    """Purchases already recorded, by purchase id."""
    mastercard_tokens: set[str] = field(default_factory=set)
    last_closed_month: dict[str, str | None] = field(default_factory=dict)
    """By household id, for the households of the cards."""


def card_from(doc: Document) -> Card:
    """A card document as the domain sees it."""
    return Card(
        card_id=doc["_id"],
        kind=doc["kind"],
        state=doc["state"],
        household_id=doc.get("household_id"),
        person_id=doc.get("person_id"),
        can_earn=bool(doc["can_earn"]),
        can_spend=bool(doc["can_spend"]),
    )


def member_from(doc: Document) -> Member:
    """A membership document as the domain sees it."""
    return Member(
        household_id=doc["household_id"],
        person_id=doc["person_id"],
        role=doc["role"],
        can_use_money=bool(doc.get("can_use_money", False)),
        active=bool(doc.get("active", True)),
    )


def lot_from(doc: Document) -> Lot:
    """A lot document as the domain sees it."""
    return Lot(
        lot_id=doc["_id"],
        paid_at=doc["paid_at"],
        expires_at=doc["expires_at"],
        remaining_cents=doc["remaining_cents"],
        saved_until=doc.get("saved_until"),
    )


def ledger_entry(
    entry_id: str,
    *,
    household_id: str,
    reason: str,
    at: Any,
    month: str | None = None,
    person_id: str | None = None,
    points: int = 0,
    cents: int = 0,
    reference: str | None = None,
    **details: Any,
) -> Document:
    """One append-only ledger entry. ``points`` sum to the account's points, ``cents`` to its money."""
    return {
        "_id": entry_id,
        "household_id": household_id,
        "person_id": person_id,
        "reason": reason,
        "month": month,
        "points": points,
        "cents": cents,
        "reference": reference,
        "at": at,
        **({"details": details} if details else {}),
    }
