"""The application factory every service builds on: wiring only, no I/O at creation.

Each resource (HTTP client, MongoDB, broker with relay and consumer, token verifier)
is one ``cleanup_ctx`` generator: create, yield, dispose.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import structlog
from aiohttp import web
from pymongo import IndexModel

from plussa_shared import server_errors
from plussa_shared.auth import KeySource, RemoteJwks, TokenVerifier
from plussa_shared.broker import Broker
from plussa_shared.commands import prepare_database
from plussa_shared.consumer import EventConsumer
from plussa_shared.context import ServiceContext
from plussa_shared.exchanges import Exchanges
from plussa_shared.health import health_routes
from plussa_shared.heap import settle_heap_on_startup
from plussa_shared.http import request_id_trace_config, service_middleware
from plussa_shared.idempotency import IDEMPOTENCY_INDEXES
from plussa_shared.keys import (
    BROKER,
    CONSUMER,
    CONTEXT,
    DB,
    ENDPOINTS,
    HTTP_CLIENT,
    METRICS,
    MONGO,
    OPENAPI,
    OUTAGES,
    OUTBOX,
    RELAY,
    REVOKED,
    SETTINGS,
    TRACING,
    VERIFIER,
)
from plussa_shared.metrics import Metrics
from plussa_shared.mongo import client_lifespan
from plussa_shared.openapi import build_openapi, openapi_routes, server_url
from plussa_shared.outages import MongoWatch, Outages
from plussa_shared.outbox import Outbox, OutboxRelay
from plussa_shared.paging import PageLimits
from plussa_shared.revocation import REVOCATION_INDEXES, RevokedSessions
from plussa_shared.routing import RouteTable, add_routes, undeclared_routes
from plussa_shared.settings import ServiceSettings
from plussa_shared.subscription import Subscription
from plussa_shared.tracing import Tracing, client_trace_config

log = structlog.get_logger(__name__)

CleanupCtx = Callable[[web.Application], AsyncIterator[None]]
Subscriptions = Sequence[Subscription[Any]] | Callable[[Any], Sequence[Subscription[Any]]]


@dataclass(frozen=True)
class ServiceSpec:
    """What makes one service different from the others."""

    title: str
    routes: Sequence[RouteTable] = ()
    subscriptions: Subscriptions = ()
    """``subscriptions(ctx)``: the service's table of event type to use case, called once
    with the built context before the consumer starts. (A plain sequence is deprecated.)"""
    indexes: dict[str, Sequence[IndexModel]] = field(default_factory=dict)
    context: Callable[[web.Application], ServiceContext[Any]] | None = None
    """Builds the service's context once MongoDB is up (from ``SETTINGS``, ``MONGO``, ``DB``,
    ``OUTBOX``); stored under ``CONTEXT``, before ``contexts`` run."""
    contexts: Sequence[CleanupCtx] = ()
    """Service resources, run after the shared ones (database, context) are up."""
    key_source: Callable[[web.Application], KeySource] | None = None
    """Where tokens' keys come from; default: the JWKS at ``settings.jwks_url``."""
    version: str = "0.1.0"


def create_service_app(settings: ServiceSettings, spec: ServiceSpec) -> web.Application:
    """Build the aiohttp application of one service."""
    server_errors.install()
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[service_middleware],
    )
    app[SETTINGS] = settings
    app[TRACING] = Tracing.for_service(settings)
    app.on_cleanup.append(_shutdown_tracing)  # after every resource, so their last spans are sent
    app[METRICS] = Metrics()
    app[OUTAGES] = Outages()
    endpoints = add_routes(app, spec.routes)
    app[ENDPOINTS] = endpoints
    app[OPENAPI] = build_openapi(
        spec.title,
        spec.version,
        endpoints,
        servers=[server_url(settings)],
        page_limits=PageLimits(settings.page_limit_default, settings.page_limit_max),
    )
    app.add_routes(health_routes())
    app.add_routes(openapi_routes(app[OPENAPI]))
    app.on_startup.insert(0, _refuse_undeclared_routes)  # before any resource is opened
    app.cleanup_ctx.append(_http_client_ctx)
    app.cleanup_ctx.append(_mongo_ctx(spec))
    app.cleanup_ctx.append(_revocations_ctx)
    app.cleanup_ctx.append(_verifier_ctx(spec))
    if spec.context is not None:
        app.cleanup_ctx.append(_context_ctx(spec.context))
    app.cleanup_ctx.extend(spec.contexts)
    app.cleanup_ctx.append(_broker_ctx(spec))
    return app


async def _refuse_undeclared_routes(app: web.Application) -> None:
    undeclared = undeclared_routes(app)
    if undeclared:
        raise RuntimeError(f"routes without declared access (use a RouteTable or routing.public): {undeclared}")


async def _http_client_ctx(app: web.Application) -> AsyncIterator[None]:
    timeout = aiohttp.ClientTimeout(total=app[SETTINGS].http_timeout_s)
    traces = [request_id_trace_config(), client_trace_config(app[TRACING])]
    async with aiohttp.ClientSession(timeout=timeout, trace_configs=traces) as session:
        app[HTTP_CLIENT] = session
        yield


def _mongo_ctx(spec: ServiceSpec) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        watch = [MongoWatch(app[OUTAGES].mongodb)]
        async for client in client_lifespan(str(settings.mongo_url), settings.service_name, watch):
            db = client[settings.mongo_database]
            app[MONGO] = client
            app[DB] = db
            await prepare_database(
                db,
                {**IDEMPOTENCY_INDEXES, **REVOCATION_INDEXES, **spec.indexes},
                inbox_retention_days=settings.inbox_retention_days,
            )
            app[OUTBOX] = Outbox(db, Exchanges.from_settings(settings))
            yield

    return ctx


async def _revocations_ctx(app: web.Application) -> AsyncIterator[None]:
    """Ended sessions, reloaded every second so each replica refuses their tokens."""
    revoked = RevokedSessions(app[DB], refresh_s=app[SETTINGS].revocation_refresh_s)
    app[REVOKED] = revoked
    await revoked.reload()
    task = asyncio.create_task(revoked.run(), name="revocations")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def _verifier_ctx(spec: ServiceSpec) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        if spec.key_source is not None:
            keys = spec.key_source(app)
        elif settings.jwks_url is not None:
            keys = RemoteJwks(str(settings.jwks_url), app[HTTP_CLIENT])
        else:
            raise RuntimeError(f"{settings.service_name}: set JWKS_URL so tokens can be verified")
        revoked: RevokedSessions = app[REVOKED]
        app[VERIFIER] = TokenVerifier(keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience, revoked=revoked)
        yield

    return ctx


def _context_ctx(build: Callable[[web.Application], ServiceContext[Any]]) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        app[CONTEXT] = build(app)
        yield

    return ctx


def _bound_subscriptions(app: web.Application, spec: ServiceSpec) -> Sequence[Subscription[Any]]:
    """The spec's subscriptions, bound to the built context when they are a function of it."""
    if not callable(spec.subscriptions):
        return spec.subscriptions
    if CONTEXT not in app:
        raise RuntimeError("subscriptions(ctx) needs ServiceSpec.context to build the context")
    return spec.subscriptions(app[CONTEXT])


def _broker_ctx(spec: ServiceSpec) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        broker = Broker(
            settings.amqp_url.get_secret_value(),
            settings.amqp_exchange,
            reconnect_interval_s=settings.broker_reconnect_interval_s,
            outage=app[OUTAGES].rabbitmq,
        )
        app[BROKER] = broker
        relay = OutboxRelay(
            app[DB],
            broker,
            app[METRICS],
            batch_size=settings.outbox_batch_size,
            poll_interval_s=settings.outbox_poll_interval_s,
        )
        app[RELAY] = relay
        app[OUTBOX].attach_relay_signal(relay.signal)
        # Every service hears of ended sessions: no per-service code for logout everywhere.
        subscriptions = [*_bound_subscriptions(app, spec), app[REVOKED].subscription()]
        consumer = None
        if subscriptions:
            consumer = EventConsumer(
                queue_name=settings.event_queue,
                subscriptions=subscriptions,
                broker=broker,
                client=app[MONGO],
                db=app[DB],
                metrics=app[METRICS],
                prefetch=settings.consumer_prefetch,
                retry_delays_ms=settings.consumer_retry_delays_ms,
                after_commit=app[OUTBOX].nudge,
                private_exchange=settings.private_exchange(settings.service_name),
                queue_type=settings.queue_type,
                delivery_limit=settings.queue_delivery_limit,
                tracer=app[TRACING].tracer,
            )
            app[CONSUMER] = consumer
        await broker.start()
        connected = True
        try:
            # Start ready when the broker is up; start anyway (not ready) when it is not.
            await broker.wait_connected(timeout=settings.broker_startup_wait_s)
        except TimeoutError:
            connected = False
        tasks = [asyncio.create_task(relay.run(), name="outbox-relay")]
        if consumer is not None:
            starting = asyncio.create_task(_start_consumer(consumer), name="consumer-start")
            tasks.append(starting)
            if connected:  # have the queue bound before the app reports ready
                await asyncio.wait({starting}, timeout=settings.broker_startup_wait_s)
        yield
        if consumer is not None:
            await _bounded("consumer_stop", consumer.stop())
        for task in tasks:
            task.cancel()
        _, stuck = await asyncio.wait(tasks, timeout=5.0)
        for task in stuck:  # a library call that swallowed the cancellation
            log.warning("shutdown_task_stuck", task=task.get_name(), stack=_stack_of(task))
        await _bounded("relay_release", relay.release())
        await _bounded("broker_close", broker.close())

    return ctx


async def _shutdown_tracing(app: web.Application) -> None:
    # In a thread: sending the last spans to an unreachable collector blocks until its timeout.
    await _bounded("tracing_shutdown", asyncio.to_thread(app[TRACING].shutdown), timeout_s=10.0)


async def _bounded(step: str, work: Coroutine[Any, Any, None], timeout_s: float = 5.0) -> None:
    """Run one shutdown step; a step that fails or hangs is logged and skipped so the
    others still run and the process still exits."""
    try:
        await asyncio.wait_for(work, timeout_s)
    except Exception as exc:
        log.warning("shutdown_step_failed", step=step, error=type(exc).__name__, detail=str(exc)[:200])


def _stack_of(task: asyncio.Task[Any]) -> str:
    frames = task.get_stack(limit=8)
    return " <- ".join(f"{f.f_code.co_filename.rsplit('/', 1)[-1]}:{f.f_lineno} {f.f_code.co_name}" for f in frames)


async def _start_consumer(consumer: EventConsumer) -> None:
    """Start consuming once the broker answers; retry while it does not."""
    while True:
        try:
            await consumer.start()
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("consumer_start_failed", error=type(exc).__name__, detail=str(exc)[:200])
            await asyncio.sleep(1.0)


def run_service(settings: ServiceSettings, app: web.Application) -> None:
    """Serve ``app`` until SIGTERM or Ctrl-C, closing every resource on the way out; the
    heap it holds once started is kept out of the garbage collector's walks."""
    app.on_startup.append(settle_heap_on_startup)
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        reuse_port=settings.reuse_port,
        access_log=None,
        print=None,
        shutdown_timeout=10,
    )
