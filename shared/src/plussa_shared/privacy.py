"""The privacy participant: how a service answers identity's export and erasure requests.

Identity publishes ``fi.plussa.identity.export.requested`` and ``erasure.requested``
{``request_id``, ``person_id``, ``household_id``, ``occurred_at``}. Every service
holding personal data answers with ``fi.plussa.{service}.export.completed``
{``request_id``, ``person_id``, ``service``, ``data``} or ``erasure.completed``
{``request_id``, ``person_id``, ``service``, ``occurred_at``} (docs/event-contract.md).
A service gives what only it knows, ``export(ctx, person_id) -> dict`` and
``erase(ctx, person_id)``, and its own answer event classes (they stay in its
``events/published.py``, where the AsyncAPI document finds them); this module does
the rest. Both run in the consumer's transaction (their own ``ctx.run`` joins it), so
the erasure and its answer commit together or not at all.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pymongo import UpdateOne

from plussa_shared.context import ServiceContext, UnitOfWork
from plussa_shared.events import CloudEvent, ConsumedEventData, EventData
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.subscription import Subscription

EXPORT_REQUESTED = "fi.plussa.identity.export.requested"
ERASURE_REQUESTED = "fi.plussa.identity.erasure.requested"

C = TypeVar("C", bound=ServiceContext[Any])


class PrivacyRequested(ConsumedEventData):
    """A participant's copy of identity's export or erasure request."""

    request_id: str
    person_id: str
    household_id: str | None = None
    household_alone: bool = False
    """Erasure: the household was the person's alone (no other member stays in it)."""
    occurred_at: datetime | None = None


def person_subject(request: PrivacyRequested) -> str | None:
    """``person/{person_id}``: the default subject of the answers."""
    return f"person/{request.person_id}"


def household_subject(request: PrivacyRequested) -> str | None:
    """``household/{household_id}`` (none when the person has no household)."""
    return f"household/{request.household_id}" if request.household_id else None


@dataclass(frozen=True)
class PrivacyParticipant(Generic[C]):
    """What one service contributes to answering privacy requests."""

    export: Callable[[C, str], Awaitable[dict[str, Any]]]
    """Everything the service holds about the person (empty parts when it knows nothing)."""
    erase: Callable[[C, str], Awaitable[None]]
    """Erase or anonymise what the service holds about the person."""
    export_completed: type[EventData]
    """The service's ``export.completed`` class: {request_id, person_id, service, data}."""
    erasure_completed: type[EventData]
    """The service's ``erasure.completed`` class: {request_id, person_id, service, occurred_at}."""
    subject: Callable[[PrivacyRequested], str | None] = person_subject
    """The envelope subject of the answers."""
    forget_household: Callable[[C, str], Awaitable[None]] | None = None
    """Erasure of a person whose household was theirs alone: what is kept of the household
    (accounting records) stops naming it (``replace_ids`` with a ``pseudonym``)."""


def privacy_subscriptions(ctx: C, participant: PrivacyParticipant[C]) -> list[Subscription[Any]]:
    """The two subscriptions of a privacy participant, bound to ``ctx``; add them to the
    service's table in ``subscriptions.py``."""

    async def on_export(event: CloudEvent[PrivacyRequested]) -> None:
        request = event.data
        data = await participant.export(ctx, request.person_id)
        answer = participant.export_completed.model_validate(
            {"request_id": request.request_id, "person_id": request.person_id, "data": data}
        )
        await _publish(ctx, answer, participant.subject(request))

    async def on_erasure(event: CloudEvent[PrivacyRequested]) -> None:
        request = event.data
        await participant.erase(ctx, request.person_id)
        if participant.forget_household and request.household_alone and request.household_id:
            await participant.forget_household(ctx, request.household_id)
        answer = participant.erasure_completed.model_validate(
            {"request_id": request.request_id, "person_id": request.person_id, "occurred_at": ctx.now()}
        )
        await _publish(ctx, answer, participant.subject(request))

    return [
        Subscription(EXPORT_REQUESTED, PrivacyRequested, on_export),
        Subscription(ERASURE_REQUESTED, PrivacyRequested, on_erasure),
    ]


async def _publish(ctx: ServiceContext[Any], answer: EventData, subject: str | None) -> None:
    async def work(uow: UnitOfWork) -> None:
        uow.publish(answer, subject)

    await ctx.run(work)


ERASED_PREFIX = "erased-"
CLOSED_FOR_ERASURE = "erased"
"""The reason of ``cards.card.closed`` when the holder was erased."""


def closed_for_erasure(state: str, reason: str | None) -> bool:
    """Whether a card event says the card was closed because its holder was erased: a copy
    of it is then forgotten, not kept (the event may come after the service's own erasure)."""
    return state == "closed" and reason == CLOSED_FOR_ERASURE


def pseudonym() -> str:
    """A new id standing for an erased person, card or household in the records kept
    without them: random, so nothing leads from it back to the id it replaced, and the
    same in every record of one erasure, so they still add up together."""
    return f"{ERASED_PREFIX}{uuid.uuid4().hex}"


def hashed(value: str) -> str:
    """A one-way digest of an id, for a receipt that must show which request it was
    without holding the id (whoever knows the id can check it; nobody can read it back)."""
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


ERASED_HOLDERS = "erased_holders"
"""Each service's own collection of the people it erased and of their cards, by digest
(``ErasedHolders``)."""


def _card_key(card_id: str) -> str:
    # A person's digest (``hashed``) starts with ``sha256:``: a card's, under ``card:``, can
    # never be taken for a person's, nor the other way round.
    return "card:" + hashed(card_id)


class ErasedHolders:
    """The digests (``hashed``) of the people a service erased, or whose card it forgot as
    closed for erasure, and of those people's cards (``card:`` before the digest of the card
    id), in a collection of its own. A card copy is kept newest version wins, but once
    deleted nothing is left to compare with: a late, older card event (a redelivery, a
    replayed dead letter) would bring the copy back, with its card number and household.
    The digests are what stop it: the holder's for a version naming the person, the card's
    for a version naming nobody (from before the card was given to them, or after its
    holder left). Person and card ids are random, so a digest leads nowhere; the plain ids
    are never stored here."""

    def __init__(self, db: Database) -> None:
        self._digests = db[ERASED_HOLDERS]

    async def record(self, person_id: str | None, session: Session, *, card_ids: Iterable[str]) -> None:
        """Remember that ``person_id`` was erased, and their cards ``card_ids`` (every card the
        service held of them, or the one it forgot as closed for erasure). Again is the same;
        nobody is nothing."""
        keys = [_card_key(card_id) for card_id in card_ids]
        if person_id is not None:
            keys.append(hashed(person_id))
        if keys:
            remembered = [UpdateOne({"_id": key}, {"$setOnInsert": {"_id": key}}, upsert=True) for key in keys]
            await self._digests.bulk_write(remembered, ordered=False, session=session)

    async def refuses(self, card_id: str, person_id: str | None, session: Session | None) -> bool:
        """Whether a version of card ``card_id`` naming ``person_id`` as its holder (or nobody)
        is not to be kept: the card, or the person it names, was erased here."""
        keys = [_card_key(card_id)]
        if person_id is not None:
            keys.append(hashed(person_id))
        return await self._digests.count_documents({"_id": {"$in": keys}}, limit=1, session=session) > 0


async def replace_ids(
    db: Database, session: Session, ids: Mapping[str, str], fields: Mapping[str, Sequence[str]]
) -> int:
    """Put each id's replacement (``ids``: old -> new) wherever the old id appears in the
    documents that hold one in a listed field of their collection (``fields``: collection ->
    field paths; ``_id`` also matches an id that is one ``:``-separated part of it). Keys and
    nested values are rewritten too; a document whose ``_id`` changes is stored anew under
    it. Gives how many documents were rewritten."""
    if not ids:
        return 0
    old = list(ids)
    part = re.compile("(^|:)(" + "|".join(re.escape(i) for i in old) + ")(:|$)")
    # One pass over each string, longest ids first: a replacement is never itself rewritten,
    # even where it happens to contain another id's text.
    anywhere = re.compile("|".join(re.escape(i) for i in sorted(old, key=len, reverse=True)))
    changed = 0
    for collection, paths in fields.items():
        query = {"$or": [{"_id": {"$regex": part.pattern}} if p == "_id" else {p: {"$in": old}} for p in paths]}
        async for document in db[collection].find(query, session=session):
            rewritten: Document = _rewrite(document, anywhere, ids)
            if rewritten["_id"] != document["_id"]:
                await db[collection].delete_one({"_id": document["_id"]}, session=session)
                await db[collection].insert_one(rewritten, session=session)
            else:
                await db[collection].replace_one({"_id": document["_id"]}, rewritten, session=session)
            changed += 1
    return changed


def _rewrite(value: Any, anywhere: re.Pattern[str], ids: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return anywhere.sub(lambda m: ids[m.group(0)], value)
    if isinstance(value, dict):
        return {_rewrite(k, anywhere, ids): _rewrite(v, anywhere, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(item, anywhere, ids) for item in value]
    return value
