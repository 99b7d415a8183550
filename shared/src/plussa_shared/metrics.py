"""Prometheus metrics, one registry per application so tests and apps never share state."""

from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass
class Metrics:
    """The metrics every service exports at ``/metrics``."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.http_requests = Counter(
            "http_requests_total", "HTTP requests served", ["method", "route", "status"], registry=r
        )
        self.http_latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.events_consumed = Counter(
            "events_consumed_total", "Events taken from the queue", ["type", "outcome"], registry=r
        )
        self.event_batch_size = Histogram(
            "event_batch_size",
            "Events a batched subscription applied in one transaction",
            ["type"],
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
            registry=r,
        )
        self.events_dead_lettered = Counter(
            "events_dead_lettered_total", "Events sent to the dead-letter queue", ["reason"], registry=r
        )
        self.events_published = Counter(
            "events_published_total", "Events the outbox relay published", ["type"], registry=r
        )
        self.outbox_backlog = Gauge("outbox_backlog", "Outbox events not yet published", registry=r)
        self.dead_letter_depth = Gauge(
            "dead_letter_queue_depth", "Messages waiting in the dead-letter queue", ["queue"], registry=r
        )
        self._served: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def request_served(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count a request and observe its latency. The labelled series of each method,
        route and status are looked up once (routes are the app's own, so they are few)."""
        key = (method, route, status)
        series = self._served.get(key)
        if series is None:
            series = self.http_requests.labels(method, route, str(status)), self.http_latency.labels(method, route)
            self._served[key] = series
        series[0].inc()
        series[1].observe(seconds)
