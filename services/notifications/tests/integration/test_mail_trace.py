"""A mail is sent in the trace of the work that queued it: queued while an event is
handled, it is sent later in the sender's own batch, yet its send span, the lines logged
while sending it and its ``message.sent`` / ``message.failed`` event all belong to that
event's trace. A mail queued outside any trace (a campaign's) is sent in a trace of its own."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from plussa_notifications.app import create_app
from plussa_notifications.context import NotificationsContext
from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.testing.smtp_sink import SmtpSink
from plussa_shared.keys import TRACING, context_of
from plussa_shared.testing.bus import bus_probe
from plussa_shared.testing.logs import LogLines
from plussa_shared.testing.tokens import TestTokens
from plussa_shared.tracing import Tracing

from .conftest import Harness
from .test_marketing import CITYMARKET, consenting, send

RECEIPT_SAVED = "fi.plussa.receipts.receipt.saved"
SENT = "fi.plussa.notifications.message.sent"
FAILED = "fi.plussa.notifications.message.failed"


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def traced(
    logs: LogLines,
    aiohttp_client: Any,
    notifications_settings: Callable[..., NotificationsSettings],
    tokens: TestTokens,
    smtp_sink: SmtpSink,
    spans: InMemorySpanExporter,
) -> Harness:
    """The service with its spans kept in ``spans`` and its JSON lines in ``logs``."""
    settings = notifications_settings()
    app = create_app(settings)
    app[TRACING] = Tracing.for_service(settings, SimpleSpanProcessor(spans))
    client = await aiohttp_client(app)
    return Harness(client, context_of(client.app, NotificationsContext), settings, tokens, smtp_sink)


def receipt(person_id: str, product: str) -> dict[str, Any]:
    return {
        "receipt_id": f"r-{uuid.uuid4().hex[:8]}",
        "person_id": person_id,
        "product_name": product,
        "store_name": "K-Citymarket Ruoholahti",
        "warranty_until": "2028-11-30",
    }


def ids_of(headers: dict[str, Any]) -> tuple[str, str]:
    """Trace id and parent span id of a message's ``traceparent``."""
    value = headers["traceparent"]
    _, trace_id, span_id, _ = (value.decode() if isinstance(value, bytes) else str(value)).split("-")
    return trace_id, span_id


def hex_ids(span: ReadableSpan) -> tuple[str, str]:
    assert span.context is not None
    return f"{span.context.trace_id:032x}", f"{span.context.span_id:016x}"


async def finished(spans: InMemorySpanExporter, name: str, count: int) -> list[ReadableSpan]:
    """The finished spans called ``name``, once there are ``count`` of them."""
    for _ in range(200):
        found = [s for s in spans.get_finished_spans() if s.name == name]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} {name!r} spans")


async def test_mails_queued_in_two_events_traces_are_sent_and_their_outcomes_published_each_in_its_own(
    traced: Harness, logs: LogLines, spans: InMemorySpanExporter
) -> None:
    harness = traced
    await harness.person("p-kept", "kept@example.fi")
    await harness.person("p-gone", "gone@example.fi")
    harness.sink.refuse_recipient("gone@example.fi")
    kept_trace, gone_trace = uuid.uuid4().hex, uuid.uuid4().hex
    async with bus_probe(*harness.amqp, "notifications.message.#") as bus:
        kept_event = await harness.publish(
            RECEIPT_SAVED, receipt("p-kept", "Televisio"), headers={"traceparent": f"00-{kept_trace}-{'1' * 16}-01"}
        )
        gone_event = await harness.publish(
            RECEIPT_SAVED, receipt("p-gone", "Pesukone"), headers={"traceparent": f"00-{gone_trace}-{'2' * 16}-01"}
        )
        [sent] = await bus.wait_for(SENT)
        [failed] = await bus.wait_for(FAILED)
    await harness.sink.wait_for(1)

    # Each outcome event is in the trace of the event that caused its mail, under the mail's send span.
    sends = await finished(spans, "mail send", 2)
    send_of = {hex_ids(s)[0]: s for s in sends}
    assert set(send_of) == {kept_trace, gone_trace}
    consumed = [s for s in spans.get_finished_spans() if s.kind is SpanKind.CONSUMER]
    handlings = {hex_ids(s)[0]: s for s in consumed if hex_ids(s)[0] in send_of}
    assert set(handlings) == {kept_trace, gone_trace}
    assert ids_of(bus.headers[sent["id"]]) == hex_ids(send_of[kept_trace])
    assert ids_of(bus.headers[failed["id"]]) == hex_ids(send_of[gone_trace])
    assert (sent["data"]["trigger_id"], failed["data"]["trigger_id"]) == (kept_event, gone_event)
    # A send span is the child of the handling that queued the mail, though it ran later, in the sender.
    for trace_id, send_span in send_of.items():
        assert send_span.parent is not None
        assert send_span.parent.span_id == handlings[trace_id].context.span_id
    assert send_of[kept_trace].attributes == {"plussa.message.kind": "receipt_saved", "plussa.message.status": "sent"}

    # The line of each mail's sending shows its trace and its send span; the batch's line shows none.
    attempts = {line["message_id"]: line for line in logs.named("mail_attempt")}
    kept_line, gone_line = attempts[sent["data"]["message_id"]], attempts[failed["data"]["message_id"]]
    assert (kept_line["trace_id"], kept_line["span_id"], kept_line["status"]) == (
        *hex_ids(send_of[kept_trace]),
        "sent",
    )
    assert (gone_line["trace_id"], gone_line["span_id"], gone_line["status"]) == (
        *hex_ids(send_of[gone_trace]),
        "failed",
    )
    # Neither the address nor the server's reply (which may quote it) is logged in the mail's trace.
    in_gone_trace = [line for line in logs.all() if line.get("trace_id") == gone_trace]
    assert gone_line in in_gone_trace
    assert "gone@example.fi" not in str(in_gone_trace)
    assert "No such user" not in str(in_gone_trace)
    batches = logs.named("mail_batch")
    assert batches
    assert all("trace_id" not in line for line in batches)


async def test_mails_a_campaign_queued_outside_any_trace_are_each_sent_in_a_trace_of_their_own(
    traced: Harness, logs: LogLines, spans: InMemorySpanExporter
) -> None:
    harness = traced
    await consenting(harness, "p-one", "fi", {CITYMARKET: True})
    await consenting(harness, "p-two", "sv", {CITYMARKET: True})
    async with bus_probe(*harness.amqp, "notifications.message.#") as bus:
        await send(harness, CITYMARKET)
        outcomes = await bus.wait_for(SENT, count=2)

    sends = await finished(spans, "mail send", 2)
    assert all(s.parent is None for s in sends)  # roots: the streamer queued them in no trace
    traces = {e["data"]["message_id"]: ids_of(bus.headers[e["id"]]) for e in outcomes}
    assert len({trace_id for trace_id, _ in traces.values()}) == 2
    assert set(traces.values()) == {hex_ids(s) for s in sends}
    attempts = {line["message_id"]: (line["trace_id"], line["span_id"]) for line in logs.named("mail_attempt")}
    assert {message_id: attempts[message_id] for message_id in traces} == traces
