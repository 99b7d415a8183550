"""Shared set-up of the points benchmarks: a private mongod, the local RabbitMQ, the running service."""

import asyncio
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from plussa_points.app import create_app
from plussa_points.context import Clock, system_clock
from plussa_points.settings import PointsSettings
from plussa_shared.logging import configure_logging
from plussa_shared.testing.embedded_mongo import EmbeddedMongo, free_port
from plussa_shared.testing.isolation import isolated_values, remove_isolated
from plussa_shared.testing.tokens import JwksServer, TestTokens

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


def say(line: str) -> None:
    """Print one line of figures."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


@asynccontextmanager
async def private_mongo(cache_gb: float = 1.0) -> AsyncIterator[str]:
    """A single-node replica set under a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="points-bench-") as tmp:
        mongo = EmbeddedMongo(Path(tmp), cache_gb=cache_gb)
        url = await asyncio.to_thread(mongo.start)
        try:
            yield url
        finally:
            await asyncio.to_thread(mongo.stop)


@asynccontextmanager
async def jwks(tokens: TestTokens) -> AsyncIterator[str]:
    """A JWKS endpoint for the service to verify the benchmark's tokens."""
    server = JwksServer(tokens.jwks)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def bench_settings(mongo_url: str, jwks_url: str, **overrides: Any) -> PointsSettings:
    """Settings for a fresh database, exchange and queue names."""
    service_name = overrides.pop("service_name", "points")
    values: dict[str, Any] = {
        **isolated_values(
            service_name,
            run_id=uuid.uuid4().hex[:8],
            label="bench",
            mongo_url=mongo_url,
            amqp_url=AMQP_URL,
            jwks_url=jwks_url,
        ),
        "log_level": "WARNING",
        **overrides,
    }
    settings = PointsSettings(**values)
    configure_logging(settings.log_format, settings.log_level)
    return settings


@asynccontextmanager
async def running_service(
    settings: PointsSettings, clock: Clock = system_clock
) -> AsyncIterator[tuple[web.Application, str]]:
    """The points service serving HTTP on a free port, with its consumer and relay running."""
    app = create_app(settings, clock=clock)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield app, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def remove_bench_resources(settings: PointsSettings) -> None:
    """Remove the benchmark's database, queues and exchange."""
    await remove_isolated(str(settings.mongo_url), AMQP_URL, [settings])


def card_doc(card_id: str, number: str, household_id: str, person_id: str, kind: str = "main") -> dict[str, Any]:
    """An active card as the cards events would have left it in the points read model."""
    return {
        "_id": card_id,
        "card_number": number,
        "kind": kind,
        "state": "active",
        "household_id": household_id,
        "person_id": person_id,
        "can_earn": True,
        "can_spend": True,
        "version": 1,
    }


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
