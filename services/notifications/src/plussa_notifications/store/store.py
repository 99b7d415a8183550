"""The Store: every read and write of the service's collections."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, UpdateOne

from plussa_notifications.domain.chains import Chain
from plussa_notifications.domain.consent import ConsentEntry, ContactPreferences
from plussa_notifications.domain.errors import ChainExistsError, UnsubscribeTokenUsedError
from plussa_notifications.domain.messages import Message, MessageStatus
from plussa_notifications.domain.people import Person
from plussa_notifications.store import mappers as m
from plussa_notifications.store.collections import (
    CAMPAIGNS,
    CHAINS,
    CONSENTS,
    HOUSEHOLDS,
    MESSAGES,
    OFFERS,
    PEOPLE,
    PREFERENCES,
    USED_UNSUBSCRIBE_TOKENS,
)
from plussa_shared.context import UnitOfWork
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.paging import keyset_page


class NotificationsStore:
    """Reads and writes; a ``session`` (``uow.session``) joins the use case's transaction, and
    every aggregate loaded or added inside one is tracked on its unit of work."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # Chains and partners ------------------------------------------------------------
    async def chains(self, session: Session | None = None) -> list[Chain]:
        """Every chain and partner, by id."""
        cursor = self.db[CHAINS].find({}, session=session).sort("_id", ASCENDING)
        return [m.chain_from_doc(doc) async for doc in cursor]

    async def chain(self, chain_id: str, session: Session | None = None) -> Chain | None:
        """One chain or partner."""
        doc = await self.db[CHAINS].find_one({"_id": chain_id}, session=session)
        return m.chain_from_doc(doc) if doc else None

    async def add_chain(self, chain: Chain, at: datetime, session: Session | None = None) -> None:
        """A new chain or partner; an id already taken is a conflict."""
        if await self.db[CHAINS].find_one({"_id": chain.chain_id}, {"_id": 1}, session=session):
            raise ChainExistsError(chain_id=chain.chain_id)
        await self.db[CHAINS].insert_one({**m.chain_to_doc(chain), "added_at": at}, session=session)

    async def seed_chains(self, chains: Sequence[Chain], at: datetime) -> None:
        """Add the shipped chains a database lacks; an operator's changes stay."""
        for chain in chains:
            doc = m.chain_to_doc(chain)
            await self.db[CHAINS].update_one(
                {"_id": chain.chain_id}, {"$setOnInsert": {**doc, "added_at": at}}, upsert=True
            )

    # People and households -----------------------------------------------------------
    async def person(self, person_id: str, session: Session | None = None) -> Person | None:
        """What is known of a person."""
        doc = await self.db[PEOPLE].find_one({"_id": person_id}, session=session)
        return m.person_from_doc(doc) if doc else None

    async def people(self, person_ids: Sequence[str], session: Session | None = None) -> dict[str, Person]:
        """Several people at once, by id."""
        cursor = self.db[PEOPLE].find({"_id": {"$in": list(person_ids)}}, session=session)
        return {doc["_id"]: m.person_from_doc(doc) async for doc in cursor}

    async def update_person(self, person_id: str, fields: dict[str, Any], session: Session | None = None) -> None:
        """Set what an event told about a person (created on first mention)."""
        await self.db[PEOPLE].update_one({"_id": person_id}, {"$set": fields}, upsert=True, session=session)

    async def set_main_holder(self, household_id: str, person_id: str, session: Session | None = None) -> None:
        """Remember who the household's main holder is."""
        await self.db[HOUSEHOLDS].update_one(
            {"_id": household_id}, {"$set": {"main_person_id": person_id}}, upsert=True, session=session
        )

    async def main_holder(self, household_id: str, session: Session | None = None) -> str | None:
        """The household's main holder, if known yet."""
        doc = await self.db[HOUSEHOLDS].find_one({"_id": household_id}, session=session)
        return str(doc["main_person_id"]) if doc else None

    # Preferences and the consent ledger ------------------------------------------------
    async def preferences(self, person_id: str, session: Session | None = None) -> ContactPreferences:
        """The person's current consents (none before their first choice), to read."""
        doc = await self.db[PREFERENCES].find_one({"_id": person_id}, session=session)
        return m.preferences_from_doc(person_id, doc)

    async def preferences_to_change(self, uow: UnitOfWork, person_id: str) -> ContactPreferences:
        """The person's consents, tracked on ``uow`` so their recorded events go out."""
        prefs = await self.preferences(person_id, uow.session)
        uow.track(prefs)
        return prefs

    async def preferences_of(self, person_ids: Sequence[str]) -> dict[str, ContactPreferences]:
        """Several people's current consents at once."""
        found = self.db[PREFERENCES].find({"_id": {"$in": list(set(person_ids))}})
        return {doc["_id"]: m.preferences_from_doc(doc["_id"], doc) async for doc in found}

    async def save_preferences(self, uow: UnitOfWork, prefs: ContactPreferences) -> None:
        """Append the new ledger entries and the state they lead to, in one transaction."""
        if not prefs.changes:
            return
        session = uow.session
        await self.db[CONSENTS].insert_many([m.entry_to_doc(e) for e in prefs.changes], session=session)
        await self.db[PREFERENCES].update_one(
            {"_id": prefs.person_id}, {"$set": m.preferences_to_doc(prefs)}, upsert=True, session=session
        )
        prefs.changes.clear()

    async def consent_history(
        self, person_id: str, limit: int, cursor: str | None
    ) -> tuple[list[ConsentEntry], str | None]:
        """A page of the person's ledger, newest first, and the next page's cursor."""
        docs, next_cursor = await keyset_page(
            self.db[CONSENTS], {"person_id": person_id}, sort_key="at", limit=limit, cursor=cursor
        )
        return [m.entry_from_doc(doc) for doc in docs], next_cursor

    async def ledger(self, person_id: str) -> list[ConsentEntry]:
        """Every entry of the person, oldest first."""
        found = self.db[CONSENTS].find({"person_id": person_id}).sort([("at", ASCENDING), ("_id", ASCENDING)])
        return [m.entry_from_doc(doc) async for doc in found]

    async def opted_in(self, chain_id: str, after_person_id: str | None, limit: int) -> list[str]:
        """The next ``limit`` people (by id) whose consent to ``chain_id`` stands."""
        query: dict[str, Any] = {"opted_in": chain_id}
        if after_person_id is not None:
            query["_id"] = {"$gt": after_person_id}
        found = self.db[PREFERENCES].find(query, {"_id": 1}).sort("_id", ASCENDING).limit(limit)
        return [doc["_id"] async for doc in found]

    async def use_unsubscribe_token(self, token_id: str, at: datetime, session: Session) -> None:
        """Record the token as used; a second use is refused."""
        if await self.db[USED_UNSUBSCRIBE_TOKENS].find_one({"_id": token_id}, session=session):
            raise UnsubscribeTokenUsedError()
        await self.db[USED_UNSUBSCRIBE_TOKENS].insert_one({"_id": token_id, "used_at": at}, session=session)

    async def unsubscribe_token_used(self, token_id: str) -> bool:
        """Whether the token was used already."""
        return await self.db[USED_UNSUBSCRIBE_TOKENS].find_one({"_id": token_id}) is not None

    # Messages ------------------------------------------------------------------------
    async def messages_for(self, trigger_id: str, person_ids: Sequence[str], session: Session) -> set[str]:
        """Which of these people this trigger already made a message for."""
        found = self.db[MESSAGES].find(
            {"trigger_id": trigger_id, "person_id": {"$in": list(person_ids)}}, {"person_id": 1}, session=session
        )
        return {doc["person_id"] async for doc in found}

    async def has_message(self, trigger_id: str, person_id: str, session: Session | None = None) -> bool:
        """Whether this trigger already made a message for this person."""
        found = await self.db[MESSAGES].find_one(
            {"trigger_id": trigger_id, "person_id": person_id}, {"_id": 1}, session=session
        )
        return found is not None

    async def add_messages(self, uow: UnitOfWork, messages: Sequence[Message]) -> None:
        """Store new messages (tracked: one failed at once tells so)."""
        uow.track(*messages)
        if messages:
            await self.db[MESSAGES].insert_many([m.message_to_doc(x) for x in messages], session=uow.session)

    async def message(self, message_id: str) -> Message | None:
        """One message."""
        doc = await self.db[MESSAGES].find_one({"_id": message_id})
        return m.message_from_doc(doc) if doc else None

    async def claim_due(self, now: datetime, limit: int, lease: timedelta, owner: str) -> list[Message]:
        """Take up to ``limit`` queued messages whose time has come, leased to this claim so
        that another sender leaves them alone until the lease runs out."""
        free = {"$or": [{"lease_until": None}, {"lease_until": {"$lt": now}}]}
        due = {"status": MessageStatus.QUEUED.value, "next_attempt_at": {"$lte": now}, **free}
        found = self.db[MESSAGES].find(due, {"_id": 1}).sort("next_attempt_at", ASCENDING).limit(limit)
        ids = [doc["_id"] async for doc in found]
        if not ids:
            return []
        claim = f"{owner}:{uuid.uuid4().hex}"
        await self.db[MESSAGES].update_many(
            {"_id": {"$in": ids}, **due}, {"$set": {"lease_until": now + lease, "lease_owner": claim}}
        )
        return [m.message_from_doc(doc) async for doc in self.db[MESSAGES].find({"lease_owner": claim})]

    async def save_outcomes(self, messages: Sequence[Message], session: Session) -> None:
        """Record what became of each attempt and release the leases, in one round trip."""
        updates = []
        for message in messages:
            doc = m.message_to_doc(message)
            doc.pop("_id")
            updates.append(UpdateOne({"_id": message.message_id}, {"$set": {**doc, "lease_until": None}}))
        if updates:
            await self.db[MESSAGES].bulk_write(updates, ordered=False, session=session)

    async def next_due(self) -> datetime | None:
        """When the earliest queued message is due."""
        doc = await self.db[MESSAGES].find_one(
            {"status": MessageStatus.QUEUED.value}, {"next_attempt_at": 1}, sort=[("next_attempt_at", ASCENDING)]
        )
        return doc["next_attempt_at"] if doc else None

    async def my_messages(self, person_id: str, limit: int, cursor: str | None) -> tuple[list[Message], str | None]:
        """A page of the person's messages, newest first, and the next page's cursor."""
        docs, next_cursor = await keyset_page(
            self.db[MESSAGES], {"person_id": person_id}, sort_key="created_at", limit=limit, cursor=cursor
        )
        return [m.message_from_doc(doc) for doc in docs], next_cursor

    # Offers of the benefits service ---------------------------------------------------
    async def save_offer(self, offer: Document, session: Session) -> None:
        """Keep an offer's issuer and title; an older version never overwrites a newer one."""
        await self.db[OFFERS].update_one(
            {"_id": offer["_id"], "version": {"$lt": offer["version"]}}, {"$set": offer}, session=session
        )
        await self.db[OFFERS].update_one({"_id": offer["_id"]}, {"$setOnInsert": offer}, upsert=True, session=session)

    async def offer(self, offer_id: str, session: Session | None = None) -> Document | None:
        """An offer as benefits last described it."""
        return await self.db[OFFERS].find_one({"_id": offer_id}, session=session)

    # Privacy -------------------------------------------------------------------------
    async def export(self, person_id: str) -> dict[str, Any]:
        """Everything held about the person, as plain JSON-ready values."""
        person = await self.db[PEOPLE].find_one({"_id": person_id}, {"_id": 0})
        prefs = await self.db[PREFERENCES].find_one({"_id": person_id}, {"_id": 0, "consents": 1})
        consents = self.db[CONSENTS].find({"person_id": person_id}, {"_id": 0, "person_id": 0}).sort("at", ASCENDING)
        messages = (
            self.db[MESSAGES]
            .find(
                {"person_id": person_id},
                {"_id": 1, "kind": 1, "status": 1, "created_at": 1, "sent_at": 1, "reason": 1, "chain_id": 1},
            )
            .sort("created_at", ASCENDING)
        )
        exported: dict[str, Any] = _json_ready(
            {
                "person": person or {},
                "consents": (prefs or {}).get("consents", {}),
                "consent_history": [doc async for doc in consents],
                "messages": [{"message_id": d.pop("_id"), **d} async for d in messages],
            }
        )
        return exported

    async def erase(self, person_id: str, session: Session) -> None:
        """Remove everything held about the person."""
        await self.db[PEOPLE].delete_one({"_id": person_id}, session=session)
        await self.db[PREFERENCES].delete_one({"_id": person_id}, session=session)
        await self.db[CONSENTS].delete_many({"person_id": person_id}, session=session)
        await self.db[MESSAGES].delete_many({"person_id": person_id}, session=session)
        # A household whose main holder is erased has none until a hand-over names one.
        await self.db[HOUSEHOLDS].delete_many({"main_person_id": person_id}, session=session)

    # Campaigns -------------------------------------------------------------------------
    async def add_campaign(self, campaign: Document, session: Session) -> None:
        """A new campaign to stream."""
        await self.db[CAMPAIGNS].insert_one(campaign, session=session)

    async def campaign(self, campaign_id: str, session: Session | None = None) -> Document | None:
        """One campaign and its progress."""
        return await self.db[CAMPAIGNS].find_one({"_id": campaign_id}, session=session)

    async def open_campaigns(self) -> list[Document]:
        """Campaigns whose recipients are still being queued, oldest first."""
        found = self.db[CAMPAIGNS].find({"status": "streaming"}).sort("created_at", ASCENDING)
        return [doc async for doc in found]

    async def advance_campaign(
        self, campaign_id: str, last_person_id: str | None, queued: int, skipped: int, done: bool, session: Session
    ) -> None:
        """Move the campaign's cursor past the people just queued."""
        update: dict[str, Any] = {"$inc": {"queued": queued, "skipped": skipped}}
        update["$set"] = {"last_person_id": last_person_id, **({"status": "queued"} if done else {})}
        await self.db[CAMPAIGNS].update_one({"_id": campaign_id}, update, session=session)


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
