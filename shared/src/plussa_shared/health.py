"""Liveness, readiness and the Prometheus scrape endpoint."""

import asyncio
import contextlib

import structlog
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from plussa_shared.keys import BROKER, CONSUMER, METRICS, MONGO, OUTAGES, RELAY
from plussa_shared.mongo import ping
from plussa_shared.routing import public

log = structlog.get_logger(__name__)

READY_TIMEOUT_S = 2.0


async def live(_: web.Request) -> web.Response:
    """The process runs and its event loop answers."""
    return web.json_response({"status": "ok"})


async def ready(request: web.Request) -> web.Response:
    """Ready only when MongoDB and RabbitMQ both answer and, for a service with
    subscriptions, its queue is bound and consumed (before that, events published
    to it would find no queue)."""
    app = request.app
    mongodb = False
    # A probe must answer fast while the database is away: not at all when the client
    # already knows it is (a lost server), within READY_TIMEOUT_S otherwise.
    if not app[OUTAGES].mongodb.is_down:
        with contextlib.suppress(TimeoutError):
            mongodb = await asyncio.wait_for(ping(app[MONGO]), READY_TIMEOUT_S)
    checks = {"mongodb": mongodb, "rabbitmq": app[BROKER].is_ready}
    consumer = app.get(CONSUMER)
    if consumer is not None:
        checks["consumer"] = consumer.is_ready
    ok = all(checks.values())
    return web.json_response({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format, with the outbox backlog counted at scrape time."""
    app = request.app
    try:
        await app[RELAY].backlog()
    except Exception as exc:  # the database may be away; the other figures still matter
        log.info("outbox_backlog_unknown", error=type(exc).__name__)
    consumer = app.get(CONSUMER)
    if consumer is not None and app[BROKER].is_ready:
        try:
            await asyncio.wait_for(consumer.dead_letter_depth(), READY_TIMEOUT_S)
        except Exception as exc:  # the broker may be away; the last figure stands
            log.info("dead_letter_depth_unknown", error=type(exc).__name__)
    body = generate_latest(app[METRICS].registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def health_routes() -> list[web.RouteDef]:
    """The routes every service serves, without authentication."""
    return [
        web.get("/health/live", public(live)),
        web.get("/health/ready", public(ready)),
        web.get("/metrics", public(metrics)),
    ]
