"""Applying consumed events once: each in one MongoDB transaction that also records its
event id in the service's ``inbox`` collection, so a redelivered or duplicated event
finds its id there and changes nothing. A batch's events are applied in ONE such
transaction, which records each new id; ids already handled, and repeats inside the
batch, are skipped. Acking, retrying and dead-lettering are the consumer's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from plussa_shared.batches import Pending, message_context
from plussa_shared.domain import DuplicateError
from plussa_shared.events import CloudEvent
from plussa_shared.inbox import INBOX
from plussa_shared.mongo import Database, Document, Session, run_in_transaction
from plussa_shared.subscription import Subscription
from plussa_shared.tracing import continued, shared_context


class _AlreadyHandledError(Exception):
    """The event's id is in the inbox: another delivery of it committed first."""


class Applier:
    """Applies a consumer's events to the service's database, each event id once."""

    def __init__(self, client: AsyncMongoClient[Document], db: Database) -> None:
        self._client = client
        self._inbox = db[INBOX]

    async def apply(self, subscription: Subscription[Any], event: CloudEvent[Any]) -> bool:
        """Apply ``event`` once; False when it was handled before.

        Only a clash on the inbox id means "already handled". Any other unique-index
        clash follows ``ServiceContext.run``'s rule: the work runs once more, and a
        second clash is a ``DuplicateError`` (dead-lettered as ``duplicate``).
        """
        try:
            return await self._apply_once(subscription, event)
        except DuplicateKeyError:
            try:
                return await self._apply_once(subscription, event)
            except DuplicateKeyError as exc:
                raise DuplicateError(f"a unique index clashed twice: {str(exc)[:300]}") from exc

    async def _apply_once(self, subscription: Subscription[Any], event: CloudEvent[Any]) -> bool:
        async def work(session: Session) -> bool:
            if await self._inbox.find_one({"_id": event.id}, {"_id": 1}, session=session):
                return False
            try:
                await self._inbox.insert_one(
                    {"_id": event.id, "type": event.type, "handled_at": datetime.now(UTC)}, session=session
                )
            except DuplicateKeyError as exc:
                raise _AlreadyHandledError from exc
            await subscription.apply(event, session)
            return True

        try:
            return await run_in_transaction(self._client, work)
        except _AlreadyHandledError:
            return False  # another delivery of the same event committed first

    async def apply_batch(self, subscription: Subscription[Any], batch: list[Pending]) -> list[bool]:
        """Record the batch's new event ids and apply those events in one transaction;
        return, per message, whether it was applied (False: handled before)."""
        ids = list(dict.fromkeys(p.event.id for p in batch))

        async def work(session: Session) -> list[bool]:
            cursor = self._inbox.find({"_id": {"$in": ids}}, {"_id": 1}, session=session)
            seen = {doc["_id"] async for doc in cursor}
            fresh: list[bool] = []
            for pending in batch:
                fresh.append(pending.event.id not in seen)
                seen.add(pending.event.id)
            new = [p for p, is_new in zip(batch, fresh, strict=True) if is_new]
            if not new:
                return fresh
            now = datetime.now(UTC)
            await self._inbox.insert_many(
                [{"_id": p.event.id, "type": p.event.type, "handled_at": now} for p in new], session=session
            )
            if subscription.batch_handler is not None:
                # Records it adds to the outbox carry the request id the batch's messages share, if any.
                request_ids = {(p.message.headers or {}).get("x-request-id") or None for p in new}
                shared_id = request_ids.pop() if len(request_ids) == 1 else None
                shared_trace = shared_context([p.trace for p in new])  # likewise the trace
                with structlog.contextvars.bound_contextvars(request_id=shared_id), continued(shared_trace):
                    await subscription.apply_batch([p.event for p in new], session)
            else:
                for pending in new:
                    with message_context(pending):
                        await subscription.apply(pending.event, session)
            return fresh

        return await run_in_transaction(self._client, work)
