"""This service's copy of cards, members and K-Plussa MasterCard tokens, kept from the
cards service's events (role and money access only: no names or contact details)."""

from collections.abc import Iterable
from datetime import datetime

from plussa_points.domain.access import Card, Member
from plussa_points.store.balance import BalanceViews
from plussa_points.store.collections import CARDS, MEMBERS, PAYMENT_CARDS, member_key
from plussa_points.store.mappers import card_from, member_from
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.privacy import ErasedHolders


class Members:
    """The cards, members and payment_cards collections."""

    def __init__(self, db: Database) -> None:
        self.cards = db[CARDS]
        self.members = db[MEMBERS]
        self.payment_cards = db[PAYMENT_CARDS]
        self.balance = BalanceViews(db)
        self.erased_holders = ErasedHolders(db)

    async def card_by_number(self, card_number: str, session: Session | None = None) -> Card | None:
        """The card with this number, as last announced."""
        doc = await self.cards.find_one({"card_number": card_number}, session=session)
        return card_from(doc) if doc else None

    async def member(self, household_id: str, person_id: str, session: Session | None = None) -> Member | None:
        """A membership, active or not."""
        doc = await self.members.find_one({"_id": member_key(household_id, person_id)}, session=session)
        return member_from(doc) if doc else None

    async def known(self, members: Iterable[tuple[str, str]], session: Session) -> set[tuple[str, str]]:
        """Which of these (household, person) memberships are known, active or not."""
        keys = {member_key(household_id, person_id): (household_id, person_id) for household_id, person_id in members}
        found = self.members.find({"_id": {"$in": list(keys)}}, {"_id": 1}, session=session)
        return {keys[doc["_id"]] async for doc in found}

    async def forget_card(self, card_id: str, person_id: str | None, session: Session) -> None:
        """Forget a card closed because its holder was erased, and that the card and the
        holder were."""
        await self.cards.delete_one({"_id": card_id}, session=session)
        await self.erased_holders.record(person_id, session, card_ids=[card_id])

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
        """Record an active membership, unless a later change of it is held already."""
        fields = {"role": member.role, "can_use_money": member.can_use_money, "active": True}
        await self._change_member(member.household_id, member.person_id, fields, {}, at, session)

    async def remove_member(self, household_id: str, person_id: str, at: datetime, session: Session) -> None:
        """A removed member keeps their history but no longer sees or uses anything. Kept
        even when the membership is not known yet, so its older added event, arriving
        later, cannot bring it back."""
        fields = {"active": False, "can_use_money": False}
        await self._change_member(household_id, person_id, fields, {"role": "parallel"}, at, session)

    async def set_money_access(
        self, household_id: str, person_id: str, can_use_money: bool, at: datetime, session: Session
    ) -> None:
        """A parallel holder's money access, granted or withdrawn."""
        defaults = {"role": "parallel", "active": True}
        await self._change_member(household_id, person_id, {"can_use_money": can_use_money}, defaults, at, session)

    async def _change_member(
        self,
        household_id: str,
        person_id: str,
        fields: Document,
        defaults: Document,
        at: datetime,
        session: Session,
    ) -> None:
        """Set each of ``fields`` unless a later event has set that field already.

        Cards' member and access events carry no version, and replicas of this service
        may apply one member's events in any order. The event time of the last write of
        each field is kept (``field_times``), and an event sets only the fields it is
        the latest writer of: per field, the last writer in time wins, which is what
        applying the events in order gives (cards changes one membership in serialised
        transactions, so its events' times follow that order). ``defaults`` fill
        fields no event has set yet. One pipeline update on the id.
        """
        changes: Document = {"household_id": household_id, "person_id": person_id}
        for name, value in fields.items():
            newer = {"$lte": [f"$field_times.{name}", at]}  # a missing time is older than any
            changes[name] = {"$cond": [newer, {"$literal": value}, f"${name}"]}
            changes[f"field_times.{name}"] = {"$cond": [newer, at, f"$field_times.{name}"]}
        for name, value in defaults.items():
            changes[name] = {"$ifNull": [f"${name}", {"$literal": value}]}
        changes["changed_at"] = {"$max": ["$changed_at", at]}
        await self.members.update_one(
            {"_id": member_key(household_id, person_id)}, [{"$set": changes}], upsert=True, session=session
        )
        await self.balance.refresh_members([household_id], session)

    async def set_role(
        self, household_id: str, person_id: str, role: str, can_use_money: bool, at: datetime, session: Session
    ) -> None:
        """A member's role and money access after a hand-over."""
        await self.members.update_one(
            {"_id": member_key(household_id, person_id)},
            {
                "$set": {"role": role, "can_use_money": can_use_money, "changed_at": at},
                "$setOnInsert": {"household_id": household_id, "person_id": person_id, "active": True},
            },
            upsert=True,
            session=session,
        )
        await self.balance.refresh_members([household_id], session)

    async def unlink_payment_card(self, payment_card_id: str, household_id: str, session: Session) -> None:
        """The MasterCard left ``household_id``: it earns nothing more there (a later link
        to another household, already applied, is left alone)."""
        await self.payment_cards.update_one(
            {"_id": payment_card_id, "household_id": household_id},
            {"$set": {"household_id": None, "unlinked": True}},
            session=session,
        )

    async def keep_payment_card(
        self, payment_card_id: str, network_token: str, session: Session, *, household_id: str | None, blocked: bool
    ) -> None:
        """A K-Plussa MasterCard by its token only; once blocked it stays blocked."""
        change: Document = {"$set": {"network_token": network_token, "blocked": True}}
        if not blocked:
            change = {"$set": {"network_token": network_token, "household_id": household_id, "unlinked": False}}
            change["$setOnInsert"] = {"blocked": False}
        await self.payment_cards.update_one({"_id": payment_card_id}, change, upsert=True, session=session)
