"""Services as processes of their own (``python -m plussa_<service>``, one or more
replicas on one port), as the dev stack and the benchmarks run them, and what a
process's figures are read from: its CPU time, resident memory and listening sockets
(``/proc``)."""

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import SecretStr
from pydantic_core import to_jsonable_python

from plussa_shared.bus_access import SERVICES
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bench import AMQP_URL
from plussa_shared.testing.embedded_mongo import free_port
from plussa_shared.testing.isolation import isolated_values


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


def rabbitmq_pid() -> int | None:
    """The local RabbitMQ node's process (``beam.smp``), if this machine runs one, to read its CPU time."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "beam.smp":
                    return int(entry.name)
            except OSError:  # gone meanwhile
                continue
    return None


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
