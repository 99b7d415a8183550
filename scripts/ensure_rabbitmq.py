"""Make sure RabbitMQ answers at the configured URL before the stack or the tests need it.

Standard library only, so it runs before the virtual environment exists.

- RabbitMQ answers: nothing to do.
- The URL is on this machine and ``rabbitmq-server`` is installed but not running:
  start it (``rabbitmq-server -detached``) and wait until it answers.
- It is not installed: as root with apt-get, install it; otherwise print the exact
  command to run and exit 1.

``python3 -m scripts.ensure_rabbitmq [--url amqp://...] [--unless-docker]`` (from the repository root)
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

from scripts.system_packages import apt_install, can_install, install_command

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Debian puts the server scripts in /usr/sbin, which is not on a normal user's PATH.
SBIN_DIRS = ("/usr/sbin", "/usr/local/sbin", "/sbin")


class RabbitMqUnavailableError(RuntimeError):
    """RabbitMQ does not answer and cannot be started from here; the message says what to do."""


def host_and_port(url: str) -> tuple[str, int]:
    """The broker's host and port from an ``amqp://`` URL."""
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 5672


def answers(host: str, port: int, timeout_s: float = 1.0) -> bool:
    """Whether something accepts TCP connections at ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def find_server_command(name: str = "rabbitmq-server") -> str | None:
    """The path of a RabbitMQ server script, looking in sbin directories too."""
    search = os.pathsep.join([os.environ.get("PATH", ""), *SBIN_DIRS])
    return shutil.which(name, path=search)


def docker_answers() -> bool:
    """Whether a Docker engine answers (the tests then run RabbitMQ in a container)."""
    docker = shutil.which("docker")
    if docker is None:
        return False
    result = subprocess.run([docker, "info"], capture_output=True, timeout=10, check=False)
    return result.returncode == 0


def node_running() -> bool:
    """Whether a RabbitMQ node already runs here (so starting another would not help)."""
    ctl = find_server_command("rabbitmqctl")
    if ctl is None:
        return False
    try:
        result = subprocess.run([ctl, "-q", "status"], capture_output=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def start_rabbitmq(server: str) -> None:
    """Start the installed server in the background."""
    if os.geteuid() != 0:
        raise RabbitMqUnavailableError(
            "RabbitMQ is installed but not running: start it with 'sudo systemctl start rabbitmq-server' "
            "(or 'sudo rabbitmq-server -detached') and try again"
        )
    print("RabbitMQ is installed but not running: starting it (rabbitmq-server -detached)", flush=True)
    subprocess.run([server, "-detached"], check=True, stdin=subprocess.DEVNULL)


def wait_until_answers(host: str, port: int, timeout_s: float) -> None:
    """Poll until the broker accepts connections, or raise after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not answers(host, port):
        if time.monotonic() > deadline:
            raise RabbitMqUnavailableError(
                f"RabbitMQ did not start answering at {host}:{port} within {timeout_s:.0f}s; "
                "see /var/log/rabbitmq/ for why"
            )
        time.sleep(0.5)


def ensure_rabbitmq(url: str = DEFAULT_AMQP_URL, *, timeout_s: float = 90.0) -> None:
    """Return once RabbitMQ answers at ``url``, starting or installing it when that is possible."""
    host, port = host_and_port(url)
    if answers(host, port):
        return
    if host not in LOCAL_HOSTS:
        raise RabbitMqUnavailableError(f"RabbitMQ does not answer at {host}:{port} (from the configured URL)")
    server = find_server_command()
    if server is None:
        if not can_install():
            raise RabbitMqUnavailableError(
                f"RabbitMQ is not installed. Install it with:\n\n    {install_command(['rabbitmq-server'])}\n"
            )
        apt_install(["rabbitmq-server"])
        # The package starts the server where an init system runs; elsewhere start it here.
        if answers(host, port, timeout_s=2.0):
            return
        server = find_server_command()
        if server is None:
            raise RabbitMqUnavailableError("rabbitmq-server was installed but its start script was not found")
    if node_running():
        raise RabbitMqUnavailableError(
            f"RabbitMQ runs on this machine but does not answer at {host}:{port}: check the port in the URL"
        )
    start_rabbitmq(server)
    wait_until_answers(host, port, timeout_s)
    print(f"RabbitMQ answers at {host}:{port}", flush=True)


def main() -> int:
    """Command line: exit 0 once RabbitMQ answers, 1 with the reason otherwise."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("PLUSSA_TEST_AMQP_URL", DEFAULT_AMQP_URL))
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for a started server")
    parser.add_argument(
        "--unless-docker", action="store_true", help="do nothing when a Docker engine answers (tests use containers)"
    )
    args = parser.parse_args()
    if args.unless_docker and os.environ.get("PLUSSA_TEST_SERVERS") != "local" and docker_answers():
        return 0
    try:
        ensure_rabbitmq(args.url, timeout_s=args.timeout)
    except RabbitMqUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
