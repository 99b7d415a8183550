"""What every service's benchmark scripts share: a private mongod, the local RabbitMQ,
a JWKS for test tokens, settings on fresh resources, the running service (in this
process or as its own ``python -m plussa_<service>`` process), the raw consume + one
transaction ceiling, a process's resident memory, and wrk for HTTP load. Scripts print
figures; no benchmark asserts a speed."""

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import aiohttp
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage
from aiohttp import web
from pydantic import SecretStr
from pydantic_core import to_jsonable_python
from pymongo import AsyncMongoClient

from plussa_shared.bus_access import SERVICES
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


@dataclass(frozen=True)
class ServiceProcess:
    """A service running as its own process."""

    name: str
    pid: int
    url: str
    log: Path


def process_values(run_id: str, mongo_url: str, jwks_url: str) -> dict[str, dict[str, Any]]:
    """Settings values of every service of run ``run_id`` (one exchange, a database each)."""
    return {
        name: isolated_values(
            name, run_id=run_id, label="bench", mongo_url=mongo_url, amqp_url=AMQP_URL, jwks_url=jwks_url
        )
        for name in SERVICES
    }


@asynccontextmanager
async def service_processes(
    values: Mapping[str, Mapping[str, Any]], log_dir: Path, ready_timeout_s: float = 120
) -> AsyncIterator[dict[str, ServiceProcess]]:
    """Each service of ``values`` as ``python -m plussa_<service>`` with those settings in
    its environment (as the dev stack runs it), ready; stopped with SIGTERM afterwards."""
    async with service_replicas(values, log_dir, 1, ready_timeout_s) as running:
        yield {name: replicas[0] for name, replicas in running.items()}


@asynccontextmanager
async def service_replicas(
    values: Mapping[str, Mapping[str, Any]], log_dir: Path, replicas: int, ready_timeout_s: float = 120
) -> AsyncIterator[dict[str, list[ServiceProcess]]]:
    """``replicas`` processes of each service of ``values`` (as ``service_processes``
    starts one), sharing one port (``reuse_port``) as replicas behind one address do;
    each ready and listening; stopped with SIGTERM afterwards."""
    async with AsyncExitStack() as stack:
        running: dict[str, list[ServiceProcess]] = {}
        for name, settings in values.items():
            port = free_port()
            shared = {**settings, "reuse_port": replicas > 1}
            names = [name] if replicas == 1 else [f"{name}-{n}" for n in range(replicas)]
            logs = [log_dir / f"{each}.log" for each in names]
            running[name] = [await stack.enter_async_context(_service_process(name, shared, log, port)) for log in logs]
        every = [s for group in running.values() for s in group]
        await asyncio.gather(*(_until_ready(s, ready_timeout_s) for s in every))
        yield running


def settings_values(settings: ServiceSettings) -> dict[str, str]:
    """The values ``settings`` was given, as a process reads them from its environment:
    secrets in clear, URLs as text, lists and numbers as JSON."""
    values: dict[str, str] = {}
    for field in sorted(settings.model_fields_set):
        value = getattr(settings, field)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        plain = to_jsonable_python(value)
        values[field] = plain if isinstance(plain, str) else json.dumps(plain)
    return values


@asynccontextmanager
async def _service_process(name: str, values: Mapping[str, Any], log: Path, port: int) -> AsyncIterator[ServiceProcess]:
    prefix = f"PLUSSA_{name.upper()}_"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    settings = {"log_level": "WARNING", "environment": "development", **values, "host": "127.0.0.1", "port": port}
    env |= {f"{prefix}{key.upper()}": str(value) for key, value in settings.items()}
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", f"plussa_{name}", env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield ServiceProcess(name, process.pid, f"http://127.0.0.1:{port}", log)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _until_ready(service: ServiceProcess, timeout_s: float) -> None:
    """Until the process listens on its port (its replicas' answers prove nothing of it)
    and the port answers ready."""
    deadline = time.perf_counter() + timeout_s
    port = int(service.url.rsplit(":", 1)[1])
    async with aiohttp.ClientSession() as http:
        while time.perf_counter() < deadline:
            try:
                if listening(service.pid, port):
                    async with http.get(f"{service.url}/health/ready") as response:
                        if response.status == 200:
                            return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    tail = service.log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"{service.name} was not ready in {timeout_s:.0f} s; its log ends:\n{tail}")


def listening(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds a socket listening on TCP ``port`` (``/proc``)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # 0A: LISTEN
                    inodes.add(f"socket:[{fields[9]}]")
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:  # not (or no longer) running
        return False
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                return True
    return False


def rss_mib(pid: int) -> float:
    """The resident memory of process ``pid`` in MiB (``VmRSS`` of ``/proc/<pid>/status``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) process ``pid`` has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mongod_pid(mongo_url: str) -> int:
    """The process id of the private ``mongod`` serving ``mongo_url``, to read its CPU time."""
    port = re.search(r":(\d+)", mongo_url.removeprefix("mongodb://"))
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"mongod") and port and f"--port\0{port.group(1)}\0".encode() in b"\0".join(args):
            return int(cmdline.parent.name)
    raise RuntimeError(f"no mongod serving {mongo_url}")


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages, for a figure's context."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} {five:.1f} {fifteen:.1f}"
