"""One trace per piece of work, across services: W3C trace context on HTTP and on events.

An incoming request continues its caller's ``traceparent`` (or starts a trace); outgoing
HTTP calls carry it on; every event written to the outbox records it, the relay sends it
as AMQP headers, and the consumer continues it for the handler, whose own events carry it
on. Work stored to be done later (a queued mail) keeps the headers and is resumed in
their trace. The ids are bound into the log context, so every log line of the work shows
them.

Spans are made in every service, so a trace has ids even when nothing is exported; they
leave the process only when ``otlp_endpoint`` is set (then a batching exporter, with its
one background thread, sends them over OTLP/HTTP). With nowhere to send them, the spans
of requests and messages are the API's non-recording spans (their W3C ids, logged and
propagated the same, and nothing else), not the SDK's recording ones, which would cost
each request their attributes, events and processor calls for nothing.
"""

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import structlog
import yarl
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.aiohttp_client import create_trace_config
from opentelemetry.propagators.textmap import Getter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags, Tracer

from plussa_shared.settings import ServiceSettings
from plussa_shared.trace_context import W3C as _W3C
from plussa_shared.trace_context import trace_headers as trace_headers


@dataclass(frozen=True)
class Tracing:
    """A service's tracer provider (named after the service) and its tracer."""

    provider: TracerProvider
    tracer: Tracer

    @classmethod
    def for_service(cls, settings: ServiceSettings, processor: SpanProcessor | None = None) -> "Tracing":
        """Tracing for ``settings``' service; spans go to ``processor``, or over OTLP when
        ``settings.otlp_endpoint`` is set, or nowhere."""
        provider = TracerProvider(
            resource=Resource.create({SERVICE_NAME: settings.service_name}), shutdown_on_exit=False
        )
        if processor is None and (exporter := span_exporter(settings)) is not None:
            processor = BatchSpanProcessor(exporter)
        if processor is None:
            return cls(provider, IdsOnlyTracer())
        provider.add_span_processor(processor)
        return cls(provider, provider.get_tracer("plussa_shared"))

    def shutdown(self) -> None:
        """Send the spans still waiting and stop the exporter, if any."""
        self.provider.shutdown()


_IDS = RandomIdGenerator()


class IdsOnlyTracer(Tracer):
    """The tracer of a service that sends its spans nowhere: each span is the API's
    non-recording span with fresh W3C ids, the child of the current (or given) context's
    span as the SDK would make it: the same trace id, flags and trace state, or a new
    sampled trace without a parent."""

    def start_span(self, name: str, context: otel_context.Context | None = None, *_: Any, **__: Any) -> Span:
        """A span with ids only (kind, attributes, links and times are not kept)."""
        parent = trace.get_current_span(context).get_span_context()
        if parent.is_valid:
            ids = SpanContext(parent.trace_id, _IDS.generate_span_id(), False, parent.trace_flags, parent.trace_state)
        else:
            ids = SpanContext(_IDS.generate_trace_id(), _IDS.generate_span_id(), False, TraceFlags(TraceFlags.SAMPLED))
        return NonRecordingSpan(ids)

    @contextlib.contextmanager  # the API's own decorator for it is private; the same context manager
    def start_as_current_span(  # type: ignore[override]
        self, name: str, context: otel_context.Context | None = None, *_: Any, end_on_exit: bool = True, **__: Any
    ) -> Iterator[Span]:
        """A span with ids only, current inside the block."""
        with trace.use_span(self.start_span(name, context), end_on_exit=end_on_exit) as span:
            yield span


def span_exporter(settings: ServiceSettings) -> SpanExporter | None:
    """The OTLP/HTTP exporter to ``settings.otlp_endpoint`` (a collector's base URL), or
    None when no endpoint is configured."""
    if settings.otlp_endpoint is None:
        return None
    return OTLPSpanExporter(endpoint=str(settings.otlp_endpoint).rstrip("/") + "/v1/traces")


def log_ids(span: Span | None = None) -> dict[str, str]:
    """``trace_id`` and ``span_id`` of ``span`` (default: the current one) for the log
    context, in the W3C hex form; empty when there is no trace."""
    context = (span or trace.get_current_span()).get_span_context()
    if not context.is_valid:
        return {}
    return {"trace_id": trace.format_trace_id(context.trace_id), "span_id": trace.format_span_id(context.span_id)}


class _AmqpHeaders(Getter[Mapping[str, Any]]):
    """Reads W3C headers from AMQP headers, whose strings may arrive as bytes."""

    def get(self, carrier: Mapping[str, Any], key: str) -> list[str] | None:
        value = carrier.get(key)
        if isinstance(value, bytes):
            value = value.decode(errors="replace")
        return [value] if isinstance(value, str) and value else None

    def keys(self, carrier: Mapping[str, Any]) -> list[str]:
        return list(carrier)


_AMQP = _AmqpHeaders()


def extracted(headers: Mapping[str, Any] | None) -> otel_context.Context:
    """The trace context a message's (or a request's) headers carry; empty when none."""
    return _W3C.extract(headers or {}, getter=_AMQP)


@contextlib.contextmanager
def resumed(
    tracer: Tracer,
    headers: Mapping[str, Any] | None,
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, str] | None = None,
) -> Iterator[Span]:
    """A span for work resumed from stored W3C ``headers`` (from ``trace_headers``): the
    child of their trace context, or the root of a new trace when they carry none; current
    and bound into the log context while the work runs."""
    with (
        tracer.start_as_current_span(name, context=extracted(headers), kind=kind, attributes=attributes) as span,
        structlog.contextvars.bound_contextvars(**log_ids(span)),
    ):
        yield span


def consuming(tracer: Tracer, headers: Mapping[str, Any] | None, name: str) -> contextlib.AbstractContextManager[Span]:
    """A consumer span for one message, the child of the trace its headers carry (or the
    root of a new one), current and bound into the log context while handling it. With
    no exporter (every message of a service that sends its spans nowhere), the span is
    made straight from the ``traceparent`` header, which is parsed only when sent."""
    if isinstance(tracer, IdsOnlyTracer):
        caller = extracted(headers) if headers and _TRACEPARENT in headers else _NO_CALLER
        return _CurrentAndLogged(tracer.start_span(name, caller))
    return _recorded_consumer_span(tracer, headers, name)


@contextlib.contextmanager
def _recorded_consumer_span(tracer: Tracer, headers: Mapping[str, Any] | None, name: str) -> Iterator[Span]:
    attributes = {"messaging.system": "rabbitmq", "messaging.operation.type": "process"}
    with resumed(tracer, headers, f"{name} process", kind=SpanKind.CONSUMER, attributes=attributes) as span:
        yield span


@contextlib.contextmanager
def continued(context: otel_context.Context | None) -> Iterator[None]:
    """Make ``context`` (captured where a message was received) current again, in the task
    that applies it, with its ids in the log context; nothing when None."""
    if context is None:
        yield
        return
    token = otel_context.attach(context)
    try:
        with structlog.contextvars.bound_contextvars(**log_ids()):
            yield
    finally:
        otel_context.detach(token)


def shared_context(contexts: list[otel_context.Context]) -> otel_context.Context | None:
    """The first of ``contexts`` when all belong to one trace (a batch of one piece of
    work), else None: a batch of several traces belongs to none of them."""
    ids = {trace.get_current_span(c).get_span_context().trace_id for c in contexts}
    return contexts[0] if len(ids) == 1 and 0 not in ids else None


class _Current(contextlib.AbstractContextManager[Span]):
    """``span`` current inside the block: what ``use_span`` does for a span that records
    nothing (there is nothing to end, record or mark on it), without its generator."""

    __slots__ = ("_span", "_token")

    def __init__(self, span: Span) -> None:
        self._span = span

    def __enter__(self) -> Span:
        self._token = otel_context.attach(trace.set_span_in_context(self._span))
        return self._span

    def __exit__(self, *_: object) -> None:
        otel_context.detach(self._token)


class _CurrentAndLogged(_Current):
    """``span`` current inside the block with its ids in the log context: what ``resumed``
    does for a span that records nothing. The log context's earlier values are put back
    by token, not by reading the whole context first."""

    __slots__ = ("_log_tokens",)

    def __enter__(self) -> Span:
        span = super().__enter__()
        self._log_tokens = structlog.contextvars.bind_contextvars(**log_ids(span))
        return span

    def __exit__(self, *exc: object) -> None:
        structlog.contextvars.reset_contextvars(**self._log_tokens)
        super().__exit__(*exc)


def server_span(
    tracer: Tracer, headers: Mapping[str, Any], method: str, route: str
) -> contextlib.AbstractContextManager[Span]:
    """The server span of one request, the child of the caller's ``traceparent`` (or the
    root of a new trace), current inside it. With no exporter (the hot path of every
    request), the span is made straight from the header, which is parsed only when sent."""
    if isinstance(tracer, IdsOnlyTracer):
        caller = extracted(headers) if _TRACEPARENT in headers else _NO_CALLER
        return _Current(tracer.start_span(method, caller))
    return tracer.start_as_current_span(
        f"{method} {route}",
        context=extracted(headers),
        kind=SpanKind.SERVER,
        attributes={"http.request.method": method, "http.route": route},
    )


_TRACEPARENT = "traceparent"
_NO_CALLER = otel_context.Context()


def client_trace_config(tracing: Tracing) -> aiohttp.TraceConfig:
    """Client spans for outgoing HTTP calls, which carry ``traceparent`` to the callee.
    Spans record the URL without its query, which may hold personal data."""

    def without_query(url: yarl.URL) -> str:
        return str(url.with_query(None).with_fragment(None))

    return create_trace_config(url_filter=without_query, tracer_provider=tracing.provider)
