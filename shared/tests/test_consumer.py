"""The idempotent consumer: duplicates, retries, dead letters, crashes, order."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import aio_pika
import pytest
from aiohttp import web

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.events import CloudEvent, EventData, new_event
from plussa_shared.keys import CONSUMER, DB, MONGO, OUTBOX
from plussa_shared.mongo import Session
from plussa_shared.settings import ServiceSettings
from plussa_shared.settling import RETRY_HEADER, RejectEventError
from plussa_shared.subscription import Subscription
from plussa_shared.testing.bus import bus_probe, drain, envelope, publish
from plussa_shared.testing.sample import (
    NOTE_WRITTEN,
    WRITER,
    Behaviour,
    NoteWritten,
    NoteWrittenCopy,
    arrivals,
    effects,
    reader_spec,
    wait_until,
)
from plussa_shared.unit_of_work import UnitOfWork


class Reader:
    """A started reader app with handles on what tests look at."""

    def __init__(self, client: Any, settings: ServiceSettings, holder: dict[str, Any]) -> None:
        self.client = client
        self.settings = settings
        self.holder = holder

    @property
    def dead_queue(self) -> str:
        return f"{self.settings.amqp_queue_prefix}{self.settings.service_name}.events.dead"

    async def effects(self) -> dict[str, int]:
        return await effects(self.holder["db"])

    async def metrics(self) -> str:
        return await (await self.client.get("/metrics")).text()


@pytest.fixture
def start_reader(aiohttp_client: Any, settings_for: Any) -> Any:
    async def start(behaviour: Behaviour | None = None, **overrides: Any) -> Reader:
        settings = settings_for(ServiceSettings, service_name="reader", **overrides)
        holder: dict[str, Any] = {}
        spec = reader_spec(holder, behaviour) if behaviour else reader_spec(holder)
        client = await aiohttp_client(create_service_app(settings, spec))
        assert (await client.get("/health/ready")).status == 200
        return Reader(client, settings, holder)

    return start


def note(note_id: str, *, event_id: str | None = None, subject: str | None = None) -> dict[str, Any]:
    return envelope(NOTE_WRITTEN, {"note_id": note_id, "text": "x"}, event_id=event_id, subject=subject)


async def test_the_same_event_delivered_twice_is_applied_once(start_reader: Any, amqp_url: str) -> None:
    reader = await start_reader()
    exchange = reader.settings.amqp_exchange
    await publish(amqp_url, exchange, note("n1", event_id="same-id"))
    await publish(amqp_url, exchange, note("n1", event_id="same-id"))
    await publish(amqp_url, exchange, note("n2"))

    await wait_until(lambda: _metric_at_least(reader, 'outcome="duplicate"', 1), what="duplicate seen")
    await wait_until(lambda: _has(reader, "n2"), what="later note applied")
    assert await reader.effects() == {"n1": 1, "n2": 1}


async def test_a_failing_handler_is_retried_through_the_delay_queues_then_dead_lettered_with_its_reason(
    start_reader: Any, amqp_url: str
) -> None:
    attempts: list[str] = []

    async def always_fail(event: CloudEvent[NoteWrittenCopy]) -> None:
        attempts.append(event.id)
        raise RuntimeError("ledger unavailable")

    reader = await start_reader(always_fail, consumer_retry_delays_ms=[50, 100])
    original = note("n1", event_id="e-fail")
    await publish(amqp_url, reader.settings.amqp_exchange, original)

    [dead] = await drain(amqp_url, reader.dead_queue, timeout=10)
    assert attempts == ["e-fail"] * 3  # the first try and one per delay
    headers = dead.headers or {}
    assert headers["x-plussa-dead-reason"] == "handler-failed"
    assert headers["x-plussa-dead-detail"] == "RuntimeError: ledger unavailable"
    assert headers[RETRY_HEADER] == 2
    passed_through = {str(d["queue"]): d["count"] for d in headers["x-death"]}  # type: ignore[union-attr]
    main = f"{reader.settings.amqp_queue_prefix}reader.events"
    assert passed_through == {f"{main}.retry.50ms": 1, f"{main}.retry.100ms": 1}
    assert json.loads(dead.body) == original
    assert await reader.effects() == {}  # every attempt rolled back
    metrics = await reader.metrics()
    assert 'events_dead_lettered_total{reason="handler-failed"} 1.0' in metrics
    assert f'events_consumed_total{{outcome="retried",type="{NOTE_WRITTEN}"}} 2.0' in metrics


async def test_a_handler_that_fails_and_then_succeeds_applies_its_effect_once(start_reader: Any, amqp_url: str) -> None:
    attempts: list[str] = []

    async def fail_once(event: CloudEvent[NoteWrittenCopy]) -> None:
        attempts.append(event.id)
        if len(attempts) == 1:
            raise RuntimeError("briefly unavailable")

    reader = await start_reader(fail_once, consumer_retry_delays_ms=[50, 100])
    await publish(amqp_url, reader.settings.amqp_exchange, note("n1"))

    await wait_until(lambda: _has(reader, "n1"), what="note applied after a retry")
    assert len(attempts) == 2
    assert await reader.effects() == {"n1": 1}


async def test_a_rejected_event_is_dead_lettered_at_once_with_the_reason(start_reader: Any, amqp_url: str) -> None:
    attempts: list[str] = []

    async def reject(event: CloudEvent[NoteWrittenCopy]) -> None:
        attempts.append(event.id)
        raise RejectEventError("card c1 is blocked")

    reader = await start_reader(reject)
    original = note("n1")
    await publish(amqp_url, reader.settings.amqp_exchange, original)

    [dead] = await drain(amqp_url, reader.dead_queue)
    assert len(attempts) == 1
    assert (dead.headers or {})["x-plussa-dead-reason"] == "rejected"
    assert (dead.headers or {})["x-plussa-dead-detail"] == "card c1 is blocked"
    assert json.loads(dead.body) == original
    assert await reader.effects() == {}


async def test_malformed_messages_are_dead_lettered_at_once_and_do_not_stall_those_behind_them(
    start_reader: Any, amqp_url: str
) -> None:
    reader = await start_reader(consumer_prefetch=1)
    exchange = reader.settings.amqp_exchange
    key = "notes.note.written"
    not_json = b"{not json"
    not_an_envelope = json.dumps({"hello": "world"}).encode()
    bad_data = json.dumps(envelope(NOTE_WRITTEN, {"text": "no note id"})).encode()
    for body in (not_json, not_an_envelope, bad_data):
        await publish(amqp_url, exchange, body, routing_key=key)
    await publish(amqp_url, exchange, note("n-after"))

    dead = await drain(amqp_url, reader.dead_queue, count=3)
    await wait_until(lambda: _has(reader, "n-after"), what="the good message behind the bad ones applied")
    reasons = [((m.headers or {})["x-plussa-dead-reason"], m.body) for m in dead]
    assert reasons == [
        ("malformed-envelope", not_json),
        ("malformed-envelope", not_an_envelope),
        ("malformed-data", bad_data),
    ]
    assert "note_id" in str((dead[2].headers or {})["x-plussa-dead-detail"])
    metrics = await reader.metrics()
    assert 'events_dead_lettered_total{reason="malformed-envelope"} 2.0' in metrics
    assert 'events_dead_lettered_total{reason="malformed-data"} 1.0' in metrics


async def test_after_good_events_of_a_type_a_bad_one_of_that_type_or_another_type_is_still_told_apart(
    start_reader: Any, amqp_url: str
) -> None:
    reader = await start_reader(consumer_prefetch=1)
    exchange = reader.settings.amqp_exchange
    key = "notes.note.written"
    bad_data = json.dumps(envelope(NOTE_WRITTEN, {"text": "no note id"})).encode()
    bad_envelope = json.dumps({**note("n-bad"), "time": "yesterday"}).encode()
    unknown = json.dumps(envelope("fi.plussa.notes.note.burnt", {"note_id": "n-x", "text": "hi"})).encode()
    await publish(amqp_url, exchange, note("n-before"))
    for body in (bad_data, bad_envelope, unknown):
        await publish(amqp_url, exchange, body, routing_key=key)
    await publish(amqp_url, exchange, note("n-after"))

    dead = await drain(amqp_url, reader.dead_queue, count=3)
    await wait_until(lambda: _has(reader, "n-after"), what="the good message behind the bad ones applied")
    reasons = [((m.headers or {})["x-plussa-dead-reason"], m.body) for m in dead]
    assert reasons == [("malformed-data", bad_data), ("malformed-envelope", bad_envelope), ("no-handler", unknown)]
    assert await _has(reader, "n-before")


async def test_a_crash_between_the_commit_and_the_ack_does_not_apply_the_effect_twice(
    start_reader: Any, amqp_url: str
) -> None:
    reader = await start_reader()
    consumer = reader.client.app[CONSUMER]
    acknowledge = consumer.acknowledge
    crashes: list[str] = []

    async def crash_before_first_ack(message: Any) -> None:
        if not crashes:
            crashes.append(message.message_id)
            # The channel dies as a crashed process's would: the broker requeues
            # the unacked message and aio-pika reopens the channel.
            underlay = await consumer.channel.get_underlay_channel()
            await underlay.close()
            raise ConnectionError("channel closed before the ack")
        await acknowledge(message)

    consumer.acknowledge = crash_before_first_ack
    await publish(amqp_url, reader.settings.amqp_exchange, note("n1", event_id="e-crash"))

    await wait_until(lambda: _metric_at_least(reader, 'outcome="duplicate"', 1), what="redelivery handled")
    assert crashes == ["e-crash"]
    assert await reader.effects() == {"n1": 1}
    await publish(amqp_url, reader.settings.amqp_exchange, note("n2"))
    await wait_until(lambda: _has(reader, "n2"), what="the reopened channel consumes again")
    assert (await reader.client.get("/health/ready")).status == 200


async def test_events_about_one_subject_are_applied_in_the_order_they_were_written(
    aiohttp_client: Any, settings_for: Any, start_reader: Any
) -> None:
    reader = await start_reader(consumer_prefetch=50)
    writer = await aiohttp_client(create_service_app(settings_for(ServiceSettings, service_name="writer"), WRITER))
    app = writer.app
    written = [f"n{i:02}" for i in range(30)]
    events = [new_event(NoteWritten(note_id=n, text="x"), source="/test", subject="notebook/1") for n in written]

    async def work(session: Session) -> None:
        for event in events[:15]:
            await app[OUTBOX].add(session, [event])

    async def more(session: Session) -> None:
        await app[OUTBOX].add(session, events[15:])

    await UnitOfWork(app[MONGO], app[OUTBOX]).run(work)
    await UnitOfWork(app[MONGO], app[OUTBOX]).run(more)

    await wait_until(lambda: _has(reader, written[-1]), what="the last note applied")
    assert await arrivals(reader.holder["db"], "notebook/1") == written
    assert await app[DB]["outbox"].count_documents({"sent_at": None}) == 0


async def test_metrics_show_consumed_events_and_the_outbox_backlog(
    aiohttp_client: Any, settings_for: Any, start_reader: Any, tokens: Any
) -> None:
    reader = await start_reader()
    writer = await aiohttp_client(create_service_app(settings_for(ServiceSettings, service_name="writer"), WRITER))
    auth = tokens.bearer(tokens.customer("p1", "h1"))
    resp = await writer.post("/v1/notes", json={"note_id": "n1", "text": "x"}, headers=auth)
    assert resp.status == 201
    applied = f'events_consumed_total{{outcome="applied",type="{NOTE_WRITTEN}"}} 1.0'

    async def counted() -> bool:
        # The count follows the ack, which follows the commit the note shows.
        return applied in await reader.metrics()

    await wait_until(lambda: _has(reader, "n1"), what="note applied")
    await wait_until(counted, what="the applied event counted")
    published = await (await writer.get("/metrics")).text()
    assert f'events_published_total{{type="{NOTE_WRITTEN}"}} 1.0' in published
    assert "outbox_backlog 0.0" in published
    assert 'http_requests_total{method="POST",route="/v1/notes",status="201"} 1.0' in published


async def _has(reader: Reader, note_id: str) -> bool:
    return note_id in await reader.effects()


async def _metric_at_least(reader: Reader, label: str, value: float) -> bool:
    for line in (await reader.metrics()).splitlines():
        if line.startswith("events_consumed_total{") and label in line and float(line.split()[-1]) >= value:
            return True
    await asyncio.sleep(0.05)
    return False


async def test_changed_retry_delays_do_not_keep_the_consumer_from_starting(
    aiohttp_client: Any, settings_for: Any, amqp_url: str
) -> None:
    holder: dict[str, Any] = {}
    before = settings_for(ServiceSettings, service_name="reader", consumer_retry_delays_ms=[50, 100])
    first = await aiohttp_client(create_service_app(before, reader_spec(holder)))
    assert (await first.get("/health/ready")).status == 200
    await first.close()

    after = settings_for(ServiceSettings, service_name="reader", consumer_retry_delays_ms=[70, 100, 300])
    second = await aiohttp_client(create_service_app(after, reader_spec(holder)))
    assert (await second.get("/health/ready")).status == 200
    await publish(amqp_url, after.amqp_exchange, note("n1"))
    await wait_until(lambda: _has_note(holder, "n1"), what="note applied by the restarted reader")


async def _has_note(holder: dict[str, Any], note_id: str) -> bool:
    return note_id in await effects(holder["db"])


class NoteCounted(EventData):
    event_type: ClassVar[str] = "fi.plussa.counts.note.counted"
    note_id: str


async def test_an_event_a_handler_adds_to_the_outbox_is_published_without_waiting_for_the_next_poll(
    aiohttp_client: Any, settings_for: Any, amqp_url: str
) -> None:
    outbox: dict[str, Any] = {}

    async def count(event: CloudEvent[NoteWrittenCopy], session: Session) -> None:
        counted = new_event(NoteCounted(note_id=event.data.note_id), source="/plussa/counter")
        await outbox["outbox"].add(session, [counted])

    async def hold_outbox(app: web.Application) -> AsyncIterator[None]:
        outbox["outbox"] = app[OUTBOX]
        yield

    spec = ServiceSpec(
        title="counter", subscriptions=[Subscription(NOTE_WRITTEN, NoteWrittenCopy, count)], contexts=[hold_outbox]
    )
    # A poll interval far longer than the test may take: only the nudge can publish in time.
    settings = settings_for(ServiceSettings, service_name="counter", outbox_poll_interval_s=60)
    counter = await aiohttp_client(create_service_app(settings, spec))
    assert (await counter.get("/health/ready")).status == 200
    async with bus_probe(amqp_url, settings.amqp_exchange, "counts.#") as probe:
        await publish(amqp_url, settings.amqp_exchange, note("n1"))
        [counted] = await probe.wait_for(NoteCounted.event_type, timeout=5)
    assert counted["data"] == {"note_id": "n1"}


QUORUM_MAIN = {"x-queue-type": "quorum", "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}


async def _redeclare(amqp_url: str, name: str, arguments: dict[str, Any]) -> None:
    """Declare ``name`` again with ``arguments``: the broker refuses unless they are the ones it has."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        await channel.declare_queue(name, durable=True, arguments=arguments)
    finally:
        await connection.close()


async def test_with_quorum_queues_every_queue_is_quorum_and_the_service_queue_has_a_delivery_limit(
    start_reader: Any, amqp_url: str
) -> None:
    reader = await start_reader(queue_type="quorum", queue_delivery_limit=7, consumer_retry_delays_ms=[50])
    names = reader.client.app[CONSUMER].names

    # RabbitMQ accepts a second declaration only with equivalent arguments.
    await _redeclare(
        amqp_url,
        names.main,
        {
            **QUORUM_MAIN,
            "x-delivery-limit": 7,
            "x-dead-letter-exchange": names.requeue,
            "x-dead-letter-routing-key": names.dead,
        },
    )
    await _redeclare(
        amqp_url,
        names.delay(50),
        {
            **QUORUM_MAIN,
            "x-message-ttl": 50,
            "x-dead-letter-exchange": names.requeue,
            "x-dead-letter-routing-key": names.main,
        },
    )
    await _redeclare(amqp_url, names.dead, {"x-queue-type": "quorum"})
    with pytest.raises(aio_pika.exceptions.ChannelPreconditionFailed, match="x-queue-type"):
        await _redeclare(amqp_url, names.dead, {})
    with pytest.raises(aio_pika.exceptions.ChannelPreconditionFailed, match="x-delivery-limit"):
        await _redeclare(
            amqp_url,
            names.main,
            {**QUORUM_MAIN, "x-dead-letter-exchange": names.requeue, "x-dead-letter-routing-key": names.dead},
        )


async def test_by_default_the_service_queue_is_a_classic_queue_without_a_delivery_limit(
    start_reader: Any, amqp_url: str
) -> None:
    reader = await start_reader()
    names = reader.client.app[CONSUMER].names

    await _redeclare(
        amqp_url, names.main, {"x-dead-letter-exchange": names.requeue, "x-dead-letter-routing-key": names.dead}
    )
    with pytest.raises(aio_pika.exceptions.ChannelPreconditionFailed, match="x-queue-type"):
        await _redeclare(amqp_url, names.dead, {"x-queue-type": "quorum"})


async def test_on_quorum_queues_a_failing_handler_is_retried_through_the_delay_queues_then_dead_lettered(
    start_reader: Any, amqp_url: str
) -> None:
    attempts: list[str] = []

    async def always_fail(event: CloudEvent[NoteWrittenCopy]) -> None:
        attempts.append(event.id)
        raise RuntimeError("ledger unavailable")

    reader = await start_reader(always_fail, queue_type="quorum", consumer_retry_delays_ms=[50, 100])
    await publish(amqp_url, reader.settings.amqp_exchange, note("n1", event_id="e-quorum"))

    [dead] = await drain(amqp_url, reader.dead_queue, timeout=10)
    assert attempts == ["e-quorum"] * 3
    assert (dead.headers or {})["x-plussa-dead-reason"] == "handler-failed"
    assert await reader.effects() == {}


async def test_on_quorum_queues_a_message_delivered_past_the_delivery_limit_is_dead_lettered_not_dropped(
    start_reader: Any, amqp_url: str
) -> None:
    reader = await start_reader(queue_type="quorum", queue_delivery_limit=2)
    consumer = reader.client.app[CONSUMER]
    await consumer.stop()  # stands in for consumers that die holding the message, again and again
    await publish(amqp_url, reader.settings.amqp_exchange, note("n1", event_id="e-poison"))

    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(consumer.names.main, passive=True)
        deliveries = 0
        for _ in range(50):
            message = await queue.get(fail=False)
            if message is None:
                await asyncio.sleep(0.05)
                continue
            deliveries += 1
            await message.nack(requeue=True)
    finally:
        await connection.close()

    [dead] = await drain(amqp_url, reader.dead_queue)
    assert deliveries == 3  # the first delivery and two redeliveries: then the limit
    assert json.loads(dead.body)["id"] == "e-poison"
    [death] = (dead.headers or {})["x-death"]  # type: ignore[misc]
    assert death["reason"] == "delivery_limit"  # type: ignore[index]
