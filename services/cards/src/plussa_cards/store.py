"""The repository over the cards service's own collections: households, members, cards, payment cards."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from pymongo import ASCENDING, IndexModel

from plussa_cards.domain.card import Card, CardKind, CardState
from plussa_cards.domain.errors import ConcurrentUpdateError
from plussa_cards.domain.household import Household
from plussa_cards.domain.member import Address, Member, MemberStatus, Role
from plussa_cards.domain.payment_card import PaymentCard, PaymentCardState
from plussa_shared.mongo import Database, Document, Session

HOUSEHOLDS = "households"
MEMBERS = "members"
CARDS = "cards"
PAYMENT_CARDS = "payment_cards"

_STRING = {"$type": "string"}

INDEXES: dict[str, Sequence[IndexModel]] = {
    HOUSEHOLDS: [],
    MEMBERS: [
        # One membership per person; a person who left or was erased no longer has a key.
        IndexModel([("identity_key", ASCENDING)], unique=True, partialFilterExpression={"identity_key": _STRING}),
        IndexModel([("email_key", ASCENDING)], unique=True, partialFilterExpression={"email_key": _STRING}),
        IndexModel([("household_id", ASCENDING)]),
    ],
    CARDS: [
        IndexModel([("card_number", ASCENDING)], unique=True),
        IndexModel([("household_id", ASCENDING)]),
        IndexModel([("person_id", ASCENDING)]),
        IndexModel(
            [("kind", ASCENDING), ("state", ASCENDING), ("household_id", ASCENDING), ("valid_until", ASCENDING)]
        ),
    ],
    PAYMENT_CARDS: [
        IndexModel([("network_token", ASCENDING)], unique=True),
        IndexModel([("person_id", ASCENDING)]),
    ],
}


class CardsStore:
    """Loads and saves the aggregates; every call runs in the caller's transaction."""

    def __init__(self, db: Database) -> None:
        self._households = db[HOUSEHOLDS]
        self._members = db[MEMBERS]
        self._cards = db[CARDS]
        self._payment_cards = db[PAYMENT_CARDS]

    # Households

    async def household(self, session: Session, household_id: str) -> Household | None:
        """The household, or None."""
        doc = await self._households.find_one({"_id": household_id}, session=session)
        return _household(doc) if doc else None

    async def add_household(self, session: Session, household: Household) -> None:
        """Store a new household."""
        await self._households.insert_one(_household_doc(household), session=session)

    async def save_household(self, session: Session, household: Household, loaded_version: int) -> None:
        """Save a changed household, only if nobody changed it since it was loaded at ``loaded_version``."""
        doc = _household_doc(household)
        del doc["_id"]
        result = await self._households.update_one(
            {"_id": household.household_id, "version": loaded_version}, {"$set": doc}, session=session
        )
        if result.matched_count != 1:
            raise ConcurrentUpdateError()

    # Members

    async def member(self, session: Session | None, person_id: str) -> Member | None:
        """The person, whatever their status, or None."""
        doc = await self._members.find_one({"_id": person_id}, session=session)
        return _member(doc) if doc else None

    async def members_of(self, session: Session | None, household_id: str) -> list[Member]:
        """The household's active members, main holder first."""
        docs = await self._members.find(
            {"household_id": household_id, "status": MemberStatus.ACTIVE.value}, session=session
        ).to_list()
        return sorted((_member(d) for d in docs), key=lambda m: (not m.is_main, m.joined_at))

    async def member_exists(self, session: Session, member: Member) -> bool:
        """Whether an active member is already this person (same identity or e-mail)."""
        keys: list[dict[str, Any]] = [{"identity_key": member.identity_key}]
        if member.email_key:
            keys.append({"email_key": member.email_key})
        return await self._members.find_one({"$or": keys}, {"_id": 1}, session=session) is not None

    async def lock_member(self, session: Session, person_id: str) -> None:
        """Write to the person's document, so that two transactions doing this at once conflict
        and one of them runs again (a write that changes nothing would not conflict)."""
        await self._members.update_one({"_id": person_id}, {"$inc": {"lock": 1}}, session=session)

    async def save_member(self, session: Session, member: Member) -> None:
        """Insert or replace the person."""
        await self._members.replace_one({"_id": member.person_id}, _member_doc(member), upsert=True, session=session)

    # Cards

    async def card(self, session: Session | None, card_id: str) -> Card | None:
        """The card, or None."""
        doc = await self._cards.find_one({"_id": card_id}, session=session)
        return _card(doc) if doc else None

    async def card_by_number(self, session: Session | None, card_number: str) -> Card | None:
        """The card with this number, or None."""
        doc = await self._cards.find_one({"card_number": card_number}, session=session)
        return _card(doc) if doc else None

    async def cards_of_household(self, session: Session | None, household_id: str) -> list[Card]:
        """Every card of the household, oldest first."""
        docs = await self._cards.find({"household_id": household_id}, session=session).sort("issued_at").to_list()
        return [_card(d) for d in docs]

    async def cards_of_person(self, session: Session | None, person_id: str) -> list[Card]:
        """Every card of the person, oldest first."""
        docs = await self._cards.find({"person_id": person_id}, session=session).sort("issued_at").to_list()
        return [_card(d) for d in docs]

    async def unlinked_temporary_cards_valid_before(self, today: date, limit: int) -> list[str]:
        """Ids of unlinked active temporary cards whose last valid day is before ``today``."""
        docs = (
            await self._cards.find(
                {
                    "kind": CardKind.TEMPORARY.value,
                    "state": CardState.ACTIVE.value,
                    "household_id": None,
                    "valid_until": {"$lt": today.isoformat()},
                },
                {"_id": 1},
            )
            .limit(limit)
            .to_list()
        )
        return [d["_id"] for d in docs]

    async def save_card(self, session: Session, card: Card) -> None:
        """Insert or replace the card."""
        await self._cards.replace_one({"_id": card.card_id}, _card_doc(card), upsert=True, session=session)

    # Payment cards

    async def payment_card(self, session: Session, payment_card_id: str) -> PaymentCard | None:
        """The linked payment card, or None."""
        doc = await self._payment_cards.find_one({"_id": payment_card_id}, session=session)
        return _payment_card(doc) if doc else None

    async def payment_card_by_token(self, session: Session, network_token: str) -> PaymentCard | None:
        """The payment card with this network token, or None."""
        doc = await self._payment_cards.find_one({"network_token": network_token}, session=session)
        return _payment_card(doc) if doc else None

    async def payment_cards_of_person(self, session: Session, person_id: str) -> list[PaymentCard]:
        """The person's linked payment cards."""
        docs = await self._payment_cards.find({"person_id": person_id}, session=session).to_list()
        return [_payment_card(d) for d in docs]

    async def save_payment_card(self, session: Session, card: PaymentCard) -> None:
        """Insert or replace the payment card."""
        await self._payment_cards.replace_one(
            {"_id": card.payment_card_id}, _payment_card_doc(card), upsert=True, session=session
        )


def _household_doc(h: Household) -> Document:
    return {
        "_id": h.household_id,
        "main_person_id": h.main_person_id,
        "parallel_person_ids": list(h.parallel_person_ids),
        "parallel_count": len(h.parallel_person_ids),
        "created_at": h.created_at,
        "version": h.version,
    }


def _household(d: Document) -> Household:
    return Household(
        household_id=d["_id"],
        main_person_id=d["main_person_id"],
        parallel_person_ids=list(d["parallel_person_ids"]),
        created_at=d["created_at"],
        version=d["version"],
    )


def _member_doc(m: Member) -> Document:
    return {
        "_id": m.person_id,
        "household_id": m.household_id,
        "role": m.role.value,
        "first_name": m.first_name,
        "last_name": m.last_name,
        "date_of_birth": m.date_of_birth.isoformat() if m.date_of_birth else None,
        "email": m.email,
        "language": m.language,
        "address": vars(m.address) if m.address else None,
        "can_use_money": m.can_use_money,
        "joined_at": m.joined_at,
        "status": m.status.value,
        "identity_key": m.identity_key,
        "email_key": m.email_key,
        "lock": 0,
    }


def _member(d: Document) -> Member:
    return Member(
        person_id=d["_id"],
        household_id=d["household_id"],
        role=Role(d["role"]),
        first_name=d["first_name"],
        last_name=d["last_name"],
        date_of_birth=date.fromisoformat(d["date_of_birth"]) if d["date_of_birth"] else None,
        email=d["email"],
        language=d["language"],
        address=Address(**d["address"]) if d["address"] else None,
        can_use_money=d["can_use_money"],
        joined_at=d["joined_at"],
        status=MemberStatus(d["status"]),
    )


def _card_doc(c: Card) -> Document:
    return {
        "_id": c.card_id,
        "card_number": c.card_number,
        "kind": c.kind.value,
        "state": c.state.value,
        "household_id": c.household_id,
        "person_id": c.person_id,
        "issued_at": c.issued_at,
        "valid_until": c.valid_until.isoformat() if c.valid_until else None,
        "replaces_card_id": c.replaces_card_id,
        "replacement_card_id": c.replacement_card_id,
        "issued_by": c.issued_by,
        "version": c.version,
    }


def _card(d: Document) -> Card:
    return Card(
        card_id=d["_id"],
        card_number=d["card_number"],
        kind=CardKind(d["kind"]),
        state=CardState(d["state"]),
        household_id=d["household_id"],
        person_id=d["person_id"],
        issued_at=d["issued_at"],
        valid_until=date.fromisoformat(d["valid_until"]) if d["valid_until"] else None,
        replaces_card_id=d["replaces_card_id"],
        replacement_card_id=d["replacement_card_id"],
        issued_by=d.get("issued_by"),
        version=d["version"],
    )


def _payment_card_doc(p: PaymentCard) -> Document:
    return {
        "_id": p.payment_card_id,
        "household_id": p.household_id,
        "person_id": p.person_id,
        "network": p.network,
        "network_token": p.network_token,
        "last4": p.last4,
        "linked_at": p.linked_at,
        "state": p.state.value,
    }


def _payment_card(d: Document) -> PaymentCard:
    return PaymentCard(
        payment_card_id=d["_id"],
        household_id=d["household_id"],
        person_id=d["person_id"],
        network=d["network"],
        network_token=d["network_token"],
        last4=d["last4"],
        linked_at=d["linked_at"],
        state=PaymentCardState(d["state"]),
    )
