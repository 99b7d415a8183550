"""The points benchmarks' own set-up: the running service and a card as cards left it.

The rest (mongod, JWKS, settings, figures) is ``plussa_shared.testing.bench``.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from plussa_points.app import create_app
from plussa_points.context import Clock, system_clock
from plussa_points.settings import PointsSettings
from plussa_shared.testing import bench as shared_bench
from plussa_shared.testing.bench import AMQP_URL, jwks, percentile, private_mongo, remove_bench_resources, say

__all__ = [
    "AMQP_URL",
    "bench_settings",
    "card_doc",
    "jwks",
    "percentile",
    "private_mongo",
    "remove_bench_resources",
    "running_service",
    "say",
]


async def bench_settings(mongo_url: str, jwks_url: str, **overrides: Any) -> PointsSettings:
    """Points' settings on a fresh database, exchange and queue names."""
    return await shared_bench.bench_settings(PointsSettings, mongo_url, jwks_url, **overrides)


@asynccontextmanager
async def running_service(
    settings: PointsSettings, clock: Clock = system_clock
) -> AsyncIterator[tuple[web.Application, str]]:
    """The points service serving HTTP on a free port, with its consumer and relay running."""
    app = create_app(settings, clock=clock)
    async with shared_bench.serving(app) as url:
        yield app, url


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
