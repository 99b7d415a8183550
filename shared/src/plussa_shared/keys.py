"""Typed application state keys shared by every service."""

from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from pymongo import AsyncMongoClient

from plussa_shared.auth import Principal, TokenVerifier
from plussa_shared.broker import Broker
from plussa_shared.consumer import EventConsumer
from plussa_shared.context import ServiceContext
from plussa_shared.metrics import Metrics
from plussa_shared.mongo import Database, Document
from plussa_shared.outages import Outages
from plussa_shared.outbox import Outbox, OutboxRelay
from plussa_shared.revocation import RevokedSessions
from plussa_shared.settings import ServiceSettings
from plussa_shared.tracing import Tracing

C = TypeVar("C", bound=ServiceContext[Any])

SETTINGS = web.AppKey("settings", ServiceSettings)
METRICS = web.AppKey("metrics", Metrics)
MONGO = web.AppKey("mongo", AsyncMongoClient[Document])
DB = web.AppKey("db", Database)
BROKER = web.AppKey("broker", Broker)
OUTBOX = web.AppKey("outbox", Outbox)
RELAY = web.AppKey("relay", OutboxRelay)
OUTAGES = web.AppKey("outages", Outages)
"""Whether the broker or the database is away right now (reported once per outage)."""
CONSUMER = web.AppKey("consumer", EventConsumer)
"""Set only for a service with subscriptions."""
VERIFIER = web.AppKey("verifier", TokenVerifier)
REVOKED = web.AppKey("revoked", RevokedSessions)
"""The sessions identity ended; the verifier refuses their tokens."""
HTTP_CLIENT = web.AppKey("http_client", aiohttp.ClientSession)
OPENAPI = web.AppKey("openapi", dict)
ENDPOINTS = web.AppKey("endpoints", list)
"""Every declared route of the service (``routing.Endpoint``), for documentation checks."""
CONTEXT = web.AppKey("context", ServiceContext[Any])
"""The service's context, built once MongoDB is up (``ServiceSpec.context``)."""
TRACING = web.AppKey("tracing", Tracing)
"""The service's tracer (exporting only when ``otlp_endpoint`` is set); read at start-up
and per request, so a test may replace it before the app starts."""

PRINCIPAL = web.RequestKey("principal", Principal)
"""Where the auth middleware stores the verified caller of a request."""


def principal(request: web.Request) -> Principal:
    """The verified caller of this request; routes that allow anyone have none."""
    value = request.get(PRINCIPAL)
    if not isinstance(value, Principal):
        raise RuntimeError("route declared no authentication")
    return value


def context_of(app: web.Application, kind: type[C]) -> C:
    """The service's context as its own class (``context_of(request.app, CardsContext)``)."""
    ctx = app[CONTEXT]
    if not isinstance(ctx, kind):
        raise RuntimeError(f"the context is a {type(ctx).__name__}, not a {kind.__name__}")
    return ctx
