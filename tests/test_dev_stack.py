"""`make run`'s dev stack starts all six services on real MongoDB and RabbitMQ and
stops everything it started on Ctrl-C. It runs on its own ports, data directory,
exchange and queue names, so it does not disturb a developer's running stack."""

import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import aio_pika
import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("identity", "cards", "points", "benefits", "notifications", "receipts")
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0

pytestmark = pytest.mark.slow


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port_block(count: int) -> int:
    """A first port such that it and the next ``count - 1`` are all free."""
    for _ in range(200):
        base = random.randrange(20_000, 40_000)
        if not any(answers(port) for port in range(base, base + count)):
            return base
    raise RuntimeError("no block of free ports found")


def is_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def children_of(pid: int) -> dict[int, str]:
    """The processes whose parent is ``pid``, with their command lines."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found[int(entry.name)] = cmdline
    return found


def still_running(pid: int, cmdline: str) -> bool:
    """Whether ``pid`` still runs the same command (pids may be reused)."""
    try:
        current = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return current == cmdline and state != "Z"


async def delete_queues_and_exchange(amqp_url: str, exchange: str, prefix: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    try:
        for service in SERVICES:
            main = f"{prefix}{service}.events"
            for queue in [main, f"{main}.dead", *(f"{main}.retry.{i}" for i in range(1, 6))]:
                channel = await connection.channel()
                with contextlib.suppress(aio_pika.exceptions.AMQPError):
                    await channel.queue_delete(queue)
                if not channel.is_closed:
                    await channel.close()
        channel = await connection.channel()
        await channel.exchange_delete(exchange)
    finally:
        await connection.close()


def test_the_dev_stack_serves_all_six_services_and_stops_everything_on_ctrl_c(tmp_path: Path, amqp_url: str) -> None:
    base_port, mongo_port = free_port_block(len(SERVICES)), free_port_block(1)
    ports = [base_port + i for i in range(len(SERVICES))]
    namespace = uuid.uuid4().hex[:10]
    exchange, prefix = f"test.{namespace}", f"test.{namespace}."
    command = [
        sys.executable,
        "-m",
        "scripts.run_local",
        f"--base-port={base_port}",
        f"--mongo-port={mongo_port}",
        f"--data-dir={tmp_path / 'mongo'}",
        f"--amqp-url={amqp_url}",
        f"--amqp-exchange={exchange}",
        f"--amqp-queue-prefix={prefix}",
        "--no-seed",
    ]
    stack = subprocess.Popen(  # noqa: S603 - the repository's own script, run by the test's interpreter
        command,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(stack.stdout or []), daemon=True)
    reader.start()
    started: dict[int, str] = {}
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        waiting = set(ports)
        while waiting and stack.poll() is None and time.monotonic() < deadline:
            waiting = {port for port in waiting if not is_ready(port)}
            time.sleep(0.2)
        assert not waiting, f"not ready on ports {sorted(waiting)}:\n{''.join(output)}"
        started = children_of(stack.pid)
        commands = " ".join(started.values())
        assert "mongod" in commands
        assert all(f"plussa_{service}" in commands for service in SERVICES), started

        stack.send_signal(signal.SIGINT)
        code = stack.wait(timeout=STOP_TIMEOUT_S)
        reader.join(timeout=5)

        assert code == 0, "".join(output)
        assert "Stopped." in "".join(output)
        assert [pid for pid, cmd in started.items() if still_running(pid, cmd)] == []
        assert [port for port in [*ports, mongo_port] if answers(port)] == []
    finally:
        if stack.poll() is None:
            stack.kill()
            stack.wait()
        for pid, cmd in started.items():
            if still_running(pid, cmd):
                os.kill(pid, signal.SIGKILL)
        asyncio.run(delete_queues_and_exchange(amqp_url, exchange, prefix))
