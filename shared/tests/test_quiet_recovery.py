"""A fault the services survive is logged as one warning with its cause when it starts
and one info line when it is over, not as error-level tracebacks from the broker
libraries; readiness answers 503 at once while MongoDB is away. Real RabbitMQ behind a
proxy the test cuts, and a real mongod the test kills and starts again."""

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.events import CloudEvent
from plussa_shared.keys import DB
from plussa_shared.mongo import active_session
from plussa_shared.settings import ServiceSettings
from plussa_shared.subscription import Subscription
from plussa_shared.testing.bus import envelope, publish
from plussa_shared.testing.embedded_mongo import EmbeddedMongo
from plussa_shared.testing.logs import LogLines
from plussa_shared.testing.proxy import tcp_proxy
from plussa_shared.testing.sample import NOTE_WRITTEN, NoteWrittenCopy, effects, reader_spec, wait_until


async def _status(client: Any) -> int:
    return int((await client.get("/health/ready")).status)


async def _ready(client: Any) -> bool:
    return await _status(client) == 200


def batched_reader(holder: dict[str, Any], in_flight: asyncio.Event, release: asyncio.Event) -> ServiceSpec:
    """A reader applying notes in batches (as points applies purchases); the batch with
    the note ``held`` commits only once ``release`` is set."""

    async def apply(events: Sequence[CloudEvent[NoteWrittenCopy]]) -> None:
        db = holder["db"]
        for event in events:
            await db["effects"].update_one(
                {"_id": event.data.note_id},
                {"$inc": {"applied": 1}},
                upsert=True,
                session=active_session(db.client),
            )
        if any(event.data.note_id == "held" for event in events):
            in_flight.set()
            await release.wait()

    async def one(event: CloudEvent[NoteWrittenCopy]) -> None:
        await apply([event])

    async def hold_db(app: web.Application) -> AsyncIterator[None]:
        holder["db"] = app[DB]
        yield

    subscription = Subscription(NOTE_WRITTEN, NoteWrittenCopy, one, batch_max=50, batch_handler=apply)
    return ServiceSpec(title="reader", subscriptions=[subscription], contexts=[hold_db])


async def test_every_broker_connection_closed_mid_stream_is_one_warning_and_one_recovery_line_and_loses_nothing(
    aiohttp_client: Any, settings_for: Any, amqp_url: str, logs: LogLines
) -> None:
    in_flight, release = asyncio.Event(), asyncio.Event()
    async with tcp_proxy(amqp_url) as proxy:
        settings = settings_for(ServiceSettings, service_name="reader", amqp_url=proxy.url_for(amqp_url))
        holder: dict[str, Any] = {}
        reader = await aiohttp_client(create_service_app(settings, batched_reader(holder, in_flight, release)))
        await wait_until(lambda: _ready(reader), what="reader ready")
        notes = ["held", *(f"n{i}" for i in range(20))]
        for note_id in notes:
            event = envelope(NOTE_WRITTEN, {"note_id": note_id, "text": "x"}, subject=f"note/{note_id}")
            await publish(amqp_url, settings.amqp_exchange, event)
        await asyncio.wait_for(in_flight.wait(), 10)

        await proxy.cut()
        await wait_until(lambda: _status_is(reader, 503), what="not ready while cut")
        release.set()  # the batch commits; its acks find the channel closed
        await wait_until(lambda: _logged(logs, "event_settle_deferred"), timeout=20, what="the lost acks noted")
        await proxy.restore()
        await wait_until(lambda: _ready(reader), timeout=20, what="ready again")
        await wait_until(lambda: _all_applied(holder, notes), timeout=20, what="every note applied")
        await wait_until(lambda: _logged(logs, "dependency_recovered"), what="the recovery noted")
        # What the cut and the recovery logged; closing the proxy afterwards is another outage.
        errors, warnings, lines = logs.at("error"), logs.at("warning"), logs.all()

    assert await effects(holder["db"]) == dict.fromkeys(notes, 1)  # the redelivered batch changed nothing
    assert errors == []
    [lost] = warnings
    assert lost["event"] == "dependency_unavailable"
    assert lost["dependency"] == "rabbitmq"
    assert lost["cause"]
    [recovered] = [line for line in lines if line["event"] == "dependency_recovered"]
    assert recovered["dependency"] == "rabbitmq"
    assert recovered["level"] == "info"
    assert {line["level"] for line in lines if line["event"] == "event_settle_deferred"} == {"info"}
    assert not any("exception" in line for line in lines)


async def test_mongod_killed_and_restarted_is_one_warning_and_one_recovery_line_and_readiness_answers_503_at_once(
    aiohttp_client: Any, settings_for: Any, amqp_url: str, logs: LogLines, tmp_path: Path
) -> None:
    mongo = EmbeddedMongo(tmp_path / "mongo")
    mongo_url = await asyncio.to_thread(mongo.start)
    try:
        settings = settings_for(ServiceSettings, service_name="reader", mongo_url=mongo_url)
        holder: dict[str, Any] = {}
        reader = await aiohttp_client(create_service_app(settings, reader_spec(holder)))
        await wait_until(lambda: _ready(reader), what="reader ready")

        assert mongo._process is not None
        mongo._process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(mongo._process.wait)
        started = asyncio.get_running_loop().time()
        status = await _status(reader)
        answered_in = asyncio.get_running_loop().time() - started
        during = [f"during-{i}" for i in range(3)]
        for note_id in during:
            await publish(amqp_url, settings.amqp_exchange, envelope(NOTE_WRITTEN, {"note_id": note_id, "text": "x"}))
        await asyncio.sleep(1)
        await asyncio.to_thread(mongo.start)
        await wait_until(lambda: _ready(reader), timeout=30, what="ready again")
        await wait_until(lambda: _all_applied(holder, during), timeout=30, what="notes of the outage applied")
        await wait_until(lambda: _logged(logs, "dependency_recovered"), what="the recovery noted")
        # What the outage and the recovery logged; stopping the server afterwards is another outage.
        errors, warnings, recoveries = logs.at("error"), logs.at("warning"), logs.named("dependency_recovered")
    finally:
        await asyncio.to_thread(mongo.stop)

    assert status == 503
    assert answered_in < 2.5
    assert errors == []
    [lost] = warnings
    assert lost["event"] == "dependency_unavailable"
    assert lost["dependency"] == "mongodb"
    assert lost["cause"]
    [recovered] = recoveries
    assert recovered["dependency"] == "mongodb"


def test_the_broker_libraries_reconnect_lines_are_debug_not_errors(logs: LogLines) -> None:
    logging.getLogger("aiormq.connection").error(
        'Unexpected connection close from remote "%s", Connection.Close(reply_code=%r, reply_text=%r)',
        "amqp://guest:******@127.0.0.1/",
        320,
        "CONNECTION_FORCED - Closed via management plugin",
    )
    logging.getLogger("aio_pika.tools").error(
        "Callback %r error: %s: %s",
        "<OneShotCallback: cb=<bound method RobustChannel._on_close of <RobustChannel>>>",
        "ChannelInvalidStateError",
        "No active transport in channel",
    )
    logging.getLogger("aiormq.connection").error("Unexpected frame %r", "frame")

    assert [line["event"] for line in logs.all()] == ["Unexpected frame 'frame'"]


async def _logged(logs: LogLines, event: str) -> bool:
    return bool(logs.named(event))


async def _status_is(client: Any, status: int) -> bool:
    return await _status(client) == status


async def _all_applied(holder: dict[str, Any], note_ids: list[str]) -> bool:
    seen = await effects(holder["db"])
    return all(seen.get(n, 0) >= 1 for n in note_ids)
