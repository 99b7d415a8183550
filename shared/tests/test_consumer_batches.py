"""The consumer's opt-in batches: several events in one transaction, each still once, in order."""

import json
from dataclasses import dataclass, field, replace
from typing import Any

import aio_pika
import pytest

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.events import CloudEvent
from plussa_shared.keys import CONSUMER
from plussa_shared.mongo import Session
from plussa_shared.settings import ServiceSettings
from plussa_shared.settling import RejectEventError
from plussa_shared.subscription import Subscription
from plussa_shared.testing.bus import drain, envelope
from plussa_shared.testing.sample import (
    NOTE_WRITTEN,
    Behaviour,
    NoteWrittenCopy,
    apply_normally,
    arrivals,
    effects,
    reader_spec,
    wait_until,
)


@dataclass
class BatchReader:
    """A started reader whose note subscription is batched, with what tests look at."""

    client: Any
    settings: ServiceSettings
    holder: dict[str, Any]
    sessions: list[Session] = field(default_factory=list)

    @property
    def dead_queue(self) -> str:
        return f"{self.settings.amqp_queue_prefix}{self.settings.service_name}.events.dead"

    @property
    def transactions(self) -> int:
        """How many distinct transactions (sessions) the handler ran in."""
        return len({id(s) for s in self.sessions})

    async def effects(self) -> dict[str, int]:
        return await effects(self.holder["db"])

    async def metrics(self) -> str:
        text: str = await (await self.client.get("/metrics")).text()
        return text


def batched(spec: ServiceSpec, sessions: list[Session], batch_max: int, linger_ms: float) -> ServiceSpec:
    """The sample reader with its subscription batched, noting each session its handler runs in."""

    def batch(subscription: Subscription[Any]) -> Subscription[Any]:
        handler = subscription.handler

        async def noting(event: CloudEvent[Any], session: Session) -> None:
            sessions.append(session)
            await handler(event, session)

        return replace(subscription, handler=noting, batch_max=batch_max, batch_linger_ms=linger_ms)

    return replace(spec, subscriptions=[batch(s) for s in spec.subscriptions])


@pytest.fixture
def start_batch_reader(aiohttp_client: Any, settings_for: Any) -> Any:
    async def start(
        behaviour: Behaviour = apply_normally, *, batch_max: int = 10, linger_ms: float = 300, **overrides: Any
    ) -> BatchReader:
        settings = settings_for(ServiceSettings, service_name="reader", **overrides)
        holder: dict[str, Any] = {}
        sessions: list[Session] = []
        spec = batched(reader_spec(holder, behaviour), sessions, batch_max, linger_ms)
        client = await aiohttp_client(create_service_app(settings, spec))
        assert (await client.get("/health/ready")).status == 200
        return BatchReader(client, settings, holder, sessions)

    return start


def note(note_id: str, *, subject: str, event_id: str | None = None) -> dict[str, Any]:
    return envelope(NOTE_WRITTEN, {"note_id": note_id, "text": "x"}, event_id=event_id, subject=subject)


async def publish_all(amqp_url: str, exchange: str, events: list[dict[str, Any]]) -> None:
    """Publish in order on one channel, quickly enough to land in one batch."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        ex = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        for event in events:
            await ex.publish(
                aio_pika.Message(json.dumps(event).encode(), message_id=str(event["id"])),
                routing_key="notes.note.written",
            )
    finally:
        await connection.close()


async def test_a_batch_applies_each_of_its_events_once_in_one_transaction(
    start_batch_reader: Any, amqp_url: str
) -> None:
    reader = await start_batch_reader(batch_max=10)
    await publish_all(amqp_url, reader.settings.amqp_exchange, [note(f"n{i}", subject=f"s{i}") for i in range(10)])

    await wait_until(lambda: _metric(reader, "applied", 10), what="ten notes applied")
    assert await reader.effects() == {f"n{i}": 1 for i in range(10)}
    assert reader.transactions == 1


async def test_a_duplicate_inside_a_batch_and_a_redelivery_after_commit_change_nothing(
    start_batch_reader: Any, amqp_url: str
) -> None:
    reader = await start_batch_reader(batch_max=3)
    exchange = reader.settings.amqp_exchange
    # The same event id twice in one batch (sent with different subjects, so they do not wait for each other).
    await publish_all(
        amqp_url,
        exchange,
        [note("n1", subject="a", event_id="e1"), note("n1", subject="b", event_id="e1"), note("n2", subject="c")],
    )
    await wait_until(lambda: _metric(reader, "duplicate", 1), what="the in-batch duplicate skipped")
    assert reader.transactions == 1

    await publish_all(amqp_url, exchange, [note("n1", subject="a", event_id="e1"), note("n3", subject="d")])
    await wait_until(lambda: _metric(reader, "duplicate", 2), what="the redelivery skipped")
    await wait_until(lambda: _metric(reader, "applied", 3), what="the note behind it applied")
    assert await reader.effects() == {"n1": 1, "n2": 1, "n3": 1}


async def test_one_failing_event_in_a_batch_is_retried_and_dead_lettered_alone_while_the_others_apply_once(
    start_batch_reader: Any, amqp_url: str
) -> None:
    attempts: list[str] = []

    async def fail_bad(event: CloudEvent[NoteWrittenCopy]) -> None:
        if event.data.note_id == "bad":
            attempts.append(event.id)
            raise RuntimeError("ledger unavailable")

    reader = await start_batch_reader(fail_bad, batch_max=5, consumer_retry_delays_ms=[50, 100])
    events = [note(f"n{i}", subject=f"s{i}") for i in range(4)]
    events.insert(2, note("bad", subject="sb", event_id="e-bad"))
    await publish_all(amqp_url, reader.settings.amqp_exchange, events)

    [dead] = await drain(amqp_url, reader.dead_queue, timeout=10)
    assert (dead.headers or {})["x-plussa-dead-reason"] == "handler-failed"
    assert (dead.headers or {})["x-plussa-dead-detail"] == "RuntimeError: ledger unavailable"
    assert json.loads(dead.body)["id"] == "e-bad"
    # In the failed batch, alone after it, and once per delay.
    assert attempts == ["e-bad"] * 4
    assert await reader.effects() == {f"n{i}": 1 for i in range(4)}
    metrics = await reader.metrics()
    assert f'events_consumed_total{{outcome="applied",type="{NOTE_WRITTEN}"}} 4.0' in metrics
    assert f'events_consumed_total{{outcome="retried",type="{NOTE_WRITTEN}"}} 2.0' in metrics


async def test_a_rejected_event_in_a_batch_is_dead_lettered_at_once_and_the_others_apply_once(
    start_batch_reader: Any, amqp_url: str
) -> None:
    async def reject_bad(event: CloudEvent[NoteWrittenCopy]) -> None:
        if event.data.note_id == "bad":
            raise RejectEventError("card c1 is blocked")

    reader = await start_batch_reader(reject_bad, batch_max=3)
    events = [note("n1", subject="s1"), note("bad", subject="sb"), note("n2", subject="s2")]
    await publish_all(amqp_url, reader.settings.amqp_exchange, events)

    [dead] = await drain(amqp_url, reader.dead_queue, timeout=10)
    assert (dead.headers or {})["x-plussa-dead-reason"] == "rejected"
    assert (dead.headers or {})["x-plussa-dead-detail"] == "card c1 is blocked"
    await wait_until(lambda: _metric(reader, "applied", 2), what="the other notes applied")
    assert await reader.effects() == {"n1": 1, "n2": 1}


async def test_events_about_one_subject_keep_their_order_across_batches(start_batch_reader: Any, amqp_url: str) -> None:
    reader = await start_batch_reader(batch_max=8, linger_ms=5, consumer_prefetch=50)
    written = [f"n{i:02}" for i in range(30)]
    events = []
    for i, note_id in enumerate(written):
        events.append(note(note_id, subject="notebook/1"))
        events.append(note(f"other{i:02}", subject=f"other/{i}"))
    await publish_all(amqp_url, reader.settings.amqp_exchange, events)

    await wait_until(lambda: _metric(reader, "applied", 60), what="every note applied")
    assert await arrivals(reader.holder["db"], "notebook/1") == written
    assert reader.transactions < 60  # others shared batches


async def _metric(reader: BatchReader, outcome: str, value: float) -> bool:
    for line in (await reader.metrics()).splitlines():
        if line.startswith("events_consumed_total{") and f'outcome="{outcome}"' in line:
            return float(line.split()[-1]) >= value
    return False


async def test_stopping_applies_and_acks_the_events_waiting_in_a_batch(start_batch_reader: Any, amqp_url: str) -> None:
    reader = await start_batch_reader(batch_max=10, linger_ms=30_000)
    await publish_all(amqp_url, reader.settings.amqp_exchange, [note(f"n{i}", subject=f"s{i}") for i in range(3)])
    main_queue = reader.settings.event_queue
    await wait_until(lambda: _waiting(amqp_url, main_queue, 0), what="all three delivered to the consumer")
    assert await reader.effects() == {}  # still gathering

    await reader.client.app[CONSUMER].stop()

    assert await reader.effects() == {"n0": 1, "n1": 1, "n2": 1}
    assert await _waiting(amqp_url, main_queue, 0)  # acked, not handed back to the broker


async def _waiting(amqp_url: str, queue_name: str, count: int) -> bool:
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True, passive=True)
        return queue.declaration_result.message_count == count
    finally:
        await connection.close()


async def test_events_of_one_order_key_keep_their_order_and_never_ride_in_two_batches_at_once(
    aiohttp_client: Any, settings_for: Any, amqp_url: str
) -> None:
    settings = settings_for(ServiceSettings, service_name="reader", consumer_prefetch=50)
    holder: dict[str, Any] = {}
    handled: list[tuple[str, Session]] = []  # the sessions kept, so no two batches share an id()
    spec = reader_spec(holder, apply_normally)

    def keyed(subscription: Subscription[Any]) -> Subscription[Any]:
        handler = subscription.handler

        async def noting(event: CloudEvent[Any], session: Session) -> None:
            handled.append((event.data.note_id, session))
            await handler(event, session)

        return replace(subscription, handler=noting, batch_max=8, batch_linger_ms=5, order_key=_book_of)

    client = await aiohttp_client(
        create_service_app(settings, replace(spec, subscriptions=[keyed(s) for s in spec.subscriptions]))
    )
    assert (await client.get("/health/ready")).status == 200
    reader = BatchReader(client, settings, holder)
    # A service's collections exist from its start-up; one first made inside two batches'
    # transactions at once is a write conflict that runs one of them again.
    for name in ("effects", "arrivals"):
        await holder["db"].create_collection(name)
    keyed_notes = [f"n{i:02}" for i in range(20)]
    events = []
    for i, note_id in enumerate(keyed_notes):  # one key, each about a subject of its own
        events.append(envelope(NOTE_WRITTEN, {"note_id": note_id, "text": "x"}, subject=f"page/{i}"))
        events.append(envelope(NOTE_WRITTEN, {"note_id": f"other{i:02}", "text": "x"}, subject=f"other/{i}"))
    await publish_all(amqp_url, settings.amqp_exchange, events)

    await wait_until(lambda: _metric(reader, "applied", 40), what="every note applied")
    in_key = [(note_id, session) for note_id, session in handled if note_id in keyed_notes]
    assert [note_id for note_id, _ in in_key] == keyed_notes  # in order, each once (no transaction ran again)
    assert len({id(session) for _, session in in_key}) == len(keyed_notes)  # each in a later batch
    assert len({id(session) for _, session in handled}) < 40  # the others shared batches


def _book_of(data: NoteWrittenCopy) -> str:
    return "book" if data.note_id.startswith("n") else data.note_id
