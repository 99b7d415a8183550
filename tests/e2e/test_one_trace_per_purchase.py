"""One purchase keeps one W3C trace id from the store's system through every service it
reaches, each of those its own ``python -m plussa_<service>`` process writing JSON logs,
on the real MongoDB, RabbitMQ and SMTP sink (identity and cards, which only make the
customer and the chain's credentials beforehand, run in the test's process).

A store system publishes the purchase (coffee and a TV with a two-year warranty) with a
``traceparent`` and an ``x-request-id``. Points credits it; benefits redeems the coffee
offer into campaign points, which points credits too; receipts keeps the TV's warranty
receipt, and notifications queues the mail telling the person it was saved, which its
sender sends later, in a batch of its own, yet in the purchase's trace. Every event those
hops put on the bus (the mail's ``message.sent`` too), every log line that names one of
them or the purchase's request id, the line of the mail's sending, and at least one line
of each of the four services carry the store's trace id. The four services export their
spans to an OTLP/HTTP receiver of the test; identity and cards, with no endpoint of their
own, export nothing even though OpenTelemetry's generic environment names the receiver.
"""

import json
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from plussa_benefits.settings import BenefitsSettings
from plussa_cards.app import create_app as cards_app
from plussa_cards.settings import CardsSettings
from plussa_identity.app import create_app as identity_app
from plussa_identity.settings import IdentitySettings
from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.testing.smtp_sink import SmtpSink
from plussa_points.settings import PointsSettings
from plussa_receipts.settings import ReceiptsSettings
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bus import bus_probe, envelope, publish
from plussa_shared.testing.embedded_mongo import free_port
from plussa_shared.testing.processes import service_processes, settings_values
from tests.e2e.stack import FAST_HASHING, PORTAL, Stack, eventually, line, purchase

REACHED: dict[str, type[ServiceSettings]] = {
    "points": PointsSettings,
    "benefits": BenefitsSettings,
    "receipts": ReceiptsSettings,
    "notifications": NotificationsSettings,
}
"""The services one purchase reaches, each run as its own process; they export spans."""
PURCHASE = "fi.plussa.stores.purchase.completed"
TIMEOUT_S = 30.0
START_TIMEOUT_S = 120.0
"""Four interpreters importing at once take long on a loaded 2-core machine."""


class OtlpReceiver:
    """An OTLP/HTTP endpoint: keeps every span posted to ``/v1/traces`` with its service's name."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, Any]] = []
        self.url = ""

    async def _traces(self, request: web.Request) -> web.Response:
        export = ExportTraceServiceRequest.FromString(await request.read())
        for resource_spans in export.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope in resource_spans.scope_spans:
                self.spans += [(attributes.get("service.name", "?"), span) for span in scope.spans]
        return web.Response(body=b"", content_type="application/x-protobuf")

    @asynccontextmanager
    async def running(self) -> AsyncIterator["OtlpReceiver"]:
        app = web.Application()
        app.router.add_post("/v1/traces", self._traces)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        try:
            yield self
        finally:
            await runner.cleanup()

    def of_trace(self, trace_id: str) -> dict[str, list[Any]]:
        """The spans of ``trace_id`` received so far, by service name."""
        found: dict[str, list[Any]] = {}
        for service, span in self.spans:
            if span.trace_id.hex() == trace_id:
                found.setdefault(service, []).append(span)
        return found


def log_lines(log: Path) -> list[dict[str, Any]]:
    """Every JSON line a service wrote so far."""
    lines = []
    for text in log.read_text(errors="replace").splitlines():
        if text.startswith("{"):
            lines.append(json.loads(text))
    return lines


def trace_of(traceparent: Any) -> str:
    """The trace id of a W3C ``traceparent`` header (bytes or text)."""
    text = traceparent.decode() if isinstance(traceparent, bytes) else str(traceparent)
    found = re.fullmatch(r"00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}", text)
    assert found is not None, f"not a traceparent: {text!r}"
    return found.group(1)


async def test_one_purchase_keeps_the_store_systems_trace_id_in_every_service_it_reaches_their_logs_events_and_spans(
    aiohttp_client: Any, settings_for: Any, amqp_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trace_id, store_span = secrets.token_hex(16), secrets.token_hex(8)
    request_id = f"store-{uuid.uuid4().hex[:12]}"
    (logs := tmp_path / "logs").mkdir()
    async with AsyncExitStack() as running:
        sink = SmtpSink(tmp_path / "mail").start()
        running.callback(sink.stop)
        receiver = await running.enter_async_context(OtlpReceiver().running())
        # OpenTelemetry's own variables name the receiver too: only a service's OTLP_ENDPOINT turns export on.
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url)
        monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
        identity = await aiohttp_client(identity_app(settings_for(IdentitySettings, **FAST_HASHING)))
        jwks = str(identity.make_url("/.well-known/jwks.json"))
        cards = await aiohttp_client(cards_app(settings_for(CardsSettings, jwks_url=jwks)))
        notifications = {
            "smtp_port": sink.port,
            "portal_base_url": PORTAL,
            "unsubscribe_base_url": "https://api.plussa.test",
            "sender_poll_interval_s": 0.1,
        }
        settings = {
            name: settings_for(
                cls,
                jwks_url=jwks,
                log_format="json",
                log_level="INFO",
                otlp_endpoint=receiver.url,
                **(notifications if name == "notifications" else {}),
            )
            for name, cls in REACHED.items()
        }
        exchange = settings["points"].amqp_exchange
        bus = await running.enter_async_context(bus_probe(amqp_url, exchange, "#"))
        processes = await running.enter_async_context(
            service_processes({name: settings_values(s) for name, s in settings.items()}, logs, START_TIMEOUT_S)
        )
        sessions = {
            name: await running.enter_async_context(aiohttp.ClientSession(base_url=process.url))
            for name, process in processes.items()
        }
        stack = Stack({"identity": identity, "cards": cards, **sessions}, settings, sink)

        def handled(service: str, event_id: str) -> list[dict[str, Any]]:
            return [
                entry
                for entry in log_lines(processes[service].log)
                if entry.get("event") == "event_handled" and entry.get("event_id") == event_id
            ]

        # The chain offers 500 campaign points for coffee to everyone, without activation.
        chain = await stack.system("k-citymarket", "benefits:offers")
        offer_id = await stack.chain_offer(chain, "kahvi-500-g", 500, rule={"everyone": True}, needs_activation=False)
        aino = await stack.customer("Aino", "Korhonen", "1990-04-04")

        async def receipts_on() -> bool:
            turn_on = stack.receipts.put("/v1/me/receipt-service", json={"enabled": True}, headers=aino.headers)
            async with turn_on as answer:
                return bool(answer.status == 200)  # once receipts has heard of her card

        async def points_knows_her() -> bool:
            async with stack.points.get("/v1/me/balance", headers=aino.headers) as answer:
                return bool(answer.status == 200)

        async def mail_may_go_to_her() -> bool:
            return any(handled("notifications", e["id"]) for e in bus.of_type("fi.plussa.identity.email.verified"))

        await eventually(receipts_on, "the receipt service turned on", TIMEOUT_S)
        await eventually(points_knows_her, "points to know her card", TIMEOUT_S)
        await eventually(mail_may_go_to_her, "notifications to know her verified address", TIMEOUT_S)
        assert await eventually(lambda: stack.offers_of(aino), "the coffee offer", TIMEOUT_S) == [offer_id]

        trip = purchase(
            aino.card["card_number"],
            line("Kahvi 500 g", "grocery", 649),
            line('Televisio 55" 4K', "electronics", 79_900, warranty_months=24),
        )
        sent = envelope(PURCHASE, trip, source="/stores/k-citymarket")
        traceparent = f"00-{trace_id}-{store_span}-01"
        await publish(amqp_url, exchange, sent, headers={"traceparent": traceparent, "x-request-id": request_id})

        def about_trip(event: dict[str, Any]) -> bool:
            return bool(event["data"].get("purchase_id") == trip["purchase_id"])

        [recorded] = await bus.wait_for("fi.plussa.points.purchase.recorded", about_trip, timeout=TIMEOUT_S)
        [granted] = await bus.wait_for("fi.plussa.benefits.campaign_points.granted", about_trip, timeout=TIMEOUT_S)
        [campaign] = await bus.wait_for(
            "fi.plussa.points.points.earned",
            lambda e: e["data"]["reason"] == "campaign" and e["data"]["person_id"] == aino.person_id,
            timeout=TIMEOUT_S,
        )
        [saved] = await bus.wait_for("fi.plussa.receipts.receipt.saved", about_trip, timeout=TIMEOUT_S)

        async def receipt_mail() -> bool:
            return any("Televisio" in str(mail["Subject"]) for mail in stack.mails_to(aino.email))

        await eventually(receipt_mail, "the mail about the saved receipt", TIMEOUT_S)
        [mailed] = await bus.wait_for(
            "fi.plussa.notifications.message.sent", lambda e: e["data"]["trigger_id"] == saved["id"], timeout=TIMEOUT_S
        )
        consumed = {
            "points": [sent["id"], granted["id"]],
            "benefits": [sent["id"]],
            "receipts": [sent["id"]],
            "notifications": [saved["id"]],
        }

        async def all_handled() -> bool:
            return all(handled(service, i) for service, ids in consumed.items() for i in ids)

        await eventually(all_handled, "each service to log its handling of the purchase's events", TIMEOUT_S)
        caused = [sent["id"], *(e["id"] for e in (recorded, granted, campaign, saved))]
        by_request = [e["id"] for e in bus.events if bus.headers[e["id"]].get("x-request-id") == request_id]

    # Stopped (SIGTERM): every process has sent its spans and written its last line.
    logged = {name: log_lines(process.log) for name, process in processes.items()}
    assert logged.keys() == REACHED.keys()
    on_bus = {e["id"]: e for e in bus.events}

    # The events the purchase caused, on the bus: each carries the store's trace id.
    assert set(caused) <= set(by_request), "the request id travels with every event the purchase caused"
    for event_id in by_request:
        event, headers = on_bus[event_id], bus.headers[event_id]
        assert "traceparent" in headers, f"{event['type']} has no traceparent"
        assert trace_of(headers["traceparent"]) == trace_id, f"{event['type']} left the purchase's trace"

    # The mail about the receipt was sent, in a batch of the sender's, in the purchase's trace:
    # the line of its sending and its message.sent event carry the trace id.
    assert trace_of(bus.headers[mailed["id"]]["traceparent"]) == trace_id, "message.sent left the purchase's trace"
    sending = [e for e in logged["notifications"] if e.get("message_id") == mailed["data"]["message_id"]]
    assert [(e["event"], e["status"]) for e in sending] == [("mail_attempt", "sent")]
    assert all(e.get("trace_id") == trace_id for e in sending), sending

    # Each service the purchase reached logged in its trace, as it handled each event.
    for service, ids in consumed.items():
        in_trace = [entry for entry in logged[service] if entry.get("trace_id") == trace_id]
        assert in_trace, f"{service} logged no line in the purchase's trace"
        for event_id in ids:
            assert [entry.get("trace_id") for entry in handled(service, event_id)] == [trace_id], (service, event_id)

    # Every line of any service about the purchase's events or its request carries the trace id.
    about = set(by_request)
    for service, entries in logged.items():
        for entry in entries:
            if entry.get("event_id") in about or entry.get("request_id") == request_id:
                assert entry.get("trace_id") == trace_id, f"{service} logged outside the trace: {entry}"
                assert re.fullmatch(r"[0-9a-f]{16}", entry.get("span_id", "")), entry

    # The four services exported their spans of the trace, the first hops children of the
    # store's span; identity and cards (this process's apps) exported nothing at all.
    spans = receiver.of_trace(trace_id)
    assert set(spans) == set(REACHED), sorted(spans)
    for name in ("points", "benefits", "receipts"):
        assert store_span in {s.parent_span_id.hex() for s in spans[name]}, f"{name}'s span is not the store's child"
    # The mail's send span is in the trace too, and its message.sent was published under it.
    [send] = [s for s in spans["notifications"] if s.name == "mail send"]
    assert f"-{send.span_id.hex()}-" in str(bus.headers[mailed["id"]]["traceparent"])
    assert {service for service, _ in receiver.spans} == set(REACHED)
