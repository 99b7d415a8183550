"""The transactional outbox: events are written with the state change, then relayed.

A use case calls ``Outbox.add`` inside the same MongoDB transaction as its state
change, so either both are stored or neither is. ``OutboxRelay`` publishes pending
records in order with publisher confirms and marks them sent. While the broker is
down records wait; after it returns the relay resumes by itself. A record whose
confirm was lost may be published again with the same event id, which consumers
absorb because they record the ids they have handled.

A record holds one event, or (written with ``grouped``) a run of consecutive events
about one subject: the first in the record's own fields, the others in ``more``. The
relay publishes each event of a record as its own message with its own id, in order,
so what reaches the bus is the same either way; a run costs the database one document
instead of one per event (month end writes several events per household).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from plussa_shared.events import CloudEvent, EventData, envelope_json, new_event_ids, routing_key_for
from plussa_shared.exchanges import Exchanges
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.trace_context import trace_headers

if TYPE_CHECKING:  # the relay's: a process that only writes events (a command) loads no broker client
    from aio_pika.abc import AbstractChannel, AbstractExchange
    from pydantic import BaseModel

    from plussa_shared.broker import Broker
    from plussa_shared.metrics import Metrics

log = structlog.get_logger(__name__)

OUTBOX = "outbox"
LEASES = "outbox_lease"
CLOUDEVENTS_JSON = "application/cloudevents+json"

_Record = tuple[str, str, str | None, str, str | None, Mapping[str, str] | None]
"""An event to write: id, type, subject, envelope, exchange, its own trace (or None)."""

MORE = "more"
"""The field of a record holding the events of its run after the first: id, type, routing key, envelope."""

OUTBOX_INDEXES = {
    OUTBOX: [
        IndexModel([("sent_at", ASCENDING), ("created_at", ASCENDING), ("order", ASCENDING)]),
        # Sent records are kept a week for inspection, then MongoDB removes them.
        IndexModel([("sent_at", ASCENDING)], expireAfterSeconds=7 * 24 * 3600, name="sent_ttl"),
    ],
}


class Outbox:
    """Writes events into the service's ``outbox`` collection within a transaction."""

    def __init__(self, db: Database, exchanges: Exchanges | None = None) -> None:
        self._collection = db[OUTBOX]
        self._exchanges = exchanges or Exchanges()
        self._nudge: asyncio.Event | None = None
        self._orders = _OrderKeys()

    def attach_relay_signal(self, signal: asyncio.Event) -> None:
        """Let the relay be woken as soon as a transaction has added events."""
        self._nudge = signal

    async def add(
        self,
        session: Session,
        events: Sequence[CloudEvent[Any]],
        *,
        traces: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """Store ``events`` in the transaction bound to ``session``, with the current request
        id and trace context, which the relay sends along as message headers.

        ``traces`` gives events of their own work (a mail sent in the trace it was queued
        in) that work's trace context, W3C headers by event id; the rest take the current one.
        """
        traces = traces or {}
        await self._insert(
            session,
            [(e.id, e.type, e.subject, e.model_dump_json(), self._target(e.data), traces.get(e.id)) for e in events],
        )

    async def add_data(
        self,
        session: Session,
        source: str,
        events: Sequence[tuple[BaseModel, str | None, datetime]],
        *,
        traces: Mapping[int, Mapping[str, str]] | None = None,
        grouped: bool = False,
    ) -> None:
        """Store events given as ``(data, subject, time)`` from ``source``, as ``add`` does, with
        their envelopes written straight from the data (``envelope_json``), not built as models;
        ``traces`` as ``add``'s, by the event's position in ``events``. ``grouped``: each run of
        consecutive events about one subject (to one exchange, in one trace) is one record."""
        traces = traces or {}
        records: list[_Record] = []
        for index, (event_id, (data, subject, time)) in enumerate(zip(new_event_ids(len(events)), events, strict=True)):
            if not isinstance(data, EventData):
                raise TypeError(f"{type(data).__name__} is not an EventData and has no event type")
            envelope = envelope_json(data, event_id=event_id, source=source, subject=subject, time=time)
            records.append((event_id, data.event_type, subject, envelope, self._target(data), traces.get(index)))
        await self._insert(session, records, grouped=grouped)

    async def _insert(self, session: Session, records: list[_Record], *, grouped: bool = False) -> None:
        """Write ``(id, type, subject, envelope, exchange, trace)`` events, ordered as given,
        one record each or, ``grouped``, one record per run of consecutive events with the
        same subject, exchange and trace; an event without a trace of its own takes the current one."""
        if not records:
            return
        runs = _runs(records) if grouped else [[r] for r in records]
        now = datetime.now(UTC)
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        current = trace_headers()  # the request's or the handled event's trace
        docs = []
        for run, order in zip(runs, self._orders.take(len(runs), now), strict=True):
            event_id, event_type, subject, envelope, exchange, trace = run[0]
            doc = {
                "_id": event_id,
                "order": order,
                "type": event_type,
                "routing_key": routing_key_for(event_type),
                # None: the relay's internal exchange; a name: the recipient's private one.
                "exchange": exchange,
                "subject": subject,
                "envelope": envelope,
                "created_at": now,
                "sent_at": None,
                "request_id": request_id,
                "trace": dict(current if trace is None else trace),
            }
            if len(run) > 1:
                doc[MORE] = [
                    {"_id": r[0], "type": r[1], "routing_key": routing_key_for(r[1]), "envelope": r[3]} for r in run[1:]
                ]
            docs.append(doc)
        await self._collection.insert_many(docs, ordered=True, session=session)

    def _target(self, data: object) -> str | None:
        if isinstance(data, EventData) and type(data).recipient:
            return self._exchanges.for_event(data)
        return None

    def nudge(self) -> None:
        """Wake the relay; call after the transaction that added events committed."""
        if self._nudge is not None:
            self._nudge.set()


def _runs(records: list[_Record]) -> list[list[_Record]]:
    """``records`` cut into runs of consecutive events with the same subject, exchange and trace."""
    runs: list[list[_Record]] = []
    for record in records:
        last = runs[-1][-1] if runs else None
        _, _, subject, _, exchange, trace = record
        if last is not None and subject is not None and (last[2], last[4], last[5]) == (subject, exchange, trace):
            runs[-1].append(record)
        else:
            runs.append([record])
    return runs


class _OrderKeys:
    """The ``order`` of outbox records: ObjectIds made as ``ObjectId()`` makes them (the
    time, a random part, a counter), the random part this writer's own, for a whole
    insert at once. Records of one insert share ``created_at``, and their keys rise."""

    def __init__(self) -> None:
        self._random = os.urandom(5)
        self._counter = 0

    def take(self, count: int, at: datetime) -> list[ObjectId]:
        if self._counter + count > 0xFFFFFF:  # three bytes; rising within the insert is what counts
            self._counter = 0
        first, self._counter = self._counter, self._counter + count
        head = int(at.timestamp()).to_bytes(4, "big") + self._random
        return [ObjectId(head + n.to_bytes(3, "big")) for n in range(first, first + count)]


class OutboxRelay:
    """Publishes pending outbox records with publisher confirms, oldest first.

    Only one relay per service publishes at a time (a lease in ``outbox_lease``), so
    records of one aggregate leave in the order they were written even when the
    service runs as several replicas.
    """

    def __init__(
        self,
        db: Database,
        broker: Broker,
        metrics: Metrics,
        *,
        batch_size: int = 100,
        poll_interval_s: float = 0.5,
        lease_s: float = 10.0,
        max_backoff_s: float = 5.0,
    ) -> None:
        self._outbox = db[OUTBOX]
        self._leases = db[LEASES]
        self._broker = broker
        self._metrics = metrics
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._lease = timedelta(seconds=lease_s)
        self._max_backoff_s = max_backoff_s
        self._owner = uuid.uuid4().hex
        self.signal = asyncio.Event()
        self._exchange: AbstractExchange | None = None
        self._private: dict[str, AbstractExchange] = {}
        self._channel: AbstractChannel | None = None

    async def run(self) -> None:
        """Relay until cancelled; survives broker and database outages."""
        backoff = self._poll_interval_s
        while True:
            try:
                records, _ = await self._publish_batch()
                backoff = self._poll_interval_s
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: wait, then try again
                from plussa_shared.outages import is_outage  # loads aio-pika: the relay's alone

                # An outage is reported once by the broker or the database watch.
                report = log.info if is_outage(exc) else log.warning
                report("outbox_relay_failed", error=type(exc).__name__, detail=str(exc)[:200])
                await self._drop_channel()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff_s)
                continue
            if records < self._batch_size:
                await self._wait_for_work()

    async def _wait_for_work(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.signal.wait(), self._poll_interval_s)
        self.signal.clear()

    async def relay_once(self) -> int:
        """Publish one batch of pending records; return how many events were published.

        Records are marked sent only after the broker confirmed every event of them;
        when a confirm is lost the batch is published again later, with the same
        event ids, which consumers absorb.
        """
        return (await self._publish_batch())[1]

    async def _publish_batch(self) -> tuple[int, int]:
        """Publish one batch of pending records; return how many records and events it held."""
        # The channel first: waiting for the broker must not happen while holding
        # the lease with a batch already read, or another replica may publish it too.
        internal = await self._get_exchange()
        if not await self._hold_lease():
            return 0, 0
        pending = (
            await self._outbox.find({"sent_at": None})
            .sort([("created_at", ASCENDING), ("order", ASCENDING)])
            .limit(self._batch_size)
            .to_list()
        )
        if not pending:
            return 0, 0
        import aio_pika  # the relay's alone, not every writer's

        # Published in order on one channel (aiormq writes publishes under a FIFO
        # lock in the order they are started), which keeps the order per aggregate;
        # the confirms are awaited together so a batch costs one round trip.
        exchanges = {doc.get("exchange") or "": internal for doc in pending}
        for name in exchanges:
            if name:
                exchanges[name] = await self._declare(name)
        events = [(doc, event) for doc in pending for event in (doc, *doc.get(MORE, ()))]
        confirms = [
            exchanges[doc.get("exchange") or ""].publish(
                aio_pika.Message(
                    body=event["envelope"].encode(),
                    content_type=CLOUDEVENTS_JSON,
                    message_id=event["_id"],
                    type=event["type"],
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    headers={
                        "ce-subject": doc.get("subject") or "",
                        "x-request-id": doc.get("request_id") or "",
                        **(doc.get("trace") or {}),  # traceparent, tracestate
                    },
                ),
                routing_key=event["routing_key"],
                # An event nobody subscribes to yet is not an error of the publisher.
                mandatory=False,
            )
            for doc, event in events
        ]
        # Bounded well within the lease, so a stuck publish cannot outlive it. A timeout block,
        # not wait_for: cancelled (at shutdown), wait_for leaves the gather's CancelledError
        # unretrieved, which asyncio then logs as an error.
        async with asyncio.timeout(self._lease.total_seconds() / 2):
            await asyncio.gather(*confirms)
        await self._mark_sent(pending)
        for _, event in events:
            self._metrics.events_published.labels(event["type"]).inc()
        log.debug("outbox_published", count=len(events))
        return len(pending), len(events)

    async def _mark_sent(self, records: list[Document]) -> None:
        """A sent record keeps what was published and when, never what it said: the envelopes
        and subject name people, and the record outlives their erasure (``sent_ttl``). One
        update (a pipeline: ``more``'s elements lose their envelopes only where it is an
        array), so no crash can leave a sent record that still holds an envelope."""
        more = f"${MORE}"
        without_envelope = {"$unsetField": {"field": "envelope", "input": "$$this"}}
        await self._outbox.update_many(
            {"_id": {"$in": [doc["_id"] for doc in records]}},
            [
                {
                    "$set": {
                        "sent_at": datetime.now(UTC),
                        MORE: {
                            "$cond": [
                                {"$isArray": [more]},
                                {"$map": {"input": more, "in": without_envelope}},
                                "$$REMOVE",
                            ]
                        },
                    }
                },
                {"$unset": ["envelope", "subject"]},
            ],
        )

    async def _get_exchange(self) -> AbstractExchange:
        if self._exchange is None or self._channel is None or self._channel.is_closed:
            # A robust channel is closed while its connection is down and reopened by
            # aio-pika afterwards; only one whose publish failed is replaced, and it
            # is closed first so no abandoned channel lingers on the connection.
            await self._drop_channel()
            self._channel = await self._broker.channel(publisher_confirms=True)
            self._exchange = await self._broker.declare_exchange(self._channel)
        return self._exchange

    async def _declare(self, name: str) -> AbstractExchange:
        assert self._channel is not None
        known = self._private.get(name)
        if known is None:
            known = self._private[name] = await self._broker.declare_exchange(self._channel, name)
        return known

    async def _drop_channel(self) -> None:
        channel, self._channel, self._exchange = self._channel, None, None
        self._private.clear()
        if channel is not None:
            try:
                await channel.close()
            except Exception as exc:  # it may be half-gone already
                log.debug("outbox_channel_close_failed", error=type(exc).__name__)

    async def _hold_lease(self) -> bool:
        now = datetime.now(UTC)
        try:
            lease = await self._leases.find_one_and_update(
                {"_id": "relay", "$or": [{"owner": self._owner}, {"until": {"$lt": now}}]},
                {"$set": {"owner": self._owner, "until": now + self._lease}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:  # another replica holds a live lease
            return False
        return lease is not None and lease.get("owner") == self._owner

    async def release(self) -> None:
        """Give the lease up so another replica can take over at once, and close the channel."""
        await self._drop_channel()
        await self._leases.delete_one({"_id": "relay", "owner": self._owner})

    async def backlog(self) -> int:
        """How many events wait to be published."""
        events_of_record = {"$add": [1, {"$size": {"$ifNull": [f"${MORE}", []]}}]}
        pipeline: list[Document] = [
            {"$match": {"sent_at": None}},
            {"$group": {"_id": None, "events": {"$sum": events_of_record}}},
        ]
        counted = await (await self._outbox.aggregate(pipeline)).to_list()
        count = int(counted[0]["events"]) if counted else 0
        self._metrics.outbox_backlog.set(count)
        return count
