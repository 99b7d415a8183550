"""The repository over the cards service's own collections: households, members, cards, payment cards.

Every aggregate it loads or adds inside a unit of work is tracked by it, so the events the
aggregate records reach the outbox when the transaction commits. Reads outside a unit of
work (``uow=None``) are for views and load nothing to change.

``household_views`` is the portal's read model: one document per household holding the
household, its active members and its cards, found by any active member's id, so
``GET /v1/me/household`` is one read. Every save of a household, member or card marks
the households it touches (before and after the change); each marked household's
document is rebuilt from the collections once, when the work is done, in its transaction.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from plussa_cards.domain.card import LIVE_STATES, Card, CardKind, CardState
from plussa_cards.domain.errors import ConcurrentUpdateError
from plussa_cards.domain.household import Household
from plussa_cards.domain.member import Member, MemberStatus
from plussa_cards.domain.payment_card import PaymentCard
from plussa_cards.store import mappers
from plussa_shared.context import UnitOfWork
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.paging import keyset_page
from plussa_shared.privacy import pseudonym, replace_ids

HOUSEHOLDS = "households"
MEMBERS = "members"
CARDS = "cards"
PAYMENT_CARDS = "payment_cards"
REFUSALS = "application_refusals"
HOUSEHOLD_VIEWS = "household_views"

_STRING = {"$type": "string"}
A = TypeVar("A", Card, Household, PaymentCard)

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
        # GET /v1/me/cards pages a household's (or a holder's) live cards, oldest first.
        IndexModel([("household_id", ASCENDING), ("state", ASCENDING), ("issued_at", ASCENDING), ("_id", ASCENDING)]),
        IndexModel(
            [("kind", ASCENDING), ("state", ASCENDING), ("household_id", ASCENDING), ("valid_until", ASCENDING)]
        ),
    ],
    PAYMENT_CARDS: [
        IndexModel([("network_token", ASCENDING)], unique=True),
        IndexModel([("person_id", ASCENDING)]),
    ],
    # One counter per client address and throttling window, gone once the window is over.
    REFUSALS: [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)],
    # A person is an active member of one household at most: their id finds its document.
    HOUSEHOLD_VIEWS: [IndexModel([("member_ids", ASCENDING)])],
}
_ACTIVE = {"status": MemberStatus.ACTIVE.value}
_NOT_SHOWN = {"lock": 0, "identity_key": 0, "email_key": 0}
"""What the read model leaves out of a member: the write lock and the uniqueness keys."""


def _session(uow: UnitOfWork | None) -> Session | None:
    return uow.session if uow is not None else None


class CardsStore:
    """Loads and saves the aggregates; every call runs in the caller's unit of work."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._households = db[HOUSEHOLDS]
        self._members = db[MEMBERS]
        self._cards = db[CARDS]
        self._payment_cards = db[PAYMENT_CARDS]
        self._refusals = db[REFUSALS]
        self._views = db[HOUSEHOLD_VIEWS]

    # Households

    async def household(self, uow: UnitOfWork | None, household_id: str) -> Household | None:
        """The household, or None."""
        doc = await self._households.find_one({"_id": household_id}, session=_session(uow))
        return self._tracked(uow, mappers.household_from(doc)) if doc else None

    async def add_household(self, uow: UnitOfWork, household: Household) -> None:
        """Store a new household."""
        uow.track(household)
        await self._households.insert_one(mappers.household_document(household), session=uow.session)
        self._touch(uow, household.household_id)

    async def save_household(self, uow: UnitOfWork, household: Household, loaded_version: int) -> None:
        """Save a changed household, only if nobody changed it since it was loaded at ``loaded_version``."""
        uow.track(household)
        doc = mappers.household_document(household)
        del doc["_id"]
        result = await self._households.update_one(
            {"_id": household.household_id, "version": loaded_version}, {"$set": doc}, session=uow.session
        )
        if result.matched_count != 1:
            raise ConcurrentUpdateError()
        self._touch(uow, household.household_id)

    # The portal's read model

    async def household_view(self, person_id: str) -> tuple[Household, list[Member], list[Card]] | None:
        """The household the person is an active member of, with its active members (main
        holder first) and every card (oldest first), from its read model in one read; None
        when no read model lists the person (not a member, or not built yet)."""
        doc = await self._views.find_one({"member_ids": person_id})
        if doc is None:
            return None
        members = _in_order(mappers.member_from(d) for d in doc["members"])
        return mappers.household_from(doc["household"]), members, [mappers.card_from(d) for d in doc["cards"]]

    async def rebuild_household_view(self, uow: UnitOfWork, household_id: str) -> None:
        """Rewrite the household's read model from the collections, in ``uow``'s transaction
        (removed when the household is gone)."""
        session = uow.session
        household = await self._households.find_one({"_id": household_id}, session=session)
        if household is None:
            await self._views.delete_one({"_id": household_id}, session=session)
            return
        where = {"household_id": household_id, **_ACTIVE}
        members = await self._members.find(where, _NOT_SHOWN, session=session).to_list()
        cards = await self._cards.find({"household_id": household_id}, session=session).sort("issued_at").to_list()
        view = {
            "_id": household_id,
            "member_ids": [m["_id"] for m in members],
            "household": household,
            "members": members,
            "cards": cards,
        }
        await self._views.replace_one({"_id": household_id}, view, upsert=True, session=session)

    async def household_ids(self, after: str | None, limit: int) -> list[str]:
        """Households' ids in order, after ``after``: the read model's backfill walks them."""
        where = {"_id": {"$gt": after}} if after is not None else {}
        docs = await self._households.find(where, {"_id": 1}).sort("_id").limit(limit).to_list()
        return [d["_id"] for d in docs]

    def _touch(self, uow: UnitOfWork, *household_ids: str | None) -> None:
        for household_id in dict.fromkeys(household_ids):
            if household_id is not None:
                uow.before_commit(
                    f"{HOUSEHOLD_VIEWS}:{household_id}", partial(self.rebuild_household_view, uow, household_id)
                )

    # Members

    async def member(self, uow: UnitOfWork | None, person_id: str) -> Member | None:
        """The person, whatever their status, or None."""
        doc = await self._members.find_one({"_id": person_id}, session=_session(uow))
        return mappers.member_from(doc) if doc else None

    async def pseudonymise_person(self, uow: UnitOfWork, person_id: str, own_household_id: str | None) -> None:
        """After erasure: the erased member, their closed cards and payment cards stay (the
        household's history adds up), under pseudonyms for the person, each card's id and number,
        and the household when it was theirs alone (``own_household_id``)."""
        cards = await self._cards.find({"person_id": person_id}, session=uow.session).to_list()
        ids = {person_id: pseudonym()}
        for card in cards:
            ids[card["_id"]] = pseudonym()
            ids[card["card_number"]] = pseudonym()
        if own_household_id:
            ids[own_household_id] = pseudonym()
        fields = {
            MEMBERS: ["_id"],
            CARDS: ["person_id"],
            PAYMENT_CARDS: ["person_id"],
            HOUSEHOLDS: ["main_person_id", "_id"],
        }
        await replace_ids(self._db, uow.session, ids, fields)

    async def members_of(self, uow: UnitOfWork | None, household_id: str) -> list[Member]:
        """The household's active members, main holder first."""
        docs = await self._members.find({"household_id": household_id, **_ACTIVE}, session=_session(uow)).to_list()
        return _in_order(mappers.member_from(d) for d in docs)

    async def member_exists(self, uow: UnitOfWork, member: Member) -> bool:
        """Whether an active member is already this person (same identity or e-mail)."""
        keys: list[dict[str, Any]] = [{"identity_key": member.identity_key}]
        if member.email_key:
            keys.append({"email_key": member.email_key})
        return await self._members.find_one({"$or": keys}, {"_id": 1}, session=uow.session) is not None

    async def lock_member(self, uow: UnitOfWork, person_id: str) -> None:
        """Write to the person's document, so that two transactions doing this at once conflict
        and one of them runs again (a write that changes nothing would not conflict)."""
        await self._members.update_one({"_id": person_id}, {"$inc": {"lock": 1}}, session=uow.session)

    async def save_member(self, uow: UnitOfWork, member: Member) -> None:
        """Insert or replace the person."""
        before = await _replaced(self._members, {"_id": member.person_id}, mappers.member_document(member), uow, True)
        self._touch(uow, before["household_id"] if before else None, member.household_id)

    # Cards

    async def card(self, uow: UnitOfWork | None, card_id: str) -> Card | None:
        """The card, or None."""
        doc = await self._cards.find_one({"_id": card_id}, session=_session(uow))
        return self._tracked(uow, mappers.card_from(doc)) if doc else None

    async def card_by_number(self, uow: UnitOfWork | None, card_number: str) -> Card | None:
        """The card with this number, or None."""
        doc = await self._cards.find_one({"card_number": card_number}, session=_session(uow))
        return self._tracked(uow, mappers.card_from(doc)) if doc else None

    async def cards_of_household(self, uow: UnitOfWork | None, household_id: str) -> list[Card]:
        """Every card of the household, oldest first."""
        docs = await self._cards.find({"household_id": household_id}, session=_session(uow)).sort("issued_at").to_list()
        return [self._tracked(uow, mappers.card_from(d)) for d in docs]

    async def cards_of_person(self, uow: UnitOfWork | None, person_id: str) -> list[Card]:
        """Every card of the person, oldest first."""
        docs = await self._cards.find({"person_id": person_id}, session=_session(uow)).sort("issued_at").to_list()
        return [self._tracked(uow, mappers.card_from(d)) for d in docs]

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

    async def live_cards_page(
        self, household_id: str, person_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Card], str | None]:
        """One page of the household's live cards (only ``person_id``'s when given), oldest first."""
        where: dict[str, Any] = {"household_id": household_id, "state": {"$in": [s.value for s in LIVE_STATES]}}
        if person_id is not None:
            where["person_id"] = person_id
        docs, next_cursor = await keyset_page(
            self._cards, where, sort_key="issued_at", limit=limit, cursor=cursor, descending=False
        )
        return [mappers.card_from(d) for d in docs], next_cursor

    async def save_card(self, uow: UnitOfWork, card: Card, loaded_version: int | None = None) -> None:
        """Insert or replace the card; with ``loaded_version``, only if nobody changed it since."""
        uow.track(card)
        doc = mappers.card_document(card)
        if loaded_version is None:
            before = await _replaced(self._cards, {"_id": card.card_id}, doc, uow, True)
        else:
            before = await _replaced(self._cards, {"_id": card.card_id, "version": loaded_version}, doc, uow, False)
            if before is None:
                raise ConcurrentUpdateError()
        self._touch(uow, before["household_id"] if before else None, card.household_id)

    # Payment cards

    async def payment_card(self, uow: UnitOfWork | None, payment_card_id: str) -> PaymentCard | None:
        """The linked payment card, or None."""
        doc = await self._payment_cards.find_one({"_id": payment_card_id}, session=_session(uow))
        return self._tracked(uow, mappers.payment_card_from(doc)) if doc else None

    async def payment_card_by_token(self, uow: UnitOfWork, network_token: str) -> PaymentCard | None:
        """The payment card with this network token, or None."""
        doc = await self._payment_cards.find_one({"network_token": network_token}, session=uow.session)
        return self._tracked(uow, mappers.payment_card_from(doc)) if doc else None

    async def payment_cards_of_person(self, uow: UnitOfWork, person_id: str) -> list[PaymentCard]:
        """The person's linked payment cards."""
        docs = await self._payment_cards.find({"person_id": person_id}, session=uow.session).to_list()
        return [self._tracked(uow, mappers.payment_card_from(d)) for d in docs]

    async def save_payment_card(self, uow: UnitOfWork, card: PaymentCard) -> None:
        """Insert or replace the payment card."""
        uow.track(card)
        await self._payment_cards.replace_one(
            {"_id": card.payment_card_id}, mappers.payment_card_document(card), upsert=True, session=uow.session
        )

    # Throttling of already-a-member answers

    async def refusals(self, address: str, window: int) -> int:
        """How many already-a-member answers ``address`` got in throttling window ``window``."""
        doc = await self._refusals.find_one({"_id": f"{address}|{window}"})
        return int(doc["count"]) if doc else 0

    async def count_refusal(self, address: str, window: int, expires_at: datetime) -> int:
        """Count one more already-a-member answer to ``address`` in ``window``, atomically; the new count.

        Outside any transaction on purpose: the answer is a refusal, and its count must stay.
        """
        doc = await self._refusals.find_one_and_update(
            {"_id": f"{address}|{window}"},
            {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": expires_at}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return int(doc["count"]) if doc else 1

    @staticmethod
    def _tracked(uow: UnitOfWork | None, aggregate: A) -> A:
        if uow is not None:
            uow.track(aggregate)
        return aggregate


def _in_order(members: Iterable[Member]) -> list[Member]:
    """Main holder first, then by joining time."""
    return sorted(members, key=lambda m: (not m.is_main, m.joined_at))


async def _replaced(
    collection: AsyncCollection[Document], where: Document, doc: Document, uow: UnitOfWork, upsert: bool
) -> Document | None:
    """Replace the document matching ``where`` with ``doc``; the document it replaced (None
    when there was none), whose household may need its read model rebuilt too."""
    return await collection.find_one_and_replace(
        where, doc, {"household_id": 1}, upsert=upsert, return_document=ReturnDocument.BEFORE, session=uow.session
    )
