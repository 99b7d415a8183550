"""Runs `make run`'s dev stack (scripts/run_local.py) as a subprocess on free ports, a
temporary data directory and its own exchange and queue names, for the tests."""

import asyncio
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

from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.isolation import remove_broker_objects

_WITH_STOP_SIGNALS = (
    "import os, signal, sys\n"
    "for signum in (signal.SIGINT, signal.SIGQUIT):\n"
    "    signal.signal(signum, signal.SIG_DFL)\n"
    "os.execvp(sys.argv[1], sys.argv[1:])\n"
)
"""Runs a command (in the same process) with SIGINT and SIGQUIT at their defaults."""

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("identity", "cards", "points", "benefits", "notifications", "receipts")


def answers(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port_block(count: int) -> int:
    """A first port such that it and the next ``count - 1`` are all free, below the
    range the kernel gives outgoing connections (one of those would block a listener)."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(200):
        base = random.randrange(low // 2, low - count)
        if not any(answers(port) for port in range(base, base + count)):
            return base
    raise RuntimeError("no block of free ports found")


def is_ready(port: int) -> bool:
    """Whether /health/ready on ``port`` answers 200."""
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
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
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


class DevStackProcess:
    """One dev stack; ``start`` it, ``wait_ready``, then ``interrupt`` it (Ctrl-C)."""

    def __init__(
        self,
        data_dir: Path,
        amqp_url: str,
        *,
        seed: bool,
        mongo_port: int | None = None,
        via_make: bool = False,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.base_port = free_port_block(len(SERVICES))
        self.mongo_port = mongo_port or free_port_block(1)
        self.ports = {service: self.base_port + i for i, service in enumerate(SERVICES)}
        namespace = uuid.uuid4().hex[:10]
        self.exchange, self.queue_prefix = f"test.{namespace}", f"test.{namespace}."
        self.data_dir = data_dir
        self.amqp_url = amqp_url
        self.seed = seed
        self.via_make = via_make
        self.extra_args = extra_args
        self.process: subprocess.Popen[str] | None = None
        self.started: dict[int, str] = {}
        self._lines: list[str] = []
        self._reader: threading.Thread | None = None

    @property
    def output(self) -> str:
        """What the stack printed so far."""
        return "".join(self._lines)

    def url(self, service: str) -> str:
        """The base URL of ``service``."""
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self) -> None:
        """Run the dev stack command."""
        options = [
            f"--base-port={self.base_port}",
            f"--mongo-port={self.mongo_port}",
            f"--data-dir={self.data_dir}",
            f"--amqp-url={self.amqp_url}",
            f"--amqp-exchange={self.exchange}",
            f"--amqp-queue-prefix={self.queue_prefix}",
            *([] if self.seed else ["--no-seed"]),
            *self.extra_args,
        ]
        command = [sys.executable, "-m", "scripts.run_local", *options]
        if self.via_make:  # as `make run` is used, with this interpreter's environment
            command = ["make", "--no-print-directory", "run", f"PY={sys.executable}", f"RUN_ARGS={' '.join(options)}"]
            # From a terminal make gets Ctrl-C's signals as they are; a test run started in the
            # background inherits them ignored, and make keeps an ignored SIGINT ignored.
            command = [sys.executable, "-c", _WITH_STOP_SIGNALS, *command]
        self._lines = []
        self.process = subprocess.Popen(  # noqa: S603 - the repository's own script, run by the test's interpreter
            command,
            cwd=ROOT,
            env={**os.environ, "NO_COLOR": "1"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        stdout = self.process.stdout
        assert stdout is not None
        self._reader = threading.Thread(target=lambda: self._lines.extend(stdout), daemon=True)
        self._reader.start()

    def wait_ready(self, timeout_s: float) -> None:
        """Wait until every service answers /health/ready; remember what the stack started."""
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        waiting = set(self.ports.values())
        while waiting and self.process.poll() is None and time.monotonic() < deadline:
            waiting = {port for port in waiting if not is_ready(port)}
            time.sleep(0.2)
        assert not waiting, f"not ready on ports {sorted(waiting)}:\n{self.output}"
        self.started = children_of(self.runner_pid())

    def runner_pid(self) -> int:
        """The process of scripts/run_local.py (make's recipe, when run through make)."""
        assert self.process is not None
        if not self.via_make:
            return self.process.pid
        [runner] = [pid for pid, cmd in children_of(self.process.pid).items() if "scripts.run_local" in cmd]
        return runner

    def service_pid(self, service: str) -> int:
        """The process of ``service`` right now."""
        [pid] = [pid for pid, cmd in children_of(self.runner_pid()).items() if f"plussa_{service}" in cmd]
        return pid

    def wait_for_output(self, text: str, timeout_s: float) -> None:
        """Wait until the stack prints ``text``."""
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        while text not in self.output:
            assert self.process.poll() is None, f"the stack exited:\n{self.output}"
            assert time.monotonic() < deadline, f"{text!r} not printed in {timeout_s}s:\n{self.output}"
            time.sleep(0.2)

    def interrupt(self, timeout_s: float, signum: signal.Signals = signal.SIGINT) -> int:
        """Ctrl-C (or another stop signal); the exit code."""
        assert self.process is not None
        self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the stack did not stop within {timeout_s}s:\n{self.output}") from None
        if self._reader is not None:
            self._reader.join(timeout=5)
        return code

    def left_running(self) -> list[str]:
        """Processes the stack started that still run."""
        return [cmd for pid, cmd in self.started.items() if still_running(pid, cmd)]

    def kill_leftovers(self) -> None:
        """After a failed test: stop whatever is still running."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid, cmd in self.started.items():
            if still_running(pid, cmd):
                os.kill(pid, signal.SIGKILL)

    def delete_broker_objects(self) -> None:
        """Remove the stack's queues and exchange from RabbitMQ."""
        asyncio.run(self._delete_broker_objects())

    async def _delete_broker_objects(self) -> None:
        # The services ran with the default retry delays, so their settings name the queues.
        made = [
            ServiceSettings(service_name=service, amqp_queue_prefix=self.queue_prefix, amqp_exchange=self.exchange)
            for service in SERVICES
        ]
        await remove_broker_objects(self.amqp_url, made)
