"""One trace per piece of work: W3C trace context from an HTTP request, through the outbox
and the bus, into the consuming service's log lines and the events its handler publishes."""

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import structlog
from aiohttp import web
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.context import ServiceContext
from plussa_shared.events import CloudEvent
from plussa_shared.keys import HTTP_CLIENT, SETTINGS, TRACING
from plussa_shared.settings import ServiceSettings
from plussa_shared.subscription import Subscription
from plussa_shared.testing.bus import bus_probe
from plussa_shared.testing.logs import LogLines
from plussa_shared.testing.sample import (
    NOTE_TAGGED,
    NOTE_WRITTEN,
    TAGGER,
    WRITER,
    NoteWrittenCopy,
    tag_note,
    tagger_subscriptions,
)
from plussa_shared.tracing import IdsOnlyTracer, Tracing, consuming, extracted, span_exporter, trace_headers

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{CALLER_SPAN}-01"


def traceparent_of(headers: dict[str, Any]) -> str:
    value = headers.get("traceparent")
    return value.decode() if isinstance(value, bytes) else str(value)


def trace_id_of(headers: dict[str, Any]) -> str:
    return traceparent_of(headers).split("-")[1]


async def start(aiohttp_client: Any, settings_for: Any, name: str, spec: Any, exporter: Any = None) -> Any:
    settings = settings_for(ServiceSettings, service_name=name)
    app = create_service_app(settings, spec)
    if exporter is not None:
        app[TRACING] = Tracing.for_service(settings, SimpleSpanProcessor(exporter))
    return await aiohttp_client(app)


async def write_note(writer: Any, tokens: Any, note_id: str, **headers: str) -> None:
    auth = tokens.bearer(tokens.customer("aino", "h1"))
    resp = await writer.post("/v1/notes", json={"note_id": note_id, "text": "hi"}, headers={**auth, **headers})
    assert resp.status == 201, await resp.text()


async def test_a_purchase_like_flow_carries_the_callers_trace_id_through_both_services_logs_and_events(
    aiohttp_client: Any, settings_for: Any, tokens: Any, logs: LogLines
) -> None:
    writer = await start(aiohttp_client, settings_for, "writer", WRITER)
    await start(aiohttp_client, settings_for, "tagger", TAGGER)
    async with bus_probe(*_bus(writer)) as bus:
        await write_note(writer, tokens, "n1", traceparent=TRACEPARENT, **{"X-Request-ID": "till-1"})
        [written] = await bus.wait_for(NOTE_WRITTEN)
        [tagged] = await bus.wait_for(NOTE_TAGGED)

    # The event the request wrote carries the caller's trace, under the request's own span.
    assert trace_id_of(bus.headers[written["id"]]) == TRACE_ID
    assert traceparent_of(bus.headers[written["id"]]) != TRACEPARENT
    # Every line the purchase caused, in either service, shows the trace id.
    caused = [line for line in logs.all() if line.get("request_id") == "till-1"]
    assert {line["event"] for line in caused} >= {"request", "note_tagged", "event_handled"}
    assert all(line.get("trace_id") == TRACE_ID for line in caused)
    # The tagger's lines about that event (its handler's included) show it too.
    tagger_lines = logs.about_event(written["id"])
    assert {line["event"] for line in tagger_lines} >= {"note_tagged", "event_handled"}
    assert all(line["trace_id"] == TRACE_ID for line in tagger_lines)
    # And the event the tagger's use case published in answer carries the same trace.
    assert trace_id_of(bus.headers[tagged["id"]]) == TRACE_ID


async def test_a_request_without_a_traceparent_starts_a_trace_its_event_and_log_lines_share(
    aiohttp_client: Any, settings_for: Any, tokens: Any, logs: LogLines
) -> None:
    writer = await start(aiohttp_client, settings_for, "writer", WRITER)
    async with bus_probe(*_bus(writer)) as bus:
        await write_note(writer, tokens, "n2")
        [written] = await bus.wait_for(NOTE_WRITTEN)

    trace_id = trace_id_of(bus.headers[written["id"]])
    assert len(trace_id) == 32
    assert trace_id != "0" * 32
    [request_line] = [line for line in logs.all() if line.get("route") == "/v1/notes"]
    assert request_line["trace_id"] == trace_id
    assert len(request_line["span_id"]) == 16


async def test_outgoing_http_calls_carry_the_current_trace(aiohttp_client: Any, settings_for: Any) -> None:
    seen: list[str] = []

    async def echo(request: web.Request) -> web.Response:
        seen.append(request.headers.get("traceparent", ""))
        return web.Response(text="ok")

    callee = web.Application()
    callee.router.add_get("/echo", echo)
    callee_client = await aiohttp_client(callee)
    caller = await start(aiohttp_client, settings_for, "writer", WRITER)
    with caller.app[TRACING].tracer.start_as_current_span("work") as span:
        async with caller.app[HTTP_CLIENT].get(callee_client.make_url("/echo")) as resp:
            assert resp.status == 200

    [traceparent] = seen
    assert traceparent.split("-")[1] == format(span.get_span_context().trace_id, "032x")


async def test_spans_are_exported_with_their_parents_when_an_exporter_is_installed(
    aiohttp_client: Any, settings_for: Any, tokens: Any
) -> None:
    exported = InMemorySpanExporter()
    writer = await start(aiohttp_client, settings_for, "writer", WRITER, exported)
    await start(aiohttp_client, settings_for, "tagger", TAGGER, exported)
    async with bus_probe(*_bus(writer)) as bus:
        await write_note(writer, tokens, "n3", traceparent=TRACEPARENT)
        await bus.wait_for(NOTE_TAGGED)

    spans: tuple[ReadableSpan, ...] = ()
    for _ in range(100):  # the consumer span ends once the message is acked
        spans = exported.get_finished_spans()
        if any(s.kind is SpanKind.CONSUMER for s in spans):
            break
        await asyncio.sleep(0.05)
    [server] = [s for s in spans if s.kind is SpanKind.SERVER]
    [consumer] = [s for s in spans if s.kind is SpanKind.CONSUMER]
    assert server.name == "POST /v1/notes"
    assert server.resource.attributes["service.name"] == "writer"
    assert consumer.resource.attributes["service.name"] == "tagger"
    assert {format(s.context.trace_id, "032x") for s in (server, consumer)} == {TRACE_ID}
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == CALLER_SPAN
    assert server.parent.is_remote
    assert consumer.parent is not None
    assert consumer.parent.span_id == server.context.span_id


async def test_with_an_otlp_endpoint_spans_are_sent_there_named_after_the_service(
    aiohttp_client: Any, settings_for: Any
) -> None:
    received: list[bytes] = []

    async def collect(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.Response(status=200, content_type="application/x-protobuf")

    collector = web.Application()
    collector.router.add_post("/v1/traces", collect)
    collector_client = await aiohttp_client(collector)
    settings = settings_for(ServiceSettings, service_name="writer", otlp_endpoint=str(collector_client.make_url("/")))
    tracing = Tracing.for_service(settings)
    with tracing.tracer.start_as_current_span("work"):
        pass
    await asyncio.to_thread(tracing.shutdown)  # sends what waits

    [body] = received
    request = ExportTraceServiceRequest.FromString(body)
    [resource_spans] = request.resource_spans
    names = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert names["service.name"] == "writer"
    assert [s.name for s in resource_spans.scope_spans[0].spans] == ["work"]


async def test_without_an_otlp_endpoint_no_exporter_and_no_export_thread_exist(
    aiohttp_client: Any, settings_for: Any, tokens: Any
) -> None:
    settings = settings_for(ServiceSettings, service_name="writer")
    assert settings.otlp_endpoint is None
    assert span_exporter(settings) is None
    writer = await aiohttp_client(create_service_app(settings, WRITER))
    await write_note(writer, tokens, "n4", traceparent=TRACEPARENT)
    assert not [t.name for t in threading.enumerate() if t.name.startswith("OtelBatch")]


def _bus(client: Any) -> tuple[str, str]:
    settings = client.app[SETTINGS]
    return settings.amqp_url.get_secret_value(), settings.amqp_exchange


def batched_tagger(batch_sizes: list[int] | None = None) -> ServiceSpec:
    """The tagger with its subscription batched (as points applies purchases); with
    ``batch_sizes`` a batch handler tags a batch at once and notes its size."""

    def subscriptions(ctx: ServiceContext[Any]) -> Sequence[Subscription[Any]]:
        [subscription] = tagger_subscriptions(ctx)
        batch_handler = None
        if batch_sizes is not None:

            async def tag_all(events: Sequence[CloudEvent[NoteWrittenCopy]]) -> None:
                batch_sizes.append(len(events))
                for event in events:
                    await tag_note(ctx, event.data.note_id)

            batch_handler = tag_all
        return [replace(subscription, batch_max=10, batch_linger_ms=500, batch_handler=batch_handler)]

    return replace(TAGGER, subscriptions=subscriptions)


async def test_events_applied_in_a_batch_each_keep_their_own_trace(
    aiohttp_client: Any, settings_for: Any, tokens: Any, logs: LogLines
) -> None:
    writer = await start(aiohttp_client, settings_for, "writer", WRITER)
    await start(aiohttp_client, settings_for, "tagger", batched_tagger())
    other_trace = "0af7651916cd43dd8448eb211c80319c"
    async with bus_probe(*_bus(writer)) as bus:
        await write_note(writer, tokens, "b1", traceparent=TRACEPARENT)
        await write_note(writer, tokens, "b2", traceparent=f"00-{other_trace}-b7ad6b7169203331-01")
        tagged = await bus.wait_for(NOTE_TAGGED, count=2)
        written = await bus.wait_for(NOTE_WRITTEN, count=2)

    trace_of_note = {e["data"]["note_id"]: trace_id_of(bus.headers[e["id"]]) for e in tagged}
    assert trace_of_note == {"b1": TRACE_ID, "b2": other_trace}
    for event in written:
        lines = logs.about_event(event["id"])
        assert lines
        assert {line["trace_id"] for line in lines} == {trace_id_of(bus.headers[event["id"]])}


async def test_a_batch_handlers_events_carry_the_trace_its_messages_share(
    aiohttp_client: Any, settings_for: Any, tokens: Any
) -> None:
    batch_sizes: list[int] = []
    writer = await start(aiohttp_client, settings_for, "writer", WRITER)
    await start(aiohttp_client, settings_for, "tagger", batched_tagger(batch_sizes))
    async with bus_probe(*_bus(writer)) as bus:
        await write_note(writer, tokens, "s1", traceparent=TRACEPARENT)
        await write_note(writer, tokens, "s2", traceparent=TRACEPARENT)
        tagged = await bus.wait_for(NOTE_TAGGED, count=2)

    assert batch_sizes == [2]
    assert {trace_id_of(bus.headers[e["id"]]) for e in tagged} == {TRACE_ID}


def test_without_an_exporter_spans_carry_ids_only_continuing_the_callers_trace_and_flags() -> None:
    tracer = IdsOnlyTracer()
    unsampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"

    with tracer.start_as_current_span("root") as root:
        assert trace_headers()["traceparent"].endswith(f"-{format(root.get_span_context().span_id, '016x')}-01")
        with tracer.start_as_current_span("child") as child:
            assert child.get_span_context().trace_id == root.get_span_context().trace_id
            assert child.get_span_context().span_id != root.get_span_context().span_id
    continued_span = tracer.start_span("request", context=extracted({"traceparent": TRACEPARENT, "tracestate": "k=v"}))
    dropped = tracer.start_span("request", context=extracted({"traceparent": unsampled}))

    assert not root.is_recording()
    assert format(continued_span.get_span_context().trace_id, "032x") == TRACE_ID
    assert continued_span.get_span_context().trace_state.to_header() == "k=v"
    assert continued_span.get_span_context().trace_flags.sampled
    assert not dropped.get_span_context().trace_flags.sampled
    assert trace.get_current_span() is trace.INVALID_SPAN


def test_without_an_exporter_a_message_continues_its_trace_in_the_log_context_and_puts_back_what_was_bound() -> None:
    tracer = IdsOnlyTracer()
    structlog.contextvars.bind_contextvars(span_id="outer", message_id="m1")
    try:
        with consuming(tracer, {"traceparent": TRACEPARENT.encode(), "x-request-id": b"r1"}, "note.written") as span:
            bound = structlog.contextvars.get_contextvars()
            current = trace.get_current_span().get_span_context()
            assert span.get_span_context() == current
            assert (bound["trace_id"], bound["message_id"]) == (TRACE_ID, "m1")
            assert bound["span_id"] == format(current.span_id, "016x") != CALLER_SPAN
            assert trace_headers()["traceparent"] == f"00-{TRACE_ID}-{bound['span_id']}-01"
        with consuming(tracer, None, "note.written"):
            started = structlog.contextvars.get_contextvars()["trace_id"]
        after = structlog.contextvars.get_contextvars()
    finally:
        structlog.contextvars.clear_contextvars()

    assert started != TRACE_ID
    assert after == {"span_id": "outer", "message_id": "m1"}
    assert trace.get_current_span() is trace.INVALID_SPAN
