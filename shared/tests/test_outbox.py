"""The outbox relay: one publisher per database, marks sent only what was
confirmed, and carries the request id and trace context into the event's headers."""

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from pymongo.errors import ConnectionFailure

from plussa_shared.app import create_service_app
from plussa_shared.broker import Broker
from plussa_shared.events import EventData, new_event
from plussa_shared.metrics import Metrics
from plussa_shared.mongo import Database, Session, create_client, ensure_collections, ensure_indexes, run_in_transaction
from plussa_shared.outbox import LEASES, MORE, OUTBOX, OUTBOX_INDEXES, Outbox, OutboxRelay
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bus import bus_probe
from plussa_shared.testing.sample import NOTE_WRITTEN, WRITER, NoteWritten
from plussa_shared.tracing import Tracing


@pytest.fixture
async def relay_db(settings_for: Any) -> AsyncIterator[tuple[Any, Database, ServiceSettings]]:
    settings = settings_for(ServiceSettings, service_name="relays")
    client = create_client(str(settings.mongo_url), app_name="test")
    db = client[settings.mongo_database]
    await ensure_collections(db, [OUTBOX, LEASES])
    await ensure_indexes(db, OUTBOX_INDEXES)
    yield client, db, settings
    await client.close()


@pytest.fixture
async def broker(relay_db: Any) -> AsyncIterator[Broker]:
    _, _, settings = relay_db
    broker = Broker(settings.amqp_url.get_secret_value(), settings.amqp_exchange)
    await broker.start()
    await broker.wait_connected(timeout=5)
    yield broker
    await broker.close()


async def add_notes(client: Any, db: Database, note_ids: list[str]) -> None:
    outbox = Outbox(db)
    events = [new_event(NoteWritten(note_id=n, text="x"), source="/test", subject="notebook/1") for n in note_ids]

    async def work(session: Session) -> None:
        await outbox.add(session, events)

    await run_in_transaction(client, work)


class TokenHanded(EventData):
    event_type: ClassVar[str] = "fi.plussa.notes.token.handed"
    recipient: ClassVar[str | None] = "identity"
    token: str


async def test_records_written_straight_from_the_data_are_those_written_from_envelopes(relay_db: Any) -> None:
    client, db, _ = relay_db
    outbox = Outbox(db)
    at = datetime(2026, 4, 1, tzinfo=UTC)
    data = [NoteWritten(note_id=f"n{i}", text="ä") for i in range(300)] + [TokenHanded(token="t")]
    enveloped = [new_event(d, source="/plussa/notes", subject="note/1", time=at) for d in data]

    async def work(session: Session) -> None:
        await outbox.add(session, enveloped)
        await outbox.add_data(session, "/plussa/notes", [(d, "note/1", at) for d in data])

    await run_in_transaction(client, work)
    docs = await db[OUTBOX].find().sort([("created_at", 1), ("order", 1)]).to_list()
    from_envelopes, from_data = docs[: len(data)], docs[len(data) :]
    assert [d["_id"] for d in from_envelopes] == [e.id for e in enveloped]  # in the order given
    assert len({d["order"] for d in docs}) == len(docs)
    for old, new in zip(from_envelopes, from_data, strict=True):
        old_envelope, new_envelope = json.loads(old.pop("envelope")), json.loads(new.pop("envelope"))
        assert new_envelope.pop("id") == new["_id"] != old["_id"]
        assert new_envelope == {k: v for k, v in old_envelope.items() if k != "id"}
        for doc in (old, new):
            del doc["_id"], doc["order"], doc["created_at"]
        assert new == old
    assert from_data[0]["routing_key"] == "notes.note.written"
    assert (from_data[0]["exchange"], from_data[-1]["exchange"]) == (None, "plussa.private.identity")


async def test_of_two_relays_on_one_database_only_the_lease_holder_publishes(relay_db: Any, broker: Broker) -> None:
    client, db, settings = relay_db
    first, second = OutboxRelay(db, broker, Metrics()), OutboxRelay(db, broker, Metrics())
    async with bus_probe(settings.amqp_url.get_secret_value(), settings.amqp_exchange) as probe:
        await add_notes(client, db, ["n1", "n2"])
        assert await first.relay_once() == 2
        await add_notes(client, db, ["n3"])
        assert await second.relay_once() == 0
        assert await db[OUTBOX].count_documents({"sent_at": None}) == 1

        await first.release()
        assert await second.relay_once() == 1
        await probe.wait_for(NOTE_WRITTEN, count=3)
        assert [e["data"]["note_id"] for e in probe.events] == ["n1", "n2", "n3"]
        assert await first.relay_once() == 0  # the second holds the lease now
    await second.release()


async def test_two_relays_running_side_by_side_publish_each_record_once(relay_db: Any, broker: Broker) -> None:
    client, db, settings = relay_db
    relays = [OutboxRelay(db, broker, Metrics(), poll_interval_s=0.01, batch_size=5) for _ in range(2)]
    async with bus_probe(settings.amqp_url.get_secret_value(), settings.amqp_exchange) as probe:
        tasks = [asyncio.create_task(r.run()) for r in relays]
        written = [f"n{i:02}" for i in range(40)]
        for start in range(0, len(written), 8):
            await add_notes(client, db, written[start : start + 8])
        await probe.wait_for(NOTE_WRITTEN, count=len(written))
        await asyncio.sleep(0.3)  # room for a second publisher to show itself
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    seen = [e["data"]["note_id"] for e in probe.events]
    assert Counter(seen) == Counter(written)
    assert seen == written
    assert await db[OUTBOX].count_documents({"sent_at": None}) == 0


async def test_records_stay_pending_until_the_broker_has_confirmed_them(relay_db: Any, broker: Broker) -> None:
    client, db, _ = relay_db
    relay = OutboxRelay(db, broker, Metrics())
    await add_notes(client, db, ["n1"])
    broken = Broker("amqp://guest:guest@127.0.0.1:1/", "unused")
    never = OutboxRelay(db, broken, Metrics())
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(never.relay_once(), 0.3)  # waits for a broker that never answers
    assert await db[OUTBOX].count_documents({"sent_at": None}) == 1
    assert await relay.backlog() == 1
    assert await relay.relay_once() == 1
    assert await relay.backlog() == 0
    await broken.close()


async def test_a_sent_record_keeps_what_was_published_and_when_but_not_what_it_said(
    relay_db: Any, broker: Broker
) -> None:
    """Sent records outlive an erasure for a week (``sent_ttl``): their envelope and subject,
    which name people, go once the broker has confirmed them."""
    client, db, settings = relay_db
    relay = OutboxRelay(db, broker, Metrics())
    async with bus_probe(settings.amqp_url.get_secret_value(), settings.amqp_exchange) as probe:
        await add_notes(client, db, ["n1"])
        pending = await db[OUTBOX].find_one({})
        assert pending is not None
        assert "n1" in pending["envelope"]
        assert pending["subject"] == "notebook/1"
        assert await relay.relay_once() == 1
        [event] = await probe.wait_for(NOTE_WRITTEN)
    sent = await db[OUTBOX].find_one({})
    assert sent is not None
    assert (event["data"]["note_id"], event["subject"]) == ("n1", "notebook/1")
    assert (sent["_id"], sent["type"], sent["sent_at"] is not None) == (event["id"], NOTE_WRITTEN, True)
    assert "envelope" not in sent
    assert "subject" not in sent
    await relay.release()


async def test_a_run_of_events_about_one_subject_is_one_record_and_leaves_as_the_same_messages_in_order(
    relay_db: Any, broker: Broker
) -> None:
    """Month end writes a household's events as one record: the bus sees each as its own
    message with its own id, in the order written, and the sent record names nobody."""
    client, db, settings = relay_db
    outbox, at = Outbox(db), datetime(2026, 4, 1, tzinfo=UTC)
    subjects = ["book/1", "book/1", "book/1", "book/2", "book/1", None, None]
    events = [(NoteWritten(note_id=f"n{i}", text="x"), s, at) for i, s in enumerate(subjects)]

    async def work(session: Session) -> None:
        await outbox.add_data(session, "/plussa/notes", events, grouped=True)

    await run_in_transaction(client, work)
    records = await db[OUTBOX].find().sort([("created_at", 1), ("order", 1)]).to_list()
    assert [(r["subject"], 1 + len(r.get(MORE, []))) for r in records] == [
        ("book/1", 3),
        ("book/2", 1),
        ("book/1", 1),
        (None, 1),
        (None, 1),
    ]
    written = [json.loads(e["envelope"]) for r in records for e in (r, *r.get(MORE, []))]
    relay = OutboxRelay(db, broker, Metrics())
    assert await relay.backlog() == len(events)
    async with bus_probe(settings.amqp_url.get_secret_value(), settings.amqp_exchange) as probe:
        assert await relay.relay_once() == len(events)
        published = await probe.wait_for(NOTE_WRITTEN, count=len(events))
    await relay.release()
    assert published == written
    assert [e["data"]["note_id"] for e in published] == [f"n{i}" for i in range(len(events))]
    assert [e["subject"] for e in published] == subjects
    assert [_text(probe.headers[e["id"]]["ce-subject"]) for e in published] == [s or "" for s in subjects]
    assert len({e["id"] for e in published}) == len(events)
    assert await relay.backlog() == 0
    [sent] = await db[OUTBOX].find({MORE: {"$exists": True}}).to_list()
    assert "envelope" not in sent
    assert "subject" not in sent
    assert sent[MORE] == [
        {"_id": e["id"], "type": NOTE_WRITTEN, "routing_key": "notes.note.written"} for e in published[1:3]
    ]


class _DiesAfterOneWrite:
    """The relay's outbox collection in a process that dies after its first update."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.updates = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    async def update_many(self, *args: Any, **kwargs: Any) -> Any:
        self.updates += 1
        if self.updates > 1:
            raise ConnectionFailure("the relay died")
        return await self._collection.update_many(*args, **kwargs)


async def test_a_relay_dying_while_marking_records_sent_leaves_no_sent_record_holding_an_envelope(
    relay_db: Any, broker: Broker
) -> None:
    """Marking a batch sent is one write: whatever happens after it, a record is either
    pending with its envelopes or sent with none, in its own fields or in ``more``."""
    client, db, settings = relay_db
    at = datetime(2026, 4, 1, tzinfo=UTC)
    events = [(NoteWritten(note_id=f"n{i}", text="x"), s, at) for i, s in enumerate(["book/1", "book/1", None])]

    async def work(session: Session) -> None:
        await Outbox(db).add_data(session, "/plussa/notes", events, grouped=True)

    await run_in_transaction(client, work)
    relay = OutboxRelay(db, broker, Metrics())
    relay._outbox = _DiesAfterOneWrite(relay._outbox)  # the crash, where the relay writes
    async with bus_probe(settings.amqp_url.get_secret_value(), settings.amqp_exchange) as probe:
        with contextlib.suppress(ConnectionFailure):
            await relay.relay_once()
        await probe.wait_for(NOTE_WRITTEN, count=len(events))
    await relay.release()

    records = await db[OUTBOX].find().to_list()
    assert [r["sent_at"] is not None for r in records] == [True, True]
    for record in records:
        assert "envelope" not in record
        assert "subject" not in record
        assert all("envelope" not in event for event in record.get(MORE, []))
    assert sorted(len(r.get(MORE, [])) for r in records) == [0, 1]


async def test_an_event_carries_the_request_id_of_the_request_that_caused_it(
    aiohttp_client: Any, settings_for: Any, tokens: Any
) -> None:
    settings = settings_for(ServiceSettings, service_name="writer")
    writer = await aiohttp_client(create_service_app(settings, WRITER))
    async with bus_probe(settings.amqp_url.get_secret_value(), settings.amqp_exchange) as probe:
        headers = {**tokens.bearer(tokens.customer("p1", "h1")), "X-Request-ID": "req-4711"}
        resp = await writer.post("/v1/notes", json={"note_id": "n1", "text": "x"}, headers=headers)
        assert resp.status == 201
        assert resp.headers["X-Request-ID"] == "req-4711"
        [event] = await probe.wait_for(NOTE_WRITTEN)
    assert probe.headers[event["id"]]["x-request-id"] == "req-4711"
    assert event["subject"] == "note/n1"


async def test_an_event_given_a_trace_of_its_own_is_published_in_it_and_the_others_in_the_current_one(
    relay_db: Any, broker: Broker
) -> None:
    """A mail's outcome goes out in the trace the mail was queued in, though it is recorded
    in a transaction of the sender's batch, beside other mails' outcomes."""
    client, db, settings = relay_db
    own = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "tracestate": "plussa=t1"}
    events = [new_event(NoteWritten(note_id=n, text="x"), source="/test", subject="notebook/1") for n in ("own", "cur")]
    outbox = Outbox(db)

    async def work(session: Session) -> None:
        await outbox.add(session, events, traces={events[0].id: own})

    tracer = Tracing.for_service(settings).tracer
    with tracer.start_as_current_span("batch") as batch:
        await run_in_transaction(client, work)
    current = batch.get_span_context()
    relay = OutboxRelay(db, broker, Metrics())
    async with bus_probe(settings.amqp_url.get_secret_value(), settings.amqp_exchange) as probe:
        assert await relay.relay_once() == 2
        published = await probe.wait_for(NOTE_WRITTEN, count=2)
    await relay.release()

    headers = {e["data"]["note_id"]: probe.headers[e["id"]] for e in published}
    assert _text(headers["own"]["traceparent"]) == own["traceparent"]
    assert _text(headers["own"]["tracestate"]) == "plussa=t1"
    assert (
        _text(headers["cur"]["traceparent"])
        == f"00-{current.trace_id:032x}-{current.span_id:016x}-{current.trace_flags:02x}"
    )
    assert "tracestate" not in headers["cur"]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class _DiesBeforeMarkingSent:
    """An outbox collection whose relay dies between the broker's confirms and marking
    the batch sent: the worst moment for a replica to be killed."""

    def __init__(self, real: Any, confirmed: asyncio.Event) -> None:
        self._real = real
        self._confirmed = confirmed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def update_many(self, *args: Any, **kwargs: Any) -> None:
        self._confirmed.set()
        await asyncio.Event().wait()  # killed here: never marks, never releases its lease


async def test_when_the_relaying_replica_dies_mid_batch_the_other_takes_the_lease_and_nothing_is_lost(
    relay_db: Any, broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, db, settings = relay_db
    dying = OutboxRelay(db, broker, Metrics(), poll_interval_s=0.02, batch_size=5, lease_s=1.0)
    confirmed = asyncio.Event()
    monkeypatch.setattr(dying, "_outbox", _DiesBeforeMarkingSent(db[OUTBOX], confirmed))
    survivor = OutboxRelay(db, broker, Metrics(), poll_interval_s=0.02, batch_size=5, lease_s=1.0)
    written = [f"n{i:02}" for i in range(12)]
    async with bus_probe(settings.amqp_url.get_secret_value(), settings.amqp_exchange) as probe:
        await add_notes(client, db, written[:8])
        killed = asyncio.create_task(dying.run())
        await asyncio.wait_for(confirmed.wait(), 10)
        taking_over = asyncio.create_task(survivor.run())
        killed.cancel()  # the replica is gone, its lease left to expire
        await add_notes(client, db, written[8:])
        await probe.wait_for(NOTE_WRITTEN, count=len(written) + 5, timeout=15)
        await asyncio.sleep(0.3)  # room for anything published a third time to show itself
        taking_over.cancel()
        await asyncio.gather(killed, taking_over, return_exceptions=True)
    seen = Counter(e["data"]["note_id"] for e in probe.events)
    ids: dict[str, set[str]] = {e["data"]["note_id"]: set() for e in probe.events}
    for e in probe.events:
        ids[e["data"]["note_id"]].add(e["id"])
    assert set(seen) == set(written)  # nothing lost
    assert sorted(n for n, times in seen.items() if times > 1) == written[:5]  # only the dead replica's batch again
    assert max(seen.values()) == 2
    assert all(len(event_ids) == 1 for event_ids in ids.values())  # the same event id: the inbox absorbs it
    assert await db[OUTBOX].count_documents({"sent_at": None}) == 0
    lease = await db[LEASES].find_one({"_id": "relay"})
    assert lease is not None
    assert lease["owner"] == survivor._owner
    await survivor.release()
