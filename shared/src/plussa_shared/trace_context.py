"""The current trace context as W3C headers, with OpenTelemetry's API alone (no SDK, no
exporter, no HTTP client), so that writing events into the outbox stays light; the
tracer itself is in ``plussa_shared.tracing``."""

from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

# W3C trace context only: no baggage, whose free-form values a caller could otherwise
# pass into events that partners read.
W3C = TraceContextTextMapPropagator()


def trace_headers() -> dict[str, str]:
    """The current trace context as W3C headers (``traceparent``, ``tracestate``), to be
    stored with what continues the work later (an outbox record and its message, a queued
    mail); empty outside a trace."""
    carrier: dict[str, str] = {}
    W3C.inject(carrier)
    return carrier
