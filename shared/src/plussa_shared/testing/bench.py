"""What every service's benchmark scripts share: a private mongod, the local RabbitMQ,
a JWKS for test tokens, settings on fresh resources, the running service in this
process, the raw consume + one transaction ceiling, and wrk for HTTP load (services as
processes of their own, and the figures of a process: ``plussa_shared.testing.processes``).
Scripts print figures; no benchmark asserts a speed."""

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage
from aiohttp import web
from pymongo import AsyncMongoClient

from plussa_shared.logging import configure_logging
from plussa_shared.mongo import Document, Session, create_client, run_in_transaction
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.embedded_mongo import EmbeddedMongo, free_port
from plussa_shared.testing.isolation import declare_exchanges, isolated_values, remove_isolated
from plussa_shared.testing.tokens import JwksServer, TestTokens

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
S = TypeVar("S", bound=ServiceSettings)
Event = dict[str, Any]


def say(line: str) -> None:
    """Print one line of figures."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@asynccontextmanager
async def private_mongo(cache_gb: float = 1.0) -> AsyncIterator[str]:
    """A single-node replica set under a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="plussa-bench-") as tmp:
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


async def bench_settings(cls: type[S], mongo_url: str, jwks_url: str, **overrides: Any) -> S:
    """Settings of ``cls`` on a fresh database, exchange and queue names (exchanges declared)."""
    service_name = overrides.pop("service_name", None) or cls.model_fields["service_name"].default
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
    settings = cls(**values)
    configure_logging(settings.log_format, settings.log_level)
    await declare_exchanges(AMQP_URL, settings)
    return settings


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """``app`` serving HTTP on a free loopback port (its consumer and relay running); yields its URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def remove_bench_resources(settings: ServiceSettings) -> None:
    """Remove the benchmark's database, queues and exchange."""
    await remove_isolated(str(settings.mongo_url), AMQP_URL, [settings])


async def publish_all(exchange: AbstractExchange, events: Sequence[Event], routing_key: str | None = None) -> None:
    """Publish ``events`` with confirms, 500 at a time."""
    for start in range(0, len(events), 500):
        await asyncio.gather(
            *(
                exchange.publish(
                    aio_pika.Message(
                        json.dumps(event).encode(),
                        message_id=event["id"],
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=routing_key or str(event["type"]).removeprefix("fi.plussa."),
                )
                for event in events[start : start + 500]
            )
        )


async def raw_ceiling(mongo_url: str, prefetch: int, events: Sequence[Event]) -> float:
    """Events per second for RabbitMQ consume + JSON parse + one MongoDB transaction (an inbox
    insert) + ack, with nothing else: the ceiling a service's consumer is measured against."""
    client: AsyncMongoClient[Document] = create_client(mongo_url, app_name="raw")
    inbox = client[f"raw_{uuid.uuid4().hex[:6]}"]["inbox"]
    await inbox.database.create_collection("inbox")
    connection = await aio_pika.connect_robust(AMQP_URL)
    done = 0
    finished = asyncio.Event()
    try:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=prefetch)
        queue = await channel.declare_queue(f"bench.raw.{uuid.uuid4().hex[:6]}", durable=True)

        async def on_message(message: AbstractIncomingMessage) -> None:
            nonlocal done
            body = json.loads(message.body)

            async def work(session: Session) -> None:
                await inbox.insert_one(
                    {"_id": body["id"], "type": body["type"], "handled_at": datetime.now(UTC)}, session=session
                )

            await run_in_transaction(client, work)
            await message.ack()
            done += 1
            if done == len(events):
                finished.set()

        started = time.perf_counter()
        tag = await queue.consume(on_message)
        await publish_all(channel.default_exchange, events, routing_key=queue.name)
        await asyncio.wait_for(finished.wait(), 600)
        elapsed = time.perf_counter() - started
        await queue.cancel(tag)
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()
        await client.drop_database(inbox.database.name)
        await client.close()
    return len(events) / elapsed


async def until_handled(db: Any, count: int, timeout: float = 600) -> None:
    """Wait until a service's inbox holds ``count`` handled events."""
    deadline = time.perf_counter() + timeout
    while await db["inbox"].count_documents({}) < count:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"fewer than {count} events handled in {timeout}s")
        await asyncio.sleep(0.02)


@dataclass(frozen=True)
class WrkResult:
    """What wrk measured."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int = 0

    def line(self, name: str) -> str:
        """One printable line."""
        return (
            f"{name}: {self.requests_per_s:.0f} requests/s, p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, "
            f"{self.errors} non-2xx or socket errors"
        )


_PACED = """
-- Each connection waits a random time before each request, {mean_ms} ms on average,
-- so the connections together offer about {rate} requests/s whatever the latency.
function delay()
  return math.random() * 2 * {mean_ms}
end
"""


def wrk(
    url: str,
    *,
    headers: dict[str, str],
    connections: int = 64,
    seconds: int = 10,
    threads: int = 2,
    rate: float | None = None,
) -> WrkResult:
    """Load ``url`` with wrk (Debian package ``wrk``) and read its figures: as fast as it
    answers, or about ``rate`` requests/s in all (each connection paced by wrk's
    ``delay()`` hook), which measures latency at a load the service carries."""
    binary = shutil.which("wrk")
    if binary is None:
        raise RuntimeError("wrk is not installed: sudo apt-get install wrk")
    command = [binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if rate is not None:
            script.write(_PACED.format(mean_ms=connections * 1000 / rate, rate=rate))
            script.flush()
            command += ["-s", script.name]
        out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    answered = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = _latency(out, "50%")
    p99 = _latency(out, "99%")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(int(g) for g in sockets.groups()) if sockets else 0)
    return WrkResult(answered, p50, p99, errors, done)


def _latency(out: str, label: str) -> float:
    match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)\b", out)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages, for a figure's context."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} {five:.1f} {fifteen:.1f}"
