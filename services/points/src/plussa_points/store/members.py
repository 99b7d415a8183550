"""This service's copy of cards, members and K-Plussa MasterCard tokens, kept from the
cards service's events (role and money access only: no names or contact details)."""

from datetime import datetime

from plussa_points.domain.access import Card, Member
from plussa_points.store.collections import CARDS, MEMBERS, PAYMENT_CARDS, member_key
from plussa_points.store.mappers import card_from, member_from
from plussa_shared.mongo import Database, Document, Session


class Members:
    """The cards, members and payment_cards collections."""

    def __init__(self, db: Database) -> None:
        self.cards = db[CARDS]
        self.members = db[MEMBERS]
        self.payment_cards = db[PAYMENT_CARDS]

    async def card_by_number(self, card_number: str, session: Session | None = None) -> Card | None:
        """The card with this number, as last announced."""
        doc = await self.cards.find_one({"card_number": card_number}, session=session)
        return card_from(doc) if doc else None

    async def member(self, household_id: str, person_id: str, session: Session | None = None) -> Member | None:
        """A membership, active or not."""
        doc = await self.members.find_one({"_id": member_key(household_id, person_id)}, session=session)
        return member_from(doc) if doc else None

    async def keep_card(self, snapshot: Document, version: int, session: Session) -> None:
        """Keep a card snapshot only if it is newer than the one held (or the first).

        One pipeline update on the id: replaces only when newer, inserts when new;
        concurrent writers of one card meet as a transaction write conflict and retry.
        """
        await self.cards.update_one(
            {"_id": snapshot["_id"]},
            [
                {
                    "$replaceWith": {
                        "$cond": [
                            {"$lt": [{"$ifNull": ["$version", -1]}, version]},
                            {"$literal": snapshot},
                            "$$ROOT",
                        ]
                    }
                }
            ],
            upsert=True,
            session=session,
        )

    async def add_member(self, member: Member, at: datetime, session: Session) -> None:
        """Record an active membership."""
        await self.members.update_one(
            {"_id": member_key(member.household_id, member.person_id)},
            {
                "$set": {
                    "household_id": member.household_id,
                    "person_id": member.person_id,
                    "role": member.role,
                    "can_use_money": member.can_use_money,
                    "active": True,
                    "changed_at": at,
                }
            },
            upsert=True,
            session=session,
        )

    async def remove_member(self, household_id: str, person_id: str, at: datetime, session: Session) -> None:
        """A removed member keeps their history but no longer sees or uses anything."""
        await self.members.update_one(
            {"_id": member_key(household_id, person_id)},
            {"$set": {"active": False, "can_use_money": False, "changed_at": at}},
            session=session,
        )

    async def set_money_access(
        self, household_id: str, person_id: str, can_use_money: bool, at: datetime, session: Session
    ) -> None:
        """A parallel holder's money access, granted or withdrawn."""
        await self.members.update_one(
            {"_id": member_key(household_id, person_id)},
            {
                "$set": {"can_use_money": can_use_money, "changed_at": at},
                "$setOnInsert": {
                    "household_id": household_id,
                    "person_id": person_id,
                    "role": "parallel",
                    "active": True,
                },
            },
            upsert=True,
            session=session,
        )

    async def keep_payment_card(
        self, payment_card_id: str, network_token: str, session: Session, *, household_id: str | None, blocked: bool
    ) -> None:
        """A K-Plussa MasterCard by its token only; once blocked it stays blocked."""
        change: Document = {"$set": {"network_token": network_token, "blocked": True}}
        if not blocked:
            change = {"$set": {"network_token": network_token, "household_id": household_id}}
            change["$setOnInsert"] = {"blocked": False}
        await self.payment_cards.update_one({"_id": payment_card_id}, change, upsert=True, session=session)
