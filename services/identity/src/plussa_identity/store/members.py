"""Identity's copy of cards and household members, kept from the cards events.

Every replica of identity consumes the same queue, so one member's events may be applied
in any order (docs/queues.md, "Order with many replicas"). Cards' member and access events
carry no version, so each field keeps the event time of its last write (``field_times``)
and an event sets only the fields it is the latest writer of: per field, the last writer
in time wins, which is what applying the events in order gives. A membership is kept per
household and person (``memberships``), so leaving one household and joining another, at
the same instant when a household is closed, never compete for one field; a removal is
kept even before the membership is known, so its older ``member.added`` cannot bring it
back. The person's document (``people``) holds what cards owns about them (name, date of
birth, the application's e-mail and language, with the same per-field rule) and, derived
after every membership change, the membership that is current: the active one joined last.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from plussa_identity.domain.members import CardView, MemberView
from plussa_identity.domain.privacy import receipt_key
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.privacy import ERASED_HOLDERS, ErasedHolders, pseudonym, replace_ids

CARDS = "cards"
PEOPLE = "people"
MEMBERSHIPS = "memberships"

MEMBER_INDEXES: dict[str, Sequence[IndexModel]] = {
    CARDS: [IndexModel([("card_number", ASCENDING)])],
    PEOPLE: [IndexModel([("household_id", ASCENDING), ("removed", ASCENDING)])],
    MEMBERSHIPS: [IndexModel([("person_id", ASCENDING)])],
    ERASED_HOLDERS: [],
}

ERASED_FIELDS = ("first_name", "last_name", "date_of_birth", "email")


class MemberProjection:
    """The cards, people and memberships collections (mixed into the repository)."""

    db: Database
    erased_holders: ErasedHolders

    async def card_by_number(self, number: str, session: Session | None = None) -> CardView | None:
        """The latest known state of the card with this number."""
        doc = await self.db[CARDS].find_one({"card_number": number}, session=session)
        return CardView.model_validate({**doc, "card_id": doc["_id"]}) if doc else None

    async def save_card_if_newer(self, card: CardView, session: Session) -> bool:
        """Keep the card unless a higher version is already known."""
        current = await self.db[CARDS].find_one({"_id": card.card_id}, {"version": 1}, session=session)
        if current is not None and current["version"] >= card.version:
            return False
        doc = card.model_dump(exclude={"card_id"})
        await self.db[CARDS].replace_one({"_id": card.card_id}, doc, upsert=True, session=session)
        return True

    async def member(self, person_id: str, session: Session | None = None) -> MemberView | None:
        """A person as the member events described them, in the membership that is current."""
        doc = await self.db[PEOPLE].find_one({"_id": person_id}, session=session)
        return MemberView.model_validate({**doc, "person_id": doc["_id"]}) if doc else None

    async def other_members(self, household_id: str, person_id: str, session: Session | None = None) -> int:
        """How many people other than ``person_id`` are members of the household now."""
        where = {"household_id": household_id, "removed": {"$ne": True}, "_id": {"$ne": person_id}}
        return await self.db[PEOPLE].count_documents(where, session=session)

    async def change_membership(
        self,
        household_id: str,
        person_id: str,
        fields: Mapping[str, Any],
        at: datetime,
        session: Session,
        *,
        defaults: Mapping[str, Any] | None = None,
    ) -> bool:
        """Set each of the membership's ``fields`` (``role``, ``can_use_money``, ``active``) it
        is the latest writer of; ``defaults`` fill fields no event has set yet. Then derive the
        person's current membership again. Whether the membership was active before."""
        if await self._erased(person_id, session):
            return False
        key = f"{household_id}:{person_id}"
        before = await self.db[MEMBERSHIPS].find_one({"_id": key}, {"active": 1}, session=session)
        changes: Document = {"household_id": household_id, "person_id": person_id, **_latest(fields, at)}
        for name, value in (defaults or {}).items():
            changes[name] = {"$ifNull": [f"${name}", {"$literal": value}]}
        await self.db[MEMBERSHIPS].update_one({"_id": key}, [{"$set": changes}], upsert=True, session=session)
        await self._derive_current(person_id, session)
        return bool(before and before.get("active"))

    async def change_person(self, person_id: str, fields: Mapping[str, Any], at: datetime, session: Session) -> None:
        """Set each of what cards owns about the person (name, date of birth, the application's
        e-mail and language) that this event is the latest writer of; an erased person's stay
        erased."""
        if await self._erased(person_id, session):
            return
        changes = _latest(fields, at, unless_erased=True)
        await self.db[PEOPLE].update_one({"_id": person_id}, [{"$set": changes}], upsert=True, session=session)

    async def _erased(self, person_id: str, session: Session) -> bool:
        return await self.db[PEOPLE].count_documents({"_id": receipt_key(person_id)}, session=session) > 0

    async def forget_card(self, card_id: str, person_id: str | None, session: Session) -> None:
        """Forget a card closed because its holder was erased, and that the card and the
        holder were."""
        await self.db[CARDS].delete_one({"_id": card_id}, session=session)
        await self.erased_holders.record(person_id, session, card_ids=[card_id])

    async def erase_person(self, person_id: str, own_household_id: str | None, session: Session) -> None:
        """Forget what cards told about the person and their cards. The person's record stays,
        erased and out of every household, under the digest of their id (``receipt_key``), with
        their memberships (and a pseudonym for the household when it was theirs alone:
        ``own_household_id``): nothing in it leads back to them, and member events arriving
        later for the id find it and change nothing."""
        forgotten: Document = dict.fromkeys(ERASED_FIELDS)
        left = {"household_id": None, "role": None, "can_use_money": False, "removed": True}
        await self.db[PEOPLE].update_one(
            {"_id": person_id}, {"$set": {**forgotten, **left, "erased": True}}, upsert=True, session=session
        )
        card_ids = await self.db[CARDS].distinct("_id", {"person_id": person_id}, session=session)
        await self.db[CARDS].delete_many({"person_id": person_id}, session=session)
        await self.erased_holders.record(person_id, session, card_ids=card_ids)
        ids = {person_id: receipt_key(person_id)}
        if own_household_id:
            ids[own_household_id] = pseudonym()
        await replace_ids(self.db, session, ids, {PEOPLE: ["_id"], MEMBERSHIPS: ["person_id"]})

    async def _derive_current(self, person_id: str, session: Session) -> None:
        """The person's current membership: of the active ones, the one joined last."""
        found = self.db[MEMBERSHIPS].find({"person_id": person_id}, session=session)
        active = [doc async for doc in found if doc.get("active")]
        current = max(active, key=_joined_at, default=None)
        derived: Document = {"household_id": None, "role": None, "can_use_money": False, "removed": True}
        if current is not None:
            derived = {
                "household_id": current["household_id"],
                "role": current.get("role"),
                "can_use_money": bool(current.get("can_use_money")),
                "removed": False,
            }
        await self.db[PEOPLE].update_one({"_id": person_id}, {"$set": derived}, upsert=True, session=session)


def _joined_at(membership: Document) -> datetime:
    joined: datetime | None = membership.get("field_times", {}).get("active")
    return joined or datetime.min.replace(tzinfo=UTC)


def _latest(fields: Mapping[str, Any], at: datetime, *, unless_erased: bool = False) -> Document:
    """A pipeline ``$set`` giving each field its new value only when ``at`` is not older than
    the field's last write (a missing time is older than any), with the time kept beside it."""
    changes: Document = {}
    for name, value in fields.items():
        newer: Document = {"$lte": [f"$field_times.{name}", at]}
        if unless_erased:
            newer = {"$and": [newer, {"$ne": ["$erased", True]}]}
        changes[name] = {"$cond": [newer, {"$literal": value}, f"${name}"]}
        changes[f"field_times.{name}"] = {"$cond": [newer, at, f"$field_times.{name}"]}
    return changes
